/**
 * @module
 * Fetch throughput: a one-partition topic is filled with 1,000-record
 * batches, then read back in 1,000-record pages from the earliest offset.
 * A reader that reaches the end starts over; concurrent readers start spread
 * across the log so they do not read the same batch at the same moment.
 */

import { createTopic, send } from "../http.ts";
import { JSON_HEADERS, produceBody } from "../payload.ts";
import type { BenchContext, Scenario } from "../scenario.ts";

const TOPIC = "bench-fetch";
const PAGE = 1000;
const FILL_CONCURRENCY = 4;
/**
 * Pages uncompressed. The local engine does not compress, but wrangler dev
 * (Miniflare's entry worker) gzips JSON answers for clients that accept it,
 * as Cloudflare's front line does in front of a deployed worker, where it
 * costs the worker nothing; the scenario measures reads, on either engine.
 */
const IDENTITY: RequestInit = { headers: { "accept-encoding": "identity" } };

/** One scenario per concurrency; they share the topic, filled once. */
export function fetchScenarios(concurrencies: readonly number[]): Scenario[] {
  let filled: Promise<number> | undefined;
  let total = 0;
  return concurrencies.map((concurrency) => ({
    id: `fetch-p${PAGE}-c${concurrency}`,
    label: `fetch, ${PAGE.toLocaleString("en-US")}-record pages`,
    concurrency,
    recordsPerRequest: PAGE,
    async setup(ctx) {
      total = await (filled ??= fill(ctx));
    },
    worker(ctx, index) {
      let offset = Math.floor((index * total) / concurrency / PAGE) * PAGE;
      return async () => {
        const page = await send(`${ctx.url}/v1/topics/${TOPIC}/partitions/0/records?offset=${offset}&maxRecords=${PAGE}`, IDENTITY);
        const moved = nextOffset(page) - offset;
        if (moved <= 0) throw new Error(`fetch at offset ${offset} of ${total} returned no records`);
        offset = offset + moved >= total ? 0 : offset + moved;
        return moved;
      };
    },
  }));
}

/** How many records the fetch topic holds. */
export function fillRecords(quick: boolean): number {
  return quick ? 20_000 : 100_000;
}

/** Produces the records to read and checks one page; resolves with the record count. */
async function fill(ctx: BenchContext): Promise<number> {
  const batches = fillRecords(ctx.quick) / PAGE;
  await createTopic(ctx.url, TOPIC);
  const url = `${ctx.url}/v1/topics/${TOPIC}/records`;
  const body = produceBody(PAGE);
  let next = 0;
  await Promise.all(
    Array.from({ length: FILL_CONCURRENCY }, async () => {
      while (next++ < batches) await send(url, { method: "POST", headers: JSON_HEADERS, body });
    }),
  );
  const first = JSON.parse(await send(`${ctx.url}/v1/topics/${TOPIC}/partitions/0/records?offset=earliest&maxRecords=${PAGE}`));
  if (first.records.length !== PAGE || first.highWatermark !== batches * PAGE) {
    throw new Error(`the fetch topic holds ${first.highWatermark} records, a page ${first.records.length}`);
  }
  return first.highWatermark;
}

/** Reads `nextOffset` from the end of a page without parsing the records: the client's CPU is the bus's too. */
function nextOffset(page: string): number {
  const match = /"nextOffset":(\d+)/.exec(page.slice(-160));
  if (!match) throw new Error(`a fetch page without nextOffset: …${page.slice(-160)}`);
  return Number(match[1]);
}
