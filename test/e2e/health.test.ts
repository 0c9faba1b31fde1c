import { expect, inject, it } from "vitest";

it("answers health on the real bus", async () => {
  const res = await fetch(`${inject("busUrl")}/v1/health`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok" });
});
