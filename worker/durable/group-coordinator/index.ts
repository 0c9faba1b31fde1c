/**
 * @module
 * GroupCoordinator: the Durable Object that runs one consumer group, found
 * by the group's name from any edge. It keeps the members and their
 * sessions (expired by alarm), assigns partitions on the server, fences
 * heartbeats and commits by member id and generation, and stores committed
 * offsets. The rebalance rules are in model.ts.
 *
 * Each method reads the group only after its last await (metadata lookups
 * and the registry let other requests in), then changes it in one
 * synchronous transaction.
 *
 * A group is stored from its creation (its first join, commit or reset)
 * until it is deleted. A request about a group that does not exist is
 * refused without writing anything, not even the schema (store.ts).
 */

import { DurableObject } from "cloudflare:workers";
import { failure, type Failure } from "../../../src/protocol/errors.ts";
import { toWire } from "../../groups/assignment.ts";
import { DEFAULT_ASSIGNOR, METADATA_CHECK_MS, heartbeatIntervalMs } from "../../groups/limits.ts";
import { registryStub } from "../../groups/stubs.ts";
import { applyMetadata, expire, grant, groupState, owns, pendingReleased, rebalance, type Group, type TopicMeta } from "./model.ts";
import { describeMember, illegalGeneration, newMember, notFound, rebalancing, subscribed, unknownMember } from "./replies.ts";
import type { CommitRequest, DescribeResult, DoneResult, HeartbeatResult, JoinRequest, JoinResult, MemberRequest, OffsetsResult, ResetRequest, StoredOffset } from "./rpc.ts";
import { armSessionAlarm } from "./session-alarm.ts";
import { GroupStore } from "./store.ts";
import { lookupTopics } from "./topic-lookup.ts";

export class GroupCoordinator extends DurableObject<Env> {
  readonly #store: GroupStore;
  #group: Group;
  /** When metadata was last looked up; in memory only, so a restarted coordinator looks at once. */
  #metadataCheckedAt = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new GroupStore(ctx.storage);
    this.#group = this.#store.load();
  }

  /** Adds a member, or rejoins one into the current generation; answers its assignment. */
  async join(req: JoinRequest): Promise<JoinResult> {
    const topics = [...new Set(req.topics)].sort();
    let fresh: Map<string, TopicMeta | null>;
    try {
      fresh = await lookupTopics(this.env, new Set([...topics, ...subscribed(this.#group)]));
    } catch {
      return failure("UNAVAILABLE", "topic metadata could not be read; retry");
    }
    const missing = topics.find((t) => !fresh.get(t));
    if (missing) return failure("UNKNOWN_TOPIC_OR_PARTITION", `topic '${missing}' does not exist`);
    // A group that does not exist has no members: refuse before creating it.
    if (this.#group.createdAt === null && req.memberId !== undefined) return unknownMember(req.group, req.memberId);
    const unregistered = await this.#register(req.group);
    if (unregistered) return unregistered;
    const result = this.#change((g, now): JoinResult => {
      this.#expireDue(g, now);
      const existing = req.memberId === undefined ? undefined : g.members.get(req.memberId);
      if (req.memberId !== undefined && !existing) return unknownMember(req.group, req.memberId);
      const assignor = req.assignor ?? g.assignor ?? DEFAULT_ASSIGNOR;
      const others = [...g.members.keys()].some((id) => id !== req.memberId);
      if (others && g.assignor !== null && assignor !== g.assignor) {
        return failure("INCONSISTENT_GROUP_PROTOCOL", `group '${req.group}' uses the ${g.assignor} assignor, not ${assignor}`);
      }
      let changed = g.assignor !== assignor;
      g.assignor = assignor;
      const member = existing ?? newMember(req, now);
      if (!existing) g.members.set(member.memberId, member);
      changed ||= !existing || member.topics.join() !== topics.join();
      member.topics = topics;
      member.clientId = req.clientId ?? member.clientId;
      member.sessionTimeoutMs = req.sessionTimeoutMs ?? member.sessionTimeoutMs;
      member.lastHeartbeatAt = now;
      member.deadline = now + member.sessionTimeoutMs;
      changed = applyMetadata(g, fresh) || changed;
      if (changed) rebalance(g);
      const { assignment, pending } = grant(g, member);
      if (changed) this.#store.saveAll(g);
      else this.#store.saveMember(member);
      return {
        ok: true,
        memberId: member.memberId,
        generation: g.generation,
        assignor,
        assignment: toWire(assignment),
        pending: toWire(pending),
        sessionTimeoutMs: member.sessionTimeoutMs,
        heartbeatIntervalMs: heartbeatIntervalMs(member.sessionTimeoutMs),
      };
    });
    this.#metadataCheckedAt = Date.now();
    await armSessionAlarm(this.ctx.storage, this.#group);
    return result;
  }

  /**
   * Keeps a member's session alive, or tells it to rejoin. A member behind
   * the group's generation is not kept alive: it must rejoin within its
   * session, so a member that never does cannot hold partitions forever.
   */
  async heartbeat(req: MemberRequest & { generation: number }): Promise<HeartbeatResult> {
    let fresh: Map<string, TopicMeta | null> | null = null;
    if (Date.now() - this.#metadataCheckedAt >= METADATA_CHECK_MS && this.#group.members.has(req.memberId)) {
      this.#metadataCheckedAt = Date.now();
      // A catalog hiccup must not fail heartbeats: the next check will see the change.
      fresh = await lookupTopics(this.env, subscribed(this.#group)).catch(() => null);
    }
    const result = this.#change((g, now): HeartbeatResult => {
      this.#expireDue(g, now);
      const m = g.members.get(req.memberId);
      if (!m) return unknownMember(req.group, req.memberId);
      if (fresh && applyMetadata(g, fresh)) {
        rebalance(g);
        this.#store.saveAll(g);
      }
      if (req.generation !== m.generation) return illegalGeneration(g, `member '${m.memberId}' is in generation ${m.generation}, not ${req.generation}`);
      if (m.generation < g.generation) return rebalancing(g, `group '${req.group}' is rebalancing to generation ${g.generation}: rejoin`);
      m.lastHeartbeatAt = now;
      m.deadline = now + m.sessionTimeoutMs;
      this.#store.saveMember(m);
      if (pendingReleased(g, m)) return rebalancing(g, "partitions assigned to this member have been released: rejoin to take them");
      return { ok: true, generation: m.generation };
    });
    await armSessionAlarm(this.ctx.storage, this.#group);
    return result;
  }

  async leave(req: MemberRequest): Promise<DoneResult> {
    const result = this.#change((g, now): DoneResult => {
      this.#expireDue(g, now);
      const m = g.members.get(req.memberId);
      if (!m) return unknownMember(req.group, req.memberId);
      g.members.delete(m.memberId);
      rebalance(g);
      this.#store.saveAll(g, [m]);
      return { ok: true };
    });
    await armSessionAlarm(this.ctx.storage, this.#group);
    return result;
  }

  /**
   * Commits offsets for partitions the member owns, in the generation it
   * last joined. A member that has not rejoined after a rebalance may still
   * commit what it owns: no one else is given those partitions until it lets
   * go or expires (Kafka allows commits while a rebalance is prepared, so a
   * consumer can commit what it processed before giving partitions up).
   */
  async commit(req: CommitRequest): Promise<OffsetsResult> {
    const result = this.#change((g, now): OffsetsResult => {
      this.#expireDue(g, now);
      const m = g.members.get(req.memberId);
      if (!m) return unknownMember(req.group, req.memberId);
      if (req.generation !== m.generation) return illegalGeneration(g, `member '${m.memberId}' is in generation ${m.generation}, not ${req.generation}`);
      const stored: StoredOffset[] = [];
      for (const o of req.offsets) {
        if (!owns(m, o.topic, o.partition)) {
          return illegalGeneration(g, `partition ${o.topic}/${o.partition} is not assigned to member '${m.memberId}' in generation ${m.generation}`);
        }
        const topic = g.topics.get(o.topic);
        if (!topic) return failure("UNKNOWN_TOPIC_OR_PARTITION", `topic '${o.topic}' no longer exists`);
        stored.push({ ...o, topicId: topic.topicId, metadata: o.metadata ?? null, committedAt: now });
      }
      for (const o of stored) this.#store.putOffset(o);
      return { ok: true, offsets: stored };
    });
    await armSessionAlarm(this.ctx.storage, this.#group);
    return result;
  }

  offsets(req: { group: string; topic?: string }): OffsetsResult {
    if (this.#group.createdAt === null) return notFound(req.group);
    return { ok: true, offsets: this.#store.offsets(req.topic) };
  }

  /** Sets committed offsets by hand; only while the group has no members, as in Kafka. */
  async resetOffsets(req: ResetRequest): Promise<OffsetsResult> {
    const unregistered = await this.#register(req.group);
    if (unregistered) return unregistered;
    const result = this.#change((g, now): OffsetsResult => {
      this.#expireDue(g, now);
      if (g.members.size > 0) {
        return failure("NON_EMPTY_GROUP", `group '${req.group}' has ${g.members.size} member(s): offsets can only be reset while it has none`);
      }
      const stored = req.offsets.map(
        (o): StoredOffset => ({ topic: req.topic, partition: o.partition, topicId: req.topicId, offset: o.offset, metadata: null, committedAt: now }),
      );
      for (const o of stored) this.#store.putOffset(o);
      return { ok: true, offsets: stored };
    });
    await armSessionAlarm(this.ctx.storage, this.#group);
    return result;
  }

  async describe(req: { group: string }): Promise<DescribeResult> {
    const result = this.#change((g, now): DescribeResult => {
      this.#expireDue(g, now);
      if (g.createdAt === null) return notFound(req.group);
      const members = [...g.members.values()].sort((a, b) => (a.memberId < b.memberId ? -1 : 1)).map(describeMember);
      return { ok: true, group: req.group, state: groupState(g), generation: g.generation, assignor: g.assignor, members, offsets: this.#store.offsets() };
    });
    await armSessionAlarm(this.ctx.storage, this.#group);
    return result;
  }

  /** Deletes an empty group: its offsets and its place in the registry. */
  async remove(req: { group: string }): Promise<DoneResult> {
    // No join may slip in between the check and the deletion.
    return this.ctx.blockConcurrencyWhile(async (): Promise<DoneResult> => {
      const refused = this.#change((g, now): Failure | null => {
        this.#expireDue(g, now);
        if (g.createdAt === null) return notFound(req.group);
        if (g.members.size > 0) return failure("NON_EMPTY_GROUP", `group '${req.group}' has ${g.members.size} member(s): only an empty group can be deleted`);
        return null;
      });
      if (refused) return refused;
      try {
        await registryStub(this.env).remove(req.group);
      } catch {
        return failure("UNAVAILABLE", "the group registry could not be reached; retry");
      }
      this.#change(() => this.#store.clear());
      this.#group = this.#store.load();
      await this.ctx.storage.deleteAlarm();
      return { ok: true };
    });
  }

  /** Expires members whose session ended. Alarms may run twice or late: expiry is by deadline, so that is harmless. */
  override async alarm(): Promise<void> {
    this.#change((g, now) => this.#expireDue(g, now));
    await armSessionAlarm(this.ctx.storage, this.#group, true);
  }

  /** Runs `fn` on the group in one transaction; if it throws, memory is reloaded from what is stored. */
  #change<T>(fn: (group: Group, now: number) => T): T {
    try {
      return this.ctx.storage.transactionSync(() => fn(this.#group, Date.now()));
    } catch (err) {
      this.#group = this.#store.load();
      throw err;
    }
  }

  #expireDue(g: Group, now: number): void {
    const gone = expire(g, now);
    if (gone.length === 0) return;
    rebalance(g);
    this.#store.saveAll(g, gone);
  }

  /** Enters the group in the registry once, before its first state is stored. */
  async #register(group: string): Promise<Failure | null> {
    if (this.#group.createdAt !== null) return null;
    return this.ctx.blockConcurrencyWhile(async () => {
      if (this.#group.createdAt !== null) return null;
      const createdAt = Date.now();
      let added: { ok: true } | Failure;
      try {
        added = await registryStub(this.env).add(group, createdAt);
      } catch {
        return failure("UNAVAILABLE", "the group registry could not be reached; retry");
      }
      // The registry is full: the group is not created and nothing of it is stored.
      if (!added.ok) return added;
      this.#change((g) => {
        g.createdAt = createdAt;
        this.#store.saveMeta(g);
      });
      return null;
    });
  }
}
