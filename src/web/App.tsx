// The page's gate: no data is read or shown until the daemon accepts the token (or asks for none). A 401 at
// any time later (token changed, daemon restarted with another) forgets the token and asks again.

import { useCallback, useEffect, useState } from "preact/hooks"
import { getJson, isUnauthorized, readToken, saveToken } from "./api.js"
import { Dashboard } from "./Dashboard.js"
import { TokenPrompt } from "./TokenPrompt.js"

type Auth =
  | { readonly phase: "checking" }
  | { readonly phase: "ask"; readonly error: string | null }
  | { readonly phase: "ok"; readonly token: string | null }

export const App = () => {
  const [auth, setAuth] = useState<Auth>({ phase: "checking" })

  /** Tries `token` on GET /api/status; `typed` when the operator just entered it (errors go to the prompt). */
  const check = useCallback(async (token: string | null, typed: boolean) => {
    try {
      await getJson(token, "/api/status")
      saveToken(token)
      setAuth({ phase: "ok", token })
    } catch (e) {
      if (isUnauthorized(e)) {
        saveToken(null)
        setAuth({ phase: "ask", error: token === null ? null : "The daemon refused this token." })
      } else if (typed) setAuth({ phase: "ask", error: e instanceof Error ? e.message : String(e) })
      // The daemon is down or failing: the dashboard says so and keeps trying.
      else setAuth({ phase: "ok", token })
    }
  }, [])

  useEffect(() => {
    void check(readToken(), false)
  }, [check])

  const unauthorized = useCallback(() => {
    saveToken(null)
    setAuth({ phase: "ask", error: "The daemon refused the token: it may have been restarted with another." })
  }, [])

  const forget = useCallback(() => {
    saveToken(null)
    setAuth({ phase: "ask", error: null })
  }, [])

  switch (auth.phase) {
    case "checking":
      return <p class="muted center">Connecting to the daemon…</p>
    case "ask":
      return <TokenPrompt error={auth.error} submit={(token) => check(token, true)} />
    case "ok":
      return <Dashboard token={auth.token} onUnauthorized={unauthorized} onForget={forget} />
  }
}
