/**
 * `edgelog topics …`, `edgelog groups …`, `consume --from <time>` and
 * `edgelog tail` against the real bus: each command's `--json` output is
 * checked against what the bus holds, and the human output for what a
 * person looks for in it.
 */

import { afterAll, expect, inject, it } from "vitest";
import type { CommittedOffset, GroupDescription, TopicDescription, TopicSummary } from "../../src/protocol/types.ts";
import { call, uniqueTopic } from "../support/api.ts";
import { removeCacheDirs, runCli, spawnCli, until } from "../support/cli.ts";

const BUS = inject("busUrl");
afterAll(removeCacheDirs);
const cli = (...args: string[]) => runCli(args, { url: BUS });

async function json<T>(...args: string[]): Promise<T> {
  const r = await cli(...args, "--json");
  if (r.code !== 0) throw new Error(`${args.join(" ")}: exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

it("creates, lists, describes, alters and deletes topics", async () => {
  const topic = uniqueTopic("cli-topics");
  const created = await json<TopicDescription>("topics", "create", topic, "--partitions", "2", "--retention-ms", "3600000", "--cleanup-policy", "compact");
  expect(created.config).toMatchObject({ partitions: 2, retentionMs: 3_600_000, cleanupPolicy: "compact" });
  expect((await call<TopicDescription>(BUS, "GET", `/v1/topics/${topic}`)).body.config).toEqual(created.config);

  // The same create again changes nothing; a different one is refused with the bus's code.
  expect((await cli("topics", "create", topic, "--partitions", "2", "--retention-ms", "3600000", "--cleanup-policy", "compact")).code).toBe(0);
  const clash = await cli("topics", "create", topic, "--partitions", "5");
  expect(clash.code).toBe(1);
  expect(clash.stderr).toMatch(/^error: TOPIC_ALREADY_EXISTS: .*\nhint: /);

  expect((await json<TopicSummary[]>("topics", "list")).map((t) => t.name)).toContain(topic);
  const listed = await cli("topics", "list");
  expect(listed.stdout).toMatch(new RegExp(`│ ${topic} +│ 2 +│ 1h +│ unlimited +│ compact `));

  const altered = await json<TopicDescription>("topics", "alter", topic, "--partitions", "3", "--retention-bytes", "1048576");
  expect(altered.config).toMatchObject({ partitions: 3, retentionBytes: 1_048_576 });
  const described = await json<TopicDescription>("topics", "describe", topic);
  expect(described.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
  expect((await cli("topics", "describe", topic)).stdout).toMatch(/retention: +1h, 1\.0 MiB per partition/);

  expect(await json("topics", "delete", topic)).toEqual({ deleted: topic });
  expect((await cli("topics", "describe", topic)).code).toBe(3);
});

it("lists, describes, resets and deletes consumer groups", async () => {
  const topic = uniqueTopic("cli-groups");
  const group = uniqueTopic("cli-grp");
  await json("topics", "create", topic, "--partitions", "2");
  const produced = await runCli(["produce", topic, "--partition", "1", "--header", "source=test"], { url: BUS, input: "a\nb\nc\n" });
  expect(produced.code).toBe(0);
  const read = await cli("consume", topic, "--group", group);
  expect(read.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l))).toMatchObject([
    { partition: 1, offset: 0, key: null, value: "a", headers: { source: "test" } },
    { partition: 1, offset: 1, value: "b" },
    { partition: 1, offset: 2, value: "c" },
  ]);

  expect((await json<{ group: string }[]>("groups", "list")).map((g) => g.group)).toContain(group);
  const described = await json<GroupDescription>("groups", "describe", group);
  expect(described).toMatchObject({ group, state: "Empty", members: [], totalLag: 0 });
  expect(described.partitions.find((p) => p.partition === 1)).toMatchObject({ committedOffset: 3, highWatermark: 3, lag: 0 });

  const reset = await json<CommittedOffset[]>("groups", "reset", group, "--topic", topic, "--to", "1", "--partition", "1");
  expect(reset).toMatchObject([{ topic, partition: 1, offset: 1 }]);
  expect((await json<GroupDescription>("groups", "describe", group)).totalLag).toBe(2);
  expect((await cli("groups", "describe", group)).stdout).toMatch(/total lag: +2/);
  const again = await cli("consume", topic, "--group", group, "--format", "value");
  expect(again.stdout).toBe("b\nc\n");

  const toEarliest = await json<CommittedOffset[]>("groups", "reset", group, "--topic", topic, "--to", "earliest");
  expect(toEarliest.map((c) => c.offset)).toEqual([0, 0]);

  expect(await json("groups", "delete", group)).toEqual({ deleted: group });
  expect((await cli("groups", "describe", group)).code).toBe(3);
});

it("consumes from a time, from an offset, and up to --max", async () => {
  const topic = uniqueTopic("cli-from");
  await json("topics", "create", topic);
  expect((await runCli(["produce", topic], { url: BUS, input: "old-1\nold-2\n" })).code).toBe(0);
  await new Promise((r) => setTimeout(r, 50));
  const since = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 50));
  expect((await runCli(["produce", topic], { url: BUS, input: "new-1\nnew-2\nnew-3\n" })).code).toBe(0);

  expect((await cli("consume", topic, "--from", since, "--format", "value")).stdout).toBe("new-1\nnew-2\nnew-3\n");
  expect((await cli("consume", topic, "--from", `@${Date.parse(since)}`, "--format", "value", "--max", "1")).stdout).toBe("new-1\n");
  expect((await cli("consume", topic, "--from", "1", "--format", "value")).stdout).toBe("old-2\nnew-1\nnew-2\nnew-3\n");
  expect((await cli("consume", topic, "--from", "latest")).stdout).toBe("");
  const table = await cli("consume", topic, "--format", "table", "--max", "2");
  expect(table.stdout.split("\n")[0]).toMatch(/^part +offset +time +key +value +headers$/);
  expect(table.stdout.split("\n")[2]).toMatch(/^0 +1 +\d{4}-\d\d-\d\dT[\d:.]+Z +- +old-2 +-$/);
});

it("tails new records live and stops cleanly on Ctrl-C", async () => {
  const topic = uniqueTopic("cli-tail");
  await json("topics", "create", topic, "--partitions", "2");
  expect((await runCli(["produce", topic], { url: BUS, input: "before\n" })).code).toBe(0);
  const tail = spawnCli(["tail", topic], { url: BUS });
  await until(() => tail.lines().length >= 1, "the header row");
  // "From now on" starts when the live streams are open, which nothing announces: knock until one answers.
  for (let i = 0; !tail.lines().some((l) => l.includes("knock-")); i++) {
    expect((await runCli(["produce", topic, "--partition", "0"], { url: BUS, input: `knock-${i}\n` })).code).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
  }
  expect((await runCli(["produce", topic, "--partition", "1"], { url: BUS, input: "live-1\nlive-2\n" })).code).toBe(0);
  await until(() => tail.lines().some((l) => l.includes("live-2")), "the live records");
  tail.child.kill("SIGINT");
  const done = await tail.exited;
  expect(done.code).toBe(130);
  expect(done.stdout).not.toContain("before");
  expect(done.stdout.split("\n").filter((l) => / live-\d /.test(l))).toHaveLength(2);
});
