import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useAuthStore } from './stores/auth'
import SignIn from './pages/SignIn.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** Any one of these permissions lets the user open the page. */
    anyOf?: string[]
    public?: boolean
  }
}

// Everything past the sign-in page is loaded on demand, so signing in loads only what it needs.
export const routes: RouteRecordRaw[] = [
  { path: '/signin', name: 'signin', component: SignIn, meta: { public: true } },
  // The pages the account mails link to (ATRIUM_PUBLIC_URL + /console/account/...). They only
  // fill a form from the link; a code is spent when the person submits it, never on opening.
  { path: '/account/forgot-password', name: 'forgot-password', component: () => import('./pages/account/ForgotPassword.vue'), meta: { public: true } },
  { path: '/account/reset-password', name: 'reset-password', component: () => import('./pages/account/ResetPassword.vue'), meta: { public: true } },
  { path: '/account/verify-email', name: 'verify-email', component: () => import('./pages/account/VerifyEmail.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./layouts/AppLayout.vue'),
    children: [
      { path: '', redirect: { name: 'dashboard' } },
      { path: 'dashboard', name: 'dashboard', component: () => import('./pages/DashboardPage.vue') },
      { path: 'files', name: 'files', component: () => import('./pages/FilesPage.vue') },
      { path: 'notifications', name: 'notifications', component: () => import('./pages/NotificationsPage.vue') },
      { path: 'account', name: 'account', component: () => import('./pages/AccountPage.vue') },
      { path: 'account/security', name: 'security', component: () => import('./pages/account/SecurityPage.vue') },
      { path: 'account/confirm-email', name: 'confirm-email', component: () => import('./pages/account/ConfirmEmail.vue') },
      { path: 'admin', redirect: { name: 'users' } },
      { path: 'admin/users', name: 'users', component: () => import('./pages/admin/UsersPage.vue'), meta: { anyOf: ['users.view'] } },
      { path: 'admin/roles', name: 'roles', component: () => import('./pages/admin/RolesPage.vue'), meta: { anyOf: ['rbac.manage'] } },
      { path: 'admin/audit', name: 'audit', component: () => import('./pages/admin/AuditPage.vue'), meta: { anyOf: ['audit.view'] } },
      {
        path: 'admin/analytics', name: 'analytics', component: () => import('./pages/admin/AnalyticsPage.vue'),
        meta: { anyOf: ['analytics.view_all', 'analytics.export'] },
      },
    ],
  },
  { path: '/:rest(.*)*', redirect: { name: 'dashboard' } },
]

export const router = createRouter({ history: createWebHistory('/console/'), routes })

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  if (!auth.ready) {
    await auth.restore()
  }
  if (to.meta.public) {
    return auth.signedIn && to.name === 'signin' ? { name: 'dashboard' } : true
  }
  if (!auth.signedIn) {
    return { name: 'signin', query: to.fullPath === '/' ? {} : { next: to.fullPath } }
  }
  const anyOf = to.meta.anyOf
  if (anyOf && !anyOf.some((p) => auth.can(p))) {
    return { name: 'dashboard' }
  }
  return true
})
