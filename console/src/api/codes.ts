/** A 6-digit code is complete: the forms send nothing shorter. */
export const isCode = (value: string): boolean => /^\d{6}$/.test(value)

/** A query value from a mail's link (or a hand-made one), kept only when it is a plain string. */
export function queryText(value: unknown): string {
  return typeof value === 'string' ? value.trim() : ''
}

/** A code from the link's query, reduced to its digits; it only fills the field, never submits. */
export function queryCode(value: unknown): string {
  return queryText(value).replace(/\D/g, '').slice(0, 6)
}
