/**
 * @module
 * Kafka's murmur2, bit for bit as `org.apache.kafka.common.utils.Utils.murmur2`
 * computes it, so a key lands on the same partition as with the Java client.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** The signed 32-bit murmur2 hash of `data`, as the Java client returns it. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // Java's switch falls through: 3 folds in bytes 2, 1 and 0, then multiplies.
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit instead of taking `abs`. */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}
