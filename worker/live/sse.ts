/**
 * @module
 * A Server-Sent Events response: events written in order, comment
 * heartbeats so proxies keep the connection, and a byte-counted queue so a
 * client that stops reading makes `event()` wait instead of piling up memory.
 */

const encoder = new TextEncoder();

export interface SseOptions {
  heartbeatMs: number;
  /** Suggested reconnect delay for EventSource clients. */
  retryMs: number;
  /** Bytes queued for the client before writes wait. */
  highWaterMark: number;
}

export class SseStream {
  readonly response: Response;
  readonly #gone = new AbortController();
  readonly #highWaterMark: number;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  #closed = false;

  constructor(options: SseOptions) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>(
      undefined,
      new ByteLengthQueuingStrategy({ highWaterMark: options.highWaterMark }),
    );
    this.#writer = writable.getWriter();
    this.#highWaterMark = options.highWaterMark;
    this.response = new Response(readable, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        "x-accel-buffering": "no",
      },
    });
    this.#heartbeat = setInterval(() => void this.#write(": ping\n\n"), options.heartbeatMs);
    void this.#write(`retry: ${options.retryMs}\n\n`);
  }

  /** Bytes written but not yet taken by the client. */
  get queued(): number {
    return this.#highWaterMark - (this.#writer.desiredSize ?? 0);
  }

  /** Aborts when the client is gone (a write failed). */
  get signal(): AbortSignal {
    return this.#gone.signal;
  }

  /**
   * Queues already-formatted events at once, without waiting for room: for
   * live records, whose sender checks `queued` first and cuts a client that
   * stays behind.
   */
  enqueue(events: string | Uint8Array): void {
    if (this.#closed) return;
    this.#writer.write(bytesOf(events)).catch(() => this.#fail());
  }

  /** Writes already-formatted events; resolves when the client has room for more. */
  write(events: string | Uint8Array): Promise<void> {
    return this.#write(events);
  }

  /** Ends the response at once, dropping whatever the client has not read (it errors its body). */
  abort(): void {
    if (this.#gone.signal.aborted) return;
    void this.#writer.abort(new Error("stream cut")).catch(() => {});
    this.#fail();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    await this.#writer.close().catch(() => {});
  }

  async #write(events: string | Uint8Array): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#writer.ready;
      void this.#writer.write(bytesOf(events)).catch(() => this.#fail());
      await this.#writer.ready;
    } catch {
      this.#fail();
    }
  }

  #fail(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#gone.abort();
  }
}

/** Events as bytes; shared bytes (one rendering for many streams) are written as they are, never changed. */
function bytesOf(events: string | Uint8Array): Uint8Array {
  return typeof events === "string" ? encoder.encode(events) : events;
}
