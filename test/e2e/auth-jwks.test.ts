/**
 * RS256 and ES256 tokens checked against a JWKS, on a real bus that requires
 * tokens. The JWKS is served by a small HTTP server on 127.0.0.1 with keys
 * made here (node:crypto): an RSA key that names its `alg`, and an EC P-256
 * key that does not (many identity providers leave it out), so the key's
 * type alone must keep an RS256 token away from it. Tokens are signed here
 * too, independently of the bus's JWT library.
 *
 * Shown: good tokens are accepted; every forged, confused, expired,
 * premature or misaddressed one is 401 with a reason and writes nothing; an
 * unreachable JWKS is 503 (retriable); a key added to the JWKS is picked up
 * (after the 10 s refetch pause, with few fetches however many tokens ask).
 */

import { createHmac, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../support/api.ts";
import { startBus, type Bus } from "../support/bus.ts";

const AUDIENCE = "edgelog-jwks-test";
const ADMIN = { authorization: "Bearer jwks-test-admin" };
const TOPIC = "jwks-orders";

interface Signer {
  kid: string;
  alg: "RS256" | "ES256";
  privateKey: KeyObject;
  /** The public key as the JWKS publishes it. */
  jwk: Record<string, unknown>;
}

function rsaKey(kid: string): Signer {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, alg: "RS256", privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" } };
}

function ecKey(kid: string): Signer {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { kid, alg: "ES256", privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid } };
}

const rsa = rsaKey("rsa-1");
const ec = ecKey("ec-1");
const rotated = rsaKey("rsa-2");
const stranger = rsaKey("rsa-1");

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** A compact JWT: `header.payload.signature`, signed as `how` says (or not at all). */
function jwt(header: Record<string, unknown>, payload: Record<string, unknown>, how: { key: KeyObject; alg: "RS256" | "ES256" } | { hmac: string } | "unsigned"): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  if (how === "unsigned") return `${input}.`;
  if ("hmac" in how) return `${input}.${createHmac("sha256", how.hmac).update(input).digest("base64url")}`;
  // JWS ES256 signatures are r || s, not DER.
  const signature = sign("sha256", Buffer.from(input), how.alg === "ES256" ? { key: how.key, dsaEncoding: "ieee-p1363" } : how.key);
  return `${input}.${b64url(signature)}`;
}

const now = () => Math.floor(Date.now() / 1000);
const claims = (over: Record<string, unknown> = {}) => ({
  sub: "jwks-client",
  aud: AUDIENCE,
  exp: now() + 600,
  edgelog: { allow: { produce: [TOPIC], consume: [TOPIC] } },
  ...over,
});
const signed = (s: Signer, over: Record<string, unknown> = {}) => jwt({ alg: s.alg, typ: "JWT", kid: s.kid }, claims(over), { key: s.privateKey, alg: s.alg });

let jwks: Server;
let published: Record<string, unknown>[] = [rsa.jwk, ec.jwk];
let jwksFails = true;
let jwksFetches = 0;
let bus: Bus;

beforeAll(async () => {
  jwks = createServer((_req, res) => {
    jwksFetches++;
    if (jwksFails) return void res.writeHead(500).end("down");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((r) => jwks.listen(0, "127.0.0.1", r));
  const { port } = jwks.address() as AddressInfo;
  bus = await startBus({
    engine: "local",
    vars: {
      EDGELOG_AUTH: "required",
      EDGELOG_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      EDGELOG_JWT_AUDIENCE: AUDIENCE,
      // HS256 is on too, so an HS256 token made with a public key meets a real HS256 check.
      EDGELOG_JWT_SECRETS: "jwks-test-hs-secret",
      EDGELOG_ADMIN_TOKEN: "jwks-test-admin",
    },
  });
  const created = await call(bus.url, "PUT", `/v1/topics/${TOPIC}`, {}, ADMIN);
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await bus?.dispose();
  await new Promise((r) => jwks?.close(r));
});

const produce = (token: string, value: string) =>
  call<any>(bus.url, "POST", `/v1/topics/${TOPIC}/partitions/0/records`, { records: [{ value }] }, { authorization: `Bearer ${token}` });

/** Every value stored, read with the operator token. */
async function stored(): Promise<unknown[]> {
  const res = await call<any>(bus.url, "GET", `/v1/topics/${TOPIC}/partitions/0/records?offset=earliest&maxRecords=1000`, undefined, ADMIN);
  expect(res.status).toBe(200);
  return res.body.records.map((r: { value: unknown }) => r.value);
}

describe("JWKS tokens", () => {
  it("answers 503 UNAVAILABLE while the JWKS cannot be fetched, and writes nothing", async () => {
    const res = await produce(signed(rsa), "while-down");
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: "UNAVAILABLE", retriable: true } });
    expect(res.body.error.message).toContain("JWKS");
    expect(await stored()).toEqual([]);
    jwksFails = false;
  });

  it("accepts RS256 and ES256 tokens whose kid names their key, for what they grant", async () => {
    expect((await produce(signed(rsa), "rs256")).status).toBe(200);
    expect((await produce(signed(ec), "es256")).status).toBe(200);
    const read = await call<any>(bus.url, "GET", `/v1/topics/${TOPIC}/partitions/0/records?offset=earliest`, undefined, { authorization: `Bearer ${signed(ec)}` });
    expect(read.status).toBe(200);
    expect(read.body.records.map((r: { value: unknown }) => r.value)).toEqual(["rs256", "es256"]);
    // Grants still apply: this token may not administer.
    expect((await call<any>(bus.url, "DELETE", `/v1/topics/${TOPIC}`, undefined, { authorization: `Bearer ${signed(rsa)}` })).body).toMatchObject({
      error: { code: "FORBIDDEN" },
    });
  });

  const refusals: [string, () => string, string][] = [
    ["alg none", () => jwt({ alg: "none", typ: "JWT", kid: rsa.kid }, claims(), "unsigned"), "alg 'none'"],
    [
      "HS256 signed with the RSA public key (PEM): alg confusion",
      () => jwt({ alg: "HS256", typ: "JWT", kid: rsa.kid }, claims(), { hmac: createPublicKey(rsa.privateKey).export({ type: "spki", format: "pem" }) as string }),
      "signature",
    ],
    [
      "HS256 signed with the RSA public key (JWK)",
      () => jwt({ alg: "HS256", typ: "JWT", kid: rsa.kid }, claims(), { hmac: JSON.stringify(rsa.jwk) }),
      "signature",
    ],
    ["ES256 in the header for the RSA key, whose alg is RS256", () => jwt({ alg: "ES256", typ: "JWT", kid: rsa.kid }, claims(), { key: ec.privateKey, alg: "ES256" }), "alg"],
    ["RS256 in the header for the EC key, which names no alg", () => jwt({ alg: "RS256", typ: "JWT", kid: ec.kid }, claims(), { key: rsa.privateKey, alg: "RS256" }), "type"],
    ["RS256 signed by another key under the same kid", () => signed(stranger), "signature"],
    ["an unknown kid", () => jwt({ alg: "RS256", typ: "JWT", kid: "nope" }, claims(), { key: rsa.privateKey, alg: "RS256" }), "kid"],
    ["no kid", () => jwt({ alg: "RS256", typ: "JWT" }, claims(), { key: rsa.privateKey, alg: "RS256" }), "kid"],
    ["an alg the bus does not take (PS256)", () => jwt({ alg: "PS256", typ: "JWT", kid: rsa.kid }, claims(), { key: rsa.privateKey, alg: "RS256" }), "PS256"],
    ["an expired token", () => signed(rsa, { exp: now() - 60 }), "expired"],
    ["a token whose nbf is in the future", () => signed(ec, { nbf: now() + 300 }), "nbf"],
    ["a token for another audience", () => signed(rsa, { aud: "some-other-bus" }), "aud"],
    ["a token without exp", () => signed(ec, { exp: undefined }), "exp"],
  ];

  it.each(refusals)("refuses %s with 401 UNAUTHORIZED and writes nothing", async (name, token, reason) => {
    const res = await produce(token(), name);
    expect(res.status, JSON.stringify(res.body)).toBe(401);
    expect(res.body).toMatchObject({ error: { code: "UNAUTHORIZED", retriable: false } });
    expect(res.body.error.message).toContain(reason);
    expect(await stored()).toEqual(["rs256", "es256"]);
  });

  it("picks up a key added to the JWKS once the refetch pause has passed, with few fetches", async () => {
    const before = jwksFetches;
    published = [rsa.jwk, ec.jwk, rotated.jwk];
    const added = Date.now();
    let accepted: number | undefined;
    let refusals = 0;
    while (accepted === undefined && Date.now() - added < 20_000) {
      const res = await produce(signed(rotated), `rotated-${refusals}`);
      if (res.status === 200) accepted = Date.now();
      else {
        expect(res.body).toMatchObject({ error: { code: "UNAUTHORIZED" } });
        expect(res.body.error.message).toContain("kid");
        refusals++;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(accepted, "the new key was never accepted").toBeDefined();
    // Within the 10 s pause (plus slack), and however many tokens asked, one or two fetches.
    expect(accepted! - added).toBeLessThan(12_000);
    expect(jwksFetches - before).toBeGreaterThanOrEqual(1);
    expect(jwksFetches - before).toBeLessThanOrEqual(2);
    // The old keys still work; only the accepted rotated record was written.
    expect((await produce(signed(ec), "after")).status).toBe(200);
    expect(await stored()).toEqual(["rs256", "es256", `rotated-${refusals}`, "after"]);
  }, 40_000);
});

