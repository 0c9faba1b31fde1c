/**
 * @module
 * The partition leader's SQLite schema. One row per produce request (a record
 * batch) keeps writes to one INSERT and reads to a few rows; batches group
 * into segments, the unit retention deletes and cold storage moves.
 */

import type { Migration } from "../migrations.ts";

/** Batches already stored when segments arrived are grouped into segments of about this size. */
const MIGRATED_SEGMENT_BYTES = 1024 * 1024;

export const LEADER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "batches, producers and partition state",
    up(sql) {
      // `records` holds the batch's records as fetch renders them, one JSON
      // object per line, so a fetch concatenates text instead of re-encoding
      // (since version 4, most batches leave out offset and timestamp).
      // `cum_max_timestamp` is the running maximum over all earlier batches:
      // monotonic, so an index on it finds the first batch that can hold a
      // record at or after a given time.
      sql.exec(`CREATE TABLE batches (
        base_offset INTEGER PRIMARY KEY,
        record_count INTEGER NOT NULL,
        max_timestamp INTEGER NOT NULL,
        cum_max_timestamp INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        producer_id TEXT,
        producer_epoch INTEGER,
        producer_seq INTEGER,
        records TEXT NOT NULL
      )`);
      sql.exec("CREATE INDEX batches_by_time ON batches (cum_max_timestamp)");
      sql.exec(
        "CREATE INDEX batches_by_producer ON batches (producer_id, producer_epoch, producer_seq) WHERE producer_id IS NOT NULL",
      );
      sql.exec(`CREATE TABLE producers (
        producer_id TEXT PRIMARY KEY,
        epoch INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        last_base_offset INTEGER NOT NULL,
        last_count INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )`);
      sql.exec(`CREATE TABLE partition_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        status TEXT NOT NULL,
        log_start_offset INTEGER NOT NULL,
        high_watermark INTEGER NOT NULL,
        record_count INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        max_timestamp INTEGER NOT NULL
      )`);
      sql.exec("INSERT INTO partition_state VALUES (1, 'active', 0, 0, 0, 0, 0)");
    },
  },
  {
    version: 2,
    name: "segments, leader config, compaction keys, cold storage",
    up(sql) {
      // A compacted batch keeps its base offset and holds fewer lines, each
      // carrying its own offset; `end_offset` remembers where the batch
      // ended (NULL: never compacted, base_offset + record_count).
      sql.exec("ALTER TABLE batches ADD COLUMN end_offset INTEGER");
      // Segments are contiguous offset ranges of batches, [base_offset,
      // end_offset); the newest is open (end_offset NULL) and takes appends.
      // A cold segment's batches live in R2 under `r2_key`, no longer here.
      // `dirty`: a record in it has a newer record with the same key (a
      // compacted topic will rewrite it). `cum_max_timestamp` is the running
      // maximum of record timestamps up to its end, as for batches.
      // `opened_at` and `closed_at` are the leader's clock.
      sql.exec(`CREATE TABLE segments (
        base_offset INTEGER PRIMARY KEY,
        end_offset INTEGER,
        state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'cold')),
        batch_count INTEGER NOT NULL,
        record_count INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        max_timestamp INTEGER NOT NULL,
        cum_max_timestamp INTEGER NOT NULL,
        opened_at INTEGER NOT NULL,
        closed_at INTEGER,
        dirty INTEGER NOT NULL DEFAULT 0,
        tombstones INTEGER NOT NULL DEFAULT 0,
        r2_key TEXT
      )`);
      // Housekeeping finds its next work by these, not by scanning every segment.
      sql.exec("CREATE INDEX segments_dirty ON segments (base_offset) WHERE dirty = 1");
      sql.exec("CREATE INDEX segments_tombstones ON segments (closed_at) WHERE tombstones > 0");
      sql.exec("CREATE INDEX segments_by_time ON segments (cum_max_timestamp)");
      sql.exec("CREATE INDEX segments_by_r2_key ON segments (r2_key) WHERE r2_key IS NOT NULL");
      sql.exec("CREATE TABLE leader_config (id INTEGER PRIMARY KEY CHECK (id = 1), config TEXT NOT NULL, changed_at INTEGER NOT NULL)");
      // The latest offset of every key of a compacted topic: a record is kept
      // when it is the latest of its key.
      sql.exec("CREATE TABLE compaction_keys (key TEXT PRIMARY KEY, offset INTEGER NOT NULL) WITHOUT ROWID");
      // Which records of a segment are the latest of their key.
      sql.exec("CREATE INDEX compaction_keys_by_offset ON compaction_keys (offset)");
      // R2 objects of deleted segments, removed by the next alarm (SQLite
      // forgets a segment first, so a crash leaves garbage, never a hole).
      sql.exec("CREATE TABLE cold_garbage (r2_key TEXT PRIMARY KEY)");
      // NULL: no key index (not a compacted topic); N: the records below
      // offset N are in the index (the alarm indexes newer ones in bulk).
      sql.exec("ALTER TABLE partition_state ADD COLUMN keys_cursor INTEGER");
      groupExistingBatches(sql);
    },
  },
  {
    version: 3,
    name: "Durable Streams face: stream metadata",
    up(sql) {
      // A leader that serves a stream (worker/streams) has one row here; a
      // topic partition has none. Changed in the same transaction as the
      // append it belongs to (stream-face.ts). Times are the leader's clock
      // in ms; `touched_at` is the last read or write (TTL slides on it).
      // `start_offset`: where reads from the beginning start; `base_offset`:
      // the first offset in this leader's own log (a fork reads the offsets
      // below it from `fork_source`). `deleted`: deleted while forks still
      // read it (HTTP 410), kept until `fork_refs` drops to 0.
      sql.exec(`CREATE TABLE stream_meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        content_type TEXT NOT NULL,
        ttl_seconds INTEGER,
        expires_at INTEGER,
        touched_at INTEGER NOT NULL,
        closed INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        stream_seq TEXT,
        start_offset INTEGER NOT NULL,
        base_offset INTEGER NOT NULL,
        fork_source TEXT,
        fork_offset INTEGER,
        fork_sub_offset INTEGER,
        fork_refs INTEGER NOT NULL DEFAULT 0
      )`);
    },
  },
  {
    version: 4,
    name: "batches stored without per-record offsets and timestamps",
    up(sql) {
      // A batch whose records share one timestamp (the usual case: the
      // leader's clock) is stored as the worker rendered its records, one
      // body per line, with that timestamp here; offsets are base_offset + i.
      // Reads add the offset and timestamp members (record-line.ts). That
      // stores about a quarter fewer bytes, and SQLite's cost of a row
      // grows with its size. NULL: every line is a whole record (older rows,
      // compacted batches, batches with the producer's own timestamps).
      sql.exec("ALTER TABLE batches ADD COLUMN stamp INTEGER");
      // 1: the batch's records all have a null key and no headers, so each
      // line holds only the value member (`"value":…` or `"valueBase64":…`).
      sql.exec("ALTER TABLE batches ADD COLUMN values_only INTEGER NOT NULL DEFAULT 0");
    },
  },
];

/** Puts batches stored before segments existed into closed segments. */
function groupExistingBatches(sql: SqlStorage): void {
  type Row = { base_offset: number; record_count: number; bytes: number; max_timestamp: number; cum_max_timestamp: number };
  const rows = sql.exec<Row>(
    "SELECT base_offset, record_count, bytes, max_timestamp, cum_max_timestamp FROM batches ORDER BY base_offset",
  );
  const now = Date.now();
  let seg: { base: number; end: number; batches: number; records: number; bytes: number; maxTs: number; cumMax: number } | null = null;
  const close = () => {
    if (!seg) return;
    sql.exec(
      "INSERT INTO segments VALUES (?, ?, 'closed', ?, ?, ?, ?, ?, ?, ?, 0, 0, NULL)",
      seg.base, seg.end, seg.batches, seg.records, seg.bytes, seg.maxTs, seg.cumMax, now, now,
    );
    seg = null;
  };
  for (const r of rows) {
    if (seg && seg.bytes + r.bytes > MIGRATED_SEGMENT_BYTES) close();
    seg ??= { base: r.base_offset, end: r.base_offset, batches: 0, records: 0, bytes: 0, maxTs: 0, cumMax: 0 };
    seg.end = r.base_offset + r.record_count;
    seg.batches++;
    seg.records += r.record_count;
    seg.bytes += r.bytes;
    seg.maxTs = Math.max(seg.maxTs, r.max_timestamp);
    seg.cumMax = r.cum_max_timestamp;
  }
  close();
}
