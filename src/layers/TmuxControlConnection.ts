import { Deferred, Duration, Effect, ExecutionStrategy, Exit, PubSub, Scope } from "effect"
import type { TmuxNotification } from "../domain/TmuxControlProtocol.js"
import { TmuxError } from "../services/TmuxPool.js"
import { type Client, type Connection, failAll, startClient, write } from "./TmuxControlClient.js"
import { HOLDER_PREFIX, TMUX_CALL_TIMEOUT_MS } from "./TmuxPoolShared.js"

export type { Connection, Reply } from "./TmuxControlClient.js"

// One `tmux -C` client per pool, started on first use and again after it drops (server killed or restarted).
// Commands go one per line (a `;` list answers one block per command run, fewer when one fails: uncountable);
// replies come back in order and are matched to a FIFO of pending calls (TmuxControlClient).
//
// A control client must stay attached to a session or tmux drops it (`start-server` alone exits at once). It
// gets its own holder session, `_ccl-control-<pid>-<n>`: a name ccl never gives a session (ccl names start with a
// letter or digit), hidden from `list`; killed when the pool closes (that only unlinks the ccl windows linked
// into it: the ccl sessions and the server keep running for the next daemon), or by the next connection once
// no client is attached (its client died). tmux sends %output only for panes whose window is in the client's
// session: the pool links the ccl windows into the holder (TmuxPoolControl).

export interface TmuxControlOptions {
  readonly socket: string | undefined
  readonly timeoutMs?: number
}

interface Live {
  readonly client: Client
  readonly scope: Scope.CloseableScope
}

const OUTPUT_EVERY_MS = 20
const HOLDER_COMMAND = "exec sleep 2147483647" // idles forever, prints nothing
let connections = 0 // per process: every pool's holder has its own name

export const makeTmuxControlConnection = (options: TmuxControlOptions) =>
  Effect.gen(function* () {
    const timeoutMs = options.timeoutMs ?? TMUX_CALL_TIMEOUT_MS
    const socketArgs = options.socket === undefined ? [] : ["-L", options.socket]
    // A reader that falls 10 000 notifications behind loses the newest.
    const notifications = yield* PubSub.sliding<TmuxNotification>(10_000)
    const lock = yield* Effect.makeSemaphore(1)
    // Clients live in a scope of their own, closed after the graceful detach below (not before it).
    const root = yield* Scope.make()
    let current: Live | undefined

    /** Fails every pending call with tmux's last words, and closes the client (if still running). */
    const drop = (live: Live, why: string, exitCode: number) =>
      Effect.suspend(() => {
        if (!live.client.alive) return Effect.void
        live.client.alive = false
        if (current === live) current = undefined
        failAll(live.client.pending.splice(0), why, exitCode)
        // Forked: drop may run in the client's own scope (its watcher), which this closes.
        return Effect.asVoid(Effect.forkDaemon(Scope.close(live.scope, Exit.void)))
      })

    const send = (live: Live, commands: ReadonlyArray<ReadonlyArray<string>>) =>
      Effect.flatMap(write(live.client, commands), (entries) => {
        const all = Effect.forEach(entries, (e) => Deferred.await(e.done))
        return all.pipe(
          // Interruptible even inside the daemon's uninterruptible steps, or the timeout could not fire.
          Effect.interruptible,
          Effect.timeout(Duration.millis(timeoutMs)),
          // A server that stopped answering: this client is dropped (every call on it fails), the next reconnects.
          Effect.catchTag("TimeoutException", () =>
            Effect.zipRight(drop(live, `no answer from tmux within ${timeoutMs} ms`, 127), all),
          ),
        )
      })

    // A busy pane prints hundreds of %output lines a second; a reader wants to know that it printed. One per pane
    // per OUTPUT_EVERY_MS is published: a reader that coalesces over longer (ScreenWatch: 50 ms) misses nothing.
    const lastOutput = new Map<string, number>()
    const onNotification = (client: Client, n: TmuxNotification) => {
      if (n._tag === "Output") {
        const now = performance.now()
        if (now - (lastOutput.get(n.paneId) ?? Number.NEGATIVE_INFINITY) < OUTPUT_EVERY_MS) return undefined
        if (lastOutput.size > 1_000) lastOutput.clear() // pane ids of agents long gone
        lastOutput.set(n.paneId, now)
      }
      if (n._tag === "Other" && n.name === "session-changed") {
        // Moved off its holder (the holder killed from outside, detach-on-destroy off): start again.
        if (!n.args.endsWith(` ${client.holder}`)) return "the control client left its holder session"
        Deferred.unsafeDone(client.attached, Exit.void)
      }
      notifications.unsafeOffer(n)
      return undefined
    }

    // Uninterruptible but for the wait on tmux's first answer, which drops the half-made client if cut short.
    const connect = (start: boolean) =>
      Effect.gen(function* () {
        const holder = `${HOLDER_PREFIX}${process.pid}-${++connections}`
        const scope = yield* Scope.fork(root, ExecutionStrategy.sequential)
        // -N: only create may start a server; list/has/kill on none answer "no server running" like exec mode.
        const noStart = start ? [] : ["-N"]
        const args = [
          ...socketArgs,
          ...noStart,
          "-C",
          "new-session",
          "-s",
          holder,
          "-n",
          holder,
          HOLDER_COMMAND,
        ]
        const live: Live = {
          client: yield* Scope.extend(startClient(holder, args, onNotification), scope),
          scope,
        }
        yield* Deferred.await(live.client.ended).pipe(
          Effect.flatMap(({ why, exitCode }) => drop(live, why, exitCode)),
          Effect.forkIn(scope),
        )
        // Commands written before the client's own new-session has run would run first (the holder not there
        // yet: its window unknown, and a sweep would kill it). Wait until tmux says the client is attached.
        const first = yield* Effect.raceFirst(
          Effect.as(Deferred.await(live.client.attached), undefined),
          Deferred.await(live.client.ended),
        ).pipe(
          Effect.interruptible,
          Effect.timeoutFail({
            duration: Duration.millis(timeoutMs),
            onTimeout: () =>
              new TmuxError({
                command: `tmux ${args.join(" ")}`,
                exitCode: 127,
                stderr: `no answer from tmux within ${timeoutMs} ms`,
              }),
          }),
          Effect.onError(() => drop(live, "connection attempt abandoned", 127)),
        )
        if (first !== undefined)
          return yield* new TmuxError({
            command: `tmux ${args.join(" ")}`,
            exitCode: first.exitCode,
            stderr: first.why,
          })
        // The first answer proves the connection; it also says which window is the holder's own, and which
        // holders were left by clients that died without closing (none attached): those go.
        const [base, sessions] = yield* send(live, [
          ["display-message", "-p", "-t", `=${holder}:`, "#{window_id}"],
          ["list-sessions", "-F", "#{session_attached} #{session_name}"],
        ]).pipe(Effect.onError(() => drop(live, "connection attempt abandoned", 127)))
        live.client.baseWindow = base!.output.trim()
        const stale = sessions!.output.split("\n").flatMap((l) => {
          const [attached, name] = l.split(" ")
          return attached === "0" && name?.startsWith(HOLDER_PREFIX)
            ? [["kill-session", "-t", `=${name}`]]
            : []
        })
        if (stale.length > 0) yield* Effect.ignore(send(live, stale))
        current = live
        return live
      }).pipe(Effect.uninterruptible)

    const ensure = (start: boolean) =>
      Effect.suspend(() =>
        current?.client.alive
          ? Effect.succeed(current)
          : lock.withPermits(1)(
              Effect.suspend(() => (current?.client.alive ? Effect.succeed(current) : connect(start))),
            ),
      )

    // Closing detaches: our holder goes, then stdin ends and tmux lets the client exit. Nothing else is killed.
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        const live = current
        if (live === undefined) return Scope.close(root, Exit.void)
        return write(live.client, [["kill-session", "-t", `=${live.client.holder}`]]).pipe(
          Effect.zipRight(Effect.sync(() => live.client.child.stdin?.end())),
          Effect.zipRight(Effect.timeout(Deferred.await(live.client.ended), Duration.seconds(2))),
          Effect.ignore,
          Effect.zipRight(drop(live, "closed", 0)),
          Effect.zipRight(Scope.close(root, Exit.void)),
        )
      }),
    )

    return {
      /**
       * Runs `build(connection)`'s commands, one line each, on the live connection (made first if needed;
       * `start`: a new connection may start the tmux server). Replies in order; %error is `ok: false`.
       */
      run: (build: (conn: Connection) => ReadonlyArray<ReadonlyArray<string>>, start = false) =>
        Effect.flatMap(ensure(start), (live) => send(live, build(live.client))),
      subscribe: PubSub.subscribe(notifications),
    }
  })

export type TmuxControlConnection = Effect.Effect.Success<ReturnType<typeof makeTmuxControlConnection>>
