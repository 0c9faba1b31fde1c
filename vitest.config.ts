// Test projects, one per kind of "real part" under test:
//   unit    — pure code in Node (partitioner vectors, codec)
//   worker  — the worker and Durable Objects inside workerd (open: no tokens)
//   worker-auth — the same, tokens required (test/worker/auth-*.test.ts)
//   e2e     — black-box HTTP against a real `wrangler dev` bus
//   browser — the client library in real Chromium against a real bus
//   conformance — the Durable Streams protocol's own suite against a real bus
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" } },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: { EDGELOG_AUTH: "open" } } })],
        test: { name: "worker", include: ["test/worker/**/*.test.ts"], exclude: ["test/worker/auth-*.test.ts"] },
      },
      // The same worker as deployed: tokens required, with known test secrets.
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                EDGELOG_AUTH: "required",
                EDGELOG_JWT_SECRETS: "test-secret-1,test-secret-2",
                EDGELOG_ADMIN_TOKEN: "test-admin-token",
                EDGELOG_JWT_AUDIENCE: "edgelog-test",
              },
            },
          }),
        ],
        test: { name: "worker-auth", include: ["test/worker/auth-*.test.ts"] },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/support/global-bus.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // The Durable Streams protocol's own conformance suite against a real local bus.
      {
        test: {
          name: "conformance",
          include: ["test/conformance/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/conformance/global-bus.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/support/global-bus.ts", "test/browser/support/global-page.ts"],
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
