import { isDoneLine, isInputLine, isNewTurnLine, screenLines } from "./ScreenState.js"

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
