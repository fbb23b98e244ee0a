// The daemon's services (src/programs/daemon/DaemonServices.ts) built over in-memory tmux and queue, with the real
// state file in a temp folder: what the unit tests of the dispatcher and the failover drive.

import { Context, Effect, Layer, SubscriptionRef } from "effect"
import type { Settings } from "../../src/domain/Settings.js"
import { StateStoreFile } from "../../src/layers/StateStoreFile.js"
import { makeMemoryFs, SymlinkFsMemory } from "../../src/layers/SymlinkFsMemory.js"
import { TmuxEventsNone } from "../../src/layers/TmuxEventsNone.js"
import { daemonServices } from "../../src/programs/daemon/DaemonServices.js"
import { DaemonSessions } from "../../src/services/DaemonSessions.js"
import { DispatchControl } from "../../src/services/DispatchControl.js"
import { Dispatcher } from "../../src/services/Dispatcher.js"
import { Failover } from "../../src/services/Failover.js"
import { HookIntake } from "../../src/services/HookIntake.js"
import { Router } from "../../src/services/Router.js"
import { ScreenWatch } from "../../src/services/ScreenWatch.js"
import { SessionSupervisor } from "../../src/services/SessionSupervisor.js"
import { StateStore } from "../../src/services/StateStore.js"
import type { SymlinkFs } from "../../src/services/SymlinkFs.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { TmuxPool } from "../../src/services/TmuxPool.js"
import { Watchdog } from "../../src/services/Watchdog.js"
import { testConfig } from "./settings.js"

export interface RigOptions {
  readonly root: string
  readonly settings?: Partial<Settings>
  readonly tmux: Context.Tag.Service<TmuxPool>
  readonly queue: Context.Tag.Service<TaskQueue>
  readonly links?: Layer.Layer<SymlinkFs>
  /** Whether a conversation has a transcript to resume (the homes are in memory). */
  readonly resumable?: (home: string, cwd: string, id: string) => boolean
}

/** Builds the services in the caller's scope and hands them out. */
export const daemonRig = (options: RigOptions) =>
  Effect.gen(function* () {
    const outer = Layer.mergeAll(
      Layer.succeed(TaskQueue, options.queue),
      Layer.succeed(TmuxPool, options.tmux),
      TmuxEventsNone,
      options.links ?? SymlinkFsMemory(makeMemoryFs()),
      Router.Default,
    ).pipe(Layer.provideMerge(testConfig(options.root, options.settings)))
    const context = yield* Layer.build(
      daemonServices(StateStoreFile, options.resumable).pipe(Layer.provideMerge(outer)),
    )
    const control = Context.get(context, DispatchControl)
    return {
      /** Every service, for building more of the daemon on them (TaskCancel, say). */
      context,
      sessions: Context.get(context, DaemonSessions),
      table: Context.get(context, DaemonSessions).table,
      state: Context.get(context, StateStore),
      control,
      supervisor: Context.get(context, SessionSupervisor),
      dispatcher: Context.get(context, Dispatcher),
      screens: Context.get(context, ScreenWatch),
      hooks: Context.get(context, HookIntake),
      failover: Context.get(context, Failover),
      watchdog: Context.get(context, Watchdog),
      pausedUntil: () => Effect.runSync(SubscriptionRef.get(control.state)).pausedUntil,
    }
  })
