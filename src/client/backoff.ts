/**
 * @module
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential
 * Backoff And Jitter"): each retry waits a random time in [0, min(cap,
 * base·2^attempt)], so clients that failed together do not retry together.
 * A server's Retry-After is a floor, never shortened by jitter.
 */

export interface BackoffOptions {
  /** First ceiling, in ms. Default 250. */
  baseMs?: number;
  /** Largest ceiling, in ms. Default 30,000. */
  capMs?: number;
  /** Uniform [0, 1); injectable so tests can pin it. */
  random?: () => number;
}

export class Backoff {
  readonly #baseMs: number;
  readonly #capMs: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#baseMs = options.baseMs ?? 250;
    this.#capMs = options.capMs ?? 30_000;
    this.#random = options.random ?? Math.random;
  }

  /** Failures since the last success. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next retry; counts one more failure. */
  next(retryAfterMs?: number): number {
    const ceiling = Math.min(this.#capMs, this.#baseMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    const delay = Math.floor(this.#random() * ceiling);
    return retryAfterMs === undefined ? delay : Math.max(delay, Math.min(retryAfterMs, this.#capMs * 4));
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/**
 * Waits `ms`, ending early (without error) when `wake` resolves or `signal`
 * aborts; the caller re-checks its state either way.
 */
export function sleep(ms: number, options: { signal?: AbortSignal; wake?: Promise<unknown> } = {}): Promise<void> {
  const { signal, wake } = options;
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    wake?.then(done, done);
  });
}
