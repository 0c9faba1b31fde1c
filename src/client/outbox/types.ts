/**
 * @module
 * The outbox contract every store implements (IndexedDB in browsers, memory
 * or an fsync'ed journal in Node), so the sync engine never knows which one
 * it drives. Each method is one atomic transaction: it happens entirely or
 * not at all, and resolves only once durable.
 */

import type { ErrorInfo } from "../errors.ts";
import type { ProducerTuple } from "../http.ts";

/** Who this outbox produces as. `epoch` grows by one each time a tab or process becomes the leader. */
export interface Identity {
  producerId: string;
  epoch: number;
}

/** A record as `send()` stores it (see records.ts). */
export interface NewRecord {
  topic: string;
  /** The wire record as JSON, sent byte for byte. */
  json: string;
  /** UTF-8 size of `json`. */
  bytes: number;
  /** The size the bus checks against the topic's maxMessageBytes. */
  bodyBytes: number;
  /** toPositive(murmur2(key)), or null for a keyless record. */
  hash: number | null;
  /** An explicit partition chosen by the app. */
  partition?: number;
}

export interface PendingRecord extends NewRecord {
  /** Increasing outbox id, shared by all tabs: the order records were stored in. */
  id: number;
}

/**
 * A produce request with its idempotency tuple fixed. Its records stay in
 * the pending store until it is acknowledged; the batch holds their ids.
 * Batches of one partition go on the wire one at a time, in (epoch, seq)
 * order, each only after the bus acknowledged the one before: so a batch
 * that was never sent can still be unsealed, and a sent one never changes.
 */
export interface SealedBatchInfo extends ProducerTuple {
  topic: string;
  partition: number;
  /** Outbox ids of its records, in order. */
  ids: number[];
  /** Sum of the records' `bytes`. */
  bytes: number;
  sealedAt: number;
}

/** A sealed batch with its request body, built from its records: the same bytes on every attempt. */
export interface SealedBatch extends SealedBatchInfo {
  body: string;
}

/** What the bus has acknowledged for one partition: the next batch's seq within `epoch`. */
export interface SeqState {
  topic: string;
  partition: number;
  epoch: number;
  nextSeq: number;
}

/** Records the bus (or the client, for what the bus would refuse) will never take. */
export interface DeadLetter {
  id: number;
  topic: string;
  partition?: number;
  error: ErrorInfo;
  records: { id: number; json: string; partition?: number }[];
  minId: number;
  /** Set when the records were sealed and sent: the bus may hold them (e.g. after PRODUCER_FENCED). */
  tuple?: ProducerTuple;
  at: number;
}

export interface Counters {
  /** Records in the outbox (pending and sealed): what the bounds apply to. */
  records: number;
  bytes: number;
  /** The highest outbox id handed out. */
  lastId: number;
  /** Records discarded by policy, ever. */
  dropped: number;
  /** Records moved to dead letters, ever. */
  deadLettered: number;
  /** Records acknowledged by the bus, ever. */
  acked: number;
}

export const EMPTY_COUNTERS: Counters = { records: 0, bytes: 0, lastId: 0, dropped: 0, deadLettered: 0, acked: 0 };

export type OutboxPolicy = "drop-oldest" | "reject";

export interface OutboxLimits {
  maxRecords: number;
  maxBytes: number;
  policy: OutboxPolicy;
}

/** Pending records evicted (oldest first): how many, and their id range. */
export interface Eviction {
  count: number;
  firstId: number;
  lastId: number;
}

export interface AppendResult {
  ids: number[];
  /** Pending records evicted to make room ("drop-oldest"). */
  evicted: Eviction;
  counters: Counters;
}

/** What the seal planner needs to know about a topic. */
export interface TopicMeta {
  partitions: number;
  maxMessageBytes: number;
}

export interface SealInput {
  identity: Identity;
  topics: ReadonlyMap<string, TopicMeta>;
  maxBatchRecords: number;
  maxBatchBytes: number;
  /** Sealed batches a partition may hold at once (one of them on the wire). */
  maxSealedPerPartition: number;
  /** How many pending records one step may look at. */
  scanLimit: number;
  /** Picks a partition for a topic's keyless records among the free ones. */
  pickKeyless: (topic: string, partitions: number, free: (partition: number) => boolean) => number | undefined;
  /** Topics the bus refused for good (e.g. unknown): their pending records become dead letters. */
  failTopics?: ReadonlyMap<string, ErrorInfo>;
}

export interface StepRequest {
  /** The bus acknowledged them: delete them and their records, advance their partitions' seqs. */
  acks?: SealedBatchInfo[];
  /**
   * The bus refused it for good: dead-letter its records, and unseal the
   * partition's later batches (never sent), so they are sealed again with
   * the seq the refused one leaves free.
   */
  fail?: { batch: SealedBatchInfo; error: ErrorInfo };
  /** Then seal new batches for every partition without one. */
  seal?: SealInput;
  now: number;
}

export interface StepResult {
  /** Newly sealed batches, in (epoch, seq) order per partition. */
  sealed: SealedBatch[];
  deadLetters: DeadLetter[];
  /** Topics of pending records whose metadata the caller must fetch first. */
  unknownTopics: string[];
  counters: Counters;
  /** The seal stopped at its scan limit: more may be sealable now. */
  scanLimited: boolean;
}

export interface Progress {
  /** Some record with id <= mark is not acknowledged yet. */
  undelivered: boolean;
  /** Dead letters holding records with id <= mark. */
  deadLetters: DeadLetter[];
}

export interface PositionKey {
  consumer: string;
  topic: string;
  partition: number;
}

export interface OutboxStore {
  /** Names the Web Lock and BroadcastChannel of everyone sharing this outbox. */
  readonly name: string;
  /** Whether other tabs share it (IndexedDB) or it belongs to this process alone. */
  readonly shared: boolean;
  close(): Promise<void>;
  identity(): Promise<Identity | undefined>;
  /**
   * Creates the identity or bumps its epoch (to at least `atLeast`): the
   * caller is the new leader, or learned that the bus holds a newer epoch.
   */
  nextEpoch(atLeast?: number): Promise<Identity>;
  append(records: NewRecord[], limits: OutboxLimits): Promise<AppendResult>;
  /** Evicts up to `count` oldest pending records (never sealed ones), counted as dropped. */
  evictOldest(count: number): Promise<Eviction & { counters: Counters }>;
  /** Every sealed batch, in (epoch, seq) order per partition: what a new leader sends first. */
  sealed(): Promise<SealedBatch[]>;
  step(request: StepRequest): Promise<StepResult>;
  /**
   * Where records up to `mark` stand. `acknowledged`: batches the bus has
   * acknowledged that the outbox may not have recorded yet (the leader's
   * knowledge, ahead of its own transactions).
   */
  progress(mark: number, acknowledged?: readonly ProducerTuple[]): Promise<Progress>;
  counters(): Promise<Counters>;
  deadLetters(): Promise<DeadLetter[]>;
  /** Moves dead letters' records back to pending (new ids, new tuples); all when `ids` is absent. */
  requeueDeadLetters(ids?: number[]): Promise<number>;
  discardDeadLetters(ids?: number[]): Promise<number>;
  getPosition(key: PositionKey): Promise<number | undefined>;
  setPosition(key: PositionKey, offset: number): Promise<void>;
  getMeta(key: string): Promise<unknown>;
  setMeta(key: string, value: unknown): Promise<void>;
}
