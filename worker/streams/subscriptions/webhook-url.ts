/**
 * @module
 * Which webhook URLs a subscription may name: https to a public host; plain
 * http only to this machine (loopback.ts), for development. A
 * webhook must never make the bus reach into a private network for someone
 * (private and link-local IPv4, IPv6 literals and non-http schemes are
 * refused).
 */

import { isLoopbackHost } from "../../loopback.ts";

export function webhookUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "webhook.url must be an absolute URL";
  }
  const host = url.hostname.toLowerCase();
  const loopback = isLoopbackHost(host);
  if (url.protocol === "http:") return loopback ? null : "plain http webhooks may only reach this machine: localhost, 127.0.0.0/8 or [::1] (development)";
  if (url.protocol !== "https:") return "webhook.url must use https";
  if (host.startsWith("[")) return "IPv6 literal webhook hosts are not accepted";
  if (loopback || isPrivateIpv4(host)) return "webhook.url must not reach a private, loopback or link-local address";
  return null;
}

function isPrivateIpv4(host: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (!m) return false;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}
