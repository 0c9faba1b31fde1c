/**
 * @module
 * The bus's HTTP API as typed calls. Every failure becomes an EdgelogError:
 * the bus's own `{ error: { code, message, retriable } }` when it answered,
 * NETWORK_ERROR or TIMEOUT (both retriable: the bus may have committed) when
 * it did not. Keep-alive requests are budgeted here: browsers refuse more
 * than 64 KiB of keep-alive bodies in flight per page.
 */

import { utf8Length } from "../protocol/codec.ts";
import { ERRORS, isErrorCode, type ErrorCode } from "../protocol/errors.ts";
import { PRODUCER_EPOCH, PRODUCER_ID, PRODUCER_SEQ, RETRY_AFTER } from "../protocol/headers.ts";
import type {
  CommitOffsetsRequest,
  FetchResponse,
  GroupOffsets,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  ProduceResponse,
  TopicDescription,
} from "../protocol/types.ts";
import { EdgelogError, abortError } from "./errors.ts";

/** Browsers allow 64 KiB of keep-alive bodies in flight; leave room for what the page itself sends. */
export const KEEPALIVE_BUDGET = 60 * 1024;

interface HttpOptions {
  url: string;
  token?: string;
  /** Per-request timeout (long-polls add their wait). Default 30,000 ms. */
  timeoutMs?: number;
  /** Told whether each request reached the bus, for online/offline events. */
  onReachable?: (reachable: boolean) => void;
}

interface RequestOptions {
  body?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Ask for `fetch(..., { keepalive: true })`; granted only within the budget. */
  keepalive?: boolean;
}

export interface ProducerTuple {
  producerId: string;
  epoch: number;
  seq: number;
}

interface FetchParams {
  offset?: number | "earliest" | "latest";
  timestamp?: number;
  maxRecords?: number;
  maxBytes?: number;
  waitMs?: number;
}

export class BusHttp {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #onReachable: (reachable: boolean) => void;
  #keepaliveBytes = 0;

  constructor(options: HttpOptions) {
    this.#base = options.url.replace(/\/+$/, "");
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#onReachable = options.onReachable ?? (() => {});
  }

  describeTopic(topic: string, signal?: AbortSignal): Promise<TopicDescription> {
    return this.request("GET", `/v1/topics/${encodeURIComponent(topic)}`, { signal });
  }

  /** One idempotent produce request: `body` is the JSON produce request, sent as is. */
  produce(
    topic: string,
    partition: number,
    body: string,
    tuple: ProducerTuple,
    options: { signal?: AbortSignal; keepalive?: boolean } = {},
  ): Promise<ProduceResponse> {
    return this.request("POST", `/v1/topics/${encodeURIComponent(topic)}/partitions/${partition}/records`, {
      ...options,
      body,
      headers: {
        [PRODUCER_ID]: tuple.producerId,
        [PRODUCER_EPOCH]: String(tuple.epoch),
        [PRODUCER_SEQ]: String(tuple.seq),
      },
    });
  }

  fetchRecords(topic: string, partition: number, params: FetchParams, signal?: AbortSignal): Promise<FetchResponse> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
    return this.request("GET", `/v1/topics/${encodeURIComponent(topic)}/partitions/${partition}/records?${query}`, {
      signal,
      timeoutMs: this.#timeoutMs + (params.waitMs ?? 0),
    });
  }

  joinGroup(group: string, body: JoinGroupRequest, signal?: AbortSignal): Promise<JoinGroupResponse> {
    return this.request("POST", `${groupPath(group)}/members`, { body: JSON.stringify(body), signal });
  }

  heartbeat(group: string, memberId: string, generation: number, signal?: AbortSignal): Promise<HeartbeatResponse> {
    const path = `${groupPath(group)}/members/${encodeURIComponent(memberId)}/heartbeat`;
    return this.request("POST", path, { body: JSON.stringify({ generation }), signal });
  }

  leaveGroup(group: string, memberId: string): Promise<void> {
    return this.request("DELETE", `${groupPath(group)}/members/${encodeURIComponent(memberId)}`);
  }

  commitOffsets(group: string, body: CommitOffsetsRequest): Promise<GroupOffsets> {
    return this.request("POST", `${groupPath(group)}/offsets`, { body: JSON.stringify(body) });
  }

  committedOffsets(group: string, topic: string, signal?: AbortSignal): Promise<GroupOffsets> {
    return this.request("GET", `${groupPath(group)}/offsets?topic=${encodeURIComponent(topic)}`, { signal });
  }

  /**
   * Opens a live SSE stream (`Accept: text/event-stream`): resolves with the
   * response once the bus has accepted it, rejects with the bus's error
   * otherwise. The caller reads the body until `signal` aborts.
   */
  async stream(path: string, signal: AbortSignal): Promise<ReadableStream<BufferSource>> {
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let response: Response;
    try {
      response = await fetch(this.#base + path, { headers, signal });
    } catch (err) {
      if (signal.aborted) throw abortError(signal);
      this.#onReachable(false);
      throw new EdgelogError("NETWORK_ERROR", `GET ${path}: ${(err as Error).message}`, { cause: err });
    }
    this.#onReachable(true);
    if (!response.ok || !response.body) throw errorFromResponse(response, await response.text());
    return response.body as ReadableStream<BufferSource>;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs ?? this.#timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    const keepaliveBytes = options.keepalive && options.body !== undefined ? this.#reserveKeepalive(options.body) : 0;
    try {
      let response: Response;
      let text: string;
      try {
        response = await fetch(this.#base + path, {
          method,
          headers,
          body: options.body,
          signal: controller.signal,
          keepalive: keepaliveBytes > 0,
        });
        text = await response.text();
      } catch (err) {
        if (signal?.aborted) throw abortError(signal);
        this.#onReachable(false);
        if (timedOut) throw new EdgelogError("TIMEOUT", `${method} ${path}: no answer in time`, { cause: err });
        throw new EdgelogError("NETWORK_ERROR", `${method} ${path}: ${(err as Error).message}`, { cause: err });
      }
      this.#onReachable(true);
      if (!response.ok) throw errorFromResponse(response, text);
      return (text ? JSON.parse(text) : undefined) as T;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      this.#keepaliveBytes -= keepaliveBytes;
    }
  }

  /**
   * Sends a produce request with `keepalive` and forgets it: the page is
   * going away. False when the keep-alive budget has no room for it.
   */
  beacon(topic: string, partition: number, body: string, tuple: ProducerTuple): boolean {
    if (!this.fitsKeepalive(body)) return false;
    // fetch() is called synchronously inside produce(), before the page unloads.
    this.produce(topic, partition, body, tuple, { keepalive: true }).catch(() => {});
    return true;
  }

  /** Whether a keep-alive request with `body` fits the budget now. */
  fitsKeepalive(body: string): boolean {
    // A string's UTF-8 size is at least its length: most big bodies stop here.
    if (this.#keepaliveBytes + body.length > KEEPALIVE_BUDGET) return false;
    return this.#keepaliveBytes + utf8Length(body) <= KEEPALIVE_BUDGET;
  }

  #reserveKeepalive(body: string): number {
    const bytes = utf8Length(body);
    if (this.#keepaliveBytes + bytes > KEEPALIVE_BUDGET) return 0;
    this.#keepaliveBytes += bytes;
    return bytes;
  }
}

const groupPath = (group: string) => `/v1/groups/${encodeURIComponent(group)}`;

function errorFromResponse(response: Response, text: string): EdgelogError {
  const retryAfter = parseRetryAfter(response.headers.get(RETRY_AFTER));
  let body: { error?: { code?: unknown; message?: unknown; retriable?: unknown } } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const e = body?.error;
  if (e && isErrorCode(e.code)) {
    const { code, message, retriable, ...details } = e as { code: ErrorCode; message: string; retriable: boolean };
    if (retryAfter !== undefined) (details as { retryAfter?: number }).retryAfter ??= retryAfter;
    return new EdgelogError(code, String(message), { status: response.status, retriable: Boolean(retriable), details });
  }
  const code = codeForStatus(response.status);
  return new EdgelogError(code, `HTTP ${response.status}: ${text.slice(0, 200)}`, {
    status: response.status,
    retriable: ERRORS[code].retriable,
    details: retryAfter === undefined ? {} : { retryAfter },
  });
}

/** For answers without our error body (a proxy, a load balancer). */
function codeForStatus(status: number): ErrorCode {
  if (status === 408) return "REQUEST_TIMEOUT";
  if (status === 429) return "RATE_LIMITED";
  if (status === 503 || status === 502 || status === 504) return "UNAVAILABLE";
  if (status >= 500) return "INTERNAL_ERROR";
  if (status === 401) return "UNAUTHORIZED";
  if (status === 403) return "FORBIDDEN";
  if (status === 404) return "NOT_FOUND";
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  return "INVALID_REQUEST";
}

/** Retry-After in seconds: either delta-seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}
