/**
 * @module
 * The browser bundle's size: the package entry (src/index.ts) minified for
 * the browser by esbuild, as an app's bundler would, and gzipped. `idb` is
 * the one runtime dependency and is included. Prints bytes; returns them.
 */

import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export interface BundleSize {
  minifiedBytes: number;
  gzippedBytes: number;
}

export async function measureBundle(): Promise<BundleSize> {
  const result = await build({
    entryPoints: [resolve(import.meta.dirname, "../../src/index.ts")],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.contents;
  return { minifiedBytes: code.length, gzippedBytes: gzipSync(code, { level: 9 }).length };
}

if (import.meta.main) {
  const { minifiedBytes, gzippedBytes } = await measureBundle();
  console.log(`edgelog browser bundle: ${minifiedBytes} bytes minified, ${gzippedBytes} bytes gzipped`);
}
