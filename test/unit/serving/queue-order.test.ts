import { describe, expect, it } from "vitest";
import { insertByQueuedTime, newRequest, type Request } from "../../../src/workload/serving/request.js";

const req = (id: number, queuedNs: number): Request => Object.assign(newRequest(id, { atNs: 0, input: 1, output: 1, hashIds: [] }), { queuedNs });
const ids = (list: Request[]): number[] => list.map((r) => r.id);

describe("prefill queues are FIFO by first-queued time", () => {
  it("a new arrival (the newest) is appended", () => {
    const q = [req(0, 10), req(1, 20)];
    insertByQueuedTime(q, 0, req(2, 30));
    expect(ids(q)).toEqual([0, 1, 2]);
  });

  it("a request moved from a draining instance goes ahead of newer arrivals, behind older and equal ones", () => {
    const q = [req(0, 10), req(1, 20), req(2, 20), req(3, 40)];
    insertByQueuedTime(q, 0, req(9, 20));
    expect(ids(q)).toEqual([0, 1, 2, 9, 3]);
  });

  it("never goes before `from` (the head, or a head whose chunked prefill has started)", () => {
    const q = [req(0, 50), req(1, 60), req(2, 70)];
    insertByQueuedTime(q, 2, req(9, 5));
    expect(ids(q)).toEqual([0, 1, 9, 2]);
  });
});
