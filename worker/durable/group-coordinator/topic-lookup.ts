/**
 * @module
 * What a coordinator needs to know of the topics a group subscribes to: id
 * and partition count, or null for a topic that does not exist. Read
 * through the isolate's topic cache (worker/topic-cache.ts).
 */

import { lookupTopic } from "../../topic-cache.ts";
import type { TopicMeta } from "./model.ts";

export async function lookupTopics(env: Env, names: Iterable<string>): Promise<Map<string, TopicMeta | null>> {
  const entries = await Promise.all(
    [...names].map(async (name): Promise<[string, TopicMeta | null]> => {
      const topic = await lookupTopic(env, name);
      return [name, topic && { topicId: topic.topicId, partitions: topic.config.partitions }];
    }),
  );
  return new Map(entries);
}
