/**
 * @module
 * How the CLI fails: one `error: CODE: message` line (or the bus's JSON
 * error shape with `--json`), a hint where one helps, and an exit code
 * scripts can rely on. The codes are part of the CLI's contract (README,
 * "Command line"): change them only with the README.
 */

import { EdgelogError } from "../index.ts";

export const EXIT = {
  OK: 0,
  /** The bus refused the request, or anything else went wrong. */
  FAILED: 1,
  /** The command line itself is wrong (unknown option, bad value, unreadable input file). */
  USAGE: 2,
  /** The topic, partition or group does not exist. */
  NOT_FOUND: 3,
  /** No answer from the bus. */
  UNREACHABLE: 4,
  /** The input has malformed lines and the run was refused (produce). */
  INVALID_INPUT: 5,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM. */
  INTERRUPTED: 130,
} as const;

type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure found by the CLI itself, before or instead of asking the bus. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(code: string, message: string, exitCode: ExitCode, hint?: string) {
    super(message);
    this.name = "CliError";
    this.code = code;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError("USAGE", message, EXIT.USAGE, hint);
}

/** The bus's error with a hint of the command's own (keeping its code and exit code). */
export function withHint(error: EdgelogError, hint: string): CliError {
  return new CliError(error.code, error.message, exitCodeOf(error), hint);
}

const NOT_FOUND_CODES = new Set(["UNKNOWN_TOPIC_OR_PARTITION", "GROUP_ID_NOT_FOUND", "NOT_FOUND"]);
const UNREACHABLE_CODES = new Set(["NETWORK_ERROR", "TIMEOUT"]);

function exitCodeOf(error: EdgelogError): ExitCode {
  if (NOT_FOUND_CODES.has(error.code)) return EXIT.NOT_FOUND;
  if (UNREACHABLE_CODES.has(error.code)) return EXIT.UNREACHABLE;
  if (error.code === "ABORTED") return EXIT.INTERRUPTED;
  return EXIT.FAILED;
}

/** What to try next, for the failures people actually run into. */
function hintFor(error: EdgelogError, url: string | undefined): string | undefined {
  switch (error.code) {
    case "NETWORK_ERROR":
    case "TIMEOUT":
      return `is the bus running at ${url ?? "the given --url"}? start one with \`npm start\`, or point --url / EDGELOG_URL at yours`;
    case "UNKNOWN_TOPIC_OR_PARTITION":
      return "`edgelog topics list` shows the topics; `edgelog topics create <topic>` makes one";
    case "GROUP_ID_NOT_FOUND":
      return "`edgelog groups list` shows the groups";
    case "UNAUTHORIZED":
      return "give a token with --token or EDGELOG_TOKEN (`edgelog token mint` makes one)";
    case "FORBIDDEN":
      return "the token's grants do not cover this; mint one that does";
    case "TOPIC_ALREADY_EXISTS":
      return "`edgelog topics describe <topic>` shows its config; `edgelog topics alter` changes it";
    case "NON_EMPTY_GROUP":
    case "REBALANCE_IN_PROGRESS":
      return "stop the group's consumers first (offsets move only while the group is empty)";
    case "OUTBOX_LOCKED":
      return "another `edgelog produce` of the same input is running; wait for it or give --outbox";
    default:
      return undefined;
  }
}

/** Prints `err` to stderr and returns the exit code it stands for. */
export function report(err: unknown, options: { json?: boolean; url?: string } = {}): ExitCode {
  let code: string;
  let message: string;
  let retriable = false;
  let exitCode: ExitCode;
  let hint: string | undefined;
  if (err instanceof CliError) {
    ({ code, message, exitCode, hint } = err);
  } else if (err instanceof EdgelogError) {
    ({ code, message, retriable } = err);
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND…) is one cause further down.
    const inner = (err.cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
    const why = inner?.code ?? inner?.message;
    if (typeof why === "string") message += ` (${why})`;
    exitCode = exitCodeOf(err);
    hint = hintFor(err, options.url);
  } else {
    code = "INTERNAL";
    message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    exitCode = EXIT.FAILED;
  }
  if (options.json) {
    process.stderr.write(`${JSON.stringify({ error: { code, message, retriable, ...(hint ? { hint } : {}) } })}\n`);
  } else {
    process.stderr.write(`error: ${code}: ${message}\n${hint ? `hint: ${hint}\n` : ""}`);
  }
  return exitCode;
}
