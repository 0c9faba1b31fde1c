/**
 * @module
 * The live-delivery part of BENCHMARKS.md: its two targets, and the p99
 * target's ceiling.
 */

import { runLiveBench, type LiveRow } from "./live.ts";

export async function liveSection(url: string, busPid: number, quick: boolean): Promise<string> {
  const r = await runLiveBench(url, busPid, quick);
  const [one, many] = r.rows;
  const ratio = many!.p99 / one!.p99;
  const ceiling = r.ceiling.p99 / one!.p99;
  const row = (what: string, x: LiveRow) =>
    `| ${what} | ${x.subscribers} | ${x.reachedEnd} | ${x.samples.toLocaleString("en-US")} | ${x.p50.toFixed(1)} | ${x.p99.toFixed(1)} | ${x.p999.toFixed(1)} | ${Math.round(x.busyShare * 100)}% |`;
  const rows = [...r.rows.map((x) => row("edgelog", x)), row("ceiling: the least fan-out", r.ceiling)].join("\n");
  return `## Live delivery

One partition, records produced at a steady 1,000 records/s (10-record batches every 10 ms) while SSE subscribers follow it from \`latest\`; produce-to-consume latency from just before the produce request to the subscriber reading the record: one sample per chunk a subscriber reads, timed by the oldest batch in it (\`test/bench/live.ts\`). "Got the last record" counts the subscribers that read the run's final record within a second of its acknowledgement. "Bus CPU" is the bus's workerd CPU time while records were produced, as a share of one core: locally workerd runs every isolate on one thread, so 100% is saturated. With 8 or more subscribers the leader batches frames (PROTOCOL.md, "Live streams").

The ceiling row is the same load posted to the bench's fan-out route (\`worker/bench/fanout.ts\`): each batch is handed straight to every SSE response as one event, with no Durable Object, no storage, no leader link and no batching, one native write per subscriber per batch. No live delivery in this worker does less work per batch. Batching does fewer writes only by holding a batch until the next one comes, 10 ms later here, which adds that wait to the held records' latency. The route wakes each response from the posting request, and under this load workerd runs some of those wakes in the posting request, where the response's write is refused: that subscriber gets nothing more ("got the last record" counts those that got everything). That is why edgelog's streams each have their own leader link, whose frames arrive in the stream's own request. Subscribers lost only take load off the rest, so the ceiling's p99 can only be lower than a correct fan-out's.

| path | subscribers | got the last record | samples | p50 ms | p99 ms | p999 ms | bus CPU |
|---|--:|--:|--:|--:|--:|--:|--:|
${rows}

With 200 subscribers connected and nothing produced, the bus's workerd used **${r.idleCpuMs.toFixed(0)} ms of CPU in ${r.idleSeconds} s** (the leader hibernates its subscriber sockets; the worker's heartbeats remain).

| target | measured | required | result |
|---|--:|--:|---|
| p99 with 200 subscribers vs with 1 | ${ratio.toFixed(1)}× | ≤ 3× | ${ratio <= 3 ? "PASS" : "FAIL"} |

| ceiling | measured | the target's ratio | the target |
|---|--:|--:|---|
| p99 of the least fan-out to 200 subscribers vs edgelog's p99 with 1 | ${ceiling.toFixed(1)}× | ≤ 3× | ${ceiling <= 3 ? "within reach" : "OUT OF REACH"} |
`;
}
