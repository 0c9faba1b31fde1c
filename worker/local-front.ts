/**
 * @module
 * The local engine's front door (local/engine.ts): what Cloudflare's edge
 * does before this worker runs, by wrangler.toml's `run_worker_first =
 * ["/v1/*"]`. The API goes to the app; every other path goes to the static
 * assets, which answer the dashboard's routes with its page.
 *
 * Miniflare would route with two JavaScript workers in front of every
 * request (its asset router and an RPC proxy to it). Locally they cost
 * about 0.3 ms of workerd CPU per API request, as much as a 100-message
 * stream append's own work beyond a raw insert, on the same thread as the
 * bus. Deployed, the edge routes natively and
 * nothing calls this entrypoint.
 */

import { WorkerEntrypoint } from "cloudflare:workers";
import { app } from "./app.ts";

/** The paths `run_worker_first` sends to the worker (wrangler.toml). */
const API_PREFIX = "/v1/";

export class LocalFront extends WorkerEntrypoint<Env> {
  override fetch(request: Request): Response | Promise<Response> {
    // Every produce and fetch passes here: find the path in the absolute URL
    // the runtime gives, without parsing it (the app parses it anyway).
    const url = request.url;
    const path = url.indexOf("/", url.indexOf("//") + 2);
    if (path >= 0 && url.startsWith(API_PREFIX, path)) return app.fetch(request, this.env, this.ctx);
    return this.env.ASSETS.fetch(request);
  }
}
