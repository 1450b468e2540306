// A closed-loop HTTP load generator: `concurrency` clients, each sending its next request when the
// previous response has been read in full, over keep-alive connections (one per client).
import http from "node:http";

export interface RequestSpec {
  method: "GET" | "POST";
  /** Absolute URL. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Sample {
  ms: number;
  status: number;
  headers: http.IncomingHttpHeaders;
}

export interface SliceResult {
  /** Requests completed (any status) and failed (no response: reset, refused). */
  completed: number;
  failed: number;
  wallMs: number;
}

function send(agent: http.Agent, spec: RequestSpec): Promise<Sample> {
  const url = new URL(spec.url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: spec.method,
        headers:
          spec.body === undefined ? spec.headers : { ...spec.headers, "content-length": Buffer.byteLength(spec.body) },
      },
      (res) => {
        res.resume();
        res.once("end", () =>
          resolve({ ms: performance.now() - started, status: res.statusCode ?? 0, headers: res.headers }),
        );
        res.once("error", reject);
      },
    );
    req.once("error", reject);
    req.end(spec.body);
  });
}

/**
 * Runs `concurrency` clients for `seconds` (each finishes the request it has in flight at the
 * end), or until `next` returns undefined (a fixed set of requests: each sent once; one that gets
 * no response is counted as failed, not retried), building each request with `next` and handing
 * each response to `onSample`. A fresh agent per slice, so no slice reuses a connection the server
 * may have closed while another ran.
 */
export async function runSlice(opts: {
  concurrency: number;
  seconds?: number;
  next: () => RequestSpec | undefined;
  onSample: (sample: Sample) => void;
}): Promise<SliceResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const started = performance.now();
  const deadline = opts.seconds === undefined ? Infinity : started + opts.seconds * 1000;
  let completed = 0;
  let failed = 0;
  try {
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (performance.now() < deadline) {
          const spec = opts.next();
          if (!spec) return;
          try {
            opts.onSample(await send(agent, spec));
            completed++;
          } catch {
            failed++;
            // No response at all: back off a little rather than spin on a dead port.
            await new Promise((r) => setTimeout(r, 10));
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return { completed, failed, wallMs: performance.now() - started };
}
