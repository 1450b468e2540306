// `npm run lint` step: a fresh clone must run, test and build with nothing beside it. Fails when a
// file of the repository points at the reference folder that sits next to some working copies
// (`shared`, one level up) instead of at the copies kept in vendor/ and test/fixtures/.
//
//   node scripts/check-self-contained.ts [root]      exit 0 when clean, 1 with file:line otherwise
//
// Docs (*.md) may name that folder in prose (history, provenance) but may not link to it; every
// other file may not mention it at all, comments included, so nobody copies a path from one.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export type Finding = { file: string; line: number; text: string };

// The patterns are escaped so that this file does not match itself.
const OUTSIDE: readonly RegExp[] = [
  /(?:\.\.[\\/])+shared(?![\w-])/, // a relative path up and into it
  /[\\/]work[\\/]shared(?![\w-])/, // its absolute path on the team's machines
  /["'`]\.\.["'`]\s*,\s*["'`]shared["'`]/, // a path joined from ".." and the folder name
  /(?<![\w@./-])shared[\\/](?:sat|fixtures|DESIGN\.md|STYLE\.md)\b/, // its top-level entries as a path
];
const DOC_LINK: readonly RegExp[] = [
  /\]\(\s*<?(?:\.\.\/)+shared(?![\w-])/,
  /\]\(\s*<?[^)]*[\\/]work[\\/]shared(?![\w-])/,
  /href=["'](?:\.\.\/)+shared(?![\w-])/,
];

// Never scanned: installed or generated, not part of the repository (see .gitignore).
const SKIP_DIRS = new Set([".git", "node_modules", ".wrangler", ".local", "dist", "test-results"]);

/** Tracked and not-yet-added (but not ignored) files; a plain directory walk outside git. */
export function repositoryFiles(root: string): string[] {
  const git = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  });
  if (git.status === 0)
    return [...new Set(git.stdout.split("\0").filter(Boolean))].filter((f) => existsSync(join(root, f)));
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        if (!SKIP_DIRS.has(name)) walk(full);
      } else out.push(relative(root, full).split(sep).join("/"));
    }
  };
  walk(root);
  return out;
}

export function findOutsideReferences(root: string): Finding[] {
  const findings: Finding[] = [];
  for (const file of repositoryFiles(root)) {
    const bytes = readFileSync(join(root, file));
    if (bytes.subarray(0, 8000).includes(0)) continue; // binary (certificates, keys)
    const patterns = file.endsWith(".md") ? DOC_LINK : OUTSIDE;
    bytes
      .toString("utf8")
      .split("\n")
      .forEach((text, i) => {
        if (patterns.some((p) => p.test(text))) findings.push({ file, line: i + 1, text: text.trim().slice(0, 160) });
      });
  }
  return findings;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(fileURLToPath(import.meta.url), "../.."));
  const findings = findOutsideReferences(root);
  for (const f of findings) console.error(`${f.file}:${f.line}: ${f.text}`);
  if (findings.length) {
    console.error(
      `\n${findings.length} reference(s) to a folder outside the repository. A clone has nothing beside it: ` +
        "keep what the code needs in vendor/ (vendor/sat/README.md) or test/fixtures/ (test/fixtures/README.md) and point there.",
    );
    process.exit(1);
  }
}
