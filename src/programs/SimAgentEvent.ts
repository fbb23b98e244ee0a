/** What the agent's loop handles, one at a time: terminal reads, the turn clock, the escape-key timeout, signals. */
export type AgentEvent =
  | { readonly _tag: "Input"; readonly data: string }
  | { readonly _tag: "InputIdle" }
  | { readonly _tag: "Tick" }
  | { readonly _tag: "WorkDone"; readonly turn: number }
  | { readonly _tag: "Resize" }
  | { readonly _tag: "Hangup"; readonly code: number }
