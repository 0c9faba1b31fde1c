import { describe, expect, it } from "vitest";
import { Backoff, sleep } from "../../src/client/backoff.ts";

describe("Backoff (full jitter)", () => {
  it("draws each delay from [0, min(cap, base·2^attempt))", () => {
    const top = new Backoff({ baseMs: 100, capMs: 1_000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map(() => top.next())).toEqual([99, 199, 399, 799, 999, 999]);
    const bottom = new Backoff({ baseMs: 100, capMs: 1_000, random: () => 0 });
    expect([1, 2, 3].map(() => bottom.next())).toEqual([0, 0, 0]);
  });

  it("spreads retries of clients that failed together", () => {
    const delays = Array.from({ length: 200 }, () => new Backoff({ baseMs: 1_000 }).next());
    expect(new Set(delays).size).toBeGreaterThan(150);
    expect(Math.max(...delays)).toBeLessThan(1_000);
  });

  it("never waits less than Retry-After", () => {
    const b = new Backoff({ baseMs: 100, capMs: 30_000, random: () => 0 });
    expect(b.next(5_000)).toBe(5_000);
  });

  it("starts over after reset()", () => {
    const b = new Backoff({ baseMs: 100, random: () => 0.5 });
    b.next();
    b.next();
    expect(b.attempt).toBe(2);
    b.reset();
    expect(b.next()).toBe(50);
  });

  it("does not overflow after many failures", () => {
    const b = new Backoff({ baseMs: 250, capMs: 30_000, random: () => 0.5 });
    for (let i = 0; i < 2_000; i++) b.next();
    expect(b.next()).toBe(15_000);
  });
});

describe("sleep", () => {
  it("ends early when woken", async () => {
    let wake!: () => void;
    const woken = new Promise<void>((r) => (wake = r));
    const started = Date.now();
    const done = sleep(10_000, { wake: woken });
    wake();
    await done;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("ends early when aborted", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const done = sleep(10_000, { signal: controller.signal });
    controller.abort();
    await done;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
