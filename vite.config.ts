// Builds the dashboard (web/) into dist/web, which the worker serves as
// assets, plus its service worker at /sw.js (a fixed name at the root: its
// scope is the whole dashboard). `npm run dev:web` serves web/ with hot
// reload and passes /v1 through to a running bus (EDGELOG_BUS, default the
// one `npm start` runs).
import { resolve } from "node:path";
import { defineConfig } from "vite";

const WEB = resolve(import.meta.dirname, "web");
const BUS = process.env.EDGELOG_BUS ?? "http://127.0.0.1:8787";

export default defineConfig({
  root: WEB,
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    target: "es2023",
    rolldownOptions: {
      input: { index: resolve(WEB, "index.html"), sw: resolve(WEB, "sw/sw.ts") },
      output: { entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js") },
    },
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    proxy: { "/v1": { target: BUS, changeOrigin: true, ws: true } },
  },
});
