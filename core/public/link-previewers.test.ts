import { describe, expect, it } from "vitest";
import { isLinkPreviewer } from "./link-previewers.ts";

const PEOPLE = [
  "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:133.0) Gecko/20100101 Firefox/133.0",
  "curl/8.5.0",
];

const PREVIEWERS = [
  "WhatsApp/2.24.23.78 A",
  "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
  "TelegramBot (like TwitterBot)",
  "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
  "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
  "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Microsoft Office/16.0",
  "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
  "python-requests/2.31.0",
  "",
];

describe("isLinkPreviewer", () => {
  it("treats browsers (and a person with curl) as people", () => {
    for (const ua of PEOPLE) expect(isLinkPreviewer("GET", ua), ua).toBe(false);
  });
  it("treats link unfurlers, crawlers, scanners and a missing UA as previewers", () => {
    for (const ua of PREVIEWERS) expect(isLinkPreviewer("GET", ua), ua).toBe(true);
    expect(isLinkPreviewer("GET", undefined)).toBe(true);
  });
  it("never counts a HEAD request as a view", () => {
    expect(isLinkPreviewer("HEAD", PEOPLE[0])).toBe(true);
  });
});
