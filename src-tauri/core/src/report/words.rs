//! The words of the documents in English and German, and dates and numbers as each language
//! writes them. What the core says about a release (rule verdicts, conflicts) comes as
//! messages from `core/messages/`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub use crate::message::Lang;

/// (key, English, German).
pub const WORDS: &[(&str, &str, &str)] = &[
    ("dossier", "Release dossier", "Release-Dossier"),
    ("cab_pack", "CAB pack", "CAB-Unterlagen"),
    ("draft", "DRAFT", "ENTWURF"),
    ("page_of", "Page {} of {}", "Seite {} von {}"),
    ("generated", "Generated", "Erstellt"),
    ("generated_by", "by", "von"),
    ("data_hash", "Data fingerprint", "Daten-Prüfsumme"),
    ("cover", "Cover", "Deckblatt"),
    ("scope", "Scope", "Umfang"),
    ("package", "Package", "Paket"),
    ("plan", "Deployment plan", "Bereitstellungsplan"),
    ("runbook", "Runbook", "Ablaufplan"),
    ("rollback", "Rollback plan", "Rückfallplan"),
    ("evidence", "Test evidence", "Testnachweise"),
    (
        "activities",
        "Accompanying activities",
        "Begleitende Aktivitäten",
    ),
    ("rules", "Rules", "Regeln"),
    ("signoff", "Sign-off", "Freigabe"),
    ("key", "Key", "Schlüssel"),
    ("title", "Title", "Titel"),
    ("type", "Type", "Typ"),
    ("risk", "Risk", "Risiko"),
    ("stage", "Stage", "Phase"),
    ("owner", "Owner", "Verantwortlich"),
    ("requester", "Requester", "Antragsteller"),
    ("windows", "Deployment windows", "Wartungsfenster"),
    (
        "no_plan",
        "No deployment plan yet.",
        "Noch kein Bereitstellungsplan.",
    ),
    ("change", "Change", "Change"),
    ("status", "Status", "Status"),
    ("kind", "Kind", "Art"),
    ("cis", "CIs", "CIs"),
    (
        "trace",
        "Incident → problem → change",
        "Incident → Problem → Change",
    ),
    (
        "no_changes",
        "No changes in scope.",
        "Keine Changes im Umfang.",
    ),
    ("component", "Component", "Komponente"),
    ("from", "From", "Von"),
    ("to", "To", "Nach"),
    ("order", "Order", "Reihenfolge"),
    ("requires", "Requires", "Erfordert"),
    ("no_components", "No components.", "Keine Komponenten."),
    ("package_type", "Package type", "Pakettyp"),
    ("package_full", "full", "vollständig"),
    ("package_delta", "delta", "Delta"),
    (
        "package_package",
        "package of releases",
        "Paket aus Releases",
    ),
    ("base", "base", "Basis"),
    ("dml", "Definitive media (DML)", "Definitive Medien (DML)"),
    ("location", "Location", "Ort"),
    ("sha256", "SHA-256", "SHA-256"),
    ("no_dml", "none cited", "nicht genannt"),
    ("unmet", "Unmet requirement", "Nicht erfüllte Anforderung"),
    ("cycle", "Dependency cycle", "Abhängigkeitszyklus"),
    ("overview", "Overview", "Übersicht"),
    ("tile", "Tile", "Kachel"),
    ("tasks", "Tasks", "Aufgaben"),
    ("task", "Task", "Aufgabe"),
    ("times_in", "Times in", "Zeiten in"),
    ("legend_task", "task", "Aufgabe"),
    (
        "legend_critical",
        "critical path (bold outline)",
        "kritischer Pfad (fetter Rahmen)",
    ),
    ("legend_baseline", "baseline", "Basisplan"),
    ("legend_window", "maintenance window", "Wartungsfenster"),
    ("legend_freeze", "freeze", "Einfrierzeitraum"),
    ("legend_milestone", "milestone", "Meilenstein"),
    ("legend_gonogo", "latest go/no-go", "spätestes Go/No-Go"),
    ("legend_pnr", "point of no return", "Point of no Return"),
    ("later", "later", "später"),
    ("unplaced", "Not placed", "Nicht eingeplant"),
    ("step", "Step", "Schritt"),
    ("team", "Team", "Team"),
    ("start", "Start", "Beginn"),
    ("end", "End", "Ende"),
    ("utc", "UTC", "UTC"),
    ("duration", "Duration", "Dauer"),
    ("after", "After", "Nach"),
    ("downtime", "Downtime", "Ausfall"),
    ("done", "Done", "Erledigt"),
    ("yes", "yes", "ja"),
    ("no", "no", "nein"),
    ("wave", "Wave", "Welle"),
    ("pnr", "Point of no return", "Point of no Return"),
    ("latest_gonogo", "Latest go/no-go", "Spätestes Go/No-Go"),
    ("window_closes", "Window closes", "Fenster schließt"),
    ("rollback_takes", "Rollback takes", "Rückfall dauert"),
    ("fits", "Fits the window", "Passt ins Fenster"),
    ("fits_yes", "✓ fits", "✓ passt"),
    ("fits_no", "✗ does not fit", "✗ passt nicht"),
    ("undoes", "Undoes", "Macht rückgängig"),
    (
        "uncovered",
        "Downtime tasks without a way back",
        "Ausfall-Aufgaben ohne Rückweg",
    ),
    (
        "no_rollback",
        "No plan, so no rollback plan.",
        "Kein Plan, daher kein Rückfallplan.",
    ),
    ("environments", "Environments", "Umgebungen"),
    ("lineage", "Lineage", "Herkunft"),
    ("runs", "Test runs", "Testläufe"),
    ("result", "Result", "Ergebnis"),
    ("counts", "Counts", "Zählt"),
    ("why_not", "Why not", "Warum nicht"),
    ("defects", "Defects", "Fehler"),
    ("severity", "Severity", "Schweregrad"),
    ("opened", "Opened", "Eröffnet"),
    ("closed", "Closed", "Geschlossen"),
    ("open", "open", "offen"),
    ("rehearsal", "Rollback rehearsal", "Rückfall-Probe"),
    ("rehearsed", "✓ rehearsed", "✓ geprobt"),
    ("not_rehearsed", "✗ not rehearsed", "✗ nicht geprobt"),
    (
        "problem_free",
        "Problem-free period",
        "Problemfreier Zeitraum",
    ),
    ("days", "days", "Tage"),
    ("elapsed", "✓ elapsed", "✓ abgelaufen"),
    ("ends", "ends", "endet"),
    (
        "no_runs",
        "No test runs recorded.",
        "Keine Testläufe erfasst.",
    ),
    ("activity", "Activity", "Aktivität"),
    (
        "act_docs_dev",
        "Documentation for development",
        "Dokumentation für die Entwicklung",
    ),
    (
        "act_docs_ops",
        "Documentation for operations",
        "Dokumentation für den Betrieb",
    ),
    (
        "act_cmdb",
        "CMDB updated with the new versions",
        "CMDB mit den neuen Versionen aktualisiert",
    ),
    ("act_catalogue", "Service catalogue", "Servicekatalog"),
    ("act_monitoring", "Monitoring", "Monitoring"),
    ("act_contracts", "Contracts / SLAs", "Verträge / SLAs"),
    (
        "act_training_users",
        "Training for users",
        "Schulung der Anwender",
    ),
    (
        "act_training_ops",
        "Training for operating staff",
        "Schulung des Betriebspersonals",
    ),
    (
        "act_notification",
        "Users notified",
        "Anwender benachrichtigt",
    ),
    ("recorded", "✓ recorded", "✓ erfasst"),
    ("not_recorded", "☐ not recorded yet", "☐ noch nicht erfasst"),
    (
        "after_deploy",
        "☐ after the deployment",
        "☐ nach der Bereitstellung",
    ),
    ("next_move", "Next move", "Nächster Schritt"),
    ("rule", "Rule", "Regel"),
    ("remedy", "What to do", "Was zu tun ist"),
    ("ok", "✓ ok", "✓ ok"),
    ("failing", "✗ failing", "✗ verletzt"),
    ("no_next", "No further move.", "Kein weiterer Schritt."),
    ("decision", "Decision", "Entscheidung"),
    ("approver", "Name", "Name"),
    ("role", "Role", "Rolle"),
    ("at", "Date and time", "Datum und Uhrzeit"),
    ("meaning", "Meaning", "Bedeutung"),
    (
        "valid",
        "Valid for this content",
        "Gültig für diesen Inhalt",
    ),
    ("valid_yes", "✓ yes", "✓ ja"),
    ("valid_no", "✗ no: changed since", "✗ nein: geändert seit"),
    (
        "no_decisions",
        "No CAB decision yet.",
        "Noch keine CAB-Entscheidung.",
    ),
    ("signature", "Signature", "Unterschrift"),
    ("sign_open", "Still to sign", "Noch zu unterzeichnen"),
    ("approve", "approve", "genehmigen"),
    ("reject", "reject", "ablehnen"),
    ("defer", "defer", "zurückstellen"),
    ("agenda", "Agenda", "Tagesordnung"),
    (
        "decision_needed",
        "Decision needed",
        "Benötigte Entscheidung",
    ),
    (
        "authorize",
        "Authorize deployment",
        "Bereitstellung freigeben",
    ),
    ("page", "Page", "Seite"),
    ("window", "Window", "Fenster"),
    (
        "nothing_awaiting",
        "No release is awaiting authorization.",
        "Kein Release wartet auf Freigabe.",
    ),
    (
        "see_dossier",
        "… more: see the dossier",
        "… weitere: siehe Dossier",
    ),
    ("conflicts", "Conflicts", "Konflikte"),
    ("no_conflicts", "✓ no conflicts", "✓ keine Konflikte"),
    ("failing_rules", "Failing rules", "Verletzte Regeln"),
    ("all_rules_ok", "✓ all rules pass", "✓ alle Regeln erfüllt"),
    ("evidence_line", "Evidence", "Nachweise"),
    ("ready", "ready", "bereit"),
    (
        "blocked",
        "blocked by {} rules",
        "blockiert durch {} Regeln",
    ),
    ("comment", "Comment", "Kommentar"),
    ("none", "—", "—"),
    ("major", "major", "Major"),
    ("minor", "minor", "Minor"),
    ("emergency", "emergency", "Notfall"),
    ("low", "low", "niedrig"),
    ("medium", "medium", "mittel"),
    ("high", "high", "hoch"),
    ("planning", "planning", "Planung"),
    ("build", "build", "Build"),
    ("test", "test", "Test"),
    (
        "awaiting_authorization",
        "awaiting authorization",
        "wartet auf Freigabe",
    ),
    ("authorized", "authorized", "freigegeben"),
    ("deploying", "deploying", "in Bereitstellung"),
    (
        "early_life_support",
        "early life support",
        "Early Life Support",
    ),
    ("rolled_back", "rolled back", "zurückgerollt"),
    ("cancelled", "cancelled", "abgebrochen"),
    (
        "meaning_approve",
        "authorized to deploy as scoped, packaged and planned",
        "zur Bereitstellung freigegeben wie im Umfang, Paket und Plan beschrieben",
    ),
    ("meaning_reject", "not authorized", "nicht freigegeben"),
    (
        "meaning_defer",
        "decision deferred",
        "Entscheidung zurückgestellt",
    ),
    ("minutes", "CAB minutes", "CAB-Protokoll"),
    ("members_present", "Members present", "Anwesende Mitglieder"),
    ("meeting_held", "Held", "Sitzung"),
    ("still_open", "still open", "noch offen"),
    ("recorded_by", "Recorded by", "Protokolliert von"),
    ("release", "Release", "Release"),
    ("fingerprint", "Content", "Inhalt"),
    ("chair", "Chair", "Vorsitz"),
    ("decided_approve", "Approved", "Genehmigt"),
    ("decided_reject", "Rejected", "Abgelehnt"),
    ("decided_defer", "Deferred", "Zurückgestellt"),
];

/// The word for `key` in `lang`; an unknown key is a bug the tests catch.
pub fn t(lang: Lang, key: &str) -> &'static str {
    WORDS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, de)| if lang == Lang::De { *de } else { *en })
        .unwrap_or_else(|| panic!("no words for '{key}'"))
}

/// `t` with each "{}" filled in turn.
pub fn tf(lang: Lang, key: &str, args: &[&str]) -> String {
    let mut out = t(lang, key).to_string();
    for a in args {
        out = out.replacen("{}", a, 1);
    }
    out
}

pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// A moment in a zone, with the zone's abbreviation: "2026-12-05 22:00 CET" or "05.12.2026 22:00 CET".
pub fn datetime(lang: Lang, at: DateTime<Utc>, tz: &str) -> String {
    let local = at.with_timezone(&zone(tz));
    match lang {
        Lang::En => local.format("%Y-%m-%d %H:%M %Z").to_string(),
        Lang::De => local.format("%d.%m.%Y %H:%M %Z").to_string(),
    }
}

/// Day and time without the year, for tight columns: "Sat 5 Dec 22:00" / "Sa 05.12. 22:00".
pub fn short(lang: Lang, at: DateTime<Utc>, tz: &str) -> String {
    let local = at.with_timezone(&zone(tz));
    match lang {
        Lang::En => local.format("%a %-d %b %H:%M").to_string(),
        Lang::De => {
            let day = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
                [chrono::Datelike::weekday(&local).num_days_from_monday() as usize];
            format!("{day} {}", local.format("%d.%m. %H:%M"))
        }
    }
}

pub fn date(lang: Lang, d: chrono::NaiveDate) -> String {
    match lang {
        Lang::En => d.format("%Y-%m-%d").to_string(),
        Lang::De => d.format("%d.%m.%Y").to_string(),
    }
}

/// "2 h 30 min", "3 d 4 h".
pub fn duration(lang: Lang, minutes: i64) -> String {
    let d = if lang == Lang::De { "T" } else { "d" };
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (days, 0, _) => format!("{days} {d}"),
        (days, h, _) => format!("{days} {d} {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_has_both_languages() {
        let mut keys = std::collections::HashSet::new();
        for (key, en, de) in WORDS {
            assert!(keys.insert(key), "{key} twice");
            assert!(
                !en.is_empty() && !de.is_empty(),
                "{key} is missing a language"
            );
            assert_eq!(en.matches("{}").count(), de.matches("{}").count(), "{key}");
        }
    }

    #[test]
    fn dates_as_each_language_writes_them() {
        let at: DateTime<Utc> = "2026-12-05T21:00:00Z".parse().unwrap();
        assert_eq!(
            datetime(Lang::En, at, "Europe/Berlin"),
            "2026-12-05 22:00 CET"
        );
        assert_eq!(
            datetime(Lang::De, at, "Europe/Berlin"),
            "05.12.2026 22:00 CET"
        );
        assert_eq!(short(Lang::De, at, "Europe/Berlin"), "Sa 05.12. 22:00");
        assert_eq!(duration(Lang::En, 150), "2 h 30 min");
        assert_eq!(duration(Lang::De, 3 * 1440 + 240), "3 T 4 h");
        assert_eq!(tf(Lang::De, "page_of", &["3", "12"]), "Seite 3 von 12");
    }
}
