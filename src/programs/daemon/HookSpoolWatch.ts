import { type Duration, Effect } from "effect"
import { watchFolder } from "./FolderWatch.js"
import { spoolDirs } from "./HookSpoolDrain.js"

/**
 * Forever: `drain` run whenever a file lands in the spool's new/ (fs.watch), and every `every` as a safety net;
 * a burst of hooks makes one or two passes, never two at once (FolderWatch.ts).
 */
export const watchSpool = (state: string, drain: Effect.Effect<unknown>, every: Duration.DurationInput) =>
  watchFolder(spoolDirs(state).fresh, "hook spool", drain.pipe(Effect.as(undefined)), every)
