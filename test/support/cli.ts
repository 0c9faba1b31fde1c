/**
 * @module
 * Runs the `edgelog` command as users do — the package's bin,
 * `bin/edgelog.js`, in a child process — against a bus, with its journals in a temp directory of
 * the test's own. `runCli` waits for the exit; `spawnCli` hands back the
 * live process (to kill it, or read what it printed so far).
 */

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const CLI = resolve(import.meta.dirname, "../../bin/edgelog.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Complete stdout lines so far. */
  lines(): string[];
  exited: Promise<CliResult>;
}

export interface CliOptions {
  url: string;
  /** Written to stdin, then stdin is closed (stdin is empty otherwise). */
  input?: string;
  /** Where produce keeps its journals (XDG_CACHE_HOME); one temp dir for the test file by default. */
  cacheDir?: string;
  env?: Record<string, string>;
}

const made: string[] = [];
/** The journal directory of commands not given one. */
let shared: string | undefined;

/** Removes every journal directory made so far (a test file's afterAll). */
export function removeCacheDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  shared = undefined;
}

/** A journal directory of its own (see removeCacheDirs). */
export function cacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgelog-cli-"));
  made.push(dir);
  return dir;
}

export function spawnCli(args: string[], options: CliOptions): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, EDGELOG_URL: options.url, XDG_CACHE_HOME: options.cacheDir ?? (shared ??= cacheDir()), ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdin!.on("error", () => {}); // a child that exits before reading its stdin
  child.stdin!.end(options.input ?? "");
  const exited = new Promise<CliResult>((res) => child.on("close", (code, signal) => res({ code, signal, stdout, stderr })));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    lines: () => stdout.split("\n").slice(0, -1),
    exited,
  };
}

export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return spawnCli(args, options).exited;
}

/** Polls `check` until it holds (or fails the test after `timeoutMs`). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
