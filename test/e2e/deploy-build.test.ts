/**
 * @module
 * The deploy bundle builds: `wrangler deploy --dry-run` bundles the worker
 * exactly as `npm run deploy` would, without uploading anything, and the
 * bundle exports the Durable Object classes wrangler.toml binds.
 */

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const outDir = mkdtempSync(join(tmpdir(), "edgelog-deploy-"));
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" };

beforeAll(async () => {
  // The worker serves dist/web as assets; `npm test` builds it first, a lone run may not have.
  if (!existsSync(join(ROOT, "dist/web/index.html"))) {
    await run(join(ROOT, "node_modules/.bin/vite"), ["build"], { cwd: ROOT, env });
  }
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

it("bundles the worker with wrangler deploy --dry-run", { timeout: 120_000 }, async () => {
  const result = await run(join(ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outDir], {
    cwd: ROOT,
    env,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code, output: `${err.stdout}${err.stderr}` }),
  );
  expect(result.code, result.output).toBe(0);
  expect(result.output).toContain("--dry-run: exiting now.");

  const bundle = join(outDir, "index.js");
  expect(existsSync(bundle), `${bundle} after:\n${result.output}`).toBe(true);
  const code = readFileSync(bundle, "utf8");
  // The names the bundle exports (`local as exported` counts as `exported`).
  const exported = [...code.matchAll(/^export\s*\{([^}]*)\}/gm)].flatMap((m) =>
    m[1]!.split(",").map((s) => s.trim().split(/\s+as\s+/).pop()!),
  );
  expect(exported).toEqual(expect.arrayContaining(["PartitionLeader", "TopicCatalog"]));
  // esbuild renames the imported base class (DurableObject2, …) when names collide.
  for (const name of ["PartitionLeader", "TopicCatalog"]) {
    const declared = new RegExp(`\\b(class ${name}|${name} = class) extends DurableObject\\d*\\b`);
    expect(declared.test(code), `${name} is a DurableObject class in the bundle`).toBe(true);
  }
});
