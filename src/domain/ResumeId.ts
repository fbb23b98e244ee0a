const RESUME_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * True when `s` is exactly a conversation UUID that may be typed after `--resume`.
 * Anything else (trailing junk, shell syntax, whitespace) is rejected: it would be typed into a shell.
 */
export const isValidResumeUUID = (s: string): boolean => RESUME_UUID.test(s)

/** The UUID held by a resume-id file's text (one line, surrounding whitespace allowed), or undefined. */
export const resumeIdFromFile = (text: string): string | undefined => {
  const trimmed = text.trim()
  return isValidResumeUUID(trimmed) ? trimmed.toLowerCase() : undefined
}
