import { type ChildProcess, spawn } from "node:child_process"
import { Deferred, Effect, Exit, type Scope } from "effect"
import {
  type ControlReply,
  commandLine,
  makeControlParser,
  type TmuxNotification,
} from "../domain/TmuxControlProtocol.js"
import { TmuxError } from "../services/TmuxPool.js"

// One running `tmux -C` client: its stdin, its stdout parsed into replies (matched to a FIFO of pending calls)
// and notifications. TmuxControlConnection decides when to start one and when to give it up.
//
// Why node:child_process and a shell around tmux: tmux 3.3a never lets a control client go while it holds
// output it cannot write, so a daemon killed mid-%output would leave its client (and its holder, attached)
// forever, and a later `tmux kill-server` would hang with the socket refusing every client. The shell kills
// the client as soon as fd 3, a pipe only this process holds, reads end of file (this process is gone). The
// Effect Command API gives a child no fourth descriptor.
const WRAPPER = [
  "exec 4<&0", // an asynchronous list's stdin would be /dev/null: keep ours
  'tmux "$@" <&4 4<&- 3<&- &',
  "t=$!",
  "exec 4<&- 0</dev/null",
  "(exec >/dev/null 2>&1; read _ <&3; kill $t) &",
  "w=$!",
  "exec 3<&- >/dev/null 2>&1", // stdout ends when tmux's does
  "wait $t; s=$?; kill $w; exit $s",
].join("\n")

/** What tmux answered one command: whether it ran, and what it printed (each line + "\n", like stdout). */
export interface Reply {
  readonly command: ReadonlyArray<string>
  readonly ok: boolean
  readonly output: string
}

/** The connection a batch of commands goes to. */
export interface Connection {
  readonly holder: string
  /** The holder's own window (everything else in the holder is a linked ccl window). */
  baseWindow: string
  /** Windows linked into the holder by this connection (their %output reaches us). */
  readonly linked: Set<string>
}

interface Pending {
  readonly args: ReadonlyArray<string>
  readonly done: Deferred.Deferred<Reply, TmuxError>
}

export interface Client extends Connection {
  alive: boolean
  readonly pending: Array<Pending>
  readonly child: ChildProcess
  /** Once the process is gone and its output read: why (tmux's stderr and last words) and its exit code. */
  readonly ended: Deferred.Deferred<{ readonly why: string; readonly exitCode: number }>
  /** tmux says the client is attached to its holder (`%session-changed`): its own new-session has run. */
  readonly attached: Deferred.Deferred<void>
}

export const failAll = (entries: ReadonlyArray<Pending>, stderr: string, exitCode: number) => {
  for (const e of entries)
    Deferred.unsafeDone(
      e.done,
      Exit.fail(new TmuxError({ command: `tmux ${e.args.join(" ")}`, exitCode, stderr })),
    )
}

/** Kills the client (the shell, tmux's client and the watcher: their own process group), never the server. */
export const killClient = (client: Client) => {
  try {
    if (client.child.pid !== undefined && client.child.exitCode === null)
      process.kill(-client.child.pid, "SIGTERM")
  } catch {}
}

/**
 * Starts `tmux <args>` (a control client); `onNotification` sees everything tmux reports between replies.
 * Closing the scope kills the client if it still runs.
 */
export const startClient = (
  holder: string,
  args: ReadonlyArray<string>,
  /** Returns a reason to give the client up (it is killed, the reason kept for the pending calls' errors). */
  onNotification: (client: Client, n: TmuxNotification) => string | undefined,
): Effect.Effect<Client, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const child = spawn("sh", ["-c", WRAPPER, "sh", ...args], {
        stdio: ["pipe", "pipe", "pipe", "pipe"],
        detached: true,
      })
      const client: Client = {
        holder,
        baseWindow: "",
        linked: new Set(),
        alive: true,
        pending: [],
        child,
        ended: yield* Deferred.make<{ readonly why: string; readonly exitCode: number }>(),
        attached: yield* Deferred.make<void>(),
      }
      const parser = makeControlParser()
      const lastWords: Array<string> = []
      let stderr = ""
      child.stdout!.on("data", (chunk: Buffer) => {
        for (const event of parser.feed(chunk)) {
          if (!client.alive) return
          if (event._tag === "Reply") complete(client, event.reply, lastWords)
          else {
            if (event.notification._tag === "Exit")
              lastWords.push(`%exit ${event.notification.reason}`.trim())
            const quit = onNotification(client, event.notification)
            if (quit !== undefined) {
              lastWords.push(quit)
              killClient(client)
            }
          }
        }
      })
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      child.stdin!.on("error", () => {}) // EPIPE once tmux is gone: "close" below says why
      child.on("close", (code, signal) => {
        const exitCode = code ?? 128
        const words = [stderr.trim(), ...lastWords].filter((s) => s !== "").join("; ")
        const why = `tmux control client ended (${signal ?? `exit ${exitCode}`}): ${words || "no reason given"}`
        Deferred.unsafeDone(client.ended, Exit.succeed({ why, exitCode }))
      })
      return client
    }),
    (client) =>
      Effect.sync(() => killClient(client)).pipe(
        Effect.zipRight(Effect.timeout(Deferred.await(client.ended), "2 seconds")),
        Effect.ignore,
        Effect.ensuring(Effect.sync(() => client.child.stdio[3]?.destroy())),
      ),
  )

/** A reply block completes the oldest pending call; blocks tmux ran on its own (flags 0) are no call's. */
const complete = (client: Client, reply: ControlReply, lastWords: Array<string>) => {
  if (!reply.mine) {
    if (!reply.ok) lastWords.push(...reply.lines) // the initial new-session's error
    return
  }
  const p = client.pending.shift()
  if (p !== undefined)
    Deferred.unsafeDone(
      p.done,
      Exit.succeed({ command: p.args, ok: reply.ok, output: reply.lines.map((l) => `${l}\n`).join("") }),
    )
}

/** Writes `commands`, one line each, and returns their pending replies in order. */
export const write = (client: Client, commands: ReadonlyArray<ReadonlyArray<string>>) =>
  Effect.gen(function* () {
    const entries: Array<Pending> = []
    for (const args of commands) entries.push({ args, done: yield* Deferred.make<Reply, TmuxError>() })
    // One synchronous step: the FIFO order is the order the lines reach tmux.
    if (!client.alive) failAll(entries, "the connection to tmux is closed", 127)
    else if (entries.length > 0) {
      client.pending.push(...entries)
      client.child.stdin!.write(commands.map((args) => `${commandLine(args)}\n`).join(""))
    }
    return entries
  })
