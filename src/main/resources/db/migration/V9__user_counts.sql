-- Exact user counts for the admin list without counting rows on every page.
--
-- `GET /api/users` answers DRF's {count, next, previous, results}. With 100,000 users an exact
-- count(*) is a whole-table scan (tens of milliseconds) for every page. The list's most common
-- pages (no filter, or only the is_active / is_verified / is_staff flags) read their count
-- here instead: one row per combination of the three flags, kept exact by the triggers below in
-- the same transaction as the change (so a page never disagrees with a committed write).
-- Other filters count their matches up to a cap (users/UsersAdminRepository).
CREATE TABLE user_counts (
    is_active    boolean NOT NULL,
    is_verified  boolean NOT NULL,
    is_staff     boolean NOT NULL,
    n            bigint  NOT NULL,
    PRIMARY KEY (is_active, is_verified, is_staff)
);

INSERT INTO user_counts
SELECT a, v, s, (SELECT count(*) FROM users WHERE is_active = a AND is_verified = v AND is_staff = s)
FROM (VALUES (true), (false)) fa(a), (VALUES (true), (false)) fv(v), (VALUES (true), (false)) fs(s);

-- Adds each changed combination's delta. An update that changes no flag (a login setting
-- last_login, a profile edit) changes no combination and takes no lock here.
CREATE FUNCTION user_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE user_counts c SET n = c.n + d.k
        FROM (SELECT is_active, is_verified, is_staff, count(*) AS k FROM new_rows GROUP BY 1, 2, 3) d
        WHERE (c.is_active, c.is_verified, c.is_staff) = (d.is_active, d.is_verified, d.is_staff);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE user_counts c SET n = c.n - d.k
        FROM (SELECT is_active, is_verified, is_staff, count(*) AS k FROM old_rows GROUP BY 1, 2, 3) d
        WHERE (c.is_active, c.is_verified, c.is_staff) = (d.is_active, d.is_verified, d.is_staff);
    ELSE
        UPDATE user_counts c SET n = c.n + d.k
        FROM (SELECT is_active, is_verified, is_staff, sum(k) AS k
              FROM (SELECT is_active, is_verified, is_staff, 1 AS k FROM new_rows
                    UNION ALL
                    SELECT is_active, is_verified, is_staff, -1 FROM old_rows) x
              GROUP BY 1, 2, 3 HAVING sum(k) <> 0) d
        WHERE (c.is_active, c.is_verified, c.is_staff) = (d.is_active, d.is_verified, d.is_staff);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER user_counts_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION user_counts_apply();
CREATE TRIGGER user_counts_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION user_counts_apply();
CREATE TRIGGER user_counts_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION user_counts_apply();
