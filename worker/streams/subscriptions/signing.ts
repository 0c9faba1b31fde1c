/**
 * @module
 * The keys behind subscriptions: an Ed25519 key that signs every webhook
 * (`Webhook-Signature: t=<unix s>,kid=<key id>,ed25519=<base64url>` over
 * `<t>.<body>`; receivers verify with the JWKS at `__ds/jwks.json`), and an
 * HMAC secret for the callback tokens a woken consumer presents. Both are
 * made once per bus and kept in the registry's SQLite.
 */

const encoder = new TextEncoder();

export interface StoredKeys {
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey & { kid: string };
  tokenSecret: string;
}

export async function newKeys(): Promise<StoredKeys> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const privateJwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  const pub = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  // RFC 7638 thumbprint: the required members, in lexicographic order.
  const thumbprint = await crypto.subtle.digest("SHA-256", encoder.encode(JSON.stringify({ crv: pub.crv, kty: pub.kty, x: pub.x })));
  const kid = `ds_${base64url(new Uint8Array(thumbprint))}`;
  const secret = crypto.getRandomValues(new Uint8Array(32));
  return { privateJwk, publicJwk: { kty: "OKP", crv: "Ed25519", x: pub.x!, kid, use: "sig", alg: "EdDSA" }, tokenSecret: base64url(secret) };
}

export class Signer {
  readonly #keys: StoredKeys;
  #signing: Promise<CryptoKey> | undefined;
  #hmac: Promise<CryptoKey> | undefined;

  constructor(keys: StoredKeys) {
    this.#keys = keys;
  }

  get kid(): string {
    return this.#keys.publicJwk.kid;
  }

  jwks(): { keys: JsonWebKey[] } {
    return { keys: [this.#keys.publicJwk] };
  }

  async webhookSignature(body: string, now = Date.now()): Promise<string> {
    this.#signing ??= crypto.subtle.importKey("jwk", this.#keys.privateJwk, { name: "Ed25519" }, false, ["sign"]) as Promise<CryptoKey>;
    const t = Math.floor(now / 1000);
    const signature = await crypto.subtle.sign({ name: "Ed25519" }, await this.#signing, encoder.encode(`${t}.${body}`));
    return `t=${t},kid=${this.kid},ed25519=${base64url(new Uint8Array(signature))}`;
  }

  /** A token for the consumer woken at `generation` of subscription `id`. */
  async token(id: string, generation: number, ttlMs: number): Promise<string> {
    const payload = base64url(encoder.encode(JSON.stringify({ sub: id, gen: generation, exp: Date.now() + ttlMs })));
    return `${payload}.${await this.#mac(payload)}`;
  }

  /** The generation a token was issued for, or why it is refused. */
  async verifyToken(id: string, token: string): Promise<{ generation: number } | { problem: "invalid" | "expired" }> {
    const [payload, mac] = token.split(".");
    if (!payload || !mac) return { problem: "invalid" };
    let claims: { sub?: unknown; gen?: unknown; exp?: unknown };
    try {
      // verify() compares in constant time.
      if (!(await crypto.subtle.verify("HMAC", await this.#hmacKey(), fromBase64url(mac), encoder.encode(payload)))) return { problem: "invalid" };
      claims = JSON.parse(new TextDecoder().decode(fromBase64url(payload))) as typeof claims;
    } catch {
      return { problem: "invalid" };
    }
    if (claims.sub !== id || typeof claims.gen !== "number") return { problem: "invalid" };
    if (typeof claims.exp !== "number" || claims.exp < Date.now()) return { problem: "expired" };
    return { generation: claims.gen };
  }

  async #mac(payload: string): Promise<string> {
    return base64url(new Uint8Array(await crypto.subtle.sign("HMAC", await this.#hmacKey(), encoder.encode(payload))));
  }

  #hmacKey(): Promise<CryptoKey> {
    this.#hmac ??= crypto.subtle.importKey("raw", fromBase64url(this.#keys.tokenSecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    return this.#hmac;
  }
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
