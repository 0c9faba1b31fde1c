/**
 * @module
 * The IndexedDB outbox's schema and the small transaction helpers its
 * methods share: settling writes, rolling back, id runs, reads by ids.
 */

import type { DBSchema, IDBPTransaction, StoreNames } from "idb";
import type { EdgelogError } from "../errors.ts";
import type { ProducerTuple } from "../http.ts";
import { EMPTY_COUNTERS, type Counters, type DeadLetter, type Eviction, type PendingRecord, type SealedBatchInfo, type SeqState } from "./types.ts";

/**
 * A sealed batch as stored. Once acknowledged it stays, flagged, until every
 * record below its own is acknowledged too: then all of them go in one range
 * delete. (Records of different partitions interleave, so deleting a batch's
 * own records would cost a request per run of ids.)
 */
export type StoredBatch = SealedBatchInfo & { acked?: true };

export interface OutboxSchema extends DBSchema {
  pending: { key: number; value: PendingRecord };
  /** Keyed by partition and tuple: key order is wire order. */
  sealed: { key: [string, number, number, number]; value: StoredBatch };
  seq: { key: [string, number]; value: SeqState };
  dead: { key: number; value: DeadLetter; indexes: { minId: number } };
  meta: { key: string; value: unknown };
  positions: { key: string; value: number };
}

export type Store = StoreNames<OutboxSchema>;
type Tx<S extends Store[]> = IDBPTransaction<OutboxSchema, S, "readwrite">;

export async function readCounters(tx: Tx<Store[]>): Promise<Counters> {
  return { ...EMPTY_COUNTERS, ...((await tx.objectStore("meta").get("counters")) as Counters | undefined) };
}

/** The oldest pending records not in a sealed batch that free at least `need`. */
export async function oldestUnsealed(tx: Tx<Store[]>, need: { records: number; bytes: number }): Promise<Eviction & { bytes: number; ids: number[] }> {
  const sealed = new Set((await tx.objectStore("sealed").getAll()).flatMap((b) => b.ids));
  const ids: number[] = [];
  let bytes = 0;
  let cursor = await tx.objectStore("pending").openCursor();
  while (cursor && (ids.length < need.records || bytes < need.bytes)) {
    if (!sealed.has(cursor.value.id)) {
      ids.push(cursor.value.id);
      bytes += cursor.value.bytes;
    }
    cursor = await cursor.continue();
  }
  return { count: ids.length, bytes, firstId: ids[0] ?? 0, lastId: ids[ids.length - 1] ?? 0, ids };
}

/** The pending records with these ids (read as one key range, filtered). */
export async function recordsOf(
  store: { getAll(range: IDBKeyRange): Promise<PendingRecord[]> },
  ids: number[],
): Promise<Map<number, PendingRecord>> {
  const wanted = new Set(ids);
  const found = await store.getAll(IDBKeyRange.bound(Math.min(...ids), Math.max(...ids)));
  return new Map(found.filter((r) => wanted.has(r.id)).map((r) => [r.id, r]));
}

export function sameTuple(a: ProducerTuple & { topic?: string; partition?: number }, b: SealedBatchInfo): boolean {
  return a.producerId === b.producerId && a.epoch === b.epoch && a.seq === b.seq && a.topic === b.topic && a.partition === b.partition;
}

export function tupleKey(b: SealedBatchInfo): [string, number, number, number] {
  return [b.topic, b.partition, b.epoch, b.seq];
}

/** Sorted ids as [first, last] runs, so contiguous ones go in one delete. */
export function runs(ids: number[]): [number, number][] {
  const sorted = [...ids].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const id of sorted) {
    const last = out[out.length - 1];
    if (last && id === last[1] + 1) last[1] = id;
    else out.push([id, id]);
  }
  return out;
}

/** Rolls the transaction back; returns `error` for the caller to throw. */
export function abort(tx: Tx<Store[]>, error: EdgelogError): EdgelogError {
  tx.done.catch(() => {});
  tx.abort();
  return error;
}

/** Waits for the writes and the commit; a failed write aborts the transaction and rejects here. */
export async function settle(writes: Promise<unknown>[], done: Promise<void>): Promise<void> {
  const all = Promise.all(writes);
  all.catch(() => {}); // its failure surfaces through `done` (the transaction aborts)
  await done;
  await all;
}
