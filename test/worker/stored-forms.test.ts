/**
 * The partition leader stores a batch in one of three forms (schema.ts,
 * version 4): value members only, bare bodies, or whole lines. Whatever the
 * form, and whether a read is served from the in-memory tail or from SQLite,
 * every read, slice and timestamp seek must see the same records.
 */

import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { migrate } from "../../worker/durable/migrations.ts";
import { LEADER_MIGRATIONS } from "../../worker/durable/partition-leader/schema.ts";

let n = 0;
const leader = () => env.PARTITION_LEADER.getByName(`stored-forms-${n++}`);
type Stub = ReturnType<typeof leader>;

interface Rec {
  offset: number;
  timestamp: number;
  key: string | null;
  keyBase64?: string;
  value?: unknown;
  valueBase64?: string;
  headers: Record<string, string>;
}

/** Batches, one per stored form, with the records each must read back as. */
async function fill(stub: Stub): Promise<Rec[]> {
  const t = 1_700_000_000_000;
  const appends = [
    // Keyless, no headers, one (the leader's) timestamp: value members only.
    { bodies: ['"key":null,"value":"a","headers":{}', '"key":null,"value":{"headers":{}},"headers":{}', '"key":null,"valueBase64":"AAE=","headers":{}'] },
    // A key or headers, one timestamp: bare bodies.
    { bodies: ['"key":"k","value":1,"headers":{}', '"key":null,"value":[2],"headers":{"h":"v"}', '"keyBase64":"/w==","value":null,"headers":{}'], timestamps: [t, t, t] },
    // Each record its own timestamp (a missing one is the leader's clock): whole lines.
    { bodies: ['"key":null,"value":"x","headers":{}', '"key":null,"value":"y","headers":{}'], timestamps: [t + 1, null] },
    // One shared producer timestamp, keyless: value members only again.
    { bodies: ['"key":null,"value":"p","headers":{}', '"key":null,"value":"q","headers":{}'], timestamps: [t + 3, t + 3] },
  ];
  const before = Date.now();
  for (const a of appends) expect(await stub.append(a)).toMatchObject({ ok: true });
  const after = Date.now();
  const records = (await readFrom(stub, "earliest", 100)).records;
  // The leader's clock stamped the first batch, and the record of the third that has no timestamp.
  for (const r of [records[0]!, records[1]!, records[2]!, records[7]!]) {
    expect(r.timestamp).toBeGreaterThanOrEqual(before);
    expect(r.timestamp).toBeLessThanOrEqual(after);
  }
  const now0 = records[0]!.timestamp;
  const now7 = records[7]!.timestamp;
  const expected: Rec[] = [
    { offset: 0, timestamp: now0, key: null, value: "a", headers: {} },
    { offset: 1, timestamp: now0, key: null, value: { headers: {} }, headers: {} },
    { offset: 2, timestamp: now0, key: null, valueBase64: "AAE=", headers: {} },
    { offset: 3, timestamp: t, key: "k", value: 1, headers: {} },
    { offset: 4, timestamp: t, key: null, value: [2], headers: { h: "v" } },
    { offset: 5, timestamp: t, keyBase64: "/w==", value: null, headers: {} } as Rec,
    { offset: 6, timestamp: t + 1, key: null, value: "x", headers: {} },
    { offset: 7, timestamp: now7, key: null, value: "y", headers: {} },
    { offset: 8, timestamp: t + 3, key: null, value: "p", headers: {} },
    { offset: 9, timestamp: t + 3, key: null, value: "q", headers: {} },
  ];
  expect(records).toEqual(expected);
  return expected;
}

async function readFrom(stub: Stub, from: number | "earliest" | { timestamp: number }, maxRecords: number, maxBytes = 1 << 20) {
  const r = await stub.read({ from, maxRecords, maxBytes, waitMs: 0 });
  if (!r.ok) throw new Error(r.error.message);
  return { ...r, records: JSON.parse(`[${r.records}]`) as Rec[] };
}

/** Every slice of every length from every offset, and byte-limited reads, against the expected records. */
async function checkSlices(stub: Stub, expected: Rec[]): Promise<void> {
  for (let from = 0; from < expected.length; from++) {
    for (const max of [1, 2, 4, 100]) {
      const r = await readFrom(stub, from, max);
      expect(r.records).toEqual(expected.slice(from, from + max));
      expect(r.nextOffset).toBe(Math.min(from + max, expected.length));
    }
    // maxBytes: at least one record, and no more bytes than asked beyond the first.
    const small = await readFrom(stub, from, 100, 120);
    expect(small.records.length).toBeGreaterThanOrEqual(1);
    expect(small.records).toEqual(expected.slice(from, from + small.records.length));
    if (small.records.length > 1) expect(new TextEncoder().encode(JSON.stringify(small.records)).length).toBeLessThanOrEqual(120 + 2);
  }
}

describe("stored forms", () => {
  it("store each batch in its form and read every form back the same, from memory and from SQLite", async () => {
    const stub = leader();
    const expected = await fill(stub);
    const forms = await runInDurableObject(stub, (_, state) =>
      state.storage.sql
        .exec<{ stamp: number | null; values_only: number; records: string }>("SELECT stamp, values_only, records FROM batches ORDER BY base_offset")
        .toArray(),
    );
    expect(forms.map((f) => [f.stamp !== null, f.values_only])).toEqual([
      [true, 1],
      [true, 0],
      [false, 0],
      [true, 1],
    ]);
    expect(forms[0]!.records).toBe('"value":"a"\n"value":{"headers":{}}\n"valueBase64":"AAE="');
    await checkSlices(stub, expected);
    await evictDurableObject(stub);
    await checkSlices(stub, expected);
  });

  it("seek by timestamp into every form", async () => {
    const stub = leader();
    const expected = await fill(stub);
    await evictDurableObject(stub);
    for (const r of expected) {
      const first = expected.find((x) => x.timestamp >= r.timestamp)!;
      expect((await readFrom(stub, { timestamp: r.timestamp }, 1)).records[0]).toEqual(first);
    }
  });

  it("read rows stored before stored forms existed (whole lines, no stamp) beside new ones", async () => {
    const stub = leader();
    await runInDurableObject(stub, (_, state) => {
      // A new object stores nothing until it is written to: its schema first.
      migrate(state.storage, LEADER_MIGRATIONS);
      // What version 3 wrote: whole lines, stamp and values_only at their defaults.
      state.storage.sql.exec(
        `INSERT INTO batches (base_offset, record_count, max_timestamp, cum_max_timestamp, bytes, records)
         VALUES (0, 2, 5, 5, 10, '{"offset":0,"timestamp":5,"key":null,"value":"old0","headers":{}}' || char(10) || '{"offset":1,"timestamp":5,"key":null,"value":"old1","headers":{}}')`,
      );
      state.storage.sql.exec("UPDATE partition_state SET high_watermark = 2, record_count = 2, bytes = 10, max_timestamp = 5");
      state.storage.sql.exec("INSERT INTO segments (base_offset, end_offset, state, batch_count, record_count, bytes, max_timestamp, cum_max_timestamp, opened_at) VALUES (0, NULL, 'open', 0, 0, 0, 0, 0, 0)");
    });
    await evictDurableObject(stub);
    expect(await stub.append({ bodies: ['"key":null,"value":"new","headers":{}'] })).toMatchObject({ ok: true, baseOffset: 2 });
    const all = (await readFrom(stub, "earliest", 100)).records;
    expect(all.map((r) => [r.offset, r.value])).toEqual([
      [0, "old0"],
      [1, "old1"],
      [2, "new"],
    ]);
    expect((await readFrom(stub, 1, 100)).records.map((r) => r.offset)).toEqual([1, 2]);
  });
});
