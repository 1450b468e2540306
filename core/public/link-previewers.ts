// Who is opening a public proposal link? WhatsApp, email and chat apps fetch links to build
// previews (and mail security gateways fetch them to scan), often before the client ever looks.
// Those fetches must not count as "the client viewed the proposal". The rule:
//   1. HEAD requests are never views (previewers probe with HEAD; browsers navigate with GET);
//   2. a GET whose User-Agent is missing or matches a known previewer/crawler/scanner is not a view;
//   3. everything else is a person.
// A real person is at worst counted a little late (on the next open), never early.

const PREVIEWER_PATTERNS: RegExp[] = [
  /whatsapp/i, // WhatsApp/2.23.x (link previews in chats)
  /facebookexternalhit|facebookcatalog|facebot|meta-externalagent/i,
  /telegrambot/i,
  /twitterbot|xbot/i,
  /slackbot|slack-imgproxy/i,
  /discordbot/i,
  /linkedinbot/i,
  /skypeuripreview/i,
  /microsoft office|ms-office|outlook|bingpreview/i, // Outlook / Safe Links / Teams previews
  /googleimageproxy|google-safety|googlebot|adsbot-google|feedfetcher-google/i, // Gmail image proxy, Safe Browsing
  /yahoo! slurp|yahoomailproxy/i,
  /applebot|iMessageLinkPreview|com\.apple\.|linkpresentation/i,
  /mimecast|proofpoint|barracuda|symantec|forcepoint|trendmicro|fortiguard|cisco/i, // mail security scanners
  /pinterestbot|redditbot|embedly|iframely|vkshare|w3c_validator|viber/i,
  /\b(bot|crawler|spider|preview|scanner|fetcher|monitor)\b/i,
  /headlesschrome|phantomjs|python-requests|go-http-client|java\/|okhttp|axios|node-fetch|undici/i,
];

export function isLinkPreviewer(method: string, userAgent: string | undefined | null): boolean {
  if (method.toUpperCase() === "HEAD") return true;
  const ua = (userAgent ?? "").trim();
  if (ua.length === 0) return true;
  return PREVIEWER_PATTERNS.some((re) => re.test(ua));
}
