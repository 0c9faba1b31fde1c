/**
 * @module
 * Group commit for a partition leader's appends. Each produce request used
 * to be its own SQLite transaction, and each transaction its own commit
 * (an fsync on a local disk) before the runtime lets the answer out. Here
 * an append that finds the leader idle is applied at once; appends that
 * arrive while an earlier one is still being made durable wait for it, and
 * then go together, in arrival order, in one task and one transaction: one
 * commit for all of them. Every caller still gets its own answer, and only
 * once its write is durable, because the Durable Object's output gate
 * holds every answer of a task until that task's writes are.
 *
 * An append that fails (a refused sequence, a storage error) fails alone:
 * each runs in its own savepoint, so the others in the group stand.
 */

export interface GroupCommitStats {
  /** Groups committed since the object started. */
  groups: number;
  /** Appends in those groups. */
  appends: number;
  /** The largest group so far. */
  largest: number;
}

interface Waiting<Req, Res> {
  request: Req;
  resolve(result: Res): void;
  reject(error: unknown): void;
}

export class GroupCommit<Req, Res> {
  readonly #apply: (request: Req) => Res;
  readonly #transaction: (work: () => void) => void;
  readonly #rolledBack: () => void;
  readonly #durable: () => Promise<void>;
  #waiting: Waiting<Req, Res>[] = [];
  /** Set while the last group's writes are being made durable. */
  #syncing = false;
  readonly stats: GroupCommitStats = { groups: 0, appends: 0, largest: 0 };

  /**
   * `apply` appends one request (in its own savepoint); `transaction` runs
   * work in one storage transaction (`storage.transactionSync`);
   * `rolledBack` makes memory forget a group whose transaction failed;
   * `durable` resolves once every write so far is on disk (`storage.sync`).
   */
  constructor(
    apply: (request: Req) => Res,
    transaction: (work: () => void) => void,
    rolledBack: () => void,
    durable: () => Promise<void>,
  ) {
    this.#apply = apply;
    this.#transaction = transaction;
    this.#rolledBack = rolledBack;
    this.#durable = durable;
  }

  submit(request: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject });
      if (!this.#syncing) this.#commitAndSync();
    });
  }

  /** Commits what waits, then collects what arrives until that is durable. */
  #commitAndSync(): void {
    this.#commit();
    this.#syncing = true;
    const next = () => {
      this.#syncing = false;
      if (this.#waiting.length > 0) this.#commitAndSync();
    };
    this.#durable().then(next, next);
  }

  #commit(): void {
    const group = this.#waiting;
    this.#waiting = [];
    const outcomes: ({ ok: true; result: Res } | { ok: false; error: unknown })[] = [];
    try {
      this.#transaction(() => {
        for (const { request } of group) {
          try {
            outcomes.push({ ok: true, result: this.#apply(request) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The group's transaction itself failed: none of it is stored.
      this.#rolledBack();
      for (const w of group) w.reject(error);
      return;
    }
    this.stats.groups++;
    this.stats.appends += group.length;
    this.stats.largest = Math.max(this.stats.largest, group.length);
    group.forEach((w, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) w.resolve(outcome.result);
      else w.reject(outcome.error);
    });
  }
}
