/**
 * @module
 * The bus seen from Node: create topics, read a topic back over HTTP, and
 * the one assertion every delivery test makes — every record exactly once,
 * in order per key.
 */

import { expect } from "vitest";
import type { ConsumedRecord } from "../../../src/protocol/types.ts";

let topics = 0;

export async function createTopic(bus: string, prefix: string, config: Record<string, unknown> = {}): Promise<string> {
  const name = `${prefix}-${process.pid}-${++topics}-${Date.now()}`;
  const res = await fetch(`${bus}/v1/topics/${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(config),
  });
  expect(res.status).toBe(201);
  return name;
}

export { readAll } from "../../support/api.ts";

export interface Sent {
  key: string;
  n: number;
}

/** The values a harness produce() call sent: keys `${prefix}-k${n % keys}`. */
export function sent(prefix: string, count: number, keys: number, from = 0): Sent[] {
  return Array.from({ length: count }, (_, i) => ({ key: `${prefix}-k${(from + i) % keys}`, n: from + i }));
}

/** Every expected value is stored exactly once, and each key's values are in the order sent. */
export function expectExactlyOnce(partitions: ConsumedRecord[][], expected: Sent[]): void {
  const values = partitions.flat().map((r) => r.value as unknown as Sent);
  const ids = values.map((v) => `${v.key}#${v.n}`);
  const seen = new Map<string, number>();
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  const duplicated = [...seen].filter(([, c]) => c > 1).map(([id]) => id);
  expect(duplicated, "records stored more than once").toEqual([]);
  const missing = expected.map((v) => `${v.key}#${v.n}`).filter((id) => !seen.has(id));
  expect(missing, "records lost").toEqual([]);
  expect(ids.length, "nothing unexpected stored").toBe(expected.length);
  for (const records of partitions) {
    const last = new Map<string, number>();
    for (const r of records) {
      const v = r.value as unknown as Sent;
      expect(v.n, `order within key ${v.key}`).toBeGreaterThan(last.get(v.key) ?? -1);
      last.set(v.key, v.n);
    }
  }
}

/** Polls until `check` passes or `ms` run out. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
