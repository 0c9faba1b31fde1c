/**
 * @module
 * Long-poll waiters: reads parked until the next append or their deadline.
 */

export class Waiters {
  #pending = new Set<() => void>();

  /** Resolves true when woken by `wakeAll`, false when `ms` pass first. */
  wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#pending.delete(wake);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#pending.delete(wake);
        resolve(false);
      }, ms);
      this.#pending.add(wake);
    });
  }

  wakeAll(): void {
    for (const wake of [...this.#pending]) wake();
  }

  get size(): number {
    return this.#pending.size;
  }
}
