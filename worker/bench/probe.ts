/**
 * @module
 * BenchProbe: the Durable Object floors of the benchmark. `noop()` measures
 * one RPC into a Durable Object; `rawInsert()` measures storing a request
 * body as one SQLite row with no parsing, which is the least a produce can
 * cost; `rawRead()` reads one such row back, the least a fetch can cost.
 * `rawInsertGrouped()` stores the same way but through the partition
 * leader's group commit, so concurrent calls share a commit as appends do:
 * the spread ceiling compares it across one object and many.
 * Bound only for the benchmark's routes (see ./index.ts).
 */

import { DurableObject } from "cloudflare:workers";
import { GroupCommit } from "../durable/partition-leader/group-commit.ts";

export class BenchProbe extends DurableObject<Env> {
  readonly #grouped: GroupCommit<string, void>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    this.#grouped = new GroupCommit(
      (body) => this.rawInsert(body),
      (work) => ctx.storage.transactionSync(work),
      () => {},
      () => ctx.storage.sync(),
    );
  }

  noop(): void {}

  rawInsert(body: string): void {
    this.ctx.storage.sql.exec("INSERT INTO bodies (body) VALUES (?)", body);
  }

  rawInsertGrouped(body: string): Promise<void> {
    return this.#grouped.submit(body);
  }

  /** The latest stored body, or null before any insert. */
  rawRead(): string | null {
    const rows = this.ctx.storage.sql.exec<{ body: string }>("SELECT body FROM bodies ORDER BY id DESC LIMIT 1").toArray();
    return rows[0]?.body ?? null;
  }
}
