/**
 * @module
 * Crashing the bus under load: producer loops run against it until enough
 * has been acknowledged, then SIGKILL lands while their requests are in
 * flight, and the bus restarts on the same state directory.
 */

import { startBus, type Bus } from "./bus.ts";

export interface CrashOptions {
  /** How many producer loops run at once. */
  loops: number;
  /** Load at least this long before the kill. */
  minLoadMs: number;
  /** Give up waiting for `minAckedPerRound` after this long (the test then fails on its own counts). */
  maxLoadMs: number;
  /** Acknowledged so far, in whatever unit the test counts. */
  acked(): number;
  minAckedPerRound: number;
  /** Crash again while a kill cuts off nothing, up to this many times. */
  maxRounds: number;
  /** One request of loop `loop`; resolves once it is acknowledged, throws on anything else. */
  step(url: string, loop: number): Promise<void>;
  /** Loop `loop`'s request failed because of the kill. */
  onCutOff?(loop: number): void;
}

export interface CrashReport {
  /** The bus restarted on the same state directory after the last kill. */
  bus: Bus;
  rounds: number;
  /** Requests in flight at the last kill, and how many of them it cut off. */
  inFlightAtKill: number;
  cutOff: number;
  /** Failures before any kill: each one is a bug. */
  errors: string[];
}

/**
 * Loads `bus` and kills it, restarting each time on the same state
 * directory. When the kill cuts off no request the bus was idle, waiting
 * for this process (descheduled on a busy machine, with every answer
 * already read but not yet handled): that was no crash mid-load, so it
 * goes again, up to `maxRounds`.
 */
export async function crashUnderLoad(bus: Bus, options: CrashOptions): Promise<CrashReport> {
  const errors: string[] = [];
  for (let round = 1; ; round++) {
    let killed = false;
    let inFlight = 0;
    let cutOff = 0;
    const loop = async (index: number) => {
      while (!killed) {
        inFlight++;
        try {
          await options.step(bus.url, index);
        } catch (err) {
          if (killed) {
            cutOff++;
            options.onCutOff?.(index);
          } else {
            errors.push(String(err));
          }
          return;
        } finally {
          inFlight--;
        }
      }
    };
    const running = Array.from({ length: options.loops }, (_, i) => loop(i));
    const ackedBefore = options.acked();
    await loadedFor(options, () => options.acked() - ackedBefore >= options.minAckedPerRound);
    // No await between these: the kill lands while the loops' requests are on the wire.
    killed = true;
    const inFlightAtKill = inFlight;
    const killing = bus.kill();
    await Promise.all(running);
    await killing;
    bus = await startBus({ stateDir: bus.stateDir, engine: bus.engine });
    if (cutOff > 0 || errors.length > 0 || round === options.maxRounds) {
      return { bus, rounds: round, inFlightAtKill, cutOff, errors };
    }
  }
}

/**
 * Resolves once `minLoadMs` have passed and `enough()` holds (or
 * `maxLoadMs` have passed), in the event loop's check phase: a timer fires
 * before pending I/O is handled, so answers that arrived meanwhile are
 * handled first and their loops have sent their next requests.
 */
async function loadedFor(options: CrashOptions, enough: () => boolean): Promise<void> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  while (elapsed() < options.maxLoadMs && (elapsed() < options.minLoadMs || !enough())) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setImmediate(r));
}
