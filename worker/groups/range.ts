/**
 * @module
 * Kafka's range assignor: per topic, the subscribers sorted by member id
 * take contiguous ranges, the first ones one partition more when the count
 * does not divide evenly. Co-partitioned topics land together; with many
 * topics the first members carry more.
 */

import { byMemberId, type Assignor, type GroupAssignment } from "./assignment.ts";

export const range: Assignor = (members, sizes) => {
  const out: GroupAssignment = Object.fromEntries(members.map((m) => [m.memberId, {}]));
  const sorted = [...members].sort(byMemberId);
  for (const topic of Object.keys(sizes).sort()) {
    const subscribers = sorted.filter((m) => m.topics.includes(topic));
    if (subscribers.length === 0) continue;
    const count = sizes[topic]!;
    const each = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((m, i) => {
      const take = each + (i < extra ? 1 : 0);
      if (take === 0) return;
      out[m.memberId]![topic] = Array.from({ length: take }, () => next++);
    });
  }
  return out;
};
