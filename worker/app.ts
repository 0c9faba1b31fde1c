/**
 * @module
 * The Hono app: limits and errors first, then the routes, then the OpenAPI
 * document generated from the same schemas that validate requests.
 */

import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import pkg from "../package.json" with { type: "json" };
import { PRODUCER_EPOCH, PRODUCER_ID, PRODUCER_SEQ, REQUEST_ID, RETRY_AFTER } from "../src/protocol/headers.ts";
import { MAX_REQUEST_BYTES } from "../src/protocol/limits.ts";
import { bench } from "./bench/index.ts";
import { ApiError, onError } from "./http-error.ts";
import { health } from "./routes/health.ts";
import { live } from "./routes/live.ts";
import { records } from "./routes/records.ts";
import { topics } from "./routes/topics.ts";

export const app = new OpenAPIHono<{ Bindings: Env }>();

app.onError(onError);
app.notFound((c) => {
  throw new ApiError("NOT_FOUND", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`);
});

// Web apps on any origin may call the bus; tokens (not origins) decide what
// they may do.
app.use(
  "/v1/*",
  cors({
    origin: "*",
    allowMethods: ["GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ["Content-Type", "Authorization", "Last-Event-ID", PRODUCER_ID, PRODUCER_EPOCH, PRODUCER_SEQ, REQUEST_ID],
    exposeHeaders: [RETRY_AFTER, REQUEST_ID],
    maxAge: 86_400,
  }),
);

app.use(
  "/v1/*",
  bodyLimit({
    maxSize: MAX_REQUEST_BYTES,
    onError: () => {
      throw new ApiError("PAYLOAD_TOO_LARGE", `request bodies are limited to ${MAX_REQUEST_BYTES} bytes`, {
        limit: MAX_REQUEST_BYTES,
      });
    },
  }),
);

app.route("/", health);
app.route("/", topics);
app.route("/", records);
app.route("/", live);
app.route("/", bench);

app.doc31("/v1/openapi.json", {
  openapi: "3.1.0",
  info: { title: "edgelog", version: pkg.version, description: "Kafka's model over HTTP, at the edge. See PROTOCOL.md." },
});
