/**
 * @module
 * One topic: its partitions (log start, high watermark, records, size),
 * a live tail starting at the high watermarks seen when the page opened,
 * the produce form, and the topic's configuration. When partitions are
 * added (here or anywhere else), the next poll hands them to the tail and
 * the produce form; the config form keeps what is being edited.
 */

import type { Client, TopicDescription } from "../../../src/index.ts";
import type { PageContext } from "../router.ts";
import { every } from "../poll.ts";
import { fill, h, pair } from "../ui/dom.ts";
import { describeError, statusLine } from "../ui/form.ts";
import { formatBytes, formatCount, formatDuration } from "../ui/format.ts";
import { produceForm } from "../ui/produce-form.ts";
import { dataTable } from "../ui/table.ts";
import { liveTail } from "../ui/tail.ts";
import { topicConfigForm } from "../ui/topic-form.ts";

/** Each tailed partition holds one of the few connections a browser opens per host. */
const MAX_TAILED_PARTITIONS = 3;

export function topicPage({ app, root, params, signal }: PageContext): void {
  const name = params[0]!;
  const { session } = app;
  const heading = h("h1", null, h("span", { class: "eyebrow" }, "Topic "), name);
  const loading = h("p", { class: "status", role: "status" }, "Loading…");
  root.append(heading, loading);
  void session.client.admin.describeTopic(name, signal).then(
    (topic) => {
      loading.remove();
      render(topic);
    },
    (err: unknown) => {
      if (signal.aborted) return;
      fill(loading, `Could not load ${name}: ${describeError(err)} `, h("a", { href: "#/" }, "Back to topics"));
    },
  );

  function render(topic: TopicDescription): void {
    const config = topicConfigForm(structuredClone(topic.config), async (patch) => {
      await session.client.admin.alterTopic(name, patch);
      app.announce(`Topic ${name} changed.`);
      void app.monitor.refresh();
    });
    const deletion = deleteSection(name, async () => {
      await session.client.admin.deleteTopic(name);
      app.announce(`Topic ${name} deleted.`);
      await app.monitor.refresh();
      location.hash = "#/";
    });
    const produce = produceForm(() => session.client, name, topic.config.partitions);
    let partitions = topic.config.partitions;
    let tail = tailSection(session.client, topic, signal);
    const grown = (now: TopicDescription) => {
      if (now.config.partitions === partitions) return;
      partitions = now.config.partitions;
      produce.setPartitions(partitions);
      tail.stop();
      const next = tailSection(session.client, now, signal);
      tail.element.replaceWith(next.element);
      tail = next;
    };
    root.append(
      ...overview(session.client, topic, signal, grown),
      tail.element,
      h("div", { class: "columns" }, produce.element, config),
      deletion,
    );
  }
}

/** The summary and the partitions table, described again every two seconds (each description also goes to `described`). */
function overview(client: Client, topic: TopicDescription, signal: AbortSignal, described: (t: TopicDescription) => void): HTMLElement[] {
  const summary = h("dl", { class: "summary" });
  const partitions = dataTable("Partitions", [
    { label: "Partition" },
    { label: "Log start", numeric: true },
    { label: "High watermark", numeric: true },
    { label: "Records", numeric: true },
    { label: "Size", numeric: true },
    { label: "Segments", numeric: true },
  ]);
  const update = (t: TopicDescription) => {
    fill(
      summary,
      pair("Partitions", t.config.partitions),
      pair("Records", formatCount(t.partitions.reduce((a, p) => a + p.records, 0))),
      pair("Size", formatBytes(t.partitions.reduce((a, p) => a + p.bytes, 0))),
      pair("Cleanup policy", t.config.cleanupPolicy),
      pair("Retention", formatDuration(t.config.retentionMs)),
      pair("Retention size", t.config.retentionBytes < 0 ? "no limit" : formatBytes(t.config.retentionBytes)),
    );
    partitions.update(t.partitions.map((p) => [String(p.partition), p.logStartOffset, p.highWatermark, formatCount(p.records), formatBytes(p.bytes), p.segments]));
  };
  update(topic);
  every(2_000, signal, async () => {
    try {
      const now = await client.admin.describeTopic(topic.name, signal);
      update(now);
      described(now);
    } catch {
      // The next poll tries again; the tail and the forms report their own errors.
    }
  });
  return [summary, partitions.element];
}

/** The live tail from the high watermarks in `topic`; one partition at a time on wide topics. `stop` ends it. */
function tailSection(client: Client, topic: TopicDescription, page: AbortSignal): { element: HTMLElement; stop(): void } {
  const whole = new AbortController();
  const signal = AbortSignal.any([page, whole.signal]);
  const stop = () => whole.abort();
  const section = h("section", { "aria-labelledby": "tail-title", class: "card" }, h("h2", { id: "tail-title" }, "Live tail"));
  const hwm = new Map(topic.partitions.map((p) => [p.partition, p.highWatermark]));
  let tail: AbortController | undefined;
  const start = (followed: number[]) => {
    tail?.abort();
    const current = (tail = new AbortController());
    signal.addEventListener("abort", () => current.abort(), { once: true });
    section.querySelector(".tail-box")?.remove();
    section.append(
      liveTail({
        client,
        topic: topic.name,
        partitions: followed,
        from: (p) => hwm.get(p) ?? "latest",
        caption: `Records arriving in ${topic.name}, newest first`,
        signal: current.signal,
      }),
    );
  };
  const all = topic.partitions.map((p) => p.partition);
  if (all.length <= MAX_TAILED_PARTITIONS) {
    start(all);
    return { element: section, stop };
  }
  const chooser = h("select", { id: "tail-partition" }, ...all.map((p) => h("option", { value: p }, `Partition ${p}`)));
  chooser.addEventListener("change", () => start([Number(chooser.value)]));
  section.append(h("div", { class: "field" }, h("label", { for: chooser.id }, "Partition to follow"), chooser));
  start([all[0]!]);
  return { element: section, stop };
}

function deleteSection(name: string, remove: () => Promise<void>): HTMLElement {
  const status = statusLine();
  const button = h("button", { type: "button", class: "danger" }, `Delete ${name}`);
  button.addEventListener("click", () => {
    if (!confirm(`Delete topic ${name} and all its records?`)) return;
    button.disabled = true;
    status.busy("Deleting…");
    remove().catch((err: unknown) => {
      status.error(err);
      button.disabled = false;
    });
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "delete-title" },
    h("h2", { id: "delete-title" }, "Delete"),
    h("p", null, "Deleting a topic removes its records for good; a topic created later with the same name starts empty."),
    button,
    status.element,
  );
}
