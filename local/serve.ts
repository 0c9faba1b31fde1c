/**
 * @module
 * `npm start`: builds nothing itself (the npm script builds the dashboard
 * first), starts the local bus and keeps it running until Ctrl-C.
 *
 *   node local/serve.ts [--port 8787] [--host 127.0.0.1] [--persist-to .wrangler/state] [--var NAME:VALUE ...]
 *
 * It runs open (no tokens, EDGELOG_AUTH=open) so a newcomer can try it;
 * `--var EDGELOG_AUTH:required` runs it as deployed.
 */

import { parseArgs } from "node:util";
import { startLocalBus } from "./engine.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8787" },
    host: { type: "string", default: "127.0.0.1" },
    "persist-to": { type: "string" },
    var: { type: "string", multiple: true, default: [] },
  },
});

const vars: Record<string, string> = Object.fromEntries(
  values.var.map((v) => {
    const at = v.indexOf(":");
    if (at < 1) throw new Error(`--var takes NAME:VALUE, got '${v}'`);
    return [v.slice(0, at), v.slice(at + 1)];
  }),
);

vars.EDGELOG_AUTH ??= "open";

const bus = await startLocalBus({ host: values.host, port: Number(values.port), stateDir: values["persist-to"], vars });
console.log(`edgelog is running on ${bus.url.origin}  (API under /v1, dashboard at /; Ctrl-C stops it)`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void bus.dispose().finally(() => process.exit(0));
  });
}
