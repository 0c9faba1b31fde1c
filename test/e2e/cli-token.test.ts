/**
 * `edgelog token mint` against a bus that requires tokens: the minted
 * browser key produces to its topic from its origin and nothing else; the
 * operator token (a secret too) administers. The other commands send the
 * token given with --token or EDGELOG_TOKEN.
 */

import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBus, type Bus } from "../support/bus.ts";
import { removeCacheDirs, runCli } from "../support/cli.ts";

const CLI = resolve(import.meta.dirname, "../../src/cli/main.ts");
const SECRET = "cli-test-secret";
let bus: Bus;

beforeAll(async () => {
  bus = await startBus({ engine: "local", vars: { EDGELOG_AUTH: "required", EDGELOG_JWT_SECRETS: `${SECRET},old-secret`, EDGELOG_ADMIN_TOKEN: "cli-test-admin" } });
}, 120_000);
afterAll(() => bus?.dispose());
afterAll(removeCacheDirs);

function mint(...args: string[]): string {
  return execFileSync(process.execPath, [CLI, "token", "mint", ...args], { env: { ...process.env, SIGNING: SECRET }, encoding: "utf8" }).trim();
}

it("mints a browser key that the bus accepts for exactly its grant", async () => {
  const admin = { authorization: "Bearer cli-test-admin" };
  expect((await fetch(`${bus.url}/v1/topics/clicks`, { method: "PUT", headers: admin })).status).toBe(201);
  const key = mint("--secret-env", "SIGNING", "--sub", "site", "--allow", "produce:click*", "--origin", "https://app.example", "--ttl", "1h");
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json", origin: "https://app.example" };
  const body = JSON.stringify({ records: [{ value: "hi" }] });
  expect((await fetch(`${bus.url}/v1/topics/clicks/records`, { method: "POST", headers, body })).status).toBe(200);
  expect((await fetch(`${bus.url}/v1/topics/clicks/partitions/0/records?offset=earliest`, { headers })).status).toBe(403);
  expect((await fetch(`${bus.url}/v1/topics/clicks/records`, { method: "POST", headers: { ...headers, origin: "https://evil.example" }, body })).status).toBe(403);
  expect((await fetch(`${bus.url}/v1/topics/clicks/records`, { method: "POST", headers: { "content-type": "application/json" }, body })).status).toBe(401);
  const forged = mint("--secret", "wrong", "--sub", "site", "--allow", "produce:*");
  expect((await fetch(`${bus.url}/v1/topics/clicks/records`, { method: "POST", headers: { ...headers, authorization: `Bearer ${forged}` }, body })).status).toBe(401);
});

it("refuses a grant it does not understand", () => {
  expect(() => execFileSync(process.execPath, [CLI, "token", "mint", "--secret", "s", "--sub", "x", "--allow", "write:*"], { stdio: "pipe" })).toThrow(/ACTION:PATTERN/);
});

it("sends --token or EDGELOG_TOKEN, and says what to do without one", async () => {
  const denied = await runCli(["topics", "list"], { url: bus.url });
  expect(denied.code).toBe(1);
  expect(denied.stderr).toMatch(/^error: UNAUTHORIZED: .*\nhint: give a token with --token or EDGELOG_TOKEN/);
  const withFlag = await runCli(["topics", "list", "--token", "cli-test-admin", "--json"], { url: bus.url });
  expect(withFlag.code).toBe(0);
  expect((JSON.parse(withFlag.stdout) as { name: string }[]).map((t) => t.name)).toContain("clicks");
  const key = mint("--secret-env", "SIGNING", "--sub", "reader", "--allow", "consume:clicks", "--ttl", "5m");
  const withEnv = await runCli(["consume", "clicks", "--format", "value"], { url: bus.url, env: { EDGELOG_TOKEN: key } });
  expect(withEnv).toMatchObject({ code: 0, stdout: "hi\n" });
  const forbidden = await runCli(["produce", "clicks"], { url: bus.url, input: "x\n", env: { EDGELOG_TOKEN: key } });
  expect(forbidden.code).toBe(1);
  // The bus refused the records for good: they stay in the journal, which the hint names.
  expect(forbidden.stderr).toMatch(/^error: FORBIDDEN: .*\nhint: the refused records \(1\) stay in .*\.journal; fix the cause, then delete it and run again\n$/);
});
