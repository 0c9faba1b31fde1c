/**
 * @module
 * How a consumer receives a partition's records: an async sequence of
 * chunks from a position. Server-sent events when the runtime can stream a
 * response body (every current browser and Node): one request that stays
 * open, records pushed the moment they are committed. Long-polling otherwise.
 */

import { EventSourceParserStream } from "eventsource-parser/stream";
import type { ConsumedRecord } from "../protocol/types.ts";
import { EdgelogError } from "./errors.ts";
import type { BusHttp } from "./http.ts";

export type StartPosition = number | "earliest" | "latest" | { timestamp: number };

export interface Chunk {
  records: ConsumedRecord[];
  /** Where the next chunk starts. */
  nextOffset: number;
}

export interface TransportRequest {
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

/**
 * Follows a partition over SSE. Each `record` event is yielded as it comes;
 * the bus ends a stream with `recycle` (its connection lifetime) or `cutoff`
 * (this reader fell too far behind), and the transport reconnects from the
 * position it reached, so the consumer sees one unbroken sequence.
 */
export class SseTransport implements ConsumerTransport {
  readonly #http: BusHttp;

  constructor(http: BusHttp) {
    this.#http = http;
  }

  async *open(request: TransportRequest): AsyncGenerator<Chunk> {
    const { topic, partition, signal } = request;
    let position = request.from;
    while (!signal.aborted) {
      const where = typeof position === "object" ? `timestamp=${position.timestamp}` : `offset=${position}`;
      const path = `/v1/topics/${encodeURIComponent(topic)}/partitions/${partition}/records?${where}`;
      const body = await this.#http.stream(path, signal);
      const events = body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
      let ended: string | undefined;
      try {
        for (;;) {
          const { value: event, done } = await events.read();
          if (done) break;
          if (event.event === "record") {
            const record = JSON.parse(event.data) as ConsumedRecord;
            position = record.offset + 1;
            yield { records: [record], nextOffset: position };
          } else if (event.event === "recycle" || event.event === "cutoff" || event.event === "end") {
            ended = event.event;
            break;
          }
        }
      } finally {
        events.cancel().catch(() => {});
      }
      if (ended === "end") throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `topic '${topic}' was deleted`);
      if (ended === undefined && !signal.aborted) {
        // The connection dropped without a word from the bus: retry with backoff from where we are.
        throw new EdgelogError("NETWORK_ERROR", `the live stream of ${topic}/${partition} ended unexpectedly`);
      }
      // recycle or cutoff: reconnect at once from the position reached.
    }
  }
}
