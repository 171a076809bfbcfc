-- ITIL release package types (full, delta, package) with a delta's base release and a
-- package's member releases; the definitive media (DML) each component's target version comes
-- from; release units (CI groups a full release deploys whole); and the people to tell about
-- each service, for the notices.
-- A release without a package type has its type's default (major: full; otherwise delta).

ALTER TABLE releases ADD COLUMN package_type TEXT CHECK (package_type IN ('full', 'delta', 'package'));
-- Deferred: a copy of a database writes the releases in their order, a base may come later.
ALTER TABLE releases ADD COLUMN base_id INTEGER
    REFERENCES releases (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE release_members (
    package_id  INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    PRIMARY KEY (package_id, member_id),
    CHECK (package_id <> member_id)
) STRICT;

-- Kept by release and CI, not by component row: editing a component replaces its row.
CREATE TABLE component_media (
    release_id  INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    ci_id       INTEGER NOT NULL REFERENCES cis (id) ON DELETE CASCADE,
    location    TEXT    NOT NULL CHECK (length(location) > 0),
    sha256      TEXT    NOT NULL CHECK (length(sha256) = 64),
    PRIMARY KEY (release_id, ci_id)
) STRICT;

CREATE TABLE release_units (
    id    INTEGER PRIMARY KEY,
    name  TEXT    NOT NULL UNIQUE
) STRICT;

CREATE TABLE release_unit_cis (
    unit_id  INTEGER NOT NULL REFERENCES release_units (id) ON DELETE CASCADE,
    ci_id    INTEGER NOT NULL REFERENCES cis (id) ON DELETE CASCADE,
    PRIMARY KEY (unit_id, ci_id)
) STRICT;

CREATE TABLE ci_contacts (
    ci_id     INTEGER NOT NULL REFERENCES cis (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    name      TEXT    NOT NULL,
    email     TEXT    NOT NULL CHECK (email LIKE '%_@_%'),
    PRIMARY KEY (ci_id, email)
) STRICT;
