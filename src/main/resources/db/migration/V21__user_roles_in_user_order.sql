-- The admin users list filtered by a role, in its default order (newest first).
--
-- Read from the users' side, that page walks users_created_idx and probes user_roles for each
-- user: for a role one user in ten holds, a page of 20 reads about 200 users and makes 200
-- probes; for a rare role it reads nearly the whole table. Each grant now carries its holder's
-- created_at, so the role's grants can be read in the page's order from one index and the page
-- reads about as many users as it shows (UserQuery.fromRole).
--
-- users.created_at is set once, on insert; the triggers below keep the copy right even if it
-- is ever changed by hand.
ALTER TABLE user_roles ADD COLUMN user_created_at timestamptz;
UPDATE user_roles ur SET user_created_at = u.created_at FROM users u WHERE u.id = ur.user_id;
ALTER TABLE user_roles ALTER COLUMN user_created_at SET NOT NULL;

CREATE FUNCTION user_roles_holder_created_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- now() for a user that does not exist, so the foreign key reports the missing user
  NEW.user_created_at := coalesce((SELECT created_at FROM users WHERE id = NEW.user_id), now());
  RETURN NEW;
END $$;
CREATE TRIGGER user_roles_holder_created_at BEFORE INSERT OR UPDATE OF user_id ON user_roles
  FOR EACH ROW EXECUTE FUNCTION user_roles_holder_created_at();

CREATE FUNCTION users_created_at_to_grants() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE user_roles SET user_created_at = NEW.created_at WHERE user_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER users_created_at_to_grants AFTER UPDATE OF created_at ON users
  FOR EACH ROW WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION users_created_at_to_grants();

-- expires_at is included so an expired grant is skipped without reading its row; the index's
-- leading column serves everything user_roles_role_idx served.
CREATE INDEX user_roles_role_holders_idx ON user_roles (role_id, user_created_at DESC, user_id DESC)
  INCLUDE (expires_at);
DROP INDEX user_roles_role_idx;
