import { ref } from 'vue'
import { problemMessage } from '../api/problem'

/**
 * One request of a form at a time: `busy` while `run`'s step is in flight, and its failure as a
 * translatable message in `error` (cleared when the next step starts).
 */
export function useAction() {
  const busy = ref(false)
  const error = ref<ReturnType<typeof problemMessage> | null>(null)
  async function run(step: () => Promise<void>): Promise<void> {
    busy.value = true
    error.value = null
    try {
      await step()
    } catch (e) {
      error.value = problemMessage(e)
    } finally {
      busy.value = false
    }
  }
  return { busy, error, run }
}
