package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SearchPiecesTest {
  @Test
  @DisplayName("a term is cut as user_search_grams() cuts a text: three code points, none a space, each once")
  void cutsLikeTheMigration() {
    assertEquals(List.of("oka", "kaf", "afo", "for"), List.copyOf(SearchPieces.of("okafor")));
    assertEquals(List.of("ada", "oka"), List.copyOf(SearchPieces.of("ada oka")));
    assertEquals(List.of("aaa"), List.copyOf(SearchPieces.of("aaaaa")));
    assertEquals(List.of(), List.copyOf(SearchPieces.of("ab")));
    assertEquals(List.of(), List.copyOf(SearchPieces.of("a b c")));
    // a character outside the BMP is one code point, as PostgreSQL counts it
    assertEquals(List.of("a\uD83D\uDE00b"), List.copyOf(SearchPieces.of("a\uD83D\uDE00b")));
  }

  @Test
  @DisplayName("a piece the statistics do not list is taken as common as the rows left over allow, never more than a listed one")
  void unlistedPieces() {
    SearchPieces.Stats stats = new SearchPieces.Stats(Map.of("com", 0.1), 0.001, 10_000);
    assertEquals(1_000, stats.holders("com"), 1e-6);
    assertEquals(10, stats.holders("zzz"), 1e-6);
    assertEquals(-1, new SearchPieces.Stats(Map.of(), 0, 0).holders("com"));
  }
}
