import { describe, expect, it } from 'vitest'
import { LiveFileList, type Row } from '../src/api/liveFileList'

/** A reply the test sends when it chooses, so replies can arrive out of order. */
function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

function setup() {
  const pages: ReturnType<typeof deferred<{ results: Row[]; count: number }>>[] = []
  const ones: { id: string; reply: ReturnType<typeof deferred<Row>> }[] = []
  const state = { rows: [] as Row[], count: 0 }
  const list = new LiveFileList<Row>({
    page: () => { const d = deferred<{ results: Row[]; count: number }>(); pages.push(d); return d.promise },
    one: (id) => { const d = deferred<Row>(); ones.push({ id, reply: d }); return d.promise },
  }, state)
  return { pages, ones, state, list }
}

const tick = () => new Promise((r) => setTimeout(r, 0))

describe('LiveFileList', () => {
  it('shows the newest list read even when an older reply arrives last', async () => {
    const { pages, state, list } = setup()
    const first = list.load()
    const second = list.load()
    pages[1].resolve({ results: [{ id: 'a', status: 'ready' }], count: 1 })
    await second
    pages[0].resolve({ results: [{ id: 'a', status: 'processing' }], count: 1 })
    await first
    expect(state.rows).toEqual([{ id: 'a', status: 'ready' }])
  })

  it('corrects a list read that started before the file.processed event it missed', async () => {
    const { pages, ones, state, list } = setup()
    const upload = list.load() // the list read after an upload, still on its way
    const event = list.processedEvent('a') // not on the page yet: reads the list again
    pages[1].resolve({ results: [{ id: 'a', status: 'ready' }], count: 1 })
    await event
    expect(state.rows[0].status).toBe('ready')
    // Now the older read answers, from before the processing ended: it is dropped.
    pages[0].resolve({ results: [{ id: 'a', status: 'processing' }], count: 1 })
    await upload
    expect(state.rows[0].status).toBe('ready')
    expect(ones).toHaveLength(0)
  })

  it('fetches a processed file again when an older list read answers after its refresh', async () => {
    const { pages, ones, state, list } = setup()
    const first = list.load()
    pages[0].resolve({ results: [{ id: 'a', status: 'processing' }], count: 1 })
    await first
    const read = list.load() // made before the processing ended
    const event = list.processedEvent('a')
    ones[0].reply.resolve({ id: 'a', status: 'ready' })
    await event
    expect(state.rows[0].status).toBe('ready')
    pages[1].resolve({ results: [{ id: 'a', status: 'processing' }], count: 1 })
    await read
    expect(ones).toHaveLength(2) // the stale row is fetched again
    ones[1].reply.resolve({ id: 'a', status: 'ready' })
    await tick()
    expect(state.rows).toEqual([{ id: 'a', status: 'ready' }])
  })

  it('puts a refreshed file where it now is, after the rows were replaced meanwhile', async () => {
    const { pages, ones, state, list } = setup()
    const first = list.load()
    pages[0].resolve({ results: [{ id: 'a', status: 'processing' }], count: 1 })
    await first
    const event = list.processedEvent('a')
    const read = list.load()
    pages[1].resolve({ results: [{ id: 'c', status: 'ready' }, { id: 'a', status: 'processing' }], count: 2 })
    await read
    for (const o of ones) {
      o.reply.resolve({ id: 'a', status: 'ready' })
    }
    await event
    await tick()
    expect(state.rows).toEqual([{ id: 'c', status: 'ready' }, { id: 'a', status: 'ready' }])
  })

  it('leaves the list alone when a processed file was deleted meanwhile', async () => {
    const { pages, ones, state, list } = setup()
    const first = list.load()
    pages[0].resolve({ results: [{ id: 'a', status: 'processing' }], count: 1 })
    await first
    const event = list.processedEvent('a')
    ones[0].reply.reject(new Error('404'))
    await event
    expect(state.rows).toEqual([{ id: 'a', status: 'processing' }])
  })
})
