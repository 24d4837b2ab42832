import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, unwrap, type Schemas } from '../api/client'
import { push } from './auth'

/**
 * The live dashboard: one REST read on open, then the snapshots the server pushes every 2 s
 * on the `dashboard` topic (no polling).
 */
export const useDashboardStore = defineStore('dashboard', () => {
  const snapshot = ref<Schemas['Dashboard'] | null>(null)
  let off: (() => void) | null = null

  function accept(next: Schemas['Dashboard']): void {
    if (!snapshot.value || next.generated_at >= snapshot.value.generated_at) {
      snapshot.value = next
    }
  }

  async function start(): Promise<void> {
    if (!off) {
      off = push.subscribe('dashboard', (e) => {
        if (e.event === 'dashboard.snapshot') {
          accept(e.data as unknown as Schemas['Dashboard'])
        }
      })
    }
    accept(await unwrap(api.GET('/api/analytics/real-time-dashboard')))
  }

  function stop(): void {
    off?.()
    off = null
  }

  return { snapshot, start, stop, accept }
})
