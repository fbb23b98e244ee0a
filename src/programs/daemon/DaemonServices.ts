import { Layer } from "effect"
import { StateStoreFile } from "../../layers/StateStoreFile.js"
import type { AppConfig } from "../../services/AppConfig.js"
import { DaemonEventsLive } from "../../services/DaemonEvents.js"
import { DaemonSessionsLive } from "../../services/DaemonSessions.js"
import { DispatchControlLive } from "../../services/DispatchControl.js"
import type { StateFileError, StateStore } from "../../services/StateStore.js"
import { AccountQuotasLive } from "./AccountQuotasLive.js"
import { AccountSwapLive } from "./AccountSwapLive.js"
import { CompletionLive } from "./CompletionLive.js"
import { DeliveryLive } from "./DeliveryLive.js"
import { DispatcherLive } from "./DispatcherLive.js"
import { HookIntakeLive } from "./HookIntakeLive.js"
import { QuotaPolicyLive } from "./QuotaPolicyLive.js"
import { ScreenWatchLive } from "./ScreenWatchLive.js"
import { SessionSupervisorLive } from "./SessionSupervisorLive.js"
import { WatchdogLive } from "./Watchdog.js"

/**
 * The daemon's services, each on the ones it uses (README "The daemon's services"):
 * DaemonSessions, DispatchControl, StateStore, AccountQuotas <- SessionSupervisor <- Failover <- Delivery <- Completion
 * <- Dispatcher, ScreenWatch, HookIntake, Watchdog. Needs AppConfig, TmuxPool, TaskQueue, Router, SymlinkFs
 * (and Delegation when configured). `state` is StateStoreFile; the unit tests give StateStoreMemory.
 */
export const daemonServices = (
  state: Layer.Layer<StateStore, StateFileError, AppConfig> = StateStoreFile,
  resumable?: (home: string, cwd: string, id: string) => boolean,
) => {
  const base = Layer.mergeAll(DaemonSessionsLive, DispatchControlLive, state, AccountQuotasLive).pipe(
    Layer.provideMerge(DaemonEventsLive),
  )
  const supervised = SessionSupervisorLive.pipe(Layer.provideMerge(base))
  const failover = AccountSwapLive(resumable).pipe(Layer.provideMerge(supervised))
  const delivery = DeliveryLive.pipe(Layer.provideMerge(QuotaPolicyLive), Layer.provideMerge(failover))
  const completion = CompletionLive.pipe(Layer.provideMerge(delivery))
  return Layer.mergeAll(DispatcherLive, ScreenWatchLive, HookIntakeLive, WatchdogLive).pipe(
    Layer.provideMerge(completion),
  )
}
