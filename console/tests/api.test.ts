import { describe, expect, it, vi } from 'vitest'
import { Session } from '../src/api/session'
import { authFetch } from '../src/api/http'
import { ApiError, problemMessage } from '../src/api/problem'
import { progressByFile } from '../src/api/upload'
import { changedFields } from '../src/api/diff'

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } })

describe('Session', () => {
  it('refreshes once for concurrent callers, since refresh tokens are single use', async () => {
    let calls = 0
    let release: () => void = () => undefined
    const gate = new Promise<void>((r) => { release = r })
    const session = new Session(async (req) => {
      calls++
      expect(req.method).toBe('POST')
      expect(new URL(req.url).pathname + new URL(req.url).search).toBe('/api/auth/token/refresh?cookie=true')
      await gate
      return json(200, { access: 'a2', expires_in: 3600 })
    })
    const both = Promise.all([session.refresh(), session.refresh()])
    release()
    expect(await both).toEqual([true, true])
    expect(calls).toBe(1)
    expect(session.access).toBe('a2')
    expect(await session.refresh()).toBe(true)
    expect(calls).toBe(2)
  })

  it('reports a refused refresh and tells listeners when a live session ends', async () => {
    const session = new Session(async () => json(401, { code: 'token_reused' }))
    const ended = vi.fn()
    session.on('ended', ended)
    expect(await session.refresh()).toBe(false)
    session.end()
    expect(ended).not.toHaveBeenCalled()
    session.set({ access: 'a', expires_in: 60 })
    session.end()
    expect(ended).toHaveBeenCalledTimes(1)
    expect(session.access).toBeNull()
  })

  it('counts a token as stale shortly before it expires', () => {
    let now = 1_000_000
    const session = new Session(async () => json(500, {}), () => now)
    expect(session.stale()).toBe(true)
    session.set({ access: 'a', expires_in: 60 })
    expect(session.stale()).toBe(false)
    now += 56_000
    expect(session.stale()).toBe(true)
  })
})

describe('authFetch', () => {
  it('sends the bearer token, and on a 401 refreshes once and retries with the new token', async () => {
    const seen: string[] = []
    const session = new Session(async () => json(200, { access: 'fresh', expires_in: 3600 }))
    session.set({ access: 'old', expires_in: 3600 })
    const f = authFetch(session, async (req) => {
      seen.push(`${req.method} ${req.headers.get('Authorization')} ${await req.text()}`)
      return req.headers.get('Authorization') === 'Bearer old' ? json(401, { code: 'token_revoked' }) : json(200, { ok: 1 })
    })
    const res = await f(new Request('http://localhost/api/users', { method: 'POST', body: '{"a":1}' }))
    expect(res.status).toBe(200)
    expect(seen).toEqual(['POST Bearer old {"a":1}', 'POST Bearer fresh {"a":1}'])
  })

  it('ends the session when the refresh is refused, and answers the 401', async () => {
    const session = new Session(async () => json(401, { code: 'token_reused' }))
    session.set({ access: 'old', expires_in: 3600 })
    const ended = vi.fn()
    session.on('ended', ended)
    const f = authFetch(session, async () => json(401, { code: 'token_revoked' }))
    const res = await f(new Request('http://localhost/api/auth/me'))
    expect(res.status).toBe(401)
    expect(ended).toHaveBeenCalledTimes(1)
  })

  it('never retries the login itself: a wrong password is not a stale token', async () => {
    const refresh = vi.fn(async () => json(200, { access: 'x', expires_in: 60 }))
    const session = new Session(refresh)
    const f = authFetch(session, async () => json(401, { code: 'invalid_credentials' }))
    const res = await f(new Request('http://localhost/api/auth/login?cookie=true', { method: 'POST' }))
    expect(res.status).toBe(401)
    expect(refresh).not.toHaveBeenCalled()
  })

  it('refreshes a token that is about to expire before sending', async () => {
    let now = 0
    const session = new Session(async () => json(200, { access: 'fresh', expires_in: 3600 }), () => now)
    session.set({ access: 'old', expires_in: 60 })
    now = 59_000
    const auth: (string | null)[] = []
    const f = authFetch(session, async (req) => {
      auth.push(req.headers.get('Authorization'))
      return json(200, {})
    })
    await f(new Request('http://localhost/api/files'))
    expect(auth).toEqual(['Bearer fresh'])
  })
})

describe('problem messages', () => {
  it('reads code, detail and Retry-After from problem+json', async () => {
    const err = await ApiError.from(json(429, { code: 'rate_limited', detail: 'slow down' }, { 'Retry-After': '42' }))
    expect([err.status, err.code, err.message, err.retryAfter]).toEqual([429, 'rate_limited', 'slow down', 42])
    expect(problemMessage(err)).toEqual({ key: 'errors.rateLimited', params: { seconds: 42 } })
  })

  it('gives a friendly message per status', () => {
    expect(problemMessage(new ApiError(401, 'invalid_credentials', 'x')).key).toBe('errors.invalidCredentials')
    expect(problemMessage(new ApiError(401, 'token_revoked', 'x')).key).toBe('errors.unauthorized')
    expect(problemMessage(new ApiError(403, 'permission_denied', 'x')).key).toBe('errors.forbidden')
    expect(problemMessage(new ApiError(503, 'service_busy', 'x', 3))).toEqual({ key: 'errors.busy', params: { seconds: 3 } })
    expect(problemMessage(new ApiError(409, 'username_taken', 'Username taken')).params).toEqual({ detail: 'Username taken', code: 'username_taken' })
    expect(problemMessage(new TypeError('fetch failed')).key).toBe('errors.network')
  })
})

describe('progressByFile', () => {
  it('fills the files in request order, spreading multipart framing over them', () => {
    expect(progressByFile([100, 100, 100], 0, 330)).toEqual([0, 0, 0])
    expect(progressByFile([100, 100, 100], 165, 330)).toEqual([100, 50, 0])
    expect(progressByFile([100, 100, 100], 330, 330)).toEqual([100, 100, 100])
  })
})

describe('friendly messages for access refusals', () => {
  it('names re-authentication and every delegation refusal with a message of its own', () => {
    const cases: Record<string, string> = {
      reauthentication_required: 'errors.reauthenticate',
      invalid_password: 'errors.invalidPassword',
      cannot_grant_unheld_permission: 'errors.unheldPermission',
      cannot_modify_stronger_account: 'errors.strongerAccount',
      cannot_modify_self: 'errors.modifySelf',
      superuser_required: 'errors.superuserRequired',
      session_required: 'errors.sessionRequired',
    }
    for (const [code, key] of Object.entries(cases)) {
      expect(problemMessage(new ApiError(code === 'invalid_password' ? 400 : 403, code, 'detail'))).toEqual({ key, params: {} })
    }
    expect(problemMessage(new ApiError(403, 'something_new', 'x'))).toEqual({ key: 'errors.forbidden', params: {} })
  })

  it('has each of those messages in English and Chinese', async () => {
    const en = (await import('../src/i18n/en')).default
    const zh = (await import('../src/i18n/zh-CN')).default
    for (const key of ['reauthenticate', 'invalidPassword', 'unheldPermission', 'strongerAccount', 'modifySelf',
      'superuserRequired', 'sessionRequired'] as const) {
      expect(en.errors[key]).toMatch(/\w/)
      expect(zh.errors[key]).not.toBe(en.errors[key])
    }
  })
})

describe('changedFields', () => {
  it('sends only what the user changed, so an unchanged email or flag asks for no extra rights', () => {
    const before = { email: 'a@x.test', first_name: 'A', department: null as string | null, is_staff: false, is_active: true }
    expect(changedFields(before, { email: 'a@x.test', first_name: 'Ada', department: null, is_staff: false, is_active: true }))
      .toEqual({ first_name: 'Ada' })
    expect(changedFields(before, { email: 'b@x.test', first_name: 'A', department: 'R&D', is_staff: true, is_active: true }))
      .toEqual({ email: 'b@x.test', department: 'R&D', is_staff: true })
    expect(changedFields({ department: undefined }, { department: null })).toEqual({})
    expect(changedFields({}, { password: 'secret' })).toEqual({ password: 'secret' })
  })
})
