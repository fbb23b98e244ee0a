import { Duration, Effect, Option, Schema } from "effect"
import { peekDaemonState } from "../../layers/StateStoreFile.js"
import { AppConfig } from "../../services/AppConfig.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import {
  DaemonStatus,
  type FailoverView,
  type NodeView,
  type QueueCounts,
  type SessionView,
} from "../daemon/DaemonApiSchemas.js"
import { nodesStatus } from "../daemon/NodesView.js"
import { daemonClient } from "./daemonClient.js"

/** What the disk can tell of GET /api/status while no daemon answers: its fields where known, `daemon: null`. */
export interface DiskStatus {
  readonly daemon: null
  readonly account: string | null
  readonly sessions: ReadonlyArray<SessionView>
  readonly queue: typeof QueueCounts.Type
  readonly failover: FailoverView | null
  readonly nodes?: ReadonlyArray<NodeView> | undefined
}

export type StatusSnapshot =
  | { readonly live: true; readonly body: typeof DaemonStatus.Encoded }
  | { readonly live: false; readonly body: DiskStatus }

/** How long `ccl status` waits for the daemon before showing the disk view. */
const ASK_TIMEOUT = Duration.seconds(2)

/** GET /api/status as the daemon sent it; else queue counts, and account and cooldowns from state.json. */
export const statusSnapshot = Effect.gen(function* () {
  const settings = yield* AppConfig
  const live = yield* daemonClient.pipe(
    Effect.flatMap((client) => client.status.status()),
    Effect.timeout(ASK_TIMEOUT),
    Effect.option,
  )
  if (Option.isSome(live)) {
    // Encoded again, so that `--json` prints the API's body, not the client's decoded view of it.
    return { live: true, body: Schema.encodeSync(DaemonStatus)(live.value) } as StatusSnapshot
  }
  const queue = yield* (yield* TaskQueue).counts
  const state = peekDaemonState(settings.state)
  // A shared queue knows its nodes whether or not this machine's daemon answers.
  const nodes = yield* Effect.flatten(nodesStatus)
  const body: DiskStatus = {
    daemon: null,
    account: state?.active_account ?? settings.accounts[0]?.name ?? null,
    sessions: [],
    queue,
    failover:
      state === undefined
        ? null
        : {
            active: state.active_account,
            swapping: state.swap !== null,
            paused_until: null,
            cooldowns: state.cooldowns,
            history: state.history,
          },
    ...(nodes === undefined ? {} : { nodes }),
  }
  return { live: false, body } as StatusSnapshot
})

/** Each account's quota from GET /api/accounts (the table's accounts line); none when the daemon does not answer. */
export const accountQuotas = daemonClient.pipe(
  Effect.flatMap((client) => client.accounts.accounts()),
  Effect.timeout(ASK_TIMEOUT),
  Effect.map((rows) => Object.fromEntries(rows.map((r) => [r.name, r.quota]))),
  Effect.orElseSucceed(() => undefined),
)
