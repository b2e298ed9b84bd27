/** A parse worker that exits on every job without a word (parse-off-loop.test.ts). */
declare const self: Worker;
export {};

self.onmessage = () => process.exit(1);
