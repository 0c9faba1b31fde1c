/**
 * @module
 * `edgelog consume <topic>`: records to stdout, one per line. Without
 * `--follow` it reads up to the end of the log as it was at start (see
 * bounds.ts) and exits; with it, it stays live until Ctrl-C. With
 * `--group` it reads as a member of a consumer group — only the partitions
 * the group assigns it, from the group's committed offsets — and commits
 * what it printed (on an interval, when a partition reaches its end, and on
 * exit); a member killed without a word is replaced once its session times
 * out, from the last commit.
 */

import { Option, type Command } from "commander";
import { EdgelogError, type Client, type Consumer, type ConsumerOptions, type GroupDescription } from "../index.ts";
import { groupCaughtUp, logBounds, unfinished, type Bounds } from "./bounds.ts";
import { connect, integer, many, withConnection, type ConnectionOptions } from "./connection.ts";
import { EXIT, usageError } from "./errors.ts";
import { interruptSignal } from "./interrupt.ts";
import { StdoutBuffer } from "./output.ts";
import { parsePosition } from "./positions.ts";
import { RECORD_FORMATS, recordPrinter, type RecordFormat } from "./record-format.ts";

interface ConsumeOptions extends ConnectionOptions {
  from: string;
  partition?: number[];
  group?: string;
  follow?: boolean;
  max?: number;
  format: RecordFormat;
  sessionTimeoutMs?: number;
}

/** How often a bounded group read asks the group whether it is done. */
const GROUP_POLL_MS = 500;

export function consumeCommand(program: Command): void {
  withConnection(
    program
      .command("consume")
      .argument("<topic>")
      .description("print a topic's records, one per line (NDJSON by default)")
      .option("--from <position>", "where to start: earliest, latest, an offset, an ISO time or @<ms> (a group's commits win)", "earliest")
      .option("--partition <p>", "read only this partition (repeatable)", many(integer("--partition")))
      .option("--group <group>", "read as a member of this consumer group, committing what was printed")
      .option("-f, --follow", "keep reading new records until Ctrl-C")
      .option("--max <n>", "stop after n records", integer("--max", 1))
      .addOption(new Option("--format <format>", "ndjson, value (the value alone) or table").choices(RECORD_FORMATS).default("ndjson"))
      .option("--session-timeout-ms <ms>", "with --group: how soon the group gives a silent member's partitions away", integer("--session-timeout-ms", 1_000)),
  ).action((topic: string, o: ConsumeOptions) => runConsume(topic, o));
}

export async function runConsume(topic: string, o: ConsumeOptions): Promise<void> {
  if (o.group !== undefined && o.partition !== undefined) throw usageError("--partition does not go with --group: the group assigns the partitions");
  if (o.group === undefined && o.sessionTimeoutMs !== undefined) throw usageError("--session-timeout-ms needs --group");
  const from = parsePosition(o.from, "--from");
  const interrupted = interruptSignal();
  const client = connect(o);
  const described = await client.admin.describeTopic(topic, interrupted);
  const all = described.partitions.map((p) => p.partition);
  for (const p of o.partition ?? []) {
    if (!all.includes(p)) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `topic '${topic}' has no partition ${p} (it has ${all.length})`);
  }
  const partitions = o.partition ?? all;
  const bounds = o.follow ? undefined : await logBounds(client, described, partitions, from);
  // A bounded read with nothing to read ends here (a group first asks the group).
  if (bounds && !o.group && unfinished(bounds).size === 0) return;
  if (bounds && o.group && groupCaughtUp(await describeGroupIfAny(client, o.group), topic, bounds)) return;

  const stop = new AbortController();
  const options: ConsumerOptions = {
    topic,
    from,
    signal: AbortSignal.any([interrupted, stop.signal]),
    persist: false,
    // A bounded read takes whole pages; a live one wants each record the moment it is committed.
    ...(bounds ? { transport: "long-poll", maxRecords: 5_000, waitMs: 1_000 } : {}),
    ...(o.group !== undefined
      ? { group: o.group, autoCommitIntervalMs: 1_000, ...(o.sessionTimeoutMs ? { sessionTimeoutMs: o.sessionTimeoutMs } : {}) }
      : { partitions: bounds ? [...unfinished(bounds)] : partitions }),
  };
  const consumer = client.consumer(options);
  const out = new StdoutBuffer();
  out.onClosed = () => stop.abort();
  if (bounds && o.group) void watchGroup(client, o.group, topic, bounds, stop);
  try {
    await print(consumer, o, bounds, out, stop);
  } finally {
    stop.abort();
    await consumer.close();
    await out.end();
  }
  if (interrupted.aborted) process.exitCode = EXIT.INTERRUPTED;
}

/** The loop: print each record, stop at `--max`, at the ends of a bounded read, or when stopped. */
async function print(consumer: Consumer, o: ConsumeOptions, bounds: Bounds | undefined, out: StdoutBuffer, stop: AbortController): Promise<void> {
  const printer = recordPrinter(o.json ? "ndjson" : o.format);
  out.write(printer.header());
  const remaining = bounds ? unfinished(bounds) : undefined;
  let printed = 0;
  for await (const record of consumer) {
    const end = bounds?.get(record.partition)?.end;
    // Past the end of a bounded read: not printed (a group member prints it, since it will be committed).
    if (end !== undefined && record.offset >= end && o.group === undefined) {
      remaining!.delete(record.partition);
      if (remaining!.size === 0) break;
      continue;
    }
    out.write(printer.line(record));
    if (o.max !== undefined && ++printed >= o.max) break;
    if (end !== undefined && record.offset === end - 1) {
      remaining!.delete(record.partition);
      if (o.group !== undefined) consumer.commit().catch(() => {}); // the next auto-commit or the close retries
      else if (remaining!.size === 0) break;
    }
    if (stop.signal.aborted) break;
  }
}

/** A bounded group read: stop once the whole group has committed up to the ends. */
async function watchGroup(client: Client, group: string, topic: string, bounds: Bounds, stop: AbortController): Promise<void> {
  while (!stop.signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, GROUP_POLL_MS));
    try {
      if (groupCaughtUp(await client.admin.describeGroup(group, stop.signal), topic, bounds)) stop.abort();
    } catch {
      // Not there yet, or the bus blinked: the consumer reports what matters.
    }
  }
}

async function describeGroupIfAny(client: Client, group: string): Promise<GroupDescription> {
  try {
    return await client.admin.describeGroup(group);
  } catch (err) {
    if (err instanceof EdgelogError && err.code === "GROUP_ID_NOT_FOUND") {
      return { group, state: "Empty", generation: 0, assignor: null, members: [], partitions: [], totalLag: 0 };
    }
    throw err;
  }
}
