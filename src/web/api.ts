// The daemon's HTTP API as the page calls it: same origin, the token (when the daemon asks for one) kept in
// sessionStorage for this tab only and sent as a bearer header: never in a URL or a cookie, which end up in logs
// and would ride along on requests other pages make.

const TOKEN_KEY = "ccl.api-token"

export const readToken = (): string | null => {
  try {
    return sessionStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

export const saveToken = (token: string | null): void => {
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_KEY)
    else sessionStorage.setItem(TOKEN_KEY, token)
  } catch {
    // Storage refused (private mode): the token lives as long as the page, which is still usable.
  }
}

/** A refused call: the status and the daemon's own words (`{ error }`, or `{ message }` from failover). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** 401: the caller shows the token prompt instead of data. */
export const isUnauthorized = (e: unknown): boolean => e instanceof ApiError && e.status === 401

export const authHeaders = (token: string | null): Record<string, string> =>
  token === null || token === "" ? {} : { Authorization: `Bearer ${token}` }

const errorText = (status: number, body: unknown): string => {
  if (typeof body === "object" && body !== null) {
    const { error, message } = body as { error?: unknown; message?: unknown }
    if (typeof error === "string") return error
    if (typeof message === "string") return message
  }
  return `the daemon answered HTTP ${status}`
}

const call = async <A>(token: string | null, path: string, init: RequestInit = {}): Promise<A> => {
  let response: Response
  try {
    response = await fetch(path, {
      ...init,
      headers: { Accept: "application/json", ...authHeaders(token), ...(init.headers ?? {}) },
      cache: "no-store",
      credentials: "omit",
    })
  } catch {
    throw new ApiError(0, "the daemon does not answer (stopped, or the tunnel is down)")
  }
  const text = await response.text()
  let body: unknown = null
  try {
    body = text === "" ? null : JSON.parse(text)
  } catch {
    body = null
  }
  if (!response.ok) throw new ApiError(response.status, errorText(response.status, body))
  return body as A
}

export const getJson = <A>(token: string | null, path: string): Promise<A> => call<A>(token, path)

/** Every POST of the API takes JSON (`{}` when it has nothing to say). */
export const postJson = <A>(token: string | null, path: string, body: object = {}): Promise<A> =>
  call<A>(token, path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  })

/** A task id or session name in a path: always encoded, whatever the daemon lets through. */
export const segment = (s: string): string => encodeURIComponent(s)
