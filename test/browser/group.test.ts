// Consumer groups in the browser: two pages (two browsers' worth of clients)
// share a topic's partitions; when one page goes away without leaving, the
// other takes its partitions after the session timeout and nothing committed
// is skipped.
import { expect, inject, it } from "vitest";
import { openHarness, useBrowser } from "./support/browser.ts";
import { createTopic, eventually } from "./support/log.ts";

const BUS = inject("busUrl");
const PAGE = inject("pageUrl");
const browser = useBrowser();

async function produce(topic: string, from: number, count: number): Promise<void> {
  const records = Array.from({ length: count }, (_, i) => ({ partition: (from + i) % 4, value: from + i }));
  const res = await fetch(`${BUS}/v1/topics/${topic}/records`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ records }),
  });
  expect(res.status).toBe(200);
}

interface Member {
  assignment: { topic: string; partitions: number[] }[];
}

async function members(group: string): Promise<Member[]> {
  const res = await fetch(`${BUS}/v1/groups/${group}`);
  return ((await res.json()) as { members: Member[] }).members;
}

const owned = (m: Member) => m.assignment.flatMap((a) => a.partitions);

it("two pages share a group's partitions; one goes away and the other takes over", async () => {
  const topic = await createTopic(BUS, "group", { partitions: 4 });
  const group = `${topic}-readers`;
  await produce(topic, 0, 80);
  // Separate contexts: separate storage, so two independent clients.
  const [a, b] = await Promise.all([
    openHarness(await browser().newContext(), PAGE),
    openHarness(await browser().newContext(), PAGE),
  ]);
  for (const page of [a, b]) {
    await page.h.start({ url: BUS });
    await page.h.consume({ topic, group, from: "earliest", sessionTimeoutMs: 1_500 });
  }
  const seen = async () => [...(await a.h.consumed()), ...(await b.h.consumed())];
  await eventually(async () => new Set((await seen()).map((r) => r.value)).size === 80, 20_000, "80 records consumed");
  // The partitions are split between the two members, none owned by both.
  await eventually(
    async () => {
      const m = await members(group);
      return m.length === 2 && m.every((x) => owned(x).length === 2);
    },
    15_000,
    "two members with two partitions each",
  );
  const shares = (await members(group)).map(owned);
  expect([...shares[0]!, ...shares[1]!].sort()).toEqual([0, 1, 2, 3]);

  // Page a disappears without leaving; after its session, b owns everything.
  const byA = await a.h.consumed();
  await a.page.context().close();
  await eventually(
    async () => {
      const m = await members(group);
      return m.length === 1 && owned(m[0]!).length === 4;
    },
    15_000,
    "the dead member expired and the other owns every partition",
  );
  await produce(topic, 80, 40);
  await eventually(
    async () => (await b.h.consumed()).filter((r) => (r.value as number) >= 80).length >= 40,
    20_000,
    "b processes the new records of every partition",
  );
  const late = (await b.h.consumed()).filter((r) => (r.value as number) >= 80);
  expect(new Set(late.map((r) => r.partition))).toEqual(new Set([0, 1, 2, 3]));
  // At least once, nothing skipped: every record was processed by someone.
  const values = new Set([...byA, ...(await b.h.consumed())].map((r) => r.value as number));
  expect(Array.from({ length: 120 }, (_, i) => values.has(i)).every(Boolean)).toBe(true);
  await b.page.context().close();
});
