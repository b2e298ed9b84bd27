/**
 * Elysia's generic types track every route added; route modules are composed dynamically, so the
 * app is typed loosely at this seam.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyApp = any;

/** A group of routes contributed by one module (one route or resource per file). */
export type RouteModule = (app: AnyApp) => AnyApp;
