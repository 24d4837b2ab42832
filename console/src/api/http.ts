import type { Session } from './session'

// Sign-in steps answer 401 for a wrong password or code: that is no reason to refresh a token.
const NO_RETRY = ['/api/auth/login', '/api/auth/login/mfa', '/api/auth/token/refresh', '/api/auth/register']

/**
 * fetch with the bearer token: refreshes a token about to expire before sending, and on a 401
 * refreshes once and retries; when the refresh is refused the session ends.
 */
export function authFetch(session: Session, fetchImpl: (r: Request) => Promise<Response> = (r) => fetch(r)) {
  const send = (req: Request): Promise<Response> => {
    const headers = new Headers(req.headers)
    if (session.access !== null) {
      headers.set('Authorization', `Bearer ${session.access}`)
    }
    return fetchImpl(new Request(req, { headers }))
  }
  return async (req: Request): Promise<Response> => {
    const path = new URL(req.url, 'http://x').pathname
    if (NO_RETRY.includes(path)) {
      return send(req)
    }
    if (session.access !== null && session.stale()) {
      if (!(await session.refresh())) {
        session.end()
      }
    }
    const retry = req.clone()
    const res = await send(req)
    if (res.status !== 401 || session.access === null) {
      return res
    }
    if (await session.refresh()) {
      return send(retry)
    }
    session.end()
    return res
  }
}
