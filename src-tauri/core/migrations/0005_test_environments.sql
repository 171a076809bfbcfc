-- Test environments (VMs cloned from production), what is installed on them, their
-- snapshots and reverts, bookings by releases, and the test runs with their defects.
-- Installed versions are kept as a history of changes, so the versions at any moment (when a
-- run started) can be told; a run keeps a copy of them that never changes.

CREATE TABLE environments (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    purpose      TEXT    NOT NULL,
    host         TEXT,
    os           TEXT,
    cpus         INTEGER,
    memory_mb    INTEGER,
    disk_mb      INTEGER,
    state        TEXT    NOT NULL CHECK (state IN ('running', 'stopped', 'retired')),
    owner        TEXT,
    capacity     INTEGER NOT NULL CHECK (capacity >= 1),
    clone_of     TEXT,
    clone_kind   TEXT    CHECK (clone_kind IN ('clone', 'p2v')),
    cloned_at    TEXT,
    source_kind  TEXT,
    source_id    TEXT,
    -- libvirt genid / Proxmox vmgenid as last imported: a new one means the VM was reverted.
    source_genid TEXT,
    UNIQUE (source_kind, source_id)
) STRICT;

CREATE TABLE env_versions (
    id         INTEGER PRIMARY KEY,
    env_id     INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    ci         TEXT    NOT NULL,
    version    TEXT,
    at         TEXT    NOT NULL,
    revert_to  TEXT
) STRICT;

CREATE TABLE snapshots (
    id        INTEGER PRIMARY KEY,
    env_id    INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    name      TEXT    NOT NULL,
    at        TEXT    NOT NULL,
    versions  TEXT    NOT NULL,
    note      TEXT    NOT NULL,
    exempt    TEXT,
    UNIQUE (env_id, name)
) STRICT;

CREATE TABLE reverts (
    id        INTEGER PRIMARY KEY,
    env_id    INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    snapshot  TEXT    NOT NULL,
    at        TEXT    NOT NULL
) STRICT;

CREATE TABLE bookings (
    id          INTEGER PRIMARY KEY,
    env_id      INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    release_id  INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    from_at     TEXT    NOT NULL,
    to_at       TEXT    NOT NULL CHECK (to_at > from_at),
    purpose     TEXT    NOT NULL CHECK (purpose IN ('code_change', 'config_change', 'regression')),
    booked_by   TEXT    NOT NULL,
    cancelled   INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE test_runs (
    id           INTEGER PRIMARY KEY,
    release_id   INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    env_id       INTEGER NOT NULL REFERENCES environments (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('functional', 'integration', 'performance', 'acceptance', 'rollback_rehearsal', 'installation')),
    result       TEXT    NOT NULL CHECK (result IN ('passed', 'failed', 'blocked')),
    from_at      TEXT    NOT NULL,
    to_at        TEXT    NOT NULL CHECK (to_at >= from_at),
    notes        TEXT    NOT NULL,
    evidence     TEXT,
    versions     TEXT    NOT NULL,
    rollback     TEXT,
    recorded_by  TEXT    NOT NULL
) STRICT;

CREATE TABLE defects (
    run_id     INTEGER NOT NULL REFERENCES test_runs (id) ON DELETE CASCADE,
    key        TEXT    NOT NULL,
    severity   TEXT    NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    opened_at  TEXT    NOT NULL,
    closed_at  TEXT,
    PRIMARY KEY (run_id, key)
) STRICT;

CREATE INDEX bookings_env ON bookings (env_id);
CREATE INDEX test_runs_release ON test_runs (release_id);
CREATE INDEX env_versions_env ON env_versions (env_id, at);
