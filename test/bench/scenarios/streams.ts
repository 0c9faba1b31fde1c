/**
 * @module
 * The Durable Streams face against the protocol's reference server
 * (peers/durable-streams-server.ts; file-backed, durable like edgelog, and
 * in memory), the same requests to each: appends of JSON batches (1, 100 and 1,000 messages of the same 100-byte
 * values as every scenario) to one JSON stream per scenario, and catch-up
 * reads of a filled stream, page after page from the start (each system
 * pages as it does: edgelog about 1 MiB per answer, the reference server
 * everything up to the tail). Concurrent readers start spread over the
 * stream, at pages found by walking it once.
 */

import { send } from "../http.ts";
import { onDemand } from "../on-demand.ts";
import { RECORD_BYTES, RECORD_VALUE } from "../payload.ts";
import { durableStreamsServerVersion, startDurableStreamsServer } from "../peers/durable-streams-server.ts";
import { count, type BenchContext, type Scenario } from "../scenario.ts";
import { ceilingOf, type Target } from "../targets.ts";
import { rawInsertOf } from "./floors.ts";

const BATCHES: readonly number[] = [1, 100, 1000];
const CONCURRENCY: readonly number[] = [1, 8];
const PEER = "Durable Streams reference server";
const COLUMNS = { "ds-file": "Durable Streams server, file", "ds-memory": "Durable Streams server, memory" } as const;
const JSON_TYPE = { "content-type": "application/json" };
/** Uncompressed, as for topic fetches (scenarios/fetch.ts): the scenario measures reads, not gzip. */
const IDENTITY = { "accept-encoding": "identity" };

/** Where a scenario's requests go: the bus under test, or the peer. */
interface System {
  key: "edgelog" | keyof typeof COLUMNS;
  base(ctx: BenchContext): Promise<string>;
}

/** edgelog's rows, and the reference server's beside them. */
export function streamScenarios(): Scenario[] {
  const file = onDemand(() => startDurableStreamsServer("file"));
  const memory = onDemand(() => startDurableStreamsServer("memory"));
  const systems: System[] = [
    { key: "edgelog", base: async (ctx) => `${ctx.url}/v1/stream` },
    { key: "ds-file", base: async () => `${(await file.get()).url}/v1/stream` },
    { key: "ds-memory", base: async () => `${(await memory.get()).url}/v1/stream` },
  ];
  const fills = new Map<string, Promise<string[]>>();
  return [
    ...systems.flatMap((system) => [
      ...CONCURRENCY.flatMap((c) => BATCHES.map((b) => appendScenario(system, b, c))),
      ...CONCURRENCY.map((c) => readScenario(system, c, fills)),
    ]),
    ...judged().map(({ batch, concurrency }) =>
      rawInsertOf(`stream-b${batch}`, `the ${count(batch)}-message append body`, batch, appendBody(batch), concurrency),
    ),
  ];
}

/** The appends judged against the reference server: 100-message batches (issue #7) at each concurrency, 1,000-message ones (issue #11) at 8. */
function judged(): { batch: number; concurrency: number }[] {
  return [...CONCURRENCY.map((c) => ({ batch: 100, concurrency: c })), ...(CONCURRENCY.includes(8) ? [{ batch: 1000, concurrency: 8 }] : [])];
}

/**
 * edgelog must append at least as fast as the reference server: 100-message
 * batches (issue #7) at each concurrency, and 1,000-message batches at
 * concurrency 8 (issue #11).
 */
export function streamTargets(): Target[] {
  return judged().map(({ batch, concurrency: c }) => ({
    label: `stream append, ${count(batch)}-message batches: edgelog vs the reference server (file), concurrency ${c}`,
    subject: appendId("edgelog", batch, c),
    reference: appendId("ds-file", batch, c),
    metric: "records/s",
    required: 1,
  }));
}

/**
 * Each judged append's ceiling: the same body stored by edgelog's bus as
 * one SQLite row without parsing (the raw-insert floor's route), against the
 * reference server's append. Below 1×, no stream face on this bus can match
 * the reference server there.
 */
export function streamCeilings(): Target[] {
  return streamTargets().map((target, i) => {
    const { batch, concurrency: c } = judged()[i]!;
    const label = `a raw insert of the ${count(batch)}-message append body vs the reference server's append (file), concurrency ${c}`;
    return ceilingOf(target, `floor-raw-stream-b${batch}-c${c}`, label);
  });
}

/** The Method bullet for BENCHMARKS.md. */
export function streamsMethod(): string {
  return `Durable Streams: edgelog's \`/v1/stream\` face and the protocol's reference server (\`@durable-streams/server\` ${durableStreamsServerVersion()}, on a worker thread of the benchmark's process, compression off), file-backed (log files and LMDB in a temporary directory, every append fdatasync'ed before it is answered, as durable as edgelog) and in memory, take the same requests: JSON appends of ${RECORD_BYTES}-byte messages to one stream per scenario, and catch-up reads of a stream filled with the same messages, each answer as large as the system makes it.`;
}

function appendId(system: System["key"], batch: number, concurrency: number): string {
  return `${system === "edgelog" ? "stream" : system}-append-b${batch}-c${concurrency}`;
}

/** A JSON append of `batch` messages, each the 100-byte value every scenario uses. */
function appendBody(batch: number): string {
  return `[${Array.from({ length: batch }, () => RECORD_VALUE).join(",")}]`;
}


function appendScenario(system: System, batch: number, concurrency: number): Scenario {
  const id = appendId(system.key, batch, concurrency);
  const body = appendBody(batch);
  let url = "";
  return {
    id,
    label: `stream append, ${count(batch)}-message batches`,
    concurrency,
    recordsPerRequest: batch,
    ...(system.key === "edgelog" ? {} : { peer: PEER, beside: { row: appendId("edgelog", batch, concurrency), column: COLUMNS[system.key] } }),
    async setup(ctx) {
      url = `${await system.base(ctx)}/bench-${id}`;
      await send(url, { method: "PUT", headers: JSON_TYPE });
    },
    worker: () => async () => (await send(url, { method: "POST", headers: JSON_TYPE, body }), batch),
  };
}

function readScenario(system: System, concurrency: number, fills: Map<string, Promise<string[]>>): Scenario {
  const id = `${system.key === "edgelog" ? "stream" : system.key}-read-c${concurrency}`;
  let url = "";
  let pages: string[] = [];
  return {
    id,
    label: "stream catch-up read",
    concurrency,
    ...(system.key === "edgelog" ? {} : { peer: PEER, beside: { row: `stream-read-c${concurrency}`, column: COLUMNS[system.key] } }),
    async setup(ctx) {
      url = `${await system.base(ctx)}/bench-stream-read`;
      let filled = fills.get(system.key);
      if (!filled) fills.set(system.key, (filled = fill(url, ctx.quick)));
      pages = await filled;
    },
    worker(_ctx, index) {
      let page = Math.floor((index * pages.length) / concurrency);
      return async () => {
        const text = await send(`${url}?offset=${pages[page]}`, { headers: IDENTITY });
        page = (page + 1) % pages.length;
        return messages(text);
      };
    },
  };
}

/** Fills the read stream; returns the offset each page starts at (walking it as a reader would). */
async function fill(url: string, quick: boolean): Promise<string[]> {
  const total = quick ? 20_000 : 100_000;
  const batch = appendBody(1_000);
  await send(url, { method: "PUT", headers: JSON_TYPE });
  for (let n = 0; n < total; n += 1_000) await send(url, { method: "POST", headers: JSON_TYPE, body: batch });
  const pages: string[] = [];
  let read = 0;
  for (let offset = "-1"; ; ) {
    pages.push(offset);
    const res = await fetch(`${url}?offset=${offset}`, { headers: IDENTITY });
    read += messages(await res.text());
    offset = res.headers.get("stream-next-offset") ?? "";
    if (res.headers.get("stream-up-to-date") === "true") break;
  }
  if (read !== total) throw new Error(`reading ${url} back gave ${read} messages, not ${total}`);
  return pages;
}

/** Messages in a JSON array of RECORD_VALUEs, from its length alone (parsing would load the load generator). */
function messages(text: string): number {
  if (text.length <= 2) return 0;
  const n = (text.length - 1) / (RECORD_VALUE.length + 1);
  if (!Number.isInteger(n)) throw new Error(`a stream read answered ${text.length} bytes, not a whole number of messages`);
  return n;
}
