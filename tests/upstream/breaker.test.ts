import { expect, test } from "bun:test";
import { CircuitBreaker } from "../../src/upstream/breaker.ts";

test("opens after three failures in a row only while another account succeeds; half-open lets one probe through", () => {
  let now = 0;
  const b = new CircuitBreaker(() => now, 3);
  // Everyone failing: the upstream, not the account.
  for (let i = 0; i < 5; i++) expect(b.failure("a")).toBe(false);
  expect(b.admit("a")).toBe(true);
  now = 10;
  b.success("a");
  now = 20;
  expect(b.failure("a")).toBe(false);
  now = 21;
  b.success("b");
  expect(b.failure("a")).toBe(false);
  expect(b.failure("a")).toBe(true); // third in a row, b served meanwhile
  // Half-open (after the dispatcher's rest): one probe at a time.
  expect(b.admit("a")).toBe(true);
  expect(b.admit("a")).toBe(false);
  b.release("a");
  expect(b.admit("a")).toBe(true);
  expect(b.failure("a")).toBe(true); // the probe failed: open again
  expect(b.admit("a")).toBe(true);
  expect(b.success("a")).toBe(true); // the probe succeeded: closed
  expect(b.admit("a")).toBe(true);
  expect(b.admit("a")).toBe(true);
});
