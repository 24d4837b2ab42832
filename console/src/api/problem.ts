/** A failed API call, read from the server's RFC 9457 problem+json answer. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly retryAfter: number | null
  readonly errors: { field: string; message: string }[]

  constructor(status: number, code: string, detail: string, retryAfter: number | null = null,
    errors: { field: string; message: string }[] = []) {
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.retryAfter = retryAfter
    this.errors = errors
  }

  /** Builds the error from a response whose body may or may not be problem+json. */
  static async from(response: Response, body?: unknown): Promise<ApiError> {
    let problem = body as { code?: string; detail?: string; errors?: { field: string; message: string }[] } | undefined
    if (problem === undefined) {
      try {
        problem = await response.clone().json()
      } catch {
        problem = undefined
      }
    }
    const retry = response.headers.get('Retry-After')
    const seconds = retry !== null && /^\d+$/.test(retry) ? Number(retry) : null
    return new ApiError(response.status, problem?.code ?? `http_${response.status}`,
      problem?.detail ?? response.statusText, seconds, problem?.errors ?? [])
  }
}

/**
 * Codes with a message of their own: re-authentication, the delegation refusals (403) and the
 * account-lifecycle answers (a mailed code that is wrong, expired or used up is one code on
 * purpose: the server never says which).
 */
const FRIENDLY: Record<string, string> = {
  reauthentication_required: 'errors.reauthenticate',
  invalid_password: 'errors.invalidPassword',
  session_required: 'errors.sessionRequired',
  cannot_grant_unheld_permission: 'errors.unheldPermission',
  cannot_modify_stronger_account: 'errors.strongerAccount',
  cannot_modify_self: 'errors.modifySelf',
  superuser_required: 'errors.superuserRequired',
  code_invalid: 'errors.codeInvalid',
  mfa_code_invalid: 'errors.mfaCodeInvalid',
  mfa_token_invalid: 'errors.mfaTokenInvalid',
  email_not_verified: 'errors.emailNotVerified',
  email_already_verified: 'errors.alreadyVerified',
  mfa_already_enabled: 'errors.mfaAlreadyEnabled',
  mfa_not_enrolled: 'errors.mfaNotEnrolled',
  mfa_not_enabled: 'errors.mfaNotEnabled',
  email_taken: 'errors.emailTaken',
  weak_password: 'errors.weakPassword',
}

/** The translation key and parameters of a friendly message for an error. */
export function problemMessage(err: unknown): { key: string; params: Record<string, unknown> } {
  if (!(err instanceof ApiError)) {
    return { key: 'errors.network', params: {} }
  }
  const seconds = err.retryAfter ?? 1
  switch (err.code) {
    case 'invalid_credentials':
      return { key: 'errors.invalidCredentials', params: {} }
    case 'account_inactive':
      return { key: 'errors.accountInactive', params: {} }
    case 'rate_limited':
      return { key: 'errors.rateLimited', params: { seconds } }
    case 'permission_denied':
      return { key: 'errors.forbidden', params: {} }
    default:
  }
  const known = FRIENDLY[err.code]
  if (known) {
    return { key: known, params: {} }
  }
  switch (err.status) {
    case 401:
      return { key: 'errors.unauthorized', params: {} }
    case 403:
      return { key: 'errors.forbidden', params: {} }
    case 429:
      return { key: 'errors.rateLimited', params: { seconds } }
    case 503:
      return { key: 'errors.busy', params: { seconds } }
    default:
      return { key: 'errors.detail', params: { detail: err.message, code: err.code } }
  }
}
