/**
 * @module
 * The bus's admin API (topics, groups, health) as typed calls, for tools
 * built on the client: the CLI and the dashboard. Every failure is an
 * EdgelogError with the bus's code, like the rest of the client.
 */

import type { TopicConfig } from "../protocol/limits.ts";
import type {
  DeleteRecordsResponse,
  GroupDescription,
  GroupList,
  GroupOffsets,
  Health,
  ResetOffsetsRequest,
  TopicDescription,
  TopicList,
} from "../protocol/types.ts";
import type { BusHttp } from "./http.ts";

/** What `alterTopic` may change: config values, and `partitions` only upwards. */
export type TopicConfigPatch = Partial<Omit<TopicConfig, "partitions">> & { partitions?: number };

export class Admin {
  readonly #http: BusHttp;

  constructor(http: BusHttp) {
    this.#http = http;
  }

  health(signal?: AbortSignal): Promise<Health> {
    return this.#http.request("GET", "/v1/health", { signal });
  }

  listTopics(signal?: AbortSignal): Promise<TopicList> {
    return this.#http.request("GET", "/v1/topics", { signal });
  }

  describeTopic(topic: string, signal?: AbortSignal): Promise<TopicDescription> {
    return this.#http.describeTopic(topic, signal);
  }

  /** Creates `topic`; succeeds without change when it exists with the same config (TOPIC_ALREADY_EXISTS otherwise). */
  createTopic(topic: string, config: Partial<TopicConfig> = {}): Promise<TopicDescription> {
    return this.#http.request("PUT", topicPath(topic), { body: JSON.stringify(config) });
  }

  alterTopic(topic: string, patch: TopicConfigPatch): Promise<TopicDescription> {
    return this.#http.request("PATCH", topicPath(topic), { body: JSON.stringify(patch) });
  }

  deleteTopic(topic: string): Promise<void> {
    return this.#http.request("DELETE", topicPath(topic));
  }

  /**
   * Kafka's offsetsForTimes for one partition: the offset of the first
   * record whose timestamp is at or after `timestamp`, or the high watermark
   * when there is none.
   */
  async offsetForTime(topic: string, partition: number, timestamp: number, signal?: AbortSignal): Promise<number> {
    const page = await this.#http.fetchRecords(topic, partition, { timestamp, maxRecords: 1, waitMs: 0 }, signal);
    return page.records[0]?.offset ?? page.nextOffset;
  }

  /** DeleteRecords: moves the partition's log start up to `beforeOffset`. */
  deleteRecords(topic: string, partition: number, beforeOffset: number): Promise<DeleteRecordsResponse> {
    return this.#http.request("DELETE", `${topicPath(topic)}/partitions/${partition}/records?before=${beforeOffset}`);
  }

  listGroups(signal?: AbortSignal): Promise<GroupList> {
    return this.#http.request("GET", "/v1/groups", { signal });
  }

  describeGroup(group: string, signal?: AbortSignal): Promise<GroupDescription> {
    return this.#http.request("GET", groupPath(group), { signal });
  }

  /** Moves an empty group's committed offsets (REBALANCE_IN_PROGRESS-style refusal while members are active). */
  resetOffsets(group: string, request: ResetOffsetsRequest): Promise<GroupOffsets> {
    return this.#http.request("POST", `${groupPath(group)}/offsets/reset`, { body: JSON.stringify(request) });
  }

  deleteGroup(group: string): Promise<void> {
    return this.#http.request("DELETE", groupPath(group));
  }
}

const topicPath = (topic: string) => `/v1/topics/${encodeURIComponent(topic)}`;
const groupPath = (group: string) => `/v1/groups/${encodeURIComponent(group)}`;
