/**
 * @module
 * How consume and tail print a record: `ndjson` (one JSON object per line:
 * partition, offset, timestamp, key, value, headers — bytes stay base64 as
 * keyBase64/valueBase64), `value` (the value alone: a string as its raw
 * text, bytes as raw bytes, anything else as compact JSON — so lines
 * produced as text or NDJSON come back as they went in), or `table` (a
 * readable row per record, aligned, for people).
 */

import Table from "cli-table3";
import type { ConsumerRecord } from "../index.ts";
import { formatTime } from "./output.ts";

export type RecordFormat = "ndjson" | "value" | "table";
export const RECORD_FORMATS: readonly RecordFormat[] = ["ndjson", "value", "table"];

/** Turns records into output chunks; the table format also has a header. */
interface RecordPrinter {
  header(): string;
  line(record: ConsumerRecord): string | Uint8Array;
}

function ndjson(r: ConsumerRecord): string {
  const out: Record<string, unknown> = { partition: r.partition, offset: r.offset, timestamp: r.timestamp };
  if (r.keyBase64 !== undefined) out.keyBase64 = r.keyBase64;
  else out.key = r.key ?? null;
  if (r.valueBase64 !== undefined) out.valueBase64 = r.valueBase64;
  else out.value = r.value ?? null;
  out.headers = r.headers;
  return `${JSON.stringify(out)}\n`;
}

function value(r: ConsumerRecord): string | Uint8Array {
  if (r.valueBase64 !== undefined) return Buffer.concat([Buffer.from(r.valueBase64, "base64"), Buffer.from("\n")]);
  return `${typeof r.value === "string" ? r.value : JSON.stringify(r.value ?? null)}\n`;
}

const BORDERLESS = {
  top: "", "top-mid": "", "top-left": "", "top-right": "",
  bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "",
  left: "", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "", middle: " ",
};

/** One row per record with fixed column widths, so rows printed one at a time still line up. */
function tablePrinter(width: number): RecordPrinter {
  const fixed = [5, 9, 24, 16, 20];
  const valueWidth = Math.max(20, width - fixed.reduce((a, b) => a + b + 1, 0) - 1);
  const colWidths = [...fixed.slice(0, 4), valueWidth, fixed[4]!];
  const row = (cells: string[]) => {
    const table = new Table({ chars: BORDERLESS, colWidths, style: { head: [], border: [], "padding-left": 0, "padding-right": 0 }, wordWrap: false });
    table.push(cells.map((c) => c.replace(/[\r\n\t]/g, " ")));
    return `${table.toString().trimEnd()}\n`;
  };
  return {
    header: () => row(["part", "offset", "time", "key", "value", "headers"]),
    line: (r) =>
      row([
        String(r.partition),
        String(r.offset),
        formatTime(r.timestamp),
        r.keyBase64 !== undefined ? `b64:${r.keyBase64}` : (r.key ?? "-"),
        r.valueBase64 !== undefined ? `b64:${r.valueBase64}` : typeof r.value === "string" ? r.value : JSON.stringify(r.value ?? null),
        Object.entries(r.headers).map(([k, v]) => `${k}=${v}`).join(",") || "-",
      ]),
  };
}

export function recordPrinter(format: RecordFormat): RecordPrinter {
  if (format === "table") return tablePrinter(process.stdout.columns || 120);
  return { header: () => "", line: format === "ndjson" ? ndjson : value };
}
