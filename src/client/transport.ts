/**
 * @module
 * How a consumer receives a partition's records. Long-polling is the one
 * transport today; a server-sent-events transport fits the same interface
 * (an async sequence of chunks from a position) when the bus serves SSE.
 */

import type { ConsumedRecord } from "../protocol/types.ts";
import type { BusHttp } from "./http.ts";

export type StartPosition = number | "earliest" | "latest" | { timestamp: number };

export interface Chunk {
  records: ConsumedRecord[];
  /** Where the next chunk starts. */
  nextOffset: number;
}

interface TransportRequest {
  topic: string;
  partition: number;
  from: StartPosition;
  maxRecords: number;
  waitMs: number;
  signal: AbortSignal;
}

export interface ConsumerTransport {
  /** Chunks from `from` on, live; errors end the sequence (the consumer decides what next). */
  open(request: TransportRequest): AsyncIterable<Chunk>;
}

export class LongPollTransport implements ConsumerTransport {
  readonly #http: BusHttp;

  constructor(http: BusHttp) {
    this.#http = http;
  }

  async *open(request: TransportRequest): AsyncGenerator<Chunk> {
    const { topic, partition, maxRecords, waitMs, signal } = request;
    let position = request.from;
    while (!signal.aborted) {
      const where = typeof position === "object" ? { timestamp: position.timestamp } : { offset: position };
      const response = await this.#http.fetchRecords(topic, partition, { ...where, maxRecords, waitMs }, signal);
      position = response.nextOffset;
      yield { records: response.records, nextOffset: response.nextOffset };
    }
  }
}
