/**
 * @module
 * Redis Streams as a peer: Debian's `redis-server` with the append-only file
 * on, fsynced on every write (`appendfsync always`, as durable as edgelog's
 * acknowledgement) or once a second (`everysec`, what most deployments run).
 * A batch is one MULTI of XADDs (one XADD for a single record), so it is
 * applied whole like an edgelog batch; reads are XRANGE pages of 1,000
 * entries. Each load worker has its own connection, as each has its own
 * keep-alive connection to the bus.
 */

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../../support/bus.ts";
import { onDemand, type OnDemand } from "../on-demand.ts";
import { RECORD_BYTES, RECORD_VALUE } from "../payload.ts";
import type { Scenario } from "../scenario.ts";
import { fillRecords } from "../scenarios/fetch.ts";

export type Fsync = "always" | "everysec";

export interface RedisPeer {
  /** Load worker `index`'s connection, made on first use. */
  connection(index: number): Redis;
  stop(): Promise<void>;
}

const PAGE = 1000;
const READ_KEY = "bench:xrange";

/** Whether `redis-server` is on PATH (Debian's package; CI has none). */
export function redisAvailable(): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir && existsSync(join(dir, "redis-server")));
}

/** The Method bullet for BENCHMARKS.md. */
export function redisMethod(): string {
  const version = /v=(\S+)/.exec(execFileSync("redis-server", ["--version"], { encoding: "utf8" }))?.[1] ?? "unknown";
  return `Redis Streams (\`redis-server\` ${version}, client \`ioredis\`): two servers in temporary directories with the append-only file on, one with \`appendfsync always\` (written and fsynced before it answers, as durable as edgelog's acknowledgement), one with \`appendfsync everysec\`, snapshots off. A batch is one MULTI of XADDs (a lone XADD for one record) of the same ${RECORD_BYTES}-byte values, one stream per scenario, one connection per load worker. Reads are XRANGE pages of ${PAGE.toLocaleString("en-US")} entries from a stream as long as the fetch topic, on the everysec server.`;
}

export async function startRedis(fsync: Fsync): Promise<RedisPeer> {
  const dir = mkdtempSync(join(tmpdir(), `edgelog-redis-${fsync}-`));
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync", fsync, "--save", "", "--logfile", ""];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  // Not left running if the run dies before it stops its peers.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let log = "";
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${log}`)), 10_000);
      child.stdout!.on("data", (d) => {
        log += d;
        if (log.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on("data", (d) => (log += d));
      child.once("exit", (code) => reject(new Error(`redis-server exited with code ${code}:\n${log}`)));
    });
  } catch (err) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const connections = new Map<number, Redis>();
  return {
    connection(index) {
      let c = connections.get(index);
      if (!c) connections.set(index, (c = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 0 })));
      return c;
    },
    async stop() {
      await Promise.allSettled([...connections.values()].map((c) => c.quit()));
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      process.off("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * XADD batches on both servers, beside edgelog's produce rows, and XRANGE
 * pages on the everysec server (fsync does not touch reads) beside its
 * fetch rows.
 */
export function redisScenarios(batches: readonly number[], concurrencies: readonly number[], readConcurrencies: readonly number[]): Scenario[] {
  const servers = { always: onDemand(() => startRedis("always")), everysec: onDemand(() => startRedis("everysec")) };
  const writes = (["always", "everysec"] as const).flatMap((fsync) =>
    concurrencies.flatMap((c) => batches.map((b) => xaddScenario(servers[fsync], fsync, b, c))),
  );
  let filled: Promise<number> | undefined;
  const fillOnce = (redis: Redis, records: number) => (filled ??= fill(redis, records));
  return [...writes, ...readConcurrencies.map((c) => xrangeScenario(servers.everysec, c, fillOnce))];
}

function column(fsync: Fsync): string {
  return `Redis Streams, fsync ${fsync}`;
}

function xaddScenario(server: OnDemand<RedisPeer>, fsync: Fsync, batch: number, concurrency: number): Scenario {
  const id = `redis-${fsync}-xadd-b${batch}-c${concurrency}`;
  const key = `bench:${id}`;
  let peer: RedisPeer;
  return {
    id,
    label: `Redis XADD, ${batch.toLocaleString("en-US")}-entry MULTI, fsync ${fsync}`,
    concurrency,
    recordsPerRequest: batch,
    peer: "Redis Streams",
    beside: { row: `produce-b${batch}-c${concurrency}`, column: column(fsync) },
    async setup() {
      peer = await server.get();
    },
    worker(_ctx, index) {
      const redis = peer.connection(index);
      if (batch === 1) return async () => (await redis.xadd(key, "*", "v", RECORD_VALUE), 1);
      return async () => {
        const multi = redis.multi();
        for (let i = 0; i < batch; i++) multi.xadd(key, "*", "v", RECORD_VALUE);
        failed(await multi.exec());
        return batch;
      };
    },
  };
}

function xrangeScenario(server: OnDemand<RedisPeer>, concurrency: number, fill: (redis: Redis, records: number) => Promise<number>): Scenario {
  let peer: RedisPeer;
  let total = 0;
  return {
    id: `redis-xrange-p${PAGE}-c${concurrency}`,
    label: `Redis XRANGE, ${PAGE.toLocaleString("en-US")}-entry pages`,
    concurrency,
    recordsPerRequest: PAGE,
    peer: "Redis Streams",
    beside: { row: `fetch-p${PAGE}-c${concurrency}`, column: column("everysec") },
    async setup(ctx) {
      peer = await server.get();
      total = await fill(peer.connection(0), fillRecords(ctx.quick));
    },
    worker(_ctx, index) {
      const redis = peer.connection(index);
      // Entry ids are offset + 1 ("n-0"), so a cursor is an offset like a fetch's.
      let offset = Math.floor((index * total) / concurrency / PAGE) * PAGE;
      return async () => {
        const page = await redis.xrange(READ_KEY, String(offset + 1), "+", "COUNT", PAGE);
        if (page.length === 0) throw new Error(`XRANGE at ${offset + 1} of ${total} returned nothing`);
        offset = offset + page.length >= total ? 0 : offset + page.length;
        return page.length;
      };
    },
  };
}

/** Fills the read stream (ids 1-0 … n-0), as the fetch topic is filled. */
async function fill(redis: Redis, records: number): Promise<number> {
  for (let base = 0; base < records; base += PAGE) {
    const multi = redis.multi();
    for (let i = 1; i <= PAGE; i++) multi.xadd(READ_KEY, `${base + i}-0`, "v", RECORD_VALUE);
    failed(await multi.exec());
  }
  const length = await redis.xlen(READ_KEY);
  if (length !== records) throw new Error(`the XRANGE stream holds ${length} entries, not ${records}`);
  return records;
}

/** Throws the first error of a MULTI's replies; an aborted MULTI (null) is one too. */
function failed(replies: [Error | null, unknown][] | null): void {
  if (replies === null) throw new Error("MULTI was aborted");
  const error = replies.find(([err]) => err)?.[0];
  if (error) throw error;
}
