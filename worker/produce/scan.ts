/**
 * @module
 * The produce hot path's body reader. A produce request's values only pass
 * through the bus: parsing them into objects (JSON.parse), walking them
 * with the schema and stringifying them again cost more than storing them.
 * This reader checks the request's JSON grammar and the record schema in
 * one pass over the text and keeps each value as the JSON text it arrived
 * as.
 *
 * It only ever says yes to requests the schema (schemas/records.ts) accepts
 * with the same meaning, and answers `undefined` for anything else, rare or
 * wrong: the caller then takes the schema's path, which accepts or refuses
 * with its own message. test/worker/produce-scan.test.ts holds the two to
 * that, case by case and with generated requests.
 */

import { BASE64_PATTERN } from "../../src/protocol/codec.ts";
import { MAX_HEADERS_PER_RECORD, MAX_PARTITIONS, MAX_RECORDS_PER_REQUEST } from "../../src/protocol/limits.ts";
import { JsonScanner, oneLine } from "../json-scanner.ts";

/** A record as the schema means it, with its value still JSON text. */
export interface ScannedRecord {
  key?: string | null;
  keyBase64?: string;
  /** The value's JSON text, exactly as sent. */
  valueJson?: string;
  valueBase64?: string;
  headers?: Record<string, string>;
  partition?: number;
  timestamp?: number;
}

/** Year 275760: the largest time a JavaScript Date can hold (as in the schema). */
const MAX_TIMESTAMP = 8.64e15;

const INTEGER = /^(?:0|[1-9][0-9]{0,15})$/;
/** A record's members as they are spelled on the wire (no escapes), the usual first. */
const MEMBER_NAMES = ['"value"', '"key"', '"headers"', '"valueBase64"', '"keyBase64"', '"partition"', '"timestamp"'];

/** A member name: the known ones without a regex, the rest as raw strings. */
function memberName(s: JsonScanner): string | undefined {
  s.skipWhitespace();
  for (const known of MEMBER_NAMES) {
    if (s.text.startsWith(known, s.pos)) {
      s.pos += known.length;
      return known;
    }
  }
  return s.rawString();
}

/** The produce request's records, or undefined when the schema must decide. */
export function scanProduceBody(text: string): ScannedRecord[] | undefined {
  const s = new JsonScanner(text);
  if (!s.expect(0x7b) || s.rawString() !== '"records"' || !s.expect(0x3a) || !s.expect(0x5b)) return undefined;
  const records: ScannedRecord[] = [];
  if (s.accept(0x5d)) return undefined; // empty: the schema's message
  do {
    const record = scanRecord(s);
    if (!record || records.length === MAX_RECORDS_PER_REQUEST) return undefined;
    records.push(record);
  } while (s.accept(0x2c));
  if (!s.expect(0x5d) || !s.expect(0x7d)) return undefined;
  return s.atEnd() ? records : undefined;
}

function scanRecord(s: JsonScanner): ScannedRecord | undefined {
  if (!s.expect(0x7b)) return undefined;
  const record: ScannedRecord = {};
  if (s.accept(0x7d)) return undefined; // no value: the schema's message
  do {
    const name = memberName(s);
    if (name === undefined || !s.expect(0x3a)) return undefined;
    if (name === '"headers"') {
      if (record.headers !== undefined) return undefined;
      const headers = scanHeaders(s);
      if (!headers) return undefined;
      record.headers = headers;
      continue;
    }
    const span = s.value();
    if (!span) return undefined;
    const raw = s.text.slice(span[0], span[1]);
    // A repeated member: JSON.parse keeps the last; leave that to it.
    switch (name) {
      case '"key"':
        if (record.key !== undefined) return undefined;
        if (raw === "null") record.key = null;
        else if (raw.charCodeAt(0) === 0x22) record.key = stringValue(raw);
        else return undefined;
        break;
      case '"keyBase64"':
      case '"valueBase64"': {
        const field = name === '"keyBase64"' ? "keyBase64" : "valueBase64";
        if (record[field] !== undefined || raw.charCodeAt(0) !== 0x22 || raw.includes("\\")) return undefined;
        const b64 = raw.slice(1, -1);
        if (!BASE64_PATTERN.test(b64)) return undefined;
        record[field] = b64;
        break;
      }
      case '"value"':
        if (record.valueJson !== undefined) return undefined;
        // Stored records are one per line; the value keeps its text otherwise.
        record.valueJson = oneLine(raw);
        break;
      case '"partition"':
      case '"timestamp"': {
        const field = name === '"partition"' ? "partition" : "timestamp";
        if (record[field] !== undefined || !INTEGER.test(raw)) return undefined;
        const n = Number(raw);
        if (n > (field === "partition" ? MAX_PARTITIONS - 1 : MAX_TIMESTAMP)) return undefined;
        record[field] = n;
        break;
      }
      default:
        return undefined;
    }
  } while (s.accept(0x2c));
  if (!s.expect(0x7d)) return undefined;
  // The schema's cross-field rules.
  if ((record.valueJson === undefined) === (record.valueBase64 === undefined)) return undefined;
  if (record.key != null && record.keyBase64 !== undefined) return undefined;
  return record;
}

/** A JSON string literal's value; escapes are rare, and JSON.parse reads them. */
function stringValue(raw: string): string {
  return raw.includes("\\") ? (JSON.parse(raw) as string) : raw.slice(1, -1);
}

/** Headers: an object of at most MAX_HEADERS_PER_RECORD strings, or undefined when anything is off. */
function scanHeaders(s: JsonScanner): Record<string, string> | undefined {
  if (!s.expect(0x7b)) return undefined;
  const headers: Record<string, string> = {};
  if (s.accept(0x7d)) return headers;
  let count = 0;
  do {
    const name = s.rawString();
    if (name === undefined || !s.expect(0x3a)) return undefined;
    const value = s.rawString();
    if (value === undefined) return undefined;
    const key = stringValue(name);
    // Counting repeats too: stricter than the schema, which is allowed.
    if (key === "__proto__" || ++count > MAX_HEADERS_PER_RECORD) return undefined;
    headers[key] = stringValue(value);
  } while (s.accept(0x2c));
  return s.expect(0x7d) ? headers : undefined;
}
