/**
 * @module
 * How the worker reaches a group: one GroupCoordinator per group name, so
 * any edge finds it without sticky sessions, and the one GroupRegistry that
 * lists them.
 */

import type { GroupCoordinator } from "../durable/group-coordinator/index.ts";
import type { GroupRegistry } from "../durable/group-coordinator/registry.ts";

export function coordinatorStub(env: Env, group: string): DurableObjectStub<GroupCoordinator> {
  return env.GROUP_COORDINATOR.getByName(group);
}

export function registryStub(env: Env): DurableObjectStub<GroupRegistry> {
  return env.GROUP_REGISTRY.getByName("registry");
}
