// Embedded in the binary at build time, so a first run needs no file but the executable.
import exampleText from "../../config.example.yaml" with { type: "text" };

/** The text of config.example.yaml (comments included). */
export const EXAMPLE_CONFIG: string = exampleText;
