//! The notices a release manager sends the users of the services a release touches: the
//! announcement before (what changes, the downtime per wave in the wave's zone, what users must
//! do), the completion after (the new versions, whom to call), and the rollback notice if the
//! deployment was stopped. Each is an RFC 5322 draft (`X-Unsent: 1`, so a mail program opens
//! it ready to send) with the waves' calendar events as a `text/calendar; method=PUBLISH` part
//! carrying the calendar feed's UIDs and SEQUENCEs. Built with mail-builder; nothing is sent.

use chrono::{DateTime, Utc};
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::date::Date;
use mail_builder::mime::MimePart;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::change::Change;
use crate::error::{Error, FieldError, Result};
use crate::message::{Lang, Message, span, word};
use crate::package::Component;
use crate::plan::{Abort, Schedule};
use crate::release::Release;

text_enum!(
    /// Which notice: before the deployment, after it, or after a rollback.
    NoticeKind {
        Announcement = "announcement",
        Completion = "completion",
        Rollback = "rollback",
    }
);

/// Someone to tell about a service: a name and an e-mail address.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub email: String,
}

impl Contact {
    /// Reads `Name <address>` or a bare address, naming the field when it is neither.
    pub fn parse(text: &str) -> std::result::Result<Contact, FieldError> {
        let text = text.trim();
        let (name, email) = match text.rsplit_once('<') {
            Some((name, rest)) => (name.trim().trim_matches('"'), rest.trim_end_matches('>')),
            None => ("", text),
        };
        let email = email.trim();
        let valid = email.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
        }) && !email
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>');
        if !valid {
            return Err(FieldError::new(
                "contact",
                format!(
                    "'{text}' is not a contact; write it as \"Name <name@example.com>\" or as an address"
                ),
            ));
        }
        Ok(Contact {
            name: if name.is_empty() {
                email.to_string()
            } else {
                name.to_string()
            },
            email: email.to_string(),
        })
    }
}

/// A notice written: the draft's bytes and what the preview shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Notice {
    pub kind: NoticeKind,
    pub subject: String,
    pub to: Vec<Contact>,
    /// The text part, as the reader will see it.
    pub text: String,
    /// How many calendar events travel with it.
    pub events: usize,
    #[serde(skip)]
    #[ts(skip)]
    pub eml: Vec<u8>,
}

/// What a notice tells, gathered by the store.
pub struct NoticeFacts<'a> {
    pub release: &'a Release,
    pub changes: &'a [Change],
    pub components: &'a [Component],
    pub schedule: Option<&'a Schedule>,
    /// The services the release touches (its CIs and those that depend on or run on them).
    pub services: Vec<String>,
    pub contacts: Vec<Contact>,
    /// The calendar part: the release's wave events as the feed numbers them.
    pub calendar: String,
    pub events: usize,
    pub from: Contact,
    pub now: DateTime<Utc>,
}

/// Writes the notice `kind` in `lang`; refuses one the release's state cannot tell.
pub fn write(kind: NoticeKind, lang: Lang, f: &NoticeFacts) -> Result<Notice> {
    let r = f.release;
    let say = |m: Message| m.render(lang);
    let refuse = |m: Message| Err(Error::Validation(vec![FieldError::said("kind", m)]));
    if f.contacts.is_empty() {
        return refuse(Message::new("notice.no_contacts").with("services", f.services.join(", ")));
    }
    let abort = f.schedule.and_then(|s| s.abort.as_ref());
    let mut lines: Vec<String> = Vec::new();
    let subject;
    match kind {
        NoticeKind::Announcement => {
            let Some(schedule) = f
                .schedule
                .filter(|s| s.tasks.iter().any(|t| t.start.is_some()))
            else {
                return refuse(Message::new("notice.no_plan").with("key", &r.key));
            };
            subject = say(Message::new("notice.announcement.subject")
                .with("title", &r.title)
                .with("key", &r.key));
            lines.push(say(Message::new("notice.greeting")));
            lines.push(String::new());
            lines.push(say(Message::new("notice.announcement.intro")
                .with("title", &r.title)
                .with("key", &r.key)));
            lines.push(String::new());
            lines.push(say(Message::new("notice.what_changes")));
            for c in f.changes {
                lines.push(format!("  - {}: {}", c.key, c.title));
            }
            for c in f.components {
                lines.push(format!(
                    "  - {} {} → {}",
                    c.ci,
                    c.from_version.as_deref().unwrap_or("—"),
                    c.to_version.as_deref().unwrap_or("—")
                ));
            }
            lines.push(String::new());
            lines.push(say(Message::new("notice.when")));
            let mut todo = Vec::new();
            for (index, wave) in schedule.waves.iter().enumerate() {
                let tasks: Vec<_> = schedule.tasks.iter().filter(|t| t.wave == index).collect();
                let (Some(start), Some(end)) = (
                    tasks.iter().filter_map(|t| t.start).min(),
                    tasks.iter().filter_map(|t| t.end).max(),
                ) else {
                    continue;
                };
                let down: Vec<_> = tasks.iter().filter(|t| t.downtime).collect();
                let downtime = down
                    .iter()
                    .filter_map(|t| t.start)
                    .min()
                    .zip(down.iter().filter_map(|t| t.end).max());
                lines.push(format!(
                    "  - {}: {}",
                    wave.name,
                    say(Message::new("notice.wave").with("span", span(start, end, &wave.tz)))
                ));
                match downtime {
                    Some((from, to)) => {
                        lines.push(format!(
                            "    {}",
                            say(Message::new("notice.downtime")
                                .with("span", span(from, to, &wave.tz)))
                        ));
                        todo.push(say(Message::new("notice.todo")
                            .with("name", &wave.name)
                            .with("services", f.services.join(", "))
                            .with("span", span(from, to, &wave.tz))));
                    }
                    None => lines.push(format!("    {}", say(Message::new("notice.no_downtime")))),
                }
            }
            lines.push(String::new());
            lines.push(say(Message::new("notice.what_to_do")));
            if todo.is_empty() {
                lines.push(format!("  - {}", say(Message::new("notice.nothing_to_do"))));
            }
            lines.extend(todo.into_iter().map(|t| format!("  - {t}")));
            lines.push(String::new());
            lines.push(say(Message::new("notice.calendar")));
        }
        NoticeKind::Completion => {
            if !matches!(
                r.stage,
                crate::release::Stage::EarlyLifeSupport | crate::release::Stage::Closed
            ) {
                return refuse(
                    Message::new("notice.not_deployed")
                        .with("key", &r.key)
                        .with("stage", word(format!("stage.{}", r.stage))),
                );
            }
            subject = say(Message::new("notice.completion.subject")
                .with("title", &r.title)
                .with("key", &r.key));
            lines.push(say(Message::new("notice.greeting")));
            lines.push(String::new());
            lines.push(say(Message::new("notice.completion.intro")
                .with("title", &r.title)
                .with("key", &r.key)));
            lines.push(String::new());
            lines.push(say(Message::new("notice.new_versions")));
            for c in f.components {
                lines.push(format!(
                    "  - {} {}",
                    c.ci,
                    c.to_version.as_deref().unwrap_or("—")
                ));
            }
        }
        NoticeKind::Rollback => {
            let Some(Abort {
                at, reason, steps, ..
            }) = abort
            else {
                return refuse(Message::new("notice.not_rolled_back").with("key", &r.key));
            };
            let tz = f
                .schedule
                .and_then(|s| s.waves.first())
                .map(|w| w.tz.clone())
                .unwrap_or_else(|| "UTC".into());
            subject = say(Message::new("notice.rollback.subject")
                .with("title", &r.title)
                .with("key", &r.key));
            lines.push(say(Message::new("notice.greeting")));
            lines.push(String::new());
            lines.push(say(Message::new("notice.rollback.intro")
                .with("title", &r.title)
                .with("key", &r.key)
                .with("at", crate::message::time(*at, &tz))
                .with("reason", reason.as_str())));
            lines.push(String::new());
            let done = steps.iter().filter(|s| s.actual_end.is_some()).count();
            if r.stage == crate::release::Stage::RolledBack || done == steps.len() {
                lines.push(say(Message::new("notice.rollback.done")));
                for c in f.components {
                    lines.push(format!(
                        "  - {} {}",
                        c.ci,
                        c.from_version.as_deref().unwrap_or("—")
                    ));
                }
            } else {
                lines.push(say(Message::new("notice.rollback.running")
                    .with("done", done)
                    .with("count", steps.len())));
            }
        }
    }
    lines.push(String::new());
    lines.push(say(Message::new("notice.questions").with(
        "owner",
        r.owner.clone().unwrap_or_else(|| f.from.name.clone()),
    )));
    lines.push(String::new());
    lines.push(f.from.name.clone());
    let text = lines.join("\n") + "\n";

    let to: Vec<Address> = f
        .contacts
        .iter()
        .map(|c| Address::new_address(Some(c.name.clone()), c.email.clone()))
        .collect();
    let boundary = format!("relman-{}-{kind}", r.key);
    let mut parts = vec![MimePart::new(
        ContentType::new("text/plain").attribute("charset", "utf-8"),
        text.clone(),
    )];
    if f.events > 0 && kind != NoticeKind::Completion {
        parts.push(
            MimePart::new(
                ContentType::new("text/calendar")
                    .attribute("method", "PUBLISH")
                    .attribute("charset", "utf-8"),
                f.calendar.clone(),
            )
            .attachment(format!("{}.ics", r.key)),
        );
    }
    let body = MimePart::new(
        ContentType::new("multipart/mixed").attribute("boundary", boundary),
        parts,
    );
    let eml = MessageBuilder::new()
        .from(Address::new_address(
            Some(f.from.name.clone()),
            f.from.email.clone(),
        ))
        .to(Address::new_list(to))
        .subject(subject.clone())
        .date(Date::new(f.now.timestamp()))
        .message_id(format!(
            "{}-{kind}-{}@relman",
            r.key,
            f.now.format("%Y%m%dT%H%M%SZ")
        ))
        .header("X-Unsent", mail_builder::headers::raw::Raw::new("1"))
        .header(
            "Content-Language",
            mail_builder::headers::raw::Raw::new(lang.code()),
        )
        .body(body)
        .write_to_vec()
        .map_err(|e| Error::Internal(format!("writing the notice: {e}")))?;
    Ok(Notice {
        kind,
        subject,
        to: f.contacts.clone(),
        text,
        events: if kind == NoticeKind::Completion {
            0
        } else {
            f.events
        },
        eml,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_are_read_as_people_write_them() {
        let c = Contact::parse(" Anna Berg <anna.berg@example.com> ").unwrap();
        assert_eq!(
            (c.name.as_str(), c.email.as_str()),
            ("Anna Berg", "anna.berg@example.com")
        );
        let bare = Contact::parse("desk@example.com").unwrap();
        assert_eq!(bare.name, "desk@example.com");
        for bad in ["Anna", "anna@", "<@example.com>", "a b@example.com"] {
            assert!(Contact::parse(bad).is_err(), "{bad}");
        }
    }
}
