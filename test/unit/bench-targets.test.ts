/**
 * The bench's verdicts: throughput ratios must reach their bound, latency
 * ratios must stay under it, each judged on the median of per-round ratios.
 */

import { describe, expect, it } from "vitest";
import type { Trial } from "../bench/load.ts";
import { summarize, type Result } from "../bench/results.ts";
import type { Scenario } from "../bench/scenario.ts";
import { applicable, judge, measuringOrder, type Target } from "../bench/targets.ts";

function scenario(id: string): Scenario {
  return { id, label: id, concurrency: 8, recordsPerRequest: 1, worker: () => async () => 1 };
}

/** One trial per round: `records` records in one second, with these latencies. */
function result(id: string, rounds: { records: number; latenciesMs: number[] }[]): Result {
  const trials: Trial[] = rounds.map((r) => ({ requests: r.latenciesMs.length, records: r.records, elapsedMs: 1000, latenciesMs: r.latenciesMs }));
  return summarize(scenario(id), trials);
}

/** A round whose p99 (nearest rank over 100 requests) is `p99` and whose other requests take 1 ms. */
function round(records: number, p99: number): { records: number; latenciesMs: number[] } {
  return { records, latenciesMs: [...Array.from({ length: 98 }, () => 1), p99, p99] };
}

const subject = result("produce", [round(800, 30), round(900, 12), round(1000, 10)]);
const reference = result("noop", [round(1000, 10), round(1000, 10), round(1000, 10)]);

describe("judge", () => {
  it("takes the median of the per-round p99 ratios, and a latency passes at or below its bound", () => {
    const target: Target = { label: "p99", subject: "produce", reference: "noop", metric: "p99 latency", required: 2 };
    const [verdict] = judge([target], [subject, reference]);
    expect(verdict).toMatchObject({ ratio: 1.2, lowest: 1, highest: 3, pass: true });
    expect(judge([{ ...target, required: 1.1 }], [subject, reference])[0]!.pass).toBe(false);
  });

  it("fails a latency ratio above its bound even though a throughput ratio that high would pass", () => {
    const slow = result("slow", [round(1000, 50), round(1000, 50), round(1000, 50)]);
    const latency: Target = { label: "p99", subject: "slow", reference: "noop", metric: "p99 latency", required: 2 };
    const throughput: Target = { ...latency, metric: "records/s", required: 0.5 };
    const [byLatency, byThroughput] = judge([latency, throughput], [slow, reference]);
    expect(byLatency).toMatchObject({ ratio: 5, pass: false });
    expect(byThroughput).toMatchObject({ ratio: 1, pass: true });
  });

  it("judges records/s and requests/s as higher-is-better", () => {
    const records: Target = { label: "r", subject: "produce", reference: "noop", metric: "records/s", required: 0.9 };
    expect(judge([records], [subject, reference])[0]).toMatchObject({ ratio: 0.9, lowest: 0.8, highest: 1, pass: true });
    expect(judge([{ ...records, required: 0.95 }], [subject, reference])[0]!.pass).toBe(false);
    const requests: Target = { ...records, metric: "requests/s", required: 1 };
    expect(judge([requests], [subject, reference])[0]).toMatchObject({ ratio: 1, pass: true });
  });
});

describe("which targets a run judges", () => {
  const targets: Target[] = [
    { label: "a", subject: "produce", reference: "noop", metric: "records/s", required: 1 },
    { label: "b", subject: "fetch", reference: "produce", metric: "records/s", required: 1 },
  ];

  it("keeps only targets whose two scenarios are both selected", () => {
    expect(applicable(targets, [scenario("produce"), scenario("noop")]).map((t) => t.label)).toEqual(["a"]);
    expect(applicable(targets, [scenario("fetch")])).toEqual([]);
  });

  it("measures the targets' scenarios first, each pair together, then the rest", () => {
    const all = ["other", "noop", "fetch", "produce"].map(scenario);
    expect(measuringOrder(all, targets).map((s) => s.id)).toEqual(["noop", "produce", "fetch", "other"]);
    expect(() => measuringOrder([scenario("noop")], targets)).toThrow(/'produce'/);
  });
});
