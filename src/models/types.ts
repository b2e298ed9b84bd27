/** A client's model name resolved against the catalog, aliases and rules. */
export interface ResolvedModel {
  /** As the client sent it (echoed back in answers). */
  requested: string;
  /** The slug sent upstream. */
  upstream: string;
  /** Reasoning effort to send (already clamped to what the model accepts); undefined = model default. */
  effort?: string;
  /** The effort the client or suffix asked for, when clamping changed it. */
  clampedFrom?: string;
  /** The model's catalog entry says `use_responses_lite` (docs/protocol.md P2.5). */
  lite?: boolean;
}

export type ModelResolver = (name: string, clientEffort: string | undefined) => ResolvedModel;
