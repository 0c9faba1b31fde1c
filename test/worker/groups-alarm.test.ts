import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { describeGroup, heartbeat, joined, partitionsOf, sleep, uniqueGroup } from "./groups-support.ts";
import { createTopic, uniqueTopic } from "./support.ts";

/** The coordinator's members as stored, read without calling it (a call would expire members itself). */
function storedMembers(group: string): Promise<{ member_id: string; deadline: number }[]> {
  return runInDurableObject(env.GROUP_COORDINATOR.getByName(group), (_, state) =>
    state.storage.sql.exec<{ member_id: string; deadline: number }>("SELECT member_id, deadline FROM members ORDER BY member_id").toArray(),
  );
}

function storedGeneration(group: string): Promise<number> {
  return runInDurableObject(env.GROUP_COORDINATOR.getByName(group), (_, state) =>
    state.storage.sql.exec<{ generation: number }>("SELECT generation FROM group_meta").one().generation,
  );
}

describe("session expiry by alarm", () => {
  it("expires a silent member at its deadline by itself, without any request", async () => {
    const topic = uniqueTopic("ga");
    await createTopic(topic, { partitions: 2 });
    const group = uniqueGroup("alarm");
    await joined(group, { topics: [topic], sessionTimeoutMs: 1_000 });
    const lasting = await joined(group, { topics: [topic], sessionTimeoutMs: 60_000 });
    const stub = env.GROUP_COORDINATOR.getByName(group);
    // One alarm, at the earliest deadline.
    const alarmAt = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
    expect(alarmAt).toBe(Math.min(...(await storedMembers(group)).map((m) => m.deadline)));
    const until = Date.now() + 5_000;
    while ((await storedMembers(group)).length > 1 && Date.now() < until) await sleep(100);
    expect((await storedMembers(group)).map((m) => m.member_id)).toEqual([lasting.memberId]);
    expect(await storedGeneration(group)).toBe(3);
    // The next alarm is the remaining member's deadline.
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBe((await storedMembers(group))[0]!.deadline);
  });

  it("expires by deadline whenever the alarm runs: late, or twice", async () => {
    const topic = uniqueTopic("ga");
    await createTopic(topic, { partitions: 2 });
    const group = uniqueGroup("late");
    const quiet = await joined(group, { topics: [topic], sessionTimeoutMs: 1_000 });
    const lasting = await joined(group, { topics: [topic], sessionTimeoutMs: 60_000 });
    const stub = env.GROUP_COORDINATOR.getByName(group);
    // A late alarm: pushed past the quiet member's deadline.
    await runInDurableObject(stub, (_, state) => state.storage.setAlarm(Date.now() + 3_600_000));
    await sleep(1_100);
    expect(await storedMembers(group)).toHaveLength(2);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await storedMembers(group)).map((m) => m.member_id)).toEqual([lasting.memberId]);
    expect(await storedGeneration(group)).toBe(3);
    // Alarms may run twice: a second run finds nothing due and changes nothing.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await storedMembers(group)).map((m) => m.member_id)).toEqual([lasting.memberId]);
    expect(await storedGeneration(group)).toBe(3);

    expect((await heartbeat(group, quiet.memberId, 1)).body.error.code).toBe("UNKNOWN_MEMBER_ID");
    const rejoined = await joined(group, { topics: [topic], memberId: lasting.memberId });
    expect(partitionsOf(rejoined.assignment, topic)).toEqual([0, 1]);
  });

  it("expires a member whose deadline passed at the next request, even before a late alarm", async () => {
    const topic = uniqueTopic("ga");
    await createTopic(topic);
    const group = uniqueGroup("lazy");
    const quiet = await joined(group, { topics: [topic], sessionTimeoutMs: 1_000 });
    const stub = env.GROUP_COORDINATOR.getByName(group);
    await runInDurableObject(stub, (_, state) => state.storage.setAlarm(Date.now() + 3_600_000));
    await sleep(1_100);
    const zombie = await heartbeat(group, quiet.memberId, quiet.generation);
    expect(zombie.body.error.code).toBe("UNKNOWN_MEMBER_ID");
    expect((await describeGroup(group)).body).toMatchObject({ state: "Empty", members: [] });
  });

  it("keeps members, generation, assignment and offsets across eviction", async () => {
    const topic = uniqueTopic("ge");
    await createTopic(topic, { partitions: 3 });
    const group = uniqueGroup("evict");
    const m = await joined(group, { topics: [topic], sessionTimeoutMs: 60_000 });
    const before = (await describeGroup(group)).body;
    await evictDurableObject(env.GROUP_COORDINATOR.getByName(group));
    expect((await describeGroup(group)).body).toEqual(before);
    expect(await heartbeat(group, m.memberId, m.generation)).toEqual({ status: 200, body: { generation: m.generation } });
  });

  it("deletes the alarm when the last member leaves", async () => {
    const topic = uniqueTopic("gl");
    await createTopic(topic);
    const group = uniqueGroup("last");
    const m = await joined(group, { topics: [topic] });
    const stub = env.GROUP_COORDINATOR.getByName(group);
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).not.toBeNull();
    await stub.leave({ group, memberId: m.memberId });
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBeNull();
  });
});
