// What every view needs from the page: the API bound to the token (a 401 anywhere brings the token prompt back)
// and a way to ask for fresh data after an action, without waiting for the event it will cause.

import { createContext } from "preact"
import { useContext } from "preact/hooks"

export type Resource = "status" | "accounts" | "queue" | "delegation"

export interface PageApi {
  readonly get: <A>(path: string) => Promise<A>
  readonly post: <A>(path: string, body?: object) => Promise<A>
  readonly refresh: (resources: ReadonlyArray<Resource>) => void
}

const missing = () => Promise.reject(new Error("no API outside the dashboard"))

export const PageApiContext = createContext<PageApi>({ get: missing, post: missing, refresh: () => {} })

export const usePageApi = (): PageApi => useContext(PageApiContext)
