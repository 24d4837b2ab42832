package dev.atrium.audit;

import dev.atrium.api.Caller;
import dev.atrium.api.ClientInfo;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** Who made an admin change and from where: recorded with every audit entry. */
public record Actor(UUID userId, String ip, boolean superuser) {
  /** The caller of the request; {@code superuser} is filled in by the service that checks it. */
  public static Actor of(RoutingContext ctx) {
    ClientInfo client = ClientInfo.of(ctx);
    return new Actor(UUID.fromString(Caller.of(ctx).userId()), client == null ? null : client.ip(), false);
  }

  public Actor asSuperuser(boolean isSuperuser) {
    return new Actor(userId, ip, isSuperuser);
  }
}
