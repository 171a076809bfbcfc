-- Releases: the first slice of the domain. Deleted releases are kept (deleted_at set) so
-- that a delete can be undone; the unique key applies to live releases only.
CREATE TABLE releases (
    id            INTEGER PRIMARY KEY,
    key           TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    release_type  TEXT    NOT NULL CHECK (release_type IN ('major', 'minor', 'emergency')),
    stage         TEXT    NOT NULL DEFAULT 'planning' CHECK (stage IN (
                      'planning', 'build', 'test', 'awaiting_authorization', 'authorized',
                      'deploying', 'early_life_support', 'closed', 'rolled_back', 'cancelled')),
    owner         TEXT,
    risk          TEXT    CHECK (risk IN ('low', 'medium', 'high')),
    planned_start TEXT    NOT NULL,
    planned_end   TEXT    NOT NULL,
    demo          INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT    NOT NULL,
    created_by    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    updated_by    TEXT    NOT NULL,
    deleted_at    TEXT,
    deleted_by    TEXT,
    CHECK (planned_end >= planned_start)
) STRICT;

CREATE UNIQUE INDEX releases_live_key ON releases (key) WHERE deleted_at IS NULL;
CREATE INDEX releases_stage ON releases (stage) WHERE deleted_at IS NULL;
