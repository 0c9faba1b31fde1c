/**
 * @module
 * TopicCatalog: the one Durable Object that knows which topics exist and
 * their configs. Only admin requests and metadata-cache misses reach it; the
 * produce and fetch path does not.
 */

import { DurableObject } from "cloudflare:workers";
import { failure, type Failure } from "../../../src/protocol/errors.ts";
import type { TopicConfig } from "../../../src/protocol/limits.ts";
import type { TopicSummary } from "../../../src/protocol/types.ts";
import { countLimits } from "../../config.ts";
import { leaderStub } from "../../leaders.ts";
import { migrate } from "../migrations.ts";
import { CATALOG_MIGRATIONS } from "./schema.ts";

type TopicRow = { name: string; topic_id: string; config: string; created_at: number };

const DROP_RETRY_MS = 10_000;

export type CreateResult = { ok: true; created: boolean; topic: TopicSummary } | Failure;
export type AlterResult = { ok: true; topic: TopicSummary; addedPartitions: number } | Failure;

export class TopicCatalog extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage, CATALOG_MIGRATIONS);
  }

  /**
   * Creates `name`; an identical existing topic is a success, a different one
   * a conflict. Once the catalog holds `EDGELOG_MAX_TOPICS`, a new name is refused.
   */
  create(name: string, config: TopicConfig): CreateResult {
    const existing = this.get(name);
    if (existing) {
      if (sameConfig(existing.config, config)) return { ok: true, created: false, topic: existing };
      return failure("TOPIC_ALREADY_EXISTS", `topic '${name}' already exists with a different config`);
    }
    // Counted and inserted in one synchronous step: no other create runs in between.
    const { maxTopics } = countLimits(this.env);
    const { count } = this.ctx.storage.sql.exec<{ count: number }>("SELECT COUNT(*) AS count FROM topics").one();
    if (count >= maxTopics) {
      return failure("LIMIT_EXCEEDED", `this bus holds at most ${maxTopics} topics; delete one before creating '${name}'`, { limit: maxTopics });
    }
    const topic: TopicSummary = { name, topicId: crypto.randomUUID(), config, createdAt: Date.now() };
    this.ctx.storage.sql.exec(
      "INSERT INTO topics VALUES (?, ?, ?, ?)",
      name,
      topic.topicId,
      JSON.stringify(config),
      topic.createdAt,
    );
    return { ok: true, created: true, topic };
  }

  get(name: string): TopicSummary | null {
    const row = this.ctx.storage.sql.exec<TopicRow>("SELECT * FROM topics WHERE name = ?", name).toArray()[0];
    return row ? toSummary(row) : null;
  }

  list(): TopicSummary[] {
    return this.ctx.storage.sql.exec<TopicRow>("SELECT * FROM topics ORDER BY name").toArray().map(toSummary);
  }

  /** Changes config; partitions may only grow (existing keys keep their partition). */
  alter(name: string, patch: Partial<TopicConfig>): AlterResult {
    const topic = this.get(name);
    if (!topic) return failure("UNKNOWN_TOPIC_OR_PARTITION", `topic '${name}' does not exist`);
    const config = { ...topic.config, ...patch };
    if (config.partitions < topic.config.partitions) {
      return failure(
        "INVALID_PARTITIONS",
        `partitions can only be added: '${name}' has ${topic.config.partitions}, asked for ${config.partitions}`,
      );
    }
    this.ctx.storage.sql.exec("UPDATE topics SET config = ? WHERE name = ?", JSON.stringify(config), name);
    return { ok: true, topic: { ...topic, config }, addedPartitions: config.partitions - topic.config.partitions };
  }

  /** Deletes `name` now and its partitions' data as soon as each leader answers. */
  async remove(name: string): Promise<{ ok: true; topic: TopicSummary } | Failure> {
    const topic = this.get(name);
    if (!topic) return failure("UNKNOWN_TOPIC_OR_PARTITION", `topic '${name}' does not exist`);
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec("DELETE FROM topics WHERE name = ?", name);
      this.ctx.storage.sql.exec("INSERT INTO pending_drops VALUES (?, ?)", topic.topicId, topic.config.partitions);
    });
    await this.#dropPending();
    return { ok: true, topic };
  }

  override async alarm(): Promise<void> {
    await this.#dropPending();
  }

  /** Tells each deleted topic's leaders to drop their data; retried by alarm until all have. */
  async #dropPending(): Promise<void> {
    const sql = this.ctx.storage.sql;
    const pending = sql.exec<{ topic_id: string; partitions: number }>("SELECT * FROM pending_drops").toArray();
    let failed = false;
    for (const { topic_id, partitions } of pending) {
      const drops = Array.from({ length: partitions }, (_, p) => leaderStub(this.env, topic_id, p).drop());
      const results = await Promise.allSettled(drops);
      if (results.every((r) => r.status === "fulfilled")) {
        sql.exec("DELETE FROM pending_drops WHERE topic_id = ?", topic_id);
      } else failed = true;
    }
    if (failed) await this.ctx.storage.setAlarm(Date.now() + DROP_RETRY_MS);
  }
}

function toSummary(row: TopicRow): TopicSummary {
  return { name: row.name, topicId: row.topic_id, config: JSON.parse(row.config) as TopicConfig, createdAt: row.created_at };
}

function sameConfig(a: TopicConfig, b: TopicConfig): boolean {
  return (Object.keys(a) as (keyof TopicConfig)[]).every((k) => a[k] === b[k]);
}
