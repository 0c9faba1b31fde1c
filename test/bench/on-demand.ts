/**
 * @module
 * Servers a run needs only for some scenarios (a peer, a second engine):
 * started by the first selected scenario's setup, so `--only` starts nothing
 * it does not measure, and all stopped together when the run ends.
 */

interface Stoppable {
  stop(): Promise<void>;
}

export interface OnDemand<T> {
  /** Starts the server the first time; the same handle after. */
  get(): Promise<T>;
}

const started: Stoppable[] = [];

export function onDemand<T extends Stoppable>(start: () => Promise<T>): OnDemand<T> {
  let handle: Promise<T> | undefined;
  return {
    get: () =>
      (handle ??= start().then((h) => {
        started.push(h);
        return h;
      })),
  };
}

/** Stops every server started so far; failures to stop do not hide the run's result. */
export async function stopStarted(): Promise<void> {
  await Promise.allSettled(started.splice(0).map((s) => s.stop()));
}
