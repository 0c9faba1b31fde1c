/**
 * @module
 * What `edgelog produce` reads: the whole input (a file, or stdin), split
 * into lines — `\n` or `\r\n`, a final newline optional — and each line
 * turned into a record: as a text value, or with `--format ndjson` as a
 * JSON value, its key taken from `--key-field`. Every line is checked
 * before anything is sent (JSON, the key, the topic's record size limit),
 * so a bad line is reported with its number and the run can be refused
 * whole.
 */

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import type { JsonValue, ProduceRecord } from "../index.ts";
import { usageError } from "./errors.ts";

interface LineOptions {
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

interface ParsedInput {
  records: ProduceRecord[];
  bad: BadLine[];
  /** Input lines read (blank NDJSON lines included). */
  lines: number;
}

/** The input as text: stdin for `-` or no file. */
export async function readInput(file: string | undefined): Promise<string> {
  if (file === undefined || file === "-") return text(process.stdin);
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/** A digest naming this input and everything that decides its records, for the journal's file name. */
export function inputDigest(parts: unknown[], input: string): string {
  return createHash("sha256").update(JSON.stringify(parts)).update("\0").update(input).digest("hex").slice(0, 32);
}

export function parseLines(input: string, o: LineOptions): ParsedInput {
  const lines = input.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const records: ProduceRecord[] = [];
  const bad: BadLine[] = [];
  const path = o.keyField?.split(".");
  const headersJson = JSON.stringify(o.headers);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    let value: JsonValue;
    let key: string | undefined;
    if (o.format === "ndjson") {
      if (line.trim() === "") continue;
      try {
        value = JSON.parse(line) as JsonValue;
      } catch (err) {
        bad.push({ line: i + 1, reason: `not JSON (${(err as Error).message})` });
        continue;
      }
      if (path) {
        const found = keyAt(value, path);
        if (found === undefined) {
          bad.push({ line: i + 1, reason: `no string or number at '${o.keyField}' for the key` });
          continue;
        }
        key = found;
      }
    } else {
      value = line;
    }
    // The size the bus checks against maxMessageBytes: key, value and headers as stored.
    const size = Buffer.byteLength(`"key":${key === undefined ? "null" : JSON.stringify(key)},"value":${JSON.stringify(value)},"headers":${headersJson}`);
    if (size > o.maxMessageBytes) {
      bad.push({ line: i + 1, reason: `the record is ${size} bytes; the topic takes at most ${o.maxMessageBytes}` });
      continue;
    }
    const record: ProduceRecord = { value };
    if (key !== undefined) record.key = key;
    if (Object.keys(o.headers).length > 0) record.headers = o.headers;
    if (o.partition !== undefined) record.partition = o.partition;
    records.push(record);
  }
  return { records, bad, lines: lines.length };
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
