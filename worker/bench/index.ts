/**
 * @module
 * The benchmark's floors: what a request costs before edgelog does any work
 * of its own. They answer only when the `EDGELOG_BENCH` var is "1" (the bench
 * starts its bus that way); otherwise they are 404 like any unknown route.
 * Their middleware matches only `/v1/_bench/*`, so produce and fetch never
 * pay for the check.
 *
 * - `GET /v1/_bench/noop`: through the worker and its middleware, nothing else.
 * - `GET /v1/_bench/do-noop`: plus one RPC to a Durable Object.
 * - `POST /v1/_bench/raw-insert`: the body as text (never parsed), one RPC,
 *   one SQLite INSERT.
 * - `GET /v1/_bench/raw-read`: one RPC, one SQLite SELECT of the latest
 *   raw-insert body, sent back as the response (404 before any insert).
 * - `POST /v1/_bench/raw-insert-spread?parts=N`: the same body cut into N
 *   slices by length (no parsing), each stored as one row by its own probe
 *   object through the leaders' group commit, the N calls in parallel: the
 *   least a produce fanned out to N partition leaders can cost, so it
 *   bounds what partitions can add on the machine.
 * - `GET` / `POST /v1/_bench/fanout`: SSE clients and the events handed to
 *   each of them, the least a live fan-out can cost (./fanout.ts).
 * - `PUT /v1/_bench/page` keeps a fetch page (the bench reads a real one) in
 *   this isolate's memory; `GET /v1/_bench/page` answers it: no Durable
 *   Object, no SQLite, no rendering. No fetch can be cheaper, so it bounds
 *   what the fetch target can reach on the machine (404 before a PUT).
 */

import { z } from "@hono/zod-openapi";
import { Hono } from "hono";
import { validate } from "../validation.ts";
import { fanout } from "./fanout.ts";

export const bench = new Hono<{ Bindings: Env }>().basePath("/v1/_bench");

bench.use(async function benchOnly(c, next) {
  // The generated type is the wrangler.toml default's literal "0"; the bench
  // overrides it with `--var EDGELOG_BENCH:1`.
  if ((c.env.EDGELOG_BENCH as string) !== "1") return c.notFound();
  await next();
});

bench.route("/fanout", fanout);

bench.get("/noop", (c) => c.body(null, 204));

bench.get("/do-noop", async (c) => {
  await probe(c.env).noop();
  return c.body(null, 204);
});

bench.post("/raw-insert", async (c) => {
  await probe(c.env).rawInsert(await c.req.text());
  return c.body(null, 204);
});

const SpreadQuery = z.object({ parts: z.coerce.number().int().min(1).max(64) });

bench.post("/raw-insert-spread", async (c) => {
  const { parts } = validate(SpreadQuery, c.req.query(), "query", c);
  const body = await c.req.text();
  const size = Math.ceil(body.length / parts);
  await Promise.all(Array.from({ length: parts }, (_, i) => probe(c.env, `spread-${i}`).rawInsertGrouped(body.slice(i * size, (i + 1) * size))));
  return c.body(null, 204);
});

bench.get("/raw-read", async (c) => {
  const body = await probe(c.env).rawRead();
  return body === null ? c.body(null, 404) : c.body(body, 200, { "content-type": "application/json" });
});

/** The page `PUT /v1/_bench/page` left: per isolate, which is all the local engine runs. */
let heldPage: string | null = null;

bench.put("/page", async (c) => {
  heldPage = await c.req.text();
  return c.body(null, 204);
});

bench.get("/page", (c) => (heldPage === null ? c.body(null, 404) : c.body(heldPage, 200, { "content-type": "application/json" })));

/** One probe for every floor, as produce to a one-partition topic reaches one leader; the spread floor names one per slice. */
function probe(env: Env, name = "probe"): DurableObjectStub<import("./probe.ts").BenchProbe> {
  return env.BENCH_PROBE.getByName(name);
}
