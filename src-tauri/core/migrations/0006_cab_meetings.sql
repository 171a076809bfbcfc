-- CAB meetings: who was present, when it started and ended, and which decisions were taken
-- in it (for the minutes). A decision recorded outside a meeting has no meeting.

CREATE TABLE cab_meetings (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT    NOT NULL,
    started_by  TEXT    NOT NULL,
    ended_at    TEXT
) STRICT;

CREATE TABLE cab_meeting_members (
    meeting_id  INTEGER NOT NULL REFERENCES cab_meetings (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    PRIMARY KEY (meeting_id, name)
) STRICT;

ALTER TABLE approvals ADD COLUMN meeting_id INTEGER REFERENCES cab_meetings (id);
