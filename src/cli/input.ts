/**
 * @module
 * What `edgelog produce` reads: a file, or stdin, split into lines — `\n`
 * or `\r\n`, a final newline optional — and each line turned into a record:
 * as a text value, or with `--format ndjson` as a JSON value, its key taken
 * from `--key-field`.
 *
 * The input is read twice, a chunk at a time, so memory stays flat however
 * long it is: once to check every line (JSON, the key, the topic's record
 * size limit) and to digest it, before anything is sent, so a bad line is
 * reported with its number and the run can be refused whole; then again to
 * send it. Stdin is copied to a temporary file first, since it can only be
 * read once.
 */

import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { access, constants, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import type { JsonValue, ProduceRecord } from "../index.ts";
import { usageError } from "./errors.ts";

export interface LineOptions {
  format: "text" | "ndjson";
  keyField?: string;
  headers: Record<string, string>;
  partition?: number;
  /** The topic's maxMessageBytes. */
  maxMessageBytes: number;
}

export interface BadLine {
  line: number;
  reason: string;
}

/** Bad lines kept to report; the rest are only counted. */
const REPORTED = 20;

export interface CheckedInput {
  /** Valid records in the input. */
  records: number;
  /** Input lines read (blank NDJSON lines included). */
  lines: number;
  /** The first bad lines, at most REPORTED of them. */
  bad: BadLine[];
  badCount: number;
  /** The number of the last bad line (0 when none). */
  lastBad: number;
  /** Names this input and everything that decides its records, for the journal's file name. */
  digest: string;
}

export interface InputFile {
  path: string;
  /** Removes stdin's temporary copy; nothing for a file. */
  dispose(): void;
}

/** The input as a file that can be read twice: the file itself, or stdin (`-` or no file) copied to a temporary file. */
export async function inputFile(file: string | undefined): Promise<InputFile> {
  if (file !== undefined && file !== "-") {
    try {
      if ((await stat(file)).isDirectory()) throw new Error("it is a directory");
      await access(file, constants.R_OK);
    } catch (err) {
      throw usageError(`cannot read ${file}: ${(err as Error).message}`);
    }
    return { path: file, dispose: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), "edgelog-stdin-"));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  const path = join(dir, "input");
  try {
    await pipeline(process.stdin, createWriteStream(path));
  } catch (err) {
    dispose();
    throw err;
  }
  return { path, dispose };
}

/** Checks every line and digests the input (with `parts`, the options that shape records), sending nothing. */
export async function checkInput(path: string, parts: unknown[], o: LineOptions): Promise<CheckedInput> {
  const hash = createHash("sha256").update(JSON.stringify(parts)).update("\0");
  const checked: CheckedInput = { records: 0, lines: 0, bad: [], badCount: 0, lastBad: 0, digest: "" };
  const parse = lineParser(o);
  for await (const line of lines(path, (chunk) => hash.update(chunk))) {
    checked.lines++;
    const parsed = parse(line);
    if (parsed === null) continue;
    if ("reason" in parsed) {
      checked.badCount++;
      checked.lastBad = checked.lines;
      if (checked.bad.length < REPORTED) checked.bad.push({ line: checked.lines, reason: parsed.reason });
    } else {
      checked.records++;
    }
  }
  checked.digest = hash.digest("hex").slice(0, 32);
  return checked;
}

/** The input's valid records in order, after the first `skip` of them. */
export async function* inputRecords(path: string, o: LineOptions, skip: number): AsyncGenerator<ProduceRecord> {
  const parse = lineParser(o);
  let seen = 0;
  for await (const line of lines(path)) {
    const parsed = parse(line);
    if (parsed === null || "reason" in parsed) continue;
    if (seen++ >= skip) yield parsed;
  }
}

/** Lines as the input spells them, `\r\n` taken as `\n`; `onChunk` sees the raw bytes. */
async function* lines(path: string, onChunk?: (chunk: Buffer) => void): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    onChunk?.(chunk);
    const parts = (rest + decoder.write(chunk)).split("\n");
    rest = parts.pop()!;
    for (const part of parts) yield part.endsWith("\r") ? part.slice(0, -1) : part;
  }
  rest += decoder.end();
  if (rest !== "") yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
}

/** A line as a record, a reason it is not one, or null (a blank NDJSON line, skipped). */
function lineParser(o: LineOptions): (line: string) => ProduceRecord | { reason: string } | null {
  const path = o.keyField?.split(".");
  const headersJson = JSON.stringify(o.headers);
  const hasHeaders = Object.keys(o.headers).length > 0;
  return (line) => {
    let value: JsonValue;
    let key: string | undefined;
    if (o.format === "ndjson") {
      if (line.trim() === "") return null;
      try {
        value = JSON.parse(line) as JsonValue;
      } catch (err) {
        return { reason: `not JSON (${(err as Error).message})` };
      }
      if (path) {
        key = keyAt(value, path);
        if (key === undefined) return { reason: `no string or number at '${o.keyField}' for the key` };
      }
    } else {
      value = line;
    }
    // The size the bus checks against maxMessageBytes: key, value and headers as stored.
    const size = Buffer.byteLength(`"key":${key === undefined ? "null" : JSON.stringify(key)},"value":${JSON.stringify(value)},"headers":${headersJson}`);
    if (size > o.maxMessageBytes) return { reason: `the record is ${size} bytes; the topic takes at most ${o.maxMessageBytes}` };
    const record: ProduceRecord = { value };
    if (key !== undefined) record.key = key;
    if (hasHeaders) record.headers = o.headers;
    if (o.partition !== undefined) record.partition = o.partition;
    return record;
  };
}

/** The key at a dotted path (`user.id`): strings as they are, numbers and booleans as their JSON text. */
function keyAt(value: JsonValue, path: string[]): string | undefined {
  let at: JsonValue | undefined = value;
  for (const name of path) {
    if (at === null || typeof at !== "object" || Array.isArray(at)) return undefined;
    at = at[name];
  }
  if (typeof at === "string") return at;
  if (typeof at === "number" || typeof at === "boolean") return JSON.stringify(at);
  return undefined;
}
