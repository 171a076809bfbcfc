//! What the release documents show, read in one go, and the export dialog's remembered choices.

use chrono::{DateTime, Utc};

use super::domain::current_content;
use super::{ReleaseFilter, Store};
use crate::error::Result;
use crate::people::TeamRole;
use crate::release::Stage;
use crate::report::{DocumentOptions, ReleaseFacts};

const OPTIONS: &str = "document_options";

impl Store {
    /// Everything the dossier of `key` shows at `now`.
    pub fn release_facts(&self, key: &str, now: DateTime<Utc>) -> Result<ReleaseFacts> {
        let ws = self.workspace(key, now)?;
        let schedule = match self.plan(key)? {
            Some(_) => Some(self.schedule(key)?),
            None => None,
        };
        let rollback = schedule.as_ref().map(crate::plan::rollback_plan);
        let testing = self.testing(key, now)?;
        let environments = testing
            .environments
            .iter()
            .map(|b| self.environment(&b.env, Some(key), now))
            .collect::<Result<_>>()?;
        let id = super::domain::release_id(&self.conn, key)?;
        let content_hash = current_content(&self.conn, &ws.release, id)?.hash();
        Ok(ReleaseFacts {
            release: ws.release,
            changes: ws.changes,
            components: ws.components,
            analysis: ws.analysis,
            schedule,
            rollback,
            testing,
            environments,
            checklist: ws.checklist,
            approvals: ws.approvals,
            content_hash,
        })
    }

    /// The facts of every release awaiting authorization, earliest deployment first.
    pub fn cab_facts(&self, now: DateTime<Utc>) -> Result<Vec<ReleaseFacts>> {
        let filter = ReleaseFilter {
            stage: Some(Stage::AwaitingAuthorization),
        };
        let mut all = self
            .list_releases(&filter)?
            .iter()
            .map(|r| self.release_facts(&r.key, now))
            .collect::<Result<Vec<_>>>()?;
        all.sort_by_key(|f| {
            let start = f
                .schedule
                .as_ref()
                .and_then(|s| s.tasks.iter().filter_map(|t| t.start).min());
            (start.is_none(), start, f.release.key.clone())
        });
        Ok(all)
    }

    /// The sections, language and paper last chosen in the export dialog.
    pub fn document_options(&self) -> Result<DocumentOptions> {
        Ok(self
            .setting(OPTIONS)?
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default())
    }

    pub fn set_document_options(&mut self, options: &DocumentOptions) -> Result<()> {
        let text = serde_json::to_string(options).expect("options serialize");
        self.set_setting(OPTIONS, &text, TeamRole::Viewer)
    }
}
