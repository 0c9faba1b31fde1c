/**
 * @module
 * Subscriber slots: how many live streams this isolate serves per partition
 * (`EDGELOG_MAX_SUBSCRIBERS_PER_PARTITION`). A stream claims a slot on every
 * partition it follows before it starts, and gives them back when it ends.
 *
 * The count is kept here, in the isolate, and not in the partition leader,
 * because this is where a subscriber costs something: the isolate holds each
 * client's connection, its send queue (up to `EDGELOG_SUBSCRIBER_BUFFER_BYTES`)
 * and its leader link (leader-feed.ts), whose hibernatable socket costs the
 * leader nothing between writes. A count in the leader
 * would cost a round trip per stream start, and rely on a release message
 * that an isolate might never send.
 *
 * A slot is a lease, renewed by a timer of the request that claimed it, not
 * just a number. The runtime may cancel a request whose client has gone
 * before the stream's own code notices (it notices only when a write fails),
 * and a cancelled request runs no more code, its timers included: it could
 * never give its slot back, but its lease runs out.
 */

/** Renewed this often while the claiming request lives; lapses after LEASE_MS without. */
const RENEW_MS = 5_000;
const LEASE_MS = 20_000;

interface Lease {
  expiresAt: number;
}

const held = new Map<string, Set<Lease>>();

export type Claim =
  | {
      ok: true;
      /** Extends the lease (the claim's own timer does this). */
      renew(): void;
      /** Gives every slot back; safe to call more than once. */
      release(): void;
    }
  | { ok: false; partition: number };

/**
 * One slot on each of `partitions`, all or none. Call it from the request
 * that serves the stream: the renewal timer lives as long as that request.
 */
export function claimSlots(topicId: string, partitions: readonly number[], max: number, clock: () => number = Date.now): Claim {
  const now = clock();
  const keys = partitions.map((p) => `${topicId}/${p}`);
  const sets = keys.map((key) => unexpired(key, now));
  const full = sets.findIndex((set) => set.size >= max);
  if (full >= 0) return { ok: false, partition: partitions[full]! };
  const lease: Lease = { expiresAt: now + LEASE_MS };
  keys.forEach((key, i) => held.set(key, sets[i]!.add(lease)));
  const renew = () => void (lease.expiresAt = clock() + LEASE_MS);
  const renewal = setInterval(renew, RENEW_MS);
  return {
    ok: true,
    renew,
    release() {
      clearInterval(renewal);
      for (const key of keys) {
        const set = held.get(key);
        set?.delete(lease);
        if (set?.size === 0) held.delete(key);
      }
    },
  };
}

/** The leases on `key` that have not run out. */
function unexpired(key: string, now: number): Set<Lease> {
  const set = held.get(key) ?? new Set<Lease>();
  for (const lease of set) if (lease.expiresAt <= now) set.delete(lease);
  return set;
}
