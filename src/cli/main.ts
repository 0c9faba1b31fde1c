#!/usr/bin/env node
/**
 * @module
 * The `edgelog` executable. It turns on Node's compile cache before loading
 * the program (program.ts): the CLI runs from TypeScript sources, and
 * caching their compiled form cuts the start of every later run by about a
 * hundred milliseconds.
 */

import { enableCompileCache } from "node:module";

enableCompileCache?.();
await import("./program.ts");
