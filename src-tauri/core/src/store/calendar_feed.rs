//! The calendar feed: numbering each exported event's revision (SEQUENCE, DTSTAMP).

use super::sql::{OptionalExtension, Tx, params};
use chrono::{DateTime, Utc};

use super::{Store, planning};
use crate::error::Result;
use crate::ics::{self, Range, Revision};
use crate::people::TeamRole;

impl Store {
    /// The release calendar as an `.ics` file. An event's SEQUENCE goes up, and its DTSTAMP
    /// becomes `now`, only when its times change, so exporting unchanged data twice gives the
    /// same bytes and calendars update an event instead of duplicating it.
    pub fn calendar_export(&mut self, range: &Range, now: DateTime<Utc>) -> Result<String> {
        range.validate()?;
        let releases = self.list_releases(&Default::default())?;
        // A read-only database still exports; its revisions are numbered but not remembered.
        let read_only = self.read_only;
        let tx = if read_only {
            self.conn.begin_snapshot()?
        } else {
            self.write(TeamRole::Viewer)?
        };
        let schedules = planning::every_schedule(&tx)?;
        let windows = planning::load_windows(&tx)?;
        let freezes = planning::load_freezes(&tx)?;
        let events = ics::events(&releases, &schedules, &windows, &freezes, range);
        let numbered = number(&tx, events, now, !read_only)?;
        tx.commit()?;
        Ok(ics::write(&numbered, range))
    }
}

/// Gives each event the revision calendars last saw, a new one where its times changed; with
/// `remember`, the feed keeps the new revisions.
pub(super) fn number(
    tx: &Tx<'_>,
    events: Vec<ics::FeedEvent>,
    now: DateTime<Utc>,
    remember: bool,
) -> Result<Vec<(ics::FeedEvent, Revision)>> {
    let mut numbered = Vec::with_capacity(events.len());
    for event in events {
        let seen: Option<(String, u32, DateTime<Utc>)> = tx
            .query_row(
                "SELECT fingerprint, sequence, stamp FROM calendar_feed WHERE uid = ?1",
                [&event.uid],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let revision = match seen {
            Some((fingerprint, sequence, stamp)) if fingerprint == event.fingerprint => {
                Revision { sequence, stamp }
            }
            Some((_, sequence, _)) => Revision {
                sequence: sequence + 1,
                stamp: now,
            },
            None => Revision {
                sequence: 0,
                stamp: now,
            },
        };
        if remember {
            tx.execute(
                "INSERT INTO calendar_feed (uid, fingerprint, sequence, stamp)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (uid) DO UPDATE SET fingerprint = excluded.fingerprint,
                     sequence = excluded.sequence, stamp = excluded.stamp",
                params![
                    event.uid,
                    event.fingerprint,
                    revision.sequence,
                    revision.stamp
                ],
            )?;
        }
        numbered.push((event, revision));
    }
    Ok(numbered)
}
