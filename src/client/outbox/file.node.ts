/**
 * @module
 * The outbox in one file, for Node: an append-only journal where each line
 * is one transaction's operations, written and fdatasync'ed before the
 * transaction resolves (concurrent transactions share one sync). Opening
 * replays the journal; a torn last line — a crash mid-write — is a
 * transaction that never resolved, and is cut off. The journal is rewritten
 * as a snapshot of the live state when it is drained, or when it has grown
 * well past the live state, so an append never costs more than its own line.
 *
 * One process owns the file at a time (a `.lock` file holding its pid; a
 * lock left by a dead process is taken over): one process is one leader.
 */

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { open, readFile, rename, truncate, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { EdgelogError } from "../errors.ts";
import { MemoryOutbox } from "./memory.ts";
import type { Op } from "./state.ts";

/** A drained journal bigger than this is compacted (to almost nothing). */
const COMPACT_DRAINED_BYTES = 256 * 1024;
/** A busy journal is compacted once it is this many times its last snapshot (and past the floor). */
const COMPACT_GROWTH = 4;
const COMPACT_FLOOR_BYTES = 16 * 1024 * 1024;

interface Waiting {
  line: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class FileOutbox extends MemoryOutbox {
  readonly #path: string;
  #handle: FileHandle | undefined;
  #size = 0;
  #snapshotSize = 0;
  #queue: Waiting[] = [];
  #writing = false;

  private constructor(path: string, name: string) {
    super(name);
    this.#path = path;
  }

  static async open(path: string, name: string): Promise<FileOutbox> {
    takeLock(path);
    const outbox = new FileOutbox(path, name);
    try {
      await outbox.#replay();
      outbox.#handle = await open(path, "a");
      await syncDirectory(path);
    } catch (err) {
      releaseLock(path);
      throw err instanceof EdgelogError ? err : new EdgelogError("STORAGE_ERROR", `cannot open ${path}: ${(err as Error).message}`, { cause: err });
    }
    return outbox;
  }

  protected override persist(ops: Op[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ line: `${JSON.stringify(ops)}\n`, resolve, reject });
      if (!this.#writing) void this.#drainQueue();
    });
  }

  override async close(): Promise<void> {
    while (this.#writing) await new Promise((r) => setTimeout(r, 1));
    await super.close();
    await this.#handle?.close();
    this.#handle = undefined;
    releaseLock(this.#path);
  }

  async #drainQueue(): Promise<void> {
    this.#writing = true;
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      try {
        const text = group.map((w) => w.line).join("");
        const buffer = Buffer.from(text);
        await this.#handle!.write(buffer);
        await this.#handle!.datasync();
        this.#size += buffer.length;
        for (const w of group) w.resolve();
      } catch (err) {
        for (const w of group) w.reject(err);
        continue;
      }
      try {
        await this.#maybeCompact();
      } catch {
        // The journal is still whole; compaction is retried after the next write.
      }
    }
    this.#writing = false;
  }

  /**
   * Rewrites the journal as one snapshot line. The snapshot may already hold
   * operations still queued behind it (memory runs ahead of the disk); every
   * operation is an absolute put or delete, so writing them again after the
   * snapshot leaves the same state.
   */
  async #maybeCompact(): Promise<void> {
    const drained = this.state.pending.size === 0 && this.state.sealed.size === 0;
    const due = drained
      ? this.#size > COMPACT_DRAINED_BYTES
      : this.#size > Math.max(COMPACT_FLOOR_BYTES, COMPACT_GROWTH * this.#snapshotSize);
    if (!due) return;
    const snapshot = Buffer.from(`${JSON.stringify(this.state.snapshot())}\n`);
    const temp = `${this.#path}.tmp`;
    const handle = await open(temp, "w");
    try {
      await handle.write(snapshot);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.#path);
    await syncDirectory(this.#path);
    await this.#handle!.close();
    this.#handle = await open(this.#path, "a");
    this.#size = snapshot.length;
    this.#snapshotSize = snapshot.length;
  }

  async #replay(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.#path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    let offset = 0;
    while (offset < text.length) {
      const end = text.indexOf("\n", offset);
      const line = end < 0 ? text.slice(offset) : text.slice(offset, end);
      let ops: Op[] | undefined;
      try {
        ops = JSON.parse(line) as Op[];
      } catch {
        ops = undefined;
      }
      if (end < 0 || ops === undefined) {
        if (end >= 0 && text.slice(end + 1).trim() !== "") {
          throw new EdgelogError("STORAGE_ERROR", `${this.#path} is corrupt at byte ${Buffer.byteLength(text.slice(0, offset))}`);
        }
        // A torn last line: cut it off so the next line does not glue onto it.
        await truncate(this.#path, Buffer.byteLength(text.slice(0, offset)));
        break;
      }
      this.state.apply(ops);
      offset = end + 1;
    }
    this.#size = Buffer.byteLength(text.slice(0, offset));
    this.#snapshotSize = this.#size;
    this.loaded();
  }
}

function lockPath(path: string): string {
  return `${path}.lock`;
}

function takeLock(path: string): void {
  const lock = lockPath(path);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = Number(readFileSync(lock, "utf8"));
    if (holder !== process.pid && isAlive(holder)) {
      throw new EdgelogError("OUTBOX_LOCKED", `${path} is in use by process ${holder}`);
    }
    unlinkSync(lock); // left by a process that is gone (or by this one)
  }
  throw new EdgelogError("OUTBOX_LOCKED", `cannot take ${lock}`);
}

function releaseLock(path: string): void {
  try {
    unlinkSync(lockPath(path));
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A rename or a new file is durable only once its directory is synced. */
async function syncDirectory(path: string): Promise<void> {
  const dir = await open(dirname(path), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
