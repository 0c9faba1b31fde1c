#!/usr/bin/env node
// The `edgelog` command. Installed from npm, it runs the CLI bundled into
// dist/cli by `prepack` (Node does not strip TypeScript types under
// node_modules); in a checkout of this repository it runs the TypeScript
// sources directly, so there is nothing to build.
import { existsSync } from "node:fs";

const bundled = new URL("../dist/cli/edgelog.js", import.meta.url);
const installed = import.meta.url.includes("/node_modules/");
if (installed && !existsSync(bundled)) {
  process.stderr.write("edgelog: this install has no dist/cli/edgelog.js; reinstall the package\n");
  process.exit(1);
}
await import(installed ? bundled.href : new URL("../src/cli/main.ts", import.meta.url).href);
