/**
 * @module
 * The progress line of a long produce, on stderr: how many records the bus
 * has acknowledged, at what rate. Drawn in place on a terminal; with
 * `--progress` into a pipe or file, a line every second instead.
 */

import cliProgress from "cli-progress";

interface Progress {
  update(acknowledged: number): void;
  stop(): void;
}

const NONE: Progress = { update: () => {}, stop: () => {} };

/** `done`: records acknowledged before this run (a resumed run starts there). */
export function progressLine(topic: string, total: number, done: number, forced: boolean): Progress {
  const tty = process.stderr.isTTY === true;
  // A short input is done before a bar helps; --progress shows one anyway.
  if (!forced && (!tty || total < 10_000)) return NONE;
  const started = Date.now();
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `produce ${topic} [{bar}] {percentage}% | {value}/{total} records | {rate} records/s | eta {eta_formatted}`,
    noTTYOutput: !tty,
    notTTYSchedule: 1_000,
    hideCursor: tty,
    etaBuffer: 50,
  });
  bar.start(total, done, { rate: 0 });
  return {
    update: (acknowledged) => {
      const seconds = (Date.now() - started) / 1000;
      bar.update(acknowledged, { rate: seconds > 0 ? Math.round((acknowledged - done) / seconds) : 0 });
    },
    stop: () => bar.stop(),
  };
}
