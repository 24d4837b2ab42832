import { join } from 'node:path'
import { png } from './png.mjs'

const NAV = ['Dashboard', 'Files', 'Notifications', 'Account', 'Users', 'Roles', 'Audit log', 'Analytics']

/** Polls fn until it returns a truthy value, or fails with the message after the deadline. */
export async function until(fn, ms, message) {
  const end = Date.now() + ms
  let last
  while (Date.now() < end) {
    try {
      last = await fn()
      if (last) {
        return last
      }
    } catch (e) {
      last = e
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${message} (last: ${last})`)
}

async function newPage(ctx, locale = 'en-US', context) {
  const c = context ?? await ctx.browser.newContext({ locale, viewport: { width: 1360, height: 860 } })
  const page = await c.newPage()
  page.on('pageerror', (e) => console.log(`  page error: ${e.message}`))
  return { context: c, page }
}

export async function signIn(ctx, page, email, password) {
  await page.goto(`${ctx.base}/console/`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
}

async function shot(ctx, page, name) {
  await page.waitForTimeout(300)
  await page.screenshot({ path: join(ctx.shots, `${name}.png`), fullPage: true })
}

export const scenarios = {
  async signInSeesDashboard(ctx) {
    const { context, page } = await newPage(ctx)
    await page.goto(`${ctx.base}/`)
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    await shot(ctx, page, 'en-signin')
    await page.getByLabel('Email').fill(ctx.admin.email)
    await page.getByLabel('Password', { exact: true }).fill('wrong password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor()
    await signIn(ctx, page, ctx.admin.email, ctx.admin.password)
    const nav = page.getByRole('navigation', { name: 'Main navigation' })
    for (const name of NAV) {
      await nav.getByRole('link', { name, exact: true }).waitFor()
    }
    await page.getByRole('img', { name: /Activities per minute/ }).waitFor()
    await shot(ctx, page, 'en-dashboard')
    // A reload keeps the session: the refresh cookie gives the tab a new access token.
    await page.reload()
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
    await context.close()
  },
}
