/**
 * @module
 * The Durable Streams protocol's header names, in one place. The producer
 * headers are edgelog's own (src/protocol/headers.ts): one idempotent
 * producer speaks both faces.
 */

export const STREAM_NEXT_OFFSET = "Stream-Next-Offset";
export const STREAM_CURSOR = "Stream-Cursor";
export const STREAM_UP_TO_DATE = "Stream-Up-To-Date";
export const STREAM_CLOSED = "Stream-Closed";
export const STREAM_SEQ = "Stream-Seq";
export const STREAM_TTL = "Stream-TTL";
export const STREAM_EXPIRES_AT = "Stream-Expires-At";
export const STREAM_FORKED_FROM = "Stream-Forked-From";
export const STREAM_FORK_OFFSET = "Stream-Fork-Offset";
export const STREAM_FORK_SUB_OFFSET = "Stream-Fork-Sub-Offset";
export const STREAM_SSE_DATA_ENCODING = "Stream-SSE-Data-Encoding";
export const PRODUCER_EXPECTED_SEQ = "Producer-Expected-Seq";
export const PRODUCER_RECEIVED_SEQ = "Producer-Received-Seq";
