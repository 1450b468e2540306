import { createServer, type Server } from "node:http";
import type { JWK } from "jose";

export interface LocalAuthServer {
  /** Use as SUPABASE_URL: the JWKS is at {url}/auth/v1/.well-known/jwks.json. */
  url: string;
  stop(): Promise<void>;
}

/**
 * The part of Supabase Auth the API talks to: the JWKS endpoint with our local public key(s),
 * so the Worker verifies local tokens through the same code path as production.
 */
export async function startAuthServer(opts: {
  port: number;
  host?: string;
  publicJwks: JWK[];
}): Promise<LocalAuthServer> {
  const host = opts.host ?? "127.0.0.1";
  const body = JSON.stringify({ keys: opts.publicJwks });
  const server: Server = createServer((req, res) => {
    if (req.method === "GET" && req.url?.split("?")[0] === "/auth/v1/.well-known/jwks.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "public, max-age=600" });
      res.end(body);
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "not_found" }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => resolve());
  });
  return {
    url: `http://${host}:${opts.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
