/**
 * @module
 * A stream's content type decides how its bytes are stored and served.
 *
 * - JSON mode (`application/json`, `*+json`): each message is one record
 *   whose value is the message; a POST of an array stores each element
 *   (one level), and reads answer a JSON array of the messages.
 * - Everything else is bytes: each append is one record whose value is the
 *   appended text when it is valid UTF-8, else its base64; reads answer the
 *   bytes of the records back to back.
 *
 * Records are stored in edgelog's record form, `"key":null,"value":…,
 * "headers":{}`, rendered by the topic produce path's own renderBody, so a
 * stream's log is an ordinary partition log.
 */

import { fromBase64, toBase64 } from "../../src/protocol/codec.ts";
import { MAX_RECORDS_PER_REQUEST } from "../../src/protocol/limits.ts";
import { lineBodyStart } from "../durable/partition-leader/record-line.ts";
import { essence } from "../durable/partition-leader/stream-meta.ts";
import { ApiError } from "../http-error.ts";
import { JsonScanner, oneLine } from "../json-scanner.ts";
import { renderBody } from "../produce/plan.ts";

export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

export type BodyMode = "json" | "text" | "binary";

const TOKEN = "[a-z0-9!#$%&'*+.^_`|~-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`);
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** A Content-Type value made canonical (lowercased, `; ` between parameters); null when it is not one. */
export function canonicalContentType(raw: string): string | null {
  const parts = raw.toLowerCase().split(";").map((p) => p.trim());
  if (!MEDIA_TYPE.test(parts[0]!) || parts.slice(1).some((p) => !/^[^=\s]+=\S+$/.test(p))) return null;
  return parts.join("; ");
}

export function modeOf(contentType: string): BodyMode {
  const type = essence(contentType);
  if (type === "application/json" || type.endsWith("+json")) return "json";
  return type.startsWith("text/") ? "text" : "binary";
}

/**
 * The records an append (or a create's initial body) stores. JSON mode
 * checks the body is JSON and flattens one level of array; an empty array
 * is refused on append and means "no records" on create. Each message is
 * stored as the JSON text it arrived as (line breaks dropped), like a topic
 * record's value.
 */
export function recordBodies(mode: BodyMode, bytes: Uint8Array, create: boolean): string[] {
  if (mode !== "json") return bytes.length === 0 ? [] : [bytesBody(bytes)];
  if (bytes.length === 0) return [];
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw notJson();
  }
  const scanned = scanJsonMessages(text) ?? parsedMessages(text);
  if (scanned.array && scanned.messages.length === 0 && !create) {
    throw new ApiError("INVALID_REQUEST", "an empty JSON array appends nothing");
  }
  if (scanned.messages.length > MAX_RECORDS_PER_REQUEST) {
    throw new ApiError("PAYLOAD_TOO_LARGE", `one append holds at most ${MAX_RECORDS_PER_REQUEST} messages`, { limit: MAX_RECORDS_PER_REQUEST });
  }
  return scanned.messages.map((valueJson) => renderBody({ valueJson }));
}

interface JsonMessages {
  /** Whether the body was an array (whose elements are the messages). */
  array: boolean;
  /** Each message's JSON text, on one line. */
  messages: string[];
}

/** The body's messages as sent, or undefined when JSON.parse must decide. */
function scanJsonMessages(text: string): JsonMessages | undefined {
  const s = new JsonScanner(text);
  const messages: string[] = [];
  const array = s.accept(0x5b);
  if (!array) {
    const span = s.value();
    if (!span) return undefined;
    messages.push(oneLine(text.slice(span[0], span[1])));
  } else if (!s.accept(0x5d)) {
    do {
      const span = s.value(1);
      if (!span) return undefined;
      messages.push(oneLine(text.slice(span[0], span[1])));
    } while (s.accept(0x2c));
    if (!s.expect(0x5d)) return undefined;
  }
  return s.atEnd() ? { array, messages } : undefined;
}

/** What the scanner leaves (invalid JSON, or nesting deeper than it follows): JSON.parse's answer. */
function parsedMessages(text: string): JsonMessages {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw notJson();
  }
  if (!Array.isArray(value)) return { array: false, messages: [JSON.stringify(value)] };
  return { array: true, messages: value.map((v) => JSON.stringify(v)) };
}

function notJson(): ApiError {
  return new ApiError("INVALID_REQUEST", "the body of a JSON stream must be valid JSON (UTF-8)");
}


/** A value the bus made itself (a subscription's wake event) as a JSON stream's record. */
export function jsonBody(value: unknown): string {
  return renderBody({ valueJson: JSON.stringify(value) });
}

/** Bytes as a record: the text itself when it is UTF-8 (compact, readable), else base64. */
export function bytesBody(bytes: Uint8Array): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return renderBody({ valueBase64: toBase64(bytes) });
  }
  return renderBody({ valueJson: JSON.stringify(text) });
}

const VALUE = '"value":';
const VALUE_BASE64 = '"valueBase64":"';
const HEADERS_END = ',"headers":{}}';

/** Where a stored stream line's value member starts (after its key member). */
function valueAt(line: string): number {
  return line.indexOf(",", lineBodyStart(line)) + 1;
}

/** A JSON stream's message: the stored value's JSON text, as stored. */
export function messageText(line: string): string {
  return line.slice(valueAt(line) + VALUE.length, line.length - HEADERS_END.length);
}

/** A byte stream's record as text when it was stored as text, else null. */
function storedText(line: string): string | null {
  const at = valueAt(line);
  if (line.startsWith(VALUE_BASE64, at)) return null;
  return JSON.parse(line.slice(at + VALUE.length, line.length - HEADERS_END.length)) as string;
}

export function recordBytes(line: string): Uint8Array {
  const text = storedText(line);
  if (text !== null) return encoder.encode(text);
  const at = valueAt(line) + VALUE_BASE64.length;
  return fromBase64(line.slice(at, line.length - HEADERS_END.length - 1));
}

/** The bytes of records back to back; text records are joined before one encode. */
export function concatBytes(lines: readonly string[]): Uint8Array {
  const texts: string[] = [];
  for (const line of lines) {
    const text = storedText(line);
    if (text === null) return joinParts(lines.map(recordBytes));
    texts.push(text);
  }
  return encoder.encode(texts.join(""));
}

function joinParts(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
