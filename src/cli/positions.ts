/**
 * @module
 * Positions in a partition as the command line writes them (`--from`,
 * `--to`): `earliest`, `latest`, an offset, or a time — an ISO 8601 date or
 * `@` and milliseconds since the epoch. A bare number is always an offset,
 * so a time is never mistaken for one.
 */

import type { StartPosition } from "../index.ts";
import { usageError } from "./errors.ts";

export function parsePosition(text: string, option: string): StartPosition {
  const t = text.trim();
  if (t === "earliest" || t === "latest") return t;
  if (/^\d+$/.test(t)) {
    const offset = Number(t);
    if (Number.isSafeInteger(offset)) return offset;
  }
  if (/^@\d+$/.test(t)) return { timestamp: Number(t.slice(1)) };
  // An ISO date at least (2026-01-31), so plain words and numbers are not read as times.
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return { timestamp: ms };
  }
  throw usageError(
    `${option} is earliest, latest, an offset, an ISO time or @<ms since the epoch> (got '${text}')`,
    `e.g. ${option} earliest, ${option} 42, ${option} 2026-01-31T12:00:00Z, ${option} @1769860800000`,
  );
}
