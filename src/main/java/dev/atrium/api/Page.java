package dev.atrium.api;

import java.util.List;
import java.util.function.Function;

/** One page of a list: its rows, and how many rows the whole list has. */
public record Page<T>(long count, List<T> items) {
  public <R> Page<R> map(Function<T, R> f) {
    return new Page<>(count, items.stream().map(f).toList());
  }

  /** A list that is never paged (it is small and bounded): every row, and their number. */
  public static <T> Page<T> all(List<T> items) {
    return new Page<>(items.size(), items);
  }
}
