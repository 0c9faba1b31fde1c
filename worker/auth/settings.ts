/**
 * @module
 * How the bus authenticates, read from its vars and secrets. The secrets are
 * typed here, in one place, because they are optional alternatives (any one
 * of them makes a deployed bus usable) and so cannot be declared as
 * wrangler's `[secrets] required`; they come from `wrangler secret put` or
 * `.dev.vars`, never from wrangler.toml.
 */

/** The secrets a deployed bus may have; each is optional. */
export interface AuthSecrets {
  /** Comma-separated HS256 secrets: any verifies, the first signs (rotation). */
  EDGELOG_JWT_SECRETS?: string;
  /** A JWKS document's URL for RS256/ES256 tokens. */
  EDGELOG_JWKS_URL?: string;
  /** An opaque operator token that grants everything. */
  EDGELOG_ADMIN_TOKEN?: string;
  /** When set, tokens must name this audience. */
  EDGELOG_JWT_AUDIENCE?: string;
  /** When set, tokens must name this issuer. */
  EDGELOG_JWT_ISSUER?: string;
}

export interface AuthSettings {
  /** `open` only for local runs; anything else (or nothing) means `required`. */
  mode: "open" | "required";
  hsSecrets: string[];
  jwksUrl?: string;
  adminToken?: string;
  audience?: string;
  issuer?: string;
}

export function authSettings(env: Env): AuthSettings {
  // Typegen types vars as their wrangler.toml literals; tests and local runs pass others.
  const vars = env as unknown as AuthSecrets & { EDGELOG_AUTH?: string };
  return {
    // Fail closed: a missing or misspelt mode is `required`.
    mode: vars.EDGELOG_AUTH === "open" ? "open" : "required",
    hsSecrets: (vars.EDGELOG_JWT_SECRETS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
    jwksUrl: nonEmpty(vars.EDGELOG_JWKS_URL),
    adminToken: nonEmpty(vars.EDGELOG_ADMIN_TOKEN),
    audience: nonEmpty(vars.EDGELOG_JWT_AUDIENCE),
    issuer: nonEmpty(vars.EDGELOG_JWT_ISSUER),
  };
}

/** True when a required-mode bus has at least one way to accept a token. */
export function hasCredentials(settings: AuthSettings): boolean {
  return settings.hsSecrets.length > 0 || settings.jwksUrl !== undefined || settings.adminToken !== undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
