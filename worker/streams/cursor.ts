/**
 * @module
 * `Stream-Cursor`: lets CDNs collapse long-polls without ever serving one
 * cached empty answer forever. The cursor is the number of 20-second
 * intervals since 2024-10-09 (the protocol's defaults); a client that echoes
 * a cursor at or past the current interval gets a strictly greater one, with
 * random jitter of 1 s to an hour, so cursors only ever move forward.
 */

const EPOCH_MS = Date.UTC(2024, 9, 9);
const INTERVAL_MS = 20_000;
const MAX_JITTER_S = 3_600;

export function responseCursor(clientCursor: string | undefined, now = Date.now()): string {
  const current = Math.floor((now - EPOCH_MS) / INTERVAL_MS);
  const sent = clientCursor !== undefined && /^[0-9]{1,15}$/.test(clientCursor) ? Number(clientCursor) : Number.NaN;
  if (!(sent >= current)) return String(current);
  const jitterS = 1 + Math.floor(Math.random() * MAX_JITTER_S);
  return String(sent + Math.max(1, Math.ceil((jitterS * 1000) / INTERVAL_MS)));
}
