import { readFileSync } from "node:fs"
import * as path from "node:path"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect } from "effect"

/** The dashboard's files (src/web), put into the program by scripts/build.mjs: file name -> content. */
declare const __CCL_WEB_ASSETS__: Readonly<Record<string, string>> | undefined

/** What the dashboard is served as: its paths (open without the token: they hold no data) and their files. */
export const DASHBOARD_FILES = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/app.css": { file: "app.css", type: "text/css; charset=utf-8" },
} as const

export const isDashboardFile = (method: string, url: string) =>
  method === "GET" && Object.hasOwn(DASHBOARD_FILES, url.split("?")[0]!)

/**
 * The page may run only its own script and style and talk only to this daemon: even a task text that slipped
 * into the DOM as HTML could not run (no inline script, no event handler attribute, no fetch elsewhere).
 */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
}

/** The built files: from the bundle, else (the sources run by the tests) dist/web as the last build left it. */
const dashboardAssets = (): Readonly<Record<string, string>> | undefined => {
  if (typeof __CCL_WEB_ASSETS__ !== "undefined") return __CCL_WEB_ASSETS__
  try {
    const dir = path.join(process.cwd(), "dist", "web")
    return Object.fromEntries(
      Object.values(DASHBOARD_FILES).map(({ file }) => [file, readFileSync(path.join(dir, file), "utf8")]),
    )
  } catch {
    return undefined
  }
}

/** `GET /`, `/app.js`, `/app.css` on the API's router; the API's middleware (Host check) applies to them too. */
export const dashboardRoute = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function* () {
    const assets = dashboardAssets()
    for (const [url, { file, type }] of Object.entries(DASHBOARD_FILES)) {
      const body = assets?.[file]
      yield* router.get(
        url as "/",
        body === undefined
          ? HttpServerResponse.text("the dashboard was not built: run npm run build\n", { status: 503 })
          : HttpServerResponse.text(body, { contentType: type, headers: SECURITY_HEADERS }),
      )
    }
  }),
)
