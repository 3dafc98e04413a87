import type { StrategyName } from "./schema.js";

/*
 * The costs of a scaling operation as named components. Where there is physics the component is priced
 * from bytes: weights to new dies over UB by HCCL P2P (on the run's network model, elastic-sim.ts) or
 * from storage at a per-die read rate. The rest are constants from memory of the ElasticMoE paper's
 * latency breakdown (unverified). Each constant is one component that several T3 rows and strategies
 * share (the T3 ablation is cumulative, so a component removed in row k is paid in every row after k,
 * and every baseline strategy pays the cold-start components): see docs/elastic.md. Since each T3 row
 * difference is one component's value, those rows reproduce by construction: `validate` marks them
 * fitted (T3_FITTED in src/validate/targets.ts).
 */

/**
 * Python worker start, torch_npu import and engine construction of a fresh instance, ns. From memory of
 * the ElasticMoE paper's breakdown, unverified. Paid when the standby is not pre-initialised (T3 rows
 * −pre-init and −zero-copy) and by every baseline strategy.
 */
export const PROCESS_START_NS = 15e9;
/**
 * Graph compilation (torchair / ACL graph capture of the decode shapes) of a fresh instance, ns. From
 * memory of the ElasticMoE paper, unverified. Shared as PROCESS_START_NS.
 */
export const GRAPH_COMPILE_NS = 33e9;
/**
 * HCCL communicator setup of a fresh instance (rank table exchange, link set-up for the TP/DP/EP
 * groups), ns. From memory of the ElasticMoE paper, unverified. Shared as PROCESS_START_NS.
 */
export const HCCL_INIT_NS = 4.4e9;
/**
 * Device context creation (aclInit / aclrtSetDevice, stream and event pools), ns. From memory of the
 * ElasticMoE paper, unverified. Device contexts belong to a process: they are created on dies that join
 * (a CPU-side standby cannot create them before the dies are assigned) and, after any process start, on
 * every die the new process runs on — a restarted process on the same dies initialises them again (on
 * Ascend aclInit / aclrtSetDevice run per process; the old contexts die with the old process). So: every
 * scale-up that adds dies (all T3 scale-up rows), and every scaling that starts a fresh process (cold
 * restart up or down, ElasticMoE without zero-copy or without the pre-initialised standby, every
 * baseline that starts an instance). Not paid by an ElasticMoE scale-down with zero-copy and pre-init
 * (T3 scale-down row: the running workers on the remaining dies keep their contexts), nor by a
 * horizontal scale-down (nothing is started).
 */
export const DEVICE_INIT_NS = 1.0e9;
/**
 * Graph load and warm-up steps of the new configuration before it takes traffic, ns. From memory of the
 * ElasticMoE paper, unverified. Paid by every scaling of every strategy (all T3 rows, scale-down too).
 */
export const WARMUP_NS = 1.2e9;
/**
 * Mapping the HBM manager's weight and KV pools into the new instance with Ascend IPC handles, ns. From
 * memory of the ElasticMoE paper, unverified. T3 full row and the ElasticMoE scale-down.
 */
export const IPC_ALLOC_NS = 0.15e9;
/**
 * Allocating and registering the pools without IPC (aclrtMalloc of fresh pools, page-table set-up), ns.
 * From memory of the ElasticMoE paper, unverified. T3 rows −IPC, −P2P, −pre-init, −zero-copy and
 * every baseline strategy.
 */
export const PLAIN_ALLOC_NS = 0.86e9;
/**
 * Tear-down of a running instance before a cold restart (drain the step, destroy communicators, free
 * HBM, reap workers), ns. From memory of the ElasticMoE paper, unverified. T3 −zero-copy row and every
 * cold-restart scaling (up and down).
 */
export const PROCESS_STOP_NS = 4.6e9;
/**
 * Weight read rate of one worker from storage (safetensors from local or shared disk into HBM), B/s per
 * die; dies read their shards in parallel. From memory of vLLM-Ascend load times (~1–1.5 GB/s per
 * worker), unverified. T3 rows −P2P, −pre-init, −zero-copy and every baseline strategy.
 */
export const STORAGE_READ_BYTES_PER_S = 1.2e9;

/** One named part of a scaling operation, in execution order. */
export interface CostComponent {
  readonly name: string;
  /** Duration, ns (for `weights_p2p`: priced on the network model at run time, 0 here). */
  readonly ns: number;
}

/** Which mechanisms of ElasticMoE are on. */
export interface Mechanisms {
  readonly zero_copy: boolean;
  readonly p2p_weights: boolean;
  readonly preinit: boolean;
  readonly ipc_alloc: boolean;
}

/** How serving continues while a scaling is in progress. */
export type DuringMode = "old" | "none" | "old_reduced_kv";

/** The plan of one scaling: its components, how serving continues, where the new instance runs. */
export interface ScalingPlan {
  /** Components in order; `weights_p2p` is priced on the network. */
  readonly components: readonly CostComponent[];
  /** Serving during the scaling: the old instance, nothing (downtime), or the old one with less KV. */
  readonly during: DuringMode;
  /** The new instance is a replica added beside the old one (horizontal) instead of replacing it. */
  readonly addReplica: boolean;
  /** The new instance runs on a fresh set of dies (extravagant) instead of the old ones plus new ones. */
  readonly freshDies: boolean;
  /** Running requests keep their KV across the switch (zero-copy); otherwise they are requeued or dropped. */
  readonly keepsKv: boolean;
}

/**
 * Weight bytes the most loaded die of a new layout must receive (by P2P or from storage), B. A die that
 * keeps its weights resident across the switch (`resident`: ElasticMoE with zero-copy, where the HBM
 * manager keeps the old shard mapped) needs only what it lacks, `newPerDie − oldPerDie` (a scale-down:
 * the experts of the removed dies); a die that joins (scale-up) or a fresh instance needs its whole shard.
 */
export function weightsToLoadPerDie(resident: boolean, addsDies: boolean, newPerDie: number, oldPerDie: number): number {
  if (!resident || addsDies) return newPerDie;
  return Math.max(0, newPerDie - oldPerDie);
}

/** The cold-start components a fresh instance pays (no standby), ns. */
function coldStart(): CostComponent[] {
  return [
    { name: "process_start", ns: PROCESS_START_NS },
    { name: "graph_compile", ns: GRAPH_COMPILE_NS },
    { name: "hccl_init", ns: HCCL_INIT_NS },
  ];
}

/**
 * The plan of scaling with `strategy` (mechanisms apply to `elastic`); `addsDies` = scale-up onto dies not
 * yet in use. `storageBytesPerDie` is what the most loaded die must read when the weights come from
 * storage, B: its whole shard for a fresh instance, only the missing experts when the die keeps its
 * weights resident (ElasticMoE scale-down with zero-copy: `weightsToLoadPerDie`).
 */
export function scalingPlan(strategy: StrategyName, m: Mechanisms, addsDies: boolean, storageBytesPerDie: number): ScalingPlan {
  const storage: CostComponent = { name: "weights_storage", ns: Math.round((storageBytesPerDie / STORAGE_READ_BYTES_PER_S) * 1e9) };
  // device contexts are per process: created on dies that join, and on every die of a freshly started process
  const dev = (freshProcess: boolean): CostComponent[] => (addsDies || freshProcess ? [{ name: "device_init", ns: DEVICE_INIT_NS }] : []);
  const tail: CostComponent[] = [{ name: "alloc_plain", ns: PLAIN_ALLOC_NS }, { name: "warmup", ns: WARMUP_NS }];
  if (strategy === "cold_restart" || (strategy === "elastic" && !m.zero_copy)) {
    // one plan for both cold restarts (the baseline and ElasticMoE without zero-copy), up and down
    return {
      components: [{ name: "process_stop", ns: PROCESS_STOP_NS }, ...coldStart(), ...dev(true), storage, ...tail],
      during: "none",
      addReplica: false,
      freshDies: false,
      keepsKv: false,
    };
  }
  if (strategy === "elastic") {
    return {
      components: [
        ...(m.preinit ? [] : coldStart()),
        ...dev(!m.preinit),
        m.p2p_weights ? { name: "weights_p2p", ns: 0 } : storage,
        m.ipc_alloc ? { name: "alloc_ipc", ns: IPC_ALLOC_NS } : { name: "alloc_plain", ns: PLAIN_ALLOC_NS },
        { name: "warmup", ns: WARMUP_NS },
      ],
      during: "old",
      addReplica: false,
      freshDies: false,
      keepsKv: true,
    };
  }
  if (strategy === "horizontal" && !addsDies) {
    // removing a replica starts nothing: it stops taking requests, drains its running sequences and
    // releases its dies (the tear-down runs after the release, off the critical path)
    return { components: [], during: "old", addReplica: false, freshDies: false, keepsKv: false };
  }
  // baselines start a fresh instance from storage while the old one serves
  return {
    components: [...coldStart(), ...dev(true), storage, ...tail],
    during: strategy === "colocated" ? "old_reduced_kv" : "old",
    addReplica: strategy === "horizontal",
    freshDies: strategy === "extravagant",
    keepsKv: false,
  };
}
