/**
 * @module
 * The few decisions every store makes the same way, whatever it stores in:
 * how a refused batch becomes a dead letter, how an acknowledgement moves
 * the seq, when the outbox is full, how a dead letter goes back to pending.
 */

import { EdgelogError, type ErrorInfo } from "../errors.ts";
import { decodeRecord, encodeRecord } from "../records.ts";
import type { Counters, DeadLetter, Identity, NewRecord, OutboxLimits, PositionKey, SealedBatchInfo, SeqState } from "./types.ts";

/** A refused batch's records (`pending`: its records, by id) as one dead letter. */
export function deadLetterOfBatch(
  batch: SealedBatchInfo,
  pending: ReadonlyMap<number, { json: string }>,
  error: ErrorInfo,
  now: number,
): Omit<DeadLetter, "id"> {
  const records = batch.ids.map((id) => ({ id, json: pending.get(id)?.json ?? "null" }));
  const { producerId, epoch, seq } = batch;
  return { topic: batch.topic, partition: batch.partition, error, records, minId: batch.ids[0]!, tuple: { producerId, epoch, seq }, at: now };
}

/** The seq state after `batch` was acknowledged; undefined when `current` is already past it. */
export function seqAfterAck(current: SeqState | undefined, batch: SealedBatchInfo): SeqState | undefined {
  if (current && (current.epoch > batch.epoch || (current.epoch === batch.epoch && current.nextSeq > batch.seq))) {
    return undefined;
  }
  return { topic: batch.topic, partition: batch.partition, epoch: batch.epoch, nextSeq: batch.seq + 1 };
}

/** How far over its bounds the outbox would be with `count` more records of `bytes`. */
export function overflow(counters: Counters, count: number, bytes: number, limits: OutboxLimits): { records: number; bytes: number } {
  return {
    records: Math.max(0, counters.records + count - limits.maxRecords),
    bytes: Math.max(0, counters.bytes + bytes - limits.maxBytes),
  };
}

export function outboxFull(limits: OutboxLimits, why: string): EdgelogError {
  return new EdgelogError("OUTBOX_FULL", `the outbox is full (${why}); nothing was stored`, {
    details: { maxRecords: limits.maxRecords, maxBytes: limits.maxBytes, policy: limits.policy },
  });
}

/** A dead letter's records as new pending records: same content and timestamps, new ids and tuples. */
export function requeueRecords(letter: DeadLetter): NewRecord[] {
  return letter.records.map((r) => {
    const record = decodeRecord(r.json);
    // Only a partition the app chose is kept; the partitioner chooses again for the rest.
    if (r.partition !== undefined) record.partition = r.partition;
    return encodeRecord(letter.topic, record, Date.now());
  });
}

/** A new producer (random id, epoch 0), or the next epoch of `current`, at least `atLeast`. */
export function nextIdentity(current: Identity | undefined, atLeast: number): Identity {
  if (!current) return { producerId: crypto.randomUUID(), epoch: Math.max(0, atLeast) };
  return { producerId: current.producerId, epoch: Math.max(current.epoch + 1, atLeast) };
}

/** A consumer position's key in a store. */
export function positionKey(key: PositionKey): string {
  return JSON.stringify([key.consumer, key.topic, key.partition]);
}
