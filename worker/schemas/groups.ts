/**
 * @module
 * Validation of consumer group requests, and the shapes of their answers
 * for the OpenAPI document (PROTOCOL.md, "Consumer groups").
 */

import { z } from "@hono/zod-openapi";
import { MAX_PARTITIONS, TOPIC_NAME_PATTERN, isValidTopicName } from "../../src/protocol/limits.ts";
import type {
  CommittedOffset,
  GroupDescription,
  GroupList,
  HeartbeatResponse,
  JoinGroupResponse,
  TopicPartitions,
} from "../../src/protocol/types.ts";
import {
  DEFAULT_SESSION_TIMEOUT_MS,
  MAX_OFFSETS_PER_COMMIT,
  MAX_OFFSET_METADATA_LENGTH,
  MAX_SESSION_TIMEOUT_MS,
  MAX_TOPICS_PER_MEMBER,
  MIN_SESSION_TIMEOUT_MS,
} from "../groups/limits.ts";

/** Group names follow the topic name rule. */
const NAME_RULE = "1 to 249 characters of a-z, A-Z, 0-9, '.', '_' and '-', not '.' or '..'";
const Name = () => z.string().regex(TOPIC_NAME_PATTERN, NAME_RULE).refine(isValidTopicName, NAME_RULE);
const MEMBER_ID_PATTERN = /^[a-zA-Z0-9._-]{1,200}$/;
const MemberId = z.string().regex(MEMBER_ID_PATTERN, "a member id as join answered it");
const Generation = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Partition = z.number().int().min(0).max(MAX_PARTITIONS - 1);
const Offset = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Assignor = z.enum(["range", "roundrobin", "sticky"]);

export const GroupParams = z.object({
  group: Name().openapi({ param: { name: "group", in: "path" }, example: "billing" }),
});

export const MemberParams = GroupParams.extend({
  member: MemberId.openapi({ param: { name: "member", in: "path" }, example: "member-1f0c…" }),
});

export const JoinBody = z
  .object({
    topics: z
      .array(Name())
      .min(1)
      .max(MAX_TOPICS_PER_MEMBER)
      .refine((t) => new Set(t).size === t.length, "each topic once"),
    memberId: MemberId.optional().openapi({ description: "rejoin as this member (after a heartbeat said to)" }),
    clientId: z.string().regex(/^[a-zA-Z0-9._-]{1,100}$/, "1 to 100 characters of a-z, A-Z, 0-9, '.', '_' and '-'").optional(),
    sessionTimeoutMs: z
      .number()
      .int()
      .min(MIN_SESSION_TIMEOUT_MS)
      .max(MAX_SESSION_TIMEOUT_MS)
      .optional()
      .openapi({ description: `default ${DEFAULT_SESSION_TIMEOUT_MS}; a rejoin without it keeps the member's` }),
    assignor: Assignor.optional().openapi({ description: "the group's assignor; the first member chooses (sticky by default)" }),
  })
  .strict()
  .openapi("JoinGroupRequest");

export const HeartbeatBody = z.object({ generation: Generation }).strict().openapi("HeartbeatRequest");

export const CommitBody = z
  .object({
    memberId: MemberId,
    generation: Generation,
    offsets: z
      .array(
        z
          .object({
            topic: Name(),
            partition: Partition,
            offset: Offset.openapi({ description: "the next offset to consume: last processed + 1" }),
            metadata: z.string().max(MAX_OFFSET_METADATA_LENGTH).nullable().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_OFFSETS_PER_COMMIT)
      .refine((os) => new Set(os.map((o) => `${o.topic}/${o.partition}`)).size === os.length, "each partition once"),
  })
  .strict()
  .openapi("CommitOffsetsRequest");

export const OffsetsQuery = z.object({ topic: Name().optional() }).strict();

export const ResetBody = z
  .object({
    topic: Name(),
    to: z.union([
      z.enum(["earliest", "latest"]),
      z.object({ timestamp: z.number().int().min(0).max(8.64e15) }).strict(),
      z.object({ offset: Offset }).strict(),
    ]),
    partitions: z
      .array(Partition)
      .min(1)
      .max(MAX_PARTITIONS)
      .refine((ps) => new Set(ps).size === ps.length, "each partition once")
      .optional()
      .openapi({ description: "all of the topic's partitions when absent" }),
  })
  .strict()
  .openapi("ResetOffsetsRequest");

const TopicPartitionsSchema = z
  .object({ topic: z.string(), partitions: z.array(z.number().int()) })
  .openapi("TopicPartitions") satisfies z.ZodType<TopicPartitions>;

export const JoinResponseSchema = z
  .object({
    memberId: z.string(),
    generation: z.number().int(),
    assignor: Assignor,
    assignment: z.array(TopicPartitionsSchema),
    pending: z.array(TopicPartitionsSchema),
    sessionTimeoutMs: z.number().int(),
    heartbeatIntervalMs: z.number().int(),
  })
  .openapi("JoinGroupResponse") satisfies z.ZodType<JoinGroupResponse>;

export const HeartbeatResponseSchema = z
  .object({ generation: z.number().int() })
  .openapi("HeartbeatResponse") satisfies z.ZodType<HeartbeatResponse>;

const CommittedOffsetSchema = z
  .object({
    topic: z.string(),
    partition: z.number().int(),
    offset: z.number().int(),
    metadata: z.string().nullable(),
    committedAt: z.number().int(),
  })
  .openapi("CommittedOffset") satisfies z.ZodType<CommittedOffset>;

export const GroupOffsetsSchema = z.object({ offsets: z.array(CommittedOffsetSchema) }).openapi("GroupOffsets");

export const GroupListSchema = z
  .object({ groups: z.array(z.object({ group: z.string(), createdAt: z.number().int() })) })
  .openapi("GroupList") satisfies z.ZodType<GroupList>;

export const GroupDescriptionSchema = z
  .object({
    group: z.string(),
    state: z.enum(["Empty", "Rebalancing", "Stable"]),
    generation: z.number().int(),
    assignor: Assignor.nullable(),
    members: z.array(
      z.object({
        memberId: z.string(),
        clientId: z.string().nullable(),
        topics: z.array(z.string()),
        sessionTimeoutMs: z.number().int(),
        generation: z.number().int(),
        assignment: z.array(TopicPartitionsSchema),
        pending: z.array(TopicPartitionsSchema),
        joinedAt: z.number().int(),
        lastHeartbeatAt: z.number().int(),
        expiresAt: z.number().int(),
      }),
    ),
    partitions: z.array(
      z.object({
        topic: z.string(),
        partition: z.number().int(),
        committedOffset: z.number().int().nullable(),
        metadata: z.string().nullable(),
        logStartOffset: z.number().int(),
        highWatermark: z.number().int(),
        lag: z.number().int().nullable(),
      }),
    ),
    totalLag: z.number().int(),
  })
  .openapi("GroupDescription") satisfies z.ZodType<GroupDescription>;
