import type { Session } from './session'
import { ApiError } from './problem'
import type { components } from './schema'

type UploadResult = components['schemas']['UploadResult']

/**
 * Sends up to 10 files in one multipart request (POST /api/files/upload-batch) and reports each
 * file's progress: the parts go in order, so the bytes sent so far say which file is on the wire
 * and how far along it is. XMLHttpRequest, because fetch cannot report upload progress.
 */
export function uploadBatch(session: Session, files: File[], onProgress: (index: number, percent: number) => void,
  xhrFactory: () => XMLHttpRequest = () => new XMLHttpRequest()): Promise<UploadResult[]> {
  const attempt = (): Promise<{ status: number; xhr: XMLHttpRequest }> => new Promise((resolve, reject) => {
    const form = new FormData()
    files.forEach((f) => form.append('files', f, f.name))
    const xhr = xhrFactory()
    xhr.open('POST', '/api/files/upload-batch')
    if (session.access) {
      xhr.setRequestHeader('Authorization', `Bearer ${session.access}`)
    }
    xhr.upload.onprogress = (e) => {
      const total = e.lengthComputable ? e.total : files.reduce((s, f) => s + f.size, 0)
      progressByFile(files.map((f) => f.size), e.loaded, total).forEach((p, i) => onProgress(i, p))
    }
    xhr.onload = () => resolve({ status: xhr.status, xhr })
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'))
    xhr.send(form)
  })
  return (async () => {
    if (session.stale()) {
      await session.refresh()
    }
    let { status, xhr } = await attempt()
    if (status === 401 && (await session.refresh())) {
      ({ status, xhr } = await attempt())
    }
    const body = safeJson(xhr.responseText)
    if (status !== 200) {
      const retry = xhr.getResponseHeader('Retry-After')
      throw new ApiError(status, body?.code ?? `http_${status}`, body?.detail ?? xhr.statusText,
        retry && /^\d+$/.test(retry) ? Number(retry) : null, body?.errors ?? [])
    }
    files.forEach((_, i) => onProgress(i, 100))
    return (body as { results: UploadResult[] }).results
  })()
}

/**
 * Percent done of each file when `loaded` of `total` request bytes are sent; the multipart
 * framing (headers, boundaries) is spread over the files in proportion to their sizes.
 */
export function progressByFile(sizes: number[], loaded: number, total: number): number[] {
  const content = sizes.reduce((s, x) => s + x, 0)
  const scale = total > 0 ? content / total : 1
  let sent = loaded * scale
  return sizes.map((size) => {
    if (size === 0) {
      return sent >= 0 && loaded >= total ? 100 : 0
    }
    const done = Math.max(0, Math.min(size, sent))
    sent -= size
    return Math.floor((done / size) * 100)
  })
}

function safeJson(text: string): { code?: string; detail?: string; errors?: { field: string; message: string }[] } | null {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
