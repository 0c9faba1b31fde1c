/**
 * @module
 * The sticky assignor: as balanced as round-robin, but every member keeps
 * what it had wherever balance allows, so a join or leave moves the fewest
 * partitions. Fewer moves mean fewer handoffs, and each handoff makes the new
 * owner wait for the old one and replay what it had not committed.
 *
 * Three steps: keep each member's previous partitions that it may still
 * have; give each partition left over to the least-loaded member subscribed
 * to its topic; then, while some member holds two or more partitions more
 * than another that could take one of them, move one from the most loaded.
 * Each move narrows the spread (the sum of squared loads falls), so the loop
 * ends, and no partition moves unless balance needs it.
 */

import { byMemberId, fromKeys, keysOf, partitionKey, splitKey, type Assignor, type Subscription } from "./assignment.ts";

export const sticky: Assignor = (members, sizes, previous) => {
  const sorted = [...members].sort(byMemberId);
  const topicsOf = new Map(sorted.map((m) => [m.memberId, new Set(m.topics)]));
  const held = new Map<string, string[]>(sorted.map((m) => [m.memberId, []]));
  const owned = new Set<string>();

  for (const m of sorted) {
    for (const key of keysOf(previous[m.memberId] ?? {})) {
      const [topic, partition] = splitKey(key);
      if (!topicsOf.get(m.memberId)!.has(topic) || partition >= (sizes[topic] ?? 0) || owned.has(key)) continue;
      owned.add(key);
      held.get(m.memberId)!.push(key);
    }
  }

  for (const topic of Object.keys(sizes).sort()) {
    const candidates = sorted.filter((m) => topicsOf.get(m.memberId)!.has(topic));
    if (candidates.length === 0) continue;
    for (let p = 0; p < sizes[topic]!; p++) {
      const key = partitionKey(topic, p);
      if (owned.has(key)) continue;
      const least = candidates.reduce((a, b) => (held.get(b.memberId)!.length < held.get(a.memberId)!.length ? b : a));
      owned.add(key);
      held.get(least.memberId)!.push(key);
    }
  }

  for (let move = findMove(sorted, topicsOf, held); move; move = findMove(sorted, topicsOf, held)) {
    const [key] = held.get(move.from)!.splice(move.index, 1);
    held.get(move.to)!.push(key!);
  }

  return Object.fromEntries(sorted.map((m) => [m.memberId, fromKeys(held.get(m.memberId)!)]));
};

interface Move {
  from: string;
  index: number;
  to: string;
}

/** One partition the most loaded possible giver can hand to a member holding at least two fewer. */
function findMove(
  sorted: readonly Subscription[],
  topicsOf: Map<string, Set<string>>,
  held: Map<string, string[]>,
): Move | null {
  const load = (m: Subscription) => held.get(m.memberId)!.length;
  const givers = [...sorted].sort((a, b) => load(b) - load(a) || byMemberId(a, b));
  for (const giver of givers) {
    const keys = held.get(giver.memberId)!;
    for (let i = keys.length - 1; i >= 0; i--) {
      const [topic] = splitKey(keys[i]!);
      let best: Subscription | null = null;
      for (const m of sorted) {
        if (m === giver || !topicsOf.get(m.memberId)!.has(topic) || load(m) >= keys.length - 1) continue;
        if (best === null || load(m) < load(best)) best = m;
      }
      if (best) return { from: giver.memberId, index: i, to: best.memberId };
    }
  }
  return null;
}
