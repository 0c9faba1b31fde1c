/**
 * @module
 * A test-only consumer group member that speaks the HTTP group protocol
 * (PROTOCOL.md, "Consumer groups") directly: join, heartbeat on the
 * interval join answered, fetch only its assigned partitions from their
 * committed offsets, commit after processing, and on a heartbeat's
 * REBALANCE_IN_PROGRESS stop, commit what it processed and rejoin. It
 * stands in for the client library in black-box tests, and can be paused
 * (a zombie) or killed (a crash) on purpose.
 */

import type { ConsumedRecord, FetchResponse, GroupAssignor, GroupDescription, GroupOffsets, JoinGroupResponse, TopicPartitions } from "../../src/protocol/types.ts";
import { call } from "./api.ts";

export interface Delivery {
  consumer: string;
  topic: string;
  partition: number;
  record: ConsumedRecord;
}

export interface GroupConsumerOptions {
  url: string;
  group: string;
  topics: string[];
  /** Also the clientId the member joins with. */
  name: string;
  sessionTimeoutMs?: number;
  assignor?: GroupAssignor;
  /** Runs for each record before its offset may be committed. */
  process?: (delivery: Delivery) => Promise<void> | void;
  maxRecords?: number;
  waitMs?: number;
}

/** One assigned partition being consumed, under the membership it was assigned in. */
interface Run {
  topic: string;
  partition: number;
  memberId: string;
  generation: number;
  stopped: boolean;
  done: Promise<void>;
}

interface ErrorAnswer {
  error?: { code: string };
}

export class GroupConsumer {
  readonly name: string;
  memberId: string | null = null;
  generation = -1;
  assignment: TopicPartitions[] = [];
  joins = 0;
  readonly delivered: Delivery[] = [];
  readonly commits: { topic: string; partition: number; offset: number; generation: number }[] = [];
  /** Every refusal the bus answered, in order. */
  readonly refusals: { code: string; during: "join" | "heartbeat" | "commit" }[] = [];
  /** Anything unexpected; a test asserts this stays empty. */
  readonly errors: unknown[] = [];

  readonly #o: GroupConsumerOptions;
  readonly #runs = new Map<string, Run>();
  #alive = true;
  #intervalMs = 1_000;
  #gate: Promise<void> | null = null;
  #release: (() => void) | null = null;
  #rebalancing: Promise<void> | null = null;
  #heartbeats: Promise<void> | null = null;

  constructor(options: GroupConsumerOptions) {
    this.#o = options;
    this.name = options.name;
  }

  async start(): Promise<void> {
    await this.#join();
    this.#heartbeats = this.#heartbeatLoop();
  }

  /** Like a long GC pause or a suspended machine: nothing is sent, nothing processed, nothing left. */
  pause(): void {
    this.#gate ??= new Promise<void>((r) => (this.#release = r));
  }

  resume(): void {
    const release = this.#release;
    this.#gate = null;
    this.#release = null;
    release?.();
  }

  /** A crash: everything stops at once, uncommitted work is lost, and the group is not told. */
  async kill(): Promise<void> {
    this.#alive = false;
    this.resume();
    for (const run of this.#runs.values()) run.stopped = true;
    await Promise.allSettled([...[...this.#runs.values()].map((r) => r.done), this.#heartbeats]);
  }

  /** A clean shutdown: finish and commit the current records, then leave. */
  async close(): Promise<void> {
    await this.#rebalancing;
    await this.#stopAll();
    this.#alive = false;
    if (this.memberId) await call(this.#o.url, "DELETE", `/v1/groups/${this.#o.group}/members/${this.memberId}`);
    await this.#heartbeats;
  }

  /** The partitions of `topic` this member consumes now. */
  partitions(topic: string): number[] {
    return this.assignment.find((a) => a.topic === topic)?.partitions ?? [];
  }

  async #join(): Promise<void> {
    for (;;) {
      const body = {
        topics: this.#o.topics,
        clientId: this.name,
        ...(this.#o.sessionTimeoutMs ? { sessionTimeoutMs: this.#o.sessionTimeoutMs } : {}),
        ...(this.#o.assignor ? { assignor: this.#o.assignor } : {}),
        ...(this.memberId ? { memberId: this.memberId } : {}),
      };
      const res = await call<JoinGroupResponse & ErrorAnswer>(this.#o.url, "POST", `/v1/groups/${this.#o.group}/members`, body);
      if (!this.#alive) return;
      if (res.status === 200) {
        Object.assign(this, { memberId: res.body.memberId, generation: res.body.generation, assignment: res.body.assignment });
        this.#intervalMs = res.body.heartbeatIntervalMs;
        this.joins++;
        await this.#startRuns();
        return;
      }
      const code = res.body.error?.code ?? String(res.status);
      this.refusals.push({ code, during: "join" });
      if (code !== "UNKNOWN_MEMBER_ID") throw new Error(`join refused: ${res.status} ${JSON.stringify(res.body)}`);
      this.memberId = null;
    }
  }

  async #heartbeatLoop(): Promise<void> {
    while (this.#alive) {
      await sleep(this.#intervalMs);
      await this.#gate;
      await this.#rebalancing;
      const memberId = this.memberId;
      if (!this.#alive || !memberId) return;
      try {
        const res = await call<ErrorAnswer>(this.#o.url, "POST", `/v1/groups/${this.#o.group}/members/${memberId}/heartbeat`, {
          generation: this.generation,
        });
        // A crash, or a rejoin that happened meanwhile, makes this answer moot.
        if (!this.#alive || memberId !== this.memberId || res.status === 200) continue;
        const code = res.body.error?.code ?? String(res.status);
        this.refusals.push({ code, during: "heartbeat" });
        await this.#rebalance(code === "UNKNOWN_MEMBER_ID");
      } catch (err) {
        this.errors.push(err);
      }
    }
  }

  /** Eager: stop every partition (each commits what it processed), then rejoin, fresh if the group forgot us. */
  #rebalance(fresh: boolean): Promise<void> {
    this.#rebalancing ??= (async () => {
      await this.#stopAll();
      if (fresh) this.memberId = null;
      await this.#join();
    })()
      .catch((err) => void this.errors.push(err))
      .finally(() => (this.#rebalancing = null));
    return this.#rebalancing;
  }

  async #stopAll(): Promise<void> {
    const runs = [...this.#runs.values()];
    for (const run of runs) run.stopped = true;
    await Promise.all(runs.map((r) => r.done));
    this.#runs.clear();
  }

  async #startRuns(): Promise<void> {
    const res = await call<GroupOffsets>(this.#o.url, "GET", `/v1/groups/${this.#o.group}/offsets`);
    if (res.status !== 200) throw new Error(`reading offsets: ${res.status} ${JSON.stringify(res.body)}`);
    const committed = new Map(res.body.offsets.map((o) => [`${o.topic}/${o.partition}`, o.offset]));
    for (const { topic, partitions } of this.assignment) {
      for (const partition of partitions) {
        const run: Run = { topic, partition, memberId: this.memberId!, generation: this.generation, stopped: false, done: Promise.resolve() };
        run.done = this.#consume(run, committed.get(`${topic}/${partition}`) ?? "earliest").catch((err) => void this.errors.push(err));
        this.#runs.set(`${topic}/${partition}`, run);
      }
    }
  }

  async #consume(run: Run, from: number | "earliest"): Promise<void> {
    let position = from;
    const { url, maxRecords = 50, waitMs = 200 } = this.#o;
    while (!run.stopped && this.#alive) {
      await this.#gate;
      const path = `/v1/topics/${run.topic}/partitions/${run.partition}/records?offset=${position}&maxRecords=${maxRecords}&waitMs=${waitMs}`;
      const res = await call<FetchResponse>(url, "GET", path);
      if (!this.#alive) return;
      if (res.status !== 200) throw new Error(`fetch ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      let next: number | null = null;
      for (const record of res.body.records) {
        await this.#gate;
        if (!this.#alive) return;
        const delivery = { consumer: this.name, topic: run.topic, partition: run.partition, record };
        await this.#o.process?.(delivery);
        this.delivered.push(delivery);
        next = record.offset + 1;
        if (run.stopped) break;
      }
      if (next === null) {
        position = res.body.nextOffset;
        continue;
      }
      await this.#gate;
      if (!this.#alive || !(await this.#commit(run, next))) return;
      position = next;
    }
  }

  /** Commits under the membership the partition was assigned in; false when the bus refused (fenced). */
  async #commit(run: Run, offset: number): Promise<boolean> {
    const res = await call<ErrorAnswer>(this.#o.url, "POST", `/v1/groups/${this.#o.group}/offsets`, {
      memberId: run.memberId,
      generation: run.generation,
      offsets: [{ topic: run.topic, partition: run.partition, offset }],
    });
    if (res.status === 200) {
      this.commits.push({ topic: run.topic, partition: run.partition, offset, generation: run.generation });
      return true;
    }
    const code = res.body.error?.code ?? String(res.status);
    this.refusals.push({ code, during: "commit" });
    // This partition is no longer ours; let the rebalance start once this run has ended.
    if (this.#alive) setTimeout(() => void this.#rebalance(code === "UNKNOWN_MEMBER_ID"), 0);
    return false;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it answers true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** The group as GET /v1/groups/:group describes it. */
export async function describeGroup(url: string, group: string): Promise<GroupDescription> {
  const res = await call<GroupDescription>(url, "GET", `/v1/groups/${group}`);
  if (res.status !== 200) throw new Error(`describing ${group}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
