/**
 * The signed-in session's access token, kept in memory only (never in storage: a script
 * injected into the page could read storage, and the refresh token lives in an HttpOnly
 * cookie that no script sees). Refreshing is single-flight: refresh tokens are single use,
 * and presenting one twice revokes the whole session, so two callers (or two tabs, through a
 * Web Lock) never refresh at the same time.
 */
export interface TokenAnswer {
  access: string
  expires_in: number
}

type Listener = () => void

export const REFRESH_URL = '/api/auth/token/refresh?cookie=true'

export class Session {
  access: string | null = null
  expiresAt = 0
  private refreshing: Promise<boolean> | null = null
  private readonly listeners = { changed: new Set<Listener>(), ended: new Set<Listener>() }

  constructor(private readonly fetchImpl: (r: Request) => Promise<Response> = (r) => fetch(r),
    private readonly now: () => number = () => Date.now()) {}

  set(answer: TokenAnswer): void {
    this.access = answer.access
    this.expiresAt = this.now() + answer.expires_in * 1000
    this.listeners.changed.forEach((l) => l())
  }

  clear(): void {
    this.access = null
    this.expiresAt = 0
  }

  /** The session is gone (refresh refused): the app returns to the sign-in page. */
  end(): void {
    const had = this.access !== null
    this.clear()
    if (had) {
      this.listeners.ended.forEach((l) => l())
    }
  }

  on(event: 'changed' | 'ended', listener: Listener): () => void {
    this.listeners[event].add(listener)
    return () => this.listeners[event].delete(listener)
  }

  /** True when the token is missing or expires within the margin. */
  stale(marginMs = 5_000): boolean {
    return this.access === null || this.now() >= this.expiresAt - marginMs
  }

  /** Trades the refresh cookie for a new access token; false when the session is over. */
  refresh(): Promise<boolean> {
    if (this.refreshing === null) {
      this.refreshing = withLock(() => this.doRefresh()).finally(() => {
        this.refreshing = null
      })
    }
    return this.refreshing
  }

  private async doRefresh(): Promise<boolean> {
    let res: Response
    try {
      res = await this.fetchImpl(new Request(REFRESH_URL, { method: 'POST', credentials: 'same-origin' }))
    } catch {
      return false
    }
    if (!res.ok) {
      return false
    }
    this.set((await res.json()) as TokenAnswer)
    return true
  }
}

/** Runs fn holding a lock shared by every tab of this origin, when the browser has Web Locks. */
function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined
  return locks ? (locks.request('atrium-refresh', fn) as Promise<T>) : fn()
}
