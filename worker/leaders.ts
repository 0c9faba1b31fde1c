/**
 * @module
 * How the worker and the catalog address partition leaders: one Durable
 * Object per (topic id, partition). The topic id, not the name, is in the
 * object's name so a topic deleted and created again starts from empty
 * leaders.
 */

export function leaderStub(env: Env, topicId: string, partition: number): DurableObjectStub<import("./durable/partition-leader/index.ts").PartitionLeader> {
  return env.PARTITION_LEADER.getByName(`${topicId}/${partition}`);
}

export function catalogStub(env: Env): DurableObjectStub<import("./durable/topic-catalog/index.ts").TopicCatalog> {
  return env.TOPIC_CATALOG.getByName("catalog");
}
