/**
 * @module
 * The byte side of a Durable Streams SSE response: the protocol's exact
 * headers, comment heartbeats so proxies keep the connection, and a
 * byte-counted queue so a client that stops reading makes catch-up writes
 * wait instead of piling up memory.
 */

const encoder = new TextEncoder();

export class SseWriter {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #highWaterMark: number;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #gone = new AbortController();
  readonly readable: ReadableStream<Uint8Array>;
  #closed = false;

  constructor(highWaterMark: number, heartbeatMs: number) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>(undefined, new ByteLengthQueuingStrategy({ highWaterMark }));
    this.readable = readable;
    this.#writer = writable.getWriter();
    this.#highWaterMark = highWaterMark;
    this.#heartbeat = setInterval(() => this.enqueue(": \n\n"), heartbeatMs);
    // A client that disconnects cancels the body, which errors the writer.
    this.#writer.closed.catch(() => this.#fail());
  }

  /** Aborts when the client is gone. */
  get signal(): AbortSignal {
    return this.#gone.signal;
  }

  /** Bytes written but not yet taken by the client. */
  get queued(): number {
    return this.#highWaterMark - (this.#writer.desiredSize ?? 0);
  }

  /** Queues events at once, without waiting for room (live frames; the caller watches `queued`). */
  enqueue(text: string): void {
    if (this.#closed) return;
    this.#writer.write(encoder.encode(text)).catch(() => this.#fail());
  }

  /** Writes events; resolves when the client has room for more. */
  async write(text: string): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#writer.ready;
      void this.#writer.write(encoder.encode(text)).catch(() => this.#fail());
      await this.#writer.ready;
    } catch {
      this.#fail();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    await this.#writer.close().catch(() => {});
  }

  #fail(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#gone.abort();
  }
}
