import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useAuthStore } from '../src/stores/auth'
import { useNotificationsStore } from '../src/stores/notifications'
import { useDashboardStore } from '../src/stores/dashboard'
import { session } from '../src/api/client'

class NoSocket {
  readyState = 0
  onopen = null
  onmessage = null
  onclose = null
  send() {}
  close() {}
}

const me = { id: 'u1', email: 'ada@example.com', username: 'ada', is_superuser: false, permissions: ['users.view'] }
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

describe('stores', () => {
  let calls: string[]
  beforeEach(() => {
    setActivePinia(createPinia())
    session.clear()
    calls = []
    vi.stubGlobal('WebSocket', NoSocket)
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      const url = new URL(req.url)
      calls.push(`${req.method} ${url.pathname}${url.search} ${req.headers.get('Authorization') ?? '-'}`)
      switch (url.pathname) {
        case '/api/auth/login': {
          const body = await req.json()
          return body.password === 'right' ? json(200, { access: 'acc', expires_in: 3600, token_type: 'Bearer', user: me })
            : json(401, { code: 'invalid_credentials', detail: 'no' })
        }
        case '/api/auth/me': return json(200, me)
        case '/api/auth/token/refresh': return json(200, { access: 'restored', expires_in: 3600, token_type: 'Bearer' })
        case '/api/auth/logout': return new Response(null, { status: 204 })
        case '/api/notifications/unread-count': return json(200, { count: 2 })
        default: return json(404, { code: 'not_found' })
      }
    }))
  })

  it('signs in with cookie mode, keeps the token in memory only, and knows the permissions', async () => {
    const auth = useAuthStore()
    await auth.signIn('ada@example.com', 'right')
    expect(calls[0]).toBe('POST /api/auth/login?cookie=true -')
    expect(calls[1]).toBe('GET /api/auth/me Bearer acc')
    expect(auth.signedIn).toBe(true)
    expect(auth.can('users.view')).toBe(true)
    expect(auth.can('users.manage')).toBe(false)
    expect(localStorage.length).toBe(0)
    expect(sessionStorage.length).toBe(0)
    await auth.signOut()
    expect(calls.at(-1)).toBe('POST /api/auth/logout Bearer acc')
    expect(auth.signedIn).toBe(false)
    expect(session.access).toBeNull()
  })

  it('a wrong password leaves the user signed out with the server code', async () => {
    const auth = useAuthStore()
    await expect(auth.signIn('ada@example.com', 'wrong')).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' })
    expect(auth.signedIn).toBe(false)
  })

  it('restores the session from the refresh cookie on reload', async () => {
    const auth = useAuthStore()
    await auth.restore()
    expect(calls[0]).toBe('POST /api/auth/token/refresh?cookie=true -')
    expect(calls[1]).toBe('GET /api/auth/me Bearer restored')
    expect(auth.ready && auth.signedIn).toBe(true)
  })

  it('refreshes silently before the access token expires', async () => {
    vi.useFakeTimers()
    try {
      const auth = useAuthStore()
      await auth.signIn('ada@example.com', 'right')
      const refreshes = () => calls.filter((c) => c.startsWith('POST /api/auth/token/refresh')).length
      await vi.advanceTimersByTimeAsync(3_539_000)
      expect(refreshes()).toBe(0)
      await vi.advanceTimersByTimeAsync(2_000)
      expect(refreshes()).toBe(1)
      expect(session.access).toBe('restored')
      // The new token is scheduled in turn: one refresh per lifetime, not a storm.
      await vi.advanceTimersByTimeAsync(3_500_000)
      expect(refreshes()).toBe(1)
      await auth.signOut()
    } finally {
      vi.useRealTimers()
    }
  })

  it('superusers may do everything', async () => {
    const auth = useAuthStore()
    auth.me = { ...me, is_superuser: true, permissions: [] }
    expect(auth.can('rbac.manage')).toBe(true)
  })

  it('the bell counts pushed notifications once each', async () => {
    const bell = useNotificationsStore()
    await bell.load()
    expect(bell.unread).toBe(2)
    const event = { type: 'event' as const, topic: 'notifications', event: 'notification.created', data: { id: 'n1', title: 'Hi', read: false }, id: 1 }
    bell.received(event)
    bell.received(event)
    expect(bell.unread).toBe(3)
    expect(bell.latest.map((n) => n.id)).toEqual(['n1'])
    expect(bell.arrived?.title).toBe('Hi')
  })

  it('the bell keeps a notification pushed while its count was being read', async () => {
    const bell = useNotificationsStore()
    // The server stores n2 after answering the first read (2 unread), then pushes it.
    let answers = [2, 3]
    vi.mocked(fetch).mockImplementation(async () => {
      const count = answers.shift() ?? 3
      await new Promise((r) => setTimeout(r, 5))
      return json(200, { count })
    })
    const reading = bell.load()
    bell.received({ type: 'event', topic: 'notifications', event: 'notification.created', data: { id: 'n2', title: 'New', read: false }, id: 2 })
    await reading
    expect(bell.unread).toBe(3)
    expect(answers).toEqual([])
  })

  it('the dashboard keeps the newest snapshot', () => {
    const dash = useDashboardStore()
    const snap = (at: string, n: number) => ({ generated_at: at, active_users_5m: n, activities_per_minute: [], logins_today: 0,
      registrations_today: 0, uploads_today: 0, top_actions: [], chart_data: {} })
    dash.accept(snap('2026-11-30T08:00:02Z', 2))
    dash.accept(snap('2026-11-30T08:00:00Z', 1))
    expect(dash.snapshot?.active_users_5m).toBe(2)
    dash.accept(snap('2026-11-30T08:00:04Z', 3))
    expect(dash.snapshot?.active_users_5m).toBe(3)
  })
})
