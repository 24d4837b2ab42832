package dev.atrium.users;

/**
 * How a search's page is read: UserListRepository chooses from the planner's estimates,
 * UserQuery writes the statement.
 * <ul>
 *   <li>{@link Way#GATHER}: {@code LIKE '%term%'}, which the planner may serve by gathering
 *   every match through the trigram index; planned for each term.</li>
 *   <li>{@link Way#WALK}: {@code strpos} on users read in created_at order, testing each one
 *   until the page is full; no index serves strpos, so one plan serves every term.</li>
 *   <li>{@link Way#PIECES}: the holders of one of the term's pieces ({@code gram}), read in
 *   created_at order from user_search_grams (V23), each tested with {@code strpos}.</li>
 * </ul>
 */
record SearchRead(Way way, String gram) {
  enum Way { GATHER, WALK, PIECES }

  static final SearchRead GATHER = new SearchRead(Way.GATHER, null);
  static final SearchRead WALK = new SearchRead(Way.WALK, null);

  static SearchRead pieces(String gram) {
    return new SearchRead(Way.PIECES, gram);
  }
}
