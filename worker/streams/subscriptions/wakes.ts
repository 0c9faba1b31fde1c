/**
 * @module
 * Waking a subscription's consumer. When a stream it follows has data past
 * what the consumer acknowledged, a wake is raised (a new generation and
 * wake id, the streams' tails frozen in a snapshot): a webhook is POSTed,
 * signed, to the subscription's URL; a pull-wake subscription gets an event
 * appended to its wake stream for a worker to claim. The consumer then acks
 * offsets with the token it was given and says when it is done; a newer
 * generation fences an older one. A wake nobody finishes within its lease
 * is given up, and raised again while work is pending.
 */

import { failure, type Failure } from "../../../src/protocol/errors.ts";
import { streamTopicId } from "../../durable/partition-leader/stream-rpc.ts";
import { leaderStub } from "../../leaders.ts";
import { bytesBody, jsonBody, modeOf } from "../content.ts";
import { parseOffset } from "../offsets.ts";
import type { Ack } from "./input.ts";
import type { Signer } from "./signing.ts";
import type { SubscriptionStore, Subscription } from "./store.ts";
import { actionUrl, streamInfos } from "./view.ts";

/** Callback tokens outlive any lease: the wake's generation is what fences a consumer. */
const TOKEN_TTL_MS = 3_600_000;
const MAX_RETRY_DELAY_MS = 60_000;

interface WakeHost {
  env: Env;
  store: SubscriptionStore;
  signer(): Promise<Signer>;
  /** Runs work after the current call answers (webhook deliveries). */
  background(work: Promise<unknown>): void;
  /** The alarm must run by `at`. */
  alarmBy(at: number): void;
}

export class Wakes {
  readonly #h: WakeHost;

  constructor(host: WakeHost) {
    this.#h = host;
  }

  pending(id: string): boolean {
    return this.#h.store.links(id).some((l) => l.tail > l.acked);
  }

  /** Raises a wake when there is work and none is running. */
  async maybeWake(s: Subscription, stream: string): Promise<void> {
    if (s.wakeId !== null || s.holder !== null || !this.pending(s.id)) return;
    await this.raise(s, stream);
  }

  async raise(s: Subscription, stream: string): Promise<void> {
    s.generation++;
    s.wakeId = `w_${hex(12)}`;
    this.#h.store.snapshot(s.id, true);
    if (s.type === "webhook") {
      this.#lease(s);
      this.#h.store.put(s);
      this.#h.background(this.deliver(s.id));
      return;
    }
    this.#h.store.put(s);
    await this.#wakeEvent(s, stream);
  }

  /** POSTs the current wake to the webhook; a `{ "done": true }` answer finishes it at once. */
  async deliver(id: string): Promise<void> {
    const s = this.#h.store.get(id);
    if (!s || s.wakeId === null || s.webhookUrl === null) return;
    const signer = await this.#h.signer();
    const body = JSON.stringify({
      subscription_id: s.id,
      wake_id: s.wakeId,
      generation: s.generation,
      streams: streamInfos(this.#h.store.links(id)),
      callback_url: actionUrl(s, "callback"),
      callback_token: await signer.token(s.id, s.generation, TOKEN_TTL_MS),
    });
    let done = false;
    try {
      const res = await fetch(s.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-signature": await signer.webhookSignature(body) },
        body,
      });
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      const answer = (await res.json().catch(() => null)) as { done?: unknown } | null;
      done = answer?.done === true;
    } catch (err) {
      return this.#retry(id, s.generation, err);
    }
    const now = this.#h.store.get(id);
    if (!now || now.generation !== s.generation) return;
    now.status = "active";
    now.retryCount = 0;
    now.nextAttemptAt = null;
    if (done) {
      // Done at once: everything the wake was raised for is acknowledged.
      for (const l of this.#h.store.links(id)) if (l.snapshot !== null && l.snapshot > l.acked) this.#h.store.ack(id, l.path, l.snapshot);
      await this.finish(now);
    } else {
      this.#h.store.put(now);
    }
  }

  /** Ends the current wake; raises the next one when work is pending. Whether it did. */
  async finish(s: Subscription): Promise<boolean> {
    s.wakeId = null;
    s.holder = null;
    s.leaseUntil = null;
    this.#h.store.snapshot(s.id, false);
    this.#h.store.put(s);
    const next = this.#h.store.links(s.id).find((l) => l.tail > l.acked);
    if (!next) return false;
    await this.raise(s, next.path);
    return true;
  }

  /** A consumer's token and wake, checked: 401 for a bad token, 409 FENCED for an older wake. */
  async check(s: Subscription, token: string | null, req: Ack): Promise<Failure | null> {
    if (token === null) return failure("UNAUTHORIZED", "send the wake's token as Authorization: Bearer <token>");
    const verified = await (await this.#h.signer()).verifyToken(s.id, token);
    if ("problem" in verified) return failure("UNAUTHORIZED", verified.problem === "expired" ? "the token has expired" : "the token is not valid");
    if (verified.generation !== s.generation || req.generation !== s.generation || req.wake_id !== s.wakeId) {
      return failure("FENCED", "this wake is over: a newer one (or none) is current", { generation: s.generation });
    }
    return null;
  }

  /** Applies a consumer's acks, all or none. */
  applyAcks(s: Subscription, acks: Ack["acks"]): Failure | null {
    if (!acks) return null;
    const links = new Map(this.#h.store.links(s.id).map((l) => [l.path, l]));
    const moves: [string, number][] = [];
    for (const a of acks) {
      const path = (a.stream ?? a.path ?? "").replace(/^\/+|\/+$/g, "");
      const link = links.get(path);
      const offset = parseOffset(a.offset);
      if (!link) return failure("INVALID_OFFSET", `'${path}' is not a stream of this subscription`);
      if (typeof offset !== "number") return failure("INVALID_OFFSET", `ack an offset this server returned, not '${a.offset}'`);
      if (offset < link.acked) return failure("INVALID_OFFSET", `acking ${a.offset} would move '${path}' backwards`);
      if (offset > link.tail) return failure("INVALID_OFFSET", `${a.offset} is past the tail of '${path}'`);
      moves.push([path, offset]);
    }
    for (const [path, offset] of moves) this.#h.store.ack(s.id, path, offset);
    return null;
  }

  /** A token for the current wake (a claim). */
  async token(s: Subscription): Promise<string> {
    return (await this.#h.signer()).token(s.id, s.generation, TOKEN_TTL_MS);
  }

  /** Holds the wake for another lease period (a consumer showed signs of life). */
  extend(s: Subscription): void {
    this.#lease(s);
    this.#h.store.put(s);
  }

  #lease(s: Subscription): void {
    s.leaseUntil = Date.now() + s.leaseTtlMs;
    this.#h.alarmBy(s.leaseUntil);
  }

  #retry(id: string, generation: number, err: unknown): void {
    const s = this.#h.store.get(id);
    if (!s || s.generation !== generation) return;
    console.error(`webhook of subscription ${id} failed`, err);
    s.retryCount++;
    const base = Math.min(1000 * 2 ** (s.retryCount - 1), MAX_RETRY_DELAY_MS);
    s.status = "failed";
    s.nextAttemptAt = Date.now() + Math.round(base * (0.8 + Math.random() * 0.4));
    this.#h.store.put(s);
    this.#h.alarmBy(s.nextAttemptAt);
  }

  /** Appends the wake to the pull-wake subscription's wake stream, in the stream's own format. */
  async #wakeEvent(s: Subscription, stream: string): Promise<void> {
    if (s.wakeStream === null) return;
    const leader = leaderStub(this.#h.env, streamTopicId(s.wakeStream), 0);
    const head = await leader.streamHead();
    if (!head.ok) return console.error(`wake stream '${s.wakeStream}' of subscription ${s.id}: ${head.error.message}`);
    const event = { type: "wake", subscription_id: s.id, stream, generation: s.generation, ts: Date.now() };
    const body = modeOf(head.info.contentType) === "json" ? jsonBody(event) : bytesBody(new TextEncoder().encode(JSON.stringify(event)));
    const r = await leader.streamAppend({ contentType: null, bodies: [body], close: false });
    if (!r.ok) console.error(`wake stream '${s.wakeStream}' of subscription ${s.id}: ${r.error.message}`);
  }
}

function hex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
