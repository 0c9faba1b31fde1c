/**
 * `edgelog consume --group`: two processes in one group share the topic's
 * partitions; when one is killed with SIGKILL the other takes its
 * partitions over from the group's last commit, and nothing is skipped
 * (records the dead one printed but had not committed may be printed
 * twice: at-least-once, as Kafka's). A bounded group read commits what it
 * printed, so the next one starts after it.
 */

import { afterAll, expect, inject, it } from "vitest";
import type { GroupDescription } from "../../src/protocol/types.ts";
import { uniqueTopic } from "../support/api.ts";
import { removeCacheDirs, runCli, spawnCli, until, type CliProcess } from "../support/cli.ts";

const BUS = inject("busUrl");
afterAll(removeCacheDirs);
const PARTITIONS = 4;

interface Printed {
  partition: number;
  offset: number;
  /** The `v` of the produced line. */
  value: string;
}

const printed = (p: CliProcess): Printed[] =>
  p.lines().map((l) => {
    const r = JSON.parse(l) as { partition: number; offset: number; value: { v: string } };
    return { partition: r.partition, offset: r.offset, value: r.value.v };
  });
const values = (stdout: string) => stdout.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { v: string }).v);

async function produce(topic: string, values: string[]): Promise<void> {
  // Keyed by the value: spread over every partition.
  const input = `${values.map((v) => JSON.stringify({ k: v, v })).join("\n")}\n`;
  const r = await runCli(["produce", topic, "--format", "ndjson", "--key-field", "k"], { url: BUS, input });
  expect(r.stderr).toMatch(/^produced /);
  expect(r.code).toBe(0);
}

async function describe(group: string): Promise<GroupDescription> {
  const r = await runCli(["groups", "describe", group, "--json"], { url: BUS });
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as GroupDescription;
}

it("shares partitions between two processes and hands a killed one's partitions to the other", async () => {
  const topic = uniqueTopic("cli-group");
  const group = uniqueTopic("cli-g");
  expect((await runCli(["topics", "create", topic, "--partitions", String(PARTITIONS)], { url: BUS })).code).toBe(0);
  const args = ["consume", topic, "--group", group, "--follow", "--session-timeout-ms", "2000"];
  const a = spawnCli(args, { url: BUS });
  const b = spawnCli(args, { url: BUS });
  try {
    await until(async () => {
      const d = await describe(group).catch(() => undefined);
      return d?.state === "Stable" && d.members.length === 2 && d.members.every((m) => m.assignment.some((t) => t.partitions.length > 0));
    }, "both members to hold partitions");

    await produce(topic, Array.from({ length: 200 }, (_, i) => `one-${i}`));
    await until(() => printed(a).length + printed(b).length >= 200, "the first 200 records");
    const ownedByA = new Set(printed(a).map((r) => r.partition));
    const ownedByB = new Set(printed(b).map((r) => r.partition));
    expect(ownedByA.size).toBeGreaterThan(0);
    expect(ownedByB.size).toBeGreaterThan(0);
    expect([...ownedByA].filter((p) => ownedByB.has(p))).toEqual([]);
    expect(printed(a).length + printed(b).length).toBe(200);

    b.child.kill("SIGKILL");
    await b.exited;
    await produce(topic, Array.from({ length: 200 }, (_, i) => `two-${i}`));
    // A ends up with every record of the second batch, B's partitions' included.
    await until(() => printed(a).filter((r) => r.value.startsWith("two-")).length >= 200, "A to take over B's partitions", 45_000);

    const seen = new Map<number, Set<number>>();
    for (const r of [...printed(a), ...printed(b)]) {
      if (!seen.has(r.partition)) seen.set(r.partition, new Set());
      seen.get(r.partition)!.add(r.offset);
    }
    const total = [...seen.values()].reduce((n, offsets) => n + offsets.size, 0);
    expect(total).toBe(400);
    for (const [partition, offsets] of seen) {
      expect(Math.max(...offsets) + 1, `partition ${partition} has no gap`).toBe(offsets.size);
    }
    for (const p of ownedByB) expect(printed(a).some((r) => r.partition === p && r.value.startsWith("two-"))).toBe(true);

    // Ctrl-C: A commits what it printed, leaves the group and exits 130.
    a.child.kill("SIGINT");
    expect((await a.exited).code).toBe(130);
    const after = await describe(group);
    expect(after.members).toEqual([]);
    expect(after.totalLag).toBe(0);
  } finally {
    a.child.kill("SIGKILL");
    b.child.kill("SIGKILL");
  }
}, 90_000);

it("a bounded group read stops at the end, commits what it printed, and the next one starts after it", async () => {
  const topic = uniqueTopic("cli-group-bounded");
  const group = uniqueTopic("cli-gb");
  expect((await runCli(["topics", "create", topic, "--partitions", "3"], { url: BUS })).code).toBe(0);
  await produce(topic, Array.from({ length: 60 }, (_, i) => `r${i}`));

  const first = await runCli(["consume", topic, "--group", group, "--format", "value"], { url: BUS });
  expect(first.code).toBe(0);
  expect(values(first.stdout).sort()).toEqual(Array.from({ length: 60 }, (_, i) => `r${i}`).sort());
  expect((await describe(group)).totalLag).toBe(0);

  const second = await runCli(["consume", topic, "--group", group], { url: BUS });
  expect(second).toMatchObject({ code: 0, stdout: "" });

  await produce(topic, ["late"]);
  const third = await runCli(["consume", topic, "--group", group, "--format", "value"], { url: BUS });
  expect(third.code).toBe(0);
  expect(values(third.stdout)).toEqual(["late"]);
}, 60_000);
