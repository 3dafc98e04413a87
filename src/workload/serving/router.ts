import type { Instance } from "./instance.js";
import type { Request } from "./request.js";

/*
 * Routing policies, by name (`workload.routing.prefill` / `.decode`). A policy sees the candidate
 * instances and the load *reports* (refreshed every `report_interval_s`, stale in between — as a global
 * scheduler sees them), and returns the instance to try first. `forward-on-reject` is P/D-Serve's
 * mechanism: the chosen instance checks its real queue and rejects when busy; the request is forwarded
 * to the next one, and waits in the global queue for the first idle instance when all reject.
 */

/** What a policy may look at. */
export interface RouteView {
  /** Candidate instances (not draining, not offline), in instance order. */
  readonly candidates: readonly Instance[];
  /** Reported load of instance i (by `Instance.index`): queued prompt tokens or sequences. */
  readonly reported: (inst: Instance) => number;
  /** Round-robin counter of this policy (incremented by the caller after each decision). */
  readonly turn: number;
}

/** A routing policy: the instance to try first. */
export type RoutePolicy = (req: Request, view: RouteView) => Instance;

function leastLoaded(view: RouteView): Instance {
  let best = view.candidates[0]!;
  let bl = view.reported(best);
  for (const c of view.candidates) {
    const l = view.reported(c);
    if (l < bl) {
      best = c;
      bl = l;
    }
  }
  return best;
}

/** Prefill (and colocated) routing policies. */
export const PREFILL_ROUTERS: Record<string, RoutePolicy> = {
  "round-robin": (_r, v) => v.candidates[v.turn % v.candidates.length]!,
  "least-load": (_r, v) => leastLoaded(v),
  "cache-aware": (req, v) => {
    // most leading prompt blocks resident in the instance's HBM cache; ties to the least loaded
    let best: Instance | undefined;
    let bh = -1;
    let bl = Infinity;
    for (const c of v.candidates) {
      const h = c.cache.leadingHits(req.hashIds);
      const l = v.reported(c);
      if (h > bh || (h === bh && l < bl)) {
        best = c;
        bh = h;
        bl = l;
      }
    }
    return best!;
  },
  // the first instance asked in turn; rejections and forwarding are handled by the simulation
  "forward-on-reject": (_r, v) => v.candidates[v.turn % v.candidates.length]!,
};

/** Decode routing policies. */
export const DECODE_ROUTERS: Record<string, RoutePolicy> = {
  "round-robin": (_r, v) => v.candidates[v.turn % v.candidates.length]!,
  "least-load": (_r, v) => leastLoaded(v),
};
