/**
 * @module
 * `npm run profile -- <scenario id> [--seconds 10]`: CPU profiles of the bus
 * while one bench scenario loads it. Starts the local engine with workerd's
 * V8 inspector open, profiles the isolate of edgelog's worker and its
 * Durable Objects (the only JavaScript on an API request's way: the local
 * engine's clients reach it at its own front door, worker/local-front.ts),
 * writes a `.cpuprofile` under `test/artifacts/profiles/` (open it in
 * Chrome DevTools) and prints where the time went: the isolate's share,
 * then the functions with the most self time.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import Table from "cli-table3";
import { startLocalBus } from "../../local/engine.ts";
import { freePort } from "../support/bus.ts";
import { runTrial } from "./load.ts";
import { streamScenarios } from "./scenarios/streams.ts";
import { foundationSuite } from "./suite.ts";

const OUT = resolve(import.meta.dirname, "../artifacts/profiles");
/**
 * The isolate a request goes through; the others (R2, cache, rate limiter)
 * are Miniflare's plumbing. They share workerd's thread, so the profiler
 * also samples while another runs: read self times as where to look, not
 * as exact costs — seen here:
 * a live-stream run charged seconds to a schema parse that never ran.
 * Confirm a finding with a Node microbenchmark of the same code, or with
 * the bench's ratios before and after.
 */
const ISOLATE = "core:user:edgelog";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: "string", default: "10" },
    top: { type: "string", default: "25" },
  },
});
// edgelog's own scenarios: the foundation's and its Durable Streams face's (not the peers').
const scenarios = [...foundationSuite(), ...streamScenarios().filter((s) => s.id.startsWith("stream-"))];
const found = scenarios.find((s) => s.id === positionals[0]);
if (!found) {
  process.stderr.write(`usage: npm run profile -- <scenario> [--seconds N]\nscenarios: ${scenarios.map((s) => s.id).join(", ")}\n`);
  process.exit(2);
}
const scenario = found;

/** Starts the bus with the inspector, loads it while profiling, reports. */
async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), "edgelog-profile-"));
  const inspectorPort = await freePort();
  const bus = await startLocalBus({
    port: await freePort(),
    inspectorPort,
    stateDir,
    // As the bench runs it (BENCHMARKS.md, Method: rate limits off).
    vars: { EDGELOG_AUTH: "open", EDGELOG_BENCH: "1", EDGELOG_RATE_LIMITS: "off" },
  });
  try {
    const ctx = { url: bus.url.href.replace(/\/$/, ""), quick: true };
    process.stderr.write(`setting up ${scenario.id}…\n`);
    await scenario.setup?.(ctx);
    await runTrial(ctx, scenario, 1000);
    const session = await Inspector.open(`ws://127.0.0.1:${inspectorPort}/${ISOLATE}`);
    await session.call("Profiler.enable");
    await session.call("Profiler.setSamplingInterval", { interval: 100 });
    await session.call("Profiler.start");
    const seconds = Number(values.seconds);
    process.stderr.write(`profiling ${scenario.label} (concurrency ${scenario.concurrency}) for ${seconds} s…\n`);
    const trial = await runTrial(ctx, scenario, seconds * 1000);
    const profile = (await session.call("Profiler.stop")).profile as CpuProfile;
    session.close();

    mkdirSync(OUT, { recursive: true });
    const file = join(OUT, `${scenario.id}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const busy = busyMs(profile);
    const rate = trial.requests / (trial.elapsedMs / 1000);
    process.stdout.write(
      `${trial.requests} requests, ${rate.toFixed(0)}/s; the worker's isolate busy ${busy.toFixed(0)} ms, ${(busy / trial.requests).toFixed(3)} ms per request\n`,
    );
    process.stdout.write(`${hotFunctions(profile, Number(values.top), trial.requests).toString()}\n${file}\n`);
  } finally {
    await bus.dispose();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Sampled time not spent idle or in the profiler itself, ms. */
function busyMs(profile: CpuProfile): number {
  const idle = new Set(profile.nodes.filter((n) => ["(idle)", "(program)"].includes(n.callFrame.functionName)).map((n) => n.id));
  let us = 0;
  profile.samples.forEach((id, i) => {
    if (!idle.has(id)) us += profile.timeDeltas[i] ?? 0;
  });
  return us / 1000;
}

/** Self time per function, the heaviest first. */
function hotFunctions(profile: CpuProfile, top: number, requests: number): Table.Table {
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === "(idle)" || functionName === "(program)") return;
    const where = url ? `${url.split("/").pop()}:${lineNumber + 1}` : "";
    const name = `${functionName || "(anonymous)"} ${where}`;
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const table = new Table({ head: ["function (name, place in the bundle)", "self ms", "µs/request"] });
  for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    table.push([name.slice(0, 90), ms.toFixed(0), ((1000 * ms) / requests).toFixed(1)]);
  }
  return table;
}

/** A minimal Chrome DevTools Protocol session over the inspector's WebSocket. */
class Inspector {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, { resolve(v: Record<string, unknown>): void; reject(e: Error): void }>();
  #nextId = 1;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
      const waiter = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (!waiter) return;
      this.#pending.delete(message.id!);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result ?? {});
    });
  }

  static open(url: string): Promise<Inspector> {
    const ws = new WebSocket(url);
    return new Promise((res, rej) => {
      ws.addEventListener("open", () => res(new Inspector(ws)), { once: true });
      ws.addEventListener("error", () => rej(new Error(`cannot open the inspector at ${url}`)), { once: true });
    });
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    this.#ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  close(): void {
    this.#ws.close();
  }
}

// Last: the class above must be initialized before main() uses it.
await main();
