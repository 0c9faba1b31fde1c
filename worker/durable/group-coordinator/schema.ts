/**
 * @module
 * The group coordinator's SQLite schema: the group's generation and
 * assignor, its members with their sessions and partitions, the metadata of
 * the topics they subscribe to, and the committed offsets.
 */

import type { Migration } from "../migrations.ts";

export const COORDINATOR_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "group, members, subscribed topics and committed offsets",
    up(sql) {
      // created_at is set once the group is in the registry: a group exists
      // from its first join, commit or reset until it is deleted.
      sql.exec(`CREATE TABLE group_meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        generation INTEGER NOT NULL,
        assignor TEXT,
        created_at INTEGER
      )`);
      sql.exec("INSERT INTO group_meta VALUES (1, 0, NULL, NULL)");
      // target: what the group's assignment gives the member; owned: what it
      // was granted at its last join and may consume and commit. A partition
      // is owned by at most one member at a time.
      sql.exec(`CREATE TABLE members (
        member_id TEXT PRIMARY KEY,
        client_id TEXT,
        topics TEXT NOT NULL,
        session_timeout_ms INTEGER NOT NULL,
        generation INTEGER NOT NULL,
        target TEXT NOT NULL,
        owned TEXT NOT NULL,
        joined_at INTEGER NOT NULL,
        last_heartbeat_at INTEGER NOT NULL,
        deadline INTEGER NOT NULL
      )`);
      // What the last assignment was computed from, to notice a topic that
      // grew, or was deleted or recreated.
      sql.exec(`CREATE TABLE topics (
        name TEXT PRIMARY KEY,
        topic_id TEXT NOT NULL,
        partitions INTEGER NOT NULL
      )`);
      // topic_id: the topic the offset was committed for; after the topic is
      // deleted and created again the offset no longer applies.
      sql.exec(`CREATE TABLE offsets (
        topic TEXT NOT NULL,
        partition INTEGER NOT NULL,
        topic_id TEXT NOT NULL,
        committed_offset INTEGER NOT NULL,
        metadata TEXT,
        committed_at INTEGER NOT NULL,
        PRIMARY KEY (topic, partition)
      )`);
    },
  },
];
