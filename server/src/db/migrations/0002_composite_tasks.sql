-- Composite tasks (parallel, each): a parent counts its children and their completions, and children
-- are ordered among their siblings (each items are released in list order).
ALTER TABLE twerk.tasks ADD COLUMN child_count integer;
ALTER TABLE twerk.tasks ADD COLUMN completions integer NOT NULL DEFAULT 0;
ALTER TABLE twerk.tasks ADD COLUMN sequence integer NOT NULL DEFAULT 0;
CREATE INDEX tasks_parent ON twerk.tasks (parent_id, state, sequence) WHERE parent_id IS NOT NULL;
-- An each child waiting for its turn keeps its loop bindings until it is started.
ALTER TABLE twerk.tasks ADD COLUMN bindings jsonb;
