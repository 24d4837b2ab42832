// Starts a real Atrium node for the browser tests: the jar from target/, a fresh database and
// Redis prefix of its own, a free port, an admin with a known password. stop() ends the node
// (SIGTERM), drops the database and deletes the prefix's Redis keys.
import { spawn, execFileSync } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdirSync, rmSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const ADMIN = { email: 'admin@console.test', password: 'console-admin-password' }
export const ACCESS_TTL_S = 40

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

async function waitReady(base, deadlineMs) {
  const end = Date.now() + deadlineMs
  while (Date.now() < end) {
    try {
      const res = await fetch(`${base}/health/ready`)
      if (res.ok) {
        return
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`node at ${base} not ready within ${deadlineMs} ms`)
}

/** extraEnv: settings for this node only (a second node with other settings, say). */
export async function startNode(root, workDir, extraEnv = {}) {
  const id = `${process.pid}_${Date.now()}`
  const db = `atrium_console_e2e_${id}`
  const prefix = `atrium-console-e2e-${id}:`
  const port = await freePort()
  const data = join(workDir, `data-${id}`)
  mkdirSync(data, { recursive: true })
  const logPath = join(workDir, `node-${id}.log`)
  const log = openSync(logPath, 'w')
  const base = `http://127.0.0.1:${port}`
  const child = spawn('java', ['-Xmx384m', '-jar', join(root, 'target/atrium.jar')], {
    cwd: workDir,
    env: {
      // Mails must land in the log, where mails() reads them, even if the shell names an SMTP server.
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'ATRIUM_SMTP_URL')),
      ATRIUM_HTTP_PORT: String(port),
      ATRIUM_HTTP_HOST: '127.0.0.1',
      ATRIUM_DB_URL: `postgresql://postgres@127.0.0.1:5432/${db}`,
      ATRIUM_REDIS_PREFIX: prefix,
      ATRIUM_DATA_DIR: data,
      ATRIUM_ADMIN_EMAIL: ADMIN.email,
      ATRIUM_ADMIN_PASSWORD: ADMIN.password,
      ATRIUM_API_INSTANCES: '1',
      ATRIUM_ACCESS_LOG: 'WARN',
      // Short-lived access tokens, so the tests see the console refresh them silently.
      ATRIUM_ACCESS_TTL: `${ACCESS_TTL_S}s`,
      // Every browser shares 127.0.0.1: throttle by email only, so the 429 scenario cannot lock the others out.
      ATRIUM_LOGIN_MAX_FAILURES_PER_IP: '10000',
      // Links in mails point at this node's console pages. No ATRIUM_SMTP_URL: mails go to the log.
      ATRIUM_PUBLIC_URL: base,
      ...extraEnv,
    },
    stdio: ['ignore', log, log],
  })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  await Promise.race([waitReady(base, 120_000), exited.then((code) => {
    throw new Error(`node exited with ${code} before it was ready; see ${workDir}`)
  })])
  return {
    base,
    /**
     * The mails the node wrote to its log so far (no SMTP server configured), oldest first:
     * {kind, to, subject, text}.
     */
    mails() {
      return readFileSync(logPath, 'utf8').split('\n').filter((l) => l.includes('"mail_text"')).map((l) => {
        const m = JSON.parse(l)
        return { kind: m.mail_kind, to: m.mail_to, subject: m.mail_subject, text: m.mail_text }
      })
    },
    /** Runs one SQL statement in this node's database (to age a session, say). */
    sql(statement) {
      execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', db, '-q', '-v', 'ON_ERROR_STOP=1', '-c', statement])
    },
    async stop() {
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))])
      if (child.exitCode === null) {
        child.kill('SIGKILL')
      }
      try {
        execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-q', '-c', `DROP DATABASE IF EXISTS "${db}"`])
      } catch (e) {
        console.error(`could not drop ${db}: ${e.message}`)
      }
      try {
        execFileSync('sh', ['-c', `redis-cli -h 127.0.0.1 --scan --pattern '${prefix}*' | xargs -r -n 500 redis-cli -h 127.0.0.1 DEL >/dev/null`])
      } catch (e) {
        console.error(`could not clear ${prefix}: ${e.message}`)
      }
      rmSync(data, { recursive: true, force: true })
    },
  }
}

/** A small JSON client for setting up and driving data from outside the browser. */
export function apiClient(base) {
  const call = async (method, path, body, token) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    if (!res.ok) {
      throw new Error(`${method} ${path} → ${res.status} ${text}`)
    }
    return text ? JSON.parse(text) : null
  }
  return {
    call,
    async login(email, password) {
      return (await call('POST', '/api/auth/login', { email, password })).access
    },
  }
}
