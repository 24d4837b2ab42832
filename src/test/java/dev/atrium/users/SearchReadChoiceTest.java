package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** UserListRepository.choose: the way a search's page is read, from the planner's estimates alone. */
class SearchReadChoiceTest {
  static Optional<SearchPieces.Piece> piece(String gram, double holders) {
    return Optional.of(new SearchPieces.Piece(gram, holders));
  }

  @Test
  @DisplayName("a term one user in ten matches walks users in order; one in a hundred reads its rarest piece")
  void commonAndMiddling() {
    assertEquals(SearchRead.WALK, UserListRepository.choose(10_000, 100_000, piece("com", 10_000), 21));
    assertEquals(SearchRead.pieces("orl"), UserListRepository.choose(1_000, 100_000, piece("orl", 1_000), 21));
    // no piece (a term of two characters): the walk, while it stays near
    assertEquals(SearchRead.WALK, UserListRepository.choose(10_000, 100_000, Optional.empty(), 21));
  }

  @Test
  @DisplayName("a rare term reads all of its rarest piece's holders when they are few, and is gathered when they are many")
  void rareTerms() {
    // two matches, 400 holders: all 400 are read (4,000 users' worth), not 21 x 400 / 2
    assertEquals(SearchRead.pieces("asi"), UserListRepository.choose(2, 100_000, piece("asi", 400), 21));
    // no match expected at all: the same
    assertEquals(SearchRead.pieces("asi"), UserListRepository.choose(0, 100_000, piece("asi", 400), 21));
    // every piece common: gathered through the trigram index
    assertEquals(SearchRead.GATHER, UserListRepository.choose(2, 100_000, piece("ada", 5_000), 21));
    assertEquals(SearchRead.GATHER, UserListRepository.choose(0, 100_000, Optional.empty(), 21));
  }

  @Test
  @DisplayName("a deep page reads by its piece as far as it pays, then is gathered")
  void deepPages() {
    assertEquals(SearchRead.pieces("orl"), UserListRepository.choose(1_000, 100_000, piece("orl", 1_000), 401));
    assertEquals(SearchRead.GATHER, UserListRepository.choose(1_000, 100_000, piece("oka", 10_000), 401));
  }

  @Test
  @DisplayName("a small table is walked whole rather than gathered")
  void smallTable() {
    assertEquals(SearchRead.WALK, UserListRepository.choose(0, 300, Optional.empty(), 21));
  }
}
