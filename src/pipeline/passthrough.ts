import type { UpstreamStream } from "../upstream/types.ts";
import { relayStream } from "./relay.ts";
import type { PipelineRequest } from "./request.ts";

/**
 * Raw passthrough (`X-Codex-Mode: raw`): the upstream's status, content type and bytes go to the
 * client as they came, with no frames of the gateway's own (no keepalive, no closing frame); events
 * are still read for usage and the outcome. (`/responses/compact` is no longer passed through: it
 * is served on compaction v2 as a unary answer, translate/responses/compact.ts.)
 */
export function passthroughAnswer(req: PipelineRequest, up: UpstreamStream): Response {
  req.copyUpstreamHeaders(up.headers);
  return relayStream(
    req,
    { opened: up },
    {
      status: up.status,
      contentType: up.headers.get("content-type") ?? "application/json",
      chunk(chunk, observe) {
        for (const ev of chunk.events) observe(ev);
        return chunk.bytes;
      },
    },
  );
}
