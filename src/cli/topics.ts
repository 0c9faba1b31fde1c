/**
 * @module
 * `edgelog topics list|create|describe|alter|delete`: the topic admin API,
 * as tables for people and the bus's own JSON with `--json`.
 */

import { Option, type Command } from "commander";
import type { TopicConfigPatch, TopicDescription } from "../index.ts";
import { connect, integer, withConnection, type ConnectionOptions } from "./connection.ts";
import { usageError } from "./errors.ts";
import { formatBytes, formatDuration, formatLimit, formatTime, printFields, printJson, printTable } from "./output.ts";

interface ConfigOptions {
  partitions?: number;
  retentionMs?: number;
  retentionBytes?: number;
  cleanupPolicy?: "delete" | "compact";
  maxMessageBytes?: number;
  deleteRetentionMs?: number;
}

type Options = ConnectionOptions & ConfigOptions;

/** The config options of create and alter; `-1` means unlimited where the bus allows it. */
function withConfig(command: Command, partitionsHelp: string): Command {
  return command
    .option("--partitions <n>", partitionsHelp, integer("--partitions", 1))
    .option("--retention-ms <ms>", "how long records are kept (-1: forever)", integer("--retention-ms", -1))
    .option("--retention-bytes <bytes>", "how many bytes each partition keeps (-1: no limit)", integer("--retention-bytes", -1))
    .addOption(new Option("--cleanup-policy <policy>", "delete old records, or compact to the latest per key").choices(["delete", "compact"]))
    .option("--max-message-bytes <bytes>", "the largest record the topic accepts", integer("--max-message-bytes", 1))
    .option("--delete-retention-ms <ms>", "compacted topics: how long tombstones stay readable", integer("--delete-retention-ms", 0));
}

function configOf(o: ConfigOptions): TopicConfigPatch {
  const config: TopicConfigPatch = {};
  if (o.partitions !== undefined) config.partitions = o.partitions;
  if (o.retentionMs !== undefined) config.retentionMs = o.retentionMs;
  if (o.retentionBytes !== undefined) config.retentionBytes = o.retentionBytes;
  if (o.cleanupPolicy !== undefined) config.cleanupPolicy = o.cleanupPolicy;
  if (o.maxMessageBytes !== undefined) config.maxMessageBytes = o.maxMessageBytes;
  if (o.deleteRetentionMs !== undefined) config.deleteRetentionMs = o.deleteRetentionMs;
  return config;
}

function printTopic(topic: TopicDescription): void {
  const { config } = topic;
  printFields([
    ["topic", topic.name],
    ["id", topic.topicId],
    ["created", formatTime(topic.createdAt)],
    ["partitions", config.partitions],
    ["retention", `${formatLimit(config.retentionMs, formatDuration)}, ${formatLimit(config.retentionBytes, formatBytes)} per partition`],
    ["cleanup policy", config.cleanupPolicy],
    ["max message", formatBytes(config.maxMessageBytes)],
  ]);
  printTable(
    ["partition", "log start", "high watermark", "records", "bytes", "in R2", "segments"],
    topic.partitions.map((p) => [p.partition, p.logStartOffset, p.highWatermark, p.records, formatBytes(p.bytes), formatBytes(p.bytesInR2), p.segments]),
  );
}

export function topicsCommand(program: Command): void {
  const topics = program.command("topics").description("list, create, describe, alter and delete topics");

  withConnection(topics.command("list").description("every topic with its config")).action(async (o: Options) => {
    const { topics: list } = await connect(o).admin.listTopics();
    if (o.json) return printJson(list);
    const rows = [...list]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((t) => [
        t.name,
        t.config.partitions,
        formatLimit(t.config.retentionMs, formatDuration),
        formatLimit(t.config.retentionBytes, formatBytes),
        t.config.cleanupPolicy,
        formatTime(t.createdAt),
      ]);
    printTable(["topic", "partitions", "retention", "retention bytes", "cleanup", "created"], rows);
  });

  withConnection(withConfig(topics.command("create").argument("<topic>").description("create a topic (unchanged if it exists with the same config)"), "how many partitions (default 1)")).action(
    async (name: string, o: Options) => {
      const created = await connect(o).admin.createTopic(name, configOf(o));
      if (o.json) return printJson(created);
      printTopic(created);
    },
  );

  withConnection(topics.command("describe").argument("<topic>").description("a topic's config and partitions")).action(async (name: string, o: Options) => {
    const topic = await connect(o).admin.describeTopic(name);
    if (o.json) return printJson(topic);
    printTopic(topic);
  });

  withConnection(withConfig(topics.command("alter").argument("<topic>").description("change a topic's config or add partitions"), "the new partition count (only more)")).action(
    async (name: string, o: Options) => {
      const patch = configOf(o);
      if (Object.keys(patch).length === 0) throw usageError("say what to change, e.g. --partitions 6 or --retention-ms 86400000");
      const altered = await connect(o).admin.alterTopic(name, patch);
      if (o.json) return printJson(altered);
      printTopic(altered);
    },
  );

  withConnection(topics.command("delete").argument("<topic>").description("delete a topic and all its records")).action(async (name: string, o: Options) => {
    await connect(o).admin.deleteTopic(name);
    if (o.json) return printJson({ deleted: name });
    process.stdout.write(`deleted topic ${name}\n`);
  });
}
