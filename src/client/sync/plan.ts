/**
 * @module
 * Sealing, as a pure decision over a snapshot of the outbox. Each store runs
 * it inside its one transaction: the store feeds pending records in id order
 * (from its scan cursor), the planner picks each one's partition (the bus's
 * own partitioner, from the key hash stored at send time) and cuts batches,
 * up to `maxSealedPerPartition` per partition counting those already sealed,
 * numbering them on from the partition's last sealed batch or seq state.
 * Records it cannot place now stay pending, in order.
 */

import { MAX_RECORDS_PER_REQUEST } from "../../protocol/limits.ts";
import { EdgelogError, type ErrorInfo } from "../errors.ts";
import type { DeadLetter, PendingRecord, SealInput, SealedBatch, SealedBatchInfo, SeqState } from "../outbox/types.ts";

/** Key of a (topic, partition) in maps. */
export function partitionKey(topic: string, partition: number): string {
  return `${partition}/${topic}`;
}

/** Orders sealed batches as they go on the wire: per partition, by epoch then seq. */
export function wireOrder(a: SealedBatchInfo, b: SealedBatchInfo): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition || a.epoch - b.epoch || a.seq - b.seq;
}

/** A batch's request body: its records' wire JSON, in order. */
export function batchBody(jsons: readonly string[]): string {
  return `{"records":[${jsons.join(",")}]}`;
}

interface Open {
  topic: string;
  partition: number;
  ids: number[];
  jsons: string[];
  bytes: number;
  /** Request body size so far: `{"records":[`, `]}` and commas included. */
  bodyBytes: number;
  /** A record did not fit: nothing more goes in. */
  full: boolean;
}

interface PartitionPlan {
  /** Batches sealed before this step, and cut in it. */
  count: number;
  /** Where this step's first batch numbers from. */
  nextSeq: number;
  open: Open | undefined;
  closed: boolean;
}

interface SealPlan {
  batches: Omit<SealedBatch, "sealedAt">[];
  /** Pending ids now in a batch or a dead letter. */
  sealedIds: number[];
  /** Pending ids refused before sending: delete them (they are in `rejected`). */
  rejectedIds: number[];
  /** Records refused before sending, grouped per topic and error code. */
  rejected: Omit<DeadLetter, "id" | "at">[];
  /** Sum of the rejected records' bytes, for the outbox counters. */
  rejectedBytes: number;
  unknownTopics: string[];
  /** Every pending id below this one is sealed or gone: where the next scan starts. */
  scanFrom: number;
}

export class SealPlanner {
  readonly #input: SealInput;
  readonly #alreadySealed = new Set<number>();
  readonly #partitions = new Map<string, PartitionPlan>();
  readonly #sealedBefore = new Map<string, { count: number; last?: SealedBatchInfo }>();
  readonly #seq = new Map<string, SeqState>();
  readonly #cut: Open[] = [];
  readonly #keyless = new Map<string, number>();
  readonly #rejected = new Map<string, Omit<DeadLetter, "id" | "at">>();
  readonly #unknown = new Set<string>();
  readonly #sealedIds: number[] = [];
  readonly #rejectedIds: number[] = [];
  #rejectedBytes = 0;
  #scanned = 0;
  #scanFrom: number;
  #lastSeen = 0;
  #blocked = false;

  /**
   * `sealed`: every batch the store holds. One already acknowledged (but
   * whose records are not deleted yet) only keeps its records from being
   * sealed twice; the others also take their partition's room and seq.
   */
  constructor(input: SealInput, sealed: Iterable<SealedBatchInfo & { acked?: boolean }>, seqStates: Iterable<SeqState>, scanFrom: number) {
    this.#input = input;
    this.#scanFrom = scanFrom;
    for (const b of sealed) {
      for (const id of b.ids) this.#alreadySealed.add(id);
      if (b.acked) continue;
      const key = partitionKey(b.topic, b.partition);
      const entry = this.#sealedBefore.get(key) ?? { count: 0 };
      entry.count++;
      if (b.epoch === input.identity.epoch && (!entry.last || b.seq > entry.last.seq)) entry.last = b;
      this.#sealedBefore.set(key, entry);
    }
    for (const s of seqStates) this.#seq.set(partitionKey(s.topic, s.partition), s);
  }

  /** Whether the store should feed more records. */
  get wantsMore(): boolean {
    // Nothing but records of topics not known yet: wait for their metadata rather than read on.
    if (this.#sealedIds.length === 0 && this.#rejectedIds.length === 0 && this.#unknown.size > 0 && this.#scanned >= 512) return false;
    return !this.hitLimit;
  }

  /** The scan stopped at its limit: more records may be waiting behind it. */
  get hitLimit(): boolean {
    return this.#scanned >= this.#input.scanLimit;
  }

  offer(record: PendingRecord): void {
    if (this.#alreadySealed.has(record.id)) return;
    this.#scanned++;
    this.#lastSeen = record.id;
    if (!this.#place(record) && !this.#blocked) {
      // The first record left pending: the next scan starts here.
      this.#blocked = true;
      this.#scanFrom = record.id;
    }
  }

  finish(): SealPlan {
    this.#deferPartials();
    const batches = this.#cut.map((b) => ({
      topic: b.topic,
      partition: b.partition,
      producerId: this.#input.identity.producerId,
      epoch: this.#input.identity.epoch,
      seq: this.#nextSeq(b),
      ids: b.ids,
      body: batchBody(b.jsons),
      bytes: b.bytes,
    }));
    return {
      batches,
      sealedIds: this.#sealedIds,
      rejectedIds: this.#rejectedIds,
      rejected: [...this.#rejected.values()],
      rejectedBytes: this.#rejectedBytes,
      unknownTopics: [...this.#unknown],
      scanFrom: this.#blocked ? this.#scanFrom : Math.max(this.#scanFrom, this.#lastSeen + 1),
    };
  }

  /**
   * When the scan was cut short, a partition's last batch may not be full
   * only because its next records were not read: leave it pending for the
   * next step, so a backlog goes out in full batches. (Unless nothing else
   * was cut: progress first.)
   */
  #deferPartials(): void {
    if (!this.hitLimit || !this.#cut.some((b) => b.full)) return;
    const deferred = new Set<number>();
    for (const plan of this.#partitions.values()) {
      const open = plan.open;
      if (!open || open.full) continue;
      this.#cut.splice(this.#cut.indexOf(open), 1);
      plan.count--;
      for (const id of open.ids) deferred.add(id);
      this.#scanFrom = this.#blocked ? Math.min(this.#scanFrom, open.ids[0]!) : open.ids[0]!;
      this.#blocked = true;
    }
    if (deferred.size > 0) {
      const kept = this.#sealedIds.filter((id) => !deferred.has(id));
      this.#sealedIds.length = 0;
      this.#sealedIds.push(...kept);
    }
  }

  /** Places one record; false when it stays pending. */
  #place(record: PendingRecord): boolean {
    const { topic } = record;
    const failed = this.#input.failTopics?.get(topic);
    if (failed) return this.#reject(record, failed);
    const meta = this.#input.topics.get(topic);
    if (!meta) {
      this.#unknown.add(topic);
      return false;
    }
    if (record.partition !== undefined && record.partition >= meta.partitions) {
      return this.#reject(
        record,
        new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `topic '${topic}' has no partition ${record.partition}`).toJSON(),
      );
    }
    if (record.bodyBytes > meta.maxMessageBytes) {
      return this.#reject(
        record,
        new EdgelogError("MESSAGE_TOO_LARGE", `a record is larger than '${topic}' allows (maxMessageBytes)`, {
          details: { limit: meta.maxMessageBytes },
        }).toJSON(),
      );
    }
    if (record.partition !== undefined) return this.#add(record, record.partition);
    if (record.hash !== null) return this.#add(record, record.hash % meta.partitions);
    // Keyless: stick to one partition until its batch is full, then move on (Kafka's sticky partitioner).
    for (let tries = 0; tries < 2; tries++) {
      const partition = this.#keylessPartition(topic, meta.partitions);
      if (partition === undefined) return false;
      if (this.#add(record, partition)) return true;
      this.#keyless.delete(topic);
    }
    return false;
  }

  /** Adds the record to its partition's open batch, cutting a new one when full; false when the partition takes nothing more. */
  #add(record: PendingRecord, partition: number): boolean {
    const plan = this.#plan(record.topic, partition);
    if (plan.closed) return false;
    const { maxBatchRecords, maxBatchBytes, maxSealedPerPartition } = this.#input;
    const open = plan.open;
    const fits =
      open !== undefined &&
      open.ids.length < Math.min(maxBatchRecords, MAX_RECORDS_PER_REQUEST) &&
      open.bodyBytes + 1 + record.bytes <= maxBatchBytes;
    if (!fits) {
      if (open) open.full = true;
      if (plan.count >= maxSealedPerPartition) {
        // Closed for the rest of the step, so no later record of this partition overtakes this one.
        plan.closed = true;
        return false;
      }
      plan.open = { topic: record.topic, partition, ids: [], jsons: [], bytes: 0, bodyBytes: 14, full: false };
      plan.count++;
      this.#cut.push(plan.open);
    }
    const batch = plan.open!;
    batch.bodyBytes += record.bytes + (batch.ids.length > 0 ? 1 : 0);
    batch.ids.push(record.id);
    batch.jsons.push(record.json);
    batch.bytes += record.bytes;
    this.#sealedIds.push(record.id);
    return true;
  }

  #plan(topic: string, partition: number): PartitionPlan {
    const key = partitionKey(topic, partition);
    let plan = this.#partitions.get(key);
    if (!plan) {
      const before = this.#sealedBefore.get(key);
      const state = this.#seq.get(key);
      const { epoch } = this.#input.identity;
      // A new epoch starts its seq at 0 on every partition (the bus's rule).
      const nextSeq = before?.last ? before.last.seq + 1 : state && state.epoch === epoch ? state.nextSeq : 0;
      const count = before?.count ?? 0;
      plan = { count, nextSeq, open: undefined, closed: count >= this.#input.maxSealedPerPartition };
      this.#partitions.set(key, plan);
    }
    return plan;
  }

  /** Numbers the batches of each partition consecutively, in the order they were cut. */
  #nextSeq(batch: Open): number {
    const plan = this.#partitions.get(partitionKey(batch.topic, batch.partition))!;
    return plan.nextSeq++;
  }

  #keylessPartition(topic: string, partitions: number): number | undefined {
    const free = (p: number) => !this.#plan(topic, p).closed;
    const chosen = this.#keyless.get(topic);
    if (chosen !== undefined && free(chosen)) return chosen;
    const picked = this.#input.pickKeyless(topic, partitions, free);
    if (picked !== undefined) this.#keyless.set(topic, picked);
    return picked;
  }

  #reject(record: PendingRecord, error: ErrorInfo): true {
    const group = `${error.code}/${record.topic}`;
    let letter = this.#rejected.get(group);
    if (!letter) {
      letter = { topic: record.topic, error, records: [], minId: record.id };
      this.#rejected.set(group, letter);
    }
    const entry: DeadLetter["records"][number] = { id: record.id, json: record.json };
    if (record.partition !== undefined) entry.partition = record.partition;
    letter.records.push(entry);
    this.#rejectedBytes += record.bytes;
    this.#rejectedIds.push(record.id);
    return true;
  }
}
