/**
 * @module
 * The subscription registry's SQLite: subscriptions (their settings and the
 * state of their current wake), the streams each one follows with the
 * offset its consumer acknowledged, and the signing keys.
 */

import type { Migration } from "../../durable/migrations.ts";
import type { StoredKeys } from "./signing.ts";

export const SUBSCRIPTION_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "subscriptions, their streams, signing keys",
    up(sql) {
      // A wake is one round of work for a subscription: `generation` counts
      // them (tokens and callbacks name theirs), `wake_id` is the current
      // one, `holder` the pull-wake worker that claimed it, `lease_until`
      // when it is given up unless acknowledged. `base_url`: where the
      // subscription was created, for the callback and JWKS URLs.
      sql.exec(`CREATE TABLE subscriptions (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL CHECK (type IN ('webhook', 'pull-wake')),
        pattern TEXT,
        webhook_url TEXT,
        wake_stream TEXT,
        lease_ttl_ms INTEGER NOT NULL,
        description TEXT,
        config_hash TEXT NOT NULL,
        base_url TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        generation INTEGER NOT NULL DEFAULT 0,
        wake_id TEXT,
        holder TEXT,
        lease_until INTEGER,
        retry_count INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER
      )`);
      // `acked`: the offset the consumer has acknowledged (-1: none yet);
      // `tail`: the stream's tail as last reported; `snapshot`: the tail the
      // current wake was raised for.
      sql.exec(`CREATE TABLE links (
        subscription_id TEXT NOT NULL,
        path TEXT NOT NULL,
        explicit INTEGER NOT NULL,
        glob INTEGER NOT NULL,
        acked INTEGER NOT NULL,
        tail INTEGER NOT NULL,
        snapshot INTEGER,
        PRIMARY KEY (subscription_id, path)
      ) WITHOUT ROWID`);
      sql.exec("CREATE INDEX links_by_path ON links (path)");
      sql.exec("CREATE TABLE keys (id INTEGER PRIMARY KEY CHECK (id = 1), keys TEXT NOT NULL)");
    },
  },
];

export interface Subscription {
  id: string;
  type: "webhook" | "pull-wake";
  pattern: string | null;
  webhookUrl: string | null;
  wakeStream: string | null;
  leaseTtlMs: number;
  description: string | null;
  configHash: string;
  baseUrl: string;
  createdAt: number;
  status: "active" | "failed";
  generation: number;
  wakeId: string | null;
  holder: string | null;
  leaseUntil: number | null;
  retryCount: number;
  nextAttemptAt: number | null;
}

export interface Link {
  path: string;
  explicit: boolean;
  glob: boolean;
  acked: number;
  tail: number;
  snapshot: number | null;
}

type SubRow = {
  id: string;
  type: "webhook" | "pull-wake";
  pattern: string | null;
  webhook_url: string | null;
  wake_stream: string | null;
  lease_ttl_ms: number;
  description: string | null;
  config_hash: string;
  base_url: string;
  created_at: number;
  status: "active" | "failed";
  generation: number;
  wake_id: string | null;
  holder: string | null;
  lease_until: number | null;
  retry_count: number;
  next_attempt_at: number | null;
};

type LinkRow = { path: string; explicit: number; glob: number; acked: number; tail: number; snapshot: number | null };

export class SubscriptionStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  get(id: string): Subscription | null {
    const r = this.#sql.exec<SubRow>("SELECT * FROM subscriptions WHERE id = ?", id).toArray()[0];
    return r ? fromRow(r) : null;
  }

  all(): Subscription[] {
    return this.#sql.exec<SubRow>("SELECT * FROM subscriptions ORDER BY id").toArray().map(fromRow);
  }

  put(s: Subscription): void {
    this.#sql.exec(
      `INSERT INTO subscriptions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, generation = excluded.generation, wake_id = excluded.wake_id,
         holder = excluded.holder, lease_until = excluded.lease_until, retry_count = excluded.retry_count,
         next_attempt_at = excluded.next_attempt_at`,
      s.id, s.type, s.pattern, s.webhookUrl, s.wakeStream, s.leaseTtlMs, s.description, s.configHash, s.baseUrl, s.createdAt,
      s.status, s.generation, s.wakeId, s.holder, s.leaseUntil, s.retryCount, s.nextAttemptAt,
    );
  }

  delete(id: string): void {
    this.#sql.exec("DELETE FROM subscriptions WHERE id = ?", id);
    this.#sql.exec("DELETE FROM links WHERE subscription_id = ?", id);
  }

  links(id: string): Link[] {
    return this.#sql
      .exec<LinkRow>("SELECT path, explicit, glob, acked, tail, snapshot FROM links WHERE subscription_id = ? ORDER BY path", id)
      .toArray()
      .map((r) => ({ path: r.path, explicit: r.explicit === 1, glob: r.glob === 1, acked: r.acked, tail: r.tail, snapshot: r.snapshot }));
  }

  /** Links a stream (or adds a kind to an existing link); a new link starts acknowledged up to `acked`. */
  link(id: string, path: string, kind: "explicit" | "glob", acked: number, tail: number): void {
    this.#sql.exec(
      `INSERT INTO links VALUES (?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (subscription_id, path) DO UPDATE SET explicit = max(explicit, excluded.explicit), glob = max(glob, excluded.glob),
         tail = max(tail, excluded.tail)`,
      id, path, kind === "explicit" ? 1 : 0, kind === "glob" ? 1 : 0, acked, tail,
    );
  }

  /** Drops the explicit link; a stream the pattern also matches stays. */
  unlinkExplicit(id: string, path: string): void {
    this.#sql.exec("UPDATE links SET explicit = 0 WHERE subscription_id = ? AND path = ?", id, path);
    this.#sql.exec("DELETE FROM links WHERE subscription_id = ? AND path = ? AND explicit = 0 AND glob = 0", id, path);
  }

  /** A stream's new tail, for every subscription that follows it. */
  tail(path: string, tail: number): void {
    this.#sql.exec("UPDATE links SET tail = max(tail, ?) WHERE path = ?", tail, path);
  }

  ack(id: string, path: string, offset: number): void {
    this.#sql.exec("UPDATE links SET acked = ? WHERE subscription_id = ? AND path = ?", offset, id, path);
  }

  /** Freezes the tails a wake is raised for (null: the wake ended). */
  snapshot(id: string, on: boolean): void {
    this.#sql.exec(`UPDATE links SET snapshot = ${on ? "tail" : "NULL"} WHERE subscription_id = ?`, id);
  }

  keys(): StoredKeys | null {
    const r = this.#sql.exec<{ keys: string }>("SELECT keys FROM keys WHERE id = 1").toArray()[0];
    return r ? (JSON.parse(r.keys) as StoredKeys) : null;
  }

  saveKeys(keys: StoredKeys): void {
    this.#sql.exec("INSERT INTO keys VALUES (1, ?)", JSON.stringify(keys));
  }
}

function fromRow(r: SubRow): Subscription {
  return {
    id: r.id,
    type: r.type,
    pattern: r.pattern,
    webhookUrl: r.webhook_url,
    wakeStream: r.wake_stream,
    leaseTtlMs: r.lease_ttl_ms,
    description: r.description,
    configHash: r.config_hash,
    baseUrl: r.base_url,
    createdAt: r.created_at,
    status: r.status,
    generation: r.generation,
    wakeId: r.wake_id,
    holder: r.holder,
    leaseUntil: r.lease_until,
    retryCount: r.retry_count,
    nextAttemptAt: r.next_attempt_at,
  };
}
