import type { ConfigStore } from "./config/store.ts";
import type { Logger } from "./observe/log.ts";
import { buildApp } from "./app.ts";
import { createServices } from "./compose.ts";
import { serveHttp } from "./http/serve.ts";

export interface StartOptions {
  store: ConfigStore;
  /** HOST:PORT overriding server.listen (the --listen flag). */
  listen?: string;
  log: Logger;
  /** Record upstream traffic as fixture cases here (the --record flag; wins over server.record_dir). */
  recordDir?: string;
}

export interface RunningServer {
  url: string;
  /** Stop accepting, let streams finish up to graceMs, flush usage, close stores. */
  stop(graceMs?: number): Promise<void>;
}

/** Composes the runtime from the config store, builds the app and listens. */
export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const config = opts.store.current;
  opts.log.setLevel(config.server.logLevel);
  const services = await createServices(opts.store, opts.log, { recordDir: opts.recordDir });
  const app = buildApp(services.runtime, services.routes);
  const [host, port] = opts.listen ? splitHostPort(opts.listen) : [config.server.host, config.server.port];
  const server = serveHttp({
    host,
    port,
    bodyLimitBytes: config.server.bodyLimitBytes,
    corsOrigins: () => opts.store.current.server.corsOrigins,
    trustProxy: () => opts.store.current.server.trustProxy,
    bodyTimeoutMs: () => opts.store.current.server.bodyTimeoutMs,
    authFailuresPerMinute: () => opts.store.current.server.authFailuresPerMinute,
    log: opts.log,
    handle: (request) => app.handle(request),
  });
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${server.port}`;
  opts.log.info("listening", { url, generation: opts.store.generation, config: opts.store.path });
  services.announce(url);

  let stopping: Promise<void> | undefined;
  return {
    url,
    stop(graceMs = opts.store.current.server.shutdownGraceMs) {
      stopping ??= (async () => {
        opts.log.info("shutting down", { grace_ms: graceMs });
        const drained = server.stop(false);
        const deadline = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref?.());
        if ((await Promise.race([drained.then(() => "drained" as const), deadline])) === "timeout") {
          opts.log.warn("grace period over; closing open streams", { grace_ms: graceMs });
          await server.stop(true);
        }
        await services.close();
        opts.log.info("stopped");
      })();
      return stopping;
    },
  };
}

export function splitHostPort(listen: string): [string, number] {
  const i = listen.lastIndexOf(":");
  if (i <= 0) throw new Error(`--listen must be HOST:PORT, got ${JSON.stringify(listen)}`);
  const port = Number(listen.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port in ${JSON.stringify(listen)}`);
  return [listen.slice(0, i).replace(/^\[|\]$/g, ""), port];
}
