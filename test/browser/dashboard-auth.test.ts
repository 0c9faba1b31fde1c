// The dashboard on a secured bus (tokens required, as deployed): the page
// itself loads, the admin data does not until a token is pasted; the token
// lasts for the tab (sessionStorage) and no longer.
import { afterAll, beforeAll, expect, it } from "vitest";
import { uniqueTopic } from "../support/api.ts";
import { startBus, type Bus } from "../support/bus.ts";
import { useBrowser } from "./support/browser.ts";
import { DESKTOP, expectDashboardBuilt, openDashboard } from "./support/dashboard.ts";

const TOKEN = "dashboard-test-admin-token";
const browser = useBrowser();
let bus: Bus;

beforeAll(async () => {
  bus = await startBus({ engine: "local", vars: { EDGELOG_AUTH: "required", EDGELOG_ADMIN_TOKEN: TOKEN } });
  await expectDashboardBuilt(bus.url);
});

afterAll(() => bus?.dispose());

it("asks for a token, then shows the bus once one is pasted, for this tab only", async () => {
  const topic = uniqueTopic("dash-auth");
  const created = await fetch(`${bus.url}/v1/topics/${topic}`, { method: "PUT", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: "{}" });
  expect(created.status).toBe(201);
  const context = await browser().newContext({ viewport: DESKTOP });
  const page = await openDashboard(context, bus.url, "#/");
  const status = page.locator("#bus-status");
  await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe("Token needed");
  await page.getByText(/UNAUTHORIZED/).first().waitFor();

  await page.getByRole("button", { name: "Token" }).click();
  const input = page.getByLabel("Bearer token");
  await input.fill(TOKEN);
  await input.press("Enter");
  await page.getByRole("link", { name: topic }).waitFor();
  await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/^Bus ok/);
  expect(await page.getByRole("button", { name: "Token ✓" }).count()).toBe(1);

  // A reload keeps it (same tab); another tab of a fresh session does not have it.
  await page.reload();
  await page.getByRole("link", { name: topic }).waitFor();
  const other = await openDashboard(await browser().newContext(), bus.url, "#/");
  await expect.poll(() => other.locator("#bus-status").textContent(), { timeout: 15_000 }).toBe("Token needed");
  await other.context().close();
  await context.close();
});
