/**
 * @module
 * A producer for one topic. `send()` checks the records, stores them in the
 * outbox and resolves once they are durable there — never later, never
 * waiting for the network; delivery to the bus happens in the background,
 * exactly once. `flush()` waits for that delivery.
 */

import type { ProduceRecord } from "../protocol/types.ts";
import type { Core } from "./core.ts";
import type { FlushOptions } from "./flush.ts";
import { assertTopic, encodeRecord } from "./records.ts";

export interface ProducerOptions {
  topic: string;
}

/** What `send()` resolves with: the records' outbox ids, as named in `error` events and dead letters. */
export interface SendReceipt {
  ids: number[];
}

export class Producer {
  readonly topic: string;
  readonly #core: Core;

  constructor(core: Core, options: ProducerOptions) {
    assertTopic(options.topic);
    this.topic = options.topic;
    this.#core = core;
    core.prefetch(this.topic);
  }

  /**
   * Stores one record or many in the outbox (one transaction for all the
   * records sent in the same task). A record the bus would refuse rejects
   * at once with INVALID_RECORD, and nothing is stored; a full outbox with
   * the "reject" policy rejects with OUTBOX_FULL.
   *
   * @example
   * await producer.send({ key: userId, value: { page: "/cart" } });
   */
  send(records: ProduceRecord | readonly ProduceRecord[]): Promise<SendReceipt> {
    const list: readonly ProduceRecord[] = Array.isArray(records) ? records : [records as ProduceRecord];
    let encoded;
    try {
      const now = Date.now();
      encoded = list.map((record) => encodeRecord(this.topic, record, now));
    } catch (err) {
      return Promise.reject(err);
    }
    if (encoded.length === 0) return Promise.resolve({ ids: [] });
    return this.#core.appender.append(encoded).then((ids) => ({ ids }));
  }

  /**
   * Resolves once the bus has acknowledged every record stored before the
   * call (from any producer of this outbox, in any tab). Rejects with the
   * bus's error when some of them were refused for good (they are in the
   * dead letters), with RECORDS_DROPPED when the outbox policy discarded
   * some, with TIMEOUT or ABORTED as asked.
   */
  flush(options?: FlushOptions): Promise<void> {
    return this.#core.flush(options);
  }
}
