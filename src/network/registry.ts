import { AnalyticalNetwork } from "./analytical.js";
import { FlowNetwork } from "./flow.js";
import type { NetworkModelFactory } from "./network-model.js";

/** Network models by name (`network.model`). */
export const NETWORK_MODELS: Record<string, { description: string; create: NetworkModelFactory }> = {
  analytical: {
    description: "α–β per transfer group: max route latency + most loaded link's bytes / bandwidth; congestion-unaware",
    create: (sim, topo) => new AnalyticalNetwork(sim, topo),
  },
  flow: {
    description: "max-min fair sharing of link bandwidth among concurrent flows (SimGrid CM02-exact); congestion-aware",
    create: (sim, topo, opts) => new FlowNetwork(sim, topo, opts?.flowResolutionNs ?? 0),
  },
};
