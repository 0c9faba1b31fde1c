/**
 * A stream nobody created is answered 404 without storing anything: the
 * leader of its name keeps no schema, so probing names leaves no objects
 * behind. Its create stores it, schema and all, and a delete afterwards
 * keeps what it must (the name's next offsets) as before.
 */

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { streamTopicId } from "../../worker/durable/partition-leader/stream-rpc.ts";
import { call, storedTables } from "./support.ts";

let n = 0;
const streamName = (prefix: string) => `${prefix}/${Date.now()}-${n++}`;
const json = { "content-type": "application/json" };

/** The own tables of the leader of stream `name`. */
const storedTablesOf = (name: string) => storedTables(env.PARTITION_LEADER.getByName(`${streamTopicId(name)}/0`));

describe("a stream nobody created", () => {
  const name = streamName("nobody");
  const forkName = streamName("fork-of-nobody");

  it.each([
    { what: "HEAD", request: () => call(`/v1/stream/${name}`, { method: "HEAD" }), status: 404 },
    { what: "a catch-up read", request: () => call(`/v1/stream/${name}?offset=-1`), status: 404 },
    { what: "a long-poll read", request: () => call(`/v1/stream/${name}?offset=-1&live=long-poll`), status: 404 },
    { what: "a read with a malformed offset", request: () => call(`/v1/stream/${name}?offset=nope`), status: 400 },
    { what: "an append", request: () => call(`/v1/stream/${name}`, { method: "POST", headers: json, body: '{"a":1}' }), status: 404 },
    { what: "a close", request: () => call(`/v1/stream/${name}`, { method: "POST", headers: { "stream-closed": "true" } }), status: 404 },
    { what: "a delete", request: () => call(`/v1/stream/${name}`, { method: "DELETE" }), status: 404 },
    {
      what: "a fork of it",
      request: () => call(`/v1/stream/${forkName}`, { method: "PUT", headers: { ...json, "stream-forked-from": name } }),
      status: 404,
    },
  ])("$what: $status, and nothing stored", async ({ request, status }) => {
    const res = await request();
    expect(res.status).toBe(status);
    await res.arrayBuffer();
    expect(await storedTablesOf(name)).toEqual([]);
    expect(await storedTablesOf(forkName)).toEqual([]);
  });

  it("is stored from its create on, and answers as a stream", async () => {
    const made = streamName("made");
    expect((await call(`/v1/stream/${made}`, { method: "PUT", headers: json, body: '[{"a":1}]' })).status).toBe(201);
    expect(await storedTablesOf(made)).toEqual(expect.arrayContaining(["batches", "partition_state", "stream_meta", "schema_migrations"]));
    expect(await (await call(`/v1/stream/${made}?offset=-1`)).json()).toEqual([{ a: 1 }]);
  });
});
