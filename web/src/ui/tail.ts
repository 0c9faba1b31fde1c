/**
 * @module
 * A live tail of a topic through the client library's consumer (SSE): one
 * consumer per followed partition, each starting at a position the caller
 * chose (a high watermark seen when the page opened, so nothing produced
 * after that is missed, or a timestamp). Newest records first, the last
 * few hundred kept. When the browser comes back online the consumers start
 * again from where they were instead of waiting out their backoff.
 */

import type { Client, ConsumerRecord, StartPosition } from "../../../src/index.ts";
import { h } from "./dom.ts";
import { describeError } from "./form.ts";
import { formatTime } from "./format.ts";

const MAX_ROWS = 300;

interface TailOptions {
  client: Client;
  topic: string;
  partitions: number[];
  from: (partition: number) => StartPosition;
  caption: string;
  signal: AbortSignal;
  /** The Value column's text; the value as JSON by default. */
  describe?: (record: ConsumerRecord) => string;
}

export function liveTail(options: TailOptions): HTMLElement {
  const { client, topic, partitions, signal } = options;
  const status = h("p", { class: "tail-status" }, `Following ${partitionList(partitions)} of ${topic}.`);
  const body = h("tbody");
  const empty = h("tr", { class: "tail-empty" }, h("td", { colspan: 6, class: "empty" }, "Waiting for records…"));
  body.append(empty);
  const table = h(
    "table",
    { class: "tail" },
    h("caption", null, options.caption),
    h(
      "thead",
      null,
      h("tr", null, ...["Time", "Partition", "Offset", "Key", "Value", "Headers"].map((c, i) => h("th", { scope: "col", class: i === 1 || i === 2 ? "num" : undefined }, c))),
    ),
    body,
  );
  const element = h("div", { class: "tail-box" }, status, h("div", { class: "table-scroll", role: "region", "aria-label": options.caption, tabindex: 0 }, table));

  const positions = new Map(partitions.map((p) => [p, options.from(p)]));
  const restarts = new Set<AbortController>();
  const add = (record: ConsumerRecord) => {
    empty.remove();
    body.prepend(row(record, options.describe ?? valueText));
    while (body.rows.length > MAX_ROWS) body.lastElementChild?.remove();
  };
  const follow = async (partition: number) => {
    while (!signal.aborted) {
      const round = new AbortController();
      const stop = () => round.abort();
      signal.addEventListener("abort", stop, { once: true });
      restarts.add(round);
      try {
        const consumer = client.consumer({ topic, partitions: [partition], from: positions.get(partition), persist: false, signal: round.signal });
        for await (const record of consumer) {
          positions.set(partition, record.offset + 1);
          add(record);
        }
      } catch (err) {
        status.textContent = `The tail stopped: ${describeError(err)}`;
        return;
      } finally {
        restarts.delete(round);
        signal.removeEventListener("abort", stop);
      }
    }
  };
  const online = () => {
    for (const round of [...restarts]) round.abort();
  };
  window.addEventListener("online", online);
  signal.addEventListener("abort", () => window.removeEventListener("online", online));
  for (const p of partitions) void follow(p);
  return element;
}

function valueText(record: ConsumerRecord): string {
  return record.valueBase64 !== undefined ? `base64:${record.valueBase64}` : JSON.stringify(record.value ?? null);
}

function row(record: ConsumerRecord, describe: (record: ConsumerRecord) => string): HTMLTableRowElement {
  const key = record.key ?? (record.keyBase64 === undefined ? null : `base64:${record.keyBase64}`);
  const value = describe(record);
  const headers = Object.entries(record.headers ?? {}).map(([k, v]) => `${k}: ${v}`);
  return h(
    "tr",
    { "data-partition": record.partition, "data-offset": record.offset },
    h("td", null, h("time", { datetime: new Date(record.timestamp).toISOString() }, formatTime(record.timestamp))),
    h("td", { class: "num" }, record.partition),
    h("td", { class: "num" }, record.offset),
    h("td", { class: key === null ? "muted" : "mono" }, key ?? "null"),
    h("td", { class: "mono value" }, value.length > 500 ? `${value.slice(0, 500)}…` : value),
    h("td", { class: "mono" }, headers.length ? headers.join("\n") : ""),
  );
}

function partitionList(partitions: number[]): string {
  return partitions.length === 1 ? `partition ${partitions[0]}` : `partitions ${partitions.join(", ")}`;
}
