/**
 * Subscriber slots are leases: a stream's request renews them while it
 * lives, and the slots of a request the runtime cancelled (whose code will
 * never run again to give them back) come free when the lease runs out.
 * The clock is the test's; how live streams claim and free slots over HTTP
 * is in test/e2e/limits-subscribers.test.ts.
 */

import { describe, expect, it } from "vitest";
import { claimSlots } from "../../worker/live/slots.ts";

let n = 0;
const LEASE_MS = 20_000;

describe("subscriber slots", () => {
  it("holds a slot while it is renewed, frees it when its lease runs out, and a late release frees nothing else", () => {
    const topic = `slots-${n++}`;
    let now = 1_000_000;
    const clock = () => now;
    const first = claimSlots(topic, [0], 1, clock);
    if (!first.ok) throw new Error("the first claim was refused");
    expect(claimSlots(topic, [0], 1, clock)).toEqual({ ok: false, partition: 0 });

    now += LEASE_MS - 1;
    first.renew();
    now += LEASE_MS - 1;
    expect(claimSlots(topic, [0], 1, clock).ok).toBe(false);

    // No renewal for a whole lease: as if the request had been cancelled.
    now += 1;
    const second = claimSlots(topic, [0], 1, clock);
    if (!second.ok) throw new Error("a lapsed lease still held its slot");
    first.release();
    expect(claimSlots(topic, [0], 1, clock).ok).toBe(false);
    second.release();
    second.release();
    const third = claimSlots(topic, [0], 1, clock);
    expect(third.ok).toBe(true);
    if (third.ok) third.release();
  });

  it("claims every partition or none", () => {
    const topic = `slots-${n++}`;
    const one = claimSlots(topic, [1], 1);
    if (!one.ok) throw new Error("refused");
    expect(claimSlots(topic, [0, 1, 2], 1)).toEqual({ ok: false, partition: 1 });
    const zero = claimSlots(topic, [0], 1);
    const two = claimSlots(topic, [2], 1);
    expect([zero.ok, two.ok]).toEqual([true, true]);
    for (const c of [one, zero, two]) if (c.ok) c.release();
    const all = claimSlots(topic, [0, 1, 2], 1);
    expect(all.ok).toBe(true);
    if (all.ok) all.release();
  });
});
