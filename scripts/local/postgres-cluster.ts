// A real PostgreSQL 15 temp cluster for tests and CI.
//
// - Binaries come from /usr/lib/postgresql/15/bin, `pg_config --bindir`, or PATH (`findPostgresBinaries`).
// - When running as root, initdb/pg_ctl run as the `postgres` OS user (`runuser -u postgres --`), and
//   the temp directory is chowned to it.
// - TCP (127.0.0.1 only) uses scram-sha-256 password auth so login roles are real; the unix socket
//   (inside the temp dir) uses trust. Superuser `postgres` gets a generated password, returned in
//   `superuserUrl` (database `crm`, created on start).
// - fsync=off, small shared_buffers, initdb --no-sync: fast, not durable.
// - stop() does a fast shutdown and deletes the directory. Clusters still running when the process
//   exits (normally, or on SIGINT/SIGTERM) are stopped (immediate mode) and removed.
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

const REQUIRED = ["initdb", "pg_ctl", "postgres"];

function hasAll(dir: string): boolean {
  return REQUIRED.every((b) => existsSync(join(dir, b)));
}

/** Directory holding initdb/pg_ctl/postgres (PostgreSQL 15 preferred), or null when not installed. */
export function findPostgresBinaries(): string | null {
  const candidates: string[] = [];
  if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
  candidates.push("/usr/lib/postgresql/15/bin");
  try {
    const out = execFileSync("pg_config", ["--bindir"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    if (out) candidates.push(out);
  } catch {
    // no pg_config
  }
  for (const p of (process.env.PATH ?? "").split(":")) if (p) candidates.push(p);
  for (const dir of ["/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/14/bin"])
    candidates.push(dir);
  for (const dir of candidates) if (hasAll(dir)) return dir;
  return null;
}

interface Running {
  dataDir: string;
  baseDir: string;
  bindir: string;
  stopped: boolean;
}

const running = new Set<Running>();
let hooksInstalled = false;

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** Runs a postgres binary, as the `postgres` OS user when we are root. */
function runPg(bindir: string, bin: string, args: string[], opts: { timeoutMs?: number } = {}) {
  const exe = join(bindir, bin);
  const [cmd, argv] = isRoot() ? ["runuser", ["-u", "postgres", "--", exe, ...args]] : [exe, args];
  const r = spawnSync(cmd, argv as string[], {
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 60_000,
    stdio: ["ignore", "pipe", "pipe"],
    cwd: "/",
  });
  return r;
}

function stopSync(c: Running, mode: "fast" | "immediate"): void {
  if (c.stopped) return;
  c.stopped = true;
  running.delete(c);
  try {
    runPg(c.bindir, "pg_ctl", ["stop", "-D", c.dataDir, "-m", mode, "-w", "-t", "30"], { timeoutMs: 40_000 });
  } catch {
    // best effort
  }
  try {
    rmSync(c.baseDir, { recursive: true, force: true });
  } catch {
    // best effort
  }
}

/** Async fast shutdown (does not block the event loop, so open sockets can close cleanly). */
async function stopAsync(c: Running): Promise<void> {
  if (c.stopped) return;
  c.stopped = true;
  running.delete(c);
  const exe = join(c.bindir, "pg_ctl");
  const args = ["stop", "-D", c.dataDir, "-m", "fast", "-w", "-t", "30"];
  const [cmd, argv] = isRoot() ? ["runuser", ["-u", "postgres", "--", exe, ...args]] : [exe, args];
  await new Promise<void>((resolve) => {
    const child = spawn(cmd, argv as string[], { stdio: "ignore", cwd: "/" });
    child.on("error", () => resolve());
    child.on("exit", () => resolve());
  });
  rmSync(c.baseDir, { recursive: true, force: true });
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const cleanup = () => {
    for (const c of [...running]) stopSync(c, "immediate");
  };
  process.on("exit", cleanup);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    try {
      process.once(sig, () => {
        cleanup();
        process.exit(sig === "SIGINT" ? 130 : 143);
      });
    } catch {
      // signals not available (e.g. worker thread)
    }
  }
}

function pgUserIds(): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) throw new Error("running as root but there is no `postgres` OS user to run PostgreSQL as");
  const parts = line.split(":");
  return { uid: Number(parts[2]), gid: Number(parts[3]) };
}

export async function startPostgresCluster(opts: { port: number; dir?: string }): Promise<{
  superuserUrl: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}> {
  const bindir = findPostgresBinaries();
  if (!bindir) throw new Error("PostgreSQL binaries not found (apt-get install postgresql)");
  const port = opts.port;
  const baseDir = opts.dir ?? mkdtempSync(join(tmpdir(), "crm-pg-"));
  const dataDir = join(baseDir, "data");
  const password = randomBytes(18).toString("base64url");
  const pwfile = join(baseDir, "pwfile");
  writeFileSync(pwfile, password + "\n", { mode: 0o600 });
  if (isRoot()) {
    const { uid, gid } = pgUserIds();
    chownSync(baseDir, uid, gid);
    chownSync(pwfile, uid, gid);
  }

  const c: Running = { dataDir, baseDir, bindir, stopped: false };
  installExitHooks();
  running.add(c);
  try {
    const init = runPg(bindir, "initdb", [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "--pwfile",
      pwfile,
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "--encoding=UTF8",
      "--locale=C.UTF-8",
      "--no-sync",
      "--no-instructions",
    ]);
    if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
    rmSync(pwfile, { force: true });

    const conf = [
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${baseDir}'`,
      "fsync = off",
      "synchronous_commit = off",
      "full_page_writes = off",
      "shared_buffers = 16MB",
      "max_connections = 100",
      "password_encryption = 'scram-sha-256'",
      "log_min_messages = warning",
      "timezone = 'UTC'",
      "",
    ].join("\n");
    writeFileSync(join(dataDir, "postgresql.auto.conf"), conf);
    if (isRoot()) {
      const { uid, gid } = pgUserIds();
      chownSync(join(dataDir, "postgresql.auto.conf"), uid, gid);
    }
    const start = runPg(
      bindir,
      "pg_ctl",
      ["start", "-D", dataDir, "-w", "-t", "60", "-l", join(baseDir, "postgres.log")],
      {
        timeoutMs: 70_000,
      },
    );
    if (start.status !== 0) {
      let log = "";
      try {
        log = readFileSync(join(baseDir, "postgres.log"), "utf8");
      } catch {
        // none
      }
      throw new Error(`pg_ctl start failed (${start.status}): ${start.stderr || start.stdout}\n${log}`);
    }

    const superuserUrl = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/crm`;
    const admin = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres" });
    await admin.connect();
    try {
      await admin.query("CREATE DATABASE crm");
    } finally {
      await admin.end();
    }

    return {
      superuserUrl,
      port,
      dataDir,
      stop: () => stopAsync(c),
    };
  } catch (err) {
    stopSync(c, "immediate");
    throw err;
  }
}
