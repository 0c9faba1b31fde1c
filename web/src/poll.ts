/**
 * @module
 * Polling helpers: a loop that runs a task every interval while the tab is
 * visible (a hidden dashboard costs the bus nothing), and a bounded
 * parallel map so describing many topics never takes every connection the
 * browser allows per host (live tails need some).
 */

/** Runs `task` now and then every `intervalMs` after it settles, until `signal` aborts; paused while hidden. */
export function every(intervalMs: number, signal: AbortSignal, task: () => Promise<void>): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  const run = async () => {
    timer = undefined;
    if (signal.aborted || running) return;
    if (document.visibilityState === "hidden") return; // resumed by visibilitychange
    running = true;
    try {
      await task();
    } finally {
      running = false;
      if (!signal.aborted) timer = setTimeout(run, intervalMs);
    }
  };
  const onVisible = () => {
    if (document.visibilityState === "visible" && timer === undefined && !running) void run();
  };
  document.addEventListener("visibilitychange", onVisible);
  signal.addEventListener("abort", () => {
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", onVisible);
  });
  void run();
}

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
