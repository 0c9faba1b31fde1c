/**
 * @module
 * The browser outbox in IndexedDB (through `idb`, which only this module and
 * its helpers in indexeddb-tx.ts import), shared by every tab of the origin.
 * Each method is one transaction; those that decide what goes on the wire
 * (append, seal, epoch) ask for `durability: "strict"`, so they resolve only
 * once on disk. No transaction ever waits on the network: the engine seals
 * in one, sends, and acknowledges in the next.
 */

import { openDB, type IDBPDatabase } from "idb";
import { EdgelogError } from "../errors.ts";
import type { ProducerTuple } from "../http.ts";
import { SealPlanner, batchBody } from "../sync/plan.ts";
import { deadLetterOfBatch, nextIdentity, outboxFull, overflow, positionKey, requeueRecords, seqAfterAck } from "./common.ts";
import {
  abort,
  oldestUnsealed,
  readCounters,
  recordsOf,
  runs,
  sameTuple,
  settle,
  tupleKey,
  type OutboxSchema,
  type StoredBatch,
} from "./indexeddb-tx.ts";
import {
  EMPTY_COUNTERS,
  type AppendResult,
  type Counters,
  type DeadLetter,
  type Eviction,
  type Identity,
  type NewRecord,
  type OutboxLimits,
  type OutboxStore,
  type PositionKey,
  type Progress,
  type SealedBatch,
  type SealedBatchInfo,
  type StepRequest,
  type StepResult,
} from "./types.ts";

const STRICT = { durability: "strict" } as const;
/** Pending records read per request while sealing. */
const SCAN_CHUNK = 1_000;

export class IndexedDbOutbox implements OutboxStore {
  readonly name: string;
  readonly shared = true;
  #db: Promise<IDBPDatabase<OutboxSchema>> | undefined;
  #closed = false;

  private constructor(name: string) {
    this.name = name;
  }

  static async open(name: string): Promise<IndexedDbOutbox> {
    const outbox = new IndexedDbOutbox(name);
    await outbox.#connect();
    return outbox;
  }

  #connect(): Promise<IDBPDatabase<OutboxSchema>> {
    if (this.#closed) return Promise.reject(new EdgelogError("CLOSED", "the outbox is closed"));
    this.#db ??= openDB<OutboxSchema>(`edgelog:${this.name}`, 1, {
      upgrade(db) {
        db.createObjectStore("pending", { keyPath: "id" });
        db.createObjectStore("sealed", { keyPath: ["topic", "partition", "epoch", "seq"] });
        db.createObjectStore("seq", { keyPath: ["topic", "partition"] });
        db.createObjectStore("dead", { keyPath: "id", autoIncrement: true }).createIndex("minId", "minId");
        db.createObjectStore("meta");
        db.createObjectStore("positions");
      },
      // Another tab upgrades the schema, or the browser drops the connection:
      // let go, and connect again on the next call.
      blocking: (_current, _next, event) => {
        (event.target as IDBDatabase).close();
        this.#db = undefined;
      },
      terminated: () => {
        this.#db = undefined;
      },
    }).catch((err: unknown) => {
      this.#db = undefined;
      throw new EdgelogError("STORAGE_ERROR", `cannot open IndexedDB: ${(err as Error).message}`, { cause: err });
    });
    return this.#db;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const db = await this.#db?.catch(() => undefined);
    db?.close();
    this.#db = undefined;
  }

  async identity(): Promise<Identity | undefined> {
    const db = await this.#connect();
    return (await db.get("meta", "identity")) as Identity | undefined;
  }

  async nextEpoch(atLeast = 0): Promise<Identity> {
    const tx = (await this.#connect()).transaction("meta", "readwrite", STRICT);
    const identity = nextIdentity((await tx.store.get("identity")) as Identity | undefined, atLeast);
    await Promise.all([tx.store.put(identity, "identity"), tx.done]);
    return identity;
  }

  async append(records: NewRecord[], limits: OutboxLimits): Promise<AppendResult> {
    const tx = (await this.#connect()).transaction(["pending", "sealed", "meta"], "readwrite", STRICT);
    const counters = await readCounters(tx);
    const bytes = records.reduce((sum, r) => sum + r.bytes, 0);
    const over = overflow(counters, records.length, bytes, limits);
    const writes: Promise<unknown>[] = [];
    let evicted: Eviction = { count: 0, firstId: 0, lastId: 0 };
    if (over.records > 0 || over.bytes > 0) {
      if (limits.policy === "reject") throw abort(tx, outboxFull(limits, "policy 'reject'"));
      const freed = await oldestUnsealed(tx, over);
      if (freed.count < over.records || freed.bytes < over.bytes) throw abort(tx, outboxFull(limits, "sealed batches fill it"));
      for (const [first, last] of runs(freed.ids)) writes.push(tx.objectStore("pending").delete(IDBKeyRange.bound(first, last)));
      evicted = freed;
      counters.records -= freed.count;
      counters.bytes -= freed.bytes;
      counters.dropped += freed.count;
    }
    const ids: number[] = [];
    const pending = tx.objectStore("pending");
    for (const r of records) {
      const id = ++counters.lastId;
      ids.push(id);
      writes.push(pending.put({ ...r, id }));
    }
    counters.records += records.length;
    counters.bytes += bytes;
    writes.push(tx.objectStore("meta").put(counters, "counters"));
    await settle(writes, tx.done);
    return { ids, evicted: { count: evicted.count, firstId: evicted.firstId, lastId: evicted.lastId }, counters };
  }

  async evictOldest(count: number): Promise<Eviction & { counters: Counters }> {
    const tx = (await this.#connect()).transaction(["pending", "sealed", "meta"], "readwrite", STRICT);
    const counters = await readCounters(tx);
    const freed = await oldestUnsealed(tx, { records: count, bytes: 0 });
    const writes: Promise<unknown>[] = [];
    for (const [first, last] of runs(freed.ids)) writes.push(tx.objectStore("pending").delete(IDBKeyRange.bound(first, last)));
    counters.records -= freed.count;
    counters.bytes -= freed.bytes;
    counters.dropped += freed.count;
    writes.push(tx.objectStore("meta").put(counters, "counters"));
    await settle(writes, tx.done);
    return { count: freed.count, firstId: freed.firstId, lastId: freed.lastId, counters };
  }

  async sealed(): Promise<SealedBatch[]> {
    const tx = (await this.#connect()).transaction(["pending", "sealed"], "readonly");
    const out: SealedBatch[] = [];
    for (const { acked, ...info } of await tx.objectStore("sealed").getAll()) {
      if (acked) continue;
      const records = await recordsOf(tx.objectStore("pending"), info.ids);
      out.push({ ...info, body: batchBody(info.ids.map((id) => records.get(id)!.json)) });
    }
    return out; // key order is wire order
  }

  async step(request: StepRequest): Promise<StepResult> {
    const tx = (await this.#connect()).transaction(["pending", "sealed", "seq", "dead", "meta"], "readwrite", STRICT);
    const sealedStore = tx.objectStore("sealed");
    const seqStore = tx.objectStore("seq");
    const deadStore = tx.objectStore("dead");
    const pending = tx.objectStore("pending");
    const meta = tx.objectStore("meta");
    const [counters, storedScanFrom] = await Promise.all([readCounters(tx), meta.get("scanFrom")]);
    let scanFrom = (storedScanFrom as number | undefined) ?? 0;
    const writes: Promise<unknown>[] = [];
    const deadLetters: DeadLetter[] = [];
    // Only the batch as sealed (same tuple), not yet settled, is settled: a stale answer changes nothing.
    const settleBatch = async (b: SealedBatchInfo): Promise<StoredBatch | undefined> => {
      const stored = await sealedStore.get(tupleKey(b));
      if (!stored || stored.acked) return undefined;
      counters.records -= b.ids.length;
      counters.bytes -= b.bytes;
      return stored;
    };
    for (const ack of request.acks ?? []) {
      const acked = await settleBatch(ack);
      if (!acked) continue;
      writes.push(sealedStore.put({ ...acked, acked: true }));
      // Reads see this step's earlier writes: two acks of one partition chain.
      const next = seqAfterAck(await seqStore.get([acked.topic, acked.partition]), acked);
      if (next) writes.push(seqStore.put(next));
      counters.acked += acked.ids.length;
    }
    const failed = request.fail && (await settleBatch(request.fail.batch));
    if (request.fail && failed) {
      const letter = deadLetterOfBatch(failed, await recordsOf(pending, failed.ids), request.fail.error, request.now);
      writes.push(sealedStore.delete(tupleKey(failed)));
      for (const [first, last] of runs(failed.ids)) writes.push(pending.delete(IDBKeyRange.bound(first, last)));
      deadLetters.push({ ...letter, id: await deadStore.add(letter as DeadLetter) });
      counters.deadLettered += letter.records.length;
      // The partition's later batches were never sent: unseal them, to be sealed again from the freed seq.
      const partition = IDBKeyRange.bound([failed.topic, failed.partition, -Infinity, -Infinity], [failed.topic, failed.partition, Infinity, Infinity]);
      for (const later of await sealedStore.getAll(partition)) {
        if (later.acked || (later.epoch === failed.epoch && later.seq === failed.seq)) continue;
        writes.push(sealedStore.delete(tupleKey(later)));
        scanFrom = Math.min(scanFrom, later.ids[0]!);
      }
    }
    const sealed: SealedBatch[] = [];
    let unknownTopics: string[] = [];
    let scanLimited = false;
    // Requests run in order within a transaction: these reads see the settlement above.
    const batches = await sealedStore.getAll();
    const unacked = batches.filter((b) => !b.acked);
    if (request.seal) {
      const planner = new SealPlanner(request.seal, batches, await seqStore.getAll(), scanFrom);
      let from = IDBKeyRange.lowerBound(scanFrom);
      while (planner.wantsMore) {
        const chunk = await pending.getAll(from, SCAN_CHUNK);
        for (const record of chunk) {
          if (!planner.wantsMore) break;
          planner.offer(record);
        }
        if (chunk.length < SCAN_CHUNK) break;
        from = IDBKeyRange.lowerBound(chunk[chunk.length - 1]!.id, true);
      }
      scanLimited = planner.hitLimit;
      const plan = planner.finish();
      unknownTopics = plan.unknownTopics;
      scanFrom = plan.scanFrom;
      for (const { body, ...info } of plan.batches) {
        const batch = { ...info, sealedAt: request.now };
        sealed.push({ ...batch, body });
        unacked.push(batch);
        writes.push(sealedStore.put(batch));
      }
      for (const [first, last] of runs(plan.rejectedIds)) writes.push(pending.delete(IDBKeyRange.bound(first, last)));
      for (const r of plan.rejected) {
        const letter = { ...r, at: request.now };
        deadLetters.push({ ...letter, id: await deadStore.add(letter as DeadLetter) });
        counters.records -= r.records.length;
        counters.deadLettered += r.records.length;
      }
      counters.bytes -= plan.rejectedBytes;
    }
    // Below the first record still waiting (unsealed, or in a batch not yet
    // acknowledged) every pending record is acknowledged: one range delete.
    const waiting = Math.min(scanFrom, ...unacked.map((b) => b.ids[0]!));
    if (batches.some((b) => b.acked && b.ids[b.ids.length - 1]! < waiting)) {
      writes.push(pending.delete(IDBKeyRange.upperBound(waiting, true)));
      for (const b of batches) if (b.acked && b.ids[b.ids.length - 1]! < waiting) writes.push(sealedStore.delete(tupleKey(b)));
    }
    writes.push(meta.put(counters, "counters"), meta.put(scanFrom, "scanFrom"));
    await settle(writes, tx.done);
    return { sealed, deadLetters, unknownTopics, counters, scanLimited };
  }

  async progress(mark: number, acknowledged: readonly ProducerTuple[] = []): Promise<Progress> {
    const tx = (await this.#connect()).transaction(["pending", "sealed", "meta", "dead"], "readonly");
    const scanFrom = ((await tx.objectStore("meta").get("scanFrom")) as number | undefined) ?? 0;
    const [keys, batches, deadLetters] = await Promise.all([
      scanFrom <= mark ? tx.objectStore("pending").getAllKeys(IDBKeyRange.bound(scanFrom, mark)) : [],
      tx.objectStore("sealed").getAll(),
      tx.objectStore("dead").index("minId").getAll(IDBKeyRange.upperBound(mark)),
    ]);
    // A record waits if it is not sealed yet (all those below the scan
    // cursor are), or if its batch is not acknowledged.
    const sealed = new Set(batches.flatMap((b) => b.ids));
    const unsealed = keys.some((id) => !sealed.has(id));
    const waiting = batches.some((b) => !b.acked && b.ids[0]! <= mark && !acknowledged.some((a) => sameTuple(a, b)));
    return { undelivered: unsealed || waiting, deadLetters };
  }

  async counters(): Promise<Counters> {
    const db = await this.#connect();
    return { ...EMPTY_COUNTERS, ...((await db.get("meta", "counters")) as Counters | undefined) };
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return (await this.#connect()).getAll("dead");
  }

  async requeueDeadLetters(ids?: number[]): Promise<number> {
    const tx = (await this.#connect()).transaction(["dead", "pending", "meta"], "readwrite", STRICT);
    const counters = await readCounters(tx);
    const letters = (await tx.objectStore("dead").getAll()).filter((d) => !ids || ids.includes(d.id));
    const writes: Promise<unknown>[] = [];
    let count = 0;
    for (const letter of letters) {
      writes.push(tx.objectStore("dead").delete(letter.id));
      for (const r of requeueRecords(letter)) {
        writes.push(tx.objectStore("pending").put({ ...r, id: ++counters.lastId }));
        counters.records++;
        counters.bytes += r.bytes;
        count++;
      }
    }
    writes.push(tx.objectStore("meta").put(counters, "counters"));
    await settle(writes, tx.done);
    return count;
  }

  async discardDeadLetters(ids?: number[]): Promise<number> {
    const tx = (await this.#connect()).transaction("dead", "readwrite", STRICT);
    const letters = (await tx.store.getAll()).filter((d) => !ids || ids.includes(d.id));
    await settle(
      letters.map((l) => tx.store.delete(l.id)),
      tx.done,
    );
    return letters.reduce((sum, l) => sum + l.records.length, 0);
  }

  async getPosition(key: PositionKey): Promise<number | undefined> {
    return (await this.#connect()).get("positions", positionKey(key));
  }

  async setPosition(key: PositionKey, offset: number): Promise<void> {
    // Relaxed: a reload or a renderer crash keeps it (the browser process
    // holds it); only an OS crash could lose the last few, which re-delivers.
    const tx = (await this.#connect()).transaction("positions", "readwrite", { durability: "relaxed" });
    await settle([tx.store.put(offset, positionKey(key))], tx.done);
  }

  async getMeta(key: string): Promise<unknown> {
    return (await this.#connect()).get("meta", `app:${key}`);
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    const tx = (await this.#connect()).transaction("meta", "readwrite", STRICT);
    await settle([tx.store.put(value, `app:${key}`)], tx.done);
  }
}

