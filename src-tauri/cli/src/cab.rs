//! The CAB meeting from a terminal, for a chair without the projector: `cab agenda`, `cab start`,
//! `cab decide`, `cab end`. The same store calls as CAB mode in the window.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Subcommand;
use relman_core::approval::Decision;
use relman_core::cab::MeetingDecision;
use relman_core::report::{self, DocumentOptions, Made, Paper};
use relman_core::{Error, Store};
use serde_json::json;

use crate::{Output, local, parse_enum};

#[derive(Subcommand)]
pub enum CabCommand {
    /// The releases awaiting authorization, earliest deployment first, with their content hash
    Agenda {
        /// Also the authorized releases that deploy in the coming week
        #[arg(long)]
        information: bool,
    },
    /// Open a meeting with the members present
    Start {
        /// A CAB member present (repeatable)
        #[arg(long = "member", value_name = "NAME", required = true)]
        members: Vec<String>,
    },
    /// Record a member's decision on a release in the running meeting
    Decide {
        key: String,
        /// The member deciding (present at the meeting, and not the release's requester)
        #[arg(long)]
        member: String,
        #[arg(long, value_parser = parse_enum::<Decision>)]
        decision: Decision,
        #[arg(long, default_value = "")]
        comment: String,
        /// The content hash `cab agenda` showed; a release edited since is refused
        /// [default: the release as it is now]
        #[arg(long)]
        hash: Option<String>,
    },
    /// End the running meeting; --minutes writes its minutes as PDF
    End {
        #[arg(long, value_name = "FILE.pdf")]
        minutes: Option<PathBuf>,
        #[arg(long, default_value = "a4", value_parser = parse_enum::<Paper>)]
        paper: Paper,
    },
}

fn no_meeting() -> Error {
    Error::Conflict {
        field: None,
        message: "no CAB meeting is running; start one with `relman-cli cab start --member …`"
            .into(),
    }
}

pub fn cab(
    store: &mut Store,
    command: CabCommand,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    match command {
        CabCommand::Agenda { information } => {
            let agenda = store.cab_agenda(information, now)?;
            let json: Vec<_> = agenda
                .iter()
                .map(|r| {
                    json!({
                        "key": r.release.key,
                        "title": r.release.title,
                        "stage": r.release.stage,
                        "requester": r.requester,
                        "for_information": r.for_information,
                        "start": r.start,
                        "end": r.end,
                        "blocking": r.blocking.iter().map(|b| &b.code).collect::<Vec<_>>(),
                        "content_hash": r.content_hash,
                    })
                })
                .collect();
            let mut text = if agenda.is_empty() {
                "Nothing awaits the CAB.\n".to_string()
            } else {
                String::new()
            };
            for r in &agenda {
                text.push_str(&format!(
                    "{:<14} {:<32} {}{}  requested by {}  hash {}\n",
                    r.release.key,
                    r.release.title,
                    r.start.map(local).unwrap_or_else(|| "no plan".into()),
                    if r.for_information {
                        "  (for information)"
                    } else {
                        ""
                    },
                    r.requester,
                    r.content_hash
                ));
                for b in &r.blocking {
                    text.push_str(&format!("    {} {}\n", b.code, crate::say(&b.message)));
                }
            }
            Ok(Output::new(json!(json), text))
        }
        CabCommand::Start { members } => {
            if let Some(open) = store.running_meeting()? {
                return Err(Error::Conflict {
                    field: None,
                    message: format!(
                        "CAB meeting {} started {} is still running; end it with `relman-cli cab end`",
                        open.id,
                        local(open.started_at)
                    ),
                });
            }
            let meeting = store.start_meeting(&members, actor, now)?;
            let text = format!(
                "CAB meeting {} started {} with {}\n",
                meeting.id,
                local(meeting.started_at),
                meeting.members.join(", ")
            );
            Ok(Output::new(meeting, text))
        }
        CabCommand::Decide {
            key,
            member,
            decision,
            comment,
            hash,
        } => {
            let meeting = store.running_meeting()?.ok_or_else(no_meeting)?;
            let content_hash = match hash {
                Some(hash) => hash,
                None => store
                    .cab_agenda(false, now)?
                    .into_iter()
                    .find(|r| r.release.key == key)
                    .map(|r| r.content_hash)
                    .ok_or_else(|| Error::Validation(vec![relman_core::FieldError::new(
                        "key",
                        format!("{key} is not on the agenda: only releases awaiting authorization are decided"),
                    )]))?,
            };
            let approval = store.decide_in_meeting(
                &MeetingDecision {
                    meeting: meeting.id,
                    release: key.clone(),
                    decision,
                    comment,
                    decider: member.clone(),
                    content_hash,
                },
                actor,
                now,
            )?;
            let text = format!(
                "{key}: {} by {member} ({}), recorded by {actor} in meeting {}\n",
                approval.decision, approval.meaning, meeting.id
            );
            Ok(Output::new(approval, text))
        }
        CabCommand::End { minutes, paper, .. } => {
            let meeting = store.running_meeting()?.ok_or_else(no_meeting)?;
            let ended = store.end_meeting(meeting.id, actor, now)?;
            let mut text = format!(
                "CAB meeting {} ended: {} decision(s)\n",
                meeting.id,
                ended.decisions.len()
            );
            if let Some(out) = &minutes {
                let zone = crate::user_zone().name().to_string();
                let options = DocumentOptions {
                    lang: crate::lang(),
                    paper,
                    ..Default::default()
                };
                let made = Made {
                    at: now,
                    by: actor.to_string(),
                };
                let document = report::minutes(&ended, &zone, &options, &made);
                let bytes = report::pdf::render(&document);
                report::save(out, &bytes)?;
                text.push_str(&format!("Wrote the minutes to {}\n", out.display()));
            }
            Ok(Output::new(
                json!({ "meeting": ended.meeting, "decisions": ended.decisions, "minutes": minutes }),
                text,
            ))
        }
    }
}
