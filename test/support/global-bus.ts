/**
 * @module
 * Vitest global setup for black-box projects: one real bus for the run,
 * its URL provided to tests as `busUrl`.
 */

import type { TestProject } from "vitest/node";
import { startBus } from "./bus.ts";

declare module "vitest" {
  export interface ProvidedContext {
    busUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bus = await startBus();
  project.provide("busUrl", bus.url);
  return () => bus.dispose();
}
