import type { Subprocess } from "bun";

/** redis-server on PATH, or undefined (Redis tests then skip; .ci/run installs it). */
export const REDIS_SERVER = Bun.which("redis-server") ?? undefined;

/** A free TCP port on loopback (bind to 0, read it, let go). */
export function freePort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

/** A throwaway redis-server (no persistence) that tests can stop and start again on the same port. */
export class TestRedis {
  readonly port = freePort();
  private proc?: Subprocess;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc = Bun.spawn([REDIS_SERVER!, "--save", "", "--appendonly", "no", "--port", String(this.port), "--bind", "127.0.0.1"], { stdout: "pipe", stderr: "pipe" });
    const reader = (this.proc.stdout as ReadableStream<Uint8Array>).getReader();
    const dec = new TextDecoder();
    let out = "";
    const deadline = Date.now() + 5000;
    while (!out.includes("Ready to accept connections")) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start:\n${out}`);
      const { value, done } = await reader.read();
      if (done) throw new Error(`redis-server exited:\n${out}`);
      out += dec.decode(value);
    }
    reader.releaseLock();
    // Keep draining so a full pipe never blocks the server.
    void (this.proc.stdout as ReadableStream<Uint8Array>).pipeTo(new WritableStream()).catch(() => {});
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p) return;
    p.kill("SIGKILL");
    await p.exited;
  }

  /** Run a command on a short-lived connection of its own. */
  async command(cmd: string, args: string[]): Promise<unknown> {
    const { RedisClient } = await import("bun");
    const c = new RedisClient(this.url);
    try {
      await c.connect();
      return await c.send(cmd, args);
    } finally {
      c.close();
    }
  }
}
