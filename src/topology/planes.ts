/**
 * Network planes: a topology may carry several physically separate networks (the UB and RDMA planes of
 * a supernode). A route request names its plane; an unknown name is a configuration error, never a
 * silent fallback to another network.
 */

/** Throws an Error naming the unknown `plane` and the valid ones. */
export function unknownPlane(plane: string, planes: readonly string[]): never {
  throw new Error(`unknown network plane "${plane}" (valid values are: ${planes.join(", ")})`);
}
