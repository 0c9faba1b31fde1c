/**
 * The partition leader checks what a request may make it hold or wait for
 * itself, not only through the worker's schemas: a read's size and long-poll
 * (here, for topic reads and Durable Stream reads), a batch's size
 * (partition-leader.test.ts). A refused read is an answer at once, with
 * nothing changed.
 */

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_FETCH_BYTES, MAX_FETCH_RECORDS, MAX_WAIT_MS } from "../../src/protocol/limits.ts";
import type { ReadRequest } from "../../worker/durable/partition-leader/rpc.ts";
import { streamTopicId, type StreamReadRequest } from "../../worker/durable/partition-leader/stream-rpc.ts";
import { call } from "./support.ts";

let n = 0;
const leader = () => env.PARTITION_LEADER.getByName(`limits-leader-${n++}`);
const body = (value: string) => `"key":null,"value":${JSON.stringify(value)},"headers":{}`;
const within: ReadRequest = { from: "earliest", maxRecords: MAX_FETCH_RECORDS, maxBytes: MAX_FETCH_BYTES, waitMs: 0 };

describe("leader read bounds", () => {
  it.each([
    ["waitMs past the long-poll maximum", { waitMs: MAX_WAIT_MS + 1 }],
    ["a negative waitMs", { waitMs: -1 }],
    ["a fractional waitMs", { waitMs: 0.5 }],
    ["maxRecords past the fetch maximum", { maxRecords: MAX_FETCH_RECORDS + 1 }],
    ["no records", { maxRecords: 0 }],
    ["maxBytes past the fetch maximum", { maxBytes: MAX_FETCH_BYTES + 1 }],
    ["maxBytes that is not a number", { maxBytes: Number.NaN }],
  ])("refuses %s at once with INVALID_REQUEST", async (_, over) => {
    const stub = leader();
    await stub.append({ bodies: [body("kept")] });
    const started = Date.now();
    // From the high watermark: a read within bounds would park for its waitMs.
    expect(await stub.read({ ...within, from: "latest", ...over })).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST", retriable: false } });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await stub.read(within)).toMatchObject({ ok: true, count: 1, highWatermark: 1 });
  });

  it("serves reads at the bounds", async () => {
    const stub = leader();
    await stub.append({ bodies: [body("a"), body("b")] });
    expect(await stub.read(within)).toMatchObject({ ok: true, count: 2, nextOffset: 2 });
    expect(await stub.read({ ...within, maxRecords: 1, maxBytes: 1 })).toMatchObject({ ok: true, count: 1, nextOffset: 1 });
    const started = Date.now();
    const parked = stub.read({ ...within, from: "latest", waitMs: MAX_WAIT_MS });
    await new Promise((r) => setTimeout(r, 50));
    await stub.append({ bodies: [body("c")] });
    expect(await parked).toMatchObject({ ok: true, count: 1, nextOffset: 3 });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("leader stream read bounds", () => {
  const streamWithin: StreamReadRequest = { from: "start", maxBytes: MAX_FETCH_BYTES, waitMs: 0 };

  it.each([
    ["waitMs past the long-poll maximum", { waitMs: MAX_WAIT_MS + 1 }],
    ["a negative waitMs", { waitMs: -1 }],
    ["maxBytes past the fetch maximum", { maxBytes: MAX_FETCH_BYTES + 1 }],
    ["no bytes", { maxBytes: 0 }],
    ["a negative offset", { from: -1 }],
    ["a fractional offset", { from: 0.5 }],
    ["an unsafe upper bound", { until: 2 ** 53 }],
  ])("refuses %s at once with INVALID_REQUEST", async (_, over) => {
    const name = `limits-stream-${n++}`;
    expect((await call(`/v1/stream/${name}`, { method: "PUT", headers: { "content-type": "text/plain" }, body: "kept" })).status).toBe(201);
    const stub = env.PARTITION_LEADER.getByName(`${streamTopicId(name)}/0`);
    const started = Date.now();
    // From the tail: a read within bounds would park for its waitMs.
    const refused = await stub.streamRead({ ...streamWithin, from: "now", ...over } as StreamReadRequest);
    expect(refused).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await stub.streamRead(streamWithin)).toMatchObject({ ok: true, count: 1, next: 1 });
  });
});
