package dev.atrium.events;

/**
 * Every event-bus address Atrium uses, in one place. Domain events are published (fan-out);
 * the {@code atrium.auth.password.*} addresses are request-reply to the hashing pool.
 */
public final class Addresses {
  /** {@link UserRegistered}: a new account exists. */
  public static final String USER_REGISTERED = "user.registered";
  /** {@link UserLogin}: a successful login. */
  public static final String USER_LOGIN = "user.login";
  /** {@link UserLogout}: one session ended, or all of a user's sessions. */
  public static final String USER_LOGOUT = "user.logout";
  /** {@link AccessChanged}: a user's tokens, sessions or permissions changed; caches drop that user. */
  public static final String ACCESS_CHANGED = "atrium.access.changed";

  // users, rbac, audit
  /** {@link UserRemoved}: an admin deactivated an account; its tokens are void everywhere. */
  public static final String USER_DEACTIVATED = "user.deactivated";
  /** {@link UserRemoved}: an admin deleted an account (sessions, grants, keys gone; the audit log keeps it). */
  public static final String USER_DELETED = "user.deleted";

  // analytics
  /** A dashboard snapshot (the JSON of GET /api/analytics/real-time-dashboard), every 2 s. */
  public static final String DASHBOARD_SNAPSHOT = "analytics.dashboard";

  // files
  /** {@link FileUploaded}: a file's bytes are stored and recorded; processing may start. */
  public static final String FILE_UPLOADED = "file.uploaded";
  /** {@link FileProcessed}: after-upload processing ended ({@code ready} or {@code failed}). */
  public static final String FILE_PROCESSED = "file.processed";

  // notifications and push
  /** {@link NotificationCreated}: a notification was stored for a user; push delivers it. */
  public static final String NOTIFICATION_CREATED = "notification.created";

  // mail
  /** No payload, local to the node: a transaction that queued mail committed; the sender looks now. */
  public static final String MAIL_QUEUED = "mail.queued";

  private Addresses() {
  }
}
