// `queue:` names a folder (the file queue) or a Postgres database (several machines, one queue).

/** True when `queue:` is a Postgres URL rather than a path. */
export const isPostgresQueue = (queue: string): boolean => /^postgres(ql)?:\/\//i.test(queue)

/**
 * What is wrong with a Postgres queue URL, or undefined. A password in it is refused: ccl.yaml and the logs would
 * carry it; it comes from CCL_QUEUE_PASSWORD or PGPASSWORD instead.
 */
export const queueUrlProblem = (url: string): string | undefined => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `"queue": ${JSON.stringify(url)} is not a valid URL (expected postgres://USER@HOST[:PORT]/DATABASE)`
  }
  if (parsed.password !== "")
    return `"queue": the URL holds a password: remove it and export CCL_QUEUE_PASSWORD (or PGPASSWORD) instead`
  if (parsed.searchParams.has("password"))
    return `"queue": the URL's ?password= is refused: export CCL_QUEUE_PASSWORD (or PGPASSWORD) instead`
  return undefined
}

/** The id a Postgres task shows where a file task shows its path. */
export const postgresTaskPath = (id: string): string => `postgres:${id}`

/** Where a task is, as commands print it and the agent is told: its file, or `postgres:<id>`. */
export const taskLocation = (root: string, state: string, id: string): string =>
  isPostgresQueue(root) ? postgresTaskPath(id) : `${root}/${state}/${id}.md`
