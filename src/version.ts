import pkg from "../package.json" with { type: "json" };

/** Injected by `bun build --define GATEWAY_VERSION='"…"'` (scripts/build.ts). */
declare const GATEWAY_VERSION: string;

/** The release version in a built binary; package.json's version plus "-dev" when run from source. */
export const VERSION: string = typeof GATEWAY_VERSION === "string" ? GATEWAY_VERSION : `${pkg.version}-dev`;
