/**
 * @module
 * Vitest global setup for the conformance project: one local bus (the
 * Miniflare engine `npm start` runs) with the face's long-poll shortened to
 * the second the suite expects, and rate limits off (the suite sends
 * thousands of requests from one address).
 */

import type { TestProject } from "vitest/node";
import { startBus } from "../support/bus.ts";

export const LONG_POLL_MS = 1_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bus = await startBus({ engine: "local", vars: { EDGELOG_STREAM_LONG_POLL_MS: String(LONG_POLL_MS), EDGELOG_RATE_LIMITS: "off" } });
  project.provide("busUrl", bus.url);
  return () => bus.dispose();
}
