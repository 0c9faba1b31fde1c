/**
 * @module
 * Per-caller rate limits on produce and fetch through Cloudflare's
 * rate-limiting bindings (Miniflare simulates them locally). The key is the
 * token's subject, or the client IP for anonymous callers of an open bus.
 * `EDGELOG_RATE_LIMITS` picks the limiter: `standard` (wrangler.toml's
 * generous limits), `tiny` (for tests that must trigger it) or `off`.
 * A runtime without the binding (a host that does not simulate it) is not
 * limited.
 */

import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../http-error.ts";

/** Both bindings count over 10 s windows (wrangler.toml `[[ratelimits]]`). */
const PERIOD_S = 10;

export function rateLimit(): MiddlewareHandler<{ Bindings: Env }> {
  return async function rateLimit(c, next) {
    const requirement = c.get("requirement");
    const principal = c.get("principal");
    if (requirement?.kind !== "grant" || requirement.rateLimit === undefined || principal === undefined) return next();
    const which: string = c.env.EDGELOG_RATE_LIMITS ?? "standard";
    if (which === "off") return next();
    // Undefined on a host that does not simulate the binding.
    const limiter: RateLimit | undefined =
      which === "tiny" ? c.env.RATE_LIMIT_TINY : requirement.rateLimit === "produce" ? c.env.RATE_LIMIT_PRODUCE : c.env.RATE_LIMIT_FETCH;
    if (limiter === undefined) return next();
    const caller = principal.id === "anonymous" ? `ip:${c.req.header("cf-connecting-ip") ?? "local"}` : `sub:${principal.id}`;
    const { success } = await limiter.limit({ key: `${requirement.rateLimit}:${caller}` });
    if (!success) {
      throw new ApiError("RATE_LIMITED", `too many ${requirement.rateLimit} requests; retry after ${PERIOD_S} s`, { retryAfter: PERIOD_S });
    }
    return next();
  };
}
