import { ElMessage } from 'element-plus'
import { useI18n } from 'vue-i18n'
import { problemMessage } from '../api/problem'

/** Turns an API failure into a friendly, translated message. */
export function useProblem() {
  const { t } = useI18n()
  const text = (err: unknown): string => {
    const { key, params } = problemMessage(err)
    return t(key, params)
  }
  const toast = (err: unknown): void => {
    ElMessage({ type: 'error', message: text(err), showClose: true, duration: 6000 })
  }
  return { text, toast }
}
