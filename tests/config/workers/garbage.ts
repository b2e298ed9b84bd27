/** A parse worker that answers with something that is not a ParseReply (parse-off-loop.test.ts). */
declare const self: Worker;
export {};

self.onmessage = () => self.postMessage("not a reply");
