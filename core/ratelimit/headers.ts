// RateLimit-Policy / RateLimit response fields (IETF draft-ietf-httpapi-ratelimit-headers, the
// structured-field version): `RateLimit-Policy: "user";q=100;w=60` describes a quota policy, and
// `RateLimit: "user";r=19;t=1` its current state: r = remaining units, t = seconds until the quota
// is restored (here: until the full burst is available again). Plus Retry-After (RFC 9110 §10.2.3,
// delay-seconds) on 429.

export interface PolicyField {
  name: string;
  quota: number;
  windowSeconds: number;
}

export interface StateField {
  name: string;
  remaining: number;
  resetSeconds: number;
}

/** An sf-string: quoted, with `"` and `\` escaped; only printable ASCII is allowed. */
function sfString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value))
    throw new RangeError(`policy name must be printable ASCII: ${JSON.stringify(value)}`);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function formatPolicyItem(p: PolicyField): string {
  return `${sfString(p.name)};q=${p.quota};w=${p.windowSeconds}`;
}

export function formatStateItem(s: StateField): string {
  return `${sfString(s.name)};r=${Math.max(0, Math.floor(s.remaining))};t=${Math.max(0, Math.ceil(s.resetSeconds))}`;
}

/** Whole seconds, rounded up and at least 1, so a client that waits exactly this long succeeds. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** ms → whole seconds rounded up (0 stays 0). */
export function ceilSeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}
