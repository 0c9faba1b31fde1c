/**
 * @module
 * How subscriptions look on the wire (the protocol's reserved subscription
 * API uses snake_case): a subscription, its streams with their positions,
 * and the URLs a consumer is given.
 */

import { formatOffset } from "../offsets.ts";
import type { Link, Subscription } from "./store.ts";

export interface StreamInfo {
  path: string;
  link_type: "explicit" | "glob";
  acked_offset: string;
  tail_offset: string;
  has_pending: boolean;
}

/** -1 (nothing acknowledged yet) is the protocol's "before the first offset". */
function wireOffset(offset: number): string {
  return offset < 0 ? "-1" : formatOffset(offset);
}

export function streamInfos(links: readonly Link[]): StreamInfo[] {
  return links.map((l) => ({
    path: l.path,
    link_type: l.explicit ? "explicit" : "glob",
    acked_offset: wireOffset(l.acked),
    tail_offset: wireOffset(l.tail),
    has_pending: l.tail > l.acked,
  }));
}

export function jwksUrl(baseUrl: string): string {
  return `${baseUrl}/v1/stream/__ds/jwks.json`;
}

export function actionUrl(s: Subscription, action: string): string {
  return `${s.baseUrl}/v1/stream/__ds/subscriptions/${encodeURIComponent(s.id)}/${action}`;
}

export function subscriptionView(s: Subscription, links: readonly Link[], kid: string): Record<string, unknown> {
  return {
    id: s.id,
    subscription_id: s.id,
    type: s.type,
    ...(s.pattern !== null ? { pattern: s.pattern } : {}),
    streams: streamInfos(links).map(({ path, link_type, acked_offset }) => ({ path, link_type, acked_offset })),
    ...(s.webhookUrl !== null ? { webhook: { url: s.webhookUrl, signing: { alg: "ed25519", kid, jwks_url: jwksUrl(s.baseUrl) } } } : {}),
    ...(s.wakeStream !== null ? { wake_stream: s.wakeStream } : {}),
    lease_ttl_ms: s.leaseTtlMs,
    created_at: new Date(s.createdAt).toISOString(),
    status: s.status,
    ...(s.description !== null ? { description: s.description } : {}),
  };
}
