/**
 * @module
 * The topic forms: create a topic (name, partitions, retention, cleanup
 * policy) and change an existing topic's config (only the fields that
 * changed are sent; partitions may only grow). The bus validates; its
 * refusal is shown as it comes.
 */

import type { TopicConfig, TopicConfigPatch } from "../../../src/index.ts";
import { h } from "./dom.ts";
import { field, statusLine, type StatusLine } from "./form.ts";

const UNITS: [label: string, ms: number][] = [
  ["days", 86_400_000],
  ["hours", 3_600_000],
  ["minutes", 60_000],
  ["seconds", 1_000],
  ["milliseconds", 1],
];
const FOREVER = "forever";

/** Retention as an amount and a unit (or forever), inside a fieldset. */
function retentionFields(ms: number): { element: HTMLElement; read(): number } {
  const [unitLabel, unitMs] = ms < 0 ? ["days", 86_400_000] : (UNITS.find(([, size]) => ms % size === 0) ?? ["milliseconds", 1]);
  const amount = h("input", { type: "number", name: "retentionAmount", min: 1, step: 1, required: true, value: ms < 0 ? 7 : ms / unitMs, inputmode: "numeric" });
  const unit = h(
    "select",
    { name: "retentionUnit" },
    ...UNITS.map(([label, size]) => h("option", { value: size, selected: ms >= 0 && label === unitLabel }, label)),
    h("option", { value: FOREVER, selected: ms < 0 }, "forever"),
  );
  const sync = () => {
    amount.disabled = unit.value === FOREVER;
  };
  unit.addEventListener("change", sync);
  sync();
  const element = h("fieldset", { class: "inline-fields" }, h("legend", null, "Retention"), field("Keep records for", amount), field("Unit", unit));
  return { element, read: () => (unit.value === FOREVER ? -1 : Math.round(Number(amount.value) * Number(unit.value))) };
}

function policySelect(value: TopicConfig["cleanupPolicy"]): HTMLSelectElement {
  return h(
    "select",
    { name: "cleanupPolicy" },
    h("option", { value: "delete", selected: value === "delete" }, "delete (drop old segments)"),
    h("option", { value: "compact", selected: value === "compact" }, "compact (latest record per key)"),
  );
}

function bytesInput(name: string, value: number, min = 1): HTMLInputElement {
  return h("input", { type: "number", name, min, step: 1, value: value < 0 ? "" : value, placeholder: "no limit", inputmode: "numeric" });
}

async function submitting(form: HTMLFormElement, status: StatusLine, work: () => Promise<void>): Promise<void> {
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]");
  if (button) button.disabled = true;
  try {
    await work();
  } catch (err) {
    status.error(err);
  } finally {
    if (button) button.disabled = false;
  }
}

export function createTopicForm(create: (name: string, config: Partial<TopicConfig>) => Promise<void>): HTMLFormElement {
  const name = h("input", { name: "name", required: true, maxlength: 249, pattern: "[a-zA-Z0-9._\\-]+", autocomplete: "off", spellcheck: "false" });
  const partitions = h("input", { type: "number", name: "partitions", min: 1, max: 1024, step: 1, value: 1, required: true, inputmode: "numeric" });
  const retention = retentionFields(7 * 86_400_000);
  const retentionBytes = bytesInput("retentionBytes", -1);
  const policy = policySelect("delete");
  const status = statusLine();
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "create-topic-title" },
    h("h2", { id: "create-topic-title" }, "Create a topic"),
    field("Name", name, "Letters, digits, '.', '_' and '-'; at most 249."),
    field("Partitions", partitions),
    retention.element,
    field("Retention size per partition (bytes)", retentionBytes, "Empty: no limit."),
    field("Cleanup policy", policy),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create topic")),
    status.element,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submitting(form, status, async () => {
      status.busy(`Creating ${name.value}…`);
      await create(name.value, {
        partitions: Number(partitions.value),
        retentionMs: retention.read(),
        retentionBytes: retentionBytes.value === "" ? -1 : Number(retentionBytes.value),
        cleanupPolicy: policy.value as TopicConfig["cleanupPolicy"],
      });
      status.ok(`Created ${name.value}.`);
    });
  });
  return form;
}

/** Edits `config` in place once the bus accepted a change, so the next submit compares with what is stored. */
export function topicConfigForm(config: TopicConfig, alter: (patch: TopicConfigPatch) => Promise<void>): HTMLFormElement {
  const partitions = h("input", { type: "number", name: "partitions", min: config.partitions, max: 1024, step: 1, value: config.partitions, required: true, inputmode: "numeric" });
  const retention = retentionFields(config.retentionMs);
  const retentionBytes = bytesInput("retentionBytes", config.retentionBytes);
  const policy = policySelect(config.cleanupPolicy);
  const maxMessageBytes = bytesInput("maxMessageBytes", config.maxMessageBytes);
  maxMessageBytes.required = true;
  const status = statusLine();
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "config-title" },
    h("h2", { id: "config-title" }, "Configuration"),
    field("Partitions", partitions, "Partitions can be added, never removed; keyed records then land elsewhere."),
    retention.element,
    field("Retention size per partition (bytes)", retentionBytes, "Empty: no limit."),
    field("Cleanup policy", policy),
    field("Largest record (bytes)", maxMessageBytes),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save changes")),
    status.element,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const wanted: TopicConfigPatch = {
      partitions: Number(partitions.value),
      retentionMs: retention.read(),
      retentionBytes: retentionBytes.value === "" ? -1 : Number(retentionBytes.value),
      cleanupPolicy: policy.value as TopicConfig["cleanupPolicy"],
      maxMessageBytes: Number(maxMessageBytes.value),
    };
    const patch = Object.fromEntries(Object.entries(wanted).filter(([k, v]) => config[k as keyof TopicConfig] !== v)) as TopicConfigPatch;
    if (Object.keys(patch).length === 0) {
      status.ok("Nothing changed.");
      return;
    }
    void submitting(form, status, async () => {
      status.busy("Saving…");
      await alter(patch);
      Object.assign(config, patch);
      partitions.min = String(config.partitions);
      status.ok(`Saved: ${Object.keys(patch).join(", ")}.`);
    });
  });
  return form;
}
