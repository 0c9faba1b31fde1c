/**
 * @module
 * One consumer group: its members and their assignment, committed offsets
 * and lag per partition, and a chart of the lag over time, sampled by
 * polling (the samples are kept while the tab lives, so coming back to the
 * page shows the minutes before).
 */

import type { GroupDescription } from "../../../src/index.ts";
import { HISTORY_MS } from "../monitor.ts";
import { every } from "../poll.ts";
import type { PageContext } from "../router.ts";
import { lineChart } from "../ui/chart.ts";
import { fill, h, pair } from "../ui/dom.ts";
import { describeError } from "../ui/form.ts";
import { formatAge, formatCount } from "../ui/format.ts";
import { dataTable } from "../ui/table.ts";

interface LagSample {
  at: number;
  total: number;
  partitions: Map<string, number | null>;
}

const POLL_MS = 1_000;
/** Partitions drawn one by one; beyond this only the total is drawn. */
const MAX_PARTITION_SERIES = 8;
const samples = new Map<string, LagSample[]>();

export function groupPage({ app, root, params, signal }: PageContext): void {
  const group = params[0]!;
  const history = samples.get(group) ?? [];
  samples.set(group, history);
  const status = h("p", { class: "status", role: "status" }, "Loading…");
  const summary = h("dl", { class: "summary" });
  const chart = lineChart(`Lag of ${group} over time`, "records behind", signal);
  const members = dataTable("Members", [{ label: "Client" }, { label: "Member id" }, { label: "Assigned partitions" }, { label: "Pending" }, { label: "Last heartbeat" }]);
  const partitions = dataTable("Committed offsets and lag", [
    { label: "Partition" },
    { label: "Committed", numeric: true },
    { label: "Log start", numeric: true },
    { label: "High watermark", numeric: true },
    { label: "Lag", numeric: true },
  ]);
  root.append(
    h("h1", null, h("span", { class: "eyebrow" }, "Group "), group),
    status,
    summary,
    h("section", { class: "card", "aria-labelledby": "lag-title" }, h("h2", { id: "lag-title" }, "Lag"), chart.element, partitions.element),
    h("section", { class: "card", "aria-labelledby": "members-title" }, h("h2", { id: "members-title" }, "Members"), members.element),
  );

  every(POLL_MS, signal, async () => {
    let d: GroupDescription;
    try {
      d = await app.session.client.admin.describeGroup(group, signal);
    } catch (err) {
      if (!signal.aborted) status.textContent = `Could not describe ${group}: ${describeError(err)}`;
      return;
    }
    if (signal.aborted) return;
    status.textContent = "";
    fill(
      summary,
      pair("State", d.state),
      pair("Generation", d.generation),
      pair("Assignor", d.assignor ?? "—"),
      pair("Members", d.members.length),
      pair("Total lag", formatCount(d.totalLag), { "data-metric": "total-lag" }),
    );
    members.update(
      d.members.map((m) => [m.clientId ?? "—", h("code", null, m.memberId), assigned(m.assignment), assigned(m.pending), formatAge(m.lastHeartbeatAt)]),
      "No members: nobody consumes for this group now.",
    );
    partitions.update(
      d.partitions.map((p) => [`${p.topic} / ${p.partition}`, p.committedOffset ?? "—", p.logStartOffset, p.highWatermark, p.lag === null ? "—" : formatCount(p.lag)]),
      "No partitions.",
    );
    record(history, d);
    draw();
  });

  function draw(): void {
    const keys = [...new Set(history.flatMap((s) => [...s.partitions.keys()]))].sort();
    const series = [{ label: "total", values: history.map((s) => s.total) }];
    if (keys.length <= MAX_PARTITION_SERIES) {
      for (const key of keys) series.push({ label: key, values: history.map((s) => s.partitions.get(key) ?? null) as number[] });
    }
    const last = history.at(-1);
    const peak = Math.max(0, ...history.map((s) => s.total));
    chart.set(
      history.map((s) => s.at),
      series,
      last ? `Now ${formatCount(last.total)} records behind; at most ${formatCount(peak)} in the last ${Math.round((last.at - history[0]!.at) / 60)} min.` : "No samples yet.",
    );
  }
}

function record(history: LagSample[], d: GroupDescription): void {
  const at = Date.now() / 1000;
  history.push({ at, total: d.totalLag, partitions: new Map(d.partitions.map((p) => [`${p.topic}/${p.partition}`, p.lag])) });
  while (history.length > 0 && history[0]!.at < at - HISTORY_MS / 1000) history.shift();
}

function assigned(list: GroupDescription["members"][number]["assignment"]): string {
  return list.map((a) => `${a.topic}: ${a.partitions.join(", ")}`).join("; ") || "—";
}
