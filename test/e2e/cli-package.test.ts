// The CLI as npm installs it: `npm pack` (whose prepack bundles the CLI),
// the tarball unpacked under a node_modules directory, its bin run there.
// Node refuses to strip TypeScript types under node_modules, so this is
// the path a user's `npx edgelog` takes, and the one a repository checkout
// never exercises.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const BUS = inject("busUrl");
const dir = mkdtempSync(join(tmpdir(), "edgelog-cli-package-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the packed CLI", () => {
  it("runs from node_modules with only the package's dependencies", { timeout: 120_000 }, () => {
    const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8" })) as {
      filename: string;
      files: { path: string }[];
    }[];
    const paths = packed!.files.map((f) => f.path);
    expect(paths).toContain("bin/edgelog.js");
    expect(paths).toContain("dist/cli/edgelog.js");
    expect(paths.filter((p) => /^(test|worker|web|local)\//.test(p)), "nothing but the package").toEqual([]);

    const modules = join(dir, "node_modules");
    mkdirSync(modules);
    execFileSync("tar", ["-xzf", join(dir, packed!.filename), "-C", modules]);
    renameSync(join(modules, "package"), join(modules, "edgelog"));
    // What `npm install edgelog` would add beside it: the runtime dependencies.
    const { dependencies } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    for (const name of Object.keys(dependencies)) symlinkSync(join(ROOT, "node_modules", name), join(modules, name));

    const out = execFileSync(process.execPath, [join(modules, "edgelog/bin/edgelog.js"), "topics", "list", "--json", "--url", BUS], {
      encoding: "utf8",
    });
    expect(Array.isArray(JSON.parse(out)), out.slice(0, 200)).toBe(true);
  });
});
