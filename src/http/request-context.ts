/** Per-request facts set by the server wrapper and read by routes (no globals, no header trust). */
export interface RequestFacts {
  id: string;
  /** Peer address as the socket saw it (or X-Forwarded-For's first hop when trust_proxy is on). */
  ip: string;
  startedAt: number;
  /** Turns the server's idle timer off for this request (long streams). */
  keepOpen: () => void;
  /** Set by pipeline routes: their log line is written when the answer ends, with usage. */
  pipeline?: boolean;
}

const facts = new WeakMap<Request, RequestFacts>();

export function setFacts(req: Request, f: RequestFacts): void {
  facts.set(req, f);
}

export function getFacts(req: Request): RequestFacts {
  return facts.get(req) ?? { id: "", ip: "", startedAt: Date.now(), keepOpen: () => {} };
}

export function isLoopback(ip: string): boolean {
  return ip === "127.0.0.1" || ip === "::1" || ip === "::ffff:127.0.0.1" || ip.startsWith("127.") || ip === "localhost";
}
