/**
 * @module
 * Consumer groups: each group with its state, members and total lag.
 */

import type { GroupDescription } from "../../../src/index.ts";
import { every, mapLimit } from "../poll.ts";
import type { PageContext } from "../router.ts";
import { h } from "../ui/dom.ts";
import { describeError } from "../ui/form.ts";
import { formatCount } from "../ui/format.ts";
import { dataTable } from "../ui/table.ts";

export function groupsPage({ app, root, signal }: PageContext): void {
  const admin = () => app.session.client.admin;
  const status = h("p", { class: "status" });
  const table = dataTable("Consumer groups", [
    { label: "Group" },
    { label: "State" },
    { label: "Members", numeric: true },
    { label: "Topics" },
    { label: "Total lag", numeric: true },
  ]);
  table.update([], "Loading…");
  root.append(
    h("h1", null, "Consumer groups"),
    h("p", { class: "lede" }, "Groups appear once a consumer joins or offsets are committed or reset. Lag is the high watermark minus the committed offset."),
    status,
    table.element,
  );
  every(3_000, signal, async () => {
    try {
      const { groups } = await admin().listGroups(signal);
      const described = await mapLimit(groups, 2, (g) => admin().describeGroup(g.group, signal).catch(() => undefined));
      if (signal.aborted) return;
      status.textContent = "";
      table.update(
        groups.map((g, i) => row(g.group, described[i])),
        "No consumer groups yet.",
      );
    } catch (err) {
      if (!signal.aborted) status.textContent = `Could not list groups: ${describeError(err)}`;
    }
  });
}

function row(group: string, d: GroupDescription | undefined): (HTMLElement | string)[] {
  const topics = d ? [...new Set(d.partitions.map((p) => p.topic))].join(", ") : "";
  return [h("a", { href: `#/groups/${encodeURIComponent(group)}` }, group), d?.state ?? "—", d ? String(d.members.length) : "—", topics, d ? formatCount(d.totalLag) : "—"];
}
