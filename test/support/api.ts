/**
 * @module
 * A thin black-box HTTP client for tests against a real bus: create topics,
 * produce, and read a whole partition back. It speaks the wire format
 * directly so a test sees exactly what the bus answered.
 */

import { randomBytes } from "node:crypto";
import { PRODUCER_EPOCH, PRODUCER_ID, PRODUCER_SEQ } from "../../src/protocol/headers.ts";
import type { TopicConfig } from "../../src/protocol/limits.ts";
import type { ConsumedRecord, FetchResponse, ProduceRecord, TopicDescription } from "../../src/protocol/types.ts";

interface Answer<T = unknown> {
  status: number;
  body: T;
}

export interface ProducerTuple {
  producerId: string;
  epoch: number;
  seq: number;
}

/** A topic name no other test (or earlier run on a reused state dir) has taken. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
}

export async function call<T = unknown>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function createTopic(url: string, name: string, config: Partial<TopicConfig>): Promise<TopicDescription> {
  const res = await call<TopicDescription>(url, "PUT", `/v1/topics/${name}`, config);
  if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Produces to one partition, as an idempotent producer when `producer` is given. */
export function producePartition<T = unknown>(
  url: string,
  topic: string,
  partition: number,
  records: ProduceRecord[],
  producer?: ProducerTuple,
): Promise<Answer<T>> {
  const headers: Record<string, string> = producer
    ? { [PRODUCER_ID]: producer.producerId, [PRODUCER_EPOCH]: String(producer.epoch), [PRODUCER_SEQ]: String(producer.seq) }
    : {};
  return call<T>(url, "POST", `/v1/topics/${topic}/partitions/${partition}/records`, { records }, headers);
}

/**
 * Every record of a partition from `earliest` to the high watermark seen by
 * the first fetch (call it when nothing is producing any more).
 */
async function readPartition(url: string, topic: string, partition: number): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  let offset: number | "earliest" = "earliest";
  let end = Infinity;
  while (true) {
    const res: Answer<FetchResponse> = await call<FetchResponse>(
      url,
      "GET",
      `/v1/topics/${topic}/partitions/${partition}/records?offset=${offset}&maxRecords=10000`,
    );
    if (res.status !== 200) throw new Error(`fetching ${topic}/${partition}: ${res.status} ${JSON.stringify(res.body)}`);
    end = Math.min(end, res.body.highWatermark);
    out.push(...res.body.records);
    if (res.body.nextOffset >= end) return out;
    if (res.body.records.length === 0) throw new Error(`fetching ${topic}/${partition} at ${offset} made no progress`);
    offset = res.body.nextOffset;
  }
}

/** Every partition of a topic, read with `readPartition`, indexed by partition. */
export function readTopic(url: string, topic: string, partitions: number): Promise<ConsumedRecord[][]> {
  return Promise.all(Array.from({ length: partitions }, (_, p) => readPartition(url, topic, p)));
}

/** Every stored record of a topic, per partition (call it when nothing is producing any more). */
export async function readAll(bus: string, topic: string): Promise<ConsumedRecord[][]> {
  const { config } = (await (await fetch(`${bus}/v1/topics/${topic}`)).json()) as { config: { partitions: number } };
  return readTopic(bus, topic, config.partitions);
}
