package dev.atrium.mail;

/** The mails Atrium sends; each has a text and an HTML template per language under resources/mail/. */
public enum MailKind {
  VERIFY_EMAIL("verify_email"),
  PASSWORD_RESET("password_reset"),
  EMAIL_CHANGE("email_change"),
  EMAIL_CHANGE_NOTICE("email_change_notice");

  private final String template;

  MailKind(String template) {
    this.template = template;
  }

  public String template() {
    return template;
  }
}
