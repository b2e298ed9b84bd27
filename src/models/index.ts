export { BUILTIN_MODELS, builtinLookup, type CatalogModel, type CatalogLookup, type Visibility } from "./catalog.ts";
export { EFFORT_ORDER, EFFORT_SUFFIXES, normalizeEffort, nearestEffort, effortRank, boundEffort, type Effort } from "./efforts.ts";
export { createModelResolver, splitEffortSuffix, type ModelsConfig } from "./resolve.ts";
export { ModelDirectory, fromModelInfo, parseModelsBody, type ModelDirectoryOptions } from "./directory.ts";
export { openAIModelList, codexModelList, keyModelFilter, type OpenAIModel, type ModelFilter } from "./list.ts";
export { matchGlob, globToRegExp } from "../util/glob.ts";
export type { ModelResolver, ResolvedModel } from "./types.ts";
