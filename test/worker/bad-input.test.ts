import { beforeAll, describe, expect, it } from "vitest";
import { MAX_REQUEST_BYTES } from "../../src/protocol/limits.ts";
import { call, createTopic, sendJson, uniqueTopic } from "./support.ts";

// Every case is refused with a 4xx, its error code and a message, and a full
// read afterwards proves nothing stored changed.

const topic = uniqueTopic("bad");
const P0 = `/v1/topics/${topic}/partitions/0/records`;
const TOPIC_RECORDS = `/v1/topics/${topic}/records`;
const json = { "content-type": "application/json" };

interface Case {
  name: string;
  request: () => Promise<Response>;
  status: number;
  code: string;
}

const post = (path: string, body: string, headers: Record<string, string> = json) => () =>
  call(path, { method: "POST", headers, body });
const produce = (records: unknown, path = P0) => post(path, JSON.stringify({ records }));
const get = (path: string) => () => call(path);

const cases: Case[] = [
  // Malformed and mistyped bodies
  { name: "malformed JSON", request: post(P0, '{"records":[{"value":1}'), status: 400, code: "INVALID_REQUEST" },
  { name: "JSON that is not an object", request: post(P0, "[1,2]"), status: 400, code: "INVALID_REQUEST" },
  { name: "records is not an array", request: produce({ value: 1 }), status: 400, code: "INVALID_REQUEST" },
  { name: "empty records", request: produce([]), status: 400, code: "INVALID_REQUEST" },
  { name: "missing records", request: post(P0, "{}"), status: 400, code: "INVALID_REQUEST" },
  { name: "record without a value", request: produce([{ key: "k" }]), status: 400, code: "INVALID_REQUEST" },
  { name: "value and valueBase64 both", request: produce([{ value: 1, valueBase64: "AA==" }]), status: 400, code: "INVALID_REQUEST" },
  { name: "key and keyBase64 both", request: produce([{ key: "a", keyBase64: "AA==", value: 1 }]), status: 400, code: "INVALID_REQUEST" },
  { name: "numeric key", request: produce([{ key: 5, value: 1 }]), status: 400, code: "INVALID_REQUEST" },
  { name: "invalid base64 value", request: produce([{ valueBase64: "not base64!" }]), status: 400, code: "INVALID_REQUEST" },
  { name: "non-string header", request: produce([{ value: 1, headers: { a: 1 } }]), status: 400, code: "INVALID_REQUEST" },
  { name: "negative timestamp", request: produce([{ value: 1, timestamp: -1 }]), status: 400, code: "INVALID_REQUEST" },
  { name: "fractional partition", request: produce([{ value: 1, partition: 0.5 }], TOPIC_RECORDS), status: 400, code: "INVALID_REQUEST" },
  { name: "record naming another partition", request: produce([{ value: 1, partition: 1 }]), status: 400, code: "INVALID_REQUEST" },
  { name: "unknown record field", request: produce([{ value: 1, vaule: 2 }]), status: 400, code: "INVALID_REQUEST" },
  { name: "good record after a bad one", request: produce([{ value: 1 }, { nope: 1 }]), status: 400, code: "INVALID_REQUEST" },
  {
    name: "too many records",
    request: produce(Array.from({ length: 10_001 }, () => ({ value: 0 }))),
    status: 400,
    code: "INVALID_REQUEST",
  },
  // Sizes
  {
    name: "record over the topic's maxMessageBytes",
    request: produce([{ value: "ok" }, { value: "x".repeat(2_000) }]),
    status: 413,
    code: "MESSAGE_TOO_LARGE",
  },
  {
    name: "body over the request limit",
    request: produce([{ value: "x".repeat(MAX_REQUEST_BYTES) }]),
    status: 413,
    code: "PAYLOAD_TOO_LARGE",
  },
  // Content types
  { name: "text/plain body", request: post(P0, '{"records":[{"value":1}]}', { "content-type": "text/plain" }), status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
  { name: "form body", request: post(P0, "records=1", { "content-type": "application/x-www-form-urlencoded" }), status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
  { name: "body without content type", request: post(P0, '{"records":[{"value":1}]}', {}), status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
  // Topics and partitions
  { name: "unknown topic", request: produce([{ value: 1 }], "/v1/topics/no-such-topic-xyz/records"), status: 404, code: "UNKNOWN_TOPIC_OR_PARTITION" },
  { name: "unknown partition", request: produce([{ value: 1 }], `/v1/topics/${topic}/partitions/7/records`), status: 404, code: "UNKNOWN_TOPIC_OR_PARTITION" },
  { name: "explicit partition out of range", request: produce([{ value: 1, partition: 9 }], TOPIC_RECORDS), status: 404, code: "UNKNOWN_TOPIC_OR_PARTITION" },
  { name: "non-numeric partition", request: get(`/v1/topics/${topic}/partitions/one/records`), status: 400, code: "INVALID_REQUEST" },
  { name: "negative partition", request: get(`/v1/topics/${topic}/partitions/-1/records`), status: 400, code: "INVALID_REQUEST" },
  { name: "topic name too long", request: get(`/v1/topics/${"a".repeat(250)}`), status: 400, code: "INVALID_TOPIC" },
  { name: "topic name with a space", request: get("/v1/topics/a%20b"), status: 400, code: "INVALID_TOPIC" },
  { name: "topic name with a slash", request: () => sendJson("PUT", "/v1/topics/a%2Fb", {}), status: 400, code: "INVALID_TOPIC" },
  // URL parsing resolves "%2E%2E" as "..": the path becomes /v1/, no topic route at all.
  { name: "topic name '..' (path traversal)", request: () => sendJson("PUT", "/v1/topics/%2E%2E", {}), status: 404, code: "NOT_FOUND" },
  { name: "non-ASCII topic name", request: () => sendJson("PUT", "/v1/topics/caf%C3%A9", {}), status: 400, code: "INVALID_TOPIC" },
  // Offsets and fetch parameters
  { name: "negative offset", request: get(`${P0}?offset=-1`), status: 400, code: "INVALID_REQUEST" },
  { name: "non-numeric offset", request: get(`${P0}?offset=abc`), status: 400, code: "INVALID_REQUEST" },
  { name: "fractional offset", request: get(`${P0}?offset=1.5`), status: 400, code: "INVALID_REQUEST" },
  { name: "huge offset", request: get(`${P0}?offset=99999999999999999999`), status: 400, code: "INVALID_REQUEST" },
  { name: "offset past the high watermark", request: get(`${P0}?offset=1000`), status: 416, code: "OFFSET_OUT_OF_RANGE" },
  { name: "offset and timestamp both", request: get(`${P0}?offset=0&timestamp=5`), status: 400, code: "INVALID_REQUEST" },
  { name: "maxRecords 0", request: get(`${P0}?maxRecords=0`), status: 400, code: "INVALID_REQUEST" },
  { name: "maxRecords too large", request: get(`${P0}?maxRecords=100001`), status: 400, code: "INVALID_REQUEST" },
  { name: "waitMs too long", request: get(`${P0}?waitMs=600000`), status: 400, code: "INVALID_REQUEST" },
  { name: "repeated offset parameter", request: get(`${P0}?offset=1&offset=2`), status: 400, code: "INVALID_REQUEST" },
  { name: "unknown query parameter", request: get(`${P0}?ofset=1`), status: 400, code: "INVALID_REQUEST" },
  // Producer headers
  {
    name: "Producer-Id alone",
    request: post(P0, '{"records":[{"value":1}]}', { ...json, "Producer-Id": "p" }),
    status: 400,
    code: "INVALID_REQUEST",
  },
  {
    name: "non-numeric Producer-Epoch",
    request: post(P0, '{"records":[{"value":1}]}', { ...json, "Producer-Id": "p", "Producer-Epoch": "x", "Producer-Seq": "0" }),
    status: 400,
    code: "INVALID_REQUEST",
  },
  {
    name: "negative Producer-Seq",
    request: post(P0, '{"records":[{"value":1}]}', { ...json, "Producer-Id": "p", "Producer-Epoch": "0", "Producer-Seq": "-1" }),
    status: 400,
    code: "INVALID_REQUEST",
  },
  {
    name: "empty Producer-Id",
    request: post(P0, '{"records":[{"value":1}]}', { ...json, "Producer-Id": "", "Producer-Epoch": "0", "Producer-Seq": "0" }),
    status: 400,
    code: "INVALID_REQUEST",
  },
  {
    name: "producer headers on the topic endpoint",
    request: post(TOPIC_RECORDS, '{"records":[{"value":1}]}', { ...json, "Producer-Id": "p", "Producer-Epoch": "0", "Producer-Seq": "0" }),
    status: 400,
    code: "INVALID_REQUEST",
  },
  // Topic configs
  { name: "zero partitions", request: () => sendJson("PUT", `/v1/topics/${uniqueTopic()}`, { partitions: 0 }), status: 400, code: "INVALID_CONFIG" },
  { name: "too many partitions", request: () => sendJson("PUT", `/v1/topics/${uniqueTopic()}`, { partitions: 5000 }), status: 400, code: "INVALID_CONFIG" },
  { name: "retentionMs -5", request: () => sendJson("PUT", `/v1/topics/${uniqueTopic()}`, { retentionMs: -5 }), status: 400, code: "INVALID_CONFIG" },
  { name: "unknown cleanupPolicy", request: () => sendJson("PUT", `/v1/topics/${uniqueTopic()}`, { cleanupPolicy: "keep" }), status: 400, code: "INVALID_CONFIG" },
  { name: "unknown config key", request: () => sendJson("PUT", `/v1/topics/${uniqueTopic()}`, { partition: 3 }), status: 400, code: "INVALID_CONFIG" },
  { name: "string partitions", request: () => sendJson("PUT", `/v1/topics/${uniqueTopic()}`, { partitions: "3" }), status: 400, code: "INVALID_CONFIG" },
  { name: "empty PATCH", request: () => sendJson("PATCH", `/v1/topics/${topic}`, {}), status: 400, code: "INVALID_CONFIG" },
  { name: "PATCH without a body", request: () => call(`/v1/topics/${topic}`, { method: "PATCH" }), status: 400, code: "INVALID_CONFIG" },
  { name: "PATCH to fewer partitions", request: () => sendJson("PATCH", `/v1/topics/${topic}`, { partitions: 1 }), status: 400, code: "INVALID_PARTITIONS" },
  { name: "PATCH of an unknown topic", request: () => sendJson("PATCH", "/v1/topics/no-such-topic-xyz", { partitions: 3 }), status: 404, code: "UNKNOWN_TOPIC_OR_PARTITION" },
  // Routes
  { name: "unknown route", request: get("/v1/nope"), status: 404, code: "NOT_FOUND" },
  { name: "wrong method on a route", request: () => call(P0, { method: "PUT" }), status: 404, code: "NOT_FOUND" },
];

async function snapshot() {
  const described = await (await call(`/v1/topics/${topic}`)).json<any>();
  const records = [];
  for (let p = 0; p < described.config.partitions; p++) {
    records.push(await (await call(`/v1/topics/${topic}/partitions/${p}/records?maxRecords=10000`)).json());
  }
  const topics = (await (await call("/v1/topics")).json<any>()).topics.map((t: { name: string }) => t.name);
  return { described, records, topics };
}

describe("bad input", () => {
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    await createTopic(topic, { partitions: 2, maxMessageBytes: 1_000 });
    await sendJson("POST", P0, { records: [{ key: "k", value: "stored" }, { valueBase64: "AQI=" }] }, {
      "Producer-Id": "p",
      "Producer-Epoch": "0",
      "Producer-Seq": "0",
    });
    before = await snapshot();
  });

  it.each(cases)("$name → $status $code, nothing changed", async ({ request, status, code }) => {
    const res = await request();
    expect(res.status).toBe(status);
    const body = await res.json<any>();
    expect(body.error).toMatchObject({ code, message: expect.any(String), retriable: false });
    expect(body.error.message.length).toBeGreaterThan(5);
    expect(await snapshot()).toEqual(before);
  });
});
