/**
 * @module
 * The Hono app: CORS, limits, authorization and errors first, then the routes, then the OpenAPI
 * document generated from the same schemas that validate requests.
 */

import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import pkg from "../package.json" with { type: "json" };
import { MAX_REQUEST_BYTES } from "../src/protocol/limits.ts";
import { bench } from "./bench/index.ts";
import { ApiError, onError } from "./http-error.ts";
import { authorize, authorizeBodyTopics } from "./middleware/auth/index.ts";
import { corsForBus } from "./middleware/cors/index.ts";
import { headerLimits } from "./middleware/header-limits/index.ts";
import { rateLimit } from "./middleware/rate-limit/index.ts";
import { groups } from "./routes/groups.ts";
import { health } from "./routes/health.ts";
import { live } from "./routes/live.ts";
import { records } from "./routes/records.ts";
import { retention } from "./routes/retention.ts";
import { stream } from "./routes/stream.ts";
import { STREAM_PREFIX } from "./streams/names.ts";
import { topics } from "./routes/topics.ts";

export const app = new OpenAPIHono<{ Bindings: Env }>();

app.onError(onError);
app.notFound((c) => {
  throw new ApiError("NOT_FOUND", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`);
});

// Order matters: CORS answers preflights before anything needs a token;
// the token is checked before the body is read; topics a group request
// names in its body are checked once the body limit guards the read.
app.use("/v1/*", corsForBus());
app.use("/v1/*", headerLimits());
app.use("/v1/*", authorize());
app.use("/v1/*", rateLimit());
const limitBodies = bodyLimit({
  maxSize: MAX_REQUEST_BYTES,
  onError: () => {
    throw new ApiError("PAYLOAD_TOO_LARGE", `request bodies are limited to ${MAX_REQUEST_BYTES} bytes`, {
      limit: MAX_REQUEST_BYTES,
    });
  },
});
// The Durable Streams face bounds its own bodies (worker/streams/body.ts).
app.use("/v1/*", (c, next) => (c.req.path.startsWith(STREAM_PREFIX) ? next() : limitBodies(c, next)));
app.use("/v1/*", authorizeBodyTopics());

app.route("/", health);
app.route("/", topics);
app.route("/", records);
app.route("/", retention);
app.route("/", live);
app.route("/", groups);
app.route("/", stream);
app.route("/", bench);

app.doc31("/v1/openapi.json", {
  openapi: "3.1.0",
  info: { title: "edgelog", version: pkg.version, description: "Kafka's model over HTTP, at the edge. See PROTOCOL.md." },
});
