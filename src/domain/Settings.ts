import type { Redacted } from "effect"
import type { ComplexityHint } from "./Frontmatter.js"
import type { NotifyTarget } from "./Notification.js"
import type { RetryPolicy } from "./RetryPolicy.js"

/** Everything ccl is configured with, resolved: absolute paths, durations in ms (DESIGN.md "Configuration"). */
export interface Settings {
  /** The file the settings came from, if any. */
  readonly configFile: string | undefined
  /** The queue root (a resolved path), or a postgres:// URL (never with a password in it). */
  readonly queue: string
  /** The Postgres queue's password (CCL_QUEUE_PASSWORD, else PGPASSWORD); unused by the file queue. */
  readonly queuePassword?: Redacted.Redacted<string> | undefined
  readonly state: string
  /** This daemon's name among the nodes of a Postgres queue (default: the host name). */
  readonly node: string
  /** A Postgres claim lasts this long past its node's last heartbeat. */
  readonly queueLeaseMs: number
  /** A folder the daemon imports <id>.md task files from (resolved path), each removed once queued; or none. */
  readonly queueInbox: string | undefined
  readonly tmux: {
    readonly socket: string | undefined
    /** `control`: one `tmux -C` connection for every command; `exec`: one tmux process per command. */
    readonly mode: "control" | "exec"
  }
  readonly agent: { readonly command: string; readonly args: ReadonlyArray<string> }
  readonly pool: {
    readonly size: number
    readonly prefix: string
    readonly cwd: string
    readonly freshContext: boolean
    readonly maxAttempts: number
    /** First wait between a task's attempts (doubling), and its cap; a task's `retry_backoff` overrides the first. */
    readonly retryBackoffMs: number
    readonly retryBackoffMaxMs: number
  }
  readonly dedicated: ReadonlyArray<{ readonly name: string; readonly cwd: string }>
  readonly accounts: ReadonlyArray<{ readonly name: string; readonly home: string }>
  /** Webhooks told of what happens (README "Notifications"); `secret` read from the variable `secret_env` names. */
  readonly notify: ReadonlyArray<NotifyTarget & { readonly secret: Redacted.Redacted<string> | undefined }>
  readonly shared: { readonly root: string; readonly required: ReadonlyArray<string> }
  readonly delegation: {
    /** From SECUTOOLS_API_KEY only; delegation is on exactly when it is set. */
    readonly apiKey: Redacted.Redacted<string> | undefined
    readonly url: string
    readonly providers: ReadonlyArray<string>
    readonly complexity: Readonly<Record<ComplexityHint, string>>
    readonly pollMs: number
    readonly deadlineMs: number
    readonly concurrency: number
    /** While every account is spent, tasks that allow it go to secutools (their hint's provider, else this one). */
    readonly fallbackOnExhausted: boolean
    readonly fallbackProvider: string | undefined
    /** How each call to secutools is retried. */
    readonly retry: RetryPolicy
  }
  readonly watchdog: {
    readonly staleAfterMs: number
    readonly everyMs: number
    /** A task past its deadline: `report` it (log, /watchdog/status), or `fail` it (interrupted, failed/). */
    readonly onStale: "report" | "fail"
  }
  readonly api: {
    readonly host: string
    readonly port: number
    readonly token: Redacted.Redacted<string> | undefined
    /** GET /metrics wants the token too; false or unset: open to local scrapers (Host still checked). */
    readonly metricsToken?: boolean | undefined
  }
  /** `<state>/daemon.log`: rotated when a line would take it past maxBytes, `keep` old files (.1 newest). */
  readonly log: { readonly maxBytes: number; readonly keep: number }
  /** Scheduling by quota (issue 14): percentages of the larger of the 5 h and 7 d windows. */
  readonly accountsPolicy: {
    readonly swapAtPercent: number
    readonly stopNewTasksAtPercent: number
    /** at_idle: the proactive swap waits until no dedicated session is mid-turn. */
    readonly swap: "at_idle" | "immediate"
    /** At a reset with every account spent, sessions start again spread over this long. */
    readonly resumeSpreadMs: number
  }
}

/** The commented example `ccl init` writes. Values are the defaults, so the file changes nothing until edited. */
export const EXAMPLE_CONFIG = `# ccl configuration. Every key is optional; environment variables override it:
# CCL_<PATH> in upper case, e.g. CCL_POOL_SIZE=5, CCL_QUEUE=/srv/queue, CCL_DELEGATION_POLL=30s.
# Relative paths are resolved from this file's folder; ~ is your home.
# Secrets come only from the environment: SECUTOOLS_API_KEY (turns delegation on), CCL_API_TOKEN, the
# Postgres queue's password (CCL_QUEUE_PASSWORD or PGPASSWORD), and the variables notify's secret_env names.

queue: ./queue                  # the queue root (tmp/ pending/ active/ done/ failed/)
#                                 or postgres://ccl@db.example/ccl: several machines, one queue
state: ./state                  # state.json, sessions/<name>/resume-id.txt, history
# node: build-1                 # this daemon's name among a Postgres queue's nodes (default: the host name)
queue_lease: 2m                 # Postgres queue: a claim outlives its node's last heartbeat by this much
# queue_inbox: ./inbox          # drop <id>.md files here: the first daemon to see one queues it

tmux:
  socket: null                  # null = your default tmux server; a name = tmux -L <name>
  mode: control                 # one tmux -C connection; exec = one tmux process per command

agent:
  command: claude               # any program that behaves like Claude Code
  args: [--dangerously-skip-permissions]

pool:
  size: 3                       # worker sessions ccl-pool-1..N
  prefix: ccl-pool
  cwd: ~/work
  fresh_context: true           # send /clear before each task
  max_attempts: 3               # attempts of a task (its session died, its prompt undelivered, it timed out)
  retry_backoff: 30s            # wait before the next attempt, doubling each time...
  retry_backoff_max: 30m        # ...up to this

dedicated: []                   # long-lived interactive sessions, resumed after a failover
#  - { name: ccl-1-conformvault, cwd: ~/src/conformvault }

accounts: []                    # failover order; each home is a CLAUDE_CONFIG_DIR
#  - { name: main,   home: ~/.claude-main }
#  - { name: backup, home: ~/.claude-backup }

notify: []                      # webhooks: a POST per event (limit_hit failover all_exhausted resumed_at_reset
#                                 task_failed needs_input session_dead); no events: every one
#  - { url: https://hooks.example/ccl, events: [limit_hit, task_failed], secret_env: CCL_NOTIFY_SECRET }
#  - { url: https://ntfy.sh/my-ccl-topic }        # ntfy: plain text with a Title (format: ntfy elsewhere)

shared:
  root: ~/.claude-shared
  required: [session-env, file-history, projects]

delegation:                     # on when SECUTOOLS_API_KEY is set
  url: https://secutools.example/api
  providers: [gpu, gemini, claude-api]
  complexity: { low: gpu, medium: gemini, high: claude-api }
  poll: 10s
  deadline: 2h
  concurrency: 16               # jobs polled at once by the reaper
  fallback_on_exhausted: false  # every account spent: tasks that allow delegation go to secutools meanwhile
  # fallback_provider: gemini   # ...with their hint's provider, else this one (none: they wait)
  retry:                        # each call: full-jitter backoff, Retry-After as a floor
    attempts: 6
    base: 500ms
    cap: 30s
    retry_after_cap: 5m
    attempt_timeout: 15s
    deadline: 2m

watchdog:
  stale_after: 2h
  every: 30s
  on_stale: report              # or fail: interrupt the turn, task to failed/ ("timed out"), fresh agent

api:
  host: 127.0.0.1
  port: 7420
  metrics_token: false          # true: GET /metrics wants CCL_API_TOKEN too; false: open (Host still checked)

accounts_policy:                # scheduling by quota (the statusline's 5 h / 7 d used %, the larger one)
  stop_new_tasks_at_percent: 90 # no new task on an account this used while another has room
  swap_at_percent: 95           # the daemon swaps accounts before the wall
  swap: at_idle                 # at_idle: once no dedicated session is mid-turn; immediate: at once
  resume_spread: 30s            # at a reset with every account spent, sessions restart spread over this

log:                            # <state>/daemon.log (ccl logs), also on stdout
  max_bytes: 10485760           # rotated at 10 MiB: daemon.log.1 (newest) ... daemon.log.<keep>
  keep: 5
`
