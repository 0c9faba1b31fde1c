/**
 * @module
 * Long-poll fetch on the real bus: a read parked at the end of the log
 * answers as soon as a record arrives, and an idle one answers empty after
 * its wait. Behaviour checks with generous bounds, not a benchmark.
 */

import { expect, inject, it } from "vitest";
import type { FetchResponse, ProduceResponse } from "../../src/protocol/types.ts";
import { call, createTopic, producePartition, uniqueTopic } from "../support/api.ts";

const url = inject("busUrl");

/** Long enough that the fetch is parked in the leader before the record is produced, even on a busy machine. */
const PRODUCE_AFTER_MS = 1_000;

it("answers a waiting fetch as soon as a record is produced", async () => {
  const topic = uniqueTopic("long-poll");
  await createTopic(url, topic, { partitions: 1 });
  await producePartition(url, topic, 0, [{ value: "already there" }]);

  const started = Date.now();
  const waiting = call<FetchResponse>(url, "GET", `/v1/topics/${topic}/partitions/0/records?offset=latest&waitMs=5000`);
  await new Promise((r) => setTimeout(r, PRODUCE_AFTER_MS));
  const produced = await producePartition<ProduceResponse>(url, topic, 0, [{ key: "k", value: { hello: "waiter" } }]);
  expect(produced.status).toBe(200);
  const res = await waiting;
  const elapsed = Date.now() - started;

  expect(res.status).toBe(200);
  expect(res.body.records).toEqual([
    { offset: 1, timestamp: expect.any(Number), key: "k", value: { hello: "waiter" }, headers: {} },
  ]);
  expect(res.body).toMatchObject({ nextOffset: 2, highWatermark: 2, logStartOffset: 0 });
  expect(elapsed, "woken by the record, not by the 5 s deadline").toBeLessThan(4_000);
});

it("answers an idle fetch with no records once its wait is over", async () => {
  const topic = uniqueTopic("long-poll-idle");
  await createTopic(url, topic, { partitions: 1 });

  const started = Date.now();
  const res = await call<FetchResponse>(url, "GET", `/v1/topics/${topic}/partitions/0/records?offset=latest&waitMs=300`);
  const elapsed = Date.now() - started;

  expect(res.status).toBe(200);
  expect(res.body).toEqual({ records: [], nextOffset: 0, highWatermark: 0, logStartOffset: 0 });
  expect(elapsed, "waited for about waitMs").toBeGreaterThanOrEqual(250);
  expect(elapsed, "not held much past waitMs").toBeLessThan(5_000);
});
