import { existsSync, statSync, type Stats } from "node:fs";
import { keyPath } from "../../config/document.js";
import { resolve } from "node:path";
import type { ResolvedEnvironment } from "../../config/environment.js";
import { InputError } from "../../config/errors.js";
import type { ResolvedModel } from "../../config/model-field.js";
import { Hooks, RngStreams, Simulator } from "../../engine/index.js";
import { kvCacheBytesPerToken, kvCacheShareOnRank } from "../../model/kv-cache.js";
import type { WeightPrecision } from "../../model/precision.js";
import { SupernodeTopology } from "../../topology/supernode-topology.js";
import type { SimEvents } from "../../trace/span.js";
import { hbmPerDie } from "../inference-bench/memory.js";
import { withOverlap } from "../inference-bench/derived-defaults.js";
import { defaultOverlap } from "../inference-bench/schema.js";
import { checkVariants, parseVariants, type Variant } from "../compare-variants.js";
import { defineWorkload, type JsonValue, type RuleViolation, type SummaryTable } from "../workload.js";
import { syntheticArrivals } from "./arrivals.js";
import { heapTooSmall, MAX_RUN_REQUESTS, pastEngineClock, ticksTooMany, timelineTooLong, tooLarge } from "./run-size.js";
import { inputError } from "../../config/errors.js";
import { quoted } from "../../units/index.js";
import { lengthProblem, lengthRange, meanLength } from "./lengths.js";
import { requestRecords, servingMetrics } from "./metrics.js";
import { BLOCK_TOKENS, type Arrival } from "./request.js";
import { servingCoreSchema, servingSchema, servingSections, type ServingConfig, type ServingCore } from "./schema.js";
import { simulateServing, type ServingOutcome } from "./serving-sim.js";
import { DecodeCost, freeKvBytesPerDie, groupNpus, groupPhase, StepCostCache, type StepModelContext } from "./step-cost.js";
import { readTrace } from "./trace-reader.js";

/*
 * Workload `serving`: a request-level simulation of a serving deployment (prefill, decode and colocated
 * instances) driven by synthetic arrivals or a real trace, with per-step costs from the inference step
 * model. See docs/serving.md.
 */

/** A path in the config, resolved against the config file's folder (as `resolveConfigPath`; imported here it would cycle through the registry). */
function resolveConfigPath(env: ResolvedEnvironment, p: string): string {
  return resolve(env.configDir, p);
}

/** Synthetic arrival window when `workload.duration_s` is not set, s. */
const DEFAULT_SYNTHETIC_DURATION_S = 10;

/** The window synthetic arrivals are generated in, s. */
const syntheticDurationS = (cfg: ServingCore): number => cfg.duration_s ?? DEFAULT_SYNTHETIC_DURATION_S;

type Sections = { model: ResolvedModel; precision: WeightPrecision };

/** T1 targets shown next to the per-stage step-model throughput for DeepSeek on CloudMatrix, tokens/s per NPU (targets.md T1). */
const T1 = { decode: 1943, prefill: 5655 };

/** The base config and each compared variant, parsed (issues as violations). */
function variantsOf(cfg: ServingConfig): Variant<ServingCore>[] | RuleViolation[] {
  const { compare, ...base } = cfg;
  return parseVariants<ServingCore>(base, compare, servingCoreSchema, "base");
}

/** Prefix-cache tiers a prompt block may be held in (HBM, EMS pool), count. */
const cacheTiers = (cfg: ServingCore): number => (cfg.cache.enabled ? (cfg.cache.pool.enabled ? 2 : 1) : 0);

function checkCore(cfg: ServingCore, env: ResolvedEnvironment, sections: Sections, at: (string | number)[]): RuleViolation[] {
  const v: RuleViolation[] = [];
  const ctx: StepModelContext = { model: sections.model, precision: sections.precision, env };
  let ranks = 0;
  // the most KV tokens one attention replica of an instance that decodes (or may, under a dynamic ratio)
  // holds: a longer request is rejected on arrival (serving-sim.ts onArrival)
  let seqCap = 0;
  cfg.instances.forEach((g, i) => {
    // serving prices prefill steps without MTP whatever the role (phaseSettingsOf): the draft tokens are a
    // decode-step knob and the MTP layer's KV follows decode.mtp.layers, so a prefill setting would be ignored
    if (g.prefill.mtp.layers > 0) {
      v.push({ path: [...at, "instances", i, "prefill", "mtp", "layers"], message: `MTP (speculative decoding) applies to decode only: expected 0, found ${g.prefill.mtp.layers}; set decode.mtp.layers instead` });
    }
    const roles = g.role === "colocated" ? (["prefill", "decode"] as const) : cfg.pd_ratio.dynamic ? (["prefill", "decode"] as const) : ([g.role] as const);
    for (const phase of roles) {
      const pm = groupPhase(g, phase, ctx);
      if (Array.isArray(pm)) for (const iss of pm) v.push({ path: [...at, "instances", i, ...iss.path.filter((p) => p !== "workload")], message: `${phase}: ${iss.message}` });
      else if (phase === "decode") seqCap = Math.max(seqCap, new DecodeCost(g, ctx).kvTokensPerReplica);
    }
    ranks += g.count * g.deployment.attention.dp * g.deployment.attention.tp;
  });
  v.push(...rolesProblem(cfg, at));
  const topo = env.topology();
  if (ranks > topo.ranks) v.push({ path: [...at, "instances"], message: `the instances need ${ranks} ranks, cluster ${env.cluster!.name} has ${topo.ranks}` });
  // (only a deployment that fits has its labels listed: a count of 1e9 would take minutes)
  else v.push(...labelClashes(cfg, at));
  if (cfg.cache.enabled && cfg.cache.pool.enabled && !(topo instanceof SupernodeTopology)) {
    v.push({ path: [...at, "cache", "pool", "enabled"], message: "the EMS pool lives in CPU DRAM over UB: it needs a supernode cluster (e.g. cloudmatrix384)" });
  }
  if (!topo.planes.includes(cfg.kv_transfer.plane)) v.push({ path: [...at, "kv_transfer", "plane"], message: `cluster ${env.cluster!.name} has no plane ${cfg.kv_transfer.plane}; valid values are: ${topo.planes.join(", ")}` });
  const a = cfg.arrivals;
  // a trace's own length is checked when it is read (arrivalsOf)
  const durationS = a.kind === "trace" ? cfg.duration_s ?? 0 : syntheticDurationS(cfg);
  const long = timelineTooLong(durationS + cfg.drain_s, cfg.timeline_window_s, "duration_s + drain_s");
  if (long !== undefined) v.push({ path: [...at, "timeline_window_s"], message: long });
  if (a.kind !== "trace" || cfg.duration_s !== null) {
    const name = cfg.duration_s === null ? "the default 10 s of arrivals" : "duration_s";
    for (const p of clockProblems(cfg, durationS, { name, key: "duration_s" })) v.push({ path: [...at, ...keyPath(p.key)], message: p.message });
  }
  if (a.kind !== "trace" && a.rate_per_s * durationS > MAX_RUN_REQUESTS) {
    v.push({ path: [...at, "arrivals", "rate_per_s"], message: tooLarge("rate_per_s × duration_s requests", a.rate_per_s * durationS, MAX_RUN_REQUESTS, "lower the rate or workload.duration_s") });
  }
  if (a.kind === "trace") {
    if (a.path === undefined) v.push({ path: [...at, "arrivals", "path"], message: "arrivals.kind: trace needs arrivals.path (a Mooncake JSONL or Azure CSV file)" });
    else {
      const file = resolveConfigPath(env, a.path);
      if (!existsSync(file)) v.push({ path: [...at, "arrivals", "path"], message: `trace file not found: ${file} (the shared traces live in ../shared/traces/ beside the repository)` });
      else {
        const st = statSync(file);
        if (!st.isFile()) v.push({ path: [...at, "arrivals", "path"], message: `expected a trace file (Mooncake JSONL or Azure CSV), found ${fileKind(st)}: ${file}` });
      }
    }
  }
  if (a.kind !== "trace") v.push(...syntheticLengthProblems(cfg, seqCap, at));
  return v;
}

/**
 * Instances are labelled `<name><k>` (name defaulting to the role) in the tables, `metrics.instances`, the
 * trace and the request records: two groups must not produce one label — the same name twice (two unnamed
 * groups of one role too), or a name ending in digits that meets another group's numbering (`decode` × 11
 * makes decode10, as `decode1` × 1 does). Reported at the later group.
 */
function labelClashes(cfg: ServingCore, at: (string | number)[]): RuleViolation[] {
  const v: RuleViolation[] = [];
  const owner = new Map<string, number>();
  cfg.instances.forEach((g, i) => {
    const name = g.name ?? g.role;
    const named = g.name !== undefined ? "name" : "role";
    const sameName = cfg.instances.findIndex((h) => (h.name ?? h.role) === name);
    if (sameName < i) {
      const how = g.name === undefined ? ` (unnamed groups are named after their role)` : "";
      v.push({ path: [...at, "instances", i, named], message: `expected a group name no other group has (instances are labelled <name><k>), got ${quoted(name)}${how}: instances.${sameName} has it; give this group a name of its own` });
      return;
    }
    for (let k = 0; k < g.count; k++) {
      const label = `${name}${k}`;
      const first = owner.get(label);
      if (first !== undefined) {
        const other = cfg.instances[first]!;
        v.push({ path: [...at, "instances", i, named], message: `expected instance labels no other group produces, got ${quoted(label)} (instance ${k} of ${quoted(name)}), which instances.${first} (${quoted(other.name ?? other.role)} × ${other.count}) also produces; choose a name that does not end in a digit` });
        return;
      }
    }
    for (let k = 0; k < g.count; k++) owner.set(`${name}${k}`, i);
  });
  return v;
}

/** What a path that is not a regular file is, for messages: `a directory`, `a character device (not a regular file)`, … */
function fileKind(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  const kind = st.isCharacterDevice() ? "a character device" : st.isBlockDevice() ? "a block device" : st.isFIFO() ? "a named pipe (FIFO)" : st.isSocket() ? "a socket" : "something else";
  return `${kind} (not a regular file)`;
}

/**
 * The instances must be able to run both phases: a request needs a prefill (prefill or colocated
 * instance) and a decode (decode or colocated). Two exceptions. A dynamic P/D ratio over decode instances
 * only, two or more: the controller (serving-sim.ts) switches a decode instance to prefill when prefill
 * waits dominate — they do, as nothing prefills — and keeps at least one decode instance; it never switches
 * the other way without a decode instance (no decode wait exists to react to). And a prefill-only
 * deployment whose requests all have one output token (the prefill's): a synthetic output of at most 1
 * token here, a trace's outputs once it is read (`longestOutput`, arrivalsOf).
 */
function rolesProblem(cfg: ServingCore, at: (string | number)[], longestOutput?: number): RuleViolation[] {
  const count = { prefill: 0, decode: 0, colocated: 0 };
  for (const g of cfg.instances) count[g.role] += g.count;
  const prefills = count.prefill + count.colocated;
  const decodes = count.decode + count.colocated;
  if (prefills > 0 && decodes > 0) return [];
  if (prefills === 0 && cfg.pd_ratio.dynamic && count.decode >= 2) return [];
  const outputs = longestOutput ?? (cfg.arrivals.kind === "trace" ? undefined : Math.max(1, lengthRange(cfg.arrivals.output).longest));
  // a trace's outputs are checked once it is read
  if (decodes === 0 && (outputs === undefined || outputs <= 1)) return [];
  const found = Object.entries(count)
    .filter(([, n]) => n > 0)
    .map(([role, n]) => `${role} × ${n}`)
    .join(", ");
  const dyn =
    prefills === 0
      ? cfg.pd_ratio.dynamic
        ? "; pd_ratio.dynamic switches a decode instance to prefill only while another one keeps decoding: 2 decode instances or more"
        : "; with pd_ratio.dynamic: true and 2 decode instances or more the ratio controller would switch one to prefill"
      : `; the requests have up to ${outputs} output tokens (a prefill-only deployment serves only the first), and pd_ratio.dynamic never switches a prefill instance to decode while none decodes (there is no decode wait to react to)`;
  return [{ path: [...at, "instances"], message: `expected at least one prefill or colocated instance and one decode or colocated instance, found roles ${found}${dyn}` }];
}

/**
 * Time knobs that add up past the engine clock (each alone is bounded in the schema), and P/D-ratio
 * decisions that would tick too often, over `spanS` seconds of arrivals plus drain_s. `span` names the
 * arrivals' span in messages and gives the key to shorten when it is the largest term. Keys are dotted
 * paths below `workload`. Checked at load time (synthetic arrivals, or a trace's duration_s) and once a
 * trace is read (arrivalsOf).
 */
function clockProblems(cfg: ServingCore, spanS: number, span: { name: string; key: string }): { key: string; message: string }[] {
  const out: { key: string; message: string }[] = [];
  const ticks: [string, number][] = [["timeline_window_s", cfg.timeline_window_s]];
  if (cfg.pd_ratio.dynamic) ticks.push(["pd_ratio.interval_s", cfg.pd_ratio.interval_s], ["pd_ratio.switch_cost_s", cfg.pd_ratio.switch_cost_s]);
  const past = pastEngineClock([[span.name, spanS], ["drain_s", cfg.drain_s]], ticks);
  if (past !== undefined) out.push({ key: past.key === span.name ? span.key : past.key, message: past.message });
  const many = cfg.pd_ratio.dynamic ? ticksTooMany(spanS + cfg.drain_s, cfg.pd_ratio.interval_s, `${span.name} + drain_s`, "pd_ratio.interval_s") : undefined;
  if (many !== undefined) out.push({ key: "pd_ratio.interval_s", message: many });
  return out;
}

/**
 * Synthetic lengths: impossible distributions, a load whose every request is longer than any decoding
 * instance can hold (all would be rejected; a few over-long requests are served as a trace's are: rejected
 * on arrival and counted in requests_rejected_capacity), and a load whose requests and prompt blocks (one
 * prefix-block id per 512 tokens) would not fit the heap of this process (run-size.ts heapTooSmall).
 */
function syntheticLengthProblems(cfg: ServingCore, seqCap: number, at: (string | number)[]): RuleViolation[] {
  const v: RuleViolation[] = [];
  const a = cfg.arrivals;
  let bad = false;
  for (const side of ["input", "output"] as const) {
    const p = lengthProblem(a[side]);
    if (p !== undefined) {
      v.push({ path: [...at, "arrivals", side, p.key], message: p.message });
      bad = true;
    }
  }
  if (bad) return v;
  const shortestIn = lengthRange(a.input).shortest;
  const shortestOut = Math.max(1, lengthRange(a.output).shortest);
  const shortest = shortestIn + shortestOut;
  if (seqCap > 0 && shortest > seqCap) {
    v.push({
      path: [...at, "arrivals", "input"],
      message: `expected requests that fit the KV cache of one attention replica (at most ${seqCap} tokens on the largest decoding instance), got none: the shortest request is ${shortestIn} input + ${shortestOut} output = ${shortest} tokens, so every request would be rejected; shorten the lengths (min, value) or give the decode replicas more HBM`,
    });
  }
  // what a run without its records needs: whether it builds them is known at the run (arrivalsOf)
  const heap = syntheticHeapProblem(cfg, { records: false, keptRecords: false });
  if (heap !== undefined) {
    v.push({ path: [...at, "arrivals", "rate_per_s"], message: heap });
  }
  return v;
}

/**
 * The violations with each `prefill: X` / `decode: X` pair at one path (an instance that may run both
 * phases, with a mistake both share) reported once as `prefill and decode: X`, in first-seen order.
 */
function mergePhasePairs(vs: readonly RuleViolation[]): RuleViolation[] {
  const phaseOf = (m: string): [string, string] | undefined => {
    const hit = /^(prefill|decode): /.exec(m);
    return hit === null ? undefined : [hit[1]!, m.slice(hit[0].length)];
  };
  const decodeTwin = new Set<string>();
  for (const v of vs) {
    const p = phaseOf(v.message);
    if (p?.[0] === "decode") decodeTwin.add(JSON.stringify([v.path, p[1]]));
  }
  const out: RuleViolation[] = [];
  const merged = new Set<string>();
  for (const v of vs) {
    const p = phaseOf(v.message);
    const key = p === undefined ? "" : JSON.stringify([v.path, p[1]]);
    if (p?.[0] === "prefill" && decodeTwin.has(key)) {
      out.push({ path: v.path, message: `prefill and decode: ${p[1]}` });
      merged.add(key);
    } else if (!(p?.[0] === "decode" && merged.has(key))) out.push(v);
  }
  return out;
}

/** Whether a run builds its per-request records and keeps the primary run's while compared variants run (run-size.ts heapTooSmall). */
interface RecordsKept {
  readonly records: boolean;
  readonly keptRecords: boolean;
}

/** The heap problem of a synthetic load (run-size.ts heapTooSmall), if it has one; none past MAX_RUN_REQUESTS (reported as too many). */
function syntheticHeapProblem(cfg: ServingCore, kept: RecordsKept): string | undefined {
  const requests = cfg.arrivals.rate_per_s * syntheticDurationS(cfg);
  if (requests > MAX_RUN_REQUESTS) return undefined;
  const blocks = requests * Math.ceil(meanLength(cfg.arrivals.input) / BLOCK_TOKENS);
  return heapTooSmall({ requests, blocks, cacheTiers: cacheTiers(cfg), ...kept }, "rate_per_s × duration_s", "lower the rate, workload.duration_s or the prompt lengths");
}

/** Arrivals of a config: synthetic from `rng`, or the trace; refused when they do not fit the heap with the records `kept`. */
function arrivalsOf(cfg: ServingCore, env: ResolvedEnvironment, rng: RngStreams, kept: RecordsKept): { arrivals: Arrival[]; skipped: number } {
  const a = cfg.arrivals;
  if (a.kind !== "trace") {
    // the load-time check counted no records (checkCore)
    const heap = kept.records ? syntheticHeapProblem(cfg, kept) : undefined;
    if (heap !== undefined) inputError({ path: "workload.arrivals.rate_per_s", message: heap });
    return { arrivals: syntheticArrivals(cfg, rng, syntheticDurationS(cfg) * 1e9), skipped: 0 };
  }
  const t = readTrace(resolveConfigPath(env, a.path!), {
    shownPath: a.path!,
    format: a.format,
    rateScale: a.rate_scale,
    limit: a.limit,
    skip: a.skip_malformed,
    untilNs: cfg.duration_s === null ? null : cfg.duration_s * 1e9,
  });
  // the trace's length decides the timeline (checkCore could only count duration_s + drain_s)
  const lastS = t.arrivals.length > 0 ? t.arrivals[t.arrivals.length - 1]!.atNs / 1e9 : 0;
  const long = timelineTooLong(lastS + cfg.drain_s, cfg.timeline_window_s, "the trace's last arrival + drain_s");
  if (long !== undefined) inputError({ path: "workload.timeline_window_s", message: long });
  const clock = clockProblems(cfg, lastS, { name: "the trace's last arrival", key: "arrivals.rate_scale" });
  if (clock.length > 0) inputError({ path: `workload.${clock[0]!.key}`, message: clock[0]!.message });
  const roles = rolesProblem(cfg, ["workload"], t.arrivals.reduce((m, x) => Math.max(m, x.output), 1));
  if (roles.length > 0) inputError({ path: roles[0]!.path.join("."), message: roles[0]!.message });
  // the trace is in memory now, the run's requests not yet
  const blocks = t.arrivals.reduce((n, x) => n + x.hashIds.length, 0);
  const heap = heapTooSmall({ requests: t.arrivals.length, blocks, cacheTiers: cacheTiers(cfg), ...kept }, "the trace's arrivals", "read fewer (arrivals.limit, workload.duration_s)");
  if (heap !== undefined) inputError({ path: "workload.arrivals.limit", message: heap });
  return { arrivals: t.arrivals, skipped: t.skipped };
}

/**
 * What is kept of a variant's run: its metrics and instance labels, and for the primary run (`observe`) the
 * per-request records when they are wanted; not the requests themselves, so the compared variants that run
 * next reuse their memory.
 */
interface VariantRun {
  readonly name: string;
  readonly cfg: ServingCore;
  /** The instances' labels (the instances themselves hold the requests left unfinished in their queues). */
  readonly labels: readonly string[];
  readonly metrics: Record<string, JsonValue>;
  readonly records: Record<string, JsonValue>[] | undefined;
}

function runVariant(name: string, cfg: ServingCore, sim: Simulator, hooks: Hooks<SimEvents>, env: ResolvedEnvironment, sections: Sections, costs: StepCostCache, observe: boolean, kept: RecordsKept): VariantRun {
  const { arrivals, skipped } = arrivalsOf(cfg, env, sim.rng, kept);
  const arch = sections.model.arch;
  const mtp = cfg.instances.some((g) => g.decode.mtp.layers > 0);
  const kvBytesPerToken = kvCacheBytesPerToken(arch, "bf16", { includeMtp: mtp });
  const ctx: StepModelContext = { model: sections.model, precision: sections.precision, env };
  const hbmBlocks = cfg.instances.map((g) => {
    const c = cfg.cache.hbm_capacity;
    if (c === "unbounded") return Infinity;
    if (c !== "auto") return Math.floor(c.value / (BLOCK_TOKENS * kvBytesPerToken));
    if (g.role !== "prefill") return 0;
    const pm = groupPhase(g, "prefill", ctx);
    if (Array.isArray(pm)) return 0;
    const share = kvCacheShareOnRank(arch, g.deployment.attention.tp);
    return Math.floor((freeKvBytesPerDie(hbmPerDie(pm)) / (kvBytesPerToken * share) / BLOCK_TOKENS) * g.deployment.attention.dp);
  });
  const outcome = simulateServing({
    cfg,
    arrivals,
    costs,
    sim,
    hooks,
    topology: env.topology(),
    network: env.networkModel(sim),
    kvBytesPerToken,
    layers: arch.layers + (mtp ? arch.mtp_layers : 0),
    hbmBlocks,
    npus: cfg.instances.map((g) => groupNpus(g, env)),
    kvShareOnRank: (tp) => kvCacheShareOnRank(arch, tp),
    observe,
  });
  return { name, cfg, labels: outcome.instances.map((x) => x.label), metrics: servingMetrics(cfg, outcome, skipped), records: observe && kept.records ? requestRecords(outcome) : undefined };
}

const f = (x: unknown, d = 1): string => (typeof x === "number" ? x.toFixed(d) : "—");
const sub = (m: Record<string, JsonValue>, k: string, q: string): number => ((m[k] as Record<string, number>)[q] ?? 0) as number;
/** A latency percentile for the tables: "—" when no request contributed a sample (the JSON keeps count 0). */
const pct = (m: Record<string, JsonValue>, k: string, q: string, d = 1): string => (sub(m, k, "count") > 0 ? f(sub(m, k, q), d) : "—");
/** Rows of the instances table at most (the JSON lists every instance). */
const MAX_INSTANCE_ROWS = 24;
/** The instance labels for a title: whole labels up to about 120 characters, then how many more. */
function instanceList(labels: readonly string[]): string {
  let n = 0;
  let len = 0;
  while (n < labels.length && len + labels[n]!.length <= 120) len += labels[n++]!.length + 2;
  return n >= labels.length ? labels.join(", ") : `${labels.slice(0, Math.max(n, 1)).join(", ")} … (${labels.length} instances)`;
}

/** Workload `serving`. */
export const servingWorkload = defineWorkload({
  kind: "serving",
  description: "request-level serving: prefill/decode/colocated instances, traces or synthetic arrivals, prefix cache tiers, KV transfer, routing: TTFT/TPOT/SLO/goodput",
  schema: servingSchema,
  sections: servingSections,
  producesRecords: true,

  check(cfg, env, sections): RuleViolation[] {
    if (env.cluster === undefined) return [{ path: ["cluster"], message: "serving needs a cluster: add `cluster:` to the config" }];
    const vs = variantsOf(cfg);
    if (!Array.isArray(vs) || vs.length === 0) return [];
    if ("message" in vs[0]!) return vs as RuleViolation[];
    return mergePhasePairs(checkVariants(vs as Variant<ServingCore>[], (c, at) => checkCore(c, env, sections as Sections, at)));
  },

  fillDerived(resolved, cfg, env) {
    // the base deployment's instances (compare variants are shown as written: they are overrides)
    const w = resolved.workload as { instances?: { deployment?: Record<string, JsonValue>; prefill?: Record<string, JsonValue>; decode?: Record<string, JsonValue> }[] };
    cfg.instances.forEach((g, i) => {
      const r = w.instances?.[i];
      if (r === undefined) return;
      // in the schema's key order: npus first, overlap after microbatches
      if (r.deployment !== undefined && r.deployment.npus === undefined) r.deployment = { npus: groupNpus(g, env), ...r.deployment };
      for (const phase of ["prefill", "decode"] as const) {
        const knobs = r[phase];
        if (knobs !== undefined && knobs.overlap === undefined) r[phase] = withOverlap(knobs, defaultOverlap(phase));
      }
    });
  },

  run(cfg, ctx, sections) {
    const s = sections as Sections;
    const vs = variantsOf(cfg);
    if (vs.length > 0 && "message" in vs[0]!) throw new InputError((vs as RuleViolation[]).map((v) => ({ path: v.path.join("."), message: v.message })));
    const variants = vs as { name: string; cfg: ServingCore }[];
    // step costs come from the step model on the analytical network: each is one instance's step in
    // isolation, where the fused MoE exchange is AIV-issue-bound (the flow model gives the same step:
    // 166.67 vs 166.71 ms for the T1 prefill) but costs minutes per EP320 decode step; `network.model`
    // chooses how the run's own transfers (KV hand-offs, pool loads) share the links
    const onStepModel = ctx.hooks.has("phase") ? (what: string) => ctx.hooks.emit("phase", what) : undefined;
    const costs = new StepCostCache({ model: s.model, precision: s.precision, env: ctx.env.withNetworkModel("analytical"), onStepModel });
    // the primary run's records, when wanted, are kept while the compared variants run
    const kept: RecordsKept = { records: ctx.wantRecords, keptRecords: ctx.wantRecords && variants.length > 1 };
    const base = runVariant("base", variants[0]!.cfg, ctx.sim, ctx.hooks, ctx.env, s, costs, true, kept);
    const others = variants.slice(1).map((v) => runVariant(v.name, v.cfg, new Simulator(ctx.env.seed), new Hooks<SimEvents>(), ctx.env, s, costs, false, kept));
    const m = base.metrics;

    // the step model's per-stage throughput at the T1 shapes (fixed batch), for DeepSeek on CloudMatrix
    const reference: Record<string, JsonValue> = {};
    const refRows: (string | number)[][] = [];
    // the T1 targets are the CM384 paper's DeepSeek-R1 figures: named only where they apply
    const t1 = /^deepseek-(r1|v3)$/.test(s.model.label);
    for (const g of base.cfg.instances) {
      if (g.role === "prefill" && reference.prefill === undefined) {
        const pc = costs.prefillOf(g);
        const p = pc.points[0]!;
        const npus = groupNpus(g, ctx.env);
        const v = (p.sequences * p.len * g.deployment.attention.dp) / npus / (p.ns / 1e9);
        reference.prefill = { sequences: p.sequences, prompt_len: p.len, step_ms: p.ns / 1e6, tokens_per_s_per_npu: v };
        refRows.push(["prefill", `${p.sequences} × ${p.len} tokens`, f(p.ns / 1e6), f(v, 0), f((m.stages as Record<string, Record<string, number>>).prefill?.prefill_tokens_per_s_per_npu_busy, 0), t1 ? T1.prefill : "—"]);
      }
      if (g.role === "decode" && reference.decode === undefined) {
        const r = costs.decodeOf(g).referencePoint();
        reference.decode = { sequences_per_replica: r.sequencesPerReplica, kv_len: 4096, step_ms: r.stepNs / 1e6, tokens_per_s_per_npu: r.tokensPerSPerNpu };
        refRows.push(["decode", `${r.sequencesPerReplica}/replica, KV 4096`, f(r.stepNs / 1e6), f(r.tokensPerSPerNpu, 0), f((m.stages as Record<string, Record<string, number>>).decode?.decode_tokens_per_s_per_npu_busy, 0), t1 ? T1.decode : "—"]);
      }
    }
    const metrics: Record<string, JsonValue> = { ...m, step_model_reference: reference };

    const tables: SummaryTable[] = [];

    tables.push({
      title: `serving · ${s.model.label} ${s.precision} · ${instanceList(base.labels)} · ${m.npus} NPUs`,
      head: ["requests (arrived / done / rejected / unfinished)", "TTFT p50 / p99 (ms)", "TPOT p50 / p99 (ms)", "E2E p50 (ms)", "SLO attainment", "goodput (req/s)", "tokens/s/NPU (in / out)", "prefix hit (HBM / pool)"],
      rows: [
        [
          `${m.requests_arrived} / ${m.requests_completed} / ${m.requests_rejected} / ${m.requests_unfinished}`,
          `${pct(m, "ttft_ms", "p50")} / ${pct(m, "ttft_ms", "p99")}`,
          `${pct(m, "tpot_ms", "p50", 2)} / ${pct(m, "tpot_ms", "p99", 2)}`,
          pct(m, "e2e_ms", "p50", 0),
          `${f(100 * (m.slo_attainment as number))} %`,
          f(m.goodput_requests_per_s, 2),
          `${f(sub(m, "tokens_per_s_per_npu", "input"), 0)} / ${f(sub(m, "tokens_per_s_per_npu", "output"), 0)}`,
          `${f(100 * sub(m, "prefix_hit_ratio", "overall"))} % (${f(100 * sub(m, "prefix_hit_ratio", "hbm"))} / ${f(100 * sub(m, "prefix_hit_ratio", "pool"))})`,
        ],
      ],
    });
    if (refRows.length > 0) {
      tables.push({
        title: t1
          ? "per-stage tokens/s per NPU: step model at the fixed T1 shape, served while busy in this run, and the CM384 paper (targets.md T1)"
          : "per-stage tokens/s per NPU: step model at a fixed reference shape and served while busy in this run (no published target for this model)",
        head: ["stage", "shape", "step (ms)", "step model tokens/s/NPU", "served while busy tokens/s/NPU", "T1 target"],
        rows: refRows,
      });
    }
    const instanceRows = m.instances as Record<string, number | string>[];
    tables.push({
      // the JSON lists every instance; the table the first MAX_INSTANCE_ROWS, and says so when it cuts
      title: instanceRows.length > MAX_INSTANCE_ROWS ? `instances (first ${MAX_INSTANCE_ROWS} of ${instanceRows.length}; all in --json)` : "instances",
      head: ["instance", "role", "NPUs", "utilisation", "steps", "prompt tokens", "output tokens", "peak queue", "peak batch"],
      rows: instanceRows.slice(0, MAX_INSTANCE_ROWS).map((x) => [x.name!, x.role!, x.npus!, `${f(100 * (x.utilisation as number))} %`, x.steps!, x.prompt_tokens!, f(x.output_tokens, 0), x.peak_queue!, x.peak_batch!]),
    });
    const notes: string[] = [
      "step costs from the inference step model (buildPhase + runPhase), memoised: prefill α + Σ(βL + γL²) fitted on 3 step-model runs per regime (one prompt; several, micro-batched), decode on a grid of sequences per replica with a KV slope",
    ];
    if (others.length > 0) {
      const all = [base, ...others];
      const row = (v: VariantRun): Record<string, JsonValue> => ({
        name: v.name,
        requests_completed: v.metrics.requests_completed!,
        requests_per_s: v.metrics.requests_per_s!,
        output_tokens_per_s: v.metrics.output_tokens_per_s!,
        ttft_p50_ms: sub(v.metrics, "ttft_ms", "p50"),
        ttft_p99_ms: sub(v.metrics, "ttft_ms", "p99"),
        ttft_slo_attainment: sub(v.metrics, "ttft_ms", "slo_attainment"),
        slo_attainment: v.metrics.slo_attainment!,
        tpot_p50_ms: sub(v.metrics, "tpot_ms", "p50"),
        e2e_p50_ms: sub(v.metrics, "e2e_ms", "p50"),
        kv_transfer_mean_ms: sub(v.metrics, "kv_transfer_ms", "mean"),
        forwards: v.metrics.forwards!,
        role_switches: v.metrics.role_switches!,
      });
      const rows = all.map(row);
      metrics.compare = rows;
      const b = rows[0]!;
      const ratio = (a: number, c: number): string => (c > 0 ? `${(a / c).toFixed(2)}×` : "—");
      // a compare row keeps 0 for a latency no request of that variant sampled (its own summary has count 0):
      // "—" there, as in the main table, not a 0 that reads as a measurement
      const sampled = (i: number, k: string): boolean => sub(all[i]!.metrics, k, "count") > 0;
      const ms = (i: number, k: string, x: JsonValue, d: number): string => (sampled(i, k) ? f(x, d) : "—");
      tables.push({
        title: "variants on the same arrivals (base = this config); gains of the base over each variant",
        head: ["variant", "done", "req/s", "out tok/s", "TTFT p50 / p99 (ms)", "TTFT SLO", "SLO", "TPOT p50 (ms)", "KV transfer (ms)", "base req/s ÷ this", "base KV time ÷ this"],
        rows: rows.map((r, i) => [
          String(r.name),
          r.requests_completed as number,
          f(r.requests_per_s, 2),
          f(r.output_tokens_per_s, 0),
          `${ms(i, "ttft_ms", r.ttft_p50_ms!, 0)} / ${ms(i, "ttft_ms", r.ttft_p99_ms!, 0)}`,
          `${f(100 * (r.ttft_slo_attainment as number))} %`,
          `${f(100 * (r.slo_attainment as number))} %`,
          ms(i, "tpot_ms", r.tpot_p50_ms!, 2),
          ms(i, "kv_transfer_ms", r.kv_transfer_mean_ms!, 2),
          ratio(b.requests_per_s as number, r.requests_per_s as number),
          sampled(0, "kv_transfer_ms") && sampled(i, "kv_transfer_ms") ? ratio(b.kv_transfer_mean_ms as number, r.kv_transfer_mean_ms as number) : "—",
        ]),
      });
    }
    return { metrics, tables, notes, ...(base.records !== undefined ? { records: base.records } : {}) };
  },
});
