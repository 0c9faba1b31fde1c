/**
 * @module
 * Where a produce run keeps its outbox journal, and how much of the input
 * an earlier run of the same input already handed to it.
 *
 * The journal is the client's file outbox: a record is in it (fsynced)
 * before it is sent, with the idempotent producer tuple of its batch. Its
 * default name is a digest of the bus URL, the topic, the options that
 * shape records, and the input itself, so running the same command on the
 * same input finds the journal a killed run left. The outbox numbers
 * records 1, 2, 3… in the order they were appended, and the CLI appends the
 * input's records in order, so the count of records it ever took (sent,
 * waiting or refused) is how far into the input the earlier run got.
 */

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { ClientStats } from "../index.ts";
import { CliError, EXIT } from "./errors.ts";

/** `$XDG_CACHE_HOME/edgelog/produce/<digest>.journal`, or under ~/.cache. */
export function defaultJournal(digest: string): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "edgelog", "produce", `${digest}.journal`);
}

/**
 * Makes sure the journal at `path` is this input's (a `.input` file beside
 * it holds the digest), so a journal given with --outbox is never resumed
 * with another input.
 */
export function claimJournal(path: string, digest: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const marker = `${path}.input`;
  let claimed: string | undefined;
  try {
    claimed = readFileSync(marker, "utf8").trim();
  } catch {
    claimed = undefined;
  }
  if (claimed !== undefined && claimed !== digest && existsSync(path)) {
    throw new CliError("JOURNAL", `${path} holds an unfinished run of another input`, EXIT.FAILED, "finish that run, give another --outbox, or delete the journal");
  }
  writeFileSync(marker, `${digest}\n`);
}

/** Removes a finished run's journal. */
export function removeJournal(path: string): void {
  rmSync(path, { force: true });
  rmSync(`${path}.input`, { force: true });
}

/** How many of the input's records an earlier run appended (so this run starts after them). */
export function alreadyTaken(stats: ClientStats, path: string, inputRecords: number): number {
  if (stats.deadLettered > 0) {
    throw new CliError(
      "JOURNAL",
      `an earlier run of this input left ${stats.deadLettered} records the bus refused in ${path}`,
      EXIT.FAILED,
      "fix the cause (the error was printed by that run), then delete the journal and run again",
    );
  }
  const taken = stats.acked + stats.pending + stats.dropped;
  if (taken > inputRecords) {
    throw new CliError("JOURNAL", `${path} holds ${taken} records but the input has ${inputRecords}: it is not this input's journal`, EXIT.FAILED, "give another --outbox, or delete that one");
  }
  return taken;
}
