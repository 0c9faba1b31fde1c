/**
 * Hostile input at the real bus: at least 10,000 generated requests (odd
 * methods, huge and broken bodies, invalid UTF-8, path traversal in names,
 * header floods, chunked bodies without a length) sent as raw bytes over
 * TCP, so nothing a fetch implementation refuses to send is left out. None
 * may get a 5xx, the bus must stay healthy, and a full read of a topic the
 * generator cannot name must show exactly the records written before.
 */

import { connect } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBus, type Bus } from "../support/bus.ts";

let bus: Bus;
let BUS: URL;

// The engine `npm start` runs: the same worker under Miniflare, without
// wrangler's dev proxy (which would make 10,000 requests take minutes).
beforeAll(async () => {
  bus = await startBus({ engine: "local" });
  BUS = new URL(bus.url);
}, 120_000);
afterAll(() => bus?.dispose());
const RUNS = 10_000;
const CONCURRENCY = 16;
/** Outside the generator's alphabet for names (upper case + digits), so no generated request can touch it. */
const KEPT = `KEPT${Date.now()}`;

/**
 * workerd itself answers a method it does not know (`FOO`, lower-case `get`)
 * with 501 Not Implemented, the status HTTP prescribes, before any worker
 * code runs; those are still sent, and only that answer is allowed for them.
 * (Asterisk-form targets, `OPTIONS *`, are not sent: Miniflare's own entry
 * worker fails on them with a 500 before the worker runs; Cloudflare's edge
 * never forwards them.)
 */
const STANDARD_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "TRACE"]);

interface Raw {
  method: string;
  target: string;
  headers: [string, string][];
  body: Uint8Array;
  chunked: boolean;
}

const names = fc.oneof(
  fc.constantFrom("fuzz-a", "fuzz.b", "..", ".", "%2e%2e", "..%2f..%2fetc%2fpasswd", "a%2F..%2F..%2Fb", "%ff%fe", "%00", "%", "%zz", "con", "a".repeat(300), "fuzz-a/../fuzz.b", "\u00e9t\u00e9", "*"),
  fc.stringMatching(/^[a-z._%\/ -]{0,24}$/),
  fc.string({ maxLength: 20 }),
);

const target = fc.oneof(
  fc.tuple(names).map(([t]) => `/v1/topics/${t}`),
  fc.tuple(names, fc.constantFrom("records", "partitions/0/records", "partitions/-1/records", "partitions/99999999999999999999/records", "partitions/x/records", "")).map(([t, s]) => `/v1/topics/${t}/${s}`),
  fc.tuple(names, fc.constantFrom("", "members", "members/m/heartbeat", "offsets", "offsets/reset", "members/../../topics")).map(([g, s]) => `/v1/groups/${g}/${s}`),
  fc.tuple(names, fc.constantFrom("", "?offset=earliest", "?offset=-5&maxRecords=1e9&waitMs=0", "?offset=latest&waitMs=abc", "?timestamp=%ff&maxBytes=-1", "?offset=0&offset=1")).map(([t, q]) => `/v1/topics/${t}/partitions/0/records${q}`),
  fc.constantFrom("/v1/topics", "/v1/groups", "/v1/health", "/v1/openapi.json", "/v1/stream/x", "/v1/_bench/noop", "/v1//topics", "/v1/../v1/topics", "/../../etc/passwd", "/v1/topics?" + "x=".repeat(2000)),
);

const json = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.record({ records: fc.array(fc.record({ key: fc.option(fc.string()), value: fc.jsonValue({ maxDepth: 2 }), headers: fc.dictionary(fc.string(), fc.string(), { maxKeys: 80 }), partition: fc.integer({ min: -2, max: 2000 }) }, { requiredKeys: [] }), { maxLength: 30 }) }).map((r) => JSON.stringify(r)),
  fc.constantFrom('{"records":[', '{"records":"x"}', '{"topics":["fuzz-a","fuzz-a"]}', '{"partitions":1e400}', "[".repeat(5000), '{"__proto__":{"admin":true}}', "null", ""),
);

const body = fc.oneof(
  { weight: 6, arbitrary: json.map((s) => new TextEncoder().encode(s)) },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 2048 }) },
  // Invalid UTF-8 inside otherwise valid JSON.
  { weight: 2, arbitrary: fc.constant(Uint8Array.from([...new TextEncoder().encode('{"records":[{"value":"'), 0xff, 0xfe, 0xc0, 0x80, ...new TextEncoder().encode('"}]}')])) },
  { weight: 1, arbitrary: fc.integer({ min: 1024 * 1024 + 1, max: 1024 * 1024 + 300_000 }).map((n) => new Uint8Array(n).fill(0x61)) },
);

const headerFlood = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z-]{0,12}$/), fc.stringMatching(/^[ -~]{0,40}$/)), { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.integer({ min: 90, max: 150 }).map((n) => Array.from({ length: n }, (_, i): [string, string] => [`x-flood-${i}`, "v".repeat(20)])) },
  { weight: 1, arbitrary: fc.integer({ min: 8_000, max: 40_000 }).map((n): [string, string][] => [["x-big", "b".repeat(n)]]) },
);

const request: fc.Arbitrary<Raw> = fc.record({
  method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "FOO", "get", "TRACE"),
  target,
  headers: fc.tuple(
    headerFlood,
    fc.constantFrom<[string, string][]>([], [["content-type", "application/json"]], [["content-type", "text/plain"]], [["content-type", "application/json; charset=latin1"]], [["accept", "text/event-stream"]], [["authorization", "Bearer a.b.c"]], [["producer-id", "p"], ["producer-epoch", "-1"], ["producer-seq", "x"]], [["origin", "https://evil.example"]]),
  ).map(([a, b]) => [...a, ...b]),
  body,
  chunked: fc.boolean(),
});

/** Sends one request as raw bytes; resolves with the status (0 when the server closed without a status line). */
function send(r: Raw): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: BUS.hostname, port: Number(BUS.port) });
    let head = "";
    socket.setTimeout(30_000, () => socket.destroy(new Error(`timeout: ${r.method} ${r.target.slice(0, 120)}`)));
    socket.on("connect", () => {
      const lines = [`${r.method} ${r.target} HTTP/1.1`, `host: ${BUS.host}`, "connection: close"];
      const sent = r.body.length > 0 && r.method !== "GET" && r.method !== "HEAD";
      for (const [k, v] of r.headers) lines.push(`${k}: ${v}`);
      if (sent) lines.push(r.chunked ? "transfer-encoding: chunked" : `content-length: ${r.body.length}`);
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (sent && r.chunked) {
        for (let i = 0; i < r.body.length; i += 65_536) {
          const part = r.body.subarray(i, i + 65_536);
          socket.write(`${part.length.toString(16)}\r\n`);
          socket.write(part);
          socket.write("\r\n");
        }
        socket.write("0\r\n\r\n");
      } else if (sent) {
        socket.write(r.body);
      }
    });
    socket.on("data", (d: Buffer) => {
      if (head.length < 64) head += d.toString("latin1");
      // The status is all we need; live streams would otherwise stay open.
      if (head.includes("\r\n")) socket.destroy();
    });
    // A server may answer early (413, 400) and close while the body is still going out.
    const early = new Set(["ECONNRESET", "EPIPE"]);
    socket.on("error", (err) => (head || early.has((err as NodeJS.ErrnoException).code ?? "") ? resolve(status(head)) : reject(err)));
    socket.on("close", () => resolve(status(head)));
  });
}

function status(head: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  return m ? Number(m[1]) : 0;
}

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(new URL(path, BUS), { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function fullRead(): Promise<unknown> {
  const described = await api("GET", `/v1/topics/${KEPT}`);
  const pages = [];
  for (const p of described.partitions) pages.push(await api("GET", `/v1/topics/${KEPT}/partitions/${p.partition}/records?offset=earliest&maxRecords=10000`));
  return { config: described.config, pages };
}

it(`answers ${RUNS} hostile requests without a 5xx and keeps stored data intact`, { timeout: 180_000 }, async () => {
  await api("PUT", `/v1/topics/${KEPT}`, { partitions: 3 });
  for (let i = 0; i < 5; i++) await api("POST", `/v1/topics/${KEPT}/records`, { records: [{ key: `k${i}`, value: { i } }, { valueBase64: "/w==", headers: { h: "1" } }] });
  const before = await fullRead();

  const requests = fc.sample(request, { numRuns: RUNS, seed: 8 });
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const r = requests[next++]!;
        const s = await send(r);
        statuses.set(s, (statuses.get(s) ?? 0) + 1);
        if (s >= 500 && !(s === 501 && !STANDARD_METHODS.has(r.method))) failures.push(`${s}: ${r.method} ${r.target.slice(0, 200)} (${r.headers.length} headers, ${r.body.length} bytes${r.chunked ? ", chunked" : ""})`);
      }
    }),
  );
  expect(failures, [...statuses].map(([s, n]) => `${s}×${n}`).join(" ")).toEqual([]);
  expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(RUNS);
  // Most requests got an answer at all (a status line), not a dropped connection.
  expect(statuses.get(0) ?? 0).toBeLessThan(RUNS / 10);
  expect((await fetch(new URL("/v1/health", BUS))).status).toBe(200);
  expect(await fullRead()).toEqual(before);
});
