/**
 * @module
 * Small pieces of the coordinator's answers: new members, member
 * descriptions, and the fencing failures with their messages.
 */

import { failure, type Failure } from "../../../src/protocol/errors.ts";
import type { GroupMemberDescription } from "../../../src/protocol/types.ts";
import { toWire } from "../../groups/assignment.ts";
import { DEFAULT_SESSION_TIMEOUT_MS } from "../../groups/limits.ts";
import { pendingOf, type Group, type Member } from "./model.ts";
import type { JoinRequest } from "./rpc.ts";

export function subscribed(group: Group): Set<string> {
  return new Set([...group.members.values()].flatMap((m) => m.topics));
}

export function newMember(req: JoinRequest, now: number): Member {
  const sessionTimeoutMs = req.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  return {
    memberId: `${req.clientId ?? "member"}-${crypto.randomUUID()}`,
    clientId: req.clientId ?? null,
    topics: [],
    sessionTimeoutMs,
    generation: 0,
    target: {},
    owned: {},
    joinedAt: now,
    lastHeartbeatAt: now,
    deadline: now + sessionTimeoutMs,
  };
}

export function describeMember(m: Member): GroupMemberDescription {
  return {
    memberId: m.memberId,
    clientId: m.clientId,
    topics: m.topics,
    sessionTimeoutMs: m.sessionTimeoutMs,
    generation: m.generation,
    assignment: toWire(m.owned),
    pending: toWire(pendingOf(m)),
    joinedAt: m.joinedAt,
    lastHeartbeatAt: m.lastHeartbeatAt,
    expiresAt: m.deadline,
  };
}

export function unknownMember(group: string, memberId: string): Failure {
  return failure(
    "UNKNOWN_MEMBER_ID",
    `member '${memberId}' is not in group '${group}' (it left, or its session expired): join again without a memberId`,
  );
}

export function illegalGeneration(g: Group, message: string): Failure {
  return failure("ILLEGAL_GENERATION", message, { generation: g.generation });
}

export function rebalancing(g: Group, message: string): Failure {
  return failure("REBALANCE_IN_PROGRESS", message, { generation: g.generation });
}

export function notFound(group: string): Failure {
  return failure("GROUP_ID_NOT_FOUND", `group '${group}' does not exist`);
}
