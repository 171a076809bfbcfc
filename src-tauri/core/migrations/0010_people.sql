-- People on a team database: the display name each login chose for itself. Their roles are the
-- server's (group roles relman_*), so a file keeps none here: its one person is the profile.
CREATE TABLE people (
    login  TEXT NOT NULL PRIMARY KEY,
    name   TEXT NOT NULL
) STRICT;
