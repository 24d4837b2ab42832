-- Accounts, sessions and the role/permission model that every node reads.

CREATE TABLE users (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email          text        NOT NULL,
    username       text        NOT NULL,
    password_hash  text        NOT NULL,
    first_name     text        NOT NULL DEFAULT '',
    last_name      text        NOT NULL DEFAULT '',
    phone          text,
    avatar         text,
    department     text,
    position       text,
    is_active      boolean     NOT NULL DEFAULT true,
    is_staff       boolean     NOT NULL DEFAULT false,
    is_superuser   boolean     NOT NULL DEFAULT false,
    is_verified    boolean     NOT NULL DEFAULT false,
    last_login     timestamptz,
    last_login_ip  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
-- Emails and usernames are unique regardless of case; lookups use lower().
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

CREATE TABLE user_profiles (
    user_id       uuid  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    bio           text,
    birth_date    date,
    location      text,
    website       text,
    social_links  jsonb NOT NULL DEFAULT '{}'::jsonb,
    preferences   jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE TABLE permissions (
    id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codename     text    NOT NULL UNIQUE,
    name         text    NOT NULL,
    description  text    NOT NULL DEFAULT '',
    module       text    NOT NULL,
    is_builtin   boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE roles (
    id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text    NOT NULL UNIQUE,
    description  text    NOT NULL DEFAULT '',
    is_active    boolean NOT NULL DEFAULT true,
    is_builtin   boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE role_permissions (
    role_id        bigint NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission_id  bigint NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, permission_id)
);
CREATE INDEX role_permissions_permission_idx ON role_permissions (permission_id);

CREATE TABLE user_roles (
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id      bigint      NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    assigned_by  uuid        REFERENCES users (id) ON DELETE SET NULL,
    assigned_at  timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role_idx ON user_roles (role_id);

-- A session is one signed-in device: a family of refresh tokens, each used once.
CREATE TABLE sessions (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    ip            text,
    user_agent    text
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
    token_hash  bytea       PRIMARY KEY,
    session_id  uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_expiry_idx ON refresh_tokens (expires_at);

INSERT INTO permissions (codename, name, description, module, is_builtin) VALUES
    ('users.view',              'View users',               'List and read user accounts',                 'users',         true),
    ('users.manage',            'Manage users',             'Create, update, deactivate, delete, import',  'users',         true),
    ('rbac.manage',             'Manage roles',             'Roles, permissions and grants',               'rbac',          true),
    ('audit.view',              'View audit log',           'Read the audit log of admin changes',         'audit',         true),
    ('analytics.view_all',      'View all analytics',       'Statistics of every user and the dashboard',  'analytics',     true),
    ('analytics.export',        'Export analytics',         'Export raw activities',                       'analytics',     true),
    ('files.manage_all',        'Manage all files',         'Read and delete files of every user',         'files',         true),
    ('notifications.send',      'Send notifications',       'Notify listed users or a role',               'notifications', true),
    ('notifications.broadcast', 'Broadcast notifications',  'Notify every user',                           'notifications', true);

INSERT INTO roles (name, description, is_builtin) VALUES
    ('admin',   'Every permission',                             true),
    ('support', 'Helps users: reads accounts, sends notices',   true),
    ('analyst', 'Reads and exports analytics',                  true);

INSERT INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r CROSS JOIN permissions p WHERE r.name = 'admin';

INSERT INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r JOIN permissions p
  ON p.codename IN ('users.view', 'notifications.send', 'audit.view')
WHERE r.name = 'support';

INSERT INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r JOIN permissions p
  ON p.codename IN ('analytics.view_all', 'analytics.export')
WHERE r.name = 'analyst';
