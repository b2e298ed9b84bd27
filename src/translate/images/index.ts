/** The OpenAI Images API surface's pure translators (docs/clients.md C19). */
export { imagesToCodex, inspectImages, imagesRequestInfo, type ImagesContext, type ImagesOperation, type ImagesRequestInfo } from "./request.ts";
export { imagesFromResponse, imagesStream, imagesUsage, type ImagesStreamState } from "./answer.ts";
