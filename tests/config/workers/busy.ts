/** A parse worker that never answers: stuck in a loop on every job (parse-off-loop.test.ts). */
declare const self: Worker;
export {};

self.onmessage = () => {
  for (;;) {
    /* hung */
  }
};
