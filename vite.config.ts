// Builds the dashboard (web/) into dist/web, which the worker serves as assets.
import { defineConfig } from "vite";

export default defineConfig({
  root: "web",
  build: { outDir: "../dist/web", emptyOutDir: true },
});
