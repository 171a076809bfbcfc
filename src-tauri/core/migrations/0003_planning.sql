-- Deployment planning: maintenance windows, freezes, business hours of services,
-- deployment models and each release's plan, plus app settings.
-- Models and plans are stored as one JSON document each: they are read and written whole
-- (the scheduler needs every task), and the core validates them before every write.

CREATE TABLE windows (
    id       INTEGER PRIMARY KEY,
    name     TEXT    NOT NULL UNIQUE,
    rule     TEXT    NOT NULL,
    at       TEXT    NOT NULL,
    minutes  INTEGER NOT NULL CHECK (minutes > 0),
    tz       TEXT    NOT NULL
) STRICT;

CREATE TABLE freezes (
    id       INTEGER PRIMARY KEY,
    name     TEXT    NOT NULL UNIQUE,
    from_at  TEXT    NOT NULL,
    to_at    TEXT    NOT NULL CHECK (to_at > from_at),
    service  TEXT    REFERENCES cis (name),
    rule     TEXT
) STRICT;

CREATE TABLE service_hours (
    ci_id   INTEGER PRIMARY KEY REFERENCES cis (id) ON DELETE CASCADE,
    days    TEXT    NOT NULL,
    opens   TEXT    NOT NULL,
    closes  TEXT    NOT NULL,
    tz      TEXT    NOT NULL,
    users   INTEGER NOT NULL CHECK (users >= 0)
) STRICT;

CREATE TABLE models (
    id    INTEGER PRIMARY KEY,
    name  TEXT    NOT NULL UNIQUE,
    body  TEXT    NOT NULL
) STRICT;

CREATE TABLE plans (
    release_id   INTEGER PRIMARY KEY REFERENCES releases (id) ON DELETE CASCADE,
    body         TEXT    NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    baseline_at  TEXT
) STRICT;

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;
