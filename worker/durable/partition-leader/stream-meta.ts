/**
 * @module
 * A stream's metadata row (schema.ts, migration 3), read once and kept in
 * memory; every change is one statement the caller runs inside the
 * transaction of the append or delete it belongs to.
 */

import type { ForkPoint, StreamConfig } from "./stream-rpc.ts";

export interface StreamRow extends StreamConfig {
  touchedAt: number;
  closed: boolean;
  /** Deleted while forks still read it: answers 410 until the last fork lets go. */
  deleted: boolean;
  streamSeq: string | null;
  start: number;
  base: number;
  fork: ForkPoint | null;
  forkRefs: number;
}

type Row = {
  content_type: string;
  ttl_seconds: number | null;
  expires_at: number | null;
  touched_at: number;
  closed: number;
  deleted: number;
  stream_seq: string | null;
  start_offset: number;
  base_offset: number;
  fork_source: string | null;
  fork_offset: number | null;
  fork_sub_offset: number | null;
  fork_refs: number;
};

export class StreamMeta {
  readonly #sql: SqlStorage;
  #row: StreamRow | null;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#row = this.#load();
  }

  get row(): Readonly<StreamRow> | null {
    return this.#row;
  }

  insert(row: StreamRow): void {
    this.#sql.exec(
      `INSERT INTO stream_meta (id, content_type, ttl_seconds, expires_at, touched_at, closed, deleted, stream_seq,
         start_offset, base_offset, fork_source, fork_offset, fork_sub_offset, fork_refs)
       VALUES (1, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?, ?, ?, 0)`,
      row.contentType,
      row.ttlSeconds,
      row.expiresAt,
      row.touchedAt,
      row.closed ? 1 : 0,
      row.start,
      row.base,
      row.fork?.source ?? null,
      row.fork?.offset ?? null,
      row.fork?.subOffset ?? null,
    );
    this.#row = { ...row, deleted: false, streamSeq: null, forkRefs: 0 };
  }

  /** What an append changed: its Stream-Seq, a close, the TTL's last touch. */
  update(change: Partial<Pick<StreamRow, "streamSeq" | "closed" | "touchedAt" | "deleted" | "forkRefs">>): void {
    const row = this.#row;
    if (!row) throw new Error("no stream to update");
    const next = { ...row, ...change };
    this.#sql.exec(
      "UPDATE stream_meta SET stream_seq = ?, closed = ?, touched_at = ?, deleted = ?, fork_refs = ? WHERE id = 1",
      next.streamSeq,
      next.closed ? 1 : 0,
      next.touchedAt,
      next.deleted ? 1 : 0,
      next.forkRefs,
    );
    this.#row = next;
  }

  remove(): void {
    this.#sql.exec("DELETE FROM stream_meta");
    this.#row = null;
  }

  /** After a transaction rolled back: memory must not keep what it half-applied. */
  reload(): void {
    this.#row = this.#load();
  }

  #load(): StreamRow | null {
    const r = this.#sql.exec<Row>("SELECT * FROM stream_meta WHERE id = 1").toArray()[0];
    if (!r) return null;
    return {
      contentType: r.content_type,
      ttlSeconds: r.ttl_seconds,
      expiresAt: r.expires_at,
      touchedAt: r.touched_at,
      closed: r.closed === 1,
      deleted: r.deleted === 1,
      streamSeq: r.stream_seq,
      start: r.start_offset,
      base: r.base_offset,
      fork: r.fork_source === null ? null : { source: r.fork_source, offset: r.fork_offset ?? 0, subOffset: r.fork_sub_offset ?? 0 },
      forkRefs: r.fork_refs,
    };
  }
}

/** When the stream expires (ms), or null when it never does. */
export function expiryOf(row: Readonly<StreamRow>): number | null {
  const ttl = row.ttlSeconds === null ? null : row.touchedAt + row.ttlSeconds * 1000;
  if (ttl === null) return row.expiresAt;
  return row.expiresAt === null ? ttl : Math.min(ttl, row.expiresAt);
}

/** Media types compare by type and subtype, case-insensitively; parameters do not count. */
export function sameMediaType(a: string, b: string): boolean {
  return essence(a) === essence(b);
}

/** A media type's `type/subtype`, lowercased. */
export function essence(contentType: string): string {
  return contentType.split(";")[0]!.trim().toLowerCase();
}

export function sameFork(a: ForkPoint | null, b: ForkPoint | null): boolean {
  if (a === null || b === null) return a === b;
  return a.source === b.source && a.offset === b.offset && a.subOffset === b.subOffset;
}
