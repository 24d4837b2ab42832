-- The admin users list's search, in its default order (newest first), read from an index of
-- each user's three-character pieces of search_text, in user order.
--
-- A search is a plain substring test (strpos, or LIKE '%term%'). Its page could be read two
-- ways: walking users_created_idx and testing every user until the page is full (a term that
-- one user in a hundred matches reads about 2,000 users for a page of 20, 0.45 ms), or
-- gathering every match through the trigram index and sorting them (1.5 µs a match). Every
-- user whose text contains the term also contains each of its three-character pieces, so the
-- users holding the term's rarest piece, read in page order from this table's key, are a
-- superset of the matches, in order: the page reads about as many users as it shows when the
-- piece is about as rare as the term (UserListRepository chooses the piece and the way).
--
-- The cost: one row per distinct piece per user, about 28 for the benches' users (2.9 KB a
-- user with the key). Pieces holding a space are left out: no term needs them, since a term
-- with a space also has pieces on either side of it or is read another way.
CREATE FUNCTION user_search_grams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
    FROM (SELECT substr(t, i, 3) AS g FROM generate_series(1, length(t) - 2) i) pieces
   WHERE strpos(g, ' ') = 0
$$;

-- The key is the whole row: gram first, then the page order (created_at, id), which a
-- backward scan reads newest first. No foreign key: it would need an index on user_id; the
-- triggers below remove a user's rows by their full key.
CREATE TABLE user_search_grams (
  gram text COLLATE "C" NOT NULL,
  user_created_at timestamptz NOT NULL,
  user_id uuid NOT NULL,
  PRIMARY KEY (gram, user_created_at, user_id)
);

-- Statement triggers with transition tables: a bulk insert (an import, a bench's seed) adds
-- its rows in one statement rather than one per user.
CREATE FUNCTION users_search_grams_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO user_search_grams (gram, user_created_at, user_id)
  SELECT g, a.created_at, a.id FROM added a, unnest(user_search_grams(a.search_text)) g;
  RETURN NULL;
END $$;
CREATE TRIGGER users_search_grams_insert AFTER INSERT ON users
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION users_search_grams_added();

CREATE FUNCTION users_search_grams_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM user_search_grams s
   USING removed r, unnest(user_search_grams(r.search_text)) g
   WHERE s.gram = g AND s.user_created_at = r.created_at AND s.user_id = r.id;
  RETURN NULL;
END $$;
CREATE TRIGGER users_search_grams_delete AFTER DELETE ON users
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION users_search_grams_removed();

-- A row trigger, so the many updates that touch neither the text nor created_at (a login's
-- last_login) cost nothing: transition tables cannot be combined with a column list or WHEN.
CREATE FUNCTION users_search_grams_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM user_search_grams
   WHERE gram = ANY (user_search_grams(OLD.search_text)) AND user_created_at = OLD.created_at
     AND user_id = OLD.id;
  INSERT INTO user_search_grams (gram, user_created_at, user_id)
  SELECT g, NEW.created_at, NEW.id FROM unnest(user_search_grams(NEW.search_text)) g;
  RETURN NULL;
END $$;
CREATE TRIGGER users_search_grams_update AFTER UPDATE ON users
  FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION users_search_grams_changed();

CREATE FUNCTION users_search_grams_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE user_search_grams;
  RETURN NULL;
END $$;
CREATE TRIGGER users_search_grams_truncate AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION users_search_grams_truncated();

INSERT INTO user_search_grams (gram, user_created_at, user_id)
SELECT g, u.created_at, u.id FROM users u, unnest(user_search_grams(u.search_text)) g;

-- The choice of a term's rarest piece reads the most common pieces' frequencies from pg_stats
-- (UserSearchGrams): with 1,000 entries every piece outside the list is rarer than 0.1 % of
-- the rows or so.
ALTER TABLE user_search_grams ALTER COLUMN gram SET STATISTICS 1000;
ANALYZE user_search_grams;
