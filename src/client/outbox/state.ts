/**
 * @module
 * The outbox held in memory, as the memory and file stores share it. Every
 * mutation is a list of operations applied at once; the file store also
 * journals that list as one line, so a replay rebuilds exactly the states
 * that were acknowledged, and a torn last line is a transaction that never
 * happened.
 */

import { partitionKey } from "../sync/plan.ts";
import { EMPTY_COUNTERS, type Counters, type DeadLetter, type Identity, type PendingRecord, type SealedBatchInfo, type SeqState } from "./types.ts";

export type Op =
  | { op: "pending"; records: PendingRecord[] }
  | { op: "unpend"; ids: number[] }
  | { op: "seal"; batch: SealedBatchInfo }
  | { op: "unseal"; key: string }
  | { op: "seq"; state: SeqState }
  | { op: "dead"; letter: DeadLetter }
  | { op: "undead"; ids: number[] }
  | { op: "identity"; identity: Identity }
  | { op: "counters"; counters: Counters }
  | { op: "meta"; key: string; value: unknown }
  | { op: "position"; key: string; offset: number }
  | { op: "scan"; from: number };

export class OutboxState {
  /** In id order: ids only ever grow, and Map keeps insertion order. */
  readonly pending = new Map<number, PendingRecord>();
  readonly sealed = new Map<string, SealedBatchInfo>();
  readonly seq = new Map<string, SeqState>();
  readonly dead = new Map<number, DeadLetter>();
  readonly meta = new Map<string, unknown>();
  readonly positions = new Map<string, number>();
  identity: Identity | undefined;
  counters: Counters = { ...EMPTY_COUNTERS };
  /** Every pending id below it is in a sealed batch. */
  scanFrom = 0;

  apply(ops: readonly Op[]): void {
    for (const o of ops) {
      switch (o.op) {
        case "pending":
          for (const r of o.records) this.pending.set(r.id, r);
          break;
        case "unpend":
          for (const id of o.ids) this.pending.delete(id);
          break;
        case "seal":
          this.sealed.set(sealedKey(o.batch), o.batch);
          break;
        case "unseal":
          this.sealed.delete(o.key);
          break;
        case "seq":
          this.seq.set(partitionKey(o.state.topic, o.state.partition), o.state);
          break;
        case "dead":
          this.dead.set(o.letter.id, o.letter);
          break;
        case "undead":
          for (const id of o.ids) this.dead.delete(id);
          break;
        case "identity":
          this.identity = o.identity;
          break;
        case "counters":
          this.counters = o.counters;
          break;
        case "meta":
          this.meta.set(o.key, o.value);
          break;
        case "position":
          this.positions.set(o.key, o.offset);
          break;
        case "scan":
          this.scanFrom = o.from;
          break;
      }
    }
  }

  /** Operations that rebuild this state from nothing: a compacted journal. */
  snapshot(): Op[] {
    const ops: Op[] = [
      { op: "counters", counters: this.counters },
      { op: "scan", from: this.scanFrom },
    ];
    if (this.identity) ops.push({ op: "identity", identity: this.identity });
    if (this.pending.size) ops.push({ op: "pending", records: [...this.pending.values()] });
    for (const batch of this.sealed.values()) ops.push({ op: "seal", batch });
    for (const state of this.seq.values()) ops.push({ op: "seq", state });
    for (const letter of this.dead.values()) ops.push({ op: "dead", letter });
    for (const [key, value] of this.meta) ops.push({ op: "meta", key, value });
    for (const [key, offset] of this.positions) ops.push({ op: "position", key, offset });
    return ops;
  }
}

/** A sealed batch's key: its partition and tuple. */
export function sealedKey(b: { topic: string; partition: number; epoch: number; seq: number }): string {
  return `${b.partition}/${b.epoch}/${b.seq}/${b.topic}`;
}
