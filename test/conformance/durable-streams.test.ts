/**
 * The Durable Streams server conformance suite, as published by the
 * protocol's authors (@durable-streams/server-conformance-tests), against a
 * real local bus, including the opt-in subscription tests.
 */

import { runConformanceTests } from "@durable-streams/server-conformance-tests";
import { inject } from "vitest";
import { LONG_POLL_MS } from "./global-bus.ts";

// The suite gives each long-poll test this long plus a second; the bus
// answers an idle long-poll after LONG_POLL_MS. The slack is for a machine
// busy with the other test projects (npm test runs them side by side).
runConformanceTests({ baseUrl: inject("busUrl"), longPollTimeoutMs: LONG_POLL_MS * 5, subscriptions: true });
