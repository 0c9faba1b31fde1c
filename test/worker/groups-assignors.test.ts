import { describe, expect, it } from "vitest";
import { keysOf, type GroupAssignment, type Subscription, type TopicSizes } from "../../worker/groups/assignment.ts";
import { range } from "../../worker/groups/range.ts";
import { roundRobin } from "../../worker/groups/round-robin.ts";
import { sticky } from "../../worker/groups/sticky.ts";

const subs = (ids: string[], topics: string[] = ["t"]): Subscription[] => ids.map((memberId) => ({ memberId, topics }));

/** Each partition's owner, as "topic/p" → member. */
function owners(a: GroupAssignment): Map<string, string> {
  const out = new Map<string, string>();
  for (const [member, parts] of Object.entries(a)) {
    for (const key of keysOf(parts)) {
      expect(out.has(key), `${key} assigned twice`).toBe(false);
      out.set(key, member);
    }
  }
  return out;
}

/** How many partitions changed owner (a partition of a member that left counts as moved). */
function moved(before: GroupAssignment, after: GroupAssignment): number {
  const a = owners(before);
  return [...owners(after)].filter(([key, member]) => a.get(key) !== member).length;
}

const loads = (a: GroupAssignment) => Object.values(a).map((p) => keysOf(p).length);

function expectComplete(a: GroupAssignment, sizes: TopicSizes): void {
  const all = Object.entries(sizes).flatMap(([t, n]) => Array.from({ length: n }, (_, p) => `${t}/${p}`));
  expect([...owners(a).keys()].sort()).toEqual(all.sort());
}

describe("range", () => {
  it("gives contiguous ranges per topic, the first members one more", () => {
    expect(range(subs(["b", "a", "c"]), { t: 7 }, {})).toEqual({ a: { t: [0, 1, 2] }, b: { t: [3, 4] }, c: { t: [5, 6] } });
  });

  it("assigns each topic only among its subscribers, and leaves members with nothing when partitions run out", () => {
    const members = [...subs(["a", "b"], ["x", "y"]), { memberId: "c", topics: ["y"] }];
    const a = range(members, { x: 2, y: 1 }, {});
    expect(a).toEqual({ a: { x: [0], y: [0] }, b: { x: [1] }, c: {} });
  });
});

describe("round-robin", () => {
  it("deals partitions of all topics in turn", () => {
    const a = roundRobin(subs(["a", "b", "c"], ["x", "y"]), { x: 2, y: 2 }, {});
    expect(a).toEqual({ a: { x: [0], y: [1] }, b: { x: [1] }, c: { y: [0] } });
  });

  it("skips members not subscribed to a partition's topic", () => {
    const members = [{ memberId: "a", topics: ["x"] }, { memberId: "b", topics: ["x", "y"] }];
    expect(roundRobin(members, { x: 2, y: 2 }, {})).toEqual({ a: { x: [0] }, b: { x: [1], y: [0, 1] } });
  });
});

describe("sticky", () => {
  it("starts balanced", () => {
    const a = sticky(subs(["a", "b", "c"]), { t: 6 }, {});
    expectComplete(a, { t: 6 });
    expect(loads(a)).toEqual([2, 2, 2]);
  });

  it("on a join moves only what the newcomer needs, each old member keeping most of its partitions", () => {
    const before = sticky(subs(["a", "b"]), { t: 6 }, {});
    const after = sticky(subs(["a", "b", "c"]), { t: 6 }, before);
    expectComplete(after, { t: 6 });
    expect(loads(after)).toEqual([2, 2, 2]);
    expect(moved(before, after)).toBe(2);
    for (const m of ["a", "b"]) expect(after[m]!.t!.every((p) => before[m]!.t!.includes(p))).toBe(true);
    // Range, for contrast, reshuffles more than the minimum on the same join.
    expect(moved(range(subs(["a", "b"]), { t: 6 }, {}), range(subs(["a", "b", "c"]), { t: 6 }, {}))).toBeGreaterThan(2);
  });

  it("on a leave moves only the leaver's partitions", () => {
    const before = sticky(subs(["a", "b", "c"]), { t: 6 }, {});
    const after = sticky(subs(["a", "c"]), { t: 6 }, before);
    expectComplete(after, { t: 6 });
    expect(loads(after)).toEqual([3, 3]);
    expect(moved(before, after)).toBe(2);
    for (const m of ["a", "c"]) expect(after[m]!.t).toEqual(expect.arrayContaining(before[m]!.t!));
  });

  it("moves the fewest partitions over many joins and leaves of a 12-partition topic", () => {
    let members = ["m0", "m1", "m2"];
    let current = sticky(subs(members), { t: 12 }, {});
    const steps: [string, "join" | "leave"][] = [["m3", "join"], ["m1", "leave"], ["m4", "join"], ["m5", "join"], ["m0", "leave"], ["m2", "leave"]];
    for (const [member, step] of steps) {
      const lostPartitions = step === "leave" ? keysOf(current[member]!).length : 0;
      members = step === "join" ? [...members, member] : members.filter((m) => m !== member);
      const next = sticky(subs(members), { t: 12 }, current);
      expectComplete(next, { t: 12 });
      const counts = loads(next);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      // The minimum: a leaver's partitions, or on a join the newcomer's fair share.
      const minimum = step === "leave" ? lostPartitions : Math.floor(12 / members.length);
      expect(moved(current, next), `${step} ${member}`).toBe(minimum);
      current = next;
    }
  });

  it("keeps everything when nothing changed, and is deterministic", () => {
    const first = sticky(subs(["a", "b", "c"], ["x", "y"]), { x: 5, y: 3 }, {});
    expect(sticky(subs(["c", "b", "a"], ["x", "y"]), { x: 5, y: 3 }, first)).toEqual(first);
    expect(sticky(subs(["a", "b", "c"], ["x", "y"]), { x: 5, y: 3 }, {})).toEqual(first);
  });

  it("takes new partitions without moving old ones, and drops partitions and topics that went away", () => {
    const before = sticky(subs(["a", "b"]), { t: 4 }, {});
    const grown = sticky(subs(["a", "b"]), { t: 6 }, before);
    expectComplete(grown, { t: 6 });
    expect(moved(before, grown)).toBe(2);
    for (const m of ["a", "b"]) expect(grown[m]!.t).toEqual(expect.arrayContaining(before[m]!.t!));
    const withGhosts = { a: { t: [0, 1, 9], gone: [0] }, b: { t: [2, 3] } };
    expect(owners(sticky(subs(["a", "b"]), { t: 4 }, withGhosts)).size).toBe(4);
  });

  it("balances members with different subscriptions as far as they allow", () => {
    const members = [{ memberId: "a", topics: ["x"] }, { memberId: "b", topics: ["x", "y"] }, { memberId: "c", topics: ["y"] }];
    const a = sticky(members, { x: 4, y: 2 }, {});
    expectComplete(a, { x: 4, y: 2 });
    expect(loads(a)).toEqual([2, 2, 2]);
    expect(a.a!.y).toBeUndefined();
    expect(a.c!.x).toBeUndefined();
  });

  it("does not let a previous owner keep a partition twice or of a topic it left", () => {
    const previous = { a: { t: [0, 1] }, b: { t: [1, 2], u: [0] } };
    const a = sticky([{ memberId: "a", topics: ["t"] }, { memberId: "b", topics: ["t"] }], { t: 4, u: 1 }, previous);
    expect(a).toEqual({ a: { t: [0, 1] }, b: { t: [2, 3] } });
  });
});
