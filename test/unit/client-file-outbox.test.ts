import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileOutbox } from "../../src/client/outbox/file.node.ts";
import type { OutboxLimits, SealInput } from "../../src/client/outbox/types.ts";
import { encodeRecord } from "../../src/client/records.ts";

const LIMITS: OutboxLimits = { maxRecords: 1e6, maxBytes: 1e9, policy: "drop-oldest" };

function file(): string {
  return join(mkdtempSync(join(tmpdir(), "edgelog-outbox-")), "outbox.journal");
}

function records(n: number, from = 0) {
  return Array.from({ length: n }, (_, i) => encodeRecord("t", { key: `k${i % 3}`, value: from + i }, 1));
}

function sealInput(identity: { producerId: string; epoch: number }): SealInput {
  return {
    identity,
    topics: new Map([["t", { partitions: 2, maxMessageBytes: 1e6 }]]),
    maxBatchRecords: 10,
    maxBatchBytes: 1e6,
    maxSealedPerPartition: 1,
    scanLimit: 1_000,
    pickKeyless: () => 0,
  };
}

describe("FileOutbox", () => {
  it("replays what was acknowledged: records, sealed tuples, seq state, identity, positions", async () => {
    const path = file();
    const a = await FileOutbox.open(path, "x");
    const identity = await a.nextEpoch();
    await a.append(records(30), LIMITS);
    const first = await a.step({ seal: sealInput(identity), now: 1 });
    await a.step({ acks: [first.sealed[0]!], seal: sealInput(identity), now: 2 });
    await a.setPosition({ consumer: "c", topic: "t", partition: 1 }, 42);
    const sealedBefore = await a.sealed();
    const countersBefore = await a.counters();
    await a.close();

    const b = await FileOutbox.open(path, "x");
    expect(await b.identity()).toEqual(identity);
    expect(await b.sealed()).toEqual(sealedBefore);
    expect(await b.counters()).toEqual(countersBefore);
    expect(await b.getPosition({ consumer: "c", topic: "t", partition: 1 })).toBe(42);
    // The acked partition goes on from seq 1 after the replay.
    const acked = first.sealed[0]!;
    const next = sealedBefore.find((s) => s.partition === acked.partition)!;
    expect(next.seq).toBe(acked.seq + 1);
    await b.close();
  });

  it("drops a torn last line (a crash mid-write) and keeps appending cleanly", async () => {
    const path = file();
    const a = await FileOutbox.open(path, "x");
    await a.append(records(2), LIMITS);
    await a.close();
    appendFileSync(path, '[{"op":"pending","records":[{"id":3,"topic":"t","js');
    const b = await FileOutbox.open(path, "x");
    expect((await b.counters()).lastId).toBe(2);
    expect((await b.append(records(1), LIMITS)).ids).toEqual([3]);
    await b.close();
    const c = await FileOutbox.open(path, "x");
    expect((await c.counters()).lastId).toBe(3);
    await c.close();
  });

  it("refuses a journal corrupt before its end", async () => {
    const path = file();
    writeFileSync(path, 'garbage\n[{"op":"meta","key":"a","value":1}]\n');
    await expect(FileOutbox.open(path, "x")).rejects.toMatchObject({ code: "STORAGE_ERROR" });
  });

  it("compacts the journal once drained", async () => {
    const path = file();
    const a = await FileOutbox.open(path, "x");
    const identity = await a.nextEpoch();
    for (let i = 0; i < 20; i++) await a.append(records(100, i * 100), LIMITS);
    const grown = statSync(path).size;
    expect(grown).toBeGreaterThan(256 * 1024);
    let result = await a.step({ seal: sealInput(identity), now: 1 });
    while (result.sealed.length > 0) {
      for (const batch of result.sealed.slice(1)) await a.step({ acks: [batch], now: 1 });
      result = await a.step({ acks: [result.sealed[0]!], seal: sealInput(identity), now: 1 });
    }
    expect((await a.counters()).records).toBe(0);
    await a.setMeta("tick", 1); // one more write: compaction runs after a write
    expect(statSync(path).size).toBeLessThan(10_000);
    await a.close();
    const b = await FileOutbox.open(path, "x");
    expect(await b.counters()).toMatchObject({ records: 0, acked: 2_000, lastId: 2_000 });
    expect(await b.identity()).toEqual(identity);
    await b.close();
  });

  it("belongs to one process at a time", async () => {
    const path = file();
    const a = await FileOutbox.open(path, "x");
    expect(readFileSync(`${path}.lock`, "utf8")).toBe(String(process.pid));
    writeFileSync(`${path}.lock`, "1"); // pid 1 is alive and is not us
    await expect(FileOutbox.open(path, "x")).rejects.toMatchObject({ code: "OUTBOX_LOCKED" });
    await a.close();
    writeFileSync(`${path}.lock`, "999999999"); // left by a process that is gone
    const b = await FileOutbox.open(path, "x");
    expect(readFileSync(`${path}.lock`, "utf8")).toBe(String(process.pid));
    await b.close();
  });
});
