/**
 * @module
 * The options every bus command shares (`--url`, `--token`, `--json`, with
 * EDGELOG_URL / EDGELOG_TOKEN as fallbacks), the client built from them, and
 * the small value parsers commands use for their own options.
 */

import { Option, type Command } from "commander";
import { createClient, type Client, type ClientOptions } from "../index.ts";
import { usageError } from "./errors.ts";

const DEFAULT_URL = "http://127.0.0.1:8787";

export interface ConnectionOptions {
  url: string;
  token?: string;
  json?: boolean;
}

/** Adds the shared options to a command that talks to the bus. */
export function withConnection(command: Command): Command {
  return command
    .addOption(new Option("--url <url>", "the bus").env("EDGELOG_URL").default(DEFAULT_URL))
    .addOption(new Option("--token <token>", "bearer token for a bus that requires one").env("EDGELOG_TOKEN"))
    .option("--json", "machine-readable output (and errors as JSON on stderr)");
}

/** A client for the bus the options name; the memory outbox unless `extra` says otherwise. */
export function connect(options: ConnectionOptions, extra: Partial<ClientOptions> = {}): Client {
  if (!/^https?:\/\/[^/]/.test(options.url)) throw usageError(`--url must be an http:// or https:// URL (got '${options.url}')`);
  return createClient({ url: options.url, token: options.token || undefined, outbox: "memory", persist: false, ...extra });
}

/** A whole number ≥ `min`, for commander's option parsers. */
export function integer(name: string, min = 0): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw usageError(`${name} must be a whole number ≥ ${min} (got '${text}')`);
    }
    return n;
  };
}

/** A repeatable option's collector. */
export function many<T>(parse: (text: string) => T): (text: string, previous: T[] | undefined) => T[] {
  return (text, previous) => [...(previous ?? []), parse(text)];
}
