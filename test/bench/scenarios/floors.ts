/**
 * @module
 * The floors (worker/bench): what the same machine does with no edgelog work
 * at all. A no-op request through the worker, a no-op call into a Durable
 * Object, the 1,000-record produce body stored as one SQLite row without
 * parsing, and that row read back as the response. Produce is judged against
 * the raw insert; both raw floors count the 1,000 records the body holds.
 * And two ceilings (see suite.ts, foundationCeilings): a real 1,000-record
 * fetch page answered from the worker's memory, the most any fetch could
 * do; and the raw insert cut into slices stored by as many Durable Objects
 * in parallel, through the leaders' group commit: the most a produce fanned
 * out over partitions could do.
 */

import { createTopic, send } from "../http.ts";
import { JSON_HEADERS, produceBody } from "../payload.ts";
import type { BenchContext, Scenario } from "../scenario.ts";

const RAW_RECORDS = 1000;

export type Floor = "noop" | "do-noop" | "raw-insert" | "raw-insert-spread" | "raw-read" | "page";

/** How many probe objects the spread floor fans the body out to: as many as the partitioned produce scenarios have. */
const SPREAD_PARTS = 8;

const IDENTITY: RequestInit = { headers: { "accept-encoding": "identity" } };

/** A step that POSTs `body` to the bench route `path` and counts `records` moved. */
function posting(path: string, body: string, records: number): Scenario["worker"] {
  return (ctx) => async () => (await send(`${ctx.url}/v1/_bench/${path}`, { method: "POST", headers: JSON_HEADERS, body }), records);
}

const FLOORS: Record<Floor, Omit<Scenario, "id" | "concurrency">> = {
  noop: {
    label: "floor: no-op request (worker only)",
    setup: requireBenchRoutes,
    worker: (ctx) => async () => (await send(`${ctx.url}/v1/_bench/noop`), 0),
  },
  "do-noop": {
    label: "floor: no-op Durable Object call",
    setup: requireBenchRoutes,
    worker: (ctx) => async () => (await send(`${ctx.url}/v1/_bench/do-noop`), 0),
  },
  "raw-insert": {
    label: "floor: raw insert of the 1,000-record body",
    recordsPerRequest: RAW_RECORDS,
    setup: requireBenchRoutes,
    worker: posting("raw-insert", produceBody(RAW_RECORDS), RAW_RECORDS),
  },
  // The raw insert cut into slices, each stored by its own probe through group commit, the calls in parallel.
  "raw-insert-spread": {
    label: `ceiling: the same body in ${SPREAD_PARTS} slices into ${SPREAD_PARTS} Durable Objects in parallel, group commit`,
    recordsPerRequest: RAW_RECORDS,
    setup: requireBenchRoutes,
    worker: posting(`raw-insert-spread?parts=${SPREAD_PARTS}`, produceBody(RAW_RECORDS), RAW_RECORDS),
  },
  "raw-read": {
    label: "floor: raw read of a stored 1,000-record body",
    recordsPerRequest: RAW_RECORDS,
    async setup(ctx) {
      await requireBenchRoutes(ctx);
      // The floor reads the latest raw-insert row: there must be one.
      await send(`${ctx.url}/v1/_bench/raw-insert`, { method: "POST", headers: JSON_HEADERS, body: produceBody(RAW_RECORDS) });
    },
    // Uncompressed, as the fetch scenario reads (see scenarios/fetch.ts).
    worker: (ctx) => async () => (await send(`${ctx.url}/v1/_bench/raw-read`, IDENTITY), RAW_RECORDS),
  },
  page: {
    label: "ceiling: a 1,000-record fetch page from the worker's memory",
    recordsPerRequest: RAW_RECORDS,
    async setup(ctx) {
      await requireBenchRoutes(ctx);
      await (heldPage ??= holdPage(ctx));
    },
    worker: (ctx) => async () => (await send(`${ctx.url}/v1/_bench/page`, IDENTITY), RAW_RECORDS),
  },
};

let heldPage: Promise<void> | undefined;

/** Produces the fetch scenario's records to a topic of its own, fetches them as one page and hands it to the worker to hold. */
async function holdPage(ctx: BenchContext): Promise<void> {
  const topic = "bench-page";
  await createTopic(ctx.url, topic);
  await send(`${ctx.url}/v1/topics/${topic}/records`, { method: "POST", headers: JSON_HEADERS, body: produceBody(RAW_RECORDS) });
  const page = await send(`${ctx.url}/v1/topics/${topic}/partitions/0/records?offset=0&maxRecords=${RAW_RECORDS}`, IDENTITY);
  await send(`${ctx.url}/v1/_bench/page`, { method: "PUT", headers: JSON_HEADERS, body: page });
}

export function floorScenarios(concurrency: number, floors: readonly Floor[] = ["noop", "do-noop", "raw-insert", "raw-read", "page"]): Scenario[] {
  return floors.map((floor) => ({ ...FLOORS[floor], id: `floor-${floor}-c${concurrency}`, concurrency }));
}

/**
 * A ceiling scenario: `body` (a produce or stream-append body of `records`
 * records) stored as one SQLite row without parsing, the least any request
 * that carries it could cost. Its id is `floor-raw-<name>-c<concurrency>`.
 */
export function rawInsertOf(name: string, label: string, records: number, body: string, concurrency: number): Scenario {
  return {
    id: `floor-raw-${name}-c${concurrency}`,
    label: `ceiling: raw insert of ${label}`,
    concurrency,
    recordsPerRequest: records,
    setup: requireBenchRoutes,
    worker: posting("raw-insert", body, records),
  };
}

export async function requireBenchRoutes(ctx: BenchContext): Promise<void> {
  const res = await fetch(`${ctx.url}/v1/_bench/noop`);
  await res.arrayBuffer();
  if (res.status === 404) throw new Error("the bus has no /v1/_bench routes: start it with EDGELOG_BENCH=1");
}
