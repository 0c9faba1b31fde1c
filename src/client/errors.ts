/**
 * @module
 * The one error type the client throws, rejects with and emits. Server codes
 * come from src/protocol/errors.ts with their `retriable` flag; the client
 * adds the few codes only it can raise (the network failed, the outbox is
 * full, a record was invalid before it was stored).
 */

import { ERRORS, isErrorCode, type ErrorCode, type ErrorDetails } from "../protocol/errors.ts";

/** Codes raised by the client itself, never sent by the bus. */
const CLIENT_ERRORS = {
  /** The request never got an answer (offline, connection reset, CORS). */
  NETWORK_ERROR: { retriable: true },
  /** No answer within the request timeout; the bus may have committed it. */
  TIMEOUT: { retriable: true },
  /** The caller's AbortSignal fired. */
  ABORTED: { retriable: false },
  /** A record failed validation in `send()`; nothing was stored. */
  INVALID_RECORD: { retriable: false },
  /** The outbox is full and its policy is "reject", or storage quota ran out. */
  OUTBOX_FULL: { retriable: false },
  /** Records covered by a `flush()` were dropped from the outbox. */
  RECORDS_DROPPED: { retriable: false },
  /** The outbox could not be read or written. */
  STORAGE_ERROR: { retriable: false },
  /** Another process holds the file outbox. */
  OUTBOX_LOCKED: { retriable: false },
  /** The client was closed. */
  CLOSED: { retriable: false },
} as const;

type ClientErrorCode = keyof typeof CLIENT_ERRORS;
export type EdgelogErrorCode = ErrorCode | ClientErrorCode;

/** A record the outbox holds (or held), named in errors so nothing fails silently. */
export interface OutboxRecordRef {
  /** The outbox id `send()` resolved with. */
  id: number;
  topic: string;
}

interface EdgelogErrorOptions {
  status?: number;
  retriable?: boolean;
  details?: ErrorDetails & Record<string, unknown>;
  records?: OutboxRecordRef[];
  cause?: unknown;
}

export class EdgelogError extends Error {
  readonly code: EdgelogErrorCode;
  /** The HTTP status when the bus answered; 0 when it did not. */
  readonly status: number;
  readonly retriable: boolean;
  readonly details: ErrorDetails & Record<string, unknown>;
  /** The outbox records this error is about, when it is about records. */
  readonly records: OutboxRecordRef[];

  constructor(code: EdgelogErrorCode, message: string, options: EdgelogErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EdgelogError";
    this.code = code;
    this.status = options.status ?? (isErrorCode(code) ? ERRORS[code].status : 0);
    this.retriable = options.retriable ?? (isErrorCode(code) ? ERRORS[code].retriable : CLIENT_ERRORS[code].retriable);
    this.details = options.details ?? {};
    this.records = options.records ?? [];
  }

  /** A copy naming `records`, for errors raised before the records were known. */
  withRecords(records: OutboxRecordRef[]): EdgelogError {
    const { status, retriable, details, cause } = this;
    return new EdgelogError(this.code, this.message, { status, retriable, details, cause, records });
  }

  /** The plain form stored with dead letters and posted between tabs. */
  toJSON(): ErrorInfo {
    return { code: this.code, message: this.message, status: this.status, retriable: this.retriable, details: this.details };
  }

  static fromJSON(info: ErrorInfo, records: OutboxRecordRef[] = []): EdgelogError {
    return new EdgelogError(info.code, info.message, { status: info.status, retriable: info.retriable, details: info.details, records });
  }
}

/** An error as plain data: survives IndexedDB, JSON files and BroadcastChannel. */
export interface ErrorInfo {
  code: EdgelogErrorCode;
  message: string;
  status: number;
  retriable: boolean;
  details: ErrorDetails & Record<string, unknown>;
}

/** Whatever was thrown, as an EdgelogError (unknown failures are storage errors). */
export function toEdgelogError(err: unknown, fallback: EdgelogErrorCode = "STORAGE_ERROR"): EdgelogError {
  if (err instanceof EdgelogError) return err;
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new EdgelogError(fallback, message, { cause: err });
}

/** The error for an aborted signal, keeping its reason. */
export function abortError(signal: AbortSignal): EdgelogError {
  return new EdgelogError("ABORTED", "the operation was aborted", { cause: signal.reason });
}
