import { join } from 'node:path'
import { png } from './png.mjs'
import { ACCESS_TTL_S } from './node.mjs'

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

export async function newPage(ctx, locale = 'en-US', context) {
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

export async function shot(ctx, page, name) {
  await page.waitForTimeout(300)
  await page.screenshot({ path: join(ctx.shots, `${name}.png`), fullPage: true })
}

export const scenarios = {
  async signInSeesDashboard(ctx) {
    const { context, page } = await newPage(ctx)
    await page.goto(`${ctx.base}/`)
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    // What the sign-in page fetched as script, compressed as it came over the wire.
    const [count, bytes] = await page.evaluate(() => {
      const js = performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'script' || e.name.endsWith('.js'))
      return [js.length, js.reduce((sum, e) => sum + e.encodedBodySize, 0)]
    })
    console.log(`  the sign-in page loaded ${count} script(s), ${bytes} bytes gzipped`)
    if (count === 0 || bytes > 250 * 1000) {
      throw new Error(`the sign-in page loads ${bytes} bytes of JavaScript in ${count} script(s); the limit is 250 KB`)
    }
    await shot(ctx, page, 'en-signin')
    await page.getByLabel('Email').fill(ctx.admin.email)
    await page.getByLabel('Password', { exact: true }).fill('wrong password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor()
    // Too many failures for one email: the wait comes from Retry-After.
    for (let i = 0; i < 6; i++) {
      await page.getByLabel('Email').fill('nobody@console.test')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('alert').waitFor()
      if (await page.getByRole('alert').filter({ hasText: /Too many attempts\. Please wait \d+ s/ }).count()) {
        break
      }
      await page.waitForTimeout(200)
    }
    await page.getByRole('alert').filter({ hasText: /Too many attempts\. Please wait \d+ s and try again\./ }).waitFor()
    await shot(ctx, page, 'en-signin-throttled')
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

/** An admin access token for calls from outside the browser, renewed before it expires. */
export async function adminToken(ctx) {
  if (!ctx.adminToken || Date.now() - ctx.adminToken.at > ACCESS_TTL_S * 500) {
    ctx.adminToken = { at: Date.now(), access: await ctx.api.login(ctx.admin.email, ctx.admin.password) }
  }
  return ctx.adminToken.access
}

export async function createUser(ctx, tag) {
  const email = `${tag}-${Date.now()}@console.test`
  const password = `${tag} password long enough`
  await ctx.api.call('POST', '/api/users', { email, username: `${tag}${Date.now()}`, password, first_name: tag }, await adminToken(ctx))
  return { email, password }
}

export async function adminPage(ctx) {
  if (!ctx.adminPage) {
    const { page } = await newPage(ctx)
    await signIn(ctx, page, ctx.admin.email, ctx.admin.password)
    ctx.adminPage = page
  }
  return ctx.adminPage
}

export const nav = (page) => page.getByRole('navigation', { name: 'Main navigation' })

Object.assign(scenarios, {
  async trackedActivityMovesLiveChart(ctx) {
    const token = await adminToken(ctx)
    const page = await adminPage(ctx)
    await nav(page).getByRole('link', { name: 'Dashboard', exact: true }).click()
    const tile = page.getByRole('listitem', { name: /^Activities today: \d+$/ })
    const chart = page.getByRole('img', { name: /^Activities per minute/ })
    await chart.waitFor()
    // Wait for the figures to settle (the sign-in itself is an activity), then take the baseline.
    const read = async () => Number((await tile.getAttribute('aria-label')).split(': ')[1])
    let before = await read()
    await until(async () => {
      await page.waitForTimeout(2500)
      const now = await read()
      const same = now === before
      before = now
      return same
    }, 20_000, 'dashboard figures settle')
    const chartBefore = await chart.getAttribute('aria-label')
    await ctx.api.call('POST', '/api/analytics/track-activity', { action: 'e2e_live_chart', metadata: { duration_ms: 12 } }, token)
    const accepted = Date.now()
    await until(async () => (await read()) > before && (await chart.getAttribute('aria-label')) !== chartBefore, 3_000,
      'the live chart and the day count move within 3 s of the 202')
    console.log(`  the dashboard moved ${Date.now() - accepted} ms after the 202, without a reload`)
  },

  async uploadThreeFilesSeesThumbnails(ctx) {
    const page = await adminPage(ctx)
    await nav(page).getByRole('link', { name: 'Files', exact: true }).click()
    await page.getByRole('heading', { name: 'Files' }).waitFor()
    const names = ['sunrise.png', 'forest.png', 'ocean.png']
    await page.getByLabel('Files to upload').setInputFiles(names.map((name, i) => ({
      name, mimeType: 'image/png', buffer: png(640 + i * 40, 480, i * 70),
    })))
    for (const name of names) {
      await page.getByRole('progressbar', { name: `Progress of ${name}` }).waitFor()
    }
    await page.getByRole('button', { name: 'Upload', exact: true }).click()
    for (const name of names) {
      await until(async () => (await page.getByRole('progressbar', { name: `Progress of ${name}` }).getAttribute('aria-valuenow')) === '100',
        15_000, `${name} reaches 100 %`)
    }
    await until(async () => (await page.getByText('uploaded', { exact: true }).count()) === 3, 10_000, 'three per-file results')
    const list = page.getByRole('table').filter({ has: page.getByRole('img') }).first()
    for (const name of names) {
      const img = page.getByRole('img', { name })
      await until(async () => (await img.count()) === 1 && img.evaluate((el) => el.complete && el.naturalWidth > 0),
        15_000, `the thumbnail of ${name} turns ready without a reload`)
    }
    await until(async () => (await page.getByRole('row').filter({ hasText: 'ready' }).count()) >= 3, 5_000, 'three ready rows')
    await list.waitFor()
    await shot(ctx, page, 'en-files')
  },

  async notificationReachesOtherUsersBell(ctx) {
    const bob = await createUser(ctx, 'bob')
    const { context, page: bobPage } = await newPage(ctx)
    await signIn(ctx, bobPage, bob.email, bob.password)
    // Bob holds no permission: no administration links, and the admin pages send him home.
    await nav(bobPage).getByRole('link', { name: 'Files', exact: true }).waitFor()
    if (await nav(bobPage).getByRole('link', { name: 'Users', exact: true }).count() !== 0) {
      throw new Error('a user without users.view sees the Users link')
    }
    await bobPage.goto(`${ctx.base}/console/admin/users`)
    await bobPage.getByRole('heading', { name: 'Dashboard' }).waitFor()
    const bell = bobPage.getByRole('button', { name: 'Notifications, 0 unread' })
    await bell.waitFor()

    const page = await adminPage(ctx)
    await nav(page).getByRole('link', { name: 'Notifications', exact: true }).click()
    const picker = page.getByRole('combobox', { name: 'Recipient users' })
    // Element Plus lays its placeholder over the input: focus it as a keyboard user would.
    await picker.focus()
    await picker.pressSequentially('bob-', { delay: 20 })
    await page.getByRole('option', { name: new RegExp(bob.email.replace(/[.+]/g, '\\$&')) }).click()
    await page.getByLabel('Title').fill('Maintenance tonight')
    await page.getByLabel('Message').fill('The service restarts at 22:00 UTC.')
    await shot(ctx, page, 'en-notifications-send')
    await page.getByRole('button', { name: 'Send a notification' }).click()
    await page.getByText('Sent to 1 recipients').waitFor()
    const sent = Date.now()
    await bobPage.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor({ timeout: 5_000 })
    console.log(`  Bob's bell showed it ${Date.now() - sent} ms after the 202, without a reload`)
    await bobPage.getByRole('button', { name: 'Notifications, 1 unread' }).click()
    await bobPage.getByText('Maintenance tonight').first().waitFor()
    await shot(ctx, bobPage, 'en-notifications')
    await bobPage.getByRole('button', { name: 'Mark read: Maintenance tonight' }).click()
    await bobPage.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor()
    await context.close()
  },

  async adminCreatesUserGrantsRoleAndAuditShowsBoth(ctx) {
    const page = await adminPage(ctx)
    await nav(page).getByRole('link', { name: 'Users', exact: true }).click()
    await page.getByRole('heading', { name: 'Users' }).waitFor()
    const email = `grace-${Date.now()}@console.test`
    await page.getByRole('button', { name: 'New user' }).click()
    const dialog = page.getByRole('dialog', { name: 'New user' })
    await dialog.getByLabel('Email').fill(email)
    await dialog.getByLabel('Username').fill(`grace${Date.now()}`)
    await dialog.getByLabel('First name').fill('Grace')
    await dialog.getByLabel('Password').fill('a long passphrase here')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('cell', { name: email, exact: true }).waitFor()
    await shot(ctx, page, 'en-users')

    // Editing a name sends the name alone (no unchanged email or flags), which the rules allow.
    await page.getByRole('button', { name: `Edit ${email}` }).click()
    const other = page.getByRole('dialog', { name: 'Edit user' })
    await other.getByLabel('Last name').fill('Hopper')
    await other.getByRole('button', { name: 'Save' }).click()
    await other.waitFor({ state: 'hidden' })
    await page.getByRole('cell', { name: 'Grace Hopper', exact: true }).waitFor()
    // The delegation rules refuse an admin's own credentials here, with a message saying where.
    const search = page.getByRole('textbox', { name: 'Search users' })
    await search.fill(ctx.admin.email)
    await search.press('Enter')
    await page.getByRole('button', { name: `Edit ${ctx.admin.email}` }).click()
    const self = page.getByRole('dialog', { name: 'Edit user' })
    await self.getByLabel('Email').fill(`other-${ctx.admin.email}`)
    await self.getByRole('button', { name: 'Save' }).click()
    await page.getByText('You cannot change your own access or credentials here').waitFor()
    await shot(ctx, page, 'en-users-self-refused')
    await self.getByRole('button', { name: 'Cancel' }).click()
    await self.waitFor({ state: 'hidden' })
    await search.fill('')
    await search.press('Enter')
    await page.getByRole('cell', { name: email, exact: true }).waitFor()

    // Import: one new user and one that exists; the result names the skipped row.
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    const importer = page.getByRole('dialog', { name: 'Import users' })
    await importer.getByLabel('CSV or JSON file').setInputFiles({
      name: 'users.csv', mimeType: 'text/csv',
      buffer: Buffer.from(`email,username,first_name\nada-${Date.now()}@console.test,ada${Date.now()},Ada\n${email},dup,Dup\n`),
    })
    await importer.getByText('1 created, 1 skipped').waitFor()
    await importer.getByRole('cell', { name: 'email_exists' }).waitFor()
    await shot(ctx, page, 'en-users-import')
    await importer.getByRole('button', { name: 'Close' }).click()

    await page.getByRole('button', { name: `Roles ${email}` }).click()
    const grants = page.getByRole('dialog', { name: `Roles of ${email}` })
    await grants.getByRole('combobox', { name: 'Role' }).focus()
    await grants.getByRole('combobox', { name: 'Role' }).press('Enter')
    await page.getByRole('option', { name: 'support', exact: true }).click()
    const expiry = grants.getByRole('combobox', { name: 'Expires at' }).or(grants.getByLabel('Expires at'))
    await expiry.first().click()
    await expiry.first().fill('2031-06-30 12:00:00')
    await expiry.first().press('Enter')
    await grants.getByRole('button', { name: 'Grant role' }).click()
    await grants.getByRole('row').filter({ hasText: 'support' }).filter({ hasText: '2031' }).waitFor()
    await shot(ctx, page, 'en-user-grants')
    await grants.getByRole('button', { name: 'Close' }).first().click()

    await nav(page).getByRole('link', { name: 'Audit log', exact: true }).click()
    await page.getByRole('heading', { name: 'Audit log' }).waitFor()
    const users = await ctx.api.call('GET', `/api/users?search=${encodeURIComponent(email)}`, null, await adminToken(ctx))
    const id = users.results[0].id
    await page.getByLabel('Target', { exact: true }).fill(id)
    await page.getByRole('button', { name: 'Search' }).click()
    await until(async () => (await page.getByRole('row').filter({ hasText: 'user.create' }).count()) === 1
      && (await page.getByRole('row').filter({ hasText: 'role.grant' }).count()) === 1, 10_000,
    'the audit log lists the creation and the grant of the new user')
    await page.getByRole('button', { name: `Changes role.grant ${id}` }).click()
    const changes = page.getByRole('region', { name: 'Changes role.grant' })
    await changes.getByRole('columnheader', { name: 'After' }).waitFor()
    await changes.getByRole('cell', { name: 'support' }).first().waitFor()
    await shot(ctx, page, 'en-audit')
  },

  async signOutEverywhereEndsOtherTab(ctx) {
    const carol = await createUser(ctx, 'carol')
    const { context, page: tab1 } = await newPage(ctx)
    await signIn(ctx, tab1, carol.email, carol.password)
    const tab2 = await context.newPage()
    await tab2.goto(`${ctx.base}/console/files`)
    await tab2.getByRole('heading', { name: 'Files' }).waitFor()
    await nav(tab1).getByRole('link', { name: 'Account', exact: true }).click()
    await tab1.getByRole('cell', { name: /This device/ }).first().waitFor()
    // An API key is shown once, with a copy button, and listed without its secret. A session
    // signed in more than 5 minutes ago must give the password again: age this one.
    ctx.sql(`UPDATE sessions SET created_at = now() - interval '10 minutes'
      WHERE user_id = (SELECT id FROM users WHERE email = '${carol.email}')`)
    await tab1.getByRole('button', { name: 'New API key' }).click()
    const dialog = tab1.getByRole('dialog', { name: 'New API key' })
    await dialog.getByLabel('Key name').fill('nightly report')
    await dialog.getByRole('button', { name: 'Create' }).click()
    await dialog.getByRole('alert').filter({ hasText: 'enter your current password to continue' }).waitFor()
    await shot(ctx, tab1, 'en-account-key-reauth')
    await dialog.getByLabel('Current password').fill('not the password')
    await dialog.getByRole('button', { name: 'Create' }).click()
    await dialog.getByRole('alert').filter({ hasText: 'The password is incorrect.' }).waitFor()
    await dialog.getByLabel('Current password').fill(carol.password)
    await dialog.getByRole('button', { name: 'Create' }).click()
    await dialog.waitFor({ state: 'hidden' })
    const key = tab1.getByLabel('API key', { exact: true })
    await until(async () => /^atr_\S{20,}$/.test(await key.textContent()), 5_000, 'the whole key is shown once')
    await tab1.getByRole('button', { name: 'Copy key' }).waitFor()
    await tab1.getByRole('cell', { name: 'nightly report', exact: true }).waitFor()
    await shot(ctx, tab1, 'en-account')
    await tab1.getByRole('button', { name: 'Account menu' }).click()
    await tab1.getByRole('menuitem', { name: 'Sign out everywhere' }).click()
    await tab1.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()
    await tab1.getByRole('button', { name: 'Sign in' }).waitFor()
    const signedOut = Date.now()
    await tab2.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 10_000 })
    await tab2.getByRole('alert').filter({ hasText: 'Your session has ended' }).waitFor()
    console.log(`  the other tab returned to sign-in ${Date.now() - signedOut} ms later, untouched`)
    await shot(ctx, tab2, 'en-session-ended')
    await context.close()
  },

  async silentRefreshOutlivesTheAccessToken(ctx) {
    const dave = await createUser(ctx, 'dave')
    const { context, page } = await newPage(ctx)
    const refreshed = []
    page.on('response', (res) => {
      if (res.url().includes('/api/auth/token/refresh')) {
        refreshed.push(res.status())
      }
    })
    await signIn(ctx, page, dave.email, dave.password)
    const signedIn = Date.now()
    refreshed.length = 0 // the first visit's attempt, without a cookie yet, does not count
    await until(async () => refreshed.includes(200), ACCESS_TTL_S * 1000, 'a silent refresh before the token expires')
    // Past the first token's lifetime, the tab still works, on the refreshed token, without a sign-in.
    await until(async () => Date.now() > signedIn + ACCESS_TTL_S * 1000 + 1000, (ACCESS_TTL_S + 5) * 1000, 'the first token expires')
    await nav(page).getByRole('link', { name: 'Notifications', exact: true }).click()
    await page.getByRole('heading', { name: 'Notifications' }).waitFor()
    await page.getByText('No notifications').waitFor()
    if (!page.url().endsWith('/console/notifications') || refreshed.some((s) => s !== 200)) {
      throw new Error(`expected to stay signed in: ${page.url()}, refresh answers ${refreshed}`)
    }
    await context.close()
  },

  async screenshotsInEnglishAndChinese(ctx) {
    const page = await adminPage(ctx)
    const pages = ['dashboard', 'files', 'notifications', 'account', 'account/security', 'admin/users', 'admin/roles', 'admin/audit', 'admin/analytics']
    for (const p of pages) {
      await page.goto(`${ctx.base}/console/${p}`)
      await page.getByRole('navigation', { name: 'Main navigation' }).waitFor()
      await shot(ctx, page, `en-page-${p.replace('/', '-')}`)
    }
    await page.getByRole('combobox', { name: 'Language' }).focus()
    await page.getByRole('combobox', { name: 'Language' }).press('Enter')
    await page.getByRole('option', { name: '简体中文' }).click()
    const zhNav = page.getByRole('navigation', { name: '主导航' })
    for (const name of ['仪表盘', '文件', '通知', '账户', '用户', '角色', '审计日志', '分析']) {
      await zhNav.getByRole('link', { name, exact: true }).waitFor()
    }
    for (const p of pages) {
      await page.goto(`${ctx.base}/console/${p}`)
      await zhNav.waitFor()
      await shot(ctx, page, `zh-page-${p.replace('/', '-')}`)
    }
    const { context, page: fresh } = await newPage(ctx, 'zh-CN')
    await fresh.goto(`${ctx.base}/console/`)
    await fresh.getByRole('button', { name: '登录' }).waitFor()
    await shot(ctx, fresh, 'zh-signin')
    await context.close()
  },
})
