/**
 * @module
 * Exactly once across a crash: idempotent producers load the real bus, a
 * SIGKILL cuts their requests off, the bus restarts on the same state
 * directory, and each producer resends the batch it had in flight with the
 * same (producer id, epoch, seq) before carrying on. The log must then hold
 * every batch exactly once, whether or not the cut-off batch had committed.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { ConsumedRecord, ProduceResponse } from "../../src/protocol/types.ts";
import { createTopic, producePartition, readTopic, uniqueTopic, type ProducerTuple } from "../support/api.ts";
import { startBus, type Bus, type Engine } from "../support/bus.ts";
import { crashUnderLoad } from "../support/crash.ts";
import { offsetGaps, repeated } from "../support/log-checks.ts";

const PARTITIONS = 3;
const LOOPS = 6;
const RECORDS_PER_BATCH = 4;
const MIN_ACKED_BATCHES = 100;
/** Batches each loop produces after the restart, round-robin over the partitions. */
const BATCHES_AFTER_RESTART = 2 * PARTITIONS;

interface Batch {
  producer: ProducerTuple;
  partition: number;
  values: string[];
}

interface Stored {
  batch: Batch;
  baseOffset: number;
}

/** One load loop: a producer id per partition, each with its own seq from 0. */
interface Loop {
  index: number;
  nextSeq: number[];
  /** Batches acknowledged so far; picks the next partition round-robin. */
  batchesAcked: number;
  /** The batch on the wire, until it is acknowledged. */
  inFlight?: Batch;
  /** The batch whose answer the kill cut off. */
  cutOff?: Batch;
}

const stateDirs: string[] = [];
/** Both ways to run the bus locally: `wrangler dev`, and the local engine `npm start` uses. */
const ENGINES: Engine[] = ["wrangler", "local"];
const buses: Bus[] = [];
const topic = uniqueTopic("crash-idem");

afterAll(async () => {
  await Promise.all(buses.map((b) => b.stop()));
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

function nextBatch(loop: Loop, partition: number): Batch {
  const seq = loop.nextSeq[partition]!;
  return {
    producer: { producerId: `${topic}-${loop.index}-${partition}`, epoch: 0, seq },
    partition,
    values: Array.from({ length: RECORDS_PER_BATCH }, (_, j) => `${loop.index}-${partition}-${seq}-${j}`),
  };
}

function send(url: string, batch: Batch) {
  const records = batch.values.map((value) => ({ value }));
  return producePartition<ProduceResponse>(url, topic, batch.partition, records, batch.producer);
}

function offsetsOf(batch: Batch, baseOffset: number) {
  return batch.values.map((_, j) => ({ partition: batch.partition, offset: baseOffset + j }));
}

/** Where a batch's first record sits in the log, or -1; a batch is one row, so it is all there or not at all. */
function baseOffsetIn(logs: ConsumedRecord[][], batch: Batch): number {
  return logs[batch.partition]!.findIndex((r) => r.value === batch.values[0]);
}

for (const engine of ENGINES) {
  it(`stores every batch exactly once when producers resend what a SIGKILL cut off (${engine})`, { timeout: 120_000 }, async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "edgelog-crash-idem-"));
    stateDirs.push(stateDir);
    const first = await startBus({ stateDir, engine });
    buses.push(first);
    await createTopic(first.url, topic, { partitions: PARTITIONS });

    const loops: Loop[] = Array.from({ length: LOOPS }, (_, index) => ({
      index,
      nextSeq: Array<number>(PARTITIONS).fill(0),
      batchesAcked: 0,
    }));
    const acked: Stored[] = [];
    const problems: string[] = [];

    const crash = await crashUnderLoad(first, {
      loops: LOOPS,
      minLoadMs: 1_500,
      maxLoadMs: 20_000,
      acked: () => acked.length,
      minAckedPerRound: MIN_ACKED_BATCHES,
      maxRounds: 4,
      async step(url, index) {
        const loop = loops[index]!;
        const batch = nextBatch(loop, loop.batchesAcked % PARTITIONS);
        // Remembered before it goes out: if the kill cuts it off, this is what gets resent.
        loop.inFlight = batch;
        const res = await send(url, batch);
        if (res.status !== 200 || res.body.duplicate) {
          throw new Error(`${JSON.stringify(batch.producer)}: ${res.status} ${JSON.stringify(res.body)}`);
        }
        loop.inFlight = undefined;
        acked.push({ batch, baseOffset: res.body.offsets[0]!.offset });
        loop.nextSeq[batch.partition]!++;
        loop.batchesAcked++;
      },
      onCutOff(index) {
        loops[index]!.cutOff = loops[index]!.inFlight;
      },
    });
    const second = crash.bus;
    buses.push(second);

    expect(crash.errors, "failures before the kill").toEqual([]);
    expect(crash.inFlightAtKill, "requests in flight at the kill").toBeGreaterThan(0);
    expect(crash.cutOff, `requests cut off by the kill, in ${crash.rounds} rounds`).toBeGreaterThan(0);
    expect(acked.length, "acknowledged batches").toBeGreaterThanOrEqual(MIN_ACKED_BATCHES);

    // What survived the crash, before anyone resends.
    const afterCrash = await readTopic(second.url, topic, PARTITIONS);
    const cutOff = loops.flatMap((l) => (l.cutOff ? [l.cutOff] : []));
    expectExactlyOnce(afterCrash, acked, cutOff);

    // Resend the cut-off batch with its tuple, then carry on with the next seqs.
    const resend = async (loop: Loop) => {
      const batch = loop.cutOff;
      if (batch) {
        const stored = baseOffsetIn(afterCrash, batch);
        const res = await send(second.url, batch);
        const baseOffset = res.body.offsets?.[0]?.offset ?? -1;
        // Committed before the kill: the original offsets, marked duplicate. Not committed: a fresh append.
        const want = stored >= 0 ? { offsets: offsetsOf(batch, stored), duplicate: true } : { offsets: offsetsOf(batch, baseOffset) };
        if (res.status !== 200 || JSON.stringify(res.body) !== JSON.stringify(want)) {
          problems.push(`resend ${JSON.stringify(batch.producer)}: ${res.status} ${JSON.stringify(res.body)}, want ${JSON.stringify(want)}`);
          return;
        }
        acked.push({ batch, baseOffset });
        loop.nextSeq[batch.partition]!++;
      }
      for (let i = 0; i < BATCHES_AFTER_RESTART; i++) {
        const next = nextBatch(loop, i % PARTITIONS);
        const res = await send(second.url, next);
        if (res.status !== 200 || res.body.duplicate) {
          problems.push(`after restart ${JSON.stringify(next.producer)}: ${res.status} ${JSON.stringify(res.body)}`);
          return;
        }
        acked.push({ batch: next, baseOffset: res.body.offsets[0]!.offset });
        loop.nextSeq[next.partition]!++;
      }
    };
    await Promise.all(loops.map(resend));
    expect(problems, "resends and new batches after the restart").toEqual([]);

    // Producer state came back from disk too: an old batch is a duplicate with its original offsets.
    for (const { batch, baseOffset } of acked.filter((a) => a.batch.producer.seq === 0)) {
      const res = await send(second.url, batch);
      expect(res.status, `replay of ${JSON.stringify(batch.producer)}`).toBe(200);
      expect(res.body, `replay of ${JSON.stringify(batch.producer)}`).toEqual({
        offsets: offsetsOf(batch, baseOffset),
        duplicate: true,
      });
    }

    expectExactlyOnce(await readTopic(second.url, topic, PARTITIONS), acked, []);
  });

  /**
   * The log holds every acknowledged batch at its offsets, nothing twice, no
   * gaps, and nothing else but possibly some of the `unsettled` batches, each
   * whole.
   */
  function expectExactlyOnce(logs: ConsumedRecord[][], acked: Stored[], unsettled: Batch[]): void {
    logs.forEach((log, p) => expect(offsetGaps(log), `offsets of partition ${p}`).toEqual([]));
    const values = logs.flat().map((r) => r.value as string);
    expect(repeated(values), "values stored twice").toEqual([]);

    const misplaced = acked.filter(({ batch, baseOffset }) =>
      batch.values.some((v, j) => logs[batch.partition]![baseOffset + j]?.value !== v),
    );
    expect(misplaced.map((s) => s.batch.producer), "acknowledged batches not at their offsets").toEqual([]);

    const known = new Set([...acked, ...unsettled.map((batch) => ({ batch }))].flatMap((s) => s.batch.values));
    expect(values.filter((v) => !known.has(v)), "records nobody produced").toEqual([]);

    const torn = unsettled.filter((batch) => {
      const base = baseOffsetIn(logs, batch);
      return base >= 0 && batch.values.some((v, j) => logs[batch.partition]![base + j]?.value !== v);
    });
    expect(torn.map((b) => b.producer), "cut-off batches stored in part").toEqual([]);
  }
}
