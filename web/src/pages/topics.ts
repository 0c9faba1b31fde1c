/**
 * @module
 * Topics: every topic with its partitions, records, size and throughput
 * (from the app-wide monitor), and the form that creates one.
 */

import type { PageContext } from "../router.ts";
import { h } from "../ui/dom.ts";
import { describeError } from "../ui/form.ts";
import { formatBytes, formatCount, formatDuration, formatRate } from "../ui/format.ts";
import { dataTable } from "../ui/table.ts";
import { createTopicForm } from "../ui/topic-form.ts";

export function topicsPage({ app, root, signal }: PageContext): void {
  const { monitor, session } = app;
  const status = h("p", { class: "status" });
  const table = dataTable("All topics", [
    { label: "Topic" },
    { label: "Partitions", numeric: true },
    { label: "Records", numeric: true },
    { label: "Size", numeric: true },
    { label: "Throughput", numeric: true },
    { label: "Policy" },
    { label: "Retention" },
  ]);
  const render = () => {
    status.textContent = monitor.error ? `Could not list topics: ${describeError(monitor.error)}` : "";
    if (!monitor.loaded) return table.update([], "Loading…");
    table.update(
      monitor.topics.map((t) => [
        h("a", { href: `#/topics/${encodeURIComponent(t.name)}` }, t.name),
        t.config.partitions,
        formatCount(t.records),
        formatBytes(t.bytes),
        formatRate(t.rate),
        t.config.cleanupPolicy,
        formatDuration(t.config.retentionMs),
      ]),
      "No topics yet: create one below.",
    );
  };
  const form = createTopicForm(async (name, config) => {
    await session.client.admin.createTopic(name, config);
    app.announce(`Topic ${name} created.`);
    await monitor.refresh();
    location.hash = `#/topics/${encodeURIComponent(name)}`;
  });
  root.append(h("h1", null, "Topics"), status, h("section", { "aria-label": "Topic list" }, table.element), form);
  monitor.subscribe(render, signal);
  render();
  void monitor.refresh();
}
