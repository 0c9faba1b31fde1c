/**
 * @module
 * StreamSubscriptions: the Durable Object behind the protocol's reserved
 * subscription API (`/v1/stream/__ds/…`). One per bus: it holds every
 * subscription, the streams each follows and what its consumer has
 * acknowledged, raises wakes (wakes.ts), and owns the signing keys. Appends
 * reach it only for streams some subscription follows (notify.ts keeps the
 * worker's copy of who follows what), so streams nobody subscribes to pay
 * nothing. Expected outcomes come back as typed results.
 */

import { DurableObject } from "cloudflare:workers";
import { failure, type Failure } from "../../../src/protocol/errors.ts";
import { streamTopicId } from "../../durable/partition-leader/stream-rpc.ts";
import { migrate } from "../../durable/migrations.ts";
import { leaderStub } from "../../leaders.ts";
import { globMatch } from "./glob.ts";
import type { Ack, SubscriptionInput } from "./input.ts";
import { Signer, newKeys } from "./signing.ts";
import { SUBSCRIPTION_MIGRATIONS, SubscriptionStore, type Subscription } from "./store.ts";
import { streamInfos, subscriptionView, type StreamInfo } from "./view.ts";
import { Wakes } from "./wakes.ts";
import { webhookUrlProblem } from "./webhook-url.ts";

export interface IndexEntry {
  id: string;
  pattern: string | null;
  streams: string[];
}

/** `view`: the subscription as JSON text (its shape is the wire's, view.ts). */
type ViewResult = { ok: true; created: boolean; view: string } | Failure;
type AckResult = { ok: true; nextWake: boolean } | Failure;
type ClaimResult = { ok: true; wakeId: string; generation: number; token: string; streams: StreamInfo[]; leaseTtlMs: number } | Failure;

export class StreamSubscriptions extends DurableObject<Env> {
  readonly #store: SubscriptionStore;
  readonly #wakes: Wakes;
  #signer: Promise<Signer> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage, SUBSCRIPTION_MIGRATIONS);
    this.#store = new SubscriptionStore(ctx.storage.sql);
    this.#wakes = new Wakes({
      env,
      store: this.#store,
      signer: () => this.#signerOnce(),
      background: (work) => ctx.waitUntil(work.catch((err) => console.error("subscription work failed", err))),
      alarmBy: (at) => void this.#alarmBy(at),
    });
  }

  /** Creates a subscription, or confirms one defined the same way (PUT is idempotent). */
  async create(id: string, input: SubscriptionInput, baseUrl: string): Promise<ViewResult> {
    const hash = JSON.stringify(input);
    const existing = this.#store.get(id);
    if (existing) {
      if (existing.configHash !== hash) return failure("SUBSCRIPTION_EXISTS", `subscription '${id}' exists with a different definition`);
      return { ok: true, created: false, view: await this.#view(existing) };
    }
    if (input.webhookUrl !== null) {
      const problem = webhookUrlProblem(input.webhookUrl);
      if (problem) return failure("WEBHOOK_URL_REJECTED", problem);
    }
    const s: Subscription = {
      id,
      type: input.type,
      pattern: input.pattern,
      webhookUrl: input.webhookUrl,
      wakeStream: input.wakeStream,
      leaseTtlMs: input.leaseTtlMs,
      description: input.description,
      configHash: hash,
      baseUrl,
      createdAt: Date.now(),
      status: "active",
      generation: 0,
      wakeId: null,
      holder: null,
      leaseUntil: null,
      retryCount: 0,
      nextAttemptAt: null,
    };
    this.#store.put(s);
    await this.#linkExplicit(s, input.streams);
    return { ok: true, created: true, view: await this.#view(s) };
  }

  async view(id: string): Promise<string | null> {
    const s = this.#store.get(id);
    return s ? this.#view(s) : null;
  }

  remove(id: string): void {
    this.#store.delete(id);
  }

  async addStreams(id: string, streams: string[]): Promise<boolean> {
    const s = this.#store.get(id);
    if (!s) return false;
    await this.#linkExplicit(s, streams);
    return true;
  }

  removeStream(id: string, stream: string): boolean {
    if (!this.#store.get(id)) return false;
    this.#store.unlinkExplicit(id, stream);
    return true;
  }

  /** Who follows what, for the workers' cache (notify.ts). */
  index(): IndexEntry[] {
    return this.#store.all().map((s) => ({ id: s.id, pattern: s.pattern, streams: this.#store.links(s.id).filter((l) => l.explicit).map((l) => l.path) }));
  }

  /** A stream now ends at `tail`: link it where a pattern matches, and wake whoever has work. */
  async appended(stream: string, tail: number): Promise<void> {
    const subs = this.#store.all();
    for (const s of subs) if (s.pattern !== null && globMatch(s.pattern, stream)) this.#store.link(s.id, stream, "glob", -1, tail);
    this.#store.tail(stream, tail);
    for (const s of subs) {
      if (this.#store.links(s.id).some((l) => l.path === stream)) await this.#wakes.maybeWake(s, stream);
    }
  }

  async jwks(): Promise<{ keys: JsonWebKey[] }> {
    return (await this.#signerOnce()).jwks();
  }

  /** A webhook consumer reports progress (and maybe that it is done). */
  callback(id: string, token: string | null, req: Ack): Promise<AckResult> {
    return this.#progress(id, token, req, "webhook");
  }

  /** A pull-wake worker reports progress (and maybe that it is done). */
  ack(id: string, token: string | null, req: Ack): Promise<AckResult> {
    return this.#progress(id, token, req, "pull-wake");
  }

  async claim(id: string, worker: string): Promise<ClaimResult> {
    const s = this.#store.get(id);
    if (!s) return notFound(id);
    if (s.type !== "pull-wake") return failure("INVALID_REQUEST", "only pull-wake subscriptions are claimed");
    if (s.holder !== null) {
      return failure("ALREADY_CLAIMED", `worker '${s.holder}' holds this subscription's wake`, { current_holder: s.holder, generation: s.generation });
    }
    const next = this.#store.links(id).find((l) => l.tail > l.acked);
    if (!next) return failure("NO_PENDING_WORK", "nothing to do: every stream is acknowledged up to its tail");
    if (s.wakeId === null) await this.#wakes.raise(s, next.path);
    s.holder = worker;
    this.#wakes.extend(s);
    return { ok: true, wakeId: s.wakeId!, generation: s.generation, token: await this.#wakes.token(s), streams: streamInfos(this.#store.links(id)), leaseTtlMs: s.leaseTtlMs };
  }

  /** A pull-wake worker gives its wake back unfinished. */
  async release(id: string, token: string | null, req: Ack): Promise<{ ok: true } | Failure> {
    const s = this.#store.get(id);
    if (!s) return notFound(id);
    if (s.type !== "pull-wake") return failure("INVALID_REQUEST", "only pull-wake wakes are released");
    const refused = await this.#wakes.check(s, token, req);
    if (refused) return refused;
    await this.#wakes.finish(s);
    return { ok: true };
  }

  /** Leases that ran out give their wake up; webhook deliveries that failed are retried. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const s of this.#store.all()) {
      if (s.wakeId !== null && s.leaseUntil !== null && s.leaseUntil <= now) await this.#wakes.finish(s);
      else if (s.nextAttemptAt !== null && s.nextAttemptAt <= now && s.wakeId !== null) await this.#wakes.deliver(s.id);
    }
    const due = this.#store.all().flatMap((s) => [s.leaseUntil, s.nextAttemptAt]).filter((t): t is number => t !== null);
    if (due.length > 0) await this.ctx.storage.setAlarm(Math.max(Date.now(), Math.min(...due)));
  }

  async #progress(id: string, token: string | null, req: Ack, type: Subscription["type"]): Promise<AckResult> {
    const s = this.#store.get(id);
    if (!s) return notFound(id);
    if (s.type !== type) return failure("INVALID_REQUEST", `this is a ${s.type} subscription`);
    const refused = (await this.#wakes.check(s, token, req)) ?? this.#wakes.applyAcks(s, req.acks);
    if (refused) return refused;
    if (req.done !== true) {
      this.#wakes.extend(s);
      return { ok: true, nextWake: false };
    }
    return { ok: true, nextWake: await this.#wakes.finish(s) };
  }

  /** Explicit streams start acknowledged at their tail: the consumer hears of what comes next. */
  async #linkExplicit(s: Subscription, streams: string[]): Promise<void> {
    for (const path of streams) {
      const head = await leaderStub(this.env, streamTopicId(path), 0).streamHead();
      const tail = head.ok ? head.info.tail : 0;
      this.#store.link(s.id, path, "explicit", tail, tail);
    }
  }

  async #view(s: Subscription): Promise<string> {
    return JSON.stringify(subscriptionView(s, this.#store.links(s.id), (await this.#signerOnce()).kid));
  }

  #signerOnce(): Promise<Signer> {
    this.#signer ??= (async () => {
      let keys = this.#store.keys();
      if (!keys) {
        keys = await newKeys();
        this.#store.saveKeys(keys);
      }
      return new Signer(keys);
    })();
    return this.#signer;
  }

  async #alarmBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }
}

function notFound(id: string): Failure {
  return failure("NOT_FOUND", `no subscription '${id}'`);
}
