/**
 * @module
 * Vitest global setup for the browser project: bundles the test page's
 * harness (which imports the real package entry) with esbuild, as an app's
 * bundler would, and serves it from 127.0.0.1 on its own port — another
 * origin than the bus, so every request is a real cross-origin one.
 */

import { createServer } from "node:http";
import { resolve } from "node:path";
import { build } from "esbuild";
import type { TestProject } from "vitest/node";
// The bus's `busUrl` comes with the other global setup; its type with it.
import type {} from "../../support/global-bus.ts";

declare module "vitest" {
  export interface ProvidedContext {
    pageUrl: string;
  }
}

const HARNESS = resolve(import.meta.dirname, "../page/harness.ts");

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>edgelog harness</title></head>
<body><script type="module" src="/harness.js"></script></body></html>`;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bundle = await build({
    entryPoints: [HARNESS],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2023",
    write: false,
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0]!.contents;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/harness.js") {
      res.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" });
      return res.end(script);
    }
    if (path === "/" || path === "/index.html" || path === "/other.html") {
      res.writeHead(200, { "content-type": "text/html", "cache-control": "no-store" });
      return res.end(PAGE);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  project.provide("pageUrl", `http://127.0.0.1:${port}/`);
  return () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
}
