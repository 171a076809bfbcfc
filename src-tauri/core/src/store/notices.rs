//! The people to tell about each service, and the notices written for them.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use super::audit::{self, Entry};
use super::domain::{load_components, release_id, scope};
use super::sql::{Conn, OptionalExtension, Tx, params};
use super::{Store, live_release, not_found};
use crate::after::{Activity, ActivityState};
use crate::error::{Error, Result};
use crate::ics::{self, Range};
use crate::message::Lang;
use crate::notice::{Contact, Notice, NoticeFacts, NoticeKind};
use crate::people::TeamRole;

impl Store {
    /// The people to tell about a CI, in the order given.
    pub fn ci_contacts(&self, ci: &str) -> Result<Vec<Contact>> {
        load_contacts(&self.conn, ci)
    }

    /// Replaces the people to tell about a CI.
    pub fn set_ci_contacts(
        &mut self,
        ci: &str,
        contacts: &[Contact],
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Contact>> {
        let tx = self.write(TeamRole::Planner)?;
        set_contacts_in(&tx, ci, contacts, actor, now)?;
        let contacts = load_contacts(&tx, ci)?;
        tx.commit()?;
        Ok(contacts)
    }

    /// What the notice would say, written nowhere and recorded nowhere.
    pub fn preview_notice(
        &self,
        key: &str,
        kind: NoticeKind,
        lang: Lang,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Notice> {
        let tx = self.conn.begin_snapshot()?;
        let notice = notice_in(&tx, key, kind, lang, actor, now, false)?;
        tx.commit()?;
        Ok(notice)
    }

    /// Writes the notice: the calendar feed remembers the revisions it carries, and writing
    /// the announcement marks the accompanying activity "notification" done, by `actor` now.
    pub fn write_notice(
        &mut self,
        key: &str,
        kind: NoticeKind,
        lang: Lang,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Notice> {
        let tx = self.write(TeamRole::ReleaseManager)?;
        let notice = notice_in(&tx, key, kind, lang, actor, now, true)?;
        let release = live_release(&tx, key)?.ok_or_else(|| not_found(key))?;
        if kind == NoticeKind::Announcement && release.stage != crate::release::Stage::Closed {
            let names: Vec<&str> = notice.to.iter().map(|c| c.email.as_str()).collect();
            super::after::record_activity(
                &tx,
                release_id(&tx, key)?,
                key,
                Activity::Notification,
                ActivityState::Done,
                &format!("announcement written for {}", names.join(", ")),
                actor,
                now,
            )?;
        } else {
            let entry = Entry::new("release", key, "notice").after(format!(
                "{kind} written for {} recipient(s)",
                notice.to.len()
            ));
            audit::append(&tx, actor, now, vec![entry])?;
        }
        tx.commit()?;
        Ok(notice)
    }
}

#[allow(clippy::too_many_arguments)]
fn notice_in(
    tx: &Tx<'_>,
    key: &str,
    kind: NoticeKind,
    lang: Lang,
    actor: &str,
    now: DateTime<Utc>,
    remember: bool,
) -> Result<Notice> {
    let release = live_release(tx, key)?.ok_or_else(|| not_found(key))?;
    let id = release_id(tx, key)?;
    let changes = scope(tx, id)?;
    let components = load_components(tx, id)?;
    let schedule = match super::planning::schedule_in(tx, key) {
        Ok(schedule) => Some(schedule),
        Err(Error::NotFound { .. }) => None,
        Err(other) => return Err(other),
    };
    let mut touched: BTreeSet<String> = components.iter().map(|c| c.ci.clone()).collect();
    touched.extend(changes.iter().flat_map(|c| c.cis.iter().cloned()));
    // The services users know: what the release changes and what runs on or needs it.
    let cis = super::domain::all_cis(tx)?;
    let mut services = touched.clone();
    for ci in &cis {
        if ci
            .depends_on
            .iter()
            .chain(&ci.runs_on)
            .any(|other| touched.contains(other))
        {
            services.insert(ci.name.clone());
        }
    }
    let mut contacts: Vec<Contact> = Vec::new();
    for service in &services {
        for contact in load_contacts(tx, service)? {
            if !contacts.iter().any(|c| c.email == contact.email) {
                contacts.push(contact);
            }
        }
    }
    let (calendar, events) = match &schedule {
        Some(s) if s.finish.is_some() => {
            let range = Range {
                from: s.starts_at.date_naive() - Duration::days(1),
                to: s.finish.unwrap_or(s.starts_at).date_naive() + Duration::days(1),
            };
            let events = ics::events(
                std::slice::from_ref(&release),
                std::slice::from_ref(s),
                &[],
                &[],
                &range,
            );
            let numbered = super::calendar_feed::number(tx, events, now, remember)?;
            (ics::write(&numbered, &range), numbered.len())
        }
        _ => (String::new(), 0),
    };
    let from = Contact {
        name: actor.to_string(),
        email: "relman@localhost".into(),
    };
    crate::notice::write(
        kind,
        lang,
        &NoticeFacts {
            release: &release,
            changes: &changes,
            components: &components,
            schedule: schedule.as_ref(),
            services: services.into_iter().collect(),
            contacts,
            calendar,
            events,
            from,
            now,
        },
    )
}

pub(super) fn load_contacts(conn: &Conn, ci: &str) -> Result<Vec<Contact>> {
    let mut stmt = conn.prepare(
        "SELECT k.name, k.email FROM ci_contacts k JOIN cis c ON c.id = k.ci_id
         WHERE c.name = ?1 ORDER BY k.position",
    )?;
    let rows = stmt.query_map([ci], |r| {
        Ok(Contact {
            name: r.get(0)?,
            email: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn set_contacts_in(
    tx: &Tx<'_>,
    ci: &str,
    contacts: &[Contact],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut checked = Vec::new();
    let mut errors = Vec::new();
    for c in contacts {
        match Contact::parse(&format!("{} <{}>", c.name, c.email)) {
            Ok(c) if !checked.iter().any(|k: &Contact| k.email == c.email) => checked.push(c),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let ci_id: i64 = tx
        .query_row("SELECT id FROM cis WHERE name = ?1", [ci], |r| r.get(0))
        .optional()?
        .ok_or_else(|| not_found_ci(ci))?;
    let before: Vec<String> = load_contacts(tx, ci)?
        .iter()
        .map(|c| format!("{} <{}>", c.name, c.email))
        .collect();
    tx.execute("DELETE FROM ci_contacts WHERE ci_id = ?1", [ci_id])?;
    for (position, c) in checked.iter().enumerate() {
        tx.execute(
            "INSERT INTO ci_contacts (ci_id, position, name, email) VALUES (?1, ?2, ?3, ?4)",
            params![ci_id, position as i64, c.name, c.email],
        )?;
    }
    let after: Vec<String> = checked
        .iter()
        .map(|c| format!("{} <{}>", c.name, c.email))
        .collect();
    let entry = Entry::new("ci", ci, "update").field(
        "contacts",
        Some(before.join(", ")),
        Some(after.join(", ")),
    );
    audit::append(tx, actor, now, vec![entry])
}

fn not_found_ci(ci: &str) -> Error {
    Error::NotFound {
        what: "CI",
        key: ci.to_string(),
    }
}
