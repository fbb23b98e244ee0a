// A webhook receiver for tests: a real node:http server on a free port of 127.0.0.1 that records every request
// (raw body included, to check signatures) and answers as the test says, or never.

import { createHmac } from "node:crypto"
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { onTestFinished } from "vitest"

export interface Received {
  readonly path: string
  readonly method: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /** Whether it was answered (a hanging path never answers). */
  answered: boolean
}

/** What to answer the `n`th request (1-based) to `path`: a status (and headers), or "hang" (never). */
export type Answer = (
  path: string,
  n: number,
) => number | { status: number; headers: Record<string, string> } | "hang"

export const webhookReceiver = async (answer: Answer = () => 200) => {
  const received: Array<Received> = []
  const open = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const path = req.url ?? "/"
      const r: Received = {
        path,
        method: req.method ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        answered: false,
      }
      received.push(r)
      const a = answer(path, received.filter((x) => x.path === path).length)
      if (a === "hang") {
        open.add(res)
        return
      }
      const { status, headers } = typeof a === "number" ? { status: a, headers: {} } : a
      r.answered = true
      res.writeHead(status, headers).end("ok")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    /** Requests to `path`. */
    at: (path: string) => received.filter((r) => r.path === path),
    /** The JSON bodies received at `path` for `event`. */
    events: (path: string, event: string) =>
      received
        .filter((r) => r.path === path && r.headers["x-ccl-event"] === event)
        .map((r) => JSON.parse(r.body) as Record<string, unknown>),
  }
}

/** Whether a request carries `X-Ccl-Signature: sha256=<HMAC-SHA256(secret, raw body)>`, recomputed here. */
export const signedWith = (r: Received, secret: string): boolean =>
  r.headers["x-ccl-signature"] === `sha256=${createHmac("sha256", secret).update(r.body).digest("hex")}`
