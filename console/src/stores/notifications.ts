import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, unwrap, type Schemas } from '../api/client'
import { push } from './auth'
import type { PushEvent } from '../api/push'

/** The bell: unread count and the newest notifications, kept current by the push channel. */
export const useNotificationsStore = defineStore('notifications', () => {
  const unread = ref(0)
  const latest = ref<Schemas['Notification'][]>([])
  const arrived = ref<Schemas['Notification'] | null>(null)
  let off: (() => void) | null = null
  /** Count reads are numbered; an answer older than another read's is dropped. */
  let reads = 0
  /** The read that was the newest when the last notification arrived. */
  let readAtLastEvent = -1

  /**
   * Reads the unread count. A notification pushed while the read was on its way may or may not
   * be in its answer (the bell already counted it), so the count is read again then, a few times
   * at most: otherwise the answer would take the new notification off the bell.
   */
  function load(): Promise<void> {
    return read(3)
  }

  async function read(retries: number): Promise<void> {
    const seq = ++reads
    const count = (await unwrap(api.GET('/api/notifications/unread-count'))).count
    if (seq !== reads) {
      return
    }
    if (readAtLastEvent === seq && retries > 0) {
      return read(retries - 1)
    }
    unread.value = count
  }

  function received(e: PushEvent): void {
    if (e.event !== 'notification.created') {
      return
    }
    const n = e.data as Schemas['Notification']
    if (latest.value.some((x) => x.id === n.id)) {
      return
    }
    latest.value = [n, ...latest.value].slice(0, 20)
    readAtLastEvent = reads
    if (!n.read) {
      unread.value++
    }
    arrived.value = n
  }

  function start(): void {
    if (!off) {
      off = push.subscribe('notifications', received)
    }
    void load().catch(() => undefined)
  }

  function stop(): void {
    off?.()
    off = null
  }

  async function markRead(id: string): Promise<Schemas['Notification']> {
    const n = await unwrap(api.POST('/api/notifications/{id}/read', { params: { path: { id } } }))
    await load()
    return n
  }

  async function markAllRead(): Promise<void> {
    await unwrap(api.POST('/api/notifications/read-all'))
    unread.value = 0
  }

  return { unread, latest, arrived, start, stop, load, received, markRead, markAllRead }
})
