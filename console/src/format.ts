/** 1536 → "1.5 KB" (binary units, as quotas are configured). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) {
    return '—'
  }
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

export function formatTime(iso: string | null | undefined, locale: string): string {
  if (!iso) {
    return '—'
  }
  return new Date(iso).toLocaleString(locale === 'zh-CN' ? 'zh-CN' : 'en-GB', { hour12: false })
}
