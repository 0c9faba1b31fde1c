/**
 * @module
 * Every error code the bus answers with, its HTTP status and whether a client
 * may retry it. Names follow Kafka's error names where Kafka has one, so a
 * Kafka user can read them; `retriable` is data so retry logic never parses
 * messages.
 */

export const ERRORS = {
  INVALID_REQUEST: { status: 400, retriable: false },
  INVALID_TOPIC: { status: 400, retriable: false },
  INVALID_CONFIG: { status: 400, retriable: false },
  INVALID_PARTITIONS: { status: 400, retriable: false },
  UNAUTHORIZED: { status: 401, retriable: false },
  FORBIDDEN: { status: 403, retriable: false },
  PRODUCER_FENCED: { status: 403, retriable: false },
  NOT_FOUND: { status: 404, retriable: false },
  UNKNOWN_TOPIC_OR_PARTITION: { status: 404, retriable: false },
  GROUP_ID_NOT_FOUND: { status: 404, retriable: false },
  METHOD_NOT_ALLOWED: { status: 405, retriable: false },
  REQUEST_TIMEOUT: { status: 408, retriable: true },
  TOPIC_ALREADY_EXISTS: { status: 409, retriable: false },
  OUT_OF_ORDER_SEQUENCE: { status: 409, retriable: false },
  UNKNOWN_MEMBER_ID: { status: 409, retriable: false },
  ILLEGAL_GENERATION: { status: 409, retriable: false },
  REBALANCE_IN_PROGRESS: { status: 409, retriable: true },
  INCONSISTENT_GROUP_PROTOCOL: { status: 409, retriable: false },
  NON_EMPTY_GROUP: { status: 409, retriable: false },
  LIMIT_EXCEEDED: { status: 409, retriable: false },
  MESSAGE_TOO_LARGE: { status: 413, retriable: false },
  PAYLOAD_TOO_LARGE: { status: 413, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false },
  OFFSET_OUT_OF_RANGE: { status: 416, retriable: false },
  RATE_LIMITED: { status: 429, retriable: true },
  INTERNAL_ERROR: { status: 500, retriable: true },
  UNAVAILABLE: { status: 503, retriable: true },
  TOO_MANY_SUBSCRIBERS: { status: 503, retriable: true },
  // The Durable Streams face (PROTOCOL.md, "Durable Streams face"), whose
  // protocol fixes these statuses.
  STREAM_EXISTS: { status: 409, retriable: false },
  CONTENT_TYPE_MISMATCH: { status: 409, retriable: false },
  STREAM_SEQ_CONFLICT: { status: 409, retriable: false },
  STREAM_CLOSED: { status: 409, retriable: false },
  STREAM_DELETED: { status: 410, retriable: false },
  OFFSET_GONE: { status: 410, retriable: false },
  WEBHOOK_URL_REJECTED: { status: 400, retriable: false },
  FENCED: { status: 409, retriable: false },
  ALREADY_CLAIMED: { status: 409, retriable: false },
  SUBSCRIPTION_EXISTS: { status: 409, retriable: false },
  NO_PENDING_WORK: { status: 409, retriable: false },
  INVALID_OFFSET: { status: 409, retriable: false },
} as const satisfies Record<string, { status: number; retriable: boolean }>;

export type ErrorCode = keyof typeof ERRORS;

/** Extra fields an error may carry next to code and message. */
export interface ErrorDetails {
  /** OUT_OF_ORDER_SEQUENCE: the seq the leader expects next. */
  expectedSeq?: number;
  /** OUT_OF_ORDER_SEQUENCE: the seq that was sent. */
  receivedSeq?: number;
  /** PRODUCER_FENCED: the epoch the leader holds for this producer. */
  currentEpoch?: number;
  /** OFFSET_OUT_OF_RANGE: the partition's bounds when it was refused. */
  logStartOffset?: number;
  highWatermark?: number;
  /** INVALID_REQUEST: where in the request the problem is. */
  issues?: { path: string; message: string }[];
  /** MESSAGE_TOO_LARGE / PAYLOAD_TOO_LARGE / LIMIT_EXCEEDED / TOO_MANY_SUBSCRIBERS: the limit that was reached. */
  limit?: number;
  /** ILLEGAL_GENERATION / REBALANCE_IN_PROGRESS: the consumer group's current generation. */
  generation?: number;
  /** RATE_LIMITED / TOO_MANY_SUBSCRIBERS: seconds until a retry may succeed. */
  retryAfter?: number;
  /** ALREADY_CLAIMED: the worker holding a subscription's wake (the Durable Streams API's own snake_case). */
  current_holder?: string;
}

/** The JSON body of every error response: `{ "error": { ... } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; retriable: boolean } & ErrorDetails;
}

/** A failure as a value, for RPC results and client code that must not throw. */
export interface Failure {
  ok: false;
  error: ErrorBody["error"];
}

/** Builds the error object for `code`, taking `retriable` from the table. */
export function failure(code: ErrorCode, message: string, details: ErrorDetails = {}): Failure {
  return { ok: false, error: { code, message, retriable: ERRORS[code].retriable, ...details } };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERRORS, value);
}
