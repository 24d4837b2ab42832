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

  async function load(): Promise<void> {
    unread.value = (await unwrap(api.GET('/api/notifications/unread-count'))).count
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
