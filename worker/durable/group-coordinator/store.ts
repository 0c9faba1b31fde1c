/**
 * @module
 * Reads and writes a group's state in the coordinator's SQLite. The
 * coordinator keeps the loaded Group in memory and writes each change
 * through, inside one transaction per request.
 *
 * The schema is made by the first write, not when the object starts: a
 * request about a group that does not exist reads an empty group and is
 * refused, and the object stores nothing, not even its tables.
 */

import type { GroupAssignor } from "../../../src/protocol/types.ts";
import { hasSchema, migrate } from "../migrations.ts";
import { COORDINATOR_MIGRATIONS } from "./schema.ts";
import type { Group, Member, TopicMeta } from "./model.ts";
import type { StoredOffset } from "./rpc.ts";

type MetaRow = { generation: number; assignor: string | null; created_at: number | null };
type MemberRow = {
  member_id: string;
  client_id: string | null;
  topics: string;
  session_timeout_ms: number;
  generation: number;
  target: string;
  owned: string;
  joined_at: number;
  last_heartbeat_at: number;
  deadline: number;
};
type TopicRow = { name: string; topic_id: string; partitions: number };
type OffsetRow = {
  topic: string;
  partition: number;
  topic_id: string;
  committed_offset: number;
  metadata: string | null;
  committed_at: number;
};

export class GroupStore {
  readonly #storage: DurableObjectStorage;
  readonly #sql: SqlStorage;
  /** Whether the tables exist; read again by load(), which follows a rolled-back change. */
  #schema = false;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.#sql = storage.sql;
  }

  /** The group as stored; a group never stored reads as the first migration's meta row, with nobody in it. */
  load(): Group {
    this.#schema = hasSchema(this.#sql);
    if (!this.#schema) return { generation: 0, assignor: null, createdAt: null, members: new Map(), topics: new Map() };
    // An object stored by an older release takes the migrations released since.
    migrate(this.#storage, COORDINATOR_MIGRATIONS);
    const meta = this.#sql.exec<MetaRow>("SELECT generation, assignor, created_at FROM group_meta").one();
    const members = this.#sql.exec<MemberRow>("SELECT * FROM members").toArray().map(toMember);
    const topics = this.#sql.exec<TopicRow>("SELECT * FROM topics").toArray();
    return {
      generation: meta.generation,
      assignor: meta.assignor as GroupAssignor | null,
      createdAt: meta.created_at,
      members: new Map(members.map((m) => [m.memberId, m])),
      topics: new Map(topics.map((t): [string, TopicMeta] => [t.name, { topicId: t.topic_id, partitions: t.partitions }])),
    };
  }

  saveMeta(group: Group): void {
    this.#writable().exec(
      "UPDATE group_meta SET generation = ?, assignor = ?, created_at = ?",
      group.generation,
      group.assignor,
      group.createdAt,
    );
  }

  /** Everything a rebalance may change: the meta row, every member, the topic snapshot. */
  saveAll(group: Group, removed: readonly Member[] = []): void {
    this.saveMeta(group);
    for (const m of removed) this.#writable().exec("DELETE FROM members WHERE member_id = ?", m.memberId);
    for (const m of group.members.values()) this.saveMember(m);
    this.#sql.exec("DELETE FROM topics");
    for (const [name, t] of group.topics) this.#sql.exec("INSERT INTO topics VALUES (?, ?, ?)", name, t.topicId, t.partitions);
  }

  saveMember(m: Member): void {
    this.#writable().exec(
      "INSERT OR REPLACE INTO members VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      m.memberId,
      m.clientId,
      JSON.stringify(m.topics),
      m.sessionTimeoutMs,
      m.generation,
      JSON.stringify(m.target),
      JSON.stringify(m.owned),
      m.joinedAt,
      m.lastHeartbeatAt,
      m.deadline,
    );
  }

  offsets(topic?: string): StoredOffset[] {
    if (!this.#schema) return [];
    const rows =
      topic === undefined
        ? this.#sql.exec<OffsetRow>("SELECT * FROM offsets ORDER BY topic, partition")
        : this.#sql.exec<OffsetRow>("SELECT * FROM offsets WHERE topic = ? ORDER BY partition", topic);
    return rows.toArray().map(toOffset);
  }

  putOffset(o: StoredOffset): void {
    this.#writable().exec(
      "INSERT OR REPLACE INTO offsets VALUES (?, ?, ?, ?, ?, ?)",
      o.topic,
      o.partition,
      o.topicId,
      o.offset,
      o.metadata,
      o.committedAt,
    );
  }

  /** The database to write to, its schema made first if this is the object's first write. */
  #writable(): SqlStorage {
    if (!this.#schema) {
      migrate(this.#storage, COORDINATOR_MIGRATIONS);
      this.#schema = true;
    }
    return this.#sql;
  }

  /** Forgets the group entirely: a group created later under this name starts from scratch. */
  clear(): void {
    for (const table of ["members", "topics", "offsets"]) this.#writable().exec(`DELETE FROM ${table}`);
    this.#sql.exec("UPDATE group_meta SET generation = 0, assignor = NULL, created_at = NULL");
  }
}

function toMember(r: MemberRow): Member {
  return {
    memberId: r.member_id,
    clientId: r.client_id,
    topics: JSON.parse(r.topics) as string[],
    sessionTimeoutMs: r.session_timeout_ms,
    generation: r.generation,
    target: JSON.parse(r.target) as Member["target"],
    owned: JSON.parse(r.owned) as Member["owned"],
    joinedAt: r.joined_at,
    lastHeartbeatAt: r.last_heartbeat_at,
    deadline: r.deadline,
  };
}

function toOffset(r: OffsetRow): StoredOffset {
  return {
    topic: r.topic,
    partition: r.partition,
    topicId: r.topic_id,
    offset: r.committed_offset,
    metadata: r.metadata,
    committedAt: r.committed_at,
  };
}
