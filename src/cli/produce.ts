/**
 * @module
 * `edgelog produce <topic> [file]`: lines in, records out, exactly once.
 *
 * The whole input is checked first (input.ts), a chunk at a time: malformed
 * lines refuse the run before anything is sent, unless `--skip-invalid`.
 * Then it is read again and the records go through the client's file
 * outbox (journal.ts): each chunk is fsynced to the journal before it is
 * sent, batches carry idempotent producer tuples, and a killed run, started
 * again with the same command and input, resends what was in flight under
 * the same tuples (the bus answers duplicates with their original offsets)
 * and continues with what it never took. The journal is deleted once
 * everything is acknowledged. Memory stays flat: at most WINDOW records are
 * held, however long the input.
 */

import type { Command } from "commander";
import { EdgelogError, type Client, type ProduceRecord, type TopicDescription } from "../index.ts";
import { connect, integer, many, withConnection, type ConnectionOptions } from "./connection.ts";
import { CliError, EXIT, usageError, withHint } from "./errors.ts";
import { checkInput, inputFile, inputRecords, type CheckedInput, type LineOptions } from "./input.ts";
import { interruptSignal } from "./interrupt.ts";
import { alreadyTaken, claimJournal, defaultJournal, removeJournal } from "./journal.ts";
import { printJson } from "./output.ts";
import { progressLine } from "./progress.ts";

interface ProduceOptions extends ConnectionOptions {
  format: "text" | "ndjson";
  keyField?: string;
  partition?: number;
  header: string[];
  skipInvalid?: boolean;
  outbox?: string;
  progress?: boolean;
  batchRecords: number;
}

/** Records per outbox append: one journal write and fsync each. */
const CHUNK = 5_000;
/** Records appended but not yet acknowledged, at most: the journal and memory stay bounded. */
const WINDOW = 20_000;

export function produceCommand(program: Command): void {
  withConnection(
    program
      .command("produce")
      .argument("<topic>")
      .argument("[file]", "input file; stdin when absent or -")
      .description("produce each line of the input as a record, exactly once (resumable: rerun the same command after a failure)")
      .option("--format <format>", "text (each line a string value) or ndjson (each line a JSON value)", formatOf, "text" as const)
      .option("--key-field <path>", "ndjson: the record key is this (dotted) field of each line's object")
      .option("--partition <p>", "send every record to this partition", integer("--partition"))
      .option("--header <name=value>", "a header on every record (repeatable)", many(String), [])
      .option("--skip-invalid", "produce the valid lines and report the malformed ones, instead of refusing the run")
      .option("--outbox <path>", "the journal that makes a rerun resume (default: under ~/.cache/edgelog/produce, named after the input)")
      .option("--progress", "show the progress line even when stderr is not a terminal")
      .option("--batch-records <n>", "records per produce request (at most 10,000)", integer("--batch-records", 1), 2_000),
  ).action((topic: string, file: string | undefined, o: ProduceOptions) => runProduce(topic, file, o));
}

function formatOf(text: string): "text" | "ndjson" {
  if (text !== "text" && text !== "ndjson") throw usageError(`--format is text or ndjson (got '${text}')`);
  return text;
}

function headersOf(list: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of list) {
    const at = h.indexOf("=");
    if (at < 1) throw usageError(`--header is name=value (got '${h}')`);
    headers[h.slice(0, at)] = h.slice(at + 1);
  }
  return headers;
}

async function runProduce(topic: string, file: string | undefined, o: ProduceOptions): Promise<void> {
  if (o.keyField !== undefined && o.format !== "ndjson") throw usageError("--key-field needs --format ndjson");
  const headers = headersOf(o.header);
  const input = await inputFile(file);
  try {
    await produceFile(topic, input.path, headers, o);
  } finally {
    input.dispose();
  }
}

/** Checks the input at `path`, then produces it through the journal. */
async function produceFile(topic: string, path: string, headers: Record<string, string>, o: ProduceOptions): Promise<void> {
  const admin = connect(o).admin;
  const interrupted = interruptSignal();
  const before = await admin.describeTopic(topic, interrupted);
  if (o.partition !== undefined && o.partition >= before.config.partitions) {
    throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `topic '${topic}' has no partition ${o.partition} (it has ${before.config.partitions})`);
  }
  const lineOptions: LineOptions = { format: o.format, keyField: o.keyField, headers, partition: o.partition, maxMessageBytes: before.config.maxMessageBytes };
  const checked = await checkInput(path, [o.url, topic, o.format, o.keyField, o.partition, headers, o.skipInvalid === true], lineOptions);
  if (checked.badCount > 0 && !o.skipInvalid) {
    throw new CliError(
      "INVALID_INPUT",
      `${checked.badCount} of ${checked.lines} lines are malformed; nothing was sent:\n${describeBad(checked)}`,
      EXIT.INVALID_INPUT,
      "fix those lines, or give --skip-invalid to produce the others",
    );
  }
  for (const line of checked.bad) process.stderr.write(`skipped line ${line.line}: ${line.reason}\n`);
  if (checked.badCount > checked.bad.length) process.stderr.write(`skipped ${checked.badCount - checked.bad.length} more malformed lines\n`);

  const journal = o.outbox ?? defaultJournal(checked.digest);
  claimJournal(journal, checked.digest);
  const client = connect(o, {
    outbox: { file: journal },
    outboxPolicy: "reject",
    maxOutboxRecords: 10 * WINDOW,
    maxOutboxBytes: 1024 * 1024 * 1024,
    maxBatchRecords: o.batchRecords,
    maxBatchBytes: 1024 * 1024,
    lingerMs: 5,
  });
  const started = Date.now();
  let outcome: { earlier: number; sent: number };
  try {
    const records = (skip: number) => inputRecords(path, lineOptions, skip);
    outcome = await send(client, topic, checked.records, records, { journal, progress: o.progress === true, signal: interrupted });
  } catch (err) {
    await client.close();
    // Records the bus refused for good stay in the journal as dead letters: a rerun would stop on them.
    if (err instanceof EdgelogError && err.records.length > 0) throw withHint(err, `the refused records (${err.records.length}) stay in ${journal}; fix the cause, then delete it and run again`);
    throw err;
  }
  await client.close();
  if (interrupted.aborted) {
    process.stderr.write(`interrupted: what was sent is in ${journal}; run the same command again to finish (nothing is sent twice)\n`);
    process.exitCode = EXIT.INTERRUPTED;
    return;
  }
  removeJournal(journal);
  const after = await admin.describeTopic(topic).catch(() => before);
  const seconds = (Date.now() - started) / 1000;
  summarize(topic, { ...outcome, records: checked.records, skipped: checked.badCount, seconds, partitions: touched(before, after) }, o.json);
}

/** Appends what an earlier run did not take, in chunks within the window, then waits for every acknowledgement. */
async function send(
  client: Client,
  topic: string,
  total: number,
  records: (skip: number) => AsyncIterable<ProduceRecord>,
  run: { journal: string; progress: boolean; signal: AbortSignal },
): Promise<{ earlier: number; sent: number }> {
  const { signal } = run;
  const start = await client.stats();
  const taken = alreadyTaken(start, run.journal, total);
  const progress = progressLine(topic, total, start.acked, run.progress);
  let warned = false;
  client.on("offline", () => {
    if (!warned) process.stderr.write("the bus is not answering; retrying (Ctrl-C stops, and the same command resumes)\n");
    warned = true;
  });
  // The outbox counts acknowledgements over the journal's life: earlier runs' included.
  const tick = setInterval(() => void client.stats().then((s) => progress.update(s.acked), () => {}), 250);
  const producer = client.producer({ topic });
  const append = async (chunk: ProduceRecord[]) => {
    while ((await client.stats()).pending > WINDOW && !signal.aborted) await new Promise((r) => setTimeout(r, 20));
    if (!signal.aborted) await producer.send(chunk);
  };
  try {
    let chunk: ProduceRecord[] = [];
    for await (const record of records(taken)) {
      if (signal.aborted) break;
      chunk.push(record);
      if (chunk.length === CHUNK) {
        await append(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) await append(chunk);
    if (!signal.aborted) await client.flush({ signal }).catch((err) => (signal.aborted ? undefined : Promise.reject(err)));
    if (!signal.aborted) progress.update(total);
    // After a flush every record is delivered; the outbox's own count may still lag behind the bus's answers.
    const sent = signal.aborted ? (await client.stats()).acked - start.acked : total - start.acked;
    return { earlier: start.acked, sent };
  } finally {
    clearInterval(tick);
    progress.stop();
  }
}

function describeBad(checked: CheckedInput): string {
  const shown = checked.bad.map((b) => `  line ${b.line}: ${b.reason}`);
  const more = checked.badCount - checked.bad.length;
  if (more > 0) shown.push(`  … and ${more} more, up to line ${checked.lastBad}`);
  return shown.join("\n");
}

/** Partitions whose high watermark moved during the run. */
function touched(before: TopicDescription, after: TopicDescription): number {
  return after.partitions.filter((p) => p.highWatermark > (before.partitions.find((b) => b.partition === p.partition)?.highWatermark ?? 0)).length;
}

interface Summary {
  /** Records in the input (valid lines). */
  records: number;
  /** Acknowledged by the bus during this run. */
  sent: number;
  /** Acknowledged during an earlier, interrupted run of the same input. */
  earlier: number;
  skipped: number;
  seconds: number;
  partitions: number;
}

function summarize(topic: string, s: Summary, json: boolean | undefined): void {
  const rate = s.seconds > 0 ? Math.round(s.sent / s.seconds) : s.sent;
  if (json) {
    const { records, sent, earlier, skipped, partitions, seconds } = s;
    return printJson({ topic, records, sent, sentEarlier: earlier, skippedLines: skipped, partitions, seconds, recordsPerSecond: rate });
  }
  let line = `produced ${s.records} record${s.records === 1 ? "" : "s"} to ${topic} (${s.partitions} partition${s.partitions === 1 ? "" : "s"}) in ${s.seconds.toFixed(1)} s, ${rate} records/s`;
  if (s.earlier > 0) line += `; resumed: ${s.earlier} of them had been delivered by an earlier run`;
  if (s.skipped > 0) line += `; skipped ${s.skipped} malformed lines`;
  process.stderr.write(`${line}\n`);
}
