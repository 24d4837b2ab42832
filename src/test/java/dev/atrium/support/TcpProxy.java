package dev.atrium.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy for fault tests, in front of the shared PostgreSQL or Redis (which tests must
 * never stop). {@link #pass()} forwards bytes both ways; {@link #refuse()} cuts every open
 * connection and resets new ones (a database that went down); {@link #silence()} keeps
 * connections open but holds every byte, in both directions, until {@link #pass()} (a server
 * that accepts connections and never answers). Held bytes are delivered in order afterwards,
 * as a hung server that recovers would answer, so no request is lost or misattributed.
 * {@link #partition()} turns the connections open now into half-open ones (bytes dropped
 * forever, no reset) while new connections pass: a network path lost without a FIN.
 * {@link #cutAfterCommitOf(String)} (PostgreSQL only) lets through the COMMIT that follows a
 * given statement on its connection, then resets the client's side: the server commits and the
 * client never hears it, a commit whose outcome the client cannot know.
 */
public final class TcpProxy implements AutoCloseable {
  private enum Mode { PASS, REFUSE, SILENT }

  private final String upstreamHost;
  private final int upstreamPort;
  private final ServerSocket server;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final Set<Socket> blackholed = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private volatile Mode mode = Mode.PASS;
  private volatile boolean closed;
  private volatile byte[] cutAfter;
  private volatile int cuts;
  private static final byte[] COMMIT = "COMMIT\0".getBytes(StandardCharsets.US_ASCII);

  public TcpProxy(String upstreamHost, int upstreamPort) {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    try {
      server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    daemon("proxy-accept-" + port(), this::acceptLoop).start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted and still open. */
  public int openConnections() {
    return open.size() / 2;
  }

  public void pass() {
    synchronized (gate) {
      mode = Mode.PASS;
      gate.notifyAll();
    }
  }

  public void refuse() {
    mode = Mode.REFUSE;
    open.forEach(TcpProxy::reset);
    open.clear();
  }

  public void partition() {
    blackholed.addAll(open);
  }

  public void silence() {
    mode = Mode.SILENT;
  }

  /** Connections cut after a COMMIT so far. */
  public int cuts() {
    return cuts;
  }

  /**
   * Arms one cut: on the connection that next sends {@code statement} (its text goes out when
   * the statement is first prepared there), the COMMIT that follows.
   */
  public void cutAfterCommitOf(String statement) {
    cutAfter = statement.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    closed = true;
    refuse();
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (mode == Mode.REFUSE) {
        reset(client);
        continue;
      }
      try {
        Socket upstream = new Socket(upstreamHost, upstreamPort);
        open.add(client);
        open.add(upstream);
        daemon("proxy-up", () -> pump(client, upstream, true)).start();
        daemon("proxy-down", () -> pump(upstream, client, false)).start();
      } catch (IOException e) {
        reset(client);
      }
    }
  }

  private void pump(Socket from, Socket to, boolean fromClient) {
    byte[] buffer = new byte[16 * 1024];
    boolean cut = false;
    boolean marked = false;
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        awaitNotSilent();
        if (mode == Mode.REFUSE) {
          break;
        }
        if (blackholed.contains(from)) {
          continue;
        }
        out.write(buffer, 0, n);
        out.flush();
        byte[] marker = cutAfter;
        if (fromClient && marker != null) {
          marked |= contains(buffer, n, marker);
          if (marked && contains(buffer, n, COMMIT)) {
            cutAfter = null;
            cuts++;
            cut = true; // the server keeps its side until it answers; the answer has nowhere to go
            break;
          }
        }
      }
    } catch (IOException e) {
      // one side went away: the other follows below
    } finally {
      reset(from);
      if (!cut) {
        reset(to);
      }
      open.remove(from);
      open.remove(to);
      blackholed.remove(from);
      blackholed.remove(to);
    }
  }

  private void awaitNotSilent() {
    synchronized (gate) {
      while (mode == Mode.SILENT) {
        try {
          gate.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static boolean contains(byte[] buffer, int length, byte[] pattern) {
    for (int i = 0; i + pattern.length <= length; i++) {
      if (Arrays.equals(buffer, i, i + pattern.length, pattern, 0, pattern.length)) {
        return true;
      }
    }
    return false;
  }

  /** Closes with a TCP reset, as a host that went away mid-conversation would look. */
  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }
}
