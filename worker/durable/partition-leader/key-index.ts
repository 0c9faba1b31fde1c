/**
 * @module
 * The compaction key index in SQLite: the latest offset of every key of a
 * compacted partition. Keys travel to SQLite as JSON arrays read with
 * json_each, so a batch of thousands of records is one statement, not one
 * per record (DESIGN §2: 100 bound parameters per statement).
 */

/** JSON handed to one statement stays well below SQLite's value limit. */
const MAX_JSON_CHARS = 512 * 1024;

export class KeyIndex {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /**
   * Records `latest` (key → offset) as the newest offsets of their keys,
   * after marking every segment that holds a record they supersede as dirty.
   */
  supersede(latest: Map<string, number>): void {
    for (const json of jsonChunks(latest, (key, offset) => `[${JSON.stringify(key)},${offset}]`)) {
      this.#sql.exec(
        `UPDATE segments SET dirty = 1 WHERE dirty = 0 AND base_offset IN (
           SELECT (SELECT max(s.base_offset) FROM segments s WHERE s.base_offset <= k.offset)
           FROM json_each(?) j JOIN compaction_keys k ON k.key = j.value ->> 0)`,
        json,
      );
      this.#sql.exec(
        `INSERT INTO compaction_keys (key, offset) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true
         ON CONFLICT (key) DO UPDATE SET offset = excluded.offset`,
        json,
      );
    }
  }

  /** The offsets in [base, end) that are the latest of their key, ascending. */
  latestIn(base: number, end: number): number[] {
    return this.#sql
      .exec<{ offset: number }>("SELECT offset FROM compaction_keys WHERE offset >= ? AND offset < ? ORDER BY offset", base, end)
      .toArray()
      .map((r) => r.offset);
  }

  /** Removes keys whose latest record (at exactly that offset) is gone: their tombstone expired. */
  forget(gone: Map<string, number>): void {
    for (const json of jsonChunks(gone, (key, offset) => `[${JSON.stringify(key)},${offset}]`)) {
      this.#sql.exec(
        "DELETE FROM compaction_keys WHERE (key, offset) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))",
        json,
      );
    }
  }

  clear(): void {
    this.#sql.exec("DELETE FROM compaction_keys");
  }
}

/** Renders map entries as JSON arrays of bounded size. */
function jsonChunks<K, V>(entries: Map<K, V>, render: (key: K, value: V) => string): string[] {
  const chunks: string[] = [];
  let parts: string[] = [];
  let size = 0;
  for (const [key, value] of entries) {
    const part = render(key, value);
    if (size + part.length > MAX_JSON_CHARS && parts.length > 0) {
      chunks.push(`[${parts.join(",")}]`);
      parts = [];
      size = 0;
    }
    parts.push(part);
    size += part.length + 1;
  }
  if (parts.length > 0) chunks.push(`[${parts.join(",")}]`);
  return chunks;
}
