/**
 * @module
 * Ordered schema migrations for a Durable Object's SQLite database. Each
 * object runs the ones it has not yet applied, in one transaction, before it
 * serves anything; a migration is never edited once released, only followed.
 */

export interface Migration {
  version: number;
  name: string;
  up(sql: SqlStorage): void;
}

/**
 * Whether the database has a schema yet. Reading it writes nothing: an
 * object that may be asked about something that does not exist checks
 * this, and migrates only when it first stores something.
 */
export function hasSchema(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").toArray().length > 0;
}

/** Applies every migration newer than the database; returns the new version. */
export function migrate(storage: DurableObjectStorage, migrations: readonly Migration[]): number {
  return storage.transactionSync(() => {
    const sql = storage.sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    let current = sql.exec<{ v: number }>("SELECT coalesce(max(version), 0) AS v FROM schema_migrations").one().v;
    for (const m of migrations) {
      if (m.version <= current) continue;
      if (m.version !== current + 1) throw new Error(`migration ${m.version} (${m.name}) does not follow ${current}`);
      m.up(sql);
      sql.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.version, m.name, Date.now());
      current = m.version;
    }
    return current;
  });
}
