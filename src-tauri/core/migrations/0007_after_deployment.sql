-- After the deployment: incidents caused by a release during early life support, the
-- accompanying activities (done or not needed), direct costs, and the closure review.

CREATE TABLE incidents (
    id           INTEGER PRIMARY KEY,
    release_id   INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    key          TEXT    NOT NULL,
    severity     INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),
    opened_at    TEXT    NOT NULL,
    resolved_at  TEXT,
    ci           TEXT,
    note         TEXT    NOT NULL DEFAULT '',
    UNIQUE (release_id, key)
) STRICT;

CREATE TABLE release_activities (
    release_id  INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    activity    TEXT    NOT NULL CHECK (activity IN ('cmdb', 'catalogue', 'monitoring', 'contracts',
                                                     'docs', 'training_users', 'training_ops',
                                                     'notification')),
    state       TEXT    NOT NULL CHECK (state IN ('done', 'not_needed')),
    note        TEXT    NOT NULL DEFAULT '',
    at          TEXT    NOT NULL,
    by_whom     TEXT    NOT NULL,
    PRIMARY KEY (release_id, activity)
) STRICT;

CREATE TABLE release_costs (
    id          INTEGER PRIMARY KEY,
    release_id  INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    -- In the currency's minor unit (cents), so sums are exact.
    amount      INTEGER NOT NULL,
    currency    TEXT    NOT NULL CHECK (length(currency) = 3),
    stage       TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    at          TEXT    NOT NULL,
    by_whom     TEXT    NOT NULL
) STRICT;

CREATE TABLE release_reviews (
    release_id    INTEGER PRIMARY KEY REFERENCES releases (id) ON DELETE CASCADE,
    satisfaction  INTEGER NOT NULL CHECK (satisfaction BETWEEN 1 AND 5),
    comment       TEXT    NOT NULL DEFAULT '',
    lessons       TEXT    NOT NULL DEFAULT '',
    at            TEXT    NOT NULL,
    by_whom       TEXT    NOT NULL
) STRICT;
