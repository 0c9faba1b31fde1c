/**
 * The CLI's failures, as README's "Command line" documents them: malformed
 * input lines refuse the run (line numbers reported, nothing sent) unless
 * `--skip-invalid`; an unknown topic, an unreachable bus and a wrong
 * command line each get one `error: CODE: message` line, a hint, and their
 * own exit code.
 */

import { afterAll, expect, inject, it } from "vitest";
import type { TopicDescription } from "../../src/protocol/types.ts";
import { call, readAll, uniqueTopic } from "../support/api.ts";
import { freePort } from "../support/bus.ts";
import { removeCacheDirs, runCli } from "../support/cli.ts";

const BUS = inject("busUrl");
afterAll(removeCacheDirs);

async function stored(topic: string): Promise<number> {
  const { body } = await call<TopicDescription>(BUS, "GET", `/v1/topics/${topic}`);
  return body.partitions.reduce((sum, p) => sum + p.highWatermark, 0);
}

it("refuses input with malformed lines, naming them, and sends nothing", async () => {
  const topic = uniqueTopic("cli-bad");
  expect((await runCli(["topics", "create", topic, "--partitions", "2"], { url: BUS })).code).toBe(0);
  const input = ['{"id":"a","n":1}', "{not json", '{"id":"b","n":2}', "", '{"n":3}', '{"id":"c","n":4}\r', '[1,2'].join("\n");

  const refused = await runCli(["produce", topic, "--format", "ndjson", "--key-field", "id"], { url: BUS, input });
  expect(refused.code).toBe(5);
  expect(refused.stderr).toMatch(/^error: INVALID_INPUT: 3 of 7 lines are malformed; nothing was sent/);
  expect(refused.stderr).toMatch(/line 2: not JSON/);
  expect(refused.stderr).toMatch(/line 5: no string or number at 'id'/);
  expect(refused.stderr).toMatch(/line 7: not JSON/);
  expect(refused.stderr).toMatch(/hint: .*--skip-invalid/);
  expect(await stored(topic)).toBe(0);

  const skipped = await runCli(["produce", topic, "--format", "ndjson", "--key-field", "id", "--skip-invalid"], { url: BUS, input });
  expect(skipped.code).toBe(0);
  expect(skipped.stderr).toMatch(/skipped line 2: not JSON/);
  expect(skipped.stderr).toMatch(/produced 3 records .*skipped 3 malformed lines/);
  const values = (await readAll(BUS, topic)).flat().map((r) => r.value as { n: number });
  expect(values.map((v) => v.n).sort()).toEqual([1, 2, 4]);
});

it("names the first 20 of many malformed lines and counts the rest, up to the last one", async () => {
  const topic = uniqueTopic("cli-many-bad");
  expect((await runCli(["topics", "create", topic], { url: BUS })).code).toBe(0);
  const input = Array.from({ length: 1000 }, (_, i) => (i % 10 === 9 ? `{"n":${i}}` : "{bad")).join("\n");
  const refused = await runCli(["produce", topic, "--format", "ndjson"], { url: BUS, input });
  expect(refused.code).toBe(5);
  expect(refused.stderr).toMatch(/^error: INVALID_INPUT: 900 of 1000 lines are malformed; nothing was sent/);
  expect(refused.stderr.match(/^ {2}line \d+: not JSON/gm)).toHaveLength(20);
  expect(refused.stderr).toMatch(/line 22: not JSON/);
  expect(refused.stderr).toMatch(/… and 880 more, up to line 999/);
  expect(await stored(topic)).toBe(0);
});

it("refuses a record larger than the topic takes, before sending anything", async () => {
  const topic = uniqueTopic("cli-big");
  expect((await runCli(["topics", "create", topic, "--max-message-bytes", "100"], { url: BUS })).code).toBe(0);
  const r = await runCli(["produce", topic], { url: BUS, input: `small\n${"x".repeat(200)}\n` });
  expect(r.code).toBe(5);
  expect(r.stderr).toMatch(/line 2: the record is \d+ bytes; the topic takes at most 100/);
  expect(await stored(topic)).toBe(0);
});

it("answers an unknown topic with exit code 3 and a hint", async () => {
  const topic = uniqueTopic("cli-missing");
  for (const args of [["produce", topic], ["consume", topic], ["topics", "describe", topic], ["tail", topic]]) {
    const r = await runCli(args, { url: BUS, input: "x\n" });
    expect(r.code, args.join(" ")).toBe(3);
    expect(r.stderr).toBe(
      `error: UNKNOWN_TOPIC_OR_PARTITION: topic '${topic}' does not exist\nhint: \`edgelog topics list\` shows the topics; \`edgelog topics create <topic>\` makes one\n`,
    );
  }
  const existing = uniqueTopic("cli-one-partition");
  expect((await runCli(["topics", "create", existing], { url: BUS })).code).toBe(0);
  const r = await runCli(["consume", existing, "--partition", "3"], { url: BUS });
  expect(r.code).toBe(3);
  expect(r.stderr).toMatch(/^error: UNKNOWN_TOPIC_OR_PARTITION: topic '.*' has no partition 3 \(it has 1\)/);
  expect((await runCli(["groups", "describe", uniqueTopic("no-group")], { url: BUS })).code).toBe(3);
});

it("answers an unreachable bus with exit code 4 and how to start one", async () => {
  const url = `http://127.0.0.1:${await freePort()}`;
  for (const args of [["topics", "list"], ["produce", "t"], ["consume", "t"], ["groups", "list"]]) {
    const r = await runCli(args, { url, input: "x\n" });
    expect(r.code, args.join(" ")).toBe(4);
    expect(r.stderr).toMatch(/^error: NETWORK_ERROR: .*fetch failed \(ECONNREFUSED\)\n/);
    expect(r.stderr).toContain(`hint: is the bus running at ${url}? start one with \`npm start\``);
  }
  // --url wins over EDGELOG_URL; --json reports the error as JSON.
  const r = await runCli(["topics", "list", "--url", url, "--json"], { url: BUS });
  expect(r.code).toBe(4);
  expect(JSON.parse(r.stderr)).toMatchObject({ error: { code: "NETWORK_ERROR", retriable: true } });
});

it("answers a wrong command line with exit code 2", async () => {
  const cases = [
    [["consume", "t", "--from", "yesterday"], /error: USAGE: --from is earliest, latest, an offset, an ISO time or @<ms since the epoch>/],
    [["produce", "t", "--key-field", "id"], /error: USAGE: --key-field needs --format ndjson/],
    [["produce", "t", "--header", "novalue"], /error: USAGE: --header is name=value/],
    [["topics", "create", "t", "--partitions", "two"], /error: USAGE: --partitions must be a whole number/],
    [["consume", "t", "--group", "g", "--partition", "1"], /error: USAGE: --partition does not go with --group/],
    [["topics", "frobnicate"], /error: USAGE: unknown command 'frobnicate'/],
    [["consume", "t", "--bogus"], /error: USAGE: unknown option '--bogus'/],
    [["produce", "t", "/no/such/file"], /error: USAGE: cannot read \/no\/such\/file/],
    [["topics", "list", "--url", "ftp://x"], /error: USAGE: --url must be an http/],
  ] as const;
  for (const [args, message] of cases) {
    const r = await runCli([...args], { url: BUS });
    expect(r.stderr, args.join(" ")).toMatch(message);
    expect(r.code, args.join(" ")).toBe(2);
  }
  expect((await runCli(["--help"], { url: BUS })).code).toBe(0);
});
