/**
 * @module
 * Subscription patterns over stream names, by `/`-separated parts: `*` is
 * exactly one part, `**` any number of parts (none included), anything else
 * itself. `events/*` matches `events/a` but not `events/a/b`.
 */

export function globMatch(pattern: string, name: string): boolean {
  return matchFrom(parts(pattern), 0, parts(name), 0);
}

function parts(path: string): string[] {
  return path.split("/").filter((p) => p.length > 0);
}

function matchFrom(pattern: string[], pi: number, name: string[], ni: number): boolean {
  for (; pi < pattern.length; pi++, ni++) {
    const p = pattern[pi]!;
    if (p === "**") {
      for (let skip = ni; skip <= name.length; skip++) if (matchFrom(pattern, pi + 1, name, skip)) return true;
      return false;
    }
    if (ni >= name.length || (p !== "*" && p !== name[ni])) return false;
  }
  return ni === name.length;
}
