/**
 * @module
 * The shapes assignors work on, and the small set operations the
 * coordinator needs on them. Partitions are identified by `topic/partition`
 * keys internally: topic names cannot contain `/`.
 */

import type { TopicPartitions } from "../../src/protocol/types.ts";

/** Topic → its partitions, ascending. */
export type Partitions = Record<string, number[]>;

/** Member id → the partitions it is given. Every member appears, possibly with `{}`. */
export type GroupAssignment = Record<string, Partitions>;

export interface Subscription {
  memberId: string;
  topics: readonly string[];
}

/** Topic → partition count, for the subscribed topics that exist. */
export type TopicSizes = Record<string, number>;

/**
 * Spreads every partition of the subscribed topics over the members that
 * subscribe to its topic. `previous` is the group's last assignment, which
 * only the sticky assignor looks at. Deterministic: the same input always
 * gives the same assignment.
 */
export type Assignor = (members: readonly Subscription[], sizes: TopicSizes, previous: GroupAssignment) => GroupAssignment;

export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

export function splitKey(key: string): [topic: string, partition: number] {
  const slash = key.lastIndexOf("/");
  return [key.slice(0, slash), Number(key.slice(slash + 1))];
}

export function keysOf(partitions: Partitions): string[] {
  return Object.entries(partitions).flatMap(([topic, ps]) => ps.map((p) => partitionKey(topic, p)));
}

/** The inverse of keysOf: groups keys by topic, partitions ascending. */
export function fromKeys(keys: Iterable<string>): Partitions {
  const out: Partitions = {};
  for (const key of keys) {
    const [topic, partition] = splitKey(key);
    (out[topic] ??= []).push(partition);
  }
  for (const ps of Object.values(out)) ps.sort((a, b) => a - b);
  return out;
}

/** The wire form: topics by name, partitions ascending, no empty entries. */
export function toWire(partitions: Partitions): TopicPartitions[] {
  return Object.keys(partitions)
    .filter((topic) => partitions[topic]!.length > 0)
    .sort()
    .map((topic) => ({ topic, partitions: [...partitions[topic]!].sort((a, b) => a - b) }));
}

export function byMemberId(a: Subscription, b: Subscription): number {
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}
