/**
 * @module
 * edgelog: a Kafka-style log for the browser and the edge. `createClient`
 * is the way in; the rest are the types an app names.
 */

export { createClient } from "./client/client.ts";
export type { Admin, TopicConfigPatch } from "./client/admin.ts";
export type { Client, ClientOptions, ClientStats, DeadLetterInfo } from "./client/client.ts";
export type { Consumer, ConsumerOptions, ConsumerRecord } from "./client/consumer.ts";
export type { OutboxChoice } from "./client/core.ts";
export type { FlushOptions } from "./client/flush.ts";
export { EdgelogError } from "./client/errors.ts";
export type { EdgelogErrorCode, OutboxRecordRef } from "./client/errors.ts";
export type { ClientEventMap, ClientEventType, DropReason, FailedRecord } from "./client/events.ts";
export type { OutboxPolicy } from "./client/outbox/types.ts";
export type { Producer, ProducerOptions, SendReceipt } from "./client/producer.ts";
export type { Track, TrackedEvent, TrackerOptions } from "./client/track.ts";
export type { StartPosition } from "./client/transport.ts";
export type { TopicConfig } from "./protocol/limits.ts";
export type {
  ConsumedRecord,
  GroupDescription,
  GroupList,
  JsonValue,
  PartitionDescription,
  PartitionLag,
  ProduceRecord,
  TopicDescription,
  TopicList,
} from "./protocol/types.ts";
