// End-to-end tests of the console in Debian's Chromium (driven by playwright-core; no browser
// download) against a real node started here. Elements are found by role and accessible name.
// Usage: node e2e/run.mjs [--skip-jar] [scenario ...]. Screenshots go to e2e/screenshots/.
import { chromium } from 'playwright-core'
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startNode, apiClient, ADMIN } from './node.mjs'
import { scenarios as base } from './scenarios.mjs'
import { lifecycle } from './lifecycle.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../..')
const work = join(here, 'work')
const shots = join(here, 'screenshots')
mkdirSync(work, { recursive: true })
mkdirSync(shots, { recursive: true })

const args = process.argv.slice(2)
const only = args.filter((a) => !a.startsWith('--'))
if (!args.includes('--skip-jar')) {
  execFileSync('mvn', ['-B', '-q', 'package', '-DskipTests'], { cwd: root, stdio: 'inherit' })
}

const node = await startNode(root, work)
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
})
const ctx = { base: node.base, browser, api: apiClient(node.base), admin: ADMIN, shots, work, sql: node.sql, mails: node.mails,
  /** Starts another node with other settings; the scenario stops it. */
  startNode: (env) => startNode(root, work, env) }
const scenarios = { ...base, ...lifecycle }
let failed = 0
try {
  for (const [name, run] of Object.entries(scenarios)) {
    if (only.length && !only.includes(name)) {
      continue
    }
    const started = Date.now()
    try {
      await run(ctx)
      console.log(`ok   ${name} (${Date.now() - started} ms)`)
    } catch (e) {
      failed++
      console.log(`FAIL ${name}: ${e.stack ?? e}`)
      writeFileSync(join(work, `${name}.error.txt`), String(e.stack ?? e))
    }
  }
} finally {
  await browser.close()
  await node.stop()
}
console.log(failed ? `${failed} scenario(s) failed` : 'all scenarios passed')
process.exit(failed ? 1 : 0)
