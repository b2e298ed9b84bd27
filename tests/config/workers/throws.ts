/** A parse worker that throws on every job instead of answering (parse-off-loop.test.ts). */
declare const self: Worker;
export {};

self.onmessage = () => {
  throw new Error("the parse worker broke");
};
