package dev.atrium.api;

import dev.atrium.problem.Problem;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpObjectDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * Requests refused before any route saw them: by the HTTP decoder (a request line or headers over
 * the limits, a malformed head), or for a Host that Vert.x's own check cannot read. Answered as
 * problem+json like every other refusal, where Vert.x's default sends the bare status. The
 * connection is closed after, as the default does: what follows such a head cannot be trusted to
 * start a new request.
 */
final class InvalidRequests {
  private static final String DECODER = HttpObjectDecoder.class.getName();

  private InvalidRequests() {
  }

  /**
   * Whether a request failed because the HTTP decoder could not read its body: a chunk size
   * that is not hexadecimal or overflows, a chunk line over the limit, a bad chunk terminator.
   * Netty reports most of these with its own exceptions, but a malformed chunk size as a plain
   * NumberFormatException thrown by the decoder itself (so its top frame is the decoder's; a
   * fault of ours would be thrown elsewhere). Vert.x closes the connection after it.
   */
  static boolean undecodableBody(Throwable failure) {
    StackTraceElement[] stack = failure.getStackTrace();
    return failure instanceof DecoderException || stack.length > 0 && stack[0].getClassName().equals(DECODER);
  }

  static Problem undecodableBody() {
    return Problem.of(400, "malformed_request", "The request body is not valid HTTP/1.1 (chunked encoding)");
  }

  /**
   * {@code router}, behind a refusal of any Host that holds a '%'. Vert.x 5.0.7 checks the Host
   * before any route, and its check of a %-escape reads the wrong index
   * (HostAndPortImpl.parseRegName uses the character as the index): a Host such as {@code %41}
   * throws out of the router, the request is never answered and each one logs a stack trace as an
   * error. No host name holds a '%' (Django's host check refuses it too), so such a request is
   * refused before the router sees it.
   */
  static Handler<HttpServerRequest> screeningHosts(Handler<HttpServerRequest> router) {
    return request -> {
      String host = request.getHeader(HttpHeaders.HOST);
      if (host != null && host.indexOf('%') >= 0) {
        send(request, Problem.of(400, "bad_request", "The Host header is not a valid host name"));
      } else {
        router.handle(request);
      }
    };
  }

  static void answer(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    Problem problem;
    if (cause instanceof TooLongHttpLineException) {
      problem = Problem.of(414, "uri_too_long", "The request line is longer than "
          + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + " bytes");
    } else if (cause instanceof TooLongHttpHeaderException) {
      problem = Problem.of(431, "headers_too_large", "The request headers are larger than "
          + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes");
    } else {
      problem = Problem.of(400, "malformed_request", "The request is not valid HTTP/1.1");
    }
    send(request, problem);
  }

  private static void send(HttpServerRequest request, Problem problem) {
    request.response().setStatusCode(problem.status())
        .putHeader("Content-Type", "application/problem+json")
        .putHeader("Connection", "close")
        .end(ProblemHandler.body(problem).toBuffer())
        .onComplete(done -> request.connection().close());
  }
}
