// Starts a real Atrium node for the browser tests: the jar from target/, a fresh database and
// Redis prefix of its own, a free port, an admin with a known password. stop() ends the node
// (SIGTERM), drops the database and deletes the prefix's Redis keys.
import { spawn, execFileSync } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdirSync, rmSync, openSync } from 'node:fs'
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

export async function startNode(root, workDir) {
  const id = `${process.pid}_${Date.now()}`
  const db = `atrium_console_e2e_${id}`
  const prefix = `atrium-console-e2e-${id}:`
  const port = await freePort()
  const data = join(workDir, `data-${id}`)
  mkdirSync(data, { recursive: true })
  const log = openSync(join(workDir, `node-${id}.log`), 'w')
  const child = spawn('java', ['-Xmx384m', '-jar', join(root, 'target/atrium.jar')], {
    cwd: workDir,
    env: {
      ...process.env,
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
    },
    stdio: ['ignore', log, log],
  })
  const base = `http://127.0.0.1:${port}`
  const exited = new Promise((resolve) => child.on('exit', resolve))
  await Promise.race([waitReady(base, 120_000), exited.then((code) => {
    throw new Error(`node exited with ${code} before it was ready; see ${workDir}`)
  })])
  return {
    base,
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
