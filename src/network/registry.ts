import { AnalyticalNetwork } from "./analytical.js";
import type { NetworkModelFactory } from "./network-model.js";

/** Network models by name (`network.model`). */
export const NETWORK_MODELS: Record<string, { description: string; create: NetworkModelFactory }> = {
  analytical: {
    description: "α–β per transfer group: max route latency + most loaded link's bytes / bandwidth; congestion-unaware",
    create: (sim, topo) => new AnalyticalNetwork(sim, topo),
  },
};
