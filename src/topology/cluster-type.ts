import type { z } from "zod";
import type { Topology } from "./topology.js";

/**
 * A family of clusters (one Atlas server, a RoCE Clos of servers, a CloudMatrix supernode, an
 * inline graph): the YAML schema of its parameters and the builder of its graph.
 */
export interface ClusterType<S extends z.ZodType = z.ZodType> {
  /** Value of `cluster.type`. */
  readonly type: string;
  readonly description: string;
  readonly schema: S;
  /** Builds the graph (pure: same spec, same topology). */
  build(spec: z.output<S>, name: string): Topology;
}

/** Identity helper that keeps the schema's type for `build`. */
export function defineClusterType<S extends z.ZodType>(t: ClusterType<S>): ClusterType<S> {
  return t;
}

/** A named cluster preset: a type plus parameter values (any omitted parameter takes its default). */
export interface ClusterPreset {
  readonly type: string;
  readonly description: string;
  readonly params: Readonly<Record<string, unknown>>;
}
