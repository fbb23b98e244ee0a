import { Options } from "@effect/cli"

/** `--config FILE`, on every command that reads configuration. */
export const configOption = Options.file("config").pipe(
  Options.withDescription("ccl.yaml to read (default: $CCL_CONFIG, else ./ccl.yaml if present)"),
  Options.optional,
)

export const jsonOption = Options.boolean("json").pipe(Options.withDescription("print JSON for scripts"))
