//! Relman's core: the release domain, its rules and its storage.
//!
//! Two rules hold for everything in this crate: it never depends on Tauri, and it never
//! reads the clock. Whoever calls a write passes "now" and the acting user in.

#[macro_use]
mod text_enum;

pub mod after;
pub mod approval;
pub mod bindings;
pub mod cab;
pub mod calendar;
pub mod canonical;
pub mod change;
pub mod csv_import;
pub mod demo;
pub mod error;
pub mod ics;
pub mod inventory;
pub mod lifecycle;
pub mod message;
pub mod mspdi;
pub mod notice;
pub mod package;
pub mod paths;
pub mod people;
pub mod plan;
pub mod profile;
pub mod release;
pub mod rendering;
pub mod report;
pub mod rules;
pub mod schedule;
pub mod store;
pub mod testing;
pub mod transfer;
pub mod verdict;
pub mod work;

pub use error::{Error, ErrorKind, ErrorReport, FieldError, Result};
pub use release::{Release, ReleaseDraft, ReleaseType, Risk, Stage};
pub use store::{ReleaseFilter, Store};

use serde::Serialize;
use ts_rs::TS;

/// What the UI needs to know when it starts.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppStatus {
    pub version: String,
    pub db_path: String,
    /// On a team database: who is connected to which database on which server
    /// ("anna on relman@db.example:5432"); none for a file.
    pub server: Option<String>,
    pub actor: String,
    /// Who is signed in, with which roles, and whether they bind (a team database) or are
    /// advisory (a file).
    pub session: Option<people::Session>,
    /// Set when the database could not be opened; the UI shows it instead of the app.
    pub error: Option<ErrorReport>,
    /// True when the database holds no releases, so the UI can offer the demo data.
    pub empty: bool,
    /// How the web view renders, and why.
    pub rendering: Option<rendering::Rendering>,
    /// Databases opened lately, the open one first.
    pub recent: Vec<String>,
    /// The file cannot be written: the window says so and edits are refused.
    pub read_only: bool,
    /// The app's clock when this was read: the window keeps its own time by it, so `--now`
    /// moves the run clock, the calendar's "now" and the default ranges too.
    #[ts(type = "string")]
    pub now: chrono::DateTime<chrono::Utc>,
}
