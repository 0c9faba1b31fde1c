/**
 * The CLI's round trip at scale: 100,000 NDJSON lines produced with their
 * key taken from a field (spread over four partitions by the key), then
 * consumed from the earliest offset: per key, the consumed values are the
 * input lines byte for byte, in input order. Each leg is timed.
 *
 * Produce reads its input in chunks, so its memory does not grow with the
 * input: it runs here with a 64 MB JavaScript heap, in which holding the
 * whole input (as it once did) runs out of memory at this size.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, inject, it } from "vitest";
import { uniqueTopic } from "../support/api.ts";
import { removeCacheDirs, runCli } from "../support/cli.ts";

const BUS = inject("busUrl");
afterAll(removeCacheDirs);
const LINES = 100_000;
const KEYS = 997;
const dir = mkdtempSync(join(tmpdir(), "edgelog-cli-rt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lines grouped by their key, in order. */
function byKey(lines: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const line of lines) {
    const key = (JSON.parse(line) as { user: { id: string } }).user.id;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(line);
  }
  return groups;
}

it("produces 100,000 keyed NDJSON lines and consumes them back byte-identical, in order per key", async () => {
  const topic = uniqueTopic("cli-rt");
  expect((await runCli(["topics", "create", topic, "--partitions", "4"], { url: BUS })).code).toBe(0);
  // Non-ASCII, escapes and nesting: whatever JSON.stringify writes must come back as written.
  const lines = Array.from({ length: LINES }, (_, i) => JSON.stringify({ user: { id: `u${i % KEYS}` }, seq: i, page: `/p/${(i * 7) % 113}`, note: `héllo "q" ✓ ${i}`, n: i / 8 }));
  const file = join(dir, "in.ndjson");
  writeFileSync(file, `${lines.join("\n")}\n`);

  let t = performance.now();
  const produced = await runCli(["produce", topic, file, "--format", "ndjson", "--key-field", "user.id", "--json"], {
    url: BUS,
    env: { NODE_OPTIONS: "--max-old-space-size=64" },
  });
  const produceSeconds = (performance.now() - t) / 1000;
  expect(produced.stderr).toBe("");
  expect(produced.code).toBe(0);
  expect(JSON.parse(produced.stdout)).toMatchObject({ topic, records: LINES, sent: LINES, sentEarlier: 0, skippedLines: 0, partitions: 4 });

  t = performance.now();
  const consumed = await runCli(["consume", topic, "--from", "earliest", "--format", "value"], { url: BUS });
  const consumeSeconds = (performance.now() - t) / 1000;
  expect(consumed.code).toBe(0);
  const out = consumed.stdout.split("\n");
  expect(out.pop()).toBe("");
  expect(out).toHaveLength(LINES);

  const want = byKey(lines);
  const got = byKey(out);
  expect(got.size).toBe(KEYS);
  for (const [key, list] of want) expect(got.get(key), key).toEqual(list);

  console.info(`cli round trip of ${LINES} lines: produce ${produceSeconds.toFixed(1)} s (whole process), consume ${consumeSeconds.toFixed(1)} s`);
}, 180_000);
