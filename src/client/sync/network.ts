/**
 * @module
 * Whether the bus is reachable. The browser's own online flag gates every
 * request (offline, nothing is tried); request outcomes decide the `online`
 * and `offline` events, since `navigator.onLine` only knows about the link,
 * not about the bus.
 */

export class NetworkState {
  readonly #onChange: (online: boolean) => void;
  #linkUp: boolean;
  #reachable = true;
  #waiters = new Set<() => void>();

  constructor(linkUp: boolean, onChange: (online: boolean) => void) {
    this.#linkUp = linkUp;
    this.#onChange = onChange;
  }

  /** The link is up and the last request got an answer. */
  get online(): boolean {
    return this.#linkUp && this.#reachable;
  }

  get linkUp(): boolean {
    return this.#linkUp;
  }

  /** The browser's `online`/`offline` event. */
  setLink(up: boolean): void {
    const before = this.online;
    this.#linkUp = up;
    if (up) this.#reachable = true;
    this.#changed(before);
    if (up) this.#wakeAll();
  }

  /** A request's outcome: answered (whatever the status) or not. */
  setReachable(reachable: boolean): void {
    const before = this.online;
    this.#reachable = reachable;
    this.#changed(before);
  }

  /** Resolves when the link is up (at once if it is). */
  whenLinkUp(signal?: AbortSignal): Promise<void> {
    if (this.#linkUp || signal?.aborted) return Promise.resolve();
    return this.nextLinkUp(signal);
  }

  /** Resolves at the next `online` event: a reason to cut a backoff short. */
  nextLinkUp(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.#waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  #wakeAll(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  #changed(before: boolean): void {
    if (this.online !== before) this.#onChange(this.online);
  }
}
