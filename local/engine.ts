/**
 * @module
 * The bus on one machine through Miniflare's programmatic API: the same
 * worker code, Durable Objects, assets and on-disk state as `wrangler dev`
 * (same layout under `.wrangler/state`, so either can open the other's data),
 * but one workerd serving HTTP directly, without wrangler's dev proxy in
 * front. On a 2-core machine that proxy costs more than the bus itself; see
 * BENCHMARKS.md.
 *
 * Clients reach the worker on one of Miniflare's direct sockets, at its
 * `LocalFront` entrypoint (worker/local-front.ts), which routes between the
 * API and the dashboard's assets as the edge does; not through Miniflare's
 * entry worker, nor its asset router. The entry
 * worker imitates Cloudflare's edge: among other things it gzips every
 * compressible response, the SSE streams included, which on localhost is
 * pure cost (a 1,000-record fetch took a third longer) and is done on the
 * edge's machines, not the worker's, when deployed. The entry socket still
 * listens, on a free port, because Miniflare needs it.
 */

import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions, type LegacyWorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

export const ROOT = resolve(import.meta.dirname, "..");
/** The worker's entrypoint that clients reach (worker/local-front.ts). */
const FRONT = "LocalFront";

export interface LocalBusOptions {
  host?: string;
  port?: number;
  /** Where state lives; `.wrangler/state` like `wrangler dev`. */
  stateDir?: string;
  /** Extra vars, over wrangler.toml's `[vars]`. */
  vars?: Record<string, string>;
  logLevel?: LogLevel;
  /** Opens workerd's V8 inspector on this port (CPU profiles: test/bench/profile.ts). */
  inspectorPort?: number;
}

export interface LocalBus {
  url: URL;
  dispose(): Promise<void>;
}

/** Bundles the worker as `wrangler deploy` would: one ES module, platform imports left external. */
export async function bundleWorker(outdir: string): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, "index.js");
  await build({
    entryPoints: [join(ROOT, "worker/index.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2023",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "node:*"],
    sourcemap: "linked",
    logLevel: "warning",
  });
  return outfile;
}

export async function startLocalBus(options: LocalBusOptions = {}): Promise<LocalBus> {
  const stateDir = resolve(options.stateDir ?? join(ROOT, ".wrangler/state"));
  const scriptPath = await bundleWorker(join(ROOT, ".wrangler/local-build"));
  // wrangler reads wrangler.toml into Miniflare's v4 option shape: take the
  // parts this worker uses, and let Miniflare 5 convert them.
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, "wrangler.toml"));
  // wrangler types these against its own copy of Miniflare.
  const w = workerOptions as unknown as Pick<LegacyWorkerOptions, "compatibilityDate" | "compatibilityFlags" | "bindings" | "durableObjects" | "r2Buckets" | "ratelimits" | "assets">;
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      log: new Log(options.logLevel ?? LogLevel.WARN),
      // No request.cf lookup: it would call Cloudflare at every start.
      cf: false,
      ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
      // The same layout as `wrangler dev --persist-to <stateDir>`.
      resourcePersistencePath: join(stateDir, "v3"),
      workers: [
        {
          name: "edgelog",
          compatibilityDate: w.compatibilityDate,
          compatibilityFlags: w.compatibilityFlags,
          modules: true as const,
          scriptPath,
          bindings: { ...w.bindings, ...options.vars },
          durableObjects: w.durableObjects,
          r2Buckets: w.r2Buckets,
          ratelimits: w.ratelimits,
          assets: w.assets,
          // Straight to the worker's own front door, not Miniflare's asset router (worker/local-front.ts).
          unsafeDirectSockets: [{ host: options.host ?? "127.0.0.1", port: options.port ?? 8787, entrypoint: FRONT }],
        },
      ],
    }),
  );
  await mf.ready;
  const url = await mf.unsafeGetDirectURL("edgelog", FRONT);
  return { url, dispose: () => mf.dispose() };
}
