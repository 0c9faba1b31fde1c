/**
 * @module
 * Ctrl-C for long-running commands: the first SIGINT (or SIGTERM) aborts
 * the returned signal so the command can finish cleanly — commit what it
 * printed, leave its group, keep its journal — and exit 130; a second one
 * exits at once.
 */

import { EXIT } from "./errors.ts";

export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(EXIT.INTERRUPTED);
    controller.abort();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return controller.signal;
}
