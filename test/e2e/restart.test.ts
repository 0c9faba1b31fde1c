/**
 * @module
 * State survives a normal restart: stop the bus with SIGTERM, start it again
 * on the same state directory, and topics, records and idempotent producer
 * state are all still there.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { ProduceResponse, TopicDescription } from "../../src/protocol/types.ts";
import { call, createTopic, producePartition, readTopic, uniqueTopic } from "../support/api.ts";
import { startBus, type Bus } from "../support/bus.ts";

const stateDir = mkdtempSync(join(tmpdir(), "edgelog-restart-"));
const buses: Bus[] = [];

afterAll(async () => {
  await Promise.all(buses.map((b) => b.stop()));
  rmSync(stateDir, { recursive: true, force: true });
});

it("keeps topics, records and producer state across a stop and start", { timeout: 90_000 }, async () => {
  const first = await startBus({ stateDir });
  buses.push(first);
  const topic = uniqueTopic("restart");
  const created = await createTopic(first.url, topic, { partitions: 2, retentionMs: 3_600_000 });

  const records = Array.from({ length: 20 }, (_, i) => ({
    key: `user-${i % 5}`,
    value: { n: i, text: `héllo ${i}` },
    headers: { source: "restart-test" },
    timestamp: 1_700_000_000_000 + i,
  }));
  const keyed = await call<ProduceResponse>(first.url, "POST", `/v1/topics/${topic}/records`, { records });
  expect(keyed.status).toBe(200);
  const producer = { producerId: `${topic}-producer`, epoch: 3, seq: 0 };
  const idempotent = await producePartition<ProduceResponse>(first.url, topic, 1, [{ valueBase64: "AAEC/w==" }], producer);
  expect(idempotent.status).toBe(200);
  const before = await readTopic(first.url, topic, 2);
  expect(before.flat()).toHaveLength(21);

  await first.stop();
  const second = await startBus({ stateDir });
  buses.push(second);

  const described = await call<TopicDescription>(second.url, "GET", `/v1/topics/${topic}`);
  expect(described.status).toBe(200);
  expect(described.body).toMatchObject({ name: topic, topicId: created.topicId, config: created.config });
  expect(described.body.partitions.map((p) => p.highWatermark)).toEqual(before.map((log) => log.length));

  const after = await readTopic(second.url, topic, 2);
  expect(after).toEqual(before);
  keyed.body.offsets.forEach(({ partition, offset }, i) => {
    const { key, value, headers, timestamp } = records[i]!;
    expect(after[partition]![offset]).toEqual({ offset, key, value, headers, timestamp });
  });

  // The producer's last batch is remembered: a resend is a duplicate, the next seq appends.
  const resent = await producePartition<ProduceResponse>(second.url, topic, 1, [{ valueBase64: "AAEC/w==" }], producer);
  expect(resent).toEqual({ status: 200, body: { offsets: idempotent.body.offsets, duplicate: true } });
  const next = await producePartition<ProduceResponse>(second.url, topic, 1, [{ value: "next" }], { ...producer, seq: 1 });
  expect(next).toEqual({ status: 200, body: { offsets: [{ partition: 1, offset: before[1]!.length }] } });
});
