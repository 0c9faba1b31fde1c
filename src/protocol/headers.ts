/**
 * @module
 * Header names of the wire protocol, in one place. The producer headers are
 * the Durable Streams names so one idempotent producer speaks both faces.
 */

export const PRODUCER_ID = "Producer-Id";
export const PRODUCER_EPOCH = "Producer-Epoch";
export const PRODUCER_SEQ = "Producer-Seq";
export const REQUEST_ID = "X-Request-Id";
export const RETRY_AFTER = "Retry-After";
