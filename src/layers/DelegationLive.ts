import { Effect, Layer, Option, Ref } from "effect"
import { Delegation, type DelegationCounters } from "../services/Delegation.js"
import { makeReaper } from "./DelegationReaper.js"
import { makeDelegationSteps } from "./DelegationSteps.js"
import { makeSubmit } from "./DelegationSubmit.js"

/** Delegation over the queue and the secutools client; the reaper runs only when `runReaper` is forked. */
export const makeDelegation = Effect.gen(function* () {
  const steps = yield* makeDelegationSteps
  const { queue, client, counters } = steps
  const { reapOnce, runReaper } = makeReaper(steps)

  return Delegation.of({
    submit: makeSubmit(steps),
    reapOnce,
    runReaper,
    status: Effect.gen(function* () {
      const c = yield* Ref.get(counters)
      const ids = yield* queue.listMarkers
      const markers = yield* Effect.forEach(ids, (id) => Effect.option(queue.readMarker(id)))
      const active = markers.flatMap((m) =>
        Option.isSome(m) && Option.isSome(m.value)
          ? [
              {
                task_id: m.value.value.task_id,
                job_id: m.value.value.job_id,
                provider: m.value.value.provider,
                submitted_at: m.value.value.submitted_at,
              },
            ]
          : [],
      )
      const counts: DelegationCounters = { ...c, active: active.length, retries: yield* client.retries }
      return { counters: counts, active }
    }),
  })
})

export const DelegationLive = Layer.effect(Delegation, makeDelegation)
