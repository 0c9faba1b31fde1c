/**
 * @module
 * The idempotent producer rules of DESIGN §1 as one pure decision, so the
 * leader applies them in the same transaction as the append and tests can
 * walk every branch.
 */

import { failure, type Failure } from "../../../src/protocol/errors.ts";
import type { ProducerTuple } from "./rpc.ts";

export interface ProducerRow {
  epoch: number;
  lastSeq: number;
  lastBaseOffset: number;
  lastCount: number;
}

export type SequenceDecision =
  | { kind: "append" }
  | { kind: "duplicate"; ofLast: boolean }
  | Failure;

export function decideSequence(state: ProducerRow | null, sent: ProducerTuple): SequenceDecision {
  const { epoch, seq } = sent;
  if (state === null || epoch > state.epoch) {
    if (seq === 0) return { kind: "append" };
    return failure("OUT_OF_ORDER_SEQUENCE", `a new producer epoch must start at seq 0, got ${seq}`, {
      expectedSeq: 0,
      receivedSeq: seq,
    });
  }
  if (epoch < state.epoch) {
    return failure("PRODUCER_FENCED", `epoch ${epoch} is fenced by epoch ${state.epoch}`, {
      currentEpoch: state.epoch,
    });
  }
  if (seq <= state.lastSeq) return { kind: "duplicate", ofLast: seq === state.lastSeq };
  if (seq === state.lastSeq + 1) return { kind: "append" };
  return failure("OUT_OF_ORDER_SEQUENCE", `expected seq ${state.lastSeq + 1}, got ${seq}`, {
    expectedSeq: state.lastSeq + 1,
    receivedSeq: seq,
  });
}
