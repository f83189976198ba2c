-- datastore.encryption.key: one value sealed with the key this database's secrets are encrypted with,
-- written by the first process started with a key. A process started with another key cannot open it
-- and stops at start-up, so one database never holds secrets sealed with two keys, and a process
-- started without a key finds out here that there may be secrets it cannot read.
CREATE TABLE twerk.encryption_key (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  sealed      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
