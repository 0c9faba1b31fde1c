/**
 * @module
 * GroupRegistry: the one Durable Object that knows which consumer groups
 * exist, so they can be listed. Coordinators tell it when a group is created
 * (its first join, commit or offset reset) and deleted; heartbeats, commits
 * and rebalances never reach it.
 */

import { DurableObject } from "cloudflare:workers";
import type { GroupSummary } from "../../../src/protocol/types.ts";
import { migrate, type Migration } from "../migrations.ts";

const REGISTRY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "groups",
    up: (sql) => sql.exec("CREATE TABLE groups (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL)"),
  },
];

export class GroupRegistry extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage, REGISTRY_MIGRATIONS);
  }

  /** Idempotent: a coordinator retries after a failure without knowing whether the first call landed. */
  add(name: string, createdAt: number): void {
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO groups VALUES (?, ?)", name, createdAt);
  }

  remove(name: string): void {
    this.ctx.storage.sql.exec("DELETE FROM groups WHERE name = ?", name);
  }

  list(): GroupSummary[] {
    return this.ctx.storage.sql
      .exec<{ name: string; created_at: number }>("SELECT name, created_at FROM groups ORDER BY name")
      .toArray()
      .map((r) => ({ group: r.name, createdAt: r.created_at }));
  }
}
