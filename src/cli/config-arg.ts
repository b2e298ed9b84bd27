import { locateConfig, type ConfigLocation } from "./paths.ts";

/** Help text shared by the commands that read the config. */
export const CONFIG_HELP = `  --config PATH   the config file. Without it: $CODEX_GATEWAY_CONFIG, then ./config.yaml,
                  then config.yaml next to the executable.`;

/** Resolve --config (or the lookup order) for a command. */
export function configLocation(flag: string | boolean | undefined): ConfigLocation {
  return locateConfig({ flag: typeof flag === "string" ? flag : undefined });
}
