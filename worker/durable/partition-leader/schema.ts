/**
 * @module
 * The partition leader's SQLite schema. One row per produce request (a record
 * batch) keeps writes to one INSERT and reads to a few rows.
 */

import type { Migration } from "../migrations.ts";

export const LEADER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "batches, producers and partition state",
    up(sql) {
      // `records` holds the batch's records as fetch renders them, one JSON
      // object per line, so a fetch concatenates text instead of re-encoding.
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
];
