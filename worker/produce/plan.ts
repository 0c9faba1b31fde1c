/**
 * @module
 * Turns validated produce records into per-partition batches: picks each
 * record's partition, renders it once into the stored JSON form and checks
 * its size against the topic. Nothing is written until the whole request has
 * passed, so a bad record changes nothing.
 */

import { keyBytes, utf8Length } from "../../src/protocol/codec.ts";
import { StickyPartitioner, partitionForKey } from "../../src/protocol/partitioner.ts";
import type { TopicSummary } from "../../src/protocol/types.ts";
import { ApiError } from "../http-error.ts";
import type { ScannedRecord } from "./scan.ts";

export interface PartitionBatch {
  partition: number;
  bodies: string[];
  timestamps?: (number | null)[];
  /** Index of each record in the request, to put offsets back in order. */
  positions: number[];
}

const sticky = new StickyPartitioner();

/** Renders a record's key, value and headers as JSON members, the stored form. */
export function renderBody(r: ScannedRecord): string {
  const key = r.keyBase64 !== undefined ? `"keyBase64":"${r.keyBase64}"` : `"key":${r.key == null ? "null" : JSON.stringify(r.key)}`;
  const value = r.valueBase64 !== undefined ? `"valueBase64":"${r.valueBase64}"` : `"value":${r.valueJson}`;
  return `${key},${value},"headers":${r.headers ? JSON.stringify(r.headers) : "{}"}`;
}

/**
 * Groups records by partition. `fixedPartition` is set for the one-partition
 * endpoint; otherwise explicit partitions win, then keys, then the sticky
 * choice for keyless records.
 */
export function planBatches(topic: TopicSummary, records: ScannedRecord[], fixedPartition?: number): PartitionBatch[] {
  const { partitions, maxMessageBytes, cleanupPolicy } = topic.config;
  const batches = new Map<number, PartitionBatch>();
  let keyless: number | undefined;
  records.forEach((record, index) => {
    if (fixedPartition !== undefined && record.partition !== undefined && record.partition !== fixedPartition) {
      throw new ApiError("INVALID_REQUEST", `record ${index} names partition ${record.partition}, but this request produces to ${fixedPartition}`);
    }
    // Refused before anything is written: a compacted topic keeps the latest record per key.
    if (cleanupPolicy === "compact" && record.key == null && record.keyBase64 === undefined) {
      throw new ApiError("INVALID_REQUEST", `record ${index} has no key, and topic '${topic.name}' is compacted: every record needs one`);
    }
    let partition = fixedPartition ?? record.partition;
    if (partition === undefined) {
      const key = keyBytes(record);
      partition = key ? partitionForKey(key, partitions) : (keyless ??= sticky.nextBatch(partitions));
    } else if (partition >= partitions) {
      throw new ApiError("UNKNOWN_TOPIC_OR_PARTITION", `record ${index}: topic '${topic.name}' has no partition ${partition}`);
    }
    const body = renderBody(record);
    // Cheap bound first: a string's UTF-8 size is at most 3 bytes per unit.
    if (body.length * 3 > maxMessageBytes && utf8Length(body) > maxMessageBytes) {
      throw new ApiError("MESSAGE_TOO_LARGE", `record ${index} is larger than the topic's maxMessageBytes`, {
        limit: maxMessageBytes,
      });
    }
    let batch = batches.get(partition);
    if (!batch) batches.set(partition, (batch = { partition, bodies: [], positions: [] }));
    if (record.timestamp !== undefined) {
      batch.timestamps ??= new Array<number | null>(batch.bodies.length).fill(null);
    }
    batch.timestamps?.push(record.timestamp ?? null);
    batch.bodies.push(body);
    batch.positions.push(index);
  });
  return [...batches.values()];
}
