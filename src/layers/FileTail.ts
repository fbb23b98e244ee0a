import { closeSync, fstatSync, openSync, readSync } from "node:fs"

/**
 * The last `maxBytes` of a file as text, from its first whole line when the start was cut (a JSONL file: the
 * transcript, the hook events file), and how many bytes were left out. Undefined when the file cannot be read.
 */
export const readFileTail = (
  file: string,
  maxBytes: number,
): { readonly text: string; readonly skipped: number } | undefined => {
  let fd: number | undefined
  try {
    fd = openSync(file, "r")
    const size = fstatSync(fd).size
    const start = Math.max(0, size - maxBytes)
    const buffer = Buffer.alloc(size - start)
    readSync(fd, buffer, 0, buffer.length, start)
    const text = buffer.toString("utf8")
    return start === 0 ? { text, skipped: 0 } : { text: text.slice(text.indexOf("\n") + 1), skipped: start }
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
