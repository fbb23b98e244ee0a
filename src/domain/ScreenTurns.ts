import { isDoneLine, isInputLine, isNewTurnLine, screenLines } from "./ScreenState.js"

// The turns a Claude Code screen shows: how many ended, and whether there is any (after /clear).

/** "✻ Baked for 1s" lines on a screen: one more than before the prompt means the turn ended. */
export const doneLineCount = (screen: string): number => screenLines(screen).filter(isDoneLine).length

const CLEAR_COMMAND = /^[>❯]\s+\/clear\s*$/u

/**
 * Whether a screen shows a conversation with no turn in it yet: what `/clear` leaves (Claude Code 2.1.332 wipes the
 * screen to its header plus `❯ /clear`; the simulated agent to its header), and what a fresh launch shows. Above
 * the input box there is no prompt but `/clear`, no reply and no "turn finished" line. A screen that still shows
 * the previous task's turn is not cleared yet, however idle and still it looks: text pasted then can land in the
 * old conversation, or be wiped with it.
 */
export const isClearedScreen = (screen: string): boolean => {
  const lines = screenLines(screen)
  let input = -1
  for (let i = lines.length - 1; i >= 0 && input < 0; i--) if (isInputLine(lines[i]!, lines[i - 1])) input = i
  if (input < 0) return false
  return lines
    .slice(0, input)
    .every((line, i) => CLEAR_COMMAND.test(line) || !(isNewTurnLine(line, lines[i - 1]) || isDoneLine(line)))
}

/**
 * What a screen says of a prompt ccl was sending when it stopped (a crash between committing the holder and the
 * Enter): `in-input` (pasted, not submitted: text waits in the input box), `absent` (the cleared conversation: it
 * never arrived), or `submitted` (a turn is on screen, or the agent is busy: there is no input box).
 */
export const deliveryEvidence = (screen: string): "in-input" | "absent" | "submitted" => {
  const lines = screenLines(screen)
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!isInputLine(lines[i]!, lines[i - 1])) continue
    const typed = lines[i]!.replace(/^\s*│?\s*[❯>]/u, "").trim()
    if (typed !== "") return "in-input"
    return isClearedScreen(screen) ? "absent" : "submitted"
  }
  return "submitted"
}
