package dev.atrium.api.validation;

import dev.atrium.problem.Problem;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * The violations found in one request, at most {@link #MAX}: a 1,000-event batch with a bad
 * field in every event answers with a readable list, and checking stops once it is full.
 */
final class Violations {
  static final int MAX = 20;
  private final List<Violation> found = new ArrayList<>(2);
  /** The depth in the body of each violation found, to judge alternatives (see {@link #shallowSince}). */
  private final List<Integer> depths = new ArrayList<>(2);
  /** Per violation, the answer the contract declares for it ({@code x-problem}), or null. */
  private final List<Problem> answers = new ArrayList<>(2);
  /**
   * Where the check is, as a stack of property names and array indexes (Integer): pushed and
   * popped as checks descend, turned into a JSON pointer only when something is wrong there.
   */
  private Object[] path = new Object[16];
  private int depth;
  /**
   * Above 0 while {@link #passes} tries a branch of anyOf/oneOf: a violation is then only
   * counted, since a branch that fails is forgotten anyway (building pointers for the branch that
   * does not match was most of the validation of a valid track-activity body).
   */
  private int probing;
  private int failures;

  void push(Object segment) {
    if (depth == path.length) {
      path = java.util.Arrays.copyOf(path, depth * 2);
    }
    path[depth++] = segment;
  }

  void pop() {
    depth--;
  }

  /** A violation at the current place in the body. */
  void here(String message) {
    if (probing > 0) {
      failures++;
      return;
    }
    if (found.size() < MAX) {
      found.add(new Violation(pointer(), message));
      depths.add(depth);
      answers.add(null);
    }
  }

  /** A violation the contract answers with its own status and code ({@code x-problem}). */
  void here(String message, Problem answer) {
    here(message);
    if (answer != null && probing == 0) {
      // on the last violation, or on the 20th when the list is full: the answer is not lost
      answers.set(answers.size() - 1, answer);
    }
  }

  int depth() {
    return depth;
  }

  /** How many violations since {@code mark} are at most one level below {@code depth}. */
  int shallowSince(int mark, int depth) {
    int n = 0;
    for (int i = mark; i < depths.size(); i++) {
      if (depths.get(i) <= depth + 1) {
        n++;
      }
    }
    return n;
  }

  private String pointer() {
    if (depth == 0) {
      return "/";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      b.append('/');
      b.append(path[i] instanceof String name ? name.replace("~", "~0").replace("/", "~1") : path[i]); // RFC 6901
    }
    return b.toString();
  }

  void add(String field, String message) {
    if (found.size() < MAX) {
      found.add(new Violation(field, message));
      depths.add(0);
      answers.add(null);
    }
  }

  /** Whether checking can stop: MAX violations found, or the branch being tried has failed. */
  boolean full() {
    return probing > 0 ? failures > 0 : found.size() >= MAX;
  }

  /** Whether {@code value} matches {@code schema}; nothing is reported either way. */
  boolean passes(Schema schema, Object value) {
    int before = failures;
    probing++;
    try {
      schema.check(value, this);
    } finally {
      probing--;
    }
    boolean passed = failures == before;
    failures = before;
    return passed;
  }

  boolean isEmpty() {
    return found.isEmpty();
  }

  int size() {
    return found.size();
  }

  List<Violation> list() {
    return found;
  }

  /** Forgets what was added after {@code mark} (a branch of anyOf/oneOf that did not match). */
  void truncate(int mark) {
    while (found.size() > mark) {
      found.remove(found.size() - 1);
      depths.remove(depths.size() - 1);
      answers.remove(answers.size() - 1);
    }
  }

  Problem toProblem() {
    for (int i = 0; i < found.size(); i++) {
      if (answers.get(i) != null) {
        return answers.get(i); // e.g. 413 too_many_events: the contract's own answer for this limit
      }
    }
    JsonArray errors = new JsonArray(new ArrayList<>(found.size()));
    found.forEach(v -> errors.add(Problem.entry(v.field(), v.message())));
    return Problem.validation("The request does not match the contract", errors);
  }
}
