/**
 * `edgelog produce` is resumable: a run killed with SIGKILL midway leaves
 * its journal; the same command run again resends what was in flight under
 * the same producer tuples and carries on with the rest. The topic then
 * holds every input line exactly once, in input order per key.
 */

import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, inject, it } from "vitest";
import type { TopicDescription } from "../../src/protocol/types.ts";
import { call, readAll, uniqueTopic } from "../support/api.ts";
import { cacheDir, removeCacheDirs, runCli, spawnCli, until } from "../support/cli.ts";

const BUS = inject("busUrl");
afterAll(removeCacheDirs);
const LINES = 30_000;
const dir = mkdtempSync(join(tmpdir(), "edgelog-cli-resume-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function stored(topic: string): Promise<number> {
  const { body } = await call<TopicDescription>(BUS, "GET", `/v1/topics/${topic}`);
  return body.partitions.reduce((sum, p) => sum + p.highWatermark, 0);
}

it("resumes a killed run: nothing twice, nothing lost, order per key kept", async () => {
  const topic = uniqueTopic("cli-resume");
  expect((await runCli(["topics", "create", topic, "--partitions", "3"], { url: BUS })).code).toBe(0);
  const lines = Array.from({ length: LINES }, (_, i) => JSON.stringify({ k: `key-${i % 101}`, i }));
  const file = join(dir, "in.ndjson");
  writeFileSync(file, `${lines.join("\n")}\n`);
  const cache = cacheDir();
  const args = ["produce", topic, file, "--format", "ndjson", "--key-field", "k", "--json"];

  // Small batches make the first run long enough to be cut off in the middle.
  const first = spawnCli([...args, "--batch-records", "50"], { url: BUS, cacheDir: cache });
  await until(async () => (await stored(topic)) >= 2_000, "the first run to get records acknowledged");
  first.child.kill("SIGKILL");
  expect((await first.exited).signal).toBe("SIGKILL");
  const cutAt = await stored(topic);
  expect(cutAt).toBeLessThan(LINES);
  const journals = readdirSync(join(cache, "edgelog", "produce")).filter((f) => f.endsWith(".journal"));
  expect(journals).toHaveLength(1);

  // The batch size is no part of the input's identity: the rerun finds the journal all the same.
  const second = await runCli([...args, "--batch-records", "2000"], { url: BUS, cacheDir: cache });
  expect(second.stderr).toBe("");
  expect(second.code).toBe(0);
  const summary = JSON.parse(second.stdout) as { records: number; sent: number; sentEarlier: number };
  expect(summary.records).toBe(LINES);
  expect(summary.sentEarlier).toBeGreaterThan(0);
  expect(summary.sent + summary.sentEarlier).toBe(LINES);
  // Done: the journal is gone, so the next run of the same input produces it again, on purpose.
  expect(existsSync(join(cache, "edgelog", "produce", journals[0]!))).toBe(false);

  const partitions = await readAll(BUS, topic);
  const log = partitions.flat();
  expect(log).toHaveLength(LINES);
  expect(new Set(log.map((r) => (r.value as { i: number }).i)).size).toBe(LINES);
  const perKey = new Map<string, number[]>();
  for (const r of log) {
    const { k, i } = r.value as { k: string; i: number };
    expect(r.key).toBe(k);
    let seen = perKey.get(k);
    if (!seen) perKey.set(k, (seen = []));
    seen.push(i);
  }
  for (const [key, seen] of perKey) expect(seen, key).toEqual([...seen].sort((a, b) => a - b));
  console.info(`cli produce resume: killed with ${cutAt} of ${LINES} records stored, resumed to ${LINES}`);
}, 120_000);
