// The frontmatter fields a new task can be given outside its text: `ccl queue add --priority ...` and
// `POST /api/tasks` (the dashboard's form) name them alike and both go through this one mapping.

/** What the operator chose for a new task; absent means "not set" (the file's own frontmatter or the default). */
export interface NewTaskFields {
  readonly priority?: number | undefined
  readonly preferred_ai?: string | undefined
  readonly allow_delegation?: boolean | undefined
  readonly complexity?: "low" | "medium" | "high" | undefined
  readonly needs_claude_code?: boolean | undefined
  readonly depends_on?: ReadonlyArray<string> | undefined
  readonly max_attempts?: number | undefined
  readonly retry_backoff?: string | undefined
  readonly timeout?: string | undefined
}

/**
 * The frontmatter keys to set (TaskText.setFrontmatterFields): `complexity` is written as `complexity_hint`,
 * `needs_claude_code: false` and an empty `depends_on` are left out. Values are checked later, with the rest of
 * the frontmatter, by the queue's validation: a bad one is one line naming its field.
 */
export const frontmatterOf = (f: NewTaskFields): Record<string, unknown> => {
  const fields: Record<string, unknown> = {}
  if (f.priority !== undefined) fields.priority = f.priority
  if (f.preferred_ai !== undefined) fields.preferred_ai = f.preferred_ai
  if (f.allow_delegation !== undefined) fields.allow_delegation = f.allow_delegation
  if (f.complexity !== undefined) fields.complexity_hint = f.complexity
  if (f.needs_claude_code === true) fields.needs_claude_code = true
  if (f.depends_on !== undefined && f.depends_on.length > 0) fields.depends_on = [...f.depends_on]
  if (f.max_attempts !== undefined) fields.max_attempts = f.max_attempts
  if (f.retry_backoff !== undefined) fields.retry_backoff = f.retry_backoff
  if (f.timeout !== undefined) fields.timeout = f.timeout
  return fields
}

/** An id for a task given none: `task-YYYYMMDD-HHMMSS-xxxx` (sortable by time; `suffix` keeps two apart). */
export const generatedTaskId = (now: Date, suffix: string): string =>
  `task-${now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}-${suffix}`

/** The first line of a task's body that says something, for one-line views (≤ `max` characters). */
export const taskTitle = (body: string, max = 120): string => {
  const line = body
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "" && l !== "---")
  if (line === undefined) return ""
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}
