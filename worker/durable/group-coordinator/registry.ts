/**
 * @module
 * GroupRegistry: the one Durable Object that knows which consumer groups
 * exist, so they can be listed. Coordinators tell it when a group is created
 * (its first join, commit or offset reset) and deleted; heartbeats, commits
 * and rebalances never reach it. Being the one place that sees every new
 * group, it is also where the group count limit is kept.
 */

import { DurableObject } from "cloudflare:workers";
import { failure, type Failure } from "../../../src/protocol/errors.ts";
import type { GroupSummary } from "../../../src/protocol/types.ts";
import { countLimits } from "../../config.ts";
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

  /**
   * Enters a new group, unless the registry already holds `EDGELOG_MAX_GROUPS`.
   * Idempotent: a coordinator retries after a failure without knowing whether
   * the first call landed, so a name already here is always accepted.
   */
  add(name: string, createdAt: number): { ok: true } | Failure {
    const sql = this.ctx.storage.sql;
    if (sql.exec("SELECT 1 FROM groups WHERE name = ?", name).toArray().length > 0) return { ok: true };
    // Counted and inserted in one synchronous step: no other add runs in between.
    const { maxGroups } = countLimits(this.env);
    const { count } = sql.exec<{ count: number }>("SELECT COUNT(*) AS count FROM groups").one();
    if (count >= maxGroups) {
      return failure("LIMIT_EXCEEDED", `this bus holds at most ${maxGroups} consumer groups; delete an empty one before creating '${name}'`, {
        limit: maxGroups,
      });
    }
    sql.exec("INSERT INTO groups VALUES (?, ?)", name, createdAt);
    return { ok: true };
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
