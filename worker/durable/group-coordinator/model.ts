/**
 * @module
 * A consumer group's state and the rules that change it, as plain data and
 * functions (the coordinator persists what they change).
 *
 * Each change of membership or of a subscribed topic starts a new
 * generation with a new target assignment. A member learns of it from its
 * next heartbeat and rejoins; its join grants it its target, minus
 * partitions another member still owns. Those stay pending until their
 * owner rejoins (letting go of what is no longer its) or expires, and the
 * waiting member's next heartbeat tells it to rejoin for them. So a
 * partition is never owned by two members at once, and a member keeps what
 * it is not losing without a pause.
 */

import type { GroupAssignor, GroupState } from "../../../src/protocol/types.ts";
import { fromKeys, keysOf, partitionKey, type Partitions, type TopicSizes } from "../../groups/assignment.ts";
import { ASSIGNORS } from "../../groups/assignors.ts";
import { DEFAULT_ASSIGNOR } from "../../groups/limits.ts";

export interface Member {
  memberId: string;
  clientId: string | null;
  topics: string[];
  sessionTimeoutMs: number;
  /** The generation the member last joined. */
  generation: number;
  /** What the current generation's assignment gives the member. */
  target: Partitions;
  /** What the member was granted at its last join and still holds. */
  owned: Partitions;
  joinedAt: number;
  lastHeartbeatAt: number;
  /** When the session ends unless the member heartbeats or rejoins first. */
  deadline: number;
}

export interface TopicMeta {
  topicId: string;
  partitions: number;
}

export interface Group {
  generation: number;
  assignor: GroupAssignor | null;
  /** Null until the group is registered (its first join, commit or reset). */
  createdAt: number | null;
  members: Map<string, Member>;
  /** The subscribed topics as the current assignment saw them. */
  topics: Map<string, TopicMeta>;
}

/** Starts a new generation: recomputes every member's target from the members and topics now. */
export function rebalance(group: Group): void {
  group.generation++;
  const members = [...group.members.values()];
  const subscribed = new Set(members.flatMap((m) => m.topics));
  for (const name of [...group.topics.keys()]) if (!subscribed.has(name)) group.topics.delete(name);
  const sizes: TopicSizes = {};
  for (const [name, meta] of group.topics) sizes[name] = meta.partitions;
  const previous = Object.fromEntries(members.map((m) => [m.memberId, m.target]));
  const assign = ASSIGNORS[group.assignor ?? DEFAULT_ASSIGNOR];
  const assignment = assign(members.map((m) => ({ memberId: m.memberId, topics: m.topics })), sizes, previous);
  for (const m of members) m.target = assignment[m.memberId] ?? {};
}

/** Moves `member` into the current generation, owning its target minus what others still hold. */
export function grant(group: Group, member: Member): { assignment: Partitions; pending: Partitions } {
  const elsewhere = ownedByOthers(group, member.memberId);
  const granted: string[] = [];
  const pending: string[] = [];
  for (const key of keysOf(member.target)) (elsewhere.has(key) ? pending : granted).push(key);
  member.owned = fromKeys(granted);
  member.generation = group.generation;
  return { assignment: member.owned, pending: fromKeys(pending) };
}

/** Partitions targeted at `member` that it does not own yet. */
export function pendingOf(member: Member): Partitions {
  const owned = new Set(keysOf(member.owned));
  return fromKeys(keysOf(member.target).filter((k) => !owned.has(k)));
}

/** True when a partition `member` waits for has been let go by its previous owner: time to rejoin. */
export function pendingReleased(group: Group, member: Member): boolean {
  const owned = new Set(keysOf(member.owned));
  const elsewhere = ownedByOthers(group, member.memberId);
  return keysOf(member.target).some((k) => !owned.has(k) && !elsewhere.has(k));
}

export function owns(member: Member, topic: string, partition: number): boolean {
  return member.owned[topic]?.includes(partition) ?? false;
}

/** Removes the members whose session has run out, and returns them; the caller rebalances. */
export function expire(group: Group, now: number): Member[] {
  const gone = [...group.members.values()].filter((m) => m.deadline <= now);
  for (const m of gone) group.members.delete(m.memberId);
  return gone;
}

export function groupState(group: Group): GroupState {
  if (group.members.size === 0) return "Empty";
  for (const m of group.members.values()) {
    if (m.generation < group.generation || keysOf(pendingOf(m)).length > 0) return "Rebalancing";
  }
  return "Stable";
}

/**
 * Folds freshly looked-up metadata (null: no such topic) into the snapshot,
 * for topics some member subscribes to; true when one appeared, grew, or was
 * deleted or recreated, which calls for a rebalance.
 */
export function applyMetadata(group: Group, fresh: Map<string, TopicMeta | null>): boolean {
  const subscribed = new Set([...group.members.values()].flatMap((m) => m.topics));
  let changed = false;
  for (const [name, meta] of fresh) {
    if (!subscribed.has(name)) continue;
    const old = group.topics.get(name);
    if (meta === null) {
      if (old) group.topics.delete(name);
      changed ||= old !== undefined;
    } else if (!old || old.topicId !== meta.topicId || old.partitions !== meta.partitions) {
      group.topics.set(name, meta);
      changed = true;
    }
  }
  return changed;
}

function ownedByOthers(group: Group, memberId: string): Set<string> {
  const keys = new Set<string>();
  for (const m of group.members.values()) {
    if (m.memberId === memberId) continue;
    for (const [topic, ps] of Object.entries(m.owned)) for (const p of ps) keys.add(partitionKey(topic, p));
  }
  return keys;
}
