-- MigrationLocksTest only: a migration that needs users' ACCESS EXCLUSIVE lock.
ALTER TABLE users ADD COLUMN lock_test integer;
