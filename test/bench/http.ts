/**
 * @module
 * The bench's HTTP calls: Node's fetch (undici, keep-alive by default), one
 * check that the bus said yes, and topic creation. A failed request stops the
 * run: numbers measured over errors would be meaningless.
 */

export async function send(url: string, init?: RequestInit): Promise<string> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return text;
}

export async function createTopic(base: string, name: string, partitions = 1): Promise<void> {
  await send(`${base}/v1/topics/${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ partitions }),
  });
}
