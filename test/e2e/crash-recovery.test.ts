/**
 * @module
 * Crash recovery on the real bus: concurrent keyed producers, a SIGKILL to
 * `wrangler dev` and workerd mid-load, a restart on the same state directory,
 * then every acknowledged record must be read back at exactly the offset it
 * was acknowledged with — in order, with no gaps and no duplicates.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { ConsumedRecord, ProduceResponse } from "../../src/protocol/types.ts";
import { call, createTopic, readTopic, uniqueTopic } from "../support/api.ts";
import { startBus, type Bus, type Engine } from "../support/bus.ts";
import { crashUnderLoad } from "../support/crash.ts";
import { offsetGaps, repeated } from "../support/log-checks.ts";

const PARTITIONS = 3;
const LOOPS = 6;
const RECORDS_PER_BATCH = 4;
/** Distinct keys per loop: enough that every partition gets some of each loop's records. */
const KEYS_PER_LOOP = 8;

interface Acked {
  partition: number;
  offset: number;
  value: string;
}

const stateDirs: string[] = [];
/** Both ways to run the bus locally: `wrangler dev`, and the local engine `npm start` uses. */
const ENGINES: Engine[] = ["wrangler", "local"];
const buses: Bus[] = [];

afterAll(async () => {
  await Promise.all(buses.map((b) => b.stop()));
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

for (const engine of ENGINES) {
  it(`keeps every acknowledged record at its offset, in order and once, across a SIGKILL mid-load (${engine})`, { timeout: 120_000 }, async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "edgelog-crash-"));
    stateDirs.push(stateDir);
    const first = await startBus({ stateDir, engine });
    buses.push(first);
    const topic = uniqueTopic("crash");
    await createTopic(first.url, topic, { partitions: PARTITIONS });

    const sent = new Set<string>();
    const acked: Acked[] = [];
    // Per loop: the next value number. Values are unique and, per loop, increasing.
    const next = Array<number>(LOOPS).fill(0);

    const crash = await crashUnderLoad(first, {
      loops: LOOPS,
      minLoadMs: 1_500,
      maxLoadMs: 20_000,
      acked: () => acked.length,
      minAckedPerRound: 300,
      maxRounds: 4,
      async step(url, loop) {
        const records = Array.from({ length: RECORDS_PER_BATCH }, () => {
          const n = next[loop]!++;
          const value = `v-${loop}-${n}`;
          sent.add(value);
          return { key: `k-${loop}-${n % KEYS_PER_LOOP}`, value };
        });
        const res = await call<ProduceResponse>(url, "POST", `/v1/topics/${topic}/records`, { records });
        if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
        res.body.offsets.forEach((o, i) => acked.push({ ...o, value: records[i]!.value }));
      },
    });
    buses.push(crash.bus);

    expect(crash.errors, "produce errors before the kill").toEqual([]);
    expect(crash.inFlightAtKill, "requests in flight at the kill").toBeGreaterThan(0);
    expect(crash.cutOff, `requests cut off by the kill, in ${crash.rounds} rounds`).toBeGreaterThan(0);
    expect(acked.length, "acknowledged records").toBeGreaterThanOrEqual(300);

    const logs = await readTopic(crash.bus.url, topic, PARTITIONS);
    logs.forEach((log, p) => expect(offsetGaps(log), `offsets of partition ${p}`).toEqual([]));

    const values = logs.flat().map((r) => r.value as string);
    expect(values.filter((v) => !sent.has(v)), "records nobody produced").toEqual([]);
    expect(repeated(values), "values stored twice").toEqual([]);

    const lost = acked.filter((a) => logs[a.partition]![a.offset]?.value !== a.value);
    expect(lost, "acknowledged records missing from their offsets").toEqual([]);
    for (let p = 0; p < PARTITIONS; p++) {
      expect(acked.some((a) => a.partition === p), `acknowledged records on partition ${p}`).toBe(true);
    }

    logs.forEach((log, p) => expect(outOfOrder(log), `producer order on partition ${p}`).toEqual([]));
  });

  /**
   * Each loop waits for one request before sending the next, so within a
   * partition its records must appear in the order it produced them.
   */
  function outOfOrder(log: ConsumedRecord[]): string[] {
    const last = new Map<string, number>();
    const wrong: string[] = [];
    for (const record of log) {
      const [, loop, n] = (record.value as string).split("-");
      const previous = last.get(loop!) ?? -1;
      if (Number(n) <= previous) wrong.push(`${record.value} at offset ${record.offset} after v-${loop}-${previous}`);
      last.set(loop!, Number(n));
    }
    return wrong;
  }
}
