/**
 * @module
 * A coordinator keeps one alarm: at the earliest session deadline of its
 * members, so an expired member is noticed without any request. None while
 * the group has no members.
 */

import type { Group } from "./model.ts";

/** Moves the alarm to the earliest deadline: only earlier, unless `force` (after the alarm rang). */
export async function armSessionAlarm(storage: DurableObjectStorage, group: Group, force = false): Promise<void> {
  const deadlines = [...group.members.values()].map((m) => m.deadline);
  const current = await storage.getAlarm();
  if (deadlines.length === 0) {
    if (current !== null) await storage.deleteAlarm();
    return;
  }
  const next = Math.min(...deadlines);
  if (force || current === null || current > next) await storage.setAlarm(next);
}
