import { readFileSync, renameSync } from "node:fs"
import * as path from "node:path"
import { isValidResumeUUID, resumeIdFromFile } from "../../domain/ResumeId.js"
import { writeFileDurably } from "../../layers/DurableFile.js"

/** `<state>/sessions/<name>/resume-id.txt`: the conversation a session resumes after a failover. */
export const resumeIdPath = (stateDir: string, session: string): string =>
  path.join(stateDir, "sessions", session, "resume-id.txt")

/** Writes the id whole (temp, fsync, rename; 0600 in a 0700 folder). Only a valid UUID is ever written. */
export const writeResumeId = (stateDir: string, session: string, id: string): void => {
  if (!isValidResumeUUID(id)) throw new Error(`not a resume UUID: ${JSON.stringify(id.slice(0, 80))}`)
  writeFileDurably(resumeIdPath(stateDir, session), `${id}\n`, { mode: 0o600, dirMode: 0o700 })
}

export type ResumeIdRead =
  | { readonly kind: "valid"; readonly id: string }
  | { readonly kind: "missing" }
  /** Anything but one UUID (garbage, `x; rm -rf ~`, trailing junk): moved aside, never typed. */
  | { readonly kind: "invalid"; readonly movedTo: string; readonly sample: string }

/** Reads a session's resume id; a file holding anything but a UUID (surrounding whitespace allowed) is moved aside. */
export const readResumeId = (stateDir: string, session: string, now = Date.now()): ResumeIdRead => {
  const file = resumeIdPath(stateDir, session)
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch {
    return { kind: "missing" }
  }
  const id = resumeIdFromFile(text)
  if (id !== undefined) return { kind: "valid", id }
  const movedTo = `${file}.corrupt.${new Date(now).toISOString().replace(/[:.]/g, "-")}`
  try {
    renameSync(file, movedTo)
  } catch {
    // left in place: it is rejected again next time, never typed
  }
  return { kind: "invalid", movedTo, sample: JSON.stringify(text.slice(0, 40)) }
}
