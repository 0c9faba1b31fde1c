/**
 * @module
 * POST on a stream: append (JSON mode flattens one level of array), close
 * (`Stream-Closed: true`, with or without a final append, in the same
 * transaction), `Stream-Seq` ordering and the idempotent producer headers,
 * answered with the statuses the protocol gives them: 204 (200 for a
 * producer's new data, 204 for its duplicates), 403 fenced, 409 gap, closed,
 * conflicting type or sequence.
 */

import type { Context } from "hono";
import { PRODUCER_EPOCH, PRODUCER_ID, PRODUCER_SEQ } from "../../src/protocol/headers.ts";
import type { ProducerTuple } from "../durable/partition-leader/rpc.ts";
import { essence } from "../durable/partition-leader/stream-meta.ts";
import { ApiError } from "../http-error.ts";
import { readBody } from "./body.ts";
import { ProducerHeaders } from "../schemas/records.ts";
import { canonicalContentType, modeOf, recordBodies } from "./content.ts";
import { PRODUCER_EXPECTED_SEQ, PRODUCER_RECEIVED_SEQ, STREAM_CLOSED, STREAM_NEXT_OFFSET, STREAM_SEQ } from "./headers.ts";
import { streamStub } from "./leader.ts";
import { formatOffset } from "./offsets.ts";
import { failResponse } from "./respond.ts";
import { notifyAppend } from "./subscriptions/notify.ts";

export async function appendResponse(c: Context<{ Bindings: Env }>, name: string): Promise<Response> {
  const close = isTrue(c.req.header(STREAM_CLOSED));
  const producer = producerTuple(c);
  const streamSeq = c.req.header(STREAM_SEQ);
  const body = await readBody(c.req.raw);
  if (body.length === 0 && !close) throw new ApiError("INVALID_REQUEST", "an append needs a body (or Stream-Closed: true to close)");
  let contentType: string | null = null;
  let bodies: string[] = [];
  if (body.length > 0) {
    const raw = c.req.header("content-type");
    if (raw === undefined) throw new ApiError("INVALID_REQUEST", "an append needs a Content-Type, the stream's");
    contentType = canonicalContentType(raw);
    if (contentType === null) throw new ApiError("INVALID_REQUEST", `'${raw.slice(0, 100)}' is not a media type`);
    bodies = recordBodies(modeOf(contentType), body, false);
  }
  const r = await streamStub(c.env, name).streamAppend({
    contentType: contentType === null ? null : essence(contentType),
    bodies,
    ...(producer ? { producer } : {}),
    ...(streamSeq !== undefined ? { streamSeq } : {}),
    close,
  });
  if (!r.ok) {
    const headers: Record<string, string> = {};
    const e = r.error;
    if (e.code === "STREAM_CLOSED") headers[STREAM_CLOSED] = "true";
    if (r.next !== undefined) headers[STREAM_NEXT_OFFSET] = formatOffset(r.next);
    if (e.code === "PRODUCER_FENCED" && e.currentEpoch !== undefined) headers[PRODUCER_EPOCH] = String(e.currentEpoch);
    if (e.code === "OUT_OF_ORDER_SEQUENCE") {
      headers[PRODUCER_EXPECTED_SEQ] = String(e.expectedSeq);
      headers[PRODUCER_RECEIVED_SEQ] = String(e.receivedSeq);
    }
    return failResponse(c, r, headers);
  }
  if (!r.duplicate && bodies.length > 0) await notifyAppend(c.env, name, r.next);
  const headers: Record<string, string> = { [STREAM_NEXT_OFFSET]: formatOffset(r.next) };
  if (r.closed) headers[STREAM_CLOSED] = "true";
  if (r.producer) {
    headers[PRODUCER_EPOCH] = String(r.producer.epoch);
    headers[PRODUCER_SEQ] = String(r.producer.seq);
  }
  // A producer's new data is 200, its duplicate 204; a plain append has no news but its offset.
  const status = producer && !r.duplicate && bodies.length > 0 ? 200 : 204;
  return new Response(null, { status, headers });
}

function producerTuple(c: Context): ProducerTuple | undefined {
  const headers = c.req.raw.headers;
  const sent = { "producer-id": headers.get(PRODUCER_ID) ?? undefined, "producer-epoch": headers.get(PRODUCER_EPOCH) ?? undefined, "producer-seq": headers.get(PRODUCER_SEQ) ?? undefined };
  // Most appends carry none: no schema to run.
  if (sent["producer-id"] === undefined && sent["producer-epoch"] === undefined && sent["producer-seq"] === undefined) return undefined;
  const parsed = ProducerHeaders.safeParse(sent);
  if (!parsed.success) throw new ApiError("INVALID_REQUEST", `producer headers: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  const h = parsed.data;
  return h["producer-id"] === undefined ? undefined : { producerId: h["producer-id"], epoch: h["producer-epoch"]!, seq: h["producer-seq"]! };
}

export function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === "true";
}
