/**
 * @module
 * Consumer groups over plain HTTP: join, heartbeat, leave, commit and read
 * offsets, describe with lag, list, delete, reset offsets. Each request goes
 * to the group's coordinator by name, so any edge serves any member; no
 * request holds a connection open.
 */

import { OpenAPIHono, createRoute } from "@hono/zod-openapi";
import { ApiError } from "../http-error.ts";
import { withLag } from "../groups/lag.ts";
import { currentOffsets, currentTopics, resolveReset, toWire } from "../groups/offsets.ts";
import { coordinatorStub, registryStub } from "../groups/stubs.ts";
import { jsonBody } from "../middleware/json-body/index.ts";
import {
  CommitBody,
  GroupDescriptionSchema,
  GroupListSchema,
  GroupOffsetsSchema,
  GroupParams,
  HeartbeatBody,
  HeartbeatResponseSchema,
  JoinBody,
  JoinResponseSchema,
  MemberParams,
  OffsetsQuery,
  ResetBody,
} from "../schemas/groups.ts";
import { errors, json } from "../schemas/responses.ts";
import { lookupTopic } from "../topic-cache.ts";
import { validationHook } from "../validation.ts";

export const groups = new OpenAPIHono<{ Bindings: Env }>({ defaultHook: validationHook });

const body = <T>(schema: T) => ({ required: true, content: { "application/json": { schema } } });

groups.openapi(
  createRoute({
    method: "get",
    path: "/v1/groups",
    summary: "List consumer groups",
    responses: { 200: json(GroupListSchema, "every group, by name") },
  }),
  async (c) => c.json({ groups: await registryStub(c.env).list() }, 200),
);

groups.openapi(
  createRoute({
    method: "get",
    path: "/v1/groups/{group}",
    summary: "Describe a group: members, assignment, committed offsets and lag",
    request: { params: GroupParams },
    responses: { 200: json(GroupDescriptionSchema, "the group"), ...errors(400, 404) },
  }),
  async (c) => {
    const { group } = c.req.valid("param");
    const described = await coordinatorStub(c.env, group).describe({ group });
    if (!described.ok) throw ApiError.from(described);
    return c.json(await withLag(c.env, described), 200);
  },
);

groups.openapi(
  createRoute({
    method: "delete",
    path: "/v1/groups/{group}",
    summary: "Delete a group and its committed offsets (only while it has no members)",
    request: { params: GroupParams },
    responses: { 204: { description: "deleted" }, ...errors(400, 404, 409) },
  }),
  async (c) => {
    const { group } = c.req.valid("param");
    const result = await coordinatorStub(c.env, group).remove({ group });
    if (!result.ok) throw ApiError.from(result);
    return c.body(null, 204);
  },
);

groups.openapi(
  createRoute({
    method: "post",
    path: "/v1/groups/{group}/members",
    summary: "Join a group (or rejoin with memberId) and get this member's partitions",
    middleware: [jsonBody()],
    request: { params: GroupParams, body: body(JoinBody) },
    responses: { 200: json(JoinResponseSchema, "joined: consume the assignment"), ...errors(400, 404, 409, 415) },
  }),
  async (c) => {
    const { group } = c.req.valid("param");
    const result = await coordinatorStub(c.env, group).join({ group, ...c.req.valid("json") });
    if (!result.ok) throw ApiError.from(result);
    const { ok: _, ...joined } = result;
    return c.json(joined, 200);
  },
);

groups.openapi(
  createRoute({
    method: "post",
    path: "/v1/groups/{group}/members/{member}/heartbeat",
    summary: "Keep a member's session alive; 409 REBALANCE_IN_PROGRESS means rejoin",
    middleware: [jsonBody()],
    request: { params: MemberParams, body: body(HeartbeatBody) },
    responses: { 200: json(HeartbeatResponseSchema, "carry on"), ...errors(400, 409, 415) },
  }),
  async (c) => {
    const { group, member } = c.req.valid("param");
    const result = await coordinatorStub(c.env, group).heartbeat({ group, memberId: member, ...c.req.valid("json") });
    if (!result.ok) throw ApiError.from(result);
    return c.json({ generation: result.generation }, 200);
  },
);

groups.openapi(
  createRoute({
    method: "delete",
    path: "/v1/groups/{group}/members/{member}",
    summary: "Leave a group: its partitions go to the other members at once",
    request: { params: MemberParams },
    responses: { 204: { description: "left" }, ...errors(400, 409) },
  }),
  async (c) => {
    const { group, member } = c.req.valid("param");
    const result = await coordinatorStub(c.env, group).leave({ group, memberId: member });
    if (!result.ok) throw ApiError.from(result);
    return c.body(null, 204);
  },
);

groups.openapi(
  createRoute({
    method: "post",
    path: "/v1/groups/{group}/offsets",
    summary: "Commit offsets of partitions this member owns",
    middleware: [jsonBody()],
    request: { params: GroupParams, body: body(CommitBody) },
    responses: { 200: json(GroupOffsetsSchema, "committed"), ...errors(400, 404, 409, 415) },
  }),
  async (c) => {
    const { group } = c.req.valid("param");
    const result = await coordinatorStub(c.env, group).commit({ group, ...c.req.valid("json") });
    if (!result.ok) throw ApiError.from(result);
    return c.json({ offsets: result.offsets.map(toWire) }, 200);
  },
);

groups.openapi(
  createRoute({
    method: "get",
    path: "/v1/groups/{group}/offsets",
    summary: "Read committed offsets (of one topic with ?topic=)",
    request: { params: GroupParams, query: OffsetsQuery },
    responses: { 200: json(GroupOffsetsSchema, "committed offsets; partitions without one are absent"), ...errors(400, 404) },
  }),
  async (c) => {
    const { group } = c.req.valid("param");
    const { topic } = c.req.valid("query");
    const result = await coordinatorStub(c.env, group).offsets({ group, topic });
    if (!result.ok) throw ApiError.from(result);
    const topics = await currentTopics(c.env, result.offsets.map((o) => o.topic));
    return c.json({ offsets: currentOffsets(result.offsets, topics) }, 200);
  },
);

groups.openapi(
  createRoute({
    method: "post",
    path: "/v1/groups/{group}/offsets/reset",
    summary: "Reset committed offsets to earliest, latest, a time or an offset (only while the group has no members)",
    middleware: [jsonBody()],
    request: { params: GroupParams, body: body(ResetBody) },
    responses: { 200: json(GroupOffsetsSchema, "the new committed offsets"), ...errors(400, 404, 409, 415, 416) },
  }),
  async (c) => {
    const { group } = c.req.valid("param");
    const { topic: name, to, partitions } = c.req.valid("json");
    const topic = await lookupTopic(c.env, name);
    if (!topic) throw new ApiError("UNKNOWN_TOPIC_OR_PARTITION", `topic '${name}' does not exist`);
    const missing = partitions?.find((p) => p >= topic.config.partitions);
    if (missing !== undefined) throw new ApiError("UNKNOWN_TOPIC_OR_PARTITION", `topic '${name}' has no partition ${missing}`);
    const chosen = partitions ?? Array.from({ length: topic.config.partitions }, (_, p) => p);
    const offsets = await resolveReset(c.env, topic, to, chosen);
    const result = await coordinatorStub(c.env, group).resetOffsets({ group, topic: name, topicId: topic.topicId, offsets });
    if (!result.ok) throw ApiError.from(result);
    return c.json({ offsets: result.offsets.map(toWire) }, 200);
  },
);
