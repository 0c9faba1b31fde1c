/**
 * @module
 * Which URL hosts name this machine. Plain http is accepted only to these,
 * for development (a local identity provider's JWKS, a local webhook):
 * anywhere else a request in the clear could be read or changed on the way.
 */

/** `localhost`, 127.0.0.0/8 or `[::1]`, as `URL.hostname` spells them. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
