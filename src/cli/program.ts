/**
 * @module
 * The `edgelog` command. Each command group lives in its own module and
 * registers itself here; this file turns every failure into one error line
 * and a stable exit code (errors.ts), and ends the process once the command
 * is done (a client may still hold timers that would keep Node alive).
 */

import { Command, CommanderError } from "commander";
import { consumeCommand } from "./consume.ts";
import { EXIT, report } from "./errors.ts";
import { groupsCommand } from "./groups.ts";
import { produceCommand } from "./produce.ts";
import { tailCommand } from "./tail.ts";
import { tokenCommand } from "./token.ts";
import { topicsCommand } from "./topics.ts";

const program = new Command("edgelog")
  .description("edgelog: Kafka's model at the edge")
  .showHelpAfterError("(add --help for usage)")
  .exitOverride()
  .configureOutput({
    // Commander's own complaints in the CLI's one error format.
    outputError: (text, write) => write(`error: USAGE: ${text.replace(/^error: /, "")}`),
  });

/** The options of the command that ran, for the error report (--json, --url). */
let used: { json?: boolean; url?: string } = {};
program.hook("preAction", (_program, action) => {
  used = action.opts();
});

topicsCommand(program);
produceCommand(program);
consumeCommand(program);
tailCommand(program);
groupsCommand(program);
tokenCommand(program);

let exitCode: number = EXIT.OK;
try {
  await program.parseAsync(process.argv);
  exitCode = typeof process.exitCode === "number" ? process.exitCode : EXIT.OK;
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and --version end in a CommanderError too, with exit code 0.
    exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  } else {
    exitCode = report(err, used);
  }
}
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
process.exit(exitCode);
