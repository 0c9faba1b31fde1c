/**
 * @module
 * The browser client's part of `npm run bench`: the outbox benchmark in
 * Chromium against the same bus, and the bundle size, as a Markdown section
 * for BENCHMARKS.md. Without Chromium it says so instead of failing the run.
 */

import { existsSync } from "node:fs";
import { measureBundle } from "./bundle-size.ts";
import { runOutboxBench } from "./outbox.ts";

export async function clientSection(busUrl: string, quick: boolean): Promise<string> {
  const { minifiedBytes, gzippedBytes } = await measureBundle();
  const bundle = `The package entry (\`src/index.ts\`, with \`idb\`), minified for the browser by esbuild: **${minifiedBytes.toLocaleString("en-US")} bytes, ${gzippedBytes.toLocaleString("en-US")} gzipped**.`;
  if (!existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium")) {
    return `## Browser client\n\n${bundle}\n\nThe outbox benchmark was skipped: no Chromium at /usr/bin/chromium (\`apt-get install chromium\`).\n`;
  }
  // A quick run times the slow baselines (seconds per thousand events) over
  // fewer events; edgelog's own keep all 10,000, since its fixed costs would
  // weigh more in a smaller run and skew the ratio.
  const r = await runOutboxBench({ busUrl, rounds: quick ? 1 : 3, baselineEvents: quick ? 2_000 : undefined });
  const rows = r.rows
    .map((x) => `| ${x.name} | ${x.events.toLocaleString("en-US")} | ${x.ms.toLocaleString("en-US")} | ${x.eventsPerSec.toLocaleString("en-US")} |`)
    .join("\n");
  const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
  return `## Browser client

${bundle}

10,000 events of ~200 bytes${quick ? " (2,000 for the two baselines in this quick run)" : ""} in one Chromium page (Debian's, headless), against the same bus (see \`test/bench/outbox.ts\` for how each is called and timed).

| what | events | ms | events/s |
|---|--:|--:|--:|
${rows}

| target | measured | required | result |
|---|--:|--:|---|
| edgelog append vs workbox-background-sync | ${r.appendVsWorkbox.toFixed(1)}× | ≥ 10× | ${verdict(r.appendVsWorkbox >= 10)} |
| outbox drain vs the same batches from Node | ${r.drainVsNode.toFixed(2)}× | ≥ 0.5× | ${verdict(r.drainVsNode >= 0.5)} |
`;
}
