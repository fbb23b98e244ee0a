import { existsSync } from "node:fs"
import * as path from "node:path"
import { projectSlug } from "../../domain/ProjectSlug.js"

/** Claude Code's transcript of conversation `id` started in `cwd`: `<home>/projects/<slug of cwd>/<id>.jsonl`. */
export const transcriptFile = (home: string, cwd: string, id: string): string =>
  path.join(home, "projects", projectSlug(cwd), `${id}.jsonl`)

/**
 * A conversation can be resumed only once it has a transcript: Claude Code writes none before the first prompt,
 * and `--resume` of such an id stops at `No conversation found with session ID`.
 */
export const hasTranscript = (home: string, cwd: string, id: string): boolean =>
  existsSync(transcriptFile(home, cwd, id))
