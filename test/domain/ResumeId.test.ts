import { describe, expect, it } from "@effect/vitest"
import { isValidResumeUUID, resumeIdFromFile } from "../../src/domain/ResumeId.js"

const uuid = "123e4567-e89b-42d3-a456-426614174000"

describe("isValidResumeUUID (DESIGN.md 'Resume')", () => {
  it.each([
    uuid,
    uuid.toUpperCase(),
    "123E4567-e89b-42D3-A456-426614174000",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
  ])("accepts %j", (s) => {
    expect(isValidResumeUUID(s)).toBe(true)
  })

  it.each([
    "",
    "x; rm -rf ~",
    `${uuid}; rm -rf ~`,
    `${uuid} --dangerously-skip-permissions`,
    `${uuid}x`,
    `${uuid}0`,
    `x${uuid}`,
    `${uuid}\n`,
    `\n${uuid}`,
    `${uuid}\nrm -rf ~`,
    ` ${uuid}`,
    `${uuid} `,
    `{${uuid}}`,
    "$(reboot)",
    "`reboot`",
    uuid.replace(/-/g, ""),
    uuid.slice(0, -1),
    uuid.replace("a", "g"),
    "123e4567_e89b_42d3_a456_426614174000",
    "123e4567-e89b-42d3-a456-42661417400０", // fullwidth digit
  ])("rejects %j", (s) => {
    expect(isValidResumeUUID(s)).toBe(false)
  })
})

describe("resumeIdFromFile", () => {
  it.each([uuid, `${uuid}\n`, `${uuid}\r\n`, `  ${uuid}  \n`, `\n\t${uuid}\n\n`])("reads %j", (text) => {
    expect(resumeIdFromFile(text)).toBe(uuid)
  })

  it("accepts an upper-case UUID (case-insensitive)", () => {
    const read = resumeIdFromFile(`${uuid.toUpperCase()}\n`)
    expect(read?.toLowerCase()).toBe(uuid)
    expect(isValidResumeUUID(read ?? "")).toBe(true)
  })

  it.each([
    "",
    "\n",
    "   ",
    "x; rm -rf ~\n",
    `${uuid}junk\n`,
    `${uuid}\nsecond line\n`,
    `${uuid} ${uuid}\n`,
    `${uuid}; rm -rf ~\n`,
    "not-a-uuid\n",
  ])("rejects %j", (text) => {
    expect(resumeIdFromFile(text)).toBeUndefined()
  })
})
