/**
 * Which grant each request of the Durable Streams face needs: a stream is
 * named like a topic (grants match its whole name), a topic partition read
 * as a stream needs what reading the partition needs, and the reserved
 * subscription API is for operators, except what its own tokens authorize.
 */

import { describe, expect, it } from "vitest";
import { requirementFor } from "../../worker/auth/requirements.ts";
import { call } from "./support.ts";

const grants = (method: string, path: string) => {
  const r = requirementFor(method, path);
  return r.kind === "grant" ? r.anyOf.map((g) => `${g.action} ${g.resource} ${g.name ?? "*"}`) : [r.kind];
};

describe("stream requirements", () => {
  it("asks produce to write, consume to read, admin to delete, on the stream's whole name", () => {
    expect(grants("PUT", "/v1/stream/chat/room-1")).toEqual(["produce stream chat/room-1"]);
    expect(grants("POST", "/v1/stream/chat/room-1")).toEqual(["produce stream chat/room-1"]);
    expect(grants("GET", "/v1/stream/chat/room-1")).toEqual(["consume stream chat/room-1"]);
    expect(grants("HEAD", "/v1/stream/chat/room-1")).toEqual(["consume stream chat/room-1"]);
    expect(grants("DELETE", "/v1/stream/chat/room-1")).toEqual(["admin stream chat/room-1"]);
    // Percent-encoding names the same stream.
    expect(grants("GET", "/v1/stream/chat%2Froom-1")).toEqual(["consume stream chat/room-1"]);
  });

  it("reads a topic partition with the grant that reads the partition", () => {
    expect(grants("GET", "/v1/stream/topics/orders/3")).toEqual(["consume topic orders"]);
    expect(grants("POST", "/v1/stream/topics/orders/3")).toEqual(["admin topic orders"]);
  });

  it("keeps subscriptions for operators, and lets a woken consumer's own token through", () => {
    expect(grants("PUT", "/v1/stream/__ds/subscriptions/s1")).toEqual(["admin cluster *"]);
    expect(grants("POST", "/v1/stream/__ds/subscriptions/s1/claim")).toEqual(["admin cluster *"]);
    for (const action of ["callback", "ack", "release"]) expect(grants("POST", `/v1/stream/__ds/subscriptions/s1/${action}`)).toEqual(["public"]);
    expect(grants("GET", "/v1/stream/__ds/jwks.json")).toEqual(["public"]);
  });

  it("never lets a spelling of the reserved prefix write a stream", async () => {
    // Decoded it is `__ds/…/callback` (public): the face must not take it as a stream name.
    const res = await call("/v1/stream/%5F%5Fds/subscriptions/s1/callback", { method: "PUT", headers: { "content-type": "text/plain" }, body: "x" });
    expect(res.status).toBe(400);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("INVALID_REQUEST");
  });
});
