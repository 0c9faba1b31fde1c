/**
 * @module
 * `edgelog tail <topic>`: every partition live from now on, as readable
 * rows — `consume --from latest --follow --format table`, for watching a
 * topic the way `tail -f` watches a file.
 */

import { Option, type Command } from "commander";
import { integer, many, withConnection, type ConnectionOptions } from "./connection.ts";
import { runConsume } from "./consume.ts";
import { RECORD_FORMATS, type RecordFormat } from "./record-format.ts";

interface TailOptions extends ConnectionOptions {
  partition?: number[];
  format: RecordFormat;
}

export function tailCommand(program: Command): void {
  withConnection(
    program
      .command("tail")
      .argument("<topic>")
      .description("follow a topic's new records live, as a readable table (Ctrl-C to stop)")
      .option("--partition <p>", "follow only this partition (repeatable)", many(integer("--partition")))
      .addOption(new Option("--format <format>", "table, ndjson or value").choices(RECORD_FORMATS).default("table")),
  ).action(async (topic: string, o: TailOptions) => {
    if (process.stderr.isTTY) process.stderr.write(`following ${topic} from its end (Ctrl-C to stop)\n`);
    await runConsume(topic, { ...o, from: "latest", follow: true });
  });
}
