package dev.atrium.mail;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.atrium.support.Poll;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real SMTP server (GreenMail) on a free port for a test class, and what it received, read
 * back as parsed MIME. {@link #stop()} and {@link #start()} take it down and up on the same port.
 * Registered as an extension before the node, it starts first and stops after it:
 * <pre>
 * &#64;RegisterExtension static final Mailbox mailbox = new Mailbox();
 * &#64;RegisterExtension static final TestServer server = TestServer.node(Map.of("ATRIUM_SMTP_URL", mailbox.smtpUrl()));
 * </pre>
 */
public final class Mailbox implements AutoCloseable, AfterAllCallback {
  private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");
  private static final Pattern LINK = Pattern.compile("(https?://\\S+)");

  private final int port;
  private final String protocol;
  private final String login;
  private final String password;
  private GreenMail server;

  /** One received mail: recipient, subject, the text and HTML parts. */
  public record Received(String to, String subject, String text, String html) {
    public String code() {
      Matcher m = CODE.matcher(text);
      if (!m.find()) {
        throw new AssertionError("no 6-digit code in: " + text);
      }
      return m.group(1);
    }

    public String link() {
      Matcher m = LINK.matcher(text);
      if (!m.find()) {
        throw new AssertionError("no link in: " + text);
      }
      return m.group(1);
    }
  }

  /** Plain SMTP, no authentication. */
  public Mailbox() {
    this(ServerSetup.PROTOCOL_SMTP, null, null);
  }

  private Mailbox(String protocol, String login, String password) {
    this.protocol = protocol;
    this.login = login;
    this.password = password;
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    start();
  }

  /**
   * SMTPS (TLS from the first byte, GreenMail's self-signed certificate) with one account: a
   * login with another password is refused (535).
   */
  public static Mailbox smtps(String login, String password) {
    return new Mailbox(ServerSetup.PROTOCOL_SMTPS, login, password);
  }

  /** The URL for ATRIUM_SMTP_URL, with the account's credentials when there is one. */
  public String smtpUrl() {
    return smtpUrl(password);
  }

  /** The same with another password (for a refused login). */
  public String smtpUrl(String withPassword) {
    String credentials = login == null ? "" : login + ":" + withPassword + "@";
    return protocol + "://" + credentials + "127.0.0.1:" + port;
  }

  public void start() {
    server = new GreenMail(new ServerSetup(port, "127.0.0.1", protocol));
    if (login != null) {
      server.setUser(login + "@atrium.test", login, password);
    }
    server.start();
  }

  /** Every mail received so far, to anyone. */
  public int receivedCount() {
    return server.getReceivedMessages().length;
  }

  public void stop() {
    server.stop();
  }

  /** Every mail received so far to that address. */
  public List<Received> to(String address) {
    List<Received> out = new ArrayList<>();
    for (MimeMessage m : server.getReceivedMessages()) {
      try {
        for (Address a : m.getRecipients(Message.RecipientType.TO)) {
          if (a.toString().equalsIgnoreCase(address)) {
            out.add(parse(address, m));
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  /** Waits for the {@code n}th mail (1-based) to the address. */
  public Received await(String address, int n) {
    Poll.until(Duration.ofSeconds(20), n + " mail(s) to " + address, () -> to(address).size() >= n);
    return to(address).get(n - 1);
  }

  /** Waits for the first mail to the address. */
  public Received await(String address) {
    return await(address, 1);
  }

  private static Received parse(String to, MimeMessage m) throws Exception {
    String text = null;
    String html = null;
    Object content = m.getContent();
    if (content instanceof MimeMultipart mp) {
      for (int i = 0; i < mp.getCount(); i++) {
        BodyPart part = mp.getBodyPart(i);
        if (part.isMimeType("text/plain")) {
          text = part.getContent().toString();
        } else if (part.isMimeType("text/html")) {
          html = part.getContent().toString();
        }
      }
    } else {
      text = content.toString();
    }
    return new Received(to, m.getSubject(), text, html);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void close() {
    server.stop();
  }
}
