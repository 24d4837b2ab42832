import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import { defineComponent, h } from 'vue'
import { useAuthStore } from '../src/stores/auth'
import { session } from '../src/api/client'
import { ApiError, problemMessage } from '../src/api/problem'
import { routes } from '../src/router'
import { i18n } from '../src/i18n'
import en from '../src/i18n/en'
import zh from '../src/i18n/zh-CN'

class NoSocket {
  readyState = 0
  onopen = null
  onmessage = null
  onclose = null
  send() {}
  close() {}
}

const me = { id: 'u1', email: 'ada@example.com', username: 'ada', is_superuser: false, permissions: [], mfa_enabled: true }
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), {
  status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
})

let calls: { method: string; path: string; body: unknown }[]

beforeEach(() => {
  setActivePinia(createPinia())
  session.clear()
  calls = []
  vi.stubGlobal('WebSocket', NoSocket)
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url)
    const text = await req.text()
    calls.push({ method: req.method, path: url.pathname + url.search, body: text ? JSON.parse(text) : null })
    switch (url.pathname) {
      case '/api/auth/login':
        if (JSON.parse(text).password === 'unverified') {
          return json(403, { code: 'email_not_verified', detail: 'Verify the email address first' })
        }
        return json(401, { code: 'mfa_required', detail: 'code needed', mfa_token: 'mfa-1', status: 401, title: 'x', type: 'x' })
      case '/api/auth/login/mfa': {
        const body = JSON.parse(text)
        return body.code === '123456' || body.recovery_code === 'abcd-efgh'
          ? json(200, { access: 'acc', expires_in: 3600, token_type: 'Bearer' })
          : json(401, { code: 'mfa_code_invalid', detail: 'wrong' })
      }
      case '/api/auth/me': return json(200, me)
      case '/api/auth/email/verify/request': return new Response(null, { status: 202 })
      case '/api/users': return json(200, { count: 100000, count_exact: url.searchParams.get('search') === null ? false : true,
        next: '/api/users?page=2', previous: null, results: [] })
      case '/api/auth/email/verify': return json(400, { code: 'code_invalid', detail: 'The code is wrong, expired or used up' })
      default: return json(404, { code: 'not_found' })
    }
  }))
})

describe('two-factor sign-in', () => {
  it('holds the sign-in at mfa_required and hands back the token, signed out and without asking who', async () => {
    const auth = useAuthStore()
    await expect(auth.signIn('ada@example.com', 'right')).resolves.toEqual({ mfaToken: 'mfa-1' })
    expect(auth.signedIn).toBe(false)
    expect(session.access).toBeNull()
    expect(calls.map((c) => c.path)).toEqual(['/api/auth/login?cookie=true'])
  })

  it('completes with a TOTP code or a recovery code in cookie mode', async () => {
    const auth = useAuthStore()
    await auth.signInMfa('mfa-1', { code: '123456' })
    expect(calls[0]).toEqual({ method: 'POST', path: '/api/auth/login/mfa?cookie=true', body: { mfa_token: 'mfa-1', code: '123456' } })
    expect(auth.signedIn).toBe(true)
    await auth.signOut()
    calls = []
    await auth.signInMfa('mfa-1', { recovery_code: 'abcd-efgh' })
    expect(calls[0].body).toEqual({ mfa_token: 'mfa-1', recovery_code: 'abcd-efgh' })
    expect(auth.signedIn).toBe(true)
  })

  it('a wrong code is the server error, and no token refresh is tried for it', async () => {
    const auth = useAuthStore()
    await expect(auth.signInMfa('mfa-1', { code: '000000' })).rejects.toMatchObject({ status: 401, code: 'mfa_code_invalid' })
    expect(calls.map((c) => c.path)).toEqual(['/api/auth/login/mfa?cookie=true'])
    expect(auth.signedIn).toBe(false)
  })
})

describe('friendly messages for the account lifecycle', () => {
  it('names each code, in English and Chinese', () => {
    const cases: Record<string, keyof typeof en.errors> = {
      code_invalid: 'codeInvalid', mfa_code_invalid: 'mfaCodeInvalid', mfa_token_invalid: 'mfaTokenInvalid',
      email_not_verified: 'emailNotVerified', email_already_verified: 'alreadyVerified',
      mfa_already_enabled: 'mfaAlreadyEnabled', mfa_not_enrolled: 'mfaNotEnrolled', mfa_not_enabled: 'mfaNotEnabled',
      email_taken: 'emailTaken', weak_password: 'weakPassword',
    }
    for (const [code, key] of Object.entries(cases)) {
      expect(problemMessage(new ApiError(400, code, 'detail'))).toEqual({ key: `errors.${key}`, params: {} })
      expect(en.errors[key]).toMatch(/\w/)
      expect(zh.errors[key]).not.toBe(en.errors[key])
    }
  })
})

/** Mounts the app's routes at a URL, as a mail's link opens them. */
async function open(url: string) {
  const router = createRouter({ history: createMemoryHistory('/console/'), routes })
  await router.push(url)
  await router.isReady()
  const App = defineComponent({ render: () => h('div', [h((router.currentRoute.value.matched.at(-1)!.components!.default) as never)]) })
  const wrapper = mount(App, { global: { plugins: [router, i18n] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('the pages the mails link to', () => {
  it('verify-email fills the form from the link but sends nothing until the button is pressed', async () => {
    const page = await open('/account/verify-email?email=ada%40example.com&code=123456')
    expect((page.find('#verify-email').element as HTMLInputElement).value).toBe('ada@example.com')
    expect((page.find('#verify-code').element as HTMLInputElement).value).toBe('123456')
    expect(calls).toEqual([])
    await page.find('form').trigger('submit')
    await flushPromises()
    expect(calls).toEqual([{ method: 'POST', path: '/api/auth/email/verify', body: { code: '123456', email: 'ada@example.com' } }])
    // The one answer for a wrong, expired or used-up code, in the console's error style.
    expect(page.find('[role="alert"]').text()).toContain(en.errors.codeInvalid)
    page.unmount()
  })

  it('reset-password and confirm-email send nothing on opening either', async () => {
    for (const url of ['/account/reset-password?email=ada%40example.com&code=654321', '/account/confirm-email?code=111111']) {
      const page = await open(url)
      expect(page.find('input[autocomplete="one-time-code"]').exists()).toBe(true)
      page.unmount()
    }
    expect(calls).toEqual([])
  })
})

describe('sign-in page', () => {
  it('offers a new code when the login answers email_not_verified, for the address typed', async () => {
    const page = await open('/signin')
    await page.find('#signin-email').setValue('ada@example.com')
    await page.find('#signin-password').setValue('unverified')
    await page.find('form').trigger('submit')
    await flushPromises()
    expect(page.text()).toContain(en.auth.notVerified)
    const send = page.findAll('button').find((b) => b.text() === en.auth.sendVerification)!
    await send.trigger('click')
    await flushPromises()
    expect(calls.at(-1)).toEqual({ method: 'POST', path: '/api/auth/email/verify/request', body: { email: 'ada@example.com' } })
    expect(page.text()).toContain('a new code is on its way to ada@example.com')
    page.unmount()
  })

  it('asks for the second factor after mfa_required, and can switch to a recovery code', async () => {
    const page = await open('/signin')
    await page.find('#signin-email').setValue('ada@example.com')
    await page.find('#signin-password').setValue('right')
    await page.find('form').trigger('submit')
    await flushPromises()
    expect(page.find('h1').text()).toBe(en.auth.mfaTitle)
    expect(page.find('#signin-code').exists()).toBe(true)
    await page.findAll('button').find((b) => b.text() === en.auth.useRecovery)!.trigger('click')
    await page.find('#signin-recovery').setValue('abcd-efgh')
    await page.find('form').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.path.startsWith('/api/auth/login/mfa'))?.body).toEqual({ mfa_token: 'mfa-1', recovery_code: 'abcd-efgh' })
    page.unmount()
  })
})

describe('users page', () => {
  it('shows an estimated count as an estimate', async () => {
    i18n.global.locale.value = 'en'
    const page = await open('/admin/users')
    expect(page.find('.total').text()).toBe('about 100,000 users')
    i18n.global.locale.value = 'zh-CN'
    await flushPromises()
    expect(page.find('.total').text()).toBe('约 100,000 个用户')
    i18n.global.locale.value = 'en'
    page.unmount()
  }, 60_000) // the page's Element Plus components take a while to transform on a loaded machine
})
