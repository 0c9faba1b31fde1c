/**
 * @module
 * The leader's idempotent producer rules (producer-state.ts) as the Durable
 * Streams protocol answers them, and the one write the stream face adds: a
 * close without data still advances the producer's sequence.
 */

import { failure } from "../../../src/protocol/errors.ts";
import { decideSequence, type ProducerRow, type SequenceDecision } from "./producer-state.ts";
import type { ProducerTuple } from "./rpc.ts";

/**
 * The same decision as a topic partition's, except one case: a known
 * producer that raises its epoch without starting at seq 0 sent a malformed
 * request (400), not a gap (409) — the protocol tells the two apart.
 */
export function decideStreamSequence(state: ProducerRow | null, sent: ProducerTuple): SequenceDecision {
  const decision = decideSequence(state, sent);
  if ("ok" in decision && decision.error.code === "OUT_OF_ORDER_SEQUENCE" && state !== null && sent.epoch > state.epoch) {
    return failure("INVALID_REQUEST", `a new producer epoch must start at seq 0, got ${sent.seq}`, { receivedSeq: sent.seq });
  }
  return decision;
}

/** Inside the close's transaction: the producer's batch `seq` was a close at `tail`, with no records. */
export function recordProducerClose(sql: SqlStorage, p: ProducerTuple, tail: number, now: number): void {
  sql.exec(
    `INSERT INTO producers VALUES (?, ?, ?, ?, 0, ?)
     ON CONFLICT (producer_id) DO UPDATE SET epoch = excluded.epoch, last_seq = excluded.last_seq,
       last_base_offset = excluded.last_base_offset, last_count = 0, updated_at = excluded.updated_at`,
    p.producerId,
    p.epoch,
    p.seq,
    tail,
    now,
  );
}
