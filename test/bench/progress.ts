/**
 * @module
 * Progress on stderr while a run measures, so stdout carries only results.
 * A bar on a terminal; a line now and then in a log.
 */

import { SingleBar } from "cli-progress";

interface Progress {
  /** Marks the start of the next unit of work. */
  next(what: string): void;
  stop(): void;
}

export function progress(total: number): Progress {
  const bar = new SingleBar({
    format: "{bar} {value}/{total} | {duration_formatted} (eta {eta_formatted}) | {what}",
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
    noTTYOutput: true,
    notTTYSchedule: 10_000,
    etaBuffer: 20,
  });
  let done = -1;
  bar.start(total, 0, { what: "" });
  return {
    next(what) {
      done++;
      bar.update(done, { what });
    },
    stop() {
      bar.stop();
    },
  };
}
