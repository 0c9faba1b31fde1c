/**
 * @module
 * The leader's copy of its topic config, in SQLite so an alarm that wakes
 * the object knows what to enforce. A `configure` call always wins; a
 * config that arrives with an append replaces a different one only after
 * the settle time, so an isolate still caching the old config cannot turn a
 * change back (see CONFIG_SETTLE_MS).
 */

import { CONFIG_SETTLE_MS, UNCONFIGURED, sameLeaderConfig, type LeaderConfig } from "./leader-config.ts";

export class ConfigStore {
  readonly #sql: SqlStorage;
  #config: LeaderConfig = UNCONFIGURED;
  #changedAt = -Infinity;
  #configured = false;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    const row = this.#sql.exec<{ config: string; changed_at: number }>("SELECT config, changed_at FROM leader_config WHERE id = 1").toArray()[0];
    if (row) {
      this.#config = { ...UNCONFIGURED, ...(JSON.parse(row.config) as Partial<LeaderConfig>) };
      this.#changedAt = row.changed_at;
      this.#configured = true;
    }
  }

  get current(): LeaderConfig {
    return this.#config;
  }

  /**
   * Offers a config; `authoritative` for a configure call, not for one
   * carried by an append. Returns the previous config when it changed.
   */
  offer(config: LeaderConfig, authoritative: boolean, now: number): LeaderConfig | null {
    if (sameLeaderConfig(config, this.#config)) return null;
    if (!authoritative && this.#configured && now - this.#changedAt < CONFIG_SETTLE_MS) return null;
    const previous = this.#config;
    this.#sql.exec(
      "INSERT INTO leader_config VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config, changed_at = excluded.changed_at",
      JSON.stringify(config),
      now,
    );
    this.#config = config;
    this.#changedAt = now;
    this.#configured = true;
    return previous;
  }
}
