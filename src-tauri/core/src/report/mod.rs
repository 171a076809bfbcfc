//! Release documents: the release dossier and the CAB pack. Layout is pure over the data and
//! "now"; the same pages become the PDF ([`pdf::render`]) and the preview ([`svg::page`]).

mod cab;
mod dossier;
pub mod font;
mod gantt;
pub mod page;
pub mod pdf;
pub mod svg;
pub mod words;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::approval::Approval;
use crate::change::Change;
use crate::package::{Component, PackageAnalysis};
use crate::plan::{RollbackPlan, Schedule};
use crate::release::Release;
use crate::rules::Checklist;
use crate::testing::{EnvironmentView, TestingView};

pub use crate::message::Lang;
pub use cab::{cab_pack, minutes};
pub use dossier::dossier;
pub(crate) use dossier::home_zone;
pub use page::{Document, Paper};

text_enum! {
    /// The sections of the dossier, in their order.
    Section {
        Cover = "cover",
        Scope = "scope",
        Package = "package",
        Plan = "plan",
        Runbook = "runbook",
        Rollback = "rollback",
        Evidence = "evidence",
        Activities = "activities",
        Rules = "rules",
        Signoff = "signoff",
    }
}

/// What the export dialog chose; remembered in the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DocumentOptions {
    pub sections: Vec<Section>,
    pub lang: Lang,
    pub paper: Paper,
}

impl Default for DocumentOptions {
    fn default() -> Self {
        DocumentOptions {
            sections: Section::ALL.to_vec(),
            lang: Lang::En,
            paper: Paper::A4,
        }
    }
}

/// A document the window asks for: the dossier of `release`, or (without one) the CAB pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DocumentRequest {
    pub release: Option<String>,
    /// The minutes of this CAB meeting instead (its decision page).
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub meeting: Option<i64>,
    pub options: DocumentOptions,
}

/// Everything a document shows about one release, read from the store in one go.
#[derive(Debug, Clone)]
pub struct ReleaseFacts {
    pub release: Release,
    pub changes: Vec<Change>,
    pub components: Vec<Component>,
    pub analysis: PackageAnalysis,
    pub schedule: Option<Schedule>,
    pub rollback: Option<RollbackPlan>,
    pub testing: TestingView,
    pub environments: Vec<EnvironmentView>,
    pub checklist: Checklist,
    pub approvals: Vec<Approval>,
    /// The hash of what a CAB decision would cover now.
    pub content_hash: String,
}

/// Who made the document and when.
#[derive(Debug, Clone)]
pub struct Made {
    pub at: DateTime<Utc>,
    pub by: String,
}

/// The preview of a document: its pages as SVG, and what the PDF would be called.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Preview {
    pub pages: Vec<String>,
    pub file_name: String,
    pub outline: Vec<String>,
}

pub fn preview(document: &Document, file_name: String) -> Preview {
    Preview {
        pages: document.pages.iter().map(svg::page).collect(),
        file_name,
        outline: document
            .outline
            .iter()
            .map(|b| format!("{} · {}", b.title, b.page + 1))
            .collect(),
    }
}

/// The running header and footer and the watermark, once the page count is known.
pub(crate) fn decorate(
    pages: &mut [page::Page],
    left: &str,
    right: &str,
    made: &Made,
    tz: &str,
    lang: Lang,
    draft: bool,
) {
    use page::{GREY, MARGIN, RULE};
    let total = pages.len();
    let generated = format!(
        "{} {}",
        words::t(lang, "generated"),
        words::datetime(lang, made.at, tz)
    );
    for (n, page) in pages.iter_mut().enumerate() {
        let w = page.width - 2.0 * MARGIN;
        let (pw, ph) = (page.width, page.height);
        if draft {
            page.items.insert(
                0,
                page::Item::Text {
                    x: pw * 0.18,
                    y: ph * 0.72,
                    size: 96.0,
                    bold: true,
                    color: page::Rgb(0xee, 0xee, 0xf0),
                    text: words::t(lang, "draft").to_string(),
                    limit: font::width(words::t(lang, "draft"), 96.0, true),
                    angle: 35.0,
                },
            );
        }
        let right_w = font::width(right, 8.0, false).min(w * 0.4);
        page.text(
            MARGIN,
            MARGIN + 8.0,
            8.0,
            true,
            GREY,
            left,
            w - right_w - 10.0,
        );
        page.text_right(pw - MARGIN, MARGIN + 8.0, 8.0, false, GREY, right, right_w);
        page.line(MARGIN, MARGIN + 13.0, pw - MARGIN, MARGIN + 13.0, RULE, 0.5);
        let foot = ph - MARGIN;
        page.line(MARGIN, foot - 12.0, pw - MARGIN, foot - 12.0, RULE, 0.5);
        let of = words::tf(lang, "page_of", &[&(n + 1).to_string(), &total.to_string()]);
        let of_w = font::width(&of, 8.0, false);
        page.text(MARGIN, foot, 8.0, false, GREY, &generated, w - of_w - 10.0);
        page.text_right(pw - MARGIN, foot, 8.0, false, GREY, &of, of_w);
    }
}

/// A file name from a key: letters, digits, '-' and '_' only.
pub fn file_name(stem: &str) -> String {
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{clean}.pdf")
}

impl DocumentOptions {
    /// A document needs at least one section.
    pub fn check(&self) -> crate::error::Result<()> {
        if self.sections.is_empty() {
            let allowed: Vec<&str> = Section::ALL.iter().map(|s| s.as_str()).collect();
            return Err(crate::error::Error::Validation(vec![
                crate::error::FieldError::new(
                    "sections",
                    format!("choose at least one section of {}", allowed.join(", ")),
                ),
            ]));
        }
        Ok(())
    }
}

/// Writes the file whole or not at all: a temporary file beside it, synced, then renamed over
/// it, so a crash or a full disk never leaves half a PDF under the chosen name.
pub fn save(path: &std::path::Path, bytes: &[u8]) -> crate::error::Result<()> {
    use std::io::Write;
    let fail = |e: std::io::Error| {
        crate::error::Error::Internal(format!("cannot write {}: {e}", path.display()))
    };
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = std::path::PathBuf::from(part);
    let written = (|| {
        let mut file = std::fs::File::create(&part)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&part, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&part);
        return Err(fail(e));
    }
    Ok(())
}
