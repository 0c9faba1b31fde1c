/**
 * @module
 * The topic catalog's SQLite schema.
 */

import type { Migration } from "../migrations.ts";

export const CATALOG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "topics and pending deletions",
    up(sql) {
      sql.exec(`CREATE TABLE topics (
        name TEXT PRIMARY KEY,
        topic_id TEXT NOT NULL UNIQUE,
        config TEXT NOT NULL,
        created_at INTEGER NOT NULL
      )`);
      // A deleted topic's partition leaders still hold data until each has
      // been told to drop it; this table survives restarts so none is missed.
      sql.exec(`CREATE TABLE pending_drops (
        topic_id TEXT PRIMARY KEY,
        partitions INTEGER NOT NULL
      )`);
    },
  },
];
