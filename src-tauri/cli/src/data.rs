//! The calendar feed (`calendar export`) and data safety (`backup`, `restore`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::Subcommand;
use relman_core::ics::Range;
use relman_core::{Error, Store, report, store};
use serde_json::json;

use crate::Output;
use crate::after::day;

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Deployments per wave, freezes and maintenance windows as one iCalendar (.ics) file
    Export {
        #[arg(long, value_name = "FILE.ics")]
        out: PathBuf,
        /// First day [default: 30 days ago]
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day [default: a year from now]
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
    },
}

pub fn calendar(
    store: &mut Store,
    command: CalendarCommand,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    let CalendarCommand::Export { out, from, to } = command;
    let default = Range::around(now.date_naive());
    let range = Range {
        from: day("from", from.as_deref())?.unwrap_or(default.from),
        to: day("to", to.as_deref())?.unwrap_or(default.to),
    };
    let text = store.calendar_export(&range, now)?;
    report::save(&out, text.as_bytes())?;
    let events = text.matches("BEGIN:VEVENT").count();
    Ok(Output::new(
        json!({"out": out, "events": events, "from": range.from, "to": range.to}),
        format!(
            "Wrote {} ({events} events, {} to {})",
            out.display(),
            range.from,
            range.to
        ),
    ))
}

pub fn backup(store: &Store, out: &Path) -> Result<Output, Error> {
    store.backup_to(out)?;
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(Output::new(
        json!({"out": out, "bytes": bytes}),
        format!(
            "Backed up to {} ({} KB)",
            out.display(),
            bytes.div_ceil(1024)
        ),
    ))
}

pub fn restore(
    store: &mut Store,
    db: &Path,
    file: &Path,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    let restored = store.restore_from(file, &store::kept_path(db, now))?;
    let text = format!(
        "Restored {} ({} releases, {} audit records, schema version {}).\nThe database as it was is kept in {}",
        file.display(),
        restored.releases,
        restored.audit_records,
        restored.schema_version,
        restored.kept_as
    );
    Ok(Output::new(restored, text))
}
