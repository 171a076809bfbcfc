-- The domain core: a small CMDB, changes (RFCs), release scope and package, CAB approvals,
-- the local profile, and the append-only audit history.

CREATE TABLE cis (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL CHECK (kind IN ('service', 'application', 'server', 'component')),
    owner         TEXT,
    prod_version  TEXT,
    created_at    TEXT    NOT NULL,
    created_by    TEXT    NOT NULL
) STRICT;

CREATE TABLE ci_relations (
    from_ci  INTEGER NOT NULL REFERENCES cis (id) ON DELETE CASCADE,
    to_ci    INTEGER NOT NULL REFERENCES cis (id) ON DELETE CASCADE,
    kind     TEXT    NOT NULL CHECK (kind IN ('runs_on', 'depends_on')),
    PRIMARY KEY (from_ci, to_ci, kind)
) STRICT;

CREATE TABLE changes (
    id                INTEGER PRIMARY KEY,
    key               TEXT    NOT NULL UNIQUE,
    title             TEXT    NOT NULL,
    description       TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL CHECK (status IN ('draft', 'assessed', 'authorized', 'rejected', 'implemented')),
    risk              TEXT    CHECK (risk IN ('low', 'medium', 'high')),
    kind              TEXT    CHECK (kind IN ('maintenance', 'inspection', 'repair', 'improvement')),
    incident_refs     TEXT    NOT NULL DEFAULT '[]',
    problem_refs      TEXT    NOT NULL DEFAULT '[]',
    cab_decision_date TEXT,
    created_at        TEXT    NOT NULL,
    created_by        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    updated_by        TEXT    NOT NULL
) STRICT;

CREATE TABLE change_cis (
    change_id  INTEGER NOT NULL REFERENCES changes (id) ON DELETE CASCADE,
    ci_id      INTEGER NOT NULL REFERENCES cis (id),
    PRIMARY KEY (change_id, ci_id)
) STRICT;

ALTER TABLE releases ADD COLUMN requester TEXT;
ALTER TABLE releases ADD COLUMN dev_docs TEXT;
ALTER TABLE releases ADD COLUMN ops_docs TEXT;
ALTER TABLE releases ADD COLUMN needs_revision INTEGER NOT NULL DEFAULT 0 CHECK (needs_revision IN (0, 1));

CREATE TABLE release_changes (
    release_id  INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    change_id   INTEGER NOT NULL REFERENCES changes (id),
    PRIMARY KEY (release_id, change_id)
) STRICT;

CREATE TABLE components (
    id            INTEGER PRIMARY KEY,
    release_id    INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    ci_id         INTEGER NOT NULL REFERENCES cis (id),
    from_version  TEXT,
    to_version    TEXT,
    UNIQUE (release_id, ci_id)
) STRICT;

-- "component needs OTHER >= 2.1": requirement is a semver requirement string.
CREATE TABLE component_requirements (
    component_id  INTEGER NOT NULL REFERENCES components (id) ON DELETE CASCADE,
    ci_id         INTEGER NOT NULL REFERENCES cis (id),
    requirement   TEXT    NOT NULL,
    PRIMARY KEY (component_id, ci_id)
) STRICT;

CREATE TABLE approvals (
    id            INTEGER PRIMARY KEY,
    release_id    INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    approver      TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('release_manager', 'cab_member', 'implementer')),
    decision      TEXT    NOT NULL CHECK (decision IN ('approve', 'reject', 'defer')),
    comment       TEXT    NOT NULL DEFAULT '',
    at            TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL
) STRICT;

CREATE TABLE profile (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    name   TEXT NOT NULL,
    roles  TEXT NOT NULL DEFAULT '[]'
) STRICT;

-- Append-only: every write of a release, change, CI or approval adds records here in the same
-- transaction. Each record carries the hash of the one before, so an edit or a removal breaks
-- the chain; audit_head holds the count and last hash, so removing the newest is caught too.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    entity      TEXT    NOT NULL,
    entity_key  TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    field       TEXT,
    before      TEXT,
    after       TEXT,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_by_entity ON audit_log (entity, entity_key);

CREATE TABLE audit_head (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    count  INTEGER NOT NULL,
    hash   TEXT    NOT NULL
) STRICT;

INSERT INTO audit_head (id, count, hash) VALUES (1, 0, '');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit history is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit history is append-only');
END;
