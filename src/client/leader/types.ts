/**
 * @module
 * Leadership of an outbox: exactly one drainer per outbox, so one writer
 * owns the producer epoch.
 */

export interface Leadership {
  /**
   * Runs `lead` once this tab or process is elected; leadership lasts until
   * `stop()` or until the holder goes away (the tab closes or crashes).
   */
  start(lead: () => void): void;
  readonly isLeader: boolean;
  /** Steps down, or stops waiting to be elected. */
  stop(): void;
}
