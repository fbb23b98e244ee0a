// The task id rule in plain TypeScript (no Effect): the light `ccl decide` and the task format read it too.

export const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/** True when `s` is a valid task id: the file name of a task without `.md`. */
export const isTaskId = (s: string): boolean => TASK_ID.test(s)

/** The task id of a file name in pending/, or undefined for anything that is not a task (editor files, dotfiles, markers). */
export const taskIdOfFileName = (name: string): string | undefined => {
  if (!name.endsWith(".md")) return undefined
  const id = name.slice(0, -3)
  return isTaskId(id) ? id : undefined
}

/** Explains why `s` is not a task id, for error lines. */
export const taskIdProblem = (s: string): string | undefined =>
  isTaskId(s)
    ? undefined
    : `task id ${JSON.stringify(s)} is invalid: use 1-128 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit`
