// Group commit in the partition leader: appends that arrive together share
// one transaction, and each still gets its own answer — offsets, duplicates
// and refusals exactly as if they had come one by one.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";

let n = 0;
const leader = () => env.PARTITION_LEADER.getByName(`group-commit-${n++}`);
const bodies = (...values: string[]) => values.map((v) => `"key":null,"value":${JSON.stringify(v)},"headers":{}`);

describe("group commit", () => {
  it("commits concurrent appends in fewer transactions than appends, offsets contiguous in arrival order", async () => {
    const stub = leader();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => stub.append({ bodies: bodies(`r${i}`, `s${i}`) })));
    const bases = results.map((r) => (r.ok ? r.baseOffset : -1));
    expect([...bases].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => 2 * i));
    const grouping = await stub.groupCommitStats();
    expect(grouping.appends).toBe(50);
    expect(grouping.groups, "appends that arrive together share a commit").toBeLessThan(50);
    expect(grouping.largest).toBeGreaterThan(1);
    const read = await stub.read({ from: "earliest", maxRecords: 1000, maxBytes: 1 << 20, waitMs: 0 });
    if (!read.ok) throw new Error(read.error.message);
    const values = (JSON.parse(`[${read.records}]`) as { offset: number; value: string }[]).map((r) => r.value);
    // Each append's records sit at the offsets its answer named.
    results.forEach((r, i) => {
      if (!r.ok) throw new Error(r.error.message);
      expect(values.slice(r.baseOffset, r.baseOffset + 2)).toEqual([`r${i}`, `s${i}`]);
    });
  });

  it("judges an idempotent producer's sequence numbers within one group as if they came one by one", async () => {
    // Whether the four arrive while one commit is in flight depends on the
    // machine's load: the answers must be right either way, and the run is
    // repeated on fresh leaders until at least one was judged in a group.
    let grouped = false;
    for (let attempt = 0; attempt < 5 && !grouped; attempt++) {
      const stub = leader();
      const p = (seq: number) => ({ producerId: "p-1", epoch: 0, seq });
      const [first, second, again, gap] = await Promise.all([
        stub.append({ bodies: bodies("a"), producer: p(0) }),
        stub.append({ bodies: bodies("b"), producer: p(1) }),
        stub.append({ bodies: bodies("a"), producer: p(0) }),
        stub.append({ bodies: bodies("z"), producer: p(5) }),
      ]);
      expect(first).toMatchObject({ ok: true, baseOffset: 0, duplicate: false });
      expect(second).toMatchObject({ ok: true, baseOffset: 1, duplicate: false });
      expect(again).toMatchObject({ ok: true, baseOffset: 0, duplicate: true });
      expect(gap).toMatchObject({ error: { code: "OUT_OF_ORDER_SEQUENCE" } });
      const read = await stub.read({ from: "earliest", maxRecords: 10, maxBytes: 1 << 20, waitMs: 0 });
      expect(read).toMatchObject({ ok: true, highWatermark: 2 });
      grouped = (await stub.groupCommitStats()).groups < 4;
    }
    expect(grouped, "in five tries, the four appends never shared a commit").toBe(true);
  });

  it("fails a refused append alone: the others of its group are stored", async () => {
    const stub = leader();
    const [good, empty, tooBig, alsoGood] = await Promise.all([
      stub.append({ bodies: bodies("ok-1") }),
      stub.append({ bodies: [] }),
      stub.append({ bodies: [`"key":null,"value":"${"x".repeat(3 << 20)}","headers":{}`] }),
      stub.append({ bodies: bodies("ok-2") }),
    ]);
    expect(good).toMatchObject({ ok: true, baseOffset: 0 });
    expect(empty).toMatchObject({ error: { code: "INVALID_REQUEST" } });
    expect(tooBig).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    expect(alsoGood).toMatchObject({ ok: true, baseOffset: 1 });
    const read = await stub.read({ from: "earliest", maxRecords: 10, maxBytes: 1 << 20, waitMs: 0 });
    expect(read).toMatchObject({ ok: true, highWatermark: 2 });
  });
});
