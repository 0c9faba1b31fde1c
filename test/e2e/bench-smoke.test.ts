/**
 * Keeps the benchmark from rotting: its floor routes (worker/bench) answer
 * on a bus started with EDGELOG_BENCH=1 and are unknown routes on any other,
 * and `npm run bench -- --only …` measures a subset end to end, judges the
 * targets it can and leaves BENCHMARKS.md alone.
 */

import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startBus, type Bus } from "../support/bus.ts";

const FLOORS = [
  { method: "GET", path: "/v1/_bench/noop" },
  { method: "GET", path: "/v1/_bench/do-noop" },
  { method: "POST", path: "/v1/_bench/raw-insert", body: '{"records":[{"value":"a"}]}' },
] as const;
const HIDDEN = [
  ...FLOORS,
  { method: "POST", path: "/v1/_bench/raw-insert-spread?parts=8", body: "{}" },
  { method: "GET", path: "/v1/_bench/page" },
  { method: "PUT", path: "/v1/_bench/page", body: "{}" },
  { method: "GET", path: "/v1/_bench/fanout" },
  { method: "POST", path: "/v1/_bench/fanout", body: "{}" },
] as const;

describe("with EDGELOG_BENCH=1", () => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await startBus({ vars: { EDGELOG_BENCH: "1" } });
  });
  afterAll(() => bus?.stop());

  it.each(FLOORS)("$method $path answers 204", async ({ method, path, ...rest }) => {
    const res = await fetch(`${bus.url}${path}`, { method, body: "body" in rest ? rest.body : undefined });
    expect(res.status, await res.text()).toBe(204);
  });

  it("holds the page it was given and answers it, byte for byte", async () => {
    expect((await fetch(`${bus.url}/v1/_bench/page`)).status).toBe(404);
    const page = `{"records":[${'{"offset":0,"value":"é"}'.repeat(3)}],"nextOffset":3}`;
    const put = await fetch(`${bus.url}/v1/_bench/page`, { method: "PUT", body: page });
    expect(put.status).toBe(204);
    const res = await fetch(`${bus.url}/v1/_bench/page`);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe(page);
  });

  it("spreads a raw-insert body over 1 to 64 objects, and refuses any other count", async () => {
    for (const parts of [1, 8, 64]) {
      const res = await fetch(`${bus.url}/v1/_bench/raw-insert-spread?parts=${parts}`, { method: "POST", body: "not JSON, cut anywhere" });
      expect(res.status, await res.text()).toBe(204);
    }
    for (const parts of ["0", "65", "2.5", "eight", ""]) {
      const res = await fetch(`${bus.url}/v1/_bench/raw-insert-spread?parts=${parts}`, { method: "POST", body: "x" });
      expect(res.status, parts).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "INVALID_REQUEST", retriable: false } });
    }
  });

  it("fans each posted body out to every open SSE response, in order, as one event each", async () => {
    const stop = new AbortController();
    const clients = await Promise.all([0, 1, 2].map(() => fetch(`${bus.url}/v1/_bench/fanout`, { signal: stop.signal })));
    for (const res of clients) expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const readers = clients.map((res) => res.body!.pipeThrough(new TextDecoderStream()).getReader());
    // Each response's first line says it is streaming; the events below are only those posted after.
    for (const reader of readers) expect((await reader.read()).value).toBe("retry: 1000\n\n");
    for (const body of ['{"n":1}', '{"n":2}']) {
      const res = await fetch(`${bus.url}/v1/_bench/fanout`, { method: "POST", body });
      expect(res.status).toBe(204);
      expect(res.headers.get("x-listeners")).toBe("3");
    }
    for (const reader of readers) {
      let text = "";
      while (!text.includes('{"n":2}')) text += (await reader.read()).value;
      expect(text).toBe('data: {"n":1}\n\ndata: {"n":2}\n\n');
    }
    stop.abort();
  });

  it("stores a raw-insert body without parsing it", async () => {
    const res = await fetch(`${bus.url}/v1/_bench/raw-insert`, { method: "POST", body: "not JSON at all {" });
    expect(res.status).toBe(204);
  });
});

describe("without EDGELOG_BENCH", () => {
  it.each(HIDDEN)("$method $path is an unknown route", async ({ method, path, ...rest }) => {
    const res = await fetch(`${inject("busUrl")}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: "body" in rest ? rest.body : undefined,
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND", retriable: false } });
  });
});

describe("npm run bench -- --quick --only", () => {
  const root = resolve(import.meta.dirname, "../..");
  const report = resolve(root, "BENCHMARKS.md");

  it("measures the chosen scenarios, judges the target between them and writes nothing", { timeout: 180_000 }, async () => {
    const before = statSync(report).mtimeMs;
    const { stdout } = await promisify(execFile)(process.execPath, ["test/bench/run.ts", "--quick", "--only", "produce-b1-c8,floor-noop-c8"], {
      cwd: root,
      timeout: 170_000,
    });
    const rows = stdout.split("\n");
    expect(rows.some((r) => /^\| produce, 1-record batches +\| +8 \| +1 \| +[\d,]+ \|/.test(r)), stdout).toBe(true);
    expect(rows.some((r) => /^\| floor: no-op request \(worker only\) +\| +8 \|/.test(r)), stdout).toBe(true);
    expect(rows.some((r) => /^\| produce p99 latency, 1-record batches, vs no-op request p99, concurrency 8 +\| p99 latency +\| +[\d.]+× \|.*\| (PASS|FAIL) +\|$/.test(r)), stdout).toBe(true);
    // Nothing else was measured: no other floor, no peer beside the rows.
    expect(stdout).not.toMatch(/floor: raw insert|Redis Streams, fsync/);
    expect(statSync(report).mtimeMs).toBe(before);
  });
});
