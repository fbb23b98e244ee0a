// The dashboard's data: the four reads the views show, loaded at once, then again for what each event from the
// live feed touches (several events within 200 ms give one read), everything on a resync (stream (re)connected,
// a `reset`, a poll while the stream is down).

import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks"
import { getJson, isUnauthorized, postJson } from "./api.js"
import type { PageApi, Resource } from "./context.js"
import { type FeedState, startFeed } from "./events.js"
import type { AccountView, DaemonStatus, DelegationView, QueueView } from "./types.js"

const PATHS: Record<Resource, string> = {
  status: "/api/status",
  accounts: "/api/accounts",
  queue: "/api/queue?recent=30",
  delegation: "/api/delegated/status",
}
const ALL: ReadonlyArray<Resource> = ["status", "accounts", "queue", "delegation"]

/** What each event type may change on the page (a `hook` changes nothing shown: its session event follows). */
const TOUCHES: Readonly<Record<string, ReadonlyArray<Resource>>> = {
  task: ["queue", "status", "delegation"],
  session: ["status"],
  failover: ["status", "accounts"],
  quota: ["accounts"],
  reset: ALL,
}

const DEBOUNCE_MS = 200
/**
 * The queue is reread this often even while the stream is live: a task that lands in pending/ (`ccl queue add`,
 * a file dropped in, a retry) raises no event until it is dispatched, and a paused daemon dispatches nothing.
 */
const QUEUE_SWEEP_MS = 5_000

export interface DashboardData {
  readonly status?: DaemonStatus
  readonly accounts?: ReadonlyArray<AccountView>
  readonly queue?: QueueView
  readonly delegation?: DelegationView
}

export interface Dashboard {
  readonly data: DashboardData
  /** The last failed read of each resource, until one succeeds. */
  readonly errors: Partial<Record<Resource, string>>
  readonly feed: FeedState
  readonly api: PageApi
}

export const useDashboard = (token: string | null, onUnauthorized: () => void): Dashboard => {
  const [data, setData] = useState<DashboardData>({})
  const [errors, setErrors] = useState<Partial<Record<Resource, string>>>({})
  const [feed, setFeed] = useState<FeedState>("connecting")
  const queued = useRef(new Set<Resource>())
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  // A read answered after a later one started is stale: only the latest of each resource lands.
  const generation = useRef<Record<string, number>>({})

  const guarded = useCallback(
    <A>(p: Promise<A>): Promise<A> =>
      p.catch((e: unknown) => {
        if (isUnauthorized(e)) onUnauthorized()
        throw e
      }),
    [onUnauthorized],
  )

  const load = useCallback(
    async (resource: Resource) => {
      const mine = (generation.current[resource] ?? 0) + 1
      generation.current[resource] = mine
      try {
        const value = await guarded(getJson<unknown>(token, PATHS[resource]))
        if (generation.current[resource] !== mine) return
        setData((d) => ({ ...d, [resource]: value }))
        setErrors((e) => (e[resource] === undefined ? e : { ...e, [resource]: undefined }))
      } catch (e) {
        if (generation.current[resource] !== mine || isUnauthorized(e)) return
        setErrors((old) => ({ ...old, [resource]: e instanceof Error ? e.message : String(e) }))
      }
    },
    [token, guarded],
  )

  const refresh = useCallback(
    (resources: ReadonlyArray<Resource>) => {
      for (const r of resources) queued.current.add(r)
      if (timer.current !== undefined) return
      timer.current = setTimeout(() => {
        timer.current = undefined
        const due = [...queued.current]
        queued.current.clear()
        for (const r of due) void load(r)
      }, DEBOUNCE_MS)
    },
    [load],
  )

  useEffect(() => {
    for (const r of ALL) void load(r)
    const stop = startFeed(token, {
      onEvent: (type) => refresh(TOUCHES[type] ?? []),
      onResync: () => refresh(ALL),
      onState: setFeed,
      onUnauthorized,
    })
    const sweep = setInterval(() => refresh(["queue", "status"]), QUEUE_SWEEP_MS)
    return () => {
      stop()
      clearInterval(sweep)
      clearTimeout(timer.current)
      timer.current = undefined
    }
  }, [token, load, refresh, onUnauthorized])

  const api = useMemo<PageApi>(
    () => ({
      get: <A>(path: string) => guarded(getJson<A>(token, path)),
      post: <A>(path: string, body: object = {}) => guarded(postJson<A>(token, path, body)),
      refresh,
    }),
    [token, guarded, refresh],
  )

  return { data, errors, feed, api }
}
