/**
 * @module
 * The live-delivery part of BENCHMARKS.md, with its two targets.
 */

import { runLiveBench } from "./live.ts";

export async function liveSection(url: string, busPid: number, quick: boolean): Promise<string> {
  const r = await runLiveBench(url, busPid, quick);
  const [one, many] = r.rows;
  const ratio = many!.p99 / one!.p99;
  const rows = r.rows
    .map(
      (x) =>
        `| ${x.subscribers} | ${x.reachedEnd} | ${x.samples.toLocaleString("en-US")} | ${x.p50.toFixed(1)} | ${x.p99.toFixed(1)} | ${x.p999.toFixed(1)} | ${Math.round(x.busyShare * 100)}% |`,
    )
    .join("\n");
  return `## Live delivery

One partition, records produced at a steady 1,000 records/s (10-record batches every 10 ms) while SSE subscribers follow it from \`latest\`; produce-to-consume latency from just before the produce request to the subscriber reading the record: one sample per chunk a subscriber reads, timed by the oldest batch in it (\`test/bench/live.ts\`). "Got the last record" counts the subscribers that read the run's final record within a second of its acknowledgement. "Bus CPU" is the bus's workerd CPU time while records were produced, as a share of one core: locally workerd runs every isolate on one thread, so 100% is saturated. With 8 or more subscribers the leader batches frames (PROTOCOL.md, "Live streams").

| subscribers | got the last record | samples | p50 ms | p99 ms | p999 ms | bus CPU |
|--:|--:|--:|--:|--:|--:|--:|
${rows}

With 200 subscribers connected and nothing produced, the bus's workerd used **${r.idleCpuMs.toFixed(0)} ms of CPU in ${r.idleSeconds} s** (the leader hibernates its subscriber sockets; the worker's heartbeats remain).

| target | measured | required | result |
|---|--:|--:|---|
| p99 with 200 subscribers vs with 1 | ${ratio.toFixed(1)}× | ≤ 3× | ${ratio <= 3 ? "PASS" : "FAIL"} |
`;
}
