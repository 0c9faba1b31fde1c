// Two and three tabs producing into one outbox at once, then the leader tab
// closed mid-stream: another tab takes over with epoch + 1, nothing is lost
// or duplicated, and the bus fences the old epoch.
import { describe, expect, inject, it } from "vitest";
import { useBrowser, openHarness, type Remote } from "./support/browser.ts";
import { createTopic, eventually, expectExactlyOnce, readAll, sent, type Sent } from "./support/log.ts";

const BUS = inject("busUrl");
const PAGE = inject("pageUrl");
const browser = useBrowser();

const OPTIONS = { url: BUS, maxBatchRecords: 30, lingerMs: 5, backoff: { baseMs: 20, capMs: 200 } };

async function leaders(tabs: Remote[]): Promise<number[]> {
  const stats = await Promise.all(tabs.map((h) => h.stats()));
  return stats.flatMap((s, i) => (s.leader ? [i] : []));
}

describe.each([2, 3])("%i tabs", (count) => {
  it("share one outbox; when the leader closes another takes over and the old epoch is fenced", async () => {
    const topic = await createTopic(BUS, `tabs${count}`, { partitions: 2 });
    const context = await browser().newContext();
    const tabs = await Promise.all(Array.from({ length: count }, () => openHarness(context, PAGE)));
    for (const { h } of tabs) await h.start(OPTIONS);
    await eventually(async () => (await leaders(tabs.map((t) => t.h))).length === 1, 10_000, "one leader");
    const [leaderIndex] = await leaders(tabs.map((t) => t.h));
    const leader = tabs[leaderIndex!]!;
    const followers = tabs.filter((t) => t !== leader);
    const oldEpoch = (await leader.h.stats()).epoch!;
    const expected: Sent[] = [];

    // Everyone produces at once; the leader's share is smaller, and it closes as soon as its
    // sends are durable — with its own and the others' batches still in flight.
    const following = followers.map((t, i) => t.h.produce({ topic, prefix: `f${i}`, count: 300, keys: 5, chunk: 10, jitterMs: 4 }));
    const led = await leader.h.produce({ topic, prefix: "leader", count: 150, keys: 5, chunk: 10, jitterMs: 2 });
    expect(led.failures).toEqual([]);
    expect((await leader.h.stats()).pending, "the leader closes mid-sync").toBeGreaterThan(0);
    await leader.page.close();
    expected.push(...sent("leader", 150, 5));
    for (const [i, result] of (await Promise.all(following)).entries()) {
      expect(result.failures).toEqual([]);
      expected.push(...sent(`f${i}`, 300, 5));
    }

    await eventually(async () => (await leaders(followers.map((t) => t.h))).length === 1, 10_000, "a new leader");
    const flushed = await Promise.all(followers.map((t) => t.h.flush(30_000)));
    expect(flushed.every((f) => f.ok), JSON.stringify(flushed)).toBe(true);
    const stats = await followers[0]!.h.stats();
    expect(stats.epoch).toBeGreaterThan(oldEpoch);

    // A second round, surely sealed by the new leader with its epoch.
    const round2 = await followers[0]!.h.produce({ topic, prefix: "r2", count: 40, keys: 8, chunk: 10 });
    expect(round2.failures).toEqual([]);
    expected.push(...sent("r2", 40, 8));
    expect(await followers[0]!.h.flush(30_000)).toEqual({ ok: true });
    const log = await readAll(BUS, topic);
    expectExactlyOnce(log, expected);

    // The old leader's epoch is fenced wherever the new one wrote.
    const touched = log.flatMap((records, p) => (records.some((r) => (r.value as unknown as Sent).key.startsWith("r2-")) ? [p] : []));
    expect(touched.length).toBeGreaterThan(0);
    for (const partition of touched) {
      const res = await fetch(`${BUS}/v1/topics/${topic}/partitions/${partition}/records`, {
        method: "POST",
        headers: { "content-type": "application/json", "Producer-Id": stats.producerId!, "Producer-Epoch": String(oldEpoch), "Producer-Seq": "0" },
        body: JSON.stringify({ records: [{ value: "from the old leader" }] }),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string; currentEpoch: number } }).error).toMatchObject({ code: "PRODUCER_FENCED" });
    }
    expect((await readAll(BUS, topic)).flat()).toHaveLength(expected.length);
    await context.close();
  });
});
