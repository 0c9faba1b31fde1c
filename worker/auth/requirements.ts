/**
 * @module
 * Which grant each request needs, from its method and path alone, so the
 * routes themselves know nothing of authorization. Families are covered by
 * default: an unlisted method or sub-path under a topic or group needs
 * `admin` on that name, so a route added later is closed until it is listed
 * here (test/worker/auth-matrix.test.ts sends every route every fault).
 */

import type { Action } from "./grants.ts";

export type Resource = "topic" | "group" | "stream" | "cluster";

/** One grant; `name` is undefined for the whole cluster. */
export interface Grant {
  action: Action;
  resource: Resource;
  name?: string;
}

export type Requirement =
  /** No token needed. */
  | { kind: "public" }
  /** Any one of `anyOf` suffices. */
  | { kind: "grant"; anyOf: readonly Grant[]; rateLimit?: "produce" | "fetch"; bodyTopics?: BodyTopics }
  /** Not an API route: the router answers (404). */
  | { kind: "unrouted" };

/** Topics named in a JSON body that also need `consume` (a group member's topics). */
export type BodyTopics = "join" | "commit" | "reset";

const PUBLIC: Requirement = { kind: "public" };
const UNROUTED: Requirement = { kind: "unrouted" };

const grant = (action: Action, resource: Resource, name?: string): Grant => ({ action, resource, ...(name !== undefined ? { name } : {}) });
const one = (action: Action, resource: Resource, name?: string, extra: Partial<Extract<Requirement, { kind: "grant" }>> = {}): Requirement => ({
  kind: "grant",
  anyOf: [grant(action, resource, name)],
  ...extra,
});

export function requirementFor(method: string, pathname: string): Requirement {
  const m = method === "HEAD" ? "GET" : method;
  const parts = pathname.split("/").slice(1);
  if (parts[0] !== "v1") return UNROUTED;
  const [, family, rawName, ...rest] = parts;
  if (parts.length === 2 && (family === "health" || family === "openapi.json")) return PUBLIC;
  if (family === "_bench") return one("admin", "cluster");
  if (family === "topics") return topicRequirement(m, rawName, rest);
  if (family === "groups") return groupRequirement(m, rawName, rest);
  if (family === "stream") return streamRequirement(m, parts.slice(2).join("/"));
  return UNROUTED;
}

function topicRequirement(m: string, rawName: string | undefined, rest: string[]): Requirement {
  if (rawName === undefined || rawName === "") return one("admin", "cluster");
  const topic = decodeName(rawName);
  if (rest.length === 0) {
    // A producer needs the partition count to partition by key.
    if (m === "GET") return { kind: "grant", anyOf: [grant("consume", "topic", topic), grant("produce", "topic", topic), grant("admin", "topic", topic)] };
    return one("admin", "topic", topic);
  }
  const isRecords = rest.at(-1) === "records" && (rest.length === 1 || (rest.length === 3 && rest[0] === "partitions"));
  if (isRecords) {
    if (m === "POST") return one("produce", "topic", topic, { rateLimit: "produce" });
    if (m === "GET") return one("consume", "topic", topic, { rateLimit: "fetch" });
  }
  return one("admin", "topic", topic);
}

function groupRequirement(m: string, rawName: string | undefined, rest: string[]): Requirement {
  if (rawName === undefined || rawName === "") return one("admin", "cluster");
  const group = decodeName(rawName);
  const path = rest.join("/");
  if (path === "") return m === "GET" ? one("groups", "group", group) : one("admin", "group", group);
  if (path === "members" && m === "POST") return one("groups", "group", group, { bodyTopics: "join" });
  if (/^members\/[^/]+(\/heartbeat)?$/.test(path) && (m === "POST" || m === "DELETE")) return one("groups", "group", group);
  if (path === "offsets" && m === "POST") return one("groups", "group", group, { bodyTopics: "commit" });
  if (path === "offsets" && m === "GET") return one("groups", "group", group);
  if (path === "offsets/reset" && m === "POST") return one("groups", "group", group, { bodyTopics: "reset" });
  return one("admin", "group", group);
}

/**
 * The Durable Streams face. A stream is named like a topic, by its path
 * (grants match it as a name: `chat/*` covers `chat/room-1`): writing
 * (PUT creates, POST appends or closes) needs `produce`, reading `consume`,
 * DELETE `admin`. `topics/<topic>/<p>` reads a topic partition, so it needs
 * what reading that partition needs. The reserved `__ds/` APIs manage
 * subscriptions across streams (`admin` on everything), except the JWKS
 * their webhooks are signed with and the calls a woken consumer makes with
 * the token it was given (public here: the routes check those tokens).
 */
function streamRequirement(m: string, rawName: string): Requirement {
  const name = decodeName(rawName);
  if (name.startsWith("__ds/")) {
    if (name === "__ds/jwks.json" || /^__ds\/subscriptions\/[^/]+\/(callback|ack|release)$/.test(name)) return PUBLIC;
    return one("admin", "cluster");
  }
  const topic = /^topics\/([^/]+)\/[^/]+$/.exec(name);
  if (topic) return m === "GET" ? one("consume", "topic", topic[1]!, { rateLimit: "fetch" }) : one("admin", "topic", topic[1]!);
  if (m === "POST" || m === "PUT") return one("produce", "stream", name, { rateLimit: "produce" });
  if (m === "GET") return one("consume", "stream", name, { rateLimit: "fetch" });
  return one("admin", "stream", name);
}

/** Percent-decoded as the router will see it; a name that does not decode is matched raw (and then refused by validation). */
function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
