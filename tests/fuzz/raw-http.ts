/**
 * HTTP/1.1 over a raw socket: fetch() normalizes paths, merges duplicate headers and refuses odd
 * bytes, so path tricks, duplicated headers and non-ASCII header values need the bytes sent as
 * written. One request per connection (Connection: close); the answer is read to the end.
 */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export async function rawRequest(port: number, request: string | Uint8Array, timeoutMs = 5000): Promise<RawAnswer> {
  const chunks: Uint8Array[] = [];
  const bytes = typeof request === "string" ? Buffer.from(request, "latin1") : request;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(s) {
          s.write(bytes);
          s.flush();
        },
        data(_s, d) {
          chunks.push(new Uint8Array(d));
        },
        close: done,
        end: done,
        error(_s, e) {
          clearTimeout(timer);
          reject(e);
        },
      },
    }).catch(reject);
  });
  return parse(Buffer.concat(chunks));
}

function parse(buf: Buffer): RawAnswer {
  const text = buf.toString("latin1");
  const head = text.indexOf("\r\n\r\n");
  if (head === -1) return { status: 0, headers: {}, body: text };
  const [statusLine, ...lines] = text.slice(0, head).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(":");
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = buf.subarray(head + 4);
  if (headers["transfer-encoding"]?.includes("chunked")) body = dechunk(body);
  return { status, headers, body: body.toString("utf8") };
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = b.indexOf("\r\n", i);
    if (eol === -1) break;
    const size = parseInt(b.subarray(i, eol).toString("latin1"), 16);
    if (!size) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** A request as bytes: `headers` may repeat a name (that is the point). */
export function rawHttp(method: string, path: string, headers: [string, string][], body = ""): string {
  const lines = [`${method} ${path} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close", ...headers.map(([k, v]) => `${k}: ${v}`)];
  if (body || method === "POST") lines.push(`Content-Length: ${Buffer.byteLength(body, "latin1")}`);
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}
