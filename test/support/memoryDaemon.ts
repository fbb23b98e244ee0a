// A daemon's dispatcher over in-memory tmux and queue (as test/failover/AccountSwap.test.ts builds it), driven the
// way the daemon drives it: its dispatch and screen loops forked, screens set by hand, hooks handed to `onHook`.
// Real clock. Used by the fencing tests (test/reliability/stale-completion.test.ts) and the fresh-context ones.

import { readFileSync } from "node:fs"
import * as path from "node:path"
import { Context, Duration, Effect, Option } from "effect"
import type { HookRecord } from "../../src/domain/HookRecord.js"
import type { Settings } from "../../src/domain/Settings.js"
import { makeTaskQueueMemory } from "../../src/layers/TaskQueueMemory.js"
import { makeTmuxPoolMemory } from "../../src/layers/TmuxPoolMemory.js"
import { makeTaskCancel } from "../../src/programs/daemon/TaskCancel.js"
import { AccountQuotas } from "../../src/services/AccountQuotas.js"
import { QueueIOError } from "../../src/services/TaskQueue.js"
import { TmuxError } from "../../src/services/TmuxPool.js"
import { daemonRig } from "./daemonRig.js"
import { testSettings } from "./settings.js"
import { tempDir } from "./tempDir.js"

export const screen = (name: string) =>
  readFileSync(path.resolve(__dirname, "../fixtures/screens", `${name}.txt`), "utf8")

const RULE = "─".repeat(60)
/** The simulator at rest, nothing on screen yet: no "✻ Baked for" line. */
export const IDLE = `${RULE}\n> \n${RULE}\n  ? for shortcuts\n`
/** `✶ Working… (esc to interrupt)` above the prompt box. */
export const BUSY = screen("busy--simulator-working")
/** A turn just ended: `✻ Baked for 1s` above the idle box. */
export const TURN_ENDED = screen("idle--simulator-after-turn")

export const CONVERSATION = "0f6e9a52-3c1b-4d7e-9a0b-2c4d6e8f0a1b"

/** Polls `check` (an Effect) until it yields a value, or dies after `ms` with `describe()`. */
export const until = <A>(check: Effect.Effect<A | undefined>, ms: number, describe: () => string) =>
  Effect.gen(function* () {
    const deadline = Date.now() + ms
    for (;;) {
      const value = yield* check
      if (value !== undefined) return value
      if (Date.now() > deadline) return yield* Effect.dieMessage(`timed out after ${ms} ms: ${describe()}`)
      yield* Effect.sleep(Duration.millis(10))
    }
  })

/** A daemon's dispatcher over memory layers, its dispatch and screen loops running in the test's scope. */
export const memoryDaemon = (
  poolSize: number,
  faults: {
    releaseFailures?: number
    freshContext?: boolean
    watchdog?: Settings["watchdog"]
    /** Pastes of these texts fail as tmux would (the prompt never reaches the session). */
    refusePaste?: (text: string) => boolean
    /** Configured accounts (homes under the temp folder); default none. */
    accounts?: ReadonlyArray<string>
  } = {},
) =>
  Effect.gen(function* () {
    const root = tempDir()
    const base = testSettings(root)
    const settings = {
      pool: { ...base.pool, size: poolSize, freshContext: faults.freshContext ?? true },
      ...(faults.watchdog === undefined ? {} : { watchdog: faults.watchdog }),
      accounts: (faults.accounts ?? []).map((name) => ({ name, home: path.join(root, `home-${name}`) })),
    }
    const tmux = yield* makeTmuxPoolMemory
    const memory = yield* makeTaskQueueMemory()
    // The first `releaseFailures` releases fail as a full disk would.
    let failing = faults.releaseFailures ?? 0
    const queue: typeof memory = {
      ...memory,
      release: (id) =>
        failing-- > 0
          ? Effect.fail(new QueueIOError({ op: "release", path: id, message: "no space left on device" }))
          : memory.release(id),
    }
    const refuse = faults.refusePaste
    const pool: typeof tmux.pool =
      refuse === undefined
        ? tmux.pool
        : {
            ...tmux.pool,
            sendText: (name, text) =>
              refuse(text)
                ? Effect.fail(
                    new TmuxError({
                      command: "paste-buffer",
                      exitCode: 1,
                      stderr: "no space for the buffer",
                    }),
                  )
                : tmux.pool.sendText(name, text),
          }
    const d = yield* daemonRig({ root, settings, tmux: pool, queue })
    yield* d.supervisor.startSessions
    /** `POST /api/tasks/{id}/cancel` as the daemon answers it. */
    const cancel = yield* Effect.provide(makeTaskCancel, d.context)
    yield* Effect.forkScoped(d.dispatcher.run)
    yield* Effect.forkScoped(d.screens.run(20, 20))
    yield* Effect.forkScoped(d.watchdog.run)
    const dispatcher = {
      table: d.table,
      wake: d.control.wake,
      onHook: d.hooks.accept,
      sweepOrphans: d.supervisor.sweepOrphans,
    }
    const state = d.state
    const names = Array.from({ length: poolSize }, (_, i) => `ccl-pool-${i + 1}`)

    const where = (id: string) =>
      Effect.map(queue.get(id), (t) => (Option.isSome(t) ? t.value.state : "missing")).pipe(Effect.orDie)
    const record = (name: string) => dispatcher.table.get(name)!
    const describe = () =>
      JSON.stringify(dispatcher.table.view().map((s) => [s.name, s.phase, s.state, s.task]))

    /** Every session shows the agent at rest: each becomes ready. */
    const allReady = Effect.gen(function* () {
      for (const n of names) tmux.script.setScreen(n, IDLE)
      yield* until(
        Effect.sync(() => (names.every((n) => record(n).phase === "ready") ? true : undefined)),
        10_000,
        describe,
      )
    })

    /** Enqueues a task and waits until some session got its prompt; returns that session's name. */
    const dispatch = (id: string, body: string) =>
      Effect.gen(function* () {
        yield* queue.enqueue(id, body).pipe(Effect.orDie)
        yield* dispatcher.wake
        return yield* until(
          Effect.sync(() =>
            names.find(
              (n) =>
                record(n).task?.id === id &&
                tmux.script.sent(n).some((t) => t.startsWith(`[ccl task ${id}:`)),
            ),
          ),
          10_000,
          () => `task ${id} never sent: ${describe()}`,
        )
      })

    const stop = (name: string, receivedAt: number, message: string, promptId?: string): HookRecord => ({
      event: "Stop",
      ccl_session: name,
      received_at: new Date(receivedAt).toISOString(),
      payload: {
        session_id: CONVERSATION,
        hook_event_name: "Stop",
        last_assistant_message: message,
        ...(promptId === undefined ? {} : { prompt_id: promptId }),
      },
    })
    /** The UserPromptSubmit of the prompt ccl just sent to `name` (its text as sent). */
    const submitted = (name: string, promptId: string): HookRecord => ({
      event: "UserPromptSubmit",
      ccl_session: name,
      received_at: new Date().toISOString(),
      payload: { session_id: CONVERSATION, prompt_id: promptId, prompt: tmux.script.sent(name).at(-1) ?? "" },
    })

    /** Lets the screen loop look a few times (it reads every 20 ms; a hooked agent's screen every 2 s). */
    const settleLoops = (ms = 300) => Effect.sleep(Duration.millis(ms))

    /** Waits until the task is in `state` (a queue folder). */
    const untilIn = (id: string, state: string, ms = 10_000) =>
      until(
        Effect.map(where(id), (s) => (s === state ? true : undefined)),
        ms,
        describe,
      )

    /** The task's turn on screen: busy, then ended ("✻ Baked for"), filed from the screen into done/. */
    const filedFromScreen = (session: string, id: string) =>
      Effect.gen(function* () {
        tmux.script.setScreen(session, BUSY)
        yield* until(
          Effect.sync(() => (record(session).task?.sawBusy === true ? true : undefined)),
          10_000,
          describe,
        )
        tmux.script.setScreen(session, TURN_ENDED)
        yield* untilIn(id, "done")
      })

    return {
      names,
      tmux: tmux.script,
      queue,
      dispatcher,
      state,
      where,
      record,
      describe,
      allReady,
      dispatch,
      stop,
      submitted,
      settleLoops,
      untilIn,
      filedFromScreen,
      cancel,
      /** What the sessions reported of their accounts' quota. */
      quotas: Context.get(d.context, AccountQuotas),
    }
  })
