/**
 * @module
 * The Durable Streams reference server (`@durable-streams/server`) as a
 * peer, started in this process on a free port: file-backed (append-only
 * log files and LMDB in a temporary directory, each append fdatasync'ed
 * before it is answered, as durable as edgelog's acknowledgement) or
 * in-memory. It runs on a worker thread of its own, so it does not share an
 * event loop with the load generator (which would slow both).
 *
 *   const peer = await startDurableStreamsServer("file");
 *   await fetch(`${peer.url}/v1/stream/events`, { method: "PUT", … });
 *   await peer.stop();
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

export type DurableStreamsStorage = "file" | "memory";

export interface DurableStreamsPeer {
  /** Base URL; streams live under any path, `/v1/stream/<name>` as on edgelog. */
  url: string;
  storage: DurableStreamsStorage;
  stop(): Promise<void>;
}

interface ThreadData {
  role: "durable-streams-server";
  dataDir: string | undefined;
}

/** The installed server's version, for the Method bullet. */
export function durableStreamsServerVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = JSON.parse(readFileSync(require.resolve("@durable-streams/server/package.json"), "utf8")) as { version: string };
  return pkg.version;
}

export async function startDurableStreamsServer(storage: DurableStreamsStorage = "file"): Promise<DurableStreamsPeer> {
  const dataDir = storage === "file" ? mkdtempSync(join(tmpdir(), "edgelog-ds-ref-")) : undefined;
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: "durable-streams-server", dataDir } satisfies ThreadData });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once("message", (m: { url?: string; error?: string }) => (m.url ? resolve(m.url) : reject(new Error(m.error))));
    worker.once("error", reject);
  });
  return {
    url,
    storage,
    async stop() {
      const exited = new Promise((r) => worker.once("exit", r));
      worker.postMessage("stop");
      await exited;
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The worker thread: runs the server until told to stop. */
async function serve(data: ThreadData): Promise<void> {
  // Its start-up and recovery notes would land in the run's output.
  console.info = () => {};
  const { DurableStreamTestServer } = await import("@durable-streams/server");
  // No compression: edgelog answers uncompressed too, and the load generator would pay to inflate.
  const server = new DurableStreamTestServer({ port: 0, host: "127.0.0.1", dataDir: data.dataDir, compression: false });
  try {
    parentPort!.postMessage({ url: await server.start() });
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message });
    return;
  }
  parentPort!.once("message", () => {
    void server.stop().finally(() => parentPort!.close());
  });
}

if (!isMainThread && (workerData as ThreadData | undefined)?.role === "durable-streams-server") await serve(workerData as ThreadData);
