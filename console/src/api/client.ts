import createClient from 'openapi-fetch'
import type { paths, components } from './schema'
import { Session } from './session'
import { authFetch } from './http'
import { ApiError } from './problem'

export type Schemas = components['schemas']

/** The one session of this tab and the typed client bound to it. */
export const session = new Session()
export const doFetch = authFetch(session)
export const api = createClient<paths>({ baseUrl: '', fetch: doFetch })

/** Awaits an openapi-fetch call and returns its data, or throws an ApiError. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call
  if (!response.ok) {
    throw await ApiError.from(response, error)
  }
  return data as T
}

/** Fetches a file the server streams (exports) with the bearer token and saves it. */
export async function download(url: string, filename: string): Promise<void> {
  const res = await doFetch(new Request(url))
  if (!res.ok) {
    throw await ApiError.from(res)
  }
  const blob = await res.blob()
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = filename
  link.click()
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
}
