//! Release documents (`report dossier`, `report cab-pack`): the same layout the app saves.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Subcommand;
use relman_core::report::{self, DocumentOptions, Made, Paper, Section};
use relman_core::{Error, Store};
use serde_json::json;

use crate::{Output, parse_enum};

#[derive(Subcommand)]
pub enum ReportCommand {
    /// The release dossier of one release as PDF
    Dossier {
        key: String,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
        #[arg(long, default_value = "a4", value_parser = parse_enum::<Paper>)]
        paper: Paper,
        /// Only these sections, comma-separated [default: all]
        #[arg(long, value_delimiter = ',', value_parser = parse_enum::<Section>)]
        sections: Vec<Section>,
    },
    /// The CAB pack: an agenda and one page per release awaiting authorization
    CabPack {
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
        #[arg(long, default_value = "a4", value_parser = parse_enum::<Paper>)]
        paper: Paper,
    },
}

pub fn report(
    store: &mut Store,
    command: ReportCommand,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    let made = Made {
        at: now,
        by: actor.to_string(),
    };
    let (document, out) = match command {
        ReportCommand::Dossier {
            key,
            out,
            paper,
            sections,
        } => {
            let sections = if sections.is_empty() {
                Section::ALL.to_vec()
            } else {
                sections
            };
            let options = DocumentOptions {
                sections,
                lang: crate::lang(),
                paper,
            };
            let facts = store.release_facts(&key, now)?;
            (report::dossier(&facts, &options, &made), out)
        }
        ReportCommand::CabPack { out, paper } => {
            let options = DocumentOptions {
                lang: crate::lang(),
                paper,
                ..Default::default()
            };
            (
                report::cab_pack(&store.cab_facts(now)?, &options, &made),
                out,
            )
        }
    };
    let bytes = report::pdf::render(&document);
    report::save(&out, &bytes)?;
    let text = format!(
        "Wrote {} ({} pages, {} KB)\n",
        out.display(),
        document.pages.len(),
        bytes.len().div_ceil(1024)
    );
    Ok(Output::new(
        json!({"out": out, "pages": document.pages.len(), "bytes": bytes.len(), "sections": document.outline.iter().map(|b| &b.title).collect::<Vec<_>>()}),
        text,
    ))
}
