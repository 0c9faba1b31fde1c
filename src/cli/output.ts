/**
 * @module
 * What commands print: JSON for `--json`, cli-table3 tables for people, and
 * a buffered stdout for record streams (a write per record would cost a
 * system call each on a pipe). A closed stdout (`| head`) ends the command
 * quietly, like any Unix filter.
 */

import Table from "cli-table3";

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A table with a header row, sized to its content. */
export function printTable(head: string[], rows: (string | number)[][]): void {
  const table = new Table({ head, chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" }, style: { head: [], border: [] } });
  table.push(...rows.map((row) => row.map(String)));
  process.stdout.write(`${table.toString()}\n`);
}

/** `label: value` lines, aligned. */
export function printFields(fields: [string, string | number][]): void {
  const width = Math.max(...fields.map(([label]) => label.length));
  for (const [label, value] of fields) process.stdout.write(`${`${label}:`.padEnd(width + 2)}${value}\n`);
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** `-1` is "unlimited" in topic configs. */
export function formatLimit(value: number, unit: (n: number) => string): string {
  return value < 0 ? "unlimited" : unit(value);
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * Stdout for many small writes: collected, written in one go once 64 KiB
 * are waiting or the current burst of records is over.
 */
export class StdoutBuffer {
  #parts: (string | Uint8Array)[] = [];
  #size = 0;
  #scheduled = false;
  #closed = false;
  /** Called once if the reader goes away (EPIPE). */
  onClosed: () => void = () => {};

  constructor() {
    process.stdout.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
      this.#closed = true;
      this.onClosed();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(part: string | Uint8Array): void {
    if (this.#closed) return;
    this.#parts.push(part);
    this.#size += part.length;
    if (this.#size >= 64 * 1024) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#parts.length === 0 || this.#closed) return;
    const parts = this.#parts;
    this.#parts = [];
    this.#size = 0;
    process.stdout.write(parts.every((p) => typeof p === "string") ? parts.join("") : Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p))));
  }

  /** Flushes and resolves once stdout has taken everything. */
  async end(): Promise<void> {
    this.flush();
    if (this.#closed) return;
    await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  }
}
