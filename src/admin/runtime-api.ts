/**
 * GET /admin/debug/runtime: what the process holds, as one flat JSON object of numbers, for soak
 * runs and for telling a leak from a heap that is merely large (scripts/bench/soak.ts samples it).
 * Heap figures come from JSC (`bun:jsc` heapStats, taken only when asked: it walks the heap);
 * `timers_active` is counted by the gateway itself; the other sizes come from the stores that could
 * grow (`sizes`, wired in compose.ts). `?types=N` adds the N most numerous object types as
 * `type.<Name>` (e.g. to see what a growing `heap_objects` is made of); `?gc=1` collects garbage
 * first (a full, blocking collection: what is left is live).
 */
import { heapStats } from "bun:jsc";
import { type AdminHandler, intParam, ok } from "./http.ts";

/** Object types of JSC's census reported under the soak's names. */
const TYPE_COUNTS: Record<string, string[]> = {
  timers: ["Timeout", "Immediate"],
  abort_signals: ["AbortSignal"],
  readable_streams: ["ReadableStream"],
  promises: ["Promise"],
};

export function runtimeHandler(sizes: () => Record<string, number>): AdminHandler {
  return (_request, _params, url) => {
    if (url.searchParams.get("gc") === "1") Bun.gc(true);
    const h = heapStats();
    const counts = h.objectTypeCounts as Record<string, number>;
    const out: Record<string, number> = {};
    for (const [name, types] of Object.entries(TYPE_COUNTS)) out[name] = types.reduce((a, t) => a + (counts[t] ?? 0), 0);
    out.heap_objects = h.objectCount;
    out.heap_size_bytes = h.heapSize;
    out.heap_capacity_bytes = h.heapCapacity;
    out.extra_memory_bytes = h.extraMemorySize;
    out.protected_objects = h.protectedObjectCount;
    const mem = process.memoryUsage();
    out.rss_bytes = mem.rss;
    for (const [k, v] of Object.entries(sizes())) if (Number.isFinite(v)) out[k] = v;
    const top = intParam(url.searchParams, "types", 0, 0, 200);
    if (top) for (const [t, n] of Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, top)) out[`type.${t}`] = n;
    return ok(out);
  };
}
