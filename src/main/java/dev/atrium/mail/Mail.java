package dev.atrium.mail;

/** One rendered mail, ready for the outbox. */
public record Mail(MailKind kind, String to, String subject, String text, String html) {
}
