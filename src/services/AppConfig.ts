import { Context, Data } from "effect"
import type { Settings } from "../domain/Settings.js"

/** Configuration could not be read: one line naming the file or variable, the key and the fix. */
export class ConfigInvalid extends Data.TaggedError("ConfigInvalid")<{ readonly message: string }> {}

/** The resolved settings of this run. */
export class AppConfig extends Context.Tag("ccl/AppConfig")<AppConfig, Settings>() {}
