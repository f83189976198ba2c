-- Users, roles and API keys. Passwords are stored as scrypt hashes and API keys as SHA-256 digests of
-- their secret (a key is 190 random bits, so a fast digest is enough); neither is ever returned.
CREATE TABLE twerk.users (
  id             text PRIMARY KEY,
  username       text NOT NULL UNIQUE,
  name           text,
  password_hash  text NOT NULL,
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE twerk.roles (
  id          text PRIMARY KEY,
  slug        text NOT NULL UNIQUE,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE twerk.user_roles (
  user_id  text NOT NULL REFERENCES twerk.users (id) ON DELETE CASCADE,
  role_id  text NOT NULL REFERENCES twerk.roles (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, role_id)
);

CREATE TABLE twerk.api_keys (
  id            text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES twerk.users (id) ON DELETE CASCADE,
  name          text NOT NULL,
  digest        text NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  expires_at    timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX api_keys_user ON twerk.api_keys (user_id);
