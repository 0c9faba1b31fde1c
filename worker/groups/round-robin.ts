/**
 * @module
 * Kafka's round-robin assignor: every partition of every subscribed topic,
 * in topic then partition order, goes to the next member in id order that
 * subscribes to its topic.
 */

import { byMemberId, type Assignor, type GroupAssignment } from "./assignment.ts";

export const roundRobin: Assignor = (members, sizes) => {
  const out: GroupAssignment = Object.fromEntries(members.map((m) => [m.memberId, {}]));
  const sorted = [...members].sort(byMemberId);
  let cursor = 0;
  for (const topic of Object.keys(sizes).sort()) {
    if (!sorted.some((m) => m.topics.includes(topic))) continue;
    for (let p = 0; p < sizes[topic]!; p++) {
      let member = sorted[cursor++ % sorted.length]!;
      while (!member.topics.includes(topic)) member = sorted[cursor++ % sorted.length]!;
      (out[member.memberId]![topic] ??= []).push(p);
    }
  }
  return out;
};
