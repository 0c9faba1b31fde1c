/**
 * @module
 * A consumer's membership of a group (PROTOCOL.md, "Consumer groups"): it
 * joins, heartbeats, commits and leaves, and tells the consumer which of the
 * topic's partitions it owns. Joins, commits and leaving run one at a time,
 * so a commit is never sent under a generation the member already left.
 */

import type { GroupAssignor } from "../protocol/types.ts";
import { Backoff, sleep } from "./backoff.ts";
import { toEdgelogError, type EdgelogError } from "./errors.ts";
import type { BusHttp } from "./http.ts";

export interface MembershipOptions {
  group: string;
  topic: string;
  sessionTimeoutMs?: number;
  assignor?: GroupAssignor;
  /** Commit what was processed before rejoining (auto-commit mode). */
  commitOnRebalance: boolean;
}

export interface MembershipHooks {
  /** The next offset per partition, as far as the app has processed. */
  processed(): ReadonlyMap<number, number>;
  /** The member owns `partitions` now; `committed` holds the group's offsets for them. */
  assigned(partitions: number[], committed: ReadonlyMap<number, number>): void;
  /** The group expelled the member: its partitions are others' and its uncommitted work is void. */
  expelled(): void;
  failed(error: EdgelogError): void;
}

export class GroupMembership {
  readonly #http: BusHttp;
  readonly #o: MembershipOptions;
  readonly #hooks: MembershipHooks;
  readonly #stop = new AbortController();
  #memberId: string | undefined;
  #generation = -1;
  #intervalMs = 3_000;
  #assignment: number[] = [];
  /** The group's committed offsets of the assigned partitions, as last known. */
  readonly #committed = new Map<number, number>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(http: BusHttp, options: MembershipOptions, hooks: MembershipHooks) {
    this.#http = http;
    this.#o = options;
    this.#hooks = hooks;
  }

  /** Joins, then heartbeats in the background until close(). */
  async start(): Promise<void> {
    await this.#exclusive(() => this.#join());
    void this.#heartbeats();
  }

  /** Commits the processed offsets of the owned partitions that moved since the last commit. */
  commit(): Promise<void> {
    return this.#exclusive(() => this.#commitNow());
  }

  /** Commits first when asked to, then leaves: the partitions go to the others at once. */
  close(commit: boolean): Promise<void> {
    this.#stop.abort();
    return this.#exclusive(async () => {
      const memberId = this.#memberId;
      if (!memberId) return;
      try {
        if (commit) await this.#commitNow();
      } finally {
        this.#memberId = undefined;
        await this.#http.leaveGroup(this.#o.group, memberId).catch((err) => {
          // A retried leave, or an expired member: either way it is gone.
          if (toEdgelogError(err, "NETWORK_ERROR").code !== "UNKNOWN_MEMBER_ID") throw err;
        });
      }
    });
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #join(): Promise<void> {
    const backoff = new Backoff();
    const { group, topic, sessionTimeoutMs, assignor } = this.#o;
    for (;;) {
      if (this.#stop.signal.aborted) return;
      try {
        const body = { topics: [topic], ...(this.#memberId ? { memberId: this.#memberId } : {}), sessionTimeoutMs, assignor };
        const joined = await this.#http.joinGroup(group, body, this.#stop.signal);
        const { offsets } = await this.#http.committedOffsets(group, topic, this.#stop.signal);
        this.#memberId = joined.memberId;
        this.#generation = joined.generation;
        this.#intervalMs = joined.heartbeatIntervalMs;
        this.#assignment = joined.assignment.find((a) => a.topic === topic)?.partitions ?? [];
        this.#committed.clear();
        for (const o of offsets) if (this.#assignment.includes(o.partition)) this.#committed.set(o.partition, o.offset);
        this.#hooks.assigned(this.#assignment, this.#committed);
        return;
      } catch (err) {
        if (this.#stop.signal.aborted) return;
        const error = toEdgelogError(err, "NETWORK_ERROR");
        if (error.code === "UNKNOWN_MEMBER_ID") {
          this.#expel();
          continue;
        }
        if (!error.retriable) throw error;
        await sleep(backoff.next(), { signal: this.#stop.signal });
      }
    }
  }

  async #heartbeats(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      await sleep(this.#intervalMs, { signal });
      if (signal.aborted) return;
      try {
        await this.#exclusive(() => this.#heartbeat());
      } catch (err) {
        if (signal.aborted) return;
        this.#stop.abort();
        this.#hooks.failed(toEdgelogError(err, "NETWORK_ERROR"));
      }
    }
  }

  async #heartbeat(): Promise<void> {
    const memberId = this.#memberId;
    if (!memberId || this.#stop.signal.aborted) return;
    try {
      await this.#http.heartbeat(this.#o.group, memberId, this.#generation, this.#stop.signal);
      return;
    } catch (err) {
      if (this.#stop.signal.aborted) return;
      const error = toEdgelogError(err, "NETWORK_ERROR");
      if (error.code === "UNKNOWN_MEMBER_ID") {
        this.#expel();
      } else if (error.code === "REBALANCE_IN_PROGRESS" || error.code === "ILLEGAL_GENERATION") {
        // Until the rejoin nobody else owns our partitions: hand them over with their work committed.
        if (this.#o.commitOnRebalance) await this.#commitNow().catch(() => {});
      } else if (error.retriable) {
        return;
      } else {
        throw error;
      }
    }
    await this.#join();
  }

  #expel(): void {
    this.#memberId = undefined;
    this.#assignment = [];
    this.#committed.clear();
    this.#hooks.expelled();
  }

  async #commitNow(): Promise<void> {
    const memberId = this.#memberId;
    if (!memberId) return;
    const processed = this.#hooks.processed();
    const offsets = this.#assignment
      .filter((p) => processed.has(p) && processed.get(p) !== this.#committed.get(p))
      .map((partition) => ({ topic: this.#o.topic, partition, offset: processed.get(partition)! }));
    if (offsets.length === 0) return;
    await this.#http.commitOffsets(this.#o.group, { memberId, generation: this.#generation, offsets });
    for (const o of offsets) this.#committed.set(o.partition, o.offset);
  }
}
