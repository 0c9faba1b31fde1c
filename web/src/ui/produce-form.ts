/**
 * @module
 * The produce form: a key, a JSON or text value, headers, and optionally a
 * partition. The record goes through the client's producer, like an app's:
 * stored in the outbox first, then acknowledged by the bus exactly once.
 */

import type { Client, JsonValue, ProduceRecord } from "../../../src/index.ts";
import { h } from "./dom.ts";
import { field, setInvalid, statusLine } from "./form.ts";

const ACK_WAIT_MS = 15_000;

export interface ProduceForm {
  element: HTMLFormElement;
  /** Offers partitions 0 to `count - 1` (after partitions were added), keeping the choice. */
  setPartitions(count: number): void;
}

export function produceForm(client: () => Client, topic: string, partitions: number): ProduceForm {
  const key = h("input", { name: "key", autocomplete: "off", spellcheck: "false" });
  const json = h("input", { type: "radio", name: "format", value: "json", checked: true, id: "format-json" });
  const text = h("input", { type: "radio", name: "format", value: "text", id: "format-text" });
  const value = h("textarea", { name: "value", rows: 4, spellcheck: "false", class: "mono" });
  value.value = '{ "hello": "edgelog" }';
  const headers = h("textarea", { name: "headers", rows: 2, spellcheck: "false", class: "mono", placeholder: "source: dashboard" });
  const partition = h("select", { name: "partition" });
  const setPartitions = (count: number) => {
    const chosen = partition.value;
    partition.replaceChildren(
      h("option", { value: "" }, "By key (Kafka's partitioner)"),
      ...Array.from({ length: count }, (_, p) => h("option", { value: p }, `Partition ${p}`)),
    );
    partition.value = Number(chosen) < count ? chosen : "";
  };
  setPartitions(partitions);
  const status = statusLine();
  const submit = h("button", { type: "submit" }, "Send record");
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "produce-title" },
    h("h2", { id: "produce-title" }, "Produce a record"),
    field("Key", key, "Empty: no key (records spread over partitions)."),
    h(
      "fieldset",
      { class: "radio-row" },
      h("legend", null, "Value format"),
      h("span", { class: "radio" }, json, h("label", { for: json.id }, "JSON")),
      h("span", { class: "radio" }, text, h("label", { for: text.id }, "Text")),
    ),
    field("Value", value),
    field("Headers", headers, "One per line: name: value."),
    field("Partition", partition),
    h("div", { class: "actions" }, submit),
    status.element,
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setInvalid(value, undefined);
    setInvalid(headers, undefined);
    let record: ProduceRecord;
    try {
      record = { value: text.checked ? value.value : parseJson(value, value.value) };
      const parsed = parseHeaders(headers);
      if (Object.keys(parsed).length) record.headers = parsed;
    } catch {
      return;
    }
    if (key.value !== "") record.key = key.value;
    if (partition.value !== "") record.partition = Number(partition.value);
    void send(record);
  });

  async function send(record: ProduceRecord): Promise<void> {
    submit.disabled = true;
    try {
      const { ids } = await client().send(topic, record);
      status.busy(`Stored in the outbox (id ${ids[0]}); waiting for the bus…`);
      try {
        await client().flush({ timeoutMs: ACK_WAIT_MS });
        status.ok(`Record ${ids[0]} acknowledged by the bus.`);
      } catch (err) {
        if ((err as { code?: string }).code !== "TIMEOUT") throw err;
        status.ok(`Record ${ids[0]} waits in the outbox; it is sent when the bus is reachable.`);
      }
    } catch (err) {
      status.error(err);
    } finally {
      submit.disabled = false;
    }
  }

  return { element: form, setPartitions };
}

function parseJson(control: HTMLTextAreaElement, text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    setInvalid(control, `Not valid JSON: ${(err as Error).message}. Choose "Text" to send it as a string.`);
    control.focus();
    throw err;
  }
}

function parseHeaders(control: HTMLTextAreaElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, line] of control.value.split("\n").entries()) {
    if (line.trim() === "") continue;
    const at = line.indexOf(":");
    if (at < 1) {
      setInvalid(control, `Line ${i + 1}: write a header as name: value.`);
      control.focus();
      throw new Error("bad header");
    }
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}
