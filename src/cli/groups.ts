/**
 * @module
 * `edgelog groups list|describe|reset|delete`: consumer groups as the
 * bus's group API sees them — members, assignment, committed offsets and
 * lag — and moving an empty group's offsets, like kafka-consumer-groups.
 */

import type { Command } from "commander";
import type { GroupDescription } from "../index.ts";
import { connect, integer, many, withConnection, type ConnectionOptions } from "./connection.ts";
import { formatTime, printFields, printJson, printTable } from "./output.ts";
import { parsePosition } from "./positions.ts";

interface ResetOptions extends ConnectionOptions {
  topic: string;
  to: string;
  partition?: number[];
}

const partitionList = (assignment: { topic: string; partitions: number[] }[]) =>
  assignment.map((a) => `${a.topic}: ${a.partitions.join(",") || "-"}`).join("; ") || "-";

function printGroup(group: GroupDescription): void {
  printFields([
    ["group", group.group],
    ["state", group.state],
    ["generation", group.generation],
    ["assignor", group.assignor ?? "-"],
    ["members", group.members.length],
    ["total lag", group.totalLag],
  ]);
  if (group.members.length > 0) {
    printTable(
      ["member", "client", "partitions", "pending", "expires"],
      group.members.map((m) => [m.memberId, m.clientId ?? "-", partitionList(m.assignment), partitionList(m.pending), formatTime(m.expiresAt)]),
    );
  }
  if (group.partitions.length > 0) {
    printTable(
      ["topic", "partition", "committed", "log start", "high watermark", "lag"],
      group.partitions.map((p) => [p.topic, p.partition, p.committedOffset ?? "-", p.logStartOffset, p.highWatermark, p.lag ?? "-"]),
    );
  }
}

export function groupsCommand(program: Command): void {
  const groups = program.command("groups").description("list, describe, reset and delete consumer groups");

  withConnection(groups.command("list").description("every consumer group")).action(async (o: ConnectionOptions) => {
    const { groups: list } = await connect(o).admin.listGroups();
    if (o.json) return printJson(list);
    printTable(
      ["group", "created"],
      [...list].sort((a, b) => a.group.localeCompare(b.group)).map((g) => [g.group, formatTime(g.createdAt)]),
    );
  });

  withConnection(groups.command("describe").argument("<group>").description("members, assignment, committed offsets and lag")).action(
    async (name: string, o: ConnectionOptions) => {
      const group = await connect(o).admin.describeGroup(name);
      if (o.json) return printJson(group);
      printGroup(group);
    },
  );

  withConnection(
    groups
      .command("reset")
      .argument("<group>")
      .description("move an empty group's committed offsets on a topic")
      .requiredOption("--topic <topic>", "the topic whose offsets move")
      .requiredOption("--to <position>", "earliest, latest, an offset, an ISO time or @<ms>")
      .option("--partition <p>", "only this partition (repeatable; all by default)", many(integer("--partition"))),
  ).action(async (name: string, o: ResetOptions) => {
    const position = parsePosition(o.to, "--to");
    const to = typeof position === "number" ? { offset: position } : position;
    const { offsets } = await connect(o).admin.resetOffsets(name, { topic: o.topic, to, ...(o.partition ? { partitions: o.partition } : {}) });
    if (o.json) return printJson(offsets);
    printTable(
      ["topic", "partition", "committed"],
      offsets.map((c) => [c.topic, c.partition, c.offset]),
    );
  });

  withConnection(groups.command("delete").argument("<group>").description("delete a group and its committed offsets")).action(
    async (name: string, o: ConnectionOptions) => {
      await connect(o).admin.deleteGroup(name);
      if (o.json) return printJson({ deleted: name });
      process.stdout.write(`deleted group ${name}\n`);
    },
  );
}
