// Browser tests of the account lifecycle (issue 14): the pages the mails link to, two-factor
// sign-in and the administrator's MFA reset. The node has no SMTP server, so it writes each mail
// to its log, where ctx.mails() reads the code and the link, as a person reads their inbox.
import { createHmac } from 'node:crypto'
import { adminPage, adminToken, createUser, nav, newPage, shot, signIn, until } from './scenarios.mjs'
import { ADMIN, apiClient } from './node.mjs'

/** RFC 4648 base32, as the secret is shown for typing into an app. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const out = []
  let bits = 0
  let value = 0
  for (const ch of text.toUpperCase().replace(/[\s=]/g, '')) {
    const index = alphabet.indexOf(ch)
    if (index < 0) {
      throw new Error(`not base32: ${text}`)
    }
    value = ((value << 5) | index) & 0xffff
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

/** RFC 6238 with SHA-1, 6 digits, 30 s steps: what an authenticator app shows at that step. */
export function totp(secret, step) {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(step))
  const h = createHmac('sha1', base32(secret)).update(counter).digest()
  const o = h[19] & 0x0f
  const n = (((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]) % 1_000_000
  return String(n).padStart(6, '0')
}

const nowStep = () => Math.floor(Date.now() / 30_000)

/** The newest mail of a kind to an address, once it is in the log: its code and its link. */
async function mailTo(ctx, to, kind, after = 0) {
  const mail = await until(() => ctx.mails().filter((m) => m.to === to && m.kind === kind).slice(after).at(-1),
    15_000, `a ${kind} mail to ${to}`)
  const code = mail.text.match(/^\s+(\d{6})\s*$/m)?.[1]
  const link = mail.text.match(/(https?:\/\/\S+\/console\/\S+)/)?.[1]
  if (!code && kind !== 'EMAIL_CHANGE_NOTICE') {
    throw new Error(`no code in the ${kind} mail: ${mail.text}`)
  }
  return { code, link, count: ctx.mails().filter((m) => m.to === to && m.kind === kind).length }
}

async function userByEmail(ctx, email) {
  const page = await ctx.api.call('GET', `/api/users?search=${encodeURIComponent(email)}`, null, await adminToken(ctx))
  return page.results.find((u) => u.email === email)
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Account menu' }).click()
  await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click()
  await page.getByRole('button', { name: 'Sign in' }).waitFor()
}

/** Password first (in the page's language); the page then asks for the second factor. */
async function passwordStep(ctx, page, email, password, zh = false) {
  await page.goto(`${ctx.base}/console/`)
  await page.getByLabel(zh ? '邮箱' : 'Email').fill(email)
  await page.getByLabel(zh ? '密码' : 'Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: zh ? '登录' : 'Sign in' }).click()
}

export const lifecycle = {
  async forgottenPasswordResetEndToEnd(ctx) {
    const erin = await createUser(ctx, 'erin')
    const { context, page } = await newPage(ctx)
    await page.goto(`${ctx.base}/console/`)
    await page.getByLabel('Email').fill(erin.email)
    await page.getByRole('link', { name: 'Forgot password?' }).click()
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor()
    // The address typed on the sign-in page comes along.
    if (await page.getByLabel('Email').inputValue() !== erin.email) {
      throw new Error('the sign-in page did not hand the address to the request form')
    }
    await page.getByRole('button', { name: 'Send code' }).click()
    await page.getByRole('status').filter({ hasText: `If an account exists for ${erin.email}, a code was sent to it.` }).waitFor()
    await shot(ctx, page, 'en-forgot-password-sent')
    // An unknown address gets the same words (and no mail).
    await page.goto(`${ctx.base}/console/account/forgot-password`)
    await page.getByLabel('Email').fill('nobody-here@console.test')
    await page.getByRole('button', { name: 'Send code' }).click()
    await page.getByRole('status').filter({ hasText: 'If an account exists for nobody-here@console.test, a code was sent' }).waitFor()

    const mail = await mailTo(ctx, erin.email, 'PASSWORD_RESET')
    if (!mail.link?.startsWith(`${ctx.base}/console/account/reset-password?email=`)) {
      throw new Error(`unexpected link in the reset mail: ${mail.link}`)
    }
    await page.goto(mail.link)
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor()
    if (await page.getByLabel('Email').inputValue() !== erin.email) {
      throw new Error('the link did not fill in the address')
    }
    const wrong = mail.code === '000000' ? '111111' : '000000'
    const newPassword = 'erin new passphrase 2026'
    await page.getByLabel('Code', { exact: true }).fill(wrong)
    await page.getByLabel('New password', { exact: true }).fill(newPassword)
    await page.getByLabel('Repeat the new password').fill(`${newPassword}x`)
    await page.getByText('The two passwords differ.').waitFor()
    await page.getByLabel('Repeat the new password').fill(newPassword)
    await page.getByRole('button', { name: 'Set new password' }).click()
    await page.getByRole('alert').filter({ hasText: 'The code is wrong, expired or used up' }).waitFor()
    await shot(ctx, page, 'en-reset-password-wrong-code')
    await page.getByLabel('Code', { exact: true }).fill(mail.code)
    await page.getByRole('button', { name: 'Set new password' }).click()
    await page.getByRole('status').filter({ hasText: 'Your password was changed' }).waitFor()
    await shot(ctx, page, 'en-reset-password-done')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await signIn(ctx, page, erin.email, newPassword)
    await context.close()

    const zh = await newPage(ctx, 'zh-CN')
    await zh.page.goto(`${ctx.base}/console/account/forgot-password`)
    await zh.page.getByRole('heading', { name: '重置密码' }).waitFor()
    await shot(ctx, zh.page, 'zh-forgot-password')
    await zh.page.goto(mail.link)
    await zh.page.getByRole('heading', { name: '设置新密码' }).waitFor()
    await zh.page.getByLabel('验证码', { exact: true }).fill(mail.code)
    await zh.page.getByLabel('新密码', { exact: true }).fill(newPassword)
    await zh.page.getByLabel('再次输入新密码').fill(newPassword)
    // The code is spent: the second use is refused, in Chinese.
    await zh.page.getByRole('button', { name: '设置新密码' }).click()
    await zh.page.getByRole('alert').filter({ hasText: '验证码错误、已过期或已用完' }).waitFor()
    await shot(ctx, zh.page, 'zh-reset-password-used-code')
    await zh.context.close()
  },

  async totpEnrolThenSignInNeedsTheCode(ctx) {
    const frank = await createUser(ctx, 'frank')
    const { context, page } = await newPage(ctx)
    await signIn(ctx, page, frank.email, frank.password)
    await nav(page).getByRole('link', { name: 'Security', exact: true }).click()
    await page.getByRole('heading', { name: 'Security', exact: true }).waitFor()
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click()
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' })
    await until(() => qr.evaluate((el) => el.complete && el.naturalWidth > 0), 5_000, 'the QR code image loads')
    const secret = (await page.getByLabel('Secret', { exact: true }).textContent()).trim()
    await shot(ctx, page, 'en-security-enrol')
    let used = nowStep()
    await page.getByLabel('Code from the app').fill(totp(secret, used))
    await page.getByRole('button', { name: 'Turn on' }).click()
    const list = page.getByRole('list', { name: 'Your recovery codes' })
    await list.waitFor()
    const recovery = (await list.getByRole('listitem').allTextContents()).map((s) => s.trim())
    if (recovery.length !== 10 || new Set(recovery).size !== 10) {
      throw new Error(`expected 10 distinct recovery codes, got ${recovery}`)
    }
    await page.getByRole('button', { name: 'Copy codes' }).waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download codes' }).click()])
    if (download.suggestedFilename() !== 'atrium-recovery-codes.txt') {
      throw new Error(`download named ${download.suggestedFilename()}`)
    }
    await shot(ctx, page, 'en-security-recovery-codes')
    await page.getByRole('button', { name: 'I have saved them' }).click()
    await page.getByText('Two-factor sign-in is on:').waitFor()
    if (await list.count() !== 0) {
      throw new Error('the recovery codes are still shown after "I have saved them"')
    }
    await signOut(page)

    // The password alone is not enough now; a wrong code is refused, a fresh one signs in.
    await passwordStep(ctx, page, frank.email, frank.password)
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor()
    await shot(ctx, page, 'en-signin-mfa')
    const current = totp(secret, Math.max(used + 1, nowStep()))
    await page.getByLabel('Authentication code').fill(current === '000000' ? '111111' : '000000')
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.getByRole('alert').filter({ hasText: 'The code is wrong or was already used.' }).waitFor()
    await shot(ctx, page, 'en-signin-mfa-wrong')
    used = Math.max(used + 1, nowStep())
    await page.getByLabel('Authentication code').fill(totp(secret, used))
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
    await signOut(page)

    // A recovery code signs in once.
    await passwordStep(ctx, page, frank.email, frank.password)
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click()
    await page.getByLabel('Recovery code').fill(recovery[0])
    await shot(ctx, page, 'en-signin-recovery')
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
    await signOut(page)
    await passwordStep(ctx, page, frank.email, frank.password)
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click()
    await page.getByLabel('Recovery code').fill(recovery[0])
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.getByRole('alert').filter({ hasText: 'The code is wrong or was already used.' }).waitFor()
    await page.getByLabel('Recovery code').fill(recovery[1])
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
    await context.close()

    const zh = await newPage(ctx, 'zh-CN')
    await passwordStep(ctx, zh.page, frank.email, frank.password, true)
    await zh.page.getByRole('heading', { name: '两步验证' }).waitFor()
    await shot(ctx, zh.page, 'zh-signin-mfa')
    await zh.page.getByRole('button', { name: '改用恢复码' }).click()
    await zh.page.getByLabel('恢复码').waitFor()
    await shot(ctx, zh.page, 'zh-signin-recovery')
    await zh.context.close()

    // The administrator sees 2FA on and turns it off; the password alone then signs in.
    const admin = await adminPage(ctx)
    // The shared admin tab may have been switched to Chinese by an earlier scenario.
    await admin.evaluate(() => localStorage.setItem('atrium.locale', 'en'))
    await admin.goto(`${ctx.base}/console/admin/users`)
    const search = admin.getByRole('textbox', { name: 'Search users' })
    await search.fill(frank.email)
    await search.press('Enter')
    const row = admin.getByRole('row').filter({ hasText: frank.email })
    await row.getByText('2FA', { exact: true }).waitFor()
    await shot(ctx, admin, 'en-users-mfa')
    await admin.getByRole('button', { name: `Reset 2FA ${frank.email}` }).click()
    await admin.getByRole('dialog').getByRole('button', { name: 'Reset 2FA' }).click()
    await admin.getByText(`Two-factor sign-in is off for ${frank.email}.`).waitFor()
    await until(async () => (await row.getByText('2FA', { exact: true }).count()) === 0, 5_000, 'the 2FA tag goes')
    if (await admin.getByRole('button', { name: `Reset 2FA ${frank.email}` }).count() !== 0) {
      throw new Error('the MFA reset is still offered for a user without MFA')
    }
    await search.fill('')
    await search.press('Enter')
    const me = await userByEmail(ctx, frank.email)
    if (me.mfa_enabled !== false) {
      throw new Error(`MFA still on after the reset: ${JSON.stringify(me)}`)
    }
    await ctx.api.login(frank.email, frank.password)
  },

  async verifyEmailThroughTheLinkPage(ctx) {
    const gina = await createUser(ctx, 'gina')
    if ((await userByEmail(ctx, gina.email)).is_verified) {
      throw new Error('a new user should start unverified')
    }
    const { context, page } = await newPage(ctx)
    await signIn(ctx, page, gina.email, gina.password)
    await nav(page).getByRole('link', { name: 'Security', exact: true }).click()
    await page.getByText('Email not verified').first().waitFor()
    await page.getByRole('button', { name: 'Send verification code' }).click()
    await page.getByRole('status').filter({ hasText: `A code was sent to ${gina.email}.` }).waitFor()
    await shot(ctx, page, 'en-security-verify-sent')
    const mail = await mailTo(ctx, gina.email, 'VERIFY_EMAIL')
    if (!mail.link?.startsWith(`${ctx.base}/console/account/verify-email?email=`)) {
      throw new Error(`unexpected link in the verification mail: ${mail.link}`)
    }

    // A mail scanner fetches the link, and the person opens it signed out, with the code in
    // the query as a hand-made link might have it: neither may spend the code.
    const scanned = await fetch(mail.link)
    if (!scanned.ok) {
      throw new Error(`the link answered ${scanned.status}`)
    }
    const outside = await newPage(ctx)
    const posts = []
    outside.page.on('request', (r) => {
      if (r.method() !== 'GET' && r.url().includes('/api/auth/email/verify')) {
        posts.push(r.url())
      }
    })
    await outside.page.goto(`${mail.link}&code=${mail.code}`)
    await outside.page.getByRole('heading', { name: 'Verify your email address' }).waitFor()
    await outside.page.waitForTimeout(1_000)
    if (await outside.page.getByLabel('Code', { exact: true }).inputValue() !== mail.code
      || await outside.page.getByLabel('Email').inputValue() !== gina.email) {
      throw new Error('the link did not fill in the address and the code')
    }
    if (posts.length !== 0 || (await userByEmail(ctx, gina.email)).is_verified) {
      throw new Error(`opening the link verified the address (requests: ${posts})`)
    }
    await shot(ctx, outside.page, 'en-verify-email')
    await outside.page.getByRole('button', { name: 'Verify email' }).click()
    await outside.page.getByRole('status').filter({ hasText: `Your email address ${gina.email} is verified.` }).waitFor()
    await shot(ctx, outside.page, 'en-verify-email-done')
    if (posts.length !== 1 || !(await userByEmail(ctx, gina.email)).is_verified) {
      throw new Error(`the click did not verify the address (requests: ${posts})`)
    }
    await outside.context.close()

    await page.reload()
    await page.getByText('Your email address is verified.').waitFor()

    // Changing the address: the password, then the code mailed to the new address.
    const target = `gina-new-${Date.now()}@console.test`
    await page.getByLabel('New email address').fill(target)
    await page.getByLabel('Current password').fill('not her password')
    await page.getByRole('button', { name: 'Send code to the new address' }).click()
    await page.getByRole('alert').filter({ hasText: 'The password is incorrect.' }).waitFor()
    await page.getByLabel('Current password').fill(gina.password)
    await page.getByRole('button', { name: 'Send code to the new address' }).click()
    await page.getByRole('status').filter({ hasText: `A code was sent to ${target}` }).waitFor()
    const change = await mailTo(ctx, target, 'EMAIL_CHANGE')
    const notice = await mailTo(ctx, gina.email, 'EMAIL_CHANGE_NOTICE')
    if (notice.link !== `${ctx.base}/console/account/security`) {
      throw new Error(`the notice to the old address links to ${notice.link}`)
    }
    await page.goto(change.link)
    await page.getByRole('heading', { name: 'Confirm your new email address' }).waitFor()
    await page.getByLabel('Code', { exact: true }).fill(change.code)
    await shot(ctx, page, 'en-confirm-email')
    await page.getByRole('button', { name: 'Confirm new address' }).click()
    await page.getByRole('status').filter({ hasText: `Your email address is now ${target}.` }).waitFor()
    await page.getByRole('button', { name: 'Account menu' }).waitFor()
    if (!(await userByEmail(ctx, target))?.is_verified) {
      throw new Error('the new address is not stored as verified')
    }
    await context.close()

    const zh = await newPage(ctx, 'zh-CN')
    await zh.page.goto(mail.link)
    await zh.page.getByRole('heading', { name: '验证邮箱地址' }).waitFor()
    await shot(ctx, zh.page, 'zh-verify-email')
    await passwordStep(ctx, zh.page, target, gina.password, true)
    await zh.page.getByRole('heading', { name: '仪表盘' }).waitFor()
    await zh.page.goto(`${ctx.base}/console/account/security`)
    await zh.page.getByRole('heading', { name: '安全', exact: true }).waitFor()
    await zh.page.getByRole('button', { name: '设置两步验证' }).click()
    await zh.page.getByRole('img', { name: '身份验证器应用的二维码' }).waitFor()
    await shot(ctx, zh.page, 'zh-security-enrol')
    await zh.context.close()
  },

  async unverifiedAccountGetsACodeAtSignIn(ctx) {
    // A node of its own with ATRIUM_REQUIRE_VERIFIED_EMAIL: the login of an unverified account answers 403.
    const other = await ctx.startNode({ ATRIUM_REQUIRE_VERIFIED_EMAIL: 'true' })
    const { context, page } = await newPage(ctx)
    try {
      const api = apiClient(other.base)
      const hana = { email: `hana-${Date.now()}@console.test`, password: 'hana password long enough' }
      await api.call('POST', '/api/users', { ...hana, username: `hana${Date.now()}`, first_name: 'Hana' },
        await api.login(ADMIN.email, ADMIN.password))
      await passwordStep({ base: other.base }, page, hana.email, hana.password)
      const notice = page.getByText('Your email address is not verified yet.')
      await notice.waitFor()
      await page.getByRole('button', { name: 'Send a new code' }).click()
      await page.getByRole('status').filter({ hasText: `a new code is on its way to ${hana.email}` }).waitFor()
      await shot(ctx, page, 'en-signin-unverified')
      const mail = await mailTo({ mails: other.mails }, hana.email, 'VERIFY_EMAIL')
      await page.getByRole('link', { name: 'I have a code' }).click()
      await page.getByRole('heading', { name: 'Verify your email address' }).waitFor()
      if (await page.getByLabel('Email').inputValue() !== hana.email) {
        throw new Error('the sign-in page did not hand the address to the verification page')
      }
      await page.getByLabel('Code', { exact: true }).fill(mail.code)
      await page.getByRole('button', { name: 'Verify email' }).click()
      await page.getByRole('status').filter({ hasText: 'is verified' }).waitFor()
      await page.getByRole('button', { name: 'Sign in' }).click()
      await signIn({ base: other.base }, page, hana.email, hana.password)

      const zh = await newPage(ctx, 'zh-CN')
      const bo = { email: `bo-${Date.now()}@console.test`, password: 'bo password long enough' }
      await api.call('POST', '/api/users', { ...bo, username: `bo${Date.now()}`, first_name: 'Bo' },
        await api.login(ADMIN.email, ADMIN.password))
      await passwordStep({ base: other.base }, zh.page, bo.email, bo.password, true)
      await zh.page.getByText('您的邮箱尚未验证。').waitFor()
      await shot(ctx, zh.page, 'zh-signin-unverified')
      await zh.context.close()
    } finally {
      await context.close()
      await other.stop()
    }
  },
}
