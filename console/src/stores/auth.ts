import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, session, unwrap, type Schemas } from '../api/client'
import { ApiError } from '../api/problem'
import { PushClient } from '../api/push'

export const push = new PushClient(session)

/**
 * The second factor of a sign-in held back with mfa_required: a TOTP code or a recovery code,
 * one of the contract's LoginMfaRequest alternatives (its oneOf comes out untyped).
 */
type MfaFields = Schemas['LoginMfaRequest']
export type SecondFactor = Required<Pick<MfaFields, 'code'>> | Required<Pick<MfaFields, 'recovery_code'>>

/**
 * Who is signed in and what they may do. The access token stays in the session object (memory);
 * the refresh token is the HttpOnly cookie set by cookie-mode login. A timer refreshes a minute
 * before expiry (or at 80 % of a short lifetime); a reload restores the session from the cookie.
 */
export const useAuthStore = defineStore('auth', () => {
  const me = ref<Schemas['Me'] | null>(null)
  const ready = ref(false)
  const ended = ref(false)
  let timer: ReturnType<typeof setTimeout> | null = null

  const permissions = computed(() => new Set(me.value?.permissions ?? []))
  const signedIn = computed(() => me.value !== null)

  function can(permission: string): boolean {
    return me.value !== null && (me.value.is_superuser === true || permissions.value.has(permission))
  }

  function schedule(): void {
    if (timer) {
      clearTimeout(timer)
    }
    if (!session.access) {
      return
    }
    const left = session.expiresAt - Date.now()
    // A minute before expiry; for lifetimes under two minutes, at 80 % of what is left.
    const wait = Math.max(1_000, left > 120_000 ? left - 60_000 : left * 0.8)
    timer = setTimeout(() => {
      void session.refresh().then((ok) => {
        if (!ok) {
          session.end()
        }
      })
    }, wait)
  }

  session.on('changed', schedule)
  session.on('ended', () => {
    reset()
    ended.value = true
  })

  function reset(): void {
    if (timer) {
      clearTimeout(timer)
    }
    push.stop()
    session.clear()
    me.value = null
  }

  async function loadMe(): Promise<void> {
    me.value = await unwrap(api.GET('/api/auth/me'))
    ended.value = false
    push.start()
  }

  /** On start: a refresh cookie from an earlier visit signs this tab in without a password. */
  async function restore(): Promise<void> {
    try {
      if (await session.refresh()) {
        await loadMe()
      }
    } catch {
      reset()
    } finally {
      ready.value = true
    }
  }

  /**
   * Signs in, or answers the mfa_token when the account has two-factor sign-in on (login's 401
   * mfa_required): the caller then asks for the code and calls signInMfa.
   */
  async function signIn(email: string, password: string): Promise<{ mfaToken: string } | null> {
    const { data, error, response } = await api.POST('/api/auth/login', {
      params: { query: { cookie: true } },
      body: { email, password },
    })
    if (response.status === 401 && error?.code === 'mfa_required' && 'mfa_token' in error && error.mfa_token) {
      return { mfaToken: error.mfa_token }
    }
    if (!response.ok || !data) {
      throw await ApiError.from(response, error)
    }
    session.set(data)
    await loadMe()
    return null
  }

  async function signInMfa(mfaToken: string, second: SecondFactor): Promise<void> {
    const answer = await unwrap(api.POST('/api/auth/login/mfa', {
      params: { query: { cookie: true } },
      body: { mfa_token: mfaToken, ...second },
    }))
    session.set(answer)
    await loadMe()
  }

  async function signOut(): Promise<void> {
    try {
      await api.POST('/api/auth/logout')
    } finally {
      reset()
    }
  }

  async function signOutEverywhere(): Promise<void> {
    // Ends every session, this one's refresh cookie included, and voids every access token.
    await unwrap(api.POST('/api/auth/logout-all'))
    reset()
  }

  return { me, ready, ended, signedIn, can, restore, signIn, signInMfa, signOut, signOutEverywhere, loadMe }
})
