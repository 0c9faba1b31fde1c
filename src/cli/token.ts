/**
 * @module
 * `edgelog token ...`: minting tokens for a grant and a lifetime.
 */

import type { Command } from "commander";
import { usageError } from "./errors.ts";
import { collect, parseDuration, signToken } from "./sign.ts";

interface MintOptions {
  secret?: string;
  secretEnv?: string;
  sub: string;
  allow: string[];
  deny: string[];
  origin: string[];
  ttl: string;
  aud?: string;
  iss?: string;
}

const many = (value: string, previous: string[]) => [...previous, value];

export function tokenCommand(program: Command): void {
  const token = program.command("token").description("tokens for a bus that requires them");
  token
    .command("mint")
    .description("print an HS256 token (sign with the first of the bus's EDGELOG_JWT_SECRETS)")
    .option("--secret <secret>", "the signing secret")
    .option("--secret-env <name>", "read the signing secret from this environment variable (keeps it out of shell history)")
    .requiredOption("--sub <id>", "who the token is for (rate limits are per sub)")
    .option("--allow <action:pattern>", "a grant: produce|consume|groups|admin, then a name, prefix* or *; repeatable", many, [])
    .option("--deny <action:pattern>", "a denial, which wins over any grant; repeatable", many, [])
    .option("--origin <origin>", "only valid from this web origin (a browser key); repeatable", many, [])
    .option("--ttl <duration>", "lifetime, like 15m, 1h or 365d", "1h")
    .option("--aud <audience>", "the bus's EDGELOG_JWT_AUDIENCE, if it sets one")
    .option("--iss <issuer>", "the bus's EDGELOG_JWT_ISSUER, if it sets one")
    .action((opts: MintOptions) => {
      const secret = opts.secret ?? (opts.secretEnv !== undefined ? process.env[opts.secretEnv] : undefined);
      if (!secret) throw usageError(opts.secretEnv ? `the environment variable ${opts.secretEnv} is not set` : "give --secret or --secret-env");
      if (opts.allow.length === 0) throw usageError("give at least one --allow: a token without grants can do nothing");
      const jwt = signToken(
        {
          sub: opts.sub,
          ttlSeconds: parseDuration(opts.ttl),
          allow: collect(opts.allow),
          deny: collect(opts.deny),
          origins: opts.origin,
          ...(opts.aud !== undefined ? { aud: opts.aud } : {}),
          ...(opts.iss !== undefined ? { iss: opts.iss } : {}),
        },
        secret,
      );
      process.stdout.write(`${jwt}\n`);
    });
}
