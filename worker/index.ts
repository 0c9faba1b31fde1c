/**
 * @module
 * The worker's entry: the HTTP app and the Durable Object classes it binds.
 */

import { app } from "./app.ts";

export { BenchProbe } from "./bench/probe.ts";
export { GroupCoordinator } from "./durable/group-coordinator/index.ts";
export { GroupRegistry } from "./durable/group-coordinator/registry.ts";
export { LocalFront } from "./local-front.ts";
export { PartitionLeader } from "./durable/partition-leader/index.ts";
export { StreamSubscriptions } from "./streams/subscriptions/registry.ts";
export { TopicCatalog } from "./durable/topic-catalog/index.ts";

export default app satisfies ExportedHandler<Env>;
