package dev.atrium.account;

/** What a 6-digit code proves; one live code per user and purpose. */
enum CodePurpose {
  VERIFY_EMAIL("verify_email"),
  PASSWORD_RESET("password_reset"),
  EMAIL_CHANGE("email_change");

  final String column;

  CodePurpose(String column) {
    this.column = column;
  }
}
