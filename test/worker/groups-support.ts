/**
 * @module
 * Consumer group calls for the workerd tests, through the worker's HTTP
 * app in-process, answering status and parsed body.
 */

import type { JoinGroupRequest } from "../../src/protocol/types.ts";
import { call, sendJson } from "./support.ts";

export interface Answer {
  status: number;
  body: any;
}

let counter = 0;
export function uniqueGroup(prefix = "g"): string {
  return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

async function answer(res: Promise<Response>): Promise<Answer> {
  const r = await res;
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

export function join(group: string, body: JoinGroupRequest): Promise<Answer> {
  return answer(sendJson("POST", `/v1/groups/${group}/members`, body));
}

export function heartbeat(group: string, memberId: string, generation: number): Promise<Answer> {
  return answer(sendJson("POST", `/v1/groups/${group}/members/${memberId}/heartbeat`, { generation }));
}

export function leave(group: string, memberId: string): Promise<Answer> {
  return answer(call(`/v1/groups/${group}/members/${memberId}`, { method: "DELETE" }));
}

export function commit(group: string, memberId: string, generation: number, offsets: { topic: string; partition: number; offset: number; metadata?: string }[]): Promise<Answer> {
  return answer(sendJson("POST", `/v1/groups/${group}/offsets`, { memberId, generation, offsets }));
}

export function describeGroup(group: string): Promise<Answer> {
  return answer(call(`/v1/groups/${group}`));
}

export function committed(group: string, topic?: string): Promise<Answer> {
  return answer(call(`/v1/groups/${group}/offsets${topic ? `?topic=${topic}` : ""}`));
}

export function resetOffsets(group: string, body: unknown): Promise<Answer> {
  return answer(sendJson("POST", `/v1/groups/${group}/offsets/reset`, body));
}

export function deleteGroup(group: string): Promise<Answer> {
  return answer(call(`/v1/groups/${group}`, { method: "DELETE" }));
}

/** Joins and insists on success. */
export async function joined(group: string, body: JoinGroupRequest): Promise<any> {
  const res = await join(group, body);
  if (res.status !== 200) throw new Error(`join ${group}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The partitions of one topic in an assignment list. */
export function partitionsOf(assignment: { topic: string; partitions: number[] }[], topic: string): number[] {
  return assignment.find((a) => a.topic === topic)?.partitions ?? [];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
