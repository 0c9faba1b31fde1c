import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { migrate, type Migration } from "../../worker/durable/migrations.ts";
import { LEADER_MIGRATIONS } from "../../worker/durable/partition-leader/schema.ts";

const v1: Migration = {
  version: 1,
  name: "notes",
  up: (sql) => sql.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"),
};
const v2: Migration = {
  version: 2,
  name: "notes get authors",
  up: (sql) => sql.exec("ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'unknown'"),
};

describe("migrate", () => {
  it("applies only newer migrations to an existing database and keeps its data", async () => {
    const stub = env.PARTITION_LEADER.getByName("migrations-existing");
    await runInDurableObject(stub, (_, state) => {
      // Another schema in the same database, so the leader's own stays out of the way.
      const storage = state.storage;
      expect(migrate(storage, [...LEADER_MIGRATIONS, rebase(v1)])).toBe(LEADER_MIGRATIONS.length + 1);
      storage.sql.exec("INSERT INTO notes (text) VALUES ('kept')");
      expect(migrate(storage, [...LEADER_MIGRATIONS, rebase(v1), rebase(v2)])).toBe(LEADER_MIGRATIONS.length + 2);
      expect(storage.sql.exec("SELECT text, author FROM notes").toArray()).toEqual([{ text: "kept", author: "unknown" }]);
      // Running again changes nothing.
      expect(migrate(storage, [...LEADER_MIGRATIONS, rebase(v1), rebase(v2)])).toBe(LEADER_MIGRATIONS.length + 2);
      expect(storage.sql.exec("SELECT count(*) AS n FROM schema_migrations").one().n).toBe(LEADER_MIGRATIONS.length + 2);
    });
  });

  it("refuses a gap in the sequence without applying anything", async () => {
    const stub = env.PARTITION_LEADER.getByName("migrations-gap");
    await runInDurableObject(stub, (_, state) => {
      migrate(state.storage, LEADER_MIGRATIONS);
      const next = LEADER_MIGRATIONS.length + 1;
      expect(() => migrate(state.storage, [...LEADER_MIGRATIONS, { ...v2, version: next + 1 }])).toThrow(/does not follow/);
      expect(state.storage.sql.exec("SELECT max(version) AS v FROM schema_migrations").one().v).toBe(next - 1);
    });
  });
});

/** Moves a test migration after the leader's own ones. */
function rebase(m: Migration): Migration {
  return { ...m, version: LEADER_MIGRATIONS.length + m.version };
}

describe("PartitionLeader restart", () => {
  it("reloads its log, high watermark and producer state from SQLite after eviction", async () => {
    const stub = env.PARTITION_LEADER.getByName("restart-leader");
    const body = ['"key":null,"value":1,"headers":{}'];
    await stub.append({ bodies: body, producer: { producerId: "p", epoch: 0, seq: 0 } });
    await stub.append({ bodies: body, producer: { producerId: "p", epoch: 0, seq: 1 } });
    await evictDurableObject(stub);
    const fresh = env.PARTITION_LEADER.getByName("restart-leader");
    expect(await fresh.stats()).toMatchObject({ highWatermark: 2, records: 2 });
    expect(await fresh.append({ bodies: body, producer: { producerId: "p", epoch: 0, seq: 1 } })).toMatchObject({
      ok: true,
      duplicate: true,
      baseOffset: 1,
    });
    expect(await fresh.append({ bodies: body, producer: { producerId: "p", epoch: 0, seq: 2 } })).toMatchObject({
      ok: true,
      duplicate: false,
      baseOffset: 2,
    });
  });
});
