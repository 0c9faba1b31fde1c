/**
 * @module
 * A proxy in front of the bus that lets a test decide what happens to each
 * produce request: pass it, hold it for a while (forwarding it only if the
 * browser still waits for the answer, as a request still in transit when
 * its page dies would be lost), or answer 503 with a Retry-After.
 */

import { createServer, type IncomingMessage } from "node:http";

export type ProxyAction = { pass: true } | { holdMs: number } | { unavailableFor: number };

export interface BusProxy {
  url: string;
  /** Produce requests received, and those forwarded to the bus. */
  stats(): { received: number; forwarded: number };
  close(): Promise<void>;
}

export async function busProxy(bus: string, decide: (req: IncomingMessage, index: number) => ProxyAction): Promise<BusProxy> {
  let received = 0;
  let forwarded = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const isProduce = req.method === "POST" && /\/partitions\/\d+\/records$/.test(req.url ?? "");
    const action = isProduce ? decide(req, received++) : { pass: true as const };
    let abandoned = false;
    res.on("close", () => (abandoned = !res.writableFinished));
    if ("unavailableFor" in action) {
      res.writeHead(503, { "content-type": "application/json", "retry-after": String(action.unavailableFor), "access-control-allow-origin": "*", "access-control-expose-headers": "Retry-After" });
      return res.end(JSON.stringify({ error: { code: "UNAVAILABLE", message: "test", retriable: true } }));
    }
    if ("holdMs" in action) {
      await new Promise((r) => setTimeout(r, action.holdMs));
      if (abandoned) return; // the browser gave up on it: it never reaches the bus
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k)),
    ) as Record<string, string>;
    const upstream = await fetch(bus + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    if (isProduce) forwarded++;
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!["content-length", "content-encoding", "transfer-encoding", "connection"].includes(name)) out[name] = value;
    });
    res.writeHead(upstream.status, out);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ received, forwarded }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
