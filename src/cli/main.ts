#!/usr/bin/env node
/**
 * @module
 * The `edgelog` command. Each command group lives in its own module and
 * registers itself here.
 */

import { Command } from "commander";
import { tokenCommand } from "./token.ts";

const program = new Command("edgelog").description("edgelog: Kafka's model at the edge").showHelpAfterError();
tokenCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`edgelog: ${(err as Error).message}\n`);
  process.exitCode = 2;
}
