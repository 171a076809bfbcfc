-- The calendar feed (ICS): what each exported event looked like, so that its SEQUENCE goes up
-- only when its times change and an export of unchanged data is the same bytes.
CREATE TABLE calendar_feed (
    uid         TEXT    PRIMARY KEY,
    fingerprint TEXT    NOT NULL,
    sequence    INTEGER NOT NULL CHECK (sequence >= 0),
    stamp       TEXT    NOT NULL
) STRICT;
