//! CAB meetings: the members present, the agenda, decisions taken in the room, the minutes.

use super::sql::{Conn, OptionalExtension, params};
use chrono::{DateTime, Utc};

use super::audit::{self, Entry};
use super::domain::{Decider, current_content, record_decision, release_id};
use super::{ReleaseFilter, Store, live_release, not_found};
use crate::approval::{Approval, Decision, Role};
use crate::cab::{
    CabRelease, Meeting, MeetingDecision, Minute, Minutes, check_members, deploys_soon,
};
use crate::error::{Error, FieldError, Result};
use crate::people::TeamRole;
use crate::release::Stage;

impl Store {
    /// Opens a meeting with the members present. The audit records who opened it and who came.
    pub fn start_meeting(
        &mut self,
        members: &[String],
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Meeting> {
        let members = check_members(members)?;
        let tx = self.write(TeamRole::CabChair)?;
        let id: i64 = tx.query_row(
            "INSERT INTO cab_meetings (started_at, started_by) VALUES (?1, ?2) RETURNING id",
            params![now, actor],
            |r| r.get(0),
        )?;
        insert_members(&tx, id, &members)?;
        let entry = Entry::new("cab_meeting", &id.to_string(), "start").field(
            "members",
            None,
            Some(members.join(", ")),
        );
        audit::append(&tx, actor, now, vec![entry])?;
        let meeting = load_meeting(&tx, id)?.ok_or_else(|| meeting_not_found(id))?;
        tx.commit()?;
        Ok(meeting)
    }

    /// Closes the meeting and returns its minutes. Closing twice is refused.
    pub fn end_meeting(&mut self, id: i64, actor: &str, now: DateTime<Utc>) -> Result<Minutes> {
        let tx = self.write(TeamRole::CabChair)?;
        let meeting = open_meeting(&tx, id)?;
        tx.execute(
            "UPDATE cab_meetings SET ended_at = ?1 WHERE id = ?2",
            params![now, meeting.id],
        )?;
        let entry = Entry::new("cab_meeting", &id.to_string(), "end").field(
            "ended_at",
            None,
            Some(now.to_rfc3339()),
        );
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        self.minutes(id)
    }

    /// The members of the last meeting, offered when the next one starts.
    pub fn last_members(&self) -> Result<Vec<String>> {
        let last: Option<i64> =
            self.conn
                .query_row("SELECT MAX(id) FROM cab_meetings", (), |r| r.get(0))?;
        Ok(match last {
            Some(id) => load_members(&self.conn, id)?,
            None => Vec::new(),
        })
    }

    /// The meeting not yet ended, if one is running (the latest, should there be several).
    pub fn running_meeting(&self) -> Result<Option<Meeting>> {
        let id: Option<i64> = self.conn.query_row(
            "SELECT MAX(id) FROM cab_meetings WHERE ended_at IS NULL",
            (),
            |r| r.get(0),
        )?;
        id.map(|id| self.meeting(id)).transpose()
    }

    pub fn meeting(&self, id: i64) -> Result<Meeting> {
        load_meeting(&self.conn, id)?.ok_or_else(|| meeting_not_found(id))
    }

    /// The releases awaiting authorization, earliest deployment first; with `information`,
    /// also those authorized that deploy in the coming week, after them.
    pub fn cab_agenda(&self, information: bool, now: DateTime<Utc>) -> Result<Vec<CabRelease>> {
        let mut agenda: Vec<CabRelease> = self.cab_facts(now)?.iter().map(CabRelease::of).collect();
        if information {
            let filter = ReleaseFilter {
                stage: Some(Stage::Authorized),
            };
            let mut soon = Vec::new();
            for r in self.list_releases(&filter)? {
                let facts = self.release_facts(&r.key, now)?;
                if deploys_soon(&facts, now) {
                    soon.push(CabRelease::of(&facts));
                }
            }
            soon.sort_by_key(|c| (c.start, c.release.key.clone()));
            agenda.extend(soon);
        }
        Ok(agenda)
    }

    /// Records a decision taken in the room: by a member present who did not request the
    /// release, over the content that was on screen. Typed by `actor`, decided by the member.
    pub fn decide_in_meeting(
        &mut self,
        d: &MeetingDecision,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Approval> {
        let tx = self.write(TeamRole::CabChair)?;
        let meeting = open_meeting(&tx, d.meeting)?;
        if !meeting.members.iter().any(|m| m == &d.decider) {
            return Err(Error::Validation(vec![FieldError::new(
                "decider",
                format!(
                    "'{}' is not among the members present ({})",
                    d.decider,
                    meeting.members.join(", ")
                ),
            )]));
        }
        let release = live_release(&tx, &d.release)?.ok_or_else(|| not_found(&d.release))?;
        let id = release_id(&tx, &d.release)?;
        if current_content(&tx, &release, id)?.hash() != d.content_hash {
            return Err(Error::Conflict {
                field: None,
                message: format!(
                    "{} has changed since it was put on screen; show it again before deciding",
                    d.release
                ),
            });
        }
        let approval = record_decision(
            &tx,
            &Decider {
                key: &d.release,
                decision: d.decision,
                role: Role::CabMember,
                comment: &d.comment,
                approver: &d.decider,
            },
            Some(meeting.id),
            actor,
            now,
        )?;
        tx.commit()?;
        Ok(approval)
    }

    /// The decisions taken in meeting `id`, in the order taken.
    pub fn minutes(&self, id: i64) -> Result<Minutes> {
        let meeting = self.meeting(id)?;
        let mut stmt = self.conn.prepare(
            "SELECT r.key, r.title, a.approver, a.role, a.decision, a.comment, a.at, a.content_hash
             FROM approvals a JOIN releases r ON r.id = a.release_id
             WHERE a.meeting_id = ?1 ORDER BY a.id",
        )?;
        let decisions = stmt
            .query_map([id], |r| {
                let decision: Decision = r.get(4)?;
                Ok(Minute {
                    key: r.get(0)?,
                    title: r.get(1)?,
                    approval: Approval {
                        approver: r.get(2)?,
                        role: r.get(3)?,
                        decision,
                        meaning: decision.meaning().to_string(),
                        comment: r.get(5)?,
                        at: r.get(6)?,
                        content_hash: r.get(7)?,
                        changed_since: Vec::new(),
                        content: None,
                    },
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Minutes { meeting, decisions })
    }
}

fn meeting_not_found(id: i64) -> Error {
    Error::NotFound {
        what: "CAB meeting",
        key: id.to_string(),
    }
}

fn open_meeting(conn: &Conn, id: i64) -> Result<Meeting> {
    let meeting = load_meeting(conn, id)?.ok_or_else(|| meeting_not_found(id))?;
    if meeting.ended_at.is_some() {
        return Err(Error::Conflict {
            field: None,
            message: format!("CAB meeting {id} has ended; start a new one to record decisions"),
        });
    }
    Ok(meeting)
}

fn load_meeting(conn: &Conn, id: i64) -> Result<Option<Meeting>> {
    let row = conn
        .query_row(
            "SELECT id, started_at, started_by, ended_at FROM cab_meetings WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((id, started_at, started_by, ended_at)) = row else {
        return Ok(None);
    };
    Ok(Some(Meeting {
        id,
        started_at,
        started_by,
        ended_at,
        members: load_members(conn, id)?,
    }))
}

fn load_members(conn: &Conn, id: i64) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT name FROM cab_meeting_members WHERE meeting_id = ?1 ORDER BY position")?;
    let names = stmt.query_map([id], |r| r.get(0))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

/// Every meeting, oldest first, for the exchange format.
pub(super) fn export_meetings(conn: &Conn) -> Result<Vec<crate::transfer::MeetingRecord>> {
    let mut stmt = conn.prepare("SELECT id FROM cab_meetings ORDER BY started_at, id")?;
    let ids: Vec<i64> = stmt
        .query_map((), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut meetings = Vec::new();
    for id in ids {
        let m = load_meeting(conn, id)?.ok_or_else(|| meeting_not_found(id))?;
        meetings.push(crate::transfer::MeetingRecord {
            started_at: m.started_at,
            started_by: m.started_by,
            ended_at: m.ended_at,
            members: m.members,
        });
    }
    Ok(meetings)
}

/// Adds an imported meeting, or finds the one that started at the same moment; its id.
pub(super) fn import_meeting(
    tx: &super::sql::Tx<'_>,
    meeting: &crate::transfer::MeetingRecord,
) -> Result<i64> {
    let members = check_members(&meeting.members)?;
    if let Some(id) = tx
        .query_row(
            "SELECT id FROM cab_meetings WHERE started_at = ?1",
            [meeting.started_at],
            |r| r.get(0),
        )
        .optional()?
    {
        return Ok(id);
    }
    let id: i64 = tx.query_row(
        "INSERT INTO cab_meetings (started_at, started_by, ended_at) VALUES (?1, ?2, ?3) RETURNING id",
        params![meeting.started_at, meeting.started_by, meeting.ended_at],
        |r| r.get(0),
    )?;
    insert_members(tx, id, &members)?;
    Ok(id)
}

fn insert_members(tx: &super::sql::Tx<'_>, meeting: i64, members: &[String]) -> Result<()> {
    for (position, name) in members.iter().enumerate() {
        tx.execute(
            "INSERT INTO cab_meeting_members (meeting_id, position, name) VALUES (?1, ?2, ?3)",
            params![meeting, position as i64, name],
        )?;
    }
    Ok(())
}
