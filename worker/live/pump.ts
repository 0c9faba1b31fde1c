/**
 * @module
 * Follows several partitions at once into one sink — the heart of every
 * live stream. Each partition runs its own follower; they share one abort
 * signal, so a client that leaves, a recycle, or one partition's cut-off
 * ends them all, and the sink learns every partition's final position.
 */

import { followPartition, type FollowEnd } from "./follow-partition.ts";

export interface PumpSink {
  /** Catch-up records; resolves when the client has room for more. */
  records(partition: number, records: string[], next: number): Promise<void>;
  /** Live records, without waiting; false when the client is too far behind to take them. */
  push(partition: number, records: string[], next: number): boolean;
}

export interface PumpResult {
  /** The first reason a partition stopped for, other than the shared abort ("error": a leader failed). */
  reason: FollowEnd["reason"] | "error";
  /** Where each partition stopped: resume from here. */
  positions: Map<number, number>;
  logStartOffset?: number;
  partition?: number;
}

export async function pumpPartitions(
  env: Env,
  topicId: string,
  starts: Map<number, number>,
  sink: PumpSink,
  stop: AbortController,
): Promise<PumpResult> {
  const positions = new Map(starts);
  let first: PumpResult | undefined;
  await Promise.all(
    [...starts].map(async ([partition, from]) => {
      const end = await followPartition({
        env,
        topicId,
        partition,
        from,
        signal: stop.signal,
        deliver: async (records, next) => {
          await sink.records(partition, records, next);
          positions.set(partition, next);
        },
        push: (records, next) => {
          if (!sink.push(partition, records, next)) return false;
          positions.set(partition, next);
          return true;
        },
      }).catch((err): { reason: "error"; next: number } => {
        console.error("live follower failed", err);
        return { reason: "error", next: positions.get(partition)! };
      });
      positions.set(partition, end.next);
      if (end.reason !== "aborted" && !first) {
        first = { reason: end.reason, positions, partition, ...("logStartOffset" in end ? { logStartOffset: end.logStartOffset } : {}) };
        stop.abort();
      }
    }),
  );
  return first ?? { reason: "aborted", positions };
}
