// The lint step that keeps the repository standalone (scripts/check-self-contained.ts), on this
// repository and on a scratch repository seeded with the ways a path can leave it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findOutsideReferences } from "./check-self-contained.ts";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const node24 = join(repoRoot, "node_modules/.bin/node");
const nodeBin = existsSync(node24) ? node24 : process.execPath;
// Built from pieces so that this file does not trip the check it tests.
const S = ["sh", "ared"].join("");
const UP = `../${S}`;

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "self-contained-"));
  expect(spawnSync("git", ["init", "-q"], { cwd: dir }).status).toBe(0);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("self-contained repository check", () => {
  it("passes on this repository", () => {
    expect(findOutsideReferences(repoRoot)).toEqual([]);
  });

  it("flags code, config and comments that point outside; lets docs mention but not link", () => {
    const dir = scratch({
      "workers/a.test.ts": `import x from "../../../${S}/fixtures/cfdi/a.xml?raw";\n`,
      "core/b.ts": `const ok = 1;\n// reads ${UP}/sat at test time\n`,
      "scripts/c.ts": `const d = join(root, "..", "${S}");\n`,
      "bench/d.ts": `const label = "${S}/fixtures (real)";\n`,
      "scripts/e.sh": `X=/work/${S}/sat/x.xslt\n`,
      "README.md": `Architecture: [design](${UP}/DESIGN.md)\n`,
      "docs/history.md": `The SAT files used to live in ${UP}; now they are in vendor/sat.\n`,
      "core/fine.ts": `// a ${S} empty array, ${S}_buffers, @scope/${S}/x, ${S}-utils/fixtures\n`,
      "tracked.bin": `\0${UP}/x`,
    });
    expect(
      findOutsideReferences(dir)
        .map((f) => `${f.file}:${f.line}`)
        .sort(),
    ).toEqual([
      "README.md:1",
      "bench/d.ts:1",
      "core/b.ts:2",
      "scripts/c.ts:1",
      "scripts/e.sh:1",
      "workers/a.test.ts:1",
    ]);
  });

  it("exits 1 with file:line from the command line, 0 when clean", () => {
    const bad = scratch({ "x.ts": `const p = "${UP}/sat";\n` });
    const r = spawnSync(nodeBin, [join(repoRoot, "scripts/check-self-contained.ts"), bad], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("x.ts:1:");
    const good = scratch({ "x.ts": `const p = "vendor/sat";\n`, "notes.md": `was in ${UP}\n` });
    expect(
      spawnSync(nodeBin, [join(repoRoot, "scripts/check-self-contained.ts"), good], { encoding: "utf8" }).status,
    ).toBe(0);
  });
});
