import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/local/free-port.ts";

// End to end in a real browser (Debian's chromium driven by playwright-core) against the app
// started exactly as the README says (`npm start`, here in its own state dir and port): open the
// demo link it prints on a phone-sized screen, see the total, accept with a name, see the final
// state; reject the other link; download the PDF and read its total back.

const CHROMIUM = "/usr/bin/chromium";
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const SHOTS = path.join(ROOT, "test-results", "screenshots");
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);

let app: ChildProcess | undefined;
let browser: Browser | undefined;
let dataDir = "";
const links: Record<string, string> = {};

async function startApp(): Promise<void> {
  dataDir = mkdtempSync(path.join(tmpdir(), "crm-browser-"));
  const port = await freePort();
  app = spawn(process.execPath, [path.join(ROOT, "scripts", "start.ts")], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), CRM_DEV_DIR: dataDir, DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not get ready in time:\n${output}`)), 150_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ctrl-C stops everything")) {
        clearTimeout(timer);
        resolve();
      }
    };
    app?.stdout?.on("data", onData);
    app?.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    app?.on("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
  });
  for (const match of output.matchAll(/^\s+(\S+)\s+(http:\/\/127\.0\.0\.1:\d+\/p\/[A-Za-z0-9_-]{43})$/gm)) {
    if (match[1] && match[2]) links[match[1]] = match[2];
  }
}

describe.runIf(available)("public proposal page in Chromium", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await startApp();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (app && app.exitCode === null) {
      const exited = new Promise((resolve) => app?.on("exit", resolve));
      app.kill("SIGTERM");
      await exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it("start prints the demo links", () => {
    expect(Object.keys(links).sort()).toEqual(["clínica", "ferretería"]);
  });

  it("accepts the demo proposal from a phone-sized screen", async () => {
    // A phone's user agent: headless Chromium announces itself as HeadlessChrome, which the page
    // (rightly) treats as a robot that must not mark the proposal viewed.
    const context = await browser!.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: "es-MX",
      userAgent:
        "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    });
    const page = await context.newPage();
    await page.goto(links["clínica"] ?? "");
    expect(await page.getByTestId("total").textContent()).toBe("$47,230.23 MXN");
    expect(await page.getByText("Estado: Vista").isVisible()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, "mobile-proposal.png"), fullPage: true });

    await page.getByLabel("Nombre completo").fill("Sofía Hernández Vega");
    await page.getByLabel("RFC para facturar (opcional)").fill("HEVS800101AB1");
    await page.getByLabel(/Confirmo que acepto/).check();
    await page.getByRole("button", { name: "Aceptar propuesta" }).click();
    await page.waitForURL(/resultado=aceptada/);
    expect(await page.getByRole("heading", { name: "Propuesta aceptada" }).isVisible()).toBe(true);
    expect(await page.getByText("Sofía Hernández Vega").isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Aceptar propuesta" }).count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "mobile-accepted.png"), fullPage: true });
    await context.close();
  });

  it("rejects the other proposal on a desktop screen, and downloads its PDF", async () => {
    const context = await browser!.newContext({
      viewport: { width: 1280, height: 900 },
      locale: "es-MX",
      acceptDownloads: true,
    });
    const page = await context.newPage();
    await page.goto(links["ferretería"] ?? "");
    const total = (await page.getByTestId("total").textContent()) ?? "";
    expect(total).toMatch(/^\$[\d,]+\.\d{2} MXN$/);
    await page.screenshot({ path: path.join(SHOTS, "desktop-proposal.png"), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Descargar PDF" }).click(),
    ]);
    const pdfPath = path.join(dataDir, "download.pdf");
    await download.saveAs(pdfPath);
    expect(download.suggestedFilename()).toMatch(/^COT-\d{4}-\d{5}\.pdf$/);
    const text = execFileSync("pdftotext", ["-layout", pdfPath, "-"], { encoding: "utf8" });
    expect(text).toContain(total);

    await page.getByLabel("Motivo (opcional)").fill("Por ahora no tenemos presupuesto");
    await page.getByRole("button", { name: "Rechazar propuesta" }).click();
    await page.waitForURL(/resultado=rechazada/);
    expect(await page.getByRole("heading", { name: "Propuesta rechazada" }).isVisible()).toBe(true);
    expect(await page.getByText("Por ahora no tenemos presupuesto").isVisible()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, "desktop-rejected.png"), fullPage: true });
    await context.close();
  });

  it("sends the security headers and runs no script", async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    const response = await page.goto(links["clínica"] ?? "");
    const headers = response?.headers() ?? {};
    expect(headers["content-security-policy"]).toContain("default-src 'none'");
    expect(headers["referrer-policy"]).toBe("no-referrer");
    expect(await page.locator("script").count()).toBe(0);
    await context.close();
  });
});
