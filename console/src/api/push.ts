import type { Session } from './session'

export interface PushEvent {
  type: 'event'
  topic: string
  event: string
  data: Record<string, unknown>
  id?: number
  ts?: string
}

type Handler = (e: PushEvent) => void
type Socket = Pick<WebSocket, 'send' | 'close' | 'readyState'> & {
  onopen: ((ev: Event) => unknown) | null
  onmessage: ((ev: MessageEvent) => unknown) | null
  onclose: ((ev: CloseEvent) => unknown) | null
}

/**
 * The live channel (GET /ws): authenticates with the in-memory access token in the first
 * frame, re-sends it after each refresh, keeps the subscriptions of the open pages, and
 * reconnects with backoff, resuming each topic from the last event id seen (`since`). A 4401
 * close means the token is no longer good: refresh, and end the session if that fails.
 */
export class PushClient {
  private socket: Socket | null = null
  private authed = false
  private running = false
  private backoffMs = 1_000
  private timer: ReturnType<typeof setTimeout> | null = null
  private readonly handlers = new Map<string, Set<Handler>>()
  private readonly lastIds = new Map<string, number>()
  private readonly offChanged: () => void

  constructor(private readonly session: Session,
    private readonly open: (url: string) => Socket = (url) => new WebSocket(url),
    private readonly url: () => string = defaultUrl) {
    this.offChanged = session.on('changed', () => {
      if (this.authed && this.session.access) {
        this.send({ type: 'auth', token: this.session.access })
      }
    })
  }

  start(): void {
    if (this.running) {
      return
    }
    this.running = true
    this.connect()
  }

  stop(): void {
    this.running = false
    if (this.timer) {
      clearTimeout(this.timer)
    }
    this.socket?.close(1000)
    this.socket = null
    this.authed = false
    this.lastIds.clear()
  }

  dispose(): void {
    this.stop()
    this.offChanged()
  }

  /** Calls handler for each event of the topic until the returned function is called. */
  subscribe(topic: string, handler: Handler): () => void {
    let set = this.handlers.get(topic)
    if (!set) {
      set = new Set()
      this.handlers.set(topic, set)
      if (this.authed) {
        this.send(this.subscribeFrame(topic))
      }
    }
    set.add(handler)
    return () => {
      set.delete(handler)
      if (set.size === 0) {
        this.handlers.delete(topic)
        if (this.authed) {
          this.send({ type: 'unsubscribe', topic })
        }
      }
    }
  }

  private subscribeFrame(topic: string): Record<string, unknown> {
    const since = this.lastIds.get(topic)
    return since === undefined ? { type: 'subscribe', topic } : { type: 'subscribe', topic, since }
  }

  private connect(): void {
    if (!this.running || !this.session.access) {
      return
    }
    const socket = this.open(this.url())
    this.socket = socket
    socket.onopen = () => this.send({ type: 'auth', token: this.session.access })
    socket.onmessage = (ev) => this.receive(JSON.parse(String(ev.data)))
    socket.onclose = (ev) => this.closed(socket, ev.code)
  }

  private receive(frame: Record<string, unknown>): void {
    if (frame.type === 'ack' && frame.of === 'auth' && !this.authed) {
      this.authed = true
      this.backoffMs = 1_000
      this.handlers.forEach((_, topic) => this.send(this.subscribeFrame(topic)))
    } else if (frame.type === 'event') {
      const event = frame as unknown as PushEvent
      if (typeof event.id === 'number') {
        this.lastIds.set(event.topic, event.id)
      }
      this.handlers.get(event.topic)?.forEach((h) => h(event))
    } else if (frame.type === 'ping') {
      this.send({ type: 'pong' })
    }
  }

  private closed(socket: Socket, code: number): void {
    if (socket !== this.socket) {
      return
    }
    this.socket = null
    this.authed = false
    if (!this.running) {
      return
    }
    if (code === 4401) {
      void this.session.refresh().then((ok) => {
        if (ok) {
          this.connect()
        } else {
          this.session.end()
        }
      })
      return
    }
    this.timer = setTimeout(() => this.connect(), this.backoffMs)
    this.backoffMs = Math.min(this.backoffMs * 2, 30_000)
  }

  private send(frame: Record<string, unknown>): void {
    if (this.socket && this.socket.readyState === 1) {
      this.socket.send(JSON.stringify(frame))
    }
  }
}

function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`
}
