package dev.atrium.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An API consumer's day, through the Java clients that openapi-generator makes from openapi.yaml
 * with default options (the build generates and compiles them: see the contract-clients profile
 * in pom.xml), against a real node. okhttp-gson refuses any property the contract does not
 * declare, so this also proves that what the node sends is declared.
 */
class GeneratedClientsTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();
  static Path dir;

  @BeforeAll
  static void start() throws IOException {
    dir = Files.createTempDirectory("atrium-clients");
  }

  private static Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  @DisplayName("okhttp-gson client: register, login, me, update me, track one and a batch, stats, files, a range, notifications, admin search")
  void okhttpGson() throws Exception {
    dev.atrium.client.okhttp.ApiClient anonymous = new dev.atrium.client.okhttp.ApiClient().setBasePath(server.baseUrl());
    dev.atrium.client.okhttp.api.AuthApi open = new dev.atrium.client.okhttp.api.AuthApi(anonymous);
    String email = "okhttp-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    var registered = open.register(new dev.atrium.client.okhttp.model.RegisterRequest().email(email)
        .username(email.substring(0, email.indexOf('@'))).password("correct horse battery staple").firstName("Ada"));
    assertEquals(email, registered.getUser().getEmail());
    var login = open.login(new dev.atrium.client.okhttp.model.LoginRequest().email(email)
        .password("correct horse battery staple"), null);
    UUID me = login.getUser().getId();

    dev.atrium.client.okhttp.ApiClient client = new dev.atrium.client.okhttp.ApiClient().setBasePath(server.baseUrl());
    client.setBearerToken(login.getAccess());
    var auth = new dev.atrium.client.okhttp.api.AuthApi(client);
    assertEquals(me, auth.getMe().getId());
    assertTrue(auth.verifyToken().getValid());

    auth.updateMe(new dev.atrium.client.okhttp.model.UpdateMeRequest().profile(new dev.atrium.client.okhttp.model.ProfilePatch()
        .bio("Mathematician").putSocialLinksItem("github", "https://github.com/ada").putPreferencesItem("theme", "dark")));
    // the client sends "social_links": {} and "preferences": {} here: they must survive
    var renamed = auth.updateMe(new dev.atrium.client.okhttp.model.UpdateMeRequest().firstName("Augusta"));
    assertEquals("Augusta", renamed.getFirstName());
    assertEquals(Map.of("github", "https://github.com/ada"), renamed.getProfile().getSocialLinks());
    assertEquals("dark", renamed.getProfile().getPreferences().get("theme"));

    var analytics = new dev.atrium.client.okhttp.api.AnalyticsApi(client);
    var one = analytics.trackActivity(new dev.atrium.client.okhttp.model.TrackActivityRequest(
        new dev.atrium.client.okhttp.model.ActivityEvent().action("page_view").putMetadataItem("duration_ms", 42)));
    assertEquals(1, one.getAccepted());
    var batch = analytics.trackActivity(new dev.atrium.client.okhttp.model.TrackActivityRequest(
        new dev.atrium.client.okhttp.model.ActivityBatch().events(List.of(
            new dev.atrium.client.okhttp.model.ActivityEvent().action("click").eventId(UUID.randomUUID()),
            new dev.atrium.client.okhttp.model.ActivityEvent().action("search").putMetadataItem("q", "invoices")))));
    assertEquals(2, batch.getIds().size());
    var stats = analytics.getUserStats(me, 30);
    assertTrue(stats.getTotalActivities() >= 3, stats::toString);
    assertEquals(1, stats.getFeatureUsage().get("page_view"));

    var files = new dev.atrium.client.okhttp.api.FilesApi(client);
    var uploaded = files.uploadFiles(List.of(file("a.txt", "hello, generated client").toFile(),
        file("b.csv", "a,b\n1,2\n").toFile())).getResults();
    assertEquals(List.of("success", "success"), uploaded.stream().map(r -> r.getStatus().getValue()).toList());
    assertEquals(2, files.listFiles(1, 10, null, null).getCount());
    UUID id = uploaded.get(0).getFileId();
    assertEquals("hello, generated client", Files.readString(files.downloadFile(id, null, null, null, null).toPath()));
    assertEquals("hello", Files.readString(files.downloadFile(id, null, null, null, "bytes=0-4").toPath()));
    assertEquals("a.txt", files.getFile(id).getFilename());

    dev.atrium.client.okhttp.ApiClient adminClient = adminOkhttp();
    var sent = new dev.atrium.client.okhttp.api.NotificationsApi(adminClient).sendNotification(
        new dev.atrium.client.okhttp.model.SendNotificationRequest(new dev.atrium.client.okhttp.model.NotifyUsers()
            .userIds(List.of(me)).title("Welcome").putDataItem("link", "/files")));
    assertEquals(1, sent.getCount());
    var inbox = new dev.atrium.client.okhttp.api.NotificationsApi(client);
    var unread = inbox.listNotifications(1, 20, true).getResults();
    assertEquals("Welcome", unread.get(0).getTitle());
    assertNotNull(inbox.markNotificationRead(unread.get(0).getId()).getReadAt());
    assertEquals(0, inbox.unreadNotificationCount().getCount());

    var found = new dev.atrium.client.okhttp.api.UsersApi(adminClient)
        .listUsers(1, 10, "okhttp-", null, null, null, null, null, null, "-created_at").getResults();
    assertTrue(found.stream().anyMatch(u -> me.equals(u.getId())), found::toString);
    var grant = new dev.atrium.client.okhttp.api.RbacApi(adminClient).grantUserRole(me,
        new dev.atrium.client.okhttp.model.GrantRequest(new dev.atrium.client.okhttp.model.GrantByRoleName().role("analyst")));
    assertEquals("analyst", grant.getRole());
    var dashboard = new dev.atrium.client.okhttp.api.AnalyticsApi(adminClient).getRealTimeDashboard();
    assertEquals(60, dashboard.getActivitiesPerMinute().size());

    var refused = assertThrows(dev.atrium.client.okhttp.ApiException.class, () -> new dev.atrium.client.okhttp.api.AuthApi(anonymous).getMe());
    assertEquals(401, refused.getCode());
  }

  @Test
  @DisplayName("native client: register, login, me, update me, track one and a batch, stats, upload, download, a range, notify, search")
  void nativeJdk() throws Exception {
    dev.atrium.client.jdk.ApiClient anonymous = new dev.atrium.client.jdk.ApiClient();
    anonymous.updateBaseUri(server.baseUrl());
    String email = "native-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    new dev.atrium.client.jdk.api.AuthApi(anonymous).register(new dev.atrium.client.jdk.model.RegisterRequest().email(email)
        .username(email.substring(0, email.indexOf('@'))).password("correct horse battery staple"));
    var login = new dev.atrium.client.jdk.api.AuthApi(anonymous).login(new dev.atrium.client.jdk.model.LoginRequest()
        .email(email).password("correct horse battery staple"), null);
    dev.atrium.client.jdk.ApiClient client = new dev.atrium.client.jdk.ApiClient();
    client.updateBaseUri(server.baseUrl());
    client.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + login.getAccess()));
    UUID me = login.getUser().getId();

    var auth = new dev.atrium.client.jdk.api.AuthApi(client);
    assertEquals(email, auth.getMe().getEmail());
    auth.updateMe(new dev.atrium.client.jdk.model.UpdateMeRequest().profile(new dev.atrium.client.jdk.model.ProfilePatch()
        .putSocialLinksItem("site", "https://ada.example")));
    var renamed = auth.updateMe(new dev.atrium.client.jdk.model.UpdateMeRequest().lastName("Lovelace"));
    assertEquals(Map.of("site", "https://ada.example"), renamed.getProfile().getSocialLinks());

    var analytics = new dev.atrium.client.jdk.api.AnalyticsApi(client);
    analytics.trackActivity(new dev.atrium.client.jdk.model.TrackActivityRequest(
        new dev.atrium.client.jdk.model.ActivityEvent().action("open")));
    var batch = analytics.trackActivity(new dev.atrium.client.jdk.model.TrackActivityRequest(
        new dev.atrium.client.jdk.model.ActivityBatch().events(List.of(new dev.atrium.client.jdk.model.ActivityEvent().action("close")))));
    assertEquals(1, batch.getStored());
    var usage = analytics.getUserStats(me, null).getFeatureUsage();
    assertEquals(1, usage.get("open"));
    assertEquals(1, usage.get("close"));

    var files = new dev.atrium.client.jdk.api.FilesApi(client);
    var results = files.uploadFiles(List.of(file("n1.txt", "native one").toFile(), file("n2.txt", "native two").toFile()))
        .getResults();
    assertEquals(2, results.size());
    UUID id = results.get(1).getFileId();
    assertEquals(2, files.listFiles(null, null, null, null).getResults().size());
    assertEquals("native two", Files.readString(files.downloadFile(id, null, null, null, null).toPath(),
        StandardCharsets.UTF_8));
    assertEquals("two", Files.readString(files.downloadFile(id, null, null, null, "bytes=-3").toPath()));

    dev.atrium.client.jdk.ApiClient admin = new dev.atrium.client.jdk.ApiClient();
    admin.updateBaseUri(server.baseUrl());
    String adminToken = new dev.atrium.client.jdk.api.AuthApi(anonymous).login(new dev.atrium.client.jdk.model.LoginRequest()
        .email(TestServer.ADMIN_EMAIL).password(TestServer.ADMIN_PASSWORD), null).getAccess();
    admin.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + adminToken));
    new dev.atrium.client.jdk.api.NotificationsApi(admin).sendNotification(new dev.atrium.client.jdk.model.SendNotificationRequest(
        new dev.atrium.client.jdk.model.NotifyUsers().userIds(List.of(me)).title("Hi from native")));
    assertEquals("Hi from native", new dev.atrium.client.jdk.api.NotificationsApi(client).listNotifications(null, null, null)
        .getResults().get(0).getTitle());
    var page = new dev.atrium.client.jdk.api.UsersApi(admin).listUsers(null, null, email, null, null, null, null, null, null, null);
    assertEquals(1, page.getCount());
    var grant = new dev.atrium.client.jdk.api.RbacApi(admin).grantUserRole(me,
        new dev.atrium.client.jdk.model.GrantRequest(new dev.atrium.client.jdk.model.GrantByRoleName().role("support")));
    assertEquals("support", grant.getRole());
  }

  private static dev.atrium.client.okhttp.ApiClient adminOkhttp() throws Exception {
    dev.atrium.client.okhttp.ApiClient c = new dev.atrium.client.okhttp.ApiClient().setBasePath(server.baseUrl());
    var login = new dev.atrium.client.okhttp.api.AuthApi(c).login(new dev.atrium.client.okhttp.model.LoginRequest()
        .email(TestServer.ADMIN_EMAIL).password(TestServer.ADMIN_PASSWORD), null);
    c.setBearerToken(login.getAccess());
    return c;
  }
}
