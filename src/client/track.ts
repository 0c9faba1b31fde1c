/**
 * @module
 * Activity tracking in one line: `track("signup", { plan: "pro" })` sends an
 * event with the context an analytics pipeline expects — when, on which
 * page, from where, in which session, by which (anonymous) visitor — keyed
 * by the visitor so each visitor's events stay in order on one partition.
 */

import type { JsonValue } from "../protocol/types.ts";
import type { OutboxStore } from "./outbox/types.ts";
import type { Producer, SendReceipt } from "./producer.ts";

export interface TrackerOptions {
  topic: string;
  /** Extra context merged into every event (app version, user id once known...). */
  context?: () => Record<string, JsonValue>;
}

/** The value of a tracked event. */
export interface TrackedEvent {
  event: string;
  properties: Record<string, JsonValue>;
  timestamp: number;
  url: string | null;
  referrer: string | null;
  /** Per browser tab session (sessionStorage), or per process. */
  sessionId: string;
  /** Per browser profile and outbox (stored), stable across sessions. */
  anonymousId: string;
  [context: string]: JsonValue;
}

export type Track = (event: string, properties?: Record<string, JsonValue>) => Promise<SendReceipt>;

const ANONYMOUS_ID = "anonymousId";
const SESSION_KEY = "edgelog:sessionId";

export function createTracker(producer: Producer, store: Promise<OutboxStore>, options: TrackerOptions): Track {
  let anonymousId: Promise<string> | undefined;
  const sessionId = currentSession();
  return async (event, properties = {}) => {
    anonymousId ??= loadAnonymousId(store);
    const timestamp = Date.now();
    const value: TrackedEvent = {
      ...options.context?.(),
      event,
      properties,
      timestamp,
      url: typeof location === "undefined" ? null : location.href,
      referrer: typeof document === "undefined" ? null : document.referrer || null,
      sessionId,
      anonymousId: await anonymousId,
    };
    return producer.send({ key: value.anonymousId, value, timestamp });
  };
}

async function loadAnonymousId(store: Promise<OutboxStore>): Promise<string> {
  const outbox = await store;
  const known = await outbox.getMeta(ANONYMOUS_ID);
  if (typeof known === "string") return known;
  const id = crypto.randomUUID();
  await outbox.setMeta(ANONYMOUS_ID, id);
  return id;
}

function currentSession(): string {
  try {
    const known = sessionStorage.getItem(SESSION_KEY);
    if (known) return known;
    const id = crypto.randomUUID();
    sessionStorage.setItem(SESSION_KEY, id);
    return id;
  } catch {
    return crypto.randomUUID(); // no sessionStorage (Node, a worker, blocked storage)
  }
}
