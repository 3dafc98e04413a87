import type { Simulator } from "../engine/index.js";
import type { Topology } from "../topology/topology.js";

/** Bytes to move from one rank to another. */
export interface Transfer {
  readonly src: number;
  readonly dst: number;
  /** Payload, bytes. */
  readonly bytes: number;
}

/**
 * Prices data movement on a topology. Every model answers the same call: start a group of
 * concurrent transfers at an exact (sub-ns) start time and report the exact time the last one
 * arrives. Events fire at the rounded instant; the exact value is carried so a chain of dependent
 * steps accumulates no rounding error.
 */
export interface NetworkModel {
  /** Registry name ("analytical", "flow"). */
  readonly name: string;
  readonly topology: Topology;
  /**
   * Starts `transfers` at `startNs` (exact, ns, ≥ sim.now − 1) on `plane`; calls `onDone(endNs)` (exact, ns)
   * at simulated time round(endNs) once all have arrived. An empty group finishes at `startNs`.
   */
  runGroup(
    transfers: readonly Transfer[],
    startNs: number,
    onDone: (endNs: number) => void,
    plane?: string,
  ): void;
}

/** Settings of the `network:` section a model may read. */
export interface NetworkModelOptions {
  /** Flow model: events closer than this are processed as one batch (0 = exact), ns. */
  readonly flowResolutionNs?: number;
}

/** Builds a network model bound to a simulator and topology. */
export type NetworkModelFactory = (sim: Simulator, topology: Topology, options?: NetworkModelOptions) => NetworkModel;
