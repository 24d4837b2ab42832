/**
 * The fields of `after` whose values differ from `before`: what a PATCH should send. The server
 * judges a change by the fields present (an email or a flag, even unchanged, needs more rights
 * than a name), so an edit must carry only what the user changed.
 */
export function changedFields<T extends Record<string, unknown>>(before: Record<string, unknown>, after: T): Partial<T> {
  const out: Partial<T> = {}
  for (const key of Object.keys(after) as (keyof T)[]) {
    if ((before[key as string] ?? null) !== (after[key] ?? null)) {
      out[key] = after[key]
    }
  }
  return out
}
