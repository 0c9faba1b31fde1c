/**
 * @module
 * Where a bounded read (consume without `--follow`) starts and stops on
 * each partition: it starts where `--from` points and stops at the high
 * watermark the partition had when the command started, so records
 * produced meanwhile wait for the next run. In a group, the run is over
 * once the group as a whole has committed up to those high watermarks.
 */

import type { Client, GroupDescription, StartPosition, TopicDescription } from "../index.ts";

interface Bound {
  /** The first offset the read covers. */
  start: number;
  /** The high watermark at start: the read stops before it. */
  end: number;
}

export type Bounds = Map<number, Bound>;

/** Each partition's start for `from`, and its end. */
export async function logBounds(client: Client, topic: TopicDescription, partitions: number[], from: StartPosition): Promise<Bounds> {
  const bounds: Bounds = new Map();
  await Promise.all(
    partitions.map(async (partition) => {
      const { logStartOffset, highWatermark } = topic.partitions.find((p) => p.partition === partition)!;
      let start: number;
      if (from === "earliest") start = logStartOffset;
      else if (from === "latest") start = highWatermark;
      // An offset below the log start reads from the log start, as the consumer does.
      else if (typeof from === "number") start = Math.max(from, logStartOffset);
      else start = await client.admin.offsetForTime(topic.name, partition, from.timestamp);
      bounds.set(partition, { start, end: highWatermark });
    }),
  );
  return bounds;
}

/** Partitions with something left to read. */
export function unfinished(bounds: Bounds): Set<number> {
  return new Set([...bounds].filter(([, b]) => b.start < b.end).map(([p]) => p));
}

/** Whether the group's committed offsets (or, where none, its start) reached every partition's end. */
export function groupCaughtUp(group: GroupDescription, topic: string, bounds: Bounds): boolean {
  for (const [partition, { start, end }] of bounds) {
    const committed = group.partitions.find((p) => p.topic === topic && p.partition === partition)?.committedOffset;
    if ((committed ?? start) < end) return false;
  }
  return true;
}
