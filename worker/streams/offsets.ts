/**
 * @module
 * Offsets as the protocol wants them: opaque strings that sort
 * lexicographically in stream order. Offset N of the log is written
 * `0000000000000000_` followed by N in 16 decimal digits, so string order
 * is number order (N stays below 2^53, which has 16 digits). The first
 * field is always zero today; it is room to re-base a log later without
 * breaking the order. `-1` (the start) and `now` (the tail) are the
 * protocol's sentinels and are never produced.
 */

const WIDTH = 16;
const ZERO = "0".repeat(WIDTH);
const FORMAT = /^([0-9]{16})_([0-9]{16})$/;

export function formatOffset(offset: number): string {
  return `${ZERO}_${String(offset).padStart(WIDTH, "0")}`;
}

/**
 * A parsed `offset`: a log offset, a sentinel, or "beyond" for a well-formed
 * offset this server never hands out (past any stream); null when malformed.
 */
type ParsedOffset = number | "start" | "now" | "beyond";

export function parseOffset(text: string): ParsedOffset | null {
  if (text === "-1") return "start";
  if (text === "now") return "now";
  const m = FORMAT.exec(text);
  if (!m) return null;
  const n = Number(m[2]);
  return m[1] !== ZERO || !Number.isSafeInteger(n) ? "beyond" : n;
}
