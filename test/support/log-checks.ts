/**
 * @module
 * Checks on a log read back from the bus, each returning what is wrong (an
 * empty list when nothing is) so a failing test names the exact records.
 */

import type { ConsumedRecord } from "../../src/protocol/types.ts";

/** Records whose offset breaks the run 0, 1, 2, … of a partition read from `earliest`. */
export function offsetGaps(log: ConsumedRecord[]): string[] {
  return log.flatMap((r, i) => (r.offset === i ? [] : [`offset ${r.offset} at position ${i}`]));
}

/** Values that occur more than once. */
export function repeated(values: string[]): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const v of values) {
    if (seen.has(v)) twice.push(v);
    seen.add(v);
  }
  return twice;
}
