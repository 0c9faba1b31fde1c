/**
 * @module
 * Helpers for tests that call the worker inside workerd, in-process.
 */

import { runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";

const BASE = "http://edgelog.test";

export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

export function sendJson(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

let counter = 0;
/** A topic name no other test uses (the isolate's metadata cache outlives a test). */
export function uniqueTopic(prefix = "t"): string {
  return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

export async function createTopic(name: string, config: Record<string, unknown> = {}): Promise<void> {
  const res = await sendJson("PUT", `/v1/topics/${name}`, config);
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${await res.text()}`);
}

export async function fetchAll(topic: string, partition: number): Promise<{ records: any[]; highWatermark: number }> {
  const res = await call(`/v1/topics/${topic}/partitions/${partition}/records?offset=earliest&maxRecords=10000`);
  if (res.status !== 200) throw new Error(`fetch ${topic}/${partition}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A Durable Object's own tables (SQLite's and the platform's are not its state): none when it stored nothing. */
export function storedTables(stub: DurableObjectStub): Promise<string[]> {
  return runInDurableObject(stub, (_, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
      .toArray()
      .map((r) => r.name),
  );
}
