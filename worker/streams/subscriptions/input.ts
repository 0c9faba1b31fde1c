/**
 * @module
 * A subscription's definition as PUT sends it, validated: a webhook or a
 * pull-wake consumer, following the streams a pattern matches and/or named
 * streams, with a lease of 1 s to 10 min (30 s by default) for each wake.
 */

import { z } from "@hono/zod-openapi";

const Path = z
  .string()
  .min(1)
  .max(1024)
  .transform((p) => p.replace(/^\/+|\/+$/g, ""));

export const SubscriptionBody = z
  .object({
    type: z.enum(["webhook", "pull-wake"]),
    pattern: Path.optional(),
    streams: z.array(Path).max(1000).optional(),
    webhook: z.object({ url: z.string().min(1).max(2048) }).optional(),
    wake_stream: Path.optional(),
    lease_ttl_ms: z.number().int().min(1_000).max(600_000).default(30_000),
    description: z.string().max(1024).optional(),
  })
  .refine((b) => b.pattern !== undefined || (b.streams?.length ?? 0) > 0, "give a pattern, streams, or both")
  .refine((b) => b.type !== "webhook" || b.webhook !== undefined, "a webhook subscription needs webhook.url")
  .refine((b) => b.type !== "pull-wake" || b.wake_stream !== undefined, "a pull-wake subscription needs wake_stream");

export interface SubscriptionInput {
  type: "webhook" | "pull-wake";
  pattern: string | null;
  streams: string[];
  webhookUrl: string | null;
  wakeStream: string | null;
  leaseTtlMs: number;
  description: string | null;
}

export function toInput(b: z.infer<typeof SubscriptionBody>): SubscriptionInput {
  return {
    type: b.type,
    pattern: b.pattern ?? null,
    streams: [...new Set(b.streams ?? [])].sort(),
    webhookUrl: b.webhook?.url ?? null,
    wakeStream: b.wake_stream ?? null,
    leaseTtlMs: b.lease_ttl_ms,
    description: b.description ?? null,
  };
}

export const StreamsBody = z.object({ streams: z.array(Path).min(1).max(1000) });

/** What a woken consumer reports: the wake it holds, offsets it is done with, whether it is finished. */
export const AckBody = z.object({
  wake_id: z.string().max(200).optional(),
  generation: z.number().int().optional(),
  acks: z.array(z.object({ stream: z.string().optional(), path: z.string().optional(), offset: z.string().max(64) })).max(1000).optional(),
  done: z.boolean().optional(),
});

export type Ack = z.infer<typeof AckBody>;

export const ClaimBody = z.object({ worker: z.string().min(1).max(200) });
