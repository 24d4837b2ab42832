package dev.atrium.keys;

import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The periodic refresh of the signing keys reads them; it makes a key only when a rotation is due. */
class SigningKeysTest {
  // rotation 20 s: the keys are re-read every 5 s
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_KEY_ROTATION", "20s"));

  static double metric(String text, String name, String labels) {
    Matcher m = Pattern.compile("(?m)^" + name + (labels.isEmpty() ? "" : "\\{" + labels + ",?\\}") + " ([0-9.E]+)$")
        .matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  static long stored(String purpose) {
    return (Long) server.sql("SELECT count(*) AS n FROM signing_keys WHERE purpose = ?", purpose).get(0).get("n");
  }

  @Test
  @DisplayName("after several refreshes, every key generated is a stored key: no spare key pair is made per refresh")
  void generatesOnlyWhenDue() {
    Poll.until(Duration.ofSeconds(40), "three refreshes, each key generated stored (single node: none lost)", () -> {
      long tokensBefore = stored("token");
      long linksBefore = stored("link");
      String text = server.http().get("/metrics").body();
      return metric(text, "atrium_signing_keys_refreshes_total", "") >= 3
          && metric(text, "atrium_signing_keys_generated_total", "purpose=\"token\"") == tokensBefore
          && metric(text, "atrium_signing_keys_generated_total", "purpose=\"link\"") == linksBefore
          && stored("token") == tokensBefore && stored("link") == linksBefore;
    });
  }
}
