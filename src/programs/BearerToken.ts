import { createHash, timingSafeEqual } from "node:crypto"

const digest = (s: string) => createHash("sha256").update(s).digest()

/** Constant-time check of an `Authorization: Bearer <token>` header: both sides hashed, then timingSafeEqual. */
export const bearerMatches = (header: string | undefined, token: string): boolean => {
  const match = /^Bearer +(.*)$/i.exec(header ?? "")
  const same = timingSafeEqual(digest(match?.[1] ?? ""), digest(token))
  return same && match !== null
}
