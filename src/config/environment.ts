import type { Simulator } from "../engine/index.js";
import type { NetworkModel } from "../network/network-model.js";
import { NETWORK_MODELS } from "../network/registry.js";
import { CLUSTER_TYPES } from "../topology/registry.js";
import type { Topology } from "../topology/topology.js";
import type { Quantity } from "./quantity.js";

/** The resolved `network:` section. */
export interface NetworkConfig {
  /** Network model name (`analytical`, `flow`). */
  readonly model: string;
  /** Fixed software cost of each collective step (HCCL notify/sync), ns. */
  readonly collective_step_overhead: Quantity;
  /** Flow model: events within this of each other are processed together (absent or 0 = exact), ns. */
  readonly flow_resolution?: Quantity;
}

/** The resolved `cluster:` section: its type, the preset it came from, and its parameters. */
export interface ClusterConfig {
  readonly type: string;
  /** Preset name, or "inline". */
  readonly name: string;
  /** Parameters as parsed by the cluster type's schema. */
  readonly spec: Record<string, unknown>;
}

/**
 * The machine a workload runs on: cluster and network, resolved from the config. Builds the
 * topology once, on first use (op-level workloads never need it).
 */
export class ResolvedEnvironment {
  private topo: Topology | undefined;

  constructor(
    readonly seed: number,
    /** The cluster; absent for workloads that carry their own hardware (op-bench, flows). */
    readonly cluster: ClusterConfig | undefined,
    readonly network: NetworkConfig,
    /** Folder of the config file; relative paths in the config resolve against it. */
    readonly configDir: string = process.cwd(),
  ) {}

  /** The cluster graph (built on first call). */
  topology(): Topology {
    if (this.topo === undefined) {
      if (this.cluster === undefined) throw new Error("this scenario has no cluster: add `cluster:` to the config");
      const type = CLUSTER_TYPES[this.cluster.type];
      if (type === undefined) throw new Error(`unknown cluster type ${this.cluster.type}`);
      this.topo = type.build(this.cluster.spec, this.cluster.name);
    }
    return this.topo;
  }

  /**
   * The chip preset of every rank (a rank is one die: a 910C supernode has two per NPU): the cluster's
   * `chip` key, which every cluster type carries with its default (910C on a supernode, 910B3 on A2
   * servers, RoCE and inline clusters).
   */
  chipName(): string {
    const chip = this.cluster?.spec.chip;
    if (typeof chip !== "string") throw new Error(`cluster ${this.cluster?.name ?? "(none)"} names no chip`);
    return chip;
  }

  /** The same machine with another network model (the cluster graph is shared, not rebuilt). */
  withNetworkModel(model: string): ResolvedEnvironment {
    if (model === this.network.model) return this;
    const env = new ResolvedEnvironment(this.seed, this.cluster, { ...this.network, model }, this.configDir);
    env.topo = this.topo;
    return env;
  }

  /** A fresh network model of the configured kind on `sim`. */
  networkModel(sim: Simulator): NetworkModel {
    const m = NETWORK_MODELS[this.network.model];
    if (m === undefined) throw new Error(`unknown network model ${this.network.model}`);
    return m.create(sim, this.topology(), { flowResolutionNs: this.network.flow_resolution?.value ?? 0 });
  }
}
