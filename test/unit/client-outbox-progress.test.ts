// Regression: the memory (and file) outbox's progress() took a batch the
// bus had acknowledged for one partition as settling every sealed batch
// with the same (producer id, epoch, seq) — seqs count per partition, so
// each partition's batch N shares that tuple. flush() could then resolve
// while another partition's batch was still on the wire (found by the CLI's
// 100,000-line round trip, which lost a partition's last batch).
import { expect, it } from "vitest";
import { MemoryOutbox } from "../../src/client/outbox/memory.ts";
import { encodeRecord } from "../../src/client/records.ts";

it("settles an acknowledged batch of one partition without settling another partition's batch of the same seq", async () => {
  const outbox = new MemoryOutbox("progress-test");
  const identity = await outbox.nextEpoch();
  const limits = { maxRecords: 100, maxBytes: 1e6, policy: "reject" as const };
  await outbox.append([encodeRecord("t", { value: "p0", partition: 0 }, 1), encodeRecord("t", { value: "p1", partition: 1 }, 1)], limits);
  const { sealed } = await outbox.step({
    now: 1,
    seal: {
      identity,
      topics: new Map([["t", { partitions: 2, maxMessageBytes: 1e6 }]]),
      maxBatchRecords: 100,
      maxBatchBytes: 1e6,
      maxSealedPerPartition: 1,
      scanLimit: 100,
      pickKeyless: () => 0,
    },
  });
  expect(sealed.map((b) => [b.partition, b.seq])).toEqual([[0, 0], [1, 0]]);
  const [first, second] = sealed;

  expect((await outbox.progress(2, [first!])).undelivered).toBe(true);
  expect((await outbox.progress(2, [first!, second!])).undelivered).toBe(false);
});
