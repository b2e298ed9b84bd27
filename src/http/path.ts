import { badRequest } from "../errors.ts";

/**
 * decodeURIComponent for a client-supplied path: a malformed escape (`%E0%A4%A`, `%ZZ`) is the
 * client's mistake, so it becomes a 400 in the route's envelope, never a URIError (a 500).
 */
export function decodePath(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest("The request path is not valid percent-encoding", undefined, "invalid_path");
  }
}
