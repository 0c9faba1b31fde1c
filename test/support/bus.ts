/**
 * @module
 * Starts the real bus (`wrangler dev`, workerd with on-disk SQLite) for
 * black-box tests and benchmarks, on a free port and a state directory of
 * the caller's choosing, and stops or kills it like a crash would.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

export interface Bus {
  engine: Engine;
  /** The bus's process group (wrangler or node, and workerd under it). */
  pid: number;
  url: string;
  port: number;
  stateDir: string;
  /** Graceful stop (SIGTERM to the whole process group). */
  stop(): Promise<void>;
  /** A crash: SIGKILL to wrangler and workerd at once. */
  kill(): Promise<void>;
  /** Stops the bus and deletes its state directory (for buses nobody restarts). */
  dispose(): Promise<void>;
  /** What the bus printed, for failure messages. */
  output(): string;
}

/**
 * `wrangler`: `wrangler dev`, the reference local runtime. `local`: the same
 * worker under Miniflare without the dev proxy (local/serve.ts, what
 * `npm start` runs).
 */
export type Engine = "wrangler" | "local";

export interface BusOptions {
  engine?: Engine;
  /** Reuse a state directory (to restart on the same data); a new temp dir by default. */
  stateDir?: string;
  port?: number;
  /** Extra `--var NAME:VALUE` bindings; EDGELOG_AUTH is "open" unless given. */
  vars?: Record<string, string>;
  timeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once("error", rej);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}

export async function startBus(options: BusOptions = {}): Promise<Bus> {
  const port = options.port ?? (await freePort());
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "edgelog-bus-"));
  const vars = Object.entries({ EDGELOG_AUTH: "open", ...options.vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const args =
    options.engine === "local"
      ? [join(ROOT, "local/serve.ts"), "--port", String(port), "--persist-to", stateDir, ...vars]
      : [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", stateDir, "--show-interactive-dev-session=false", ...vars];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true, // its own process group, so kill() reaches workerd too
    stdio: ["ignore", "pipe", "pipe"],
    // CLOUDFLARE_CF_FETCH_ENABLED=false: Miniflare would otherwise fetch
    // https://workers.cloudflare.com/cf.json at every start; tests stay on 127.0.0.1.
    env: {
      ...process.env,
      X_LOCAL_OBSERVABILITY: "false",
      WRANGLER_SEND_METRICS: "false",
      CI: "true",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
  });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const bus: Bus = {
    engine: options.engine ?? "wrangler",
    pid: child.pid!,
    url,
    port,
    stateDir,
    stop: () => signal(child, "SIGTERM"),
    kill: () => signal(child, "SIGKILL"),
    dispose: async () => {
      await signal(child, "SIGTERM");
      rmSync(stateDir, { recursive: true, force: true });
    },
    output: () => log,
  };
  try {
    await waitForHealth(url, child, options.timeoutMs ?? 60_000);
  } catch (err) {
    await bus.kill();
    throw new Error(`${(err as Error).message}\n--- bus output ---\n${log}`);
  }
  return bus;
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the bus exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/v1/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the bus did not answer on ${url} within ${timeoutMs} ms`);
}

function signal(child: ChildProcess, sig: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    process.kill(-child.pid!, sig);
  } catch {
    return Promise.resolve();
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, 10_000);
  return exited.finally(() => clearTimeout(timer));
}
