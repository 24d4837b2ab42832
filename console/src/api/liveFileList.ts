/** What the file list needs of a file: its id and where it stands. */
export interface Row { id?: string; status?: string }

/** Where the list reads from: one page of files, and one file. */
export interface RowSource<F extends Row> {
  page(): Promise<{ results?: F[]; count?: number }>
  one(id: string): Promise<F>
}

/** Most file.processed ids remembered: older news has long been read by then. */
const REMEMBERED = 100

/**
 * Keeps a page of files in step with the file.processed and file.uploaded events. Replies can
 * come back in any order: a list read that started before a file was processed may arrive after
 * that file's own refresh. So each list read is numbered and only the newest one is shown, and
 * the ids of processed files are remembered so a list older than that news is corrected.
 */
export class LiveFileList<F extends Row> {
  private reads = 0
  private readonly processed = new Set<string>()

  /** `state` is where rows and count are shown: a Vue reactive object in the page. */
  constructor(private readonly source: RowSource<F>, private readonly state: { rows: F[]; count: number }) {}

  /** Reads the page again; a reply older than another read's is dropped. */
  async load(): Promise<void> {
    const seq = ++this.reads
    const data = await this.source.page()
    if (seq !== this.reads) {
      return
    }
    this.state.rows = data.results ?? []
    this.state.count = data.count ?? 0
    for (const f of this.state.rows) {
      if (f.status !== 'processing') {
        this.processed.delete(f.id!)
      } else if (this.processed.has(f.id!)) {
        void this.refresh(f.id!)
      }
    }
  }

  /** A file finished processing: fetch it again (for its fresh signed thumbnail link). */
  async processedEvent(id: string): Promise<void> {
    this.processed.add(id)
    if (this.processed.size > REMEMBERED) {
      this.processed.delete(this.processed.values().next().value!)
    }
    await this.refresh(id)
  }

  /** A file arrived, perhaps from another tab: read the page if it is not on it yet. */
  async uploadedEvent(id: string | undefined): Promise<void> {
    if (!this.state.rows.some((f) => f.id === id)) {
      await this.load()
    }
  }

  private async refresh(id: string): Promise<void> {
    if (!this.state.rows.some((f) => f.id === id)) {
      // Processed before the list that will show it arrived: read the list again.
      await this.load()
      return
    }
    let fresh: F
    try {
      fresh = await this.source.one(id)
    } catch {
      return // deleted meanwhile
    }
    // Look the row up again: a list read may have replaced the rows meanwhile.
    const at = this.state.rows.findIndex((f) => f.id === id)
    if (at >= 0) {
      this.state.rows[at] = fresh
    }
  }
}
