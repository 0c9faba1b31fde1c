/**
 * @module
 * The protocol's reserved subscription API under `/v1/stream/__ds/`:
 * `jwks.json` (the keys webhooks are signed with) and
 * `subscriptions/<id>` — PUT (create or confirm), GET, DELETE;
 * `…/streams` POST and `…/streams/<stream>` DELETE (explicit streams);
 * `…/callback` (webhook consumers), `…/claim`, `…/ack`, `…/release`
 * (pull-wake workers). Bodies are JSON in the API's own snake_case.
 */

import type { Context } from "hono";
import type { z } from "@hono/zod-openapi";
import { ApiError } from "../../http-error.ts";
import { readBody } from "../body.ts";
import { AckBody, ClaimBody, StreamsBody, SubscriptionBody, toInput } from "./input.ts";
import { forgetSubscriptions, registryStub } from "./notify.ts";

type Ctx = Context<{ Bindings: Env }>;

/** Subscription definitions and acks are small. */
const MAX_BODY_BYTES = 256 * 1024;
const ID = /^[A-Za-z0-9._~-]{1,200}$/;

export async function subscriptionsResponse(c: Ctx, rest: string): Promise<Response> {
  const registry = registryStub(c.env);
  const method = c.req.method;
  if (rest === "jwks.json") {
    if (method !== "GET" && method !== "HEAD") throw notAllowed();
    return new Response(JSON.stringify(await registry.jwks()), {
      headers: { "content-type": "application/jwk-set+json", "cache-control": "public, max-age=300" },
    });
  }
  const m = /^subscriptions\/([^/]+)(?:\/(.+))?$/.exec(rest);
  const id = m ? safeDecode(m[1]!) : null;
  if (!m || id === null || !ID.test(id)) throw new ApiError("NOT_FOUND", "no such subscription route");
  const action = m[2];
  const origin = new URL(c.req.url).origin;
  if (action === undefined) {
    if (method === "PUT") {
      const r = await registry.create(id, toInput(await body(c, SubscriptionBody)), origin);
      forgetSubscriptions();
      if (!r.ok) throw ApiError.from(r);
      return json(r.view, r.created ? 201 : 200);
    }
    if (method === "GET") {
      const view = await registry.view(id);
      if (view === null) throw new ApiError("NOT_FOUND", `no subscription '${id}'`);
      return json(view, 200);
    }
    if (method === "DELETE") {
      await registry.remove(id);
      forgetSubscriptions();
      return new Response(null, { status: 204 });
    }
    throw notAllowed();
  }
  if (action === "streams") {
    if (method !== "POST") throw notAllowed();
    const found = await registry.addStreams(id, (await body(c, StreamsBody)).streams);
    return linksChanged(found, id);
  }
  if (action.startsWith("streams/")) {
    if (method !== "DELETE") throw notAllowed();
    const stream = safeDecode(action.slice("streams/".length));
    if (stream === null) throw new ApiError("INVALID_REQUEST", "the stream name is not valid percent-encoding");
    return linksChanged(await registry.removeStream(id, stream.replace(/^\/+|\/+$/g, "")), id);
  }
  if (method !== "POST") throw notAllowed();
  const token = bearer(c);
  switch (action) {
    case "callback":
    case "ack": {
      const req = await body(c, AckBody);
      const r = action === "callback" ? await registry.callback(id, token, req) : await registry.ack(id, token, req);
      if (!r.ok) throw ApiError.from(r);
      return c.json({ ok: true, next_wake: r.nextWake });
    }
    case "claim": {
      const r = await registry.claim(id, (await body(c, ClaimBody)).worker);
      if (!r.ok) throw ApiError.from(r);
      return c.json({ wake_id: r.wakeId, generation: r.generation, token: r.token, streams: r.streams, lease_ttl_ms: r.leaseTtlMs });
    }
    case "release": {
      const r = await registry.release(id, token, await body(c, AckBody));
      if (!r.ok) throw ApiError.from(r);
      return new Response(null, { status: 204 });
    }
  }
  throw new ApiError("NOT_FOUND", "no such subscription route");
}

async function body<T extends z.ZodTypeAny>(c: Ctx, schema: T): Promise<z.infer<T>> {
  const text = new TextDecoder().decode(await readBody(c.req.raw, MAX_BODY_BYTES));
  let json: unknown;
  try {
    json = text.length === 0 ? {} : JSON.parse(text);
  } catch {
    throw new ApiError("INVALID_REQUEST", "the body must be JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new ApiError("INVALID_REQUEST", `invalid body: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`, { issues });
  }
  return parsed.data;
}

function json(text: string, status: number): Response {
  return new Response(text, { status, headers: { "content-type": "application/json" } });
}

function linksChanged(found: boolean, id: string): Response {
  forgetSubscriptions();
  if (!found) throw new ApiError("NOT_FOUND", `no subscription '${id}'`);
  return new Response(null, { status: 204 });
}

function bearer(c: Ctx): string | null {
  const h = c.req.header("authorization");
  return h?.startsWith("Bearer ") ? h.slice(7).trim() : null;
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function notAllowed(): ApiError {
  return new ApiError("METHOD_NOT_ALLOWED", "this subscription route does not take that method");
}
