/**
 * @module
 * The leader's one alarm, as last set, so the hot path can ask "is one due
 * by then?" without a storage call, and setting the same time twice costs
 * nothing. Setting and deleting are storage writes: the output gate holds
 * replies until they are durable, so an acknowledged append never lacks the
 * alarm that will clean up after it.
 */

export class AlarmClock {
  readonly #storage: DurableObjectStorage;
  #at: number | null = null;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /** Reads the stored alarm once, at start (inside blockConcurrencyWhile). */
  async load(): Promise<void> {
    this.#at = await this.#storage.getAlarm();
  }

  /** When the alarm rings; null when none is set. */
  get at(): number | null {
    return this.#at;
  }

  /** The alarm fired: none is set until the next `set`. */
  rang(): void {
    this.#at = null;
  }

  /** Rings at `at` or earlier: moves a later alarm to `at`, never one that is already sooner. */
  ensure(at: number): void {
    if (this.#at === null || at < this.#at) this.set(at);
  }

  set(at: number | null): void {
    if (at === this.#at) return;
    this.#at = at;
    if (at === null) void this.#storage.deleteAlarm();
    else void this.#storage.setAlarm(at);
  }
}
