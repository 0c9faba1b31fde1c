/**
 * @module
 * A Server-Sent Events response: events written in order, comment
 * heartbeats so proxies keep the connection, and a byte-counted queue so a
 * client that stops reading makes `write()` wait instead of piling up memory.
 *
 * The body is a native IdentityTransformStream: a JavaScript TransformStream
 * cost several times more CPU per write, which 200 subscribers of one
 * partition multiply. A native stream may only be written from the request
 * that made it; live records arrive on that same request (over its own
 * leader link, leader-feed.ts), and writers only queue bytes here and wake
 * this stream's loop, which writes them — whatever queued meanwhile as one
 * chunk, so a client that falls behind gets fewer, larger writes.
 */

const encoder = new TextEncoder();

export interface SseOptions {
  heartbeatMs: number;
  /** Suggested reconnect delay for EventSource clients; none is sent when absent. */
  retryMs?: number;
  /** Bytes queued for the client before writes wait. */
  highWaterMark: number;
}

export class SseStream {
  /** The body, for a caller that sets its own headers; `response` otherwise. */
  readonly readable: ReadableStream<Uint8Array>;
  readonly #gone = new AbortController();
  readonly #highWaterMark: number;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  #closed = false;
  /** Bytes handed to this stream and not yet taken by the client. */
  #queued = 0;
  /** Chunks the loop has not written yet. */
  #pending: Uint8Array[] = [];
  /** Wakes the loop when it waits for chunks. */
  #wakeLoop: (() => void) | undefined;
  /** Callers waiting for room (write) or for an empty queue (close). */
  #waiters: (() => void)[] = [];

  constructor(options: SseOptions) {
    const { readable, writable } = new IdentityTransformStream();
    this.readable = readable;
    this.#writer = writable.getWriter();
    this.#highWaterMark = options.highWaterMark;
    this.#heartbeat = setInterval(() => void this.#write(": ping\n\n"), options.heartbeatMs);
    if (options.retryMs !== undefined) void this.#write(`retry: ${options.retryMs}\n\n`);
    // Started here, so it runs in this response's request.
    void this.#loop();
  }

  /** An SSE response over the body. */
  get response(): Response {
    return new Response(this.readable, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        "x-accel-buffering": "no",
      },
    });
  }

  /** Bytes written but not yet taken by the client. */
  get queued(): number {
    return this.#queued;
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
  enqueue(events: string): void {
    if (this.#closed) return;
    this.#push(encoder.encode(events));
  }

  /** Writes already-formatted events; resolves when the client has room for more. */
  write(events: string): Promise<void> {
    return this.#write(events);
  }

  /** Ends the response at once, dropping whatever the client has not read (it errors its body). */
  abort(): void {
    if (this.#gone.signal.aborted) return;
    this.#fail();
    this.#wakeLoop?.();
  }

  /** Ends the response once the client has taken everything written. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#heartbeat);
    await this.#until(() => this.#queued === 0);
    this.#closed = true;
    this.#wakeLoop?.();
  }

  async #write(events: string): Promise<void> {
    if (this.#closed) return;
    await this.#until(() => this.#queued < this.#highWaterMark);
    if (this.#closed) return;
    this.#push(encoder.encode(events));
    await this.#until(() => this.#queued < this.#highWaterMark);
  }

  #push(bytes: Uint8Array): void {
    this.#queued += bytes.byteLength;
    this.#pending.push(bytes);
    const wake = this.#wakeLoop;
    this.#wakeLoop = undefined;
    wake?.();
  }

  /** This response's writer: takes what is queued, one chunk per write. */
  async #loop(): Promise<void> {
    try {
      for (;;) {
        if (this.#gone.signal.aborted) {
          await this.#writer.abort(new Error("stream cut")).catch(() => {});
          return;
        }
        if (this.#pending.length === 0) {
          if (this.#closed) {
            await this.#writer.close().catch(() => {});
            return;
          }
          await new Promise<void>((resolve) => (this.#wakeLoop = resolve));
          continue;
        }
        // Each chunk was encoded for this stream alone, so the native stream
        // may take (detach) it; several go out as one.
        const chunk = this.#pending.length === 1 ? this.#pending[0]! : concat(this.#pending);
        this.#pending = [];
        await this.#writer.write(chunk);
        this.#queued -= chunk.byteLength;
        this.#wake();
      }
    } catch {
      this.#fail();
    }
  }

  /** Resolves once `ready()` holds, or the client is gone. */
  #until(ready: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (ready() || this.#gone.signal.aborted) resolve();
        else this.#waiters.push(check);
      };
      check();
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const check of waiters) check();
  }

  #fail(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#gone.abort();
    this.#wake();
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const c of chunks) size += c.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
