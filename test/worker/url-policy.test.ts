/**
 * Plain http only to this machine, for both URLs the bus fetches on an
 * operator's or a subscriber's say: a JWKS (EDGELOG_JWKS_URL) and a Durable
 * Streams subscription's webhook. Webhooks also never reach private
 * networks over https.
 */

import { describe, expect, it } from "vitest";
import { jwksUrlProblem } from "../../worker/auth/jwks.ts";
import { isLoopbackHost } from "../../worker/loopback.ts";
import { webhookUrlProblem } from "../../worker/streams/subscriptions/webhook-url.ts";

describe("loopback hosts", () => {
  it("are localhost, 127.0.0.0/8 and [::1], as URL spells them", () => {
    const host = (url: string) => new URL(url).hostname;
    for (const url of ["http://localhost:8787/", "http://LOCALHOST/", "http://127.0.0.1/", "http://127.9.8.7/", "http://[::1]:9/"]) {
      expect(isLoopbackHost(host(url)), url).toBe(true);
    }
    for (const url of ["http://localhost.example/", "http://128.0.0.1/", "http://[::2]/", "http://10.0.0.1/", "http://127.0.0.1.example/"]) {
      expect(isLoopbackHost(host(url)), url).toBe(false);
    }
  });
});

describe("URLs the bus fetches", () => {
  it("take https anywhere public and plain http only to this machine", () => {
    for (const url of ["https://keys.example/jwks.json", "http://127.0.0.1:9/jwks.json", "http://[::1]/jwks.json", "http://localhost/jwks.json"]) {
      expect(jwksUrlProblem(url), url).toBeNull();
    }
    for (const url of ["http://keys.example/jwks.json", "ftp://keys.example/jwks.json", "not a url"]) {
      expect(jwksUrlProblem(url), url).toMatch(/EDGELOG_JWKS_URL/);
    }
    for (const url of ["https://hooks.example/wake", "http://127.0.0.1:3000/wake", "http://[::1]:3000/wake", "http://localhost/wake"]) {
      expect(webhookUrlProblem(url), url).toBeNull();
    }
    for (const url of ["http://hooks.example/wake", "https://127.0.0.1/wake", "https://10.1.2.3/wake", "https://[::1]/wake", "ftp://hooks.example/", "/relative"]) {
      expect(webhookUrlProblem(url), url).not.toBeNull();
    }
  });
});
