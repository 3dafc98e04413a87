import type { ResolvedEnvironment } from "../../config/environment.js";
import { keyPath } from "../../config/document.js";
import { InputError } from "../../config/errors.js";
import type { ResolvedModel } from "../../config/model-field.js";
import { Hooks, Simulator } from "../../engine/index.js";
import { moeLayerCount, type ModelArchitecture } from "../../model/architecture.js";
import { kvCacheShareOnRank } from "../../model/kv-cache.js";
import { ACTIVATION_BYTES } from "../../model/ops/op-input.js";
import type { WeightPrecision } from "../../model/precision.js";
import { weightBytesByComponent } from "../../model/weight-bytes.js";
import type { SimEvents } from "../../trace/span.js";
import { heapTooSmall, MAX_RUN_REQUESTS, pastEngineClock, ticksTooMany, timelineTooLong, tooLarge } from "../serving/run-size.js";
import { meetsSlo } from "../serving/request.js";
import { servingCoreSchema, type InstanceGroupConfig } from "../serving/schema.js";
import { ACTIVATION_RESERVE_FRACTION, DecodeCost, groupPhase, StepCostCache, type StepModelContext } from "../serving/step-cost.js";
import { clusterChip } from "../inference-bench/phase-model.js";
import { checkVariants, parseVariants, type Variant } from "../compare-variants.js";
import { defineWorkload, type JsonValue, type RuleViolation, type SummaryTable } from "../workload.js";
import { configBytesPerDie, kvPoolBesideTokens, simulateElastic, type ElasticOutcome, type LayoutCost, type LayoutMemory } from "./elastic-sim.js";
import { elasticArrivals } from "./load.js";
import { elasticCoreSchema, elasticSchema, elasticSections, scheduledEvents, type ElasticConfig, type ElasticCore } from "./schema.js";

/*
 * Workload `elastic`: a colocated MoE serving deployment on a supernode that scales DP/EP at fixed TP
 * under a time-varying load, with ElasticMoE or a baseline strategy (docs/elastic.md, targets.md T3).
 */

type Sections = { model: ResolvedModel; precision: WeightPrecision };

/**
 * T3 published rows (targets.md): scale-up s, downtime s, peak memory GB, by the mechanisms an ElasticMoE
 * run has off — the ablation is cumulative (IPC, then P2P, pre-init, zero-copy), keyed "zero_copy
 * p2p_weights preinit ipc_alloc" as 1/0.
 */
const T3_ROWS: Record<string, [number, number, number]> = {
  "1111": [2.43, 0, 275.2],
  "1110": [3.14, 0, 290.0],
  "1010": [10.42, 0, 290.0],
  "1000": [62.78, 0, 290.0],
  "0000": [67.4, 67.4, 290.0],
};

/** The T3 row a variant reproduces (ElasticMoE with one of the ablation's mechanism sets), if any. */
function t3RowOf(cfg: ElasticCore): [number, number, number] | undefined {
  if (cfg.strategy !== "elastic") return undefined;
  const m = cfg.mechanisms;
  return T3_ROWS[[m.zero_copy, m.p2p_weights, m.preinit, m.ipc_alloc].map((b) => (b ? "1" : "0")).join("")];
}

/** The base variant's name: its strategy, `full` for ElasticMoE with every mechanism on. */
function baseName(cfg: ElasticCore): string {
  const m = cfg.mechanisms;
  return cfg.strategy === "elastic" && m.zero_copy && m.p2p_weights && m.preinit && m.ipc_alloc ? "full" : cfg.strategy;
}

function variantsOf(cfg: ElasticConfig): Variant<ElasticCore>[] | RuleViolation[] {
  const { compare, ...base } = cfg;
  const name = baseName(base);
  return parseVariants<ElasticCore>(base, compare, elasticCoreSchema, name, `the base row (this config, named after its strategy${name === "full" ? ": full for ElasticMoE with every mechanism on" : ""})`);
}

/** The colocated instance group of a layout (dp at the config's tp, EP = dp × tp) on NPUs of `ranksPerNpu` dies. */
function groupOf(cfg: ElasticCore, dp: number, routed: number, ranksPerNpu: number): InstanceGroupConfig {
  const dies = dp * cfg.tp;
  // EP that does not divide the experts pads the slots with redundant copies (as EPLB would place them)
  const redundant = (dies - (routed % dies)) % dies;
  return servingCoreSchema.parse({
    kind: "serving",
    instances: [
      {
        role: "colocated",
        deployment: { npus: Math.max(1, Math.ceil(dies / ranksPerNpu)), attention: { dp, tp: cfg.tp }, experts: { ep: dies, tp: 1 }, redundant_experts: redundant },
        token_budget: cfg.token_budget,
        max_batch_per_npu: cfg.max_batch_per_npu,
        decode: { mtp: cfg.mtp },
      },
    ],
  }).instances[0]!;
}

/**
 * Expert all-to-all bytes one token sends in a step, B: in every MoE layer (and the MTP layers' MoE when
 * MTP is on) it is dispatched to its top-k experts and combined back, a BF16 hidden vector (2 B per
 * element) each way: layers × 2 × top-k × hidden × 2 B.
 */
export function expertA2aBytesPerToken(arch: ModelArchitecture, mtp: boolean): number {
  const moeLayers = moeLayerCount(arch) + (mtp && moeLayerCount(arch) > 0 ? arch.mtp_layers : 0);
  return moeLayers * 2 * (arch.moe?.top_k ?? 1) * arch.hidden_size * ACTIVATION_BYTES;
}

/**
 * The HBM sizes of a layout as serving's KV sizing sees its busiest die (inference-bench memory.ts):
 * non-expert weights over attention TP + the die's expert slots, MoE comm buffers, and the KV of its share
 * of the KV heads (MLA: the whole latent, replicated over TP). The config check and the run read these.
 */
function layoutMemoryOf(d: DecodeCost, arch: ModelArchitecture, tp: number): LayoutMemory {
  return {
    weightBytesPerDie: d.hbm.weights,
    buffersBytesPerDie: d.hbm.buffers,
    hbmBytesPerDie: d.hbm.capacity,
    kvBytesPerTokenPerDie: d.kvBytesPerToken * kvCacheShareOnRank(arch, tp),
    kvTokensPerReplica: d.kvTokensPerReplica,
  };
}

function layoutCosts(cfg: ElasticCore, s: Sections, costs: StepCostCache, ctx: StepModelContext): (dp: number) => LayoutCost {
  const arch = s.model.arch;
  const a2a = expertA2aBytesPerToken(arch, cfg.mtp.layers > 0);
  const routed = arch.moe?.routed_experts ?? 0;
  // one routed expert over every MoE layer (and the MTP layers' when MTP is on), as memory.ts counts a slot
  const expertBytes = routed > 0 ? weightBytesByComponent(arch, s.precision, { includeMtp: cfg.mtp.layers > 0 }).routed_experts / routed : 0;
  const { ranksPerNpu } = clusterChip(ctx.env);
  const memo = new Map<number, LayoutCost>();
  return (dp) => {
    const known = memo.get(dp);
    if (known !== undefined) return known;
    const g = groupOf(cfg, dp, arch.moe?.routed_experts ?? 1, ranksPerNpu);
    const dies = dp * cfg.tp;
    // every dp was checked to resolve (checkCore)
    const decode = costs.decodeOf(g);
    const mem = layoutMemoryOf(decode, arch, cfg.tp);
    // EP = dies, expert TP 1: each die holds (routed + redundant) / EP slots
    const slots = routed > 0 ? (routed + g.deployment.redundant_experts) / dies : 0;
    const l: LayoutCost = {
      ...mem,
      dp,
      dies,
      npus: decode.npus,
      prefill: costs.prefillOf(g),
      decode,
      a2aBytesPerToken: a2a,
      routedExperts: routed,
      expertSlotsPerDie: slots,
      expertBytes,
      nonExpertBytesPerDie: Math.max(0, mem.weightBytesPerDie - slots * expertBytes),
    };
    memo.set(dp, l);
    return l;
  };
}

function checkCore(cfg: ElasticCore, env: ResolvedEnvironment, s: Sections, at: (string | number)[]): RuleViolation[] {
  const v: RuleViolation[] = [];
  const ctx: StepModelContext = { model: s.model, precision: s.precision, env };
  // each layout the run can reach, with the knob that asks for it (a horizontal replica: the DP it adds)
  const knobOf = new Map<number, (string | number)[]>();
  const want = (dp: number, path: (string | number)[]): void => void (knobOf.has(dp) || knobOf.set(dp, path));
  want(cfg.from.dp, ["from", "dp"]);
  want(cfg.to.dp, ["to", "dp"]);
  // (under the SLO coordinator the events are not used, nor checked)
  if (cfg.scaling.policy === "scheduled") cfg.scaling.events.forEach((e, i) => want(e.dp, ["scaling", "events", i, "dp"]));
  if (cfg.strategy === "horizontal") for (const [d, path] of [...knobOf]) if (d > cfg.from.dp) want(d - cfg.from.dp, path);
  const { chip, ranksPerNpu } = clusterChip(env);
  // a message every layout shares (tp against the model's heads) is the tp's, reported once
  const perLayout: { dp: number; path: (string | number)[]; message: string }[] = [];
  let checked = 0;
  // the decode costs of the layouts that resolve (KV pool per replica, HBM per die), by dp
  const decodeOf = new Map<number, DecodeCost>();
  for (const [dp, path] of knobOf) {
    if ((dp * cfg.tp) % ranksPerNpu !== 0) {
      v.push({ path: [...at, ...path], message: `dp ${dp} × tp ${cfg.tp} = ${dp * cfg.tp} dies do not fill whole ${chip} NPUs of ${ranksPerNpu} dies: expected a multiple of ${ranksPerNpu}` });
      continue;
    }
    checked++;
    const g = groupOf(cfg, dp, s.model.arch.moe?.routed_experts ?? 1, ranksPerNpu);
    const pm = groupPhase(g, "decode", ctx);
    if (!Array.isArray(pm)) {
      decodeOf.set(dp, new DecodeCost(g, ctx));
      continue;
    }
    for (const iss of pm) {
      // a knob of the phase (workload.decode.mtp.layers of the group elastic builds) is the section's own key
      const key = iss.path.filter((p) => p !== "workload" && p !== "decode");
      if (key[0] === "mtp") {
        if (!v.some((x) => x.message === iss.message && x.path.join(".") === [...at, ...key].join("."))) v.push({ path: [...at, ...key], message: iss.message });
      }
      else perLayout.push({ dp, path, message: iss.message });
    }
  }
  const shared = new Set<string>();
  for (const x of perLayout) {
    const everyLayout = checked > 1 && perLayout.filter((y) => y.message === x.message).length === checked;
    if (!everyLayout) v.push({ path: [...at, ...x.path], message: `dp ${x.dp}: ${x.message}` });
    else if (!shared.has(x.message)) {
      shared.add(x.message);
      v.push({ path: [...at, "tp"], message: x.message });
    }
  }
  let prev = 0;
  cfg.load.phases.forEach((p, i) => {
    if (p.until_s <= prev) v.push({ path: [...at, "load", "phases", i, "until_s"], message: `expected an end after the previous phase's ${prev} s (phases are in time order and each lasts more than 0 s), got ${p.until_s} s` });
    prev = p.until_s;
  });
  // expected arrivals: the offline batch plus each phase's mean rate over its span (within duration_s)
  let expected = cfg.load.offline_batch;
  let from = 0;
  for (const p of cfg.load.phases) {
    const to = Math.min(p.until_s, cfg.duration_s);
    if (to > from) expected += ((p.rate_per_s + (p.rate_end_per_s ?? p.rate_per_s)) / 2) * (to - from);
    from = Math.max(from, p.until_s);
  }
  if (expected > MAX_RUN_REQUESTS) v.push({ path: [...at, "load", "phases"], message: tooLarge("the load's requests", expected, MAX_RUN_REQUESTS, "lower the rates, workload.duration_s or the offline batch") });
  else {
    // elastic requests carry no prefix blocks; the variants' runs are all held until the summary (keptRecords, conservative)
    const heap = heapTooSmall({ requests: expected, blocks: 0, cacheTiers: 0, keptRecords: true }, "the load's requests", "lower the rates, workload.duration_s or the offline batch");
    if (heap !== undefined) v.push({ path: [...at, "load", "phases"], message: heap });
  }
  const long = timelineTooLong(cfg.duration_s + cfg.drain_s, cfg.timeline_window_s, "duration_s + drain_s");
  if (long !== undefined) v.push({ path: [...at, "timeline_window_s"], message: long });
  // the largest layout, at the knob that asks for it; one that does not fit alone was reported above
  const largest = Math.max(...knobOf.keys());
  const need = largest * cfg.tp * (cfg.strategy === "extravagant" ? 2 : 1);
  if (need > env.topology().ranks && !v.some((x) => x.path.join(".") === [...at, ...knobOf.get(largest)!].join("."))) {
    const why = cfg.strategy === "extravagant" ? ` (extravagant scaling holds the old and the new instance at once: 2 × dp ${largest} × tp ${cfg.tp})` : ` (dp ${largest} × tp ${cfg.tp})`;
    v.push({ path: [...at, ...knobOf.get(largest)!], message: `expected a layout that fits the cluster's ${env.topology().ranks} dies, got one that needs ${need}${why}` });
  }
  v.push(...eventProblems(cfg, at), ...timeProblems(cfg, at), ...requestFitProblems(cfg, decodeOf, at));
  if (cfg.strategy === "colocated" && decodeOf.size === knobOf.size) v.push(...colocatedKvProblems(cfg, s, decodeOf, at));
  return v;
}

/**
 * Scheduled events in time order: two at one time leave the order of the scalings to the list's order,
 * and an event to the DP the deployment already has would scale nothing (the run skipped it). An event
 * due while a scaling is in progress starts when that one ends (elastic-sim.ts).
 */
function eventProblems(cfg: ElasticCore, at: (string | number)[]): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (cfg.scaling.policy !== "scheduled") return v;
  const events = cfg.scaling.events;
  const order = events.map((_, i) => i).sort((a, b) => events[a]!.at_s - events[b]!.at_s || a - b);
  let cur = cfg.from.dp;
  let curFrom = "from.dp";
  order.forEach((i, k) => {
    const e = events[i]!;
    const before = k > 0 ? order[k - 1]! : undefined;
    if (before !== undefined && events[before]!.at_s === e.at_s) {
      v.push({ path: [...at, "scaling", "events", i, "at_s"], message: `expected events at distinct times, got at_s ${e.at_s} s here and at scaling.events.${before}: give each scaling its own time` });
    } else if (e.dp === cur) {
      v.push({ path: [...at, "scaling", "events", i, "dp"], message: `expected a dp other than the deployment's at ${e.at_s} s (${cur}, ${curFrom}), got ${e.dp}: the event would scale nothing` });
    }
    cur = e.dp;
    curFrom = `scaling.events.${i}`;
  });
  return v;
}

/**
 * Time knobs that add up past the engine clock (each alone is bounded in the schema): the run lasts to
 * the later of duration_s and the last scheduled event, plus drain_s, and a periodic tick (timeline
 * window, SLO decision) may be scheduled one period past that. And SLO decisions that would tick too often.
 */
function timeProblems(cfg: ElasticCore, at: (string | number)[]): RuleViolation[] {
  const v: RuleViolation[] = [];
  const lastEvent = cfg.scaling.policy === "scheduled" ? cfg.scaling.events.reduce<[number, number] | undefined>((a, e, i) => (a === undefined || e.at_s > a[0] ? [e.at_s, i] : a), undefined) : undefined;
  const first: [string, number] = lastEvent !== undefined && lastEvent[0] > cfg.duration_s ? [`scaling.events.${lastEvent[1]}.at_s`, lastEvent[0]] : ["duration_s", cfg.duration_s];
  const ticks: [string, number][] = [["timeline_window_s", cfg.timeline_window_s]];
  if (cfg.scaling.policy === "slo") ticks.push(["scaling.window_s", cfg.scaling.window_s]);
  const past = pastEngineClock([first, ["drain_s", cfg.drain_s]], ticks);
  if (past !== undefined) v.push({ path: [...at, ...keyPath(past.key)], message: past.message });
  const many = cfg.scaling.policy === "slo" ? ticksTooMany(first[1] + cfg.drain_s, cfg.scaling.window_s, `${first[0]} + drain_s`, "scaling.window_s") : undefined;
  if (many !== undefined) v.push({ path: [...at, "scaling", "window_s"], message: many });
  return v;
}

/**
 * Every request of the load has the same lengths: one that no layout the run reaches can serve is never
 * scheduled (the run would end with nothing completed). A prompt must fit the prefill token budget (elastic
 * has no chunked prefill, and the prefill cost fit is only measured up to the budget: a 1,024-token prompt
 * on a 1-token budget is extrapolated to 78 s) and a sequence (prompt + output) the KV pool of one
 * attention replica of every layout.
 */
function requestFitProblems(cfg: ElasticCore, decodeOf: ReadonlyMap<number, DecodeCost>, at: (string | number)[]): RuleViolation[] {
  const v: RuleViolation[] = [];
  const { input_tokens: input, output_tokens: output } = cfg.load;
  if (input > cfg.token_budget) {
    v.push({ path: [...at, "load", "input_tokens"], message: `expected a prompt of at most token_budget = ${cfg.token_budget} tokens (a prompt is prefilled whole in one batch on one replica), got ${input} tokens; raise workload.token_budget (at most 1048576 tokens) or shorten the prompt` });
    return v;
  }
  let small: [number, DecodeCost] | undefined;
  for (const [dp, d] of decodeOf) if (small === undefined || d.kvTokensPerReplica < small[1].kvTokensPerReplica) small = [dp, d];
  if (small !== undefined && input + output > small[1].kvTokensPerReplica) {
    v.push({
      path: [...at, "load", "input_tokens"],
      message: `expected a request (input_tokens + output_tokens = ${input} + ${output} = ${input + output} tokens) that fits the KV pool of one attention replica, got one that does not: dp ${small[0]} holds ${small[1].kvTokensPerReplica} tokens per replica; shorten the request`,
    });
  }
  return v;
}

/**
 * The colocated strategy loads the new copy on dies the serving copy keeps (colocated_kv_fraction of its
 * KV pool): the new copy's KV pool is what HBM is left (kvPoolBesideTokens, the function the run sizes it
 * with), and one attention replica of it must hold one request (a sequence lives on one replica). Along the
 * scalings the run makes — the scheduled events in time order, or from → to → from under the SLO
 * coordinator —, each new copy serving with the pool it got. A die holds at most these two copies (the run
 * starts a colocated scaling only once the copy before has retired). Under `slo` the coordinator may cycle
 * from ↔ to again; the first pools bound the rest: both directions leave K = usable − both layouts' weights and
 * buffers, so the pools alternate y₁ = K − f·x₀, x₁ = K − f·y₁, y₂ = K − f·x₁ … (token units, capped at
 * serving's sizing) and converge on K ÷ (1 + f) from x₀ (serving's pool, the largest) down and y₁ up: y₁ is
 * the smallest pool the to-layout ever gets and x₁ ≥ K ÷ (1 + f) ≥ y₁ the from-layout's.
 */
function colocatedKvProblems(cfg: ElasticCore, s: Sections, decodeOf: ReadonlyMap<number, DecodeCost>, at: (string | number)[]): RuleViolation[] {
  const steps = cfg.scaling.policy === "slo" ? [cfg.to.dp, cfg.from.dp] : scheduledEvents(cfg).map((e) => e.dp);
  const one = cfg.load.input_tokens + cfg.load.output_tokens;
  const gb = (b: number): string => (b / 1e9).toFixed(2);
  const mem = (dp: number): LayoutMemory => layoutMemoryOf(decodeOf.get(dp)!, s.model.arch, cfg.tp);
  let cur = cfg.from.dp;
  let kvTokens = mem(cur).kvTokensPerReplica;
  for (const to of steps) {
    if (to === cur) continue;
    const o = mem(cur);
    const n = mem(to);
    const pool = kvPoolBesideTokens(n, configBytesPerDie(o, kvTokens, cfg.colocated_kv_fraction));
    if (pool < one) {
      const usable = n.hbmBytesPerDie * (1 - ACTIVATION_RESERVE_FRACTION);
      const fixed = configBytesPerDie(o, 0) + configBytesPerDie(n, 0);
      const oldKvBytes = kvTokens * o.kvBytesPerTokenPerDie;
      const needBytes = one * n.kvBytesPerTokenPerDie;
      const most = (usable - fixed - needBytes) / oldKvBytes;
      const why = `a shared die has ${gb(usable)} GB of usable HBM, both copies' weights and buffers take ${gb(fixed)} GB, the serving copy's whole KV pool is ${gb(oldKvBytes)} GB and the new copy needs ${gb(needBytes)} GB for one request (${one} tokens on one attention replica)`;
      const message =
        most >= 0.05
          ? `expected at most ${Math.floor(most * 100) / 100} for the colocated scaling dp ${cur} → ${to}, got ${cfg.colocated_kv_fraction}: ${why}`
          : `no fraction leaves room for the colocated scaling dp ${cur} → ${to} (got ${cfg.colocated_kv_fraction}, the least allowed is 0.05): ${why}; use another strategy`;
      return [{ path: [...at, "colocated_kv_fraction"], message }];
    }
    kvTokens = pool;
    cur = to;
  }
  return [];
}

interface VariantRun {
  readonly name: string;
  readonly cfg: ElasticCore;
  readonly outcome: ElasticOutcome;
  readonly metrics: Record<string, JsonValue>;
}

/** Output tokens emitted before time `t` (ns), first tokens included, tokens. */
function tokensBefore(o: ElasticOutcome, t: number): number {
  const { t: at, cum } = o.emitted;
  let lo = 0;
  let hi = at.length; // the first index at or after t
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? cum[lo - 1]! : 0;
}

/**
 * Requests/s completed and output tokens/s emitted in [a, b), ns — tokens as serving counts them (each
 * token when it is emitted, a first token included whether or not its request finishes), not a completed
 * request's whole output at its completion.
 */
function rates(o: ElasticOutcome, a: number, b: number): { rps: number; tps: number } {
  if (!(b > a)) return { rps: 0, tps: 0 };
  let n = 0;
  for (const r of o.requests) if (r.state === "done" && r.lastTokenNs >= a && r.lastTokenNs < b) n++;
  return { rps: n / ((b - a) / 1e9), tps: (tokensBefore(o, b) - tokensBefore(o, a)) / ((b - a) / 1e9) };
}

/** The `--json` metrics of one elastic run (docs/elastic.md). */
export function elasticMetrics(cfg: ElasticCore, o: ElasticOutcome): Record<string, JsonValue> {
  const done = o.requests.filter((r) => r.state === "done");
  const met = done.filter((r) => meetsSlo(r, cfg.slo)).length;
  const arrived = o.requests.length;
  const rejected = o.rejected;
  const ups = o.scalings.filter((x) => x.kind === "up");
  const downs = o.scalings.filter((x) => x.kind === "down");
  const win = 10e9; // ns: 10 s windows before and after a scaling (a reporting choice)
  const scalings = o.scalings.map((x) => {
    const before = rates(o, Math.max(0, x.startNs - win), x.startNs);
    const during = rates(o, x.startNs, x.endNs);
    // over the part of the 10 s the run covered (a run cut by the drain limit ends earlier)
    const after = rates(o, x.endNs, Math.min(x.endNs + win, o.endNs));
    return {
      kind: x.kind,
      from_dp: x.fromDp,
      to_dp: x.toDp,
      start_s: x.startNs / 1e9,
      duration_s: (x.endNs - x.startNs) / 1e9,
      downtime_s: x.downtimeNs / 1e9,
      p2p_s: x.p2pNs / 1e9,
      p2p_bytes_per_die: x.p2pBytesPerDie,
      peak_memory_gb: x.peakMemoryBytes / 1e9,
      kv_pool_tokens_per_replica: x.newKvTokensPerReplica,
      components_s: Object.fromEntries(x.components.map((c) => [c.name, c.s])),
      running_at_switch: x.runningAtSwitch,
      requeued: x.requeued,
      dropped: x.dropped,
      throughput_rps_before: before.rps,
      throughput_rps_during: during.rps,
      throughput_rps_after: after.rps,
      tokens_per_s_before: before.tps,
      tokens_per_s_during: during.tps,
      tokens_per_s_after: after.tps,
    };
  });
  const first = scalings[0];
  return {
    strategy: cfg.strategy,
    mechanisms: { ...cfg.mechanisms },
    requests_arrived: arrived,
    requests_completed: done.length,
    requests_rejected: rejected,
    // counted where they are at the end, so arrived = completed + rejected + unfinished checks that none was lost
    requests_unfinished: o.unfinished,
    requests_requeued: o.requeued,
    reprefill_tokens: o.reprefillTokens,
    // of the arrived requests, as serving reports it: a dropped or unfinished request misses its SLOs (0 when
    // nothing arrived; the table shows — when nothing completed)
    slo_attainment: arrived > 0 ? met / arrived : 0,
    scale_up_s: ups.length > 0 ? (ups[0]!.endNs - ups[0]!.startNs) / 1e9 : null,
    scale_down_s: downs.length > 0 ? (downs[0]!.endNs - downs[0]!.startNs) / 1e9 : null,
    downtime_s: ups.length > 0 ? ups[0]!.downtimeNs / 1e9 : 0,
    downtime_total_s: o.scalings.reduce((a, x) => a + x.downtimeNs, 0) / 1e9,
    peak_memory_gb: o.scalings.reduce((a, x) => Math.max(a, x.peakMemoryBytes), 0) / 1e9,
    p2p_s: ups.length > 0 ? ups[0]!.p2pNs / 1e9 : null,
    throughput_rps_before: first?.throughput_rps_before ?? null,
    throughput_rps_during: first?.throughput_rps_during ?? null,
    throughput_rps_after: first?.throughput_rps_after ?? null,
    // billed from t = 0 until the last request completes (or is dropped), not the idle drain after it
    npu_seconds: o.npuSeconds,
    die_seconds: o.dieSeconds,
    billing_window_s: o.billedUntilNs / 1e9,
    scalings,
    timeline: o.timeline.map((w) => ({ ...w })),
    decisions: o.decisions.map((d) => ({ ...d })),
  };
}

const f = (x: unknown, d = 2): string => (typeof x === "number" ? x.toFixed(d) : "—");

/** Workload `elastic`. */
export const elasticWorkload = defineWorkload({
  kind: "elastic",
  description: "MoE serving that scales DP/EP at fixed TP under a varying load: ElasticMoE vs horizontal, cold restart, extravagant, colocated (targets.md T3)",
  schema: elasticSchema,
  sections: elasticSections,

  check(cfg, env, sections): RuleViolation[] {
    if (env.cluster === undefined) return [{ path: ["cluster"], message: "elastic needs a cluster: add `cluster:` to the config" }];
    const vs = variantsOf(cfg);
    if (vs.length > 0 && "message" in vs[0]!) return vs as RuleViolation[];
    return checkVariants(vs as Variant<ElasticCore>[], (c, at) => checkCore(c, env, sections as Sections, at));
  },

  run(cfg, ctx, sections) {
    const s = sections as Sections;
    const vs = variantsOf(cfg);
    if (vs.length > 0 && "message" in vs[0]!) throw new InputError((vs as RuleViolation[]).map((v) => ({ path: v.path.join("."), message: v.message })));
    const variants = vs as { name: string; cfg: ElasticCore }[];
    const onStepModel = ctx.hooks.has("phase") ? (what: string) => ctx.hooks.emit("phase", what) : undefined;
    const costs = new StepCostCache({ model: s.model, precision: s.precision, env: ctx.env, onStepModel });
    const runs: VariantRun[] = variants.map((v, i) => {
      const sim = i === 0 ? ctx.sim : new Simulator(ctx.env.seed);
      const hooks = i === 0 ? ctx.hooks : new Hooks<SimEvents>();
      const outcome = simulateElastic({
        cfg: v.cfg,
        arrivals: elasticArrivals(v.cfg, sim.rng),
        layoutOf: layoutCosts(v.cfg, s, costs, { model: s.model, precision: s.precision, env: ctx.env, onStepModel }),
        sim,
        hooks,
        net: ctx.env.networkModel(sim),
        observe: i === 0,
        ranksPerNpu: clusterChip(ctx.env).ranksPerNpu,
      });
      if (ctx.hooks.has("progress")) ctx.hooks.emit("progress", { done: i + 1, total: variants.length, unit: "variants" });
      return { name: v.name, cfg: v.cfg, outcome, metrics: elasticMetrics(v.cfg, outcome) };
    });
    const base = runs[0]!;
    const metrics: Record<string, JsonValue> = { ...base.metrics };
    const tables: SummaryTable[] = [];
    const rows = runs.map((r) => ({
      name: r.name,
      strategy: r.cfg.strategy,
      scale_up_s: r.metrics.scale_up_s!,
      scale_down_s: r.metrics.scale_down_s!,
      downtime_s: r.metrics.downtime_s!,
      peak_memory_gb: r.metrics.peak_memory_gb!,
      p2p_s: r.metrics.p2p_s!,
      slo_attainment: r.metrics.slo_attainment!,
      throughput_rps_during: r.metrics.throughput_rps_during!,
      npu_seconds: r.metrics.npu_seconds!,
      requests_completed: r.metrics.requests_completed!,
      requests_requeued: r.metrics.requests_requeued!,
      requests_rejected: r.metrics.requests_rejected!,
    }));
    if (runs.length > 1) metrics.compare = rows;
    const ups = rows.map((r) => r.scale_up_s).filter((x): x is number => typeof x === "number");
    const elasticRow = rows.find((r) => r.strategy === "elastic" && typeof r.scale_up_s === "number");
    const baselineUps = rows.filter((r) => r.strategy !== "elastic" && typeof r.scale_up_s === "number").map((r) => r.scale_up_s as number);
    if (elasticRow !== undefined && baselineUps.length > 0) metrics.elastic_vs_best_baseline = (elasticRow.scale_up_s as number) / Math.min(...baselineUps);
    // the DPs the base walks through: its scheduled events, or from ↔ to under the SLO coordinator
    const dpPath =
      cfg.scaling.policy === "slo" ? `DP${cfg.from.dp} ↔ DP${cfg.to.dp}` : [cfg.from.dp, ...scheduledEvents(cfg).map((e) => e.dp)].map((d) => `DP${d}`).join(" → ");
    // placeholders of the JSON that read as measurements: peak memory is 0 when the variant never scaled
    // (it is the HBM resident during a scaling), SLO attainment 0 when no request completed
    const scaled = runs.map((r) => (r.metrics.scalings as JsonValue[]).length > 0);
    tables.push({
      title: `elastic · ${s.model.label} ${s.precision} · TP${cfg.tp} ${dpPath}`,
      head: ["variant", "strategy", "scale-up (s)", "T3 (s)", "scale-down (s)", "downtime (s)", "T3 downtime (s)", "peak mem (GB)", "T3 peak (GB)", "P2P (s)", "SLO", "req/s during", "NPU·s", "done / requeued / rejected"],
      rows: rows.map((r, i) => {
        const t = t3RowOf(runs[i]!.cfg);
        const slo = (r.requests_completed as number) > 0 ? `${f(100 * (r.slo_attainment as number), 1)} %` : "—";
        // each published T3 cell in the format of the simulated column beside it
        return [r.name, r.strategy, f(r.scale_up_s), t ? f(t[0]) : "—", f(r.scale_down_s), f(r.downtime_s), t ? f(t[1]) : "—", scaled[i] ? f(r.peak_memory_gb, 1) : "—", t ? f(t[2], 1) : "—", f(r.p2p_s, 3), slo, f(r.throughput_rps_during), f(r.npu_seconds, 0), `${r.requests_completed} / ${r.requests_requeued} / ${r.requests_rejected}`];
      }),
    });
    const notes = [
      `scaling components: constants from memory of the ElasticMoE paper (unverified) shared across rows; P2P weights priced on the network model over ${ctx.env.topology().planes[0] === "ub" ? "UB" : "the cluster's default plane"}, storage loads at a per-die read rate (docs/elastic.md)`,
      ...(ups.length > 0 && metrics.elastic_vs_best_baseline !== undefined ? [`ElasticMoE scale-up ÷ best baseline: ${f(metrics.elastic_vs_best_baseline, 3)} (paper ≈ 0.11)`] : []),
    ];
    return { metrics, tables, notes };
  },
});
