import { describe, expect, it, vi } from 'vitest'
import { Session } from '../src/api/session'
import { PushClient } from '../src/api/push'

class FakeSocket {
  readyState = 0
  sent: Record<string, unknown>[] = []
  onopen: ((ev: Event) => unknown) | null = null
  onmessage: ((ev: MessageEvent) => unknown) | null = null
  onclose: ((ev: CloseEvent) => unknown) | null = null
  send(data: string) { this.sent.push(JSON.parse(data)) }
  close() { this.readyState = 3 }
  open() { this.readyState = 1; this.onopen?.(new Event('open')) }
  frame(f: unknown) { this.onmessage?.({ data: JSON.stringify(f) } as MessageEvent) }
  drop(code: number) { this.readyState = 3; this.onclose?.({ code } as CloseEvent) }
}

function setup(refreshOk = true) {
  const session = new Session(async () => (refreshOk
    ? new Response(JSON.stringify({ access: 'new', expires_in: 3600 }), { status: 200 })
    : new Response('{}', { status: 401 })))
  session.set({ access: 'tok', expires_in: 3600 })
  const sockets: FakeSocket[] = []
  const client = new PushClient(session, () => {
    const s = new FakeSocket()
    sockets.push(s)
    return s as unknown as WebSocket
  }, () => 'ws://localhost/ws')
  return { session, sockets, client }
}

describe('PushClient', () => {
  it('authenticates in the first frame, subscribes after the ack and hands events to subscribers', () => {
    const { sockets, client } = setup()
    const got = vi.fn()
    client.subscribe('notifications', got)
    client.start()
    sockets[0].open()
    expect(sockets[0].sent).toEqual([{ type: 'auth', token: 'tok' }])
    sockets[0].frame({ type: 'ack', of: 'auth', user_id: 'u' })
    expect(sockets[0].sent[1]).toEqual({ type: 'subscribe', topic: 'notifications' })
    sockets[0].frame({ type: 'event', topic: 'notifications', event: 'notification.created', data: { id: 'n1' }, id: 7 })
    expect(got).toHaveBeenCalledWith(expect.objectContaining({ event: 'notification.created', id: 7 }))
  })

  it('reconnects after a drop and resumes each topic from the last event id', async () => {
    vi.useFakeTimers()
    const { sockets, client } = setup()
    client.subscribe('files', () => undefined)
    client.start()
    sockets[0].open()
    sockets[0].frame({ type: 'ack', of: 'auth' })
    sockets[0].frame({ type: 'event', topic: 'files', event: 'file.processed', data: {}, id: 12 })
    sockets[0].drop(1006)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(sockets).toHaveLength(2)
    sockets[1].open()
    sockets[1].frame({ type: 'ack', of: 'auth' })
    expect(sockets[1].sent[1]).toEqual({ type: 'subscribe', topic: 'files', since: 12 })
    vi.useRealTimers()
  })

  it('sends the new token after a refresh, and ends the session when a 4401 cannot be cured', async () => {
    const { session, sockets, client } = setup(false)
    const ended = vi.fn()
    session.on('ended', ended)
    client.start()
    sockets[0].open()
    sockets[0].frame({ type: 'ack', of: 'auth' })
    session.set({ access: 'rotated', expires_in: 3600 })
    expect(sockets[0].sent.at(-1)).toEqual({ type: 'auth', token: 'rotated' })
    sockets[0].drop(4401)
    await vi.waitFor(() => expect(ended).toHaveBeenCalledTimes(1))
    expect(sockets).toHaveLength(1)
  })
})
