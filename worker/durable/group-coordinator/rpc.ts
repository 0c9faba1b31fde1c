/**
 * @module
 * The group coordinator's RPC contract. Fencing outcomes (unknown member,
 * illegal generation, rebalance) come back as typed results, never thrown.
 */

import type { Failure } from "../../../src/protocol/errors.ts";
import type {
  CommittedOffset,
  GroupAssignor,
  GroupMemberDescription,
  GroupState,
  JoinGroupResponse,
  OffsetCommit,
} from "../../../src/protocol/types.ts";

export interface JoinRequest {
  group: string;
  topics: string[];
  memberId?: string;
  clientId?: string;
  /** Absent: the member's own (rejoin) or the default (new member). */
  sessionTimeoutMs?: number;
  assignor?: GroupAssignor;
}

export type JoinResult = ({ ok: true } & JoinGroupResponse) | Failure;

export interface MemberRequest {
  group: string;
  memberId: string;
}

export type HeartbeatResult = { ok: true; generation: number } | Failure;

export interface CommitRequest extends MemberRequest {
  generation: number;
  offsets: OffsetCommit[];
}

/** A committed offset and the id of the topic it was committed for. */
export interface StoredOffset extends CommittedOffset {
  topicId: string;
}

export type OffsetsResult = { ok: true; offsets: StoredOffset[] } | Failure;

export interface ResetRequest {
  group: string;
  topic: string;
  topicId: string;
  offsets: { partition: number; offset: number }[];
}

export type DescribeResult =
  | {
      ok: true;
      group: string;
      state: GroupState;
      generation: number;
      assignor: GroupAssignor | null;
      members: GroupMemberDescription[];
      offsets: StoredOffset[];
    }
  | Failure;

export type DoneResult = { ok: true } | Failure;
