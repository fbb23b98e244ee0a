// An account's quota in a few characters, for `ccl status` and `ccl accounts list`: pure.

interface Window {
  readonly used_percentage: number
}

/** `42%` (whole percent, as Claude Code's own usage screen), `-` when unknown. */
export const percentText = (w: Window | null | undefined): string =>
  w === null || w === undefined ? "-" : `${Math.floor(w.used_percentage)}%`

/** `5h 42% 7d 10%`, the known windows only; "" when none is known. */
export const quotaNote = (
  q: { readonly five_hour: Window | null; readonly seven_day: Window | null } | null,
) =>
  q === null
    ? ""
    : [
        ...(q.five_hour === null ? [] : [`5h ${percentText(q.five_hour)}`]),
        ...(q.seven_day === null ? [] : [`7d ${percentText(q.seven_day)}`]),
      ].join(" ")
