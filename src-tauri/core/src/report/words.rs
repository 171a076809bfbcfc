//! The words of the documents in English and German, and dates and numbers as each language
//! writes them. Rule messages come from the rules and stay English until the interface's
//! German catalogue exists.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    De,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s {
            "en" => Ok(Lang::En),
            "de" => Ok(Lang::De),
            _ => Err(format!("'{s}' is not one of en, de")),
        }
    }
}

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

/// Each rule's sentence and remedy in English and German, for documents in German (the rule's
/// own message has the particulars, in English). The window's catalogue holds the same words
/// under `rule.CODE`; `tests/tests/invariants.rs` keeps the two equal.
pub const RULE_WORDS: &[(&str, [&str; 4])] = &[
    (
        "SCOPE-NOT-EMPTY",
        [
            "At least one change is in scope",
            "Mindestens ein Change ist im Umfang",
            "Add the authorized changes this release delivers",
            "Fügen Sie die genehmigten Changes hinzu, die dieses Release liefert",
        ],
    ),
    (
        "SCOPE-AUTHORIZED",
        [
            "Every change in scope is authorized",
            "Jeder Change im Umfang ist genehmigt",
            "Have change management authorize them, or remove them from the scope",
            "Lassen Sie sie vom Change Management genehmigen oder nehmen Sie sie aus dem Umfang",
        ],
    ),
    (
        "SCOPE-CIS-COVERED",
        [
            "Every CI the changes touch has a component in the package",
            "Jedes CI, das die Changes berühren, hat eine Komponente im Paket",
            "Add a component with its target version for each of these CIs",
            "Fügen Sie für jedes dieser CIs eine Komponente mit Zielversion hinzu",
        ],
    ),
    (
        "PKG-TARGET-VERSIONS",
        [
            "Every component has a target version",
            "Jede Komponente hat eine Zielversion",
            "Set the version each component goes live in",
            "Setzen Sie die Version, mit der jede Komponente live geht",
        ],
    ),
    (
        "PKG-NO-CYCLE",
        [
            "The components can be deployed in an order",
            "Die Komponenten lassen sich in einer Reihenfolge bereitstellen",
            "Remove one of the requirements that form the circle",
            "Entfernen Sie eine der Voraussetzungen, die den Kreis bilden",
        ],
    ),
    (
        "PKG-DEPS-SATISFIED",
        [
            "Every requirement is met by the package or by production",
            "Jede Voraussetzung erfüllt das Paket oder die Produktion",
            "Add or upgrade the needed components, or correct the requirement",
            "Fügen Sie die nötigen Komponenten hinzu, heben Sie sie an oder korrigieren Sie die Voraussetzung",
        ],
    ),
    (
        "DOCS-LINKED",
        [
            "Development and operations documentation are linked",
            "Entwicklungs- und Betriebsdokumentation sind verlinkt",
            "Link the documentation for development and for operations",
            "Verlinken Sie die Dokumentation für Entwicklung und Betrieb",
        ],
    ),
    (
        "TEST-RUNS-PASSED",
        [
            "Every required test has a passing run that counts",
            "Jeder geforderte Test hat einen bestandenen Lauf, der zählt",
            "Run the missing tests on a booked environment with the package's versions",
            "Führen Sie die fehlenden Tests auf einer gebuchten Umgebung mit den Versionen des Pakets aus",
        ],
    ),
    (
        "TEST-ROLLBACK-REHEARSED",
        [
            "The rollback of this plan was rehearsed",
            "Der Rollback dieses Plans wurde geprobt",
            "Rehearse the rollback of the current plan on a test environment",
            "Proben Sie den Rollback des aktuellen Plans auf einer Testumgebung",
        ],
    ),
    (
        "TEST-PROBLEM-FREE",
        [
            "The problem-free period has elapsed",
            "Der problemfreie Zeitraum ist abgelaufen",
            "Close the open defects and wait until the period ends",
            "Schließen Sie die offenen Fehler und warten Sie das Ende des Zeitraums ab",
        ],
    ),
    (
        "TEST-ENV-BOOKED",
        [
            "The test environments were booked for this release",
            "Die Testumgebungen waren für dieses Release gebucht",
            "Book the environments the runs used",
            "Buchen Sie die Umgebungen, auf denen die Läufe stattfanden",
        ],
    ),
    (
        "AUTH-APPROVED",
        [
            "The CAB approved the release",
            "Das CAB hat das Release genehmigt",
            "Record the CAB's decision",
            "Erfassen Sie die Entscheidung des CAB",
        ],
    ),
    (
        "AUTH-SEGREGATION",
        [
            "The requester did not approve their own release",
            "Der Antragsteller hat sein eigenes Release nicht genehmigt",
            "Have a CAB member other than the requester decide",
            "Lassen Sie ein anderes CAB-Mitglied als den Antragsteller entscheiden",
        ],
    ),
    (
        "AUTH-VALID",
        [
            "The approval covers the release as it is now",
            "Die Freigabe deckt das Release, wie es jetzt ist",
            "Have the CAB decide again on the changed release",
            "Lassen Sie das CAB über das geänderte Release neu entscheiden",
        ],
    ),
    (
        "ROLLBACK-COVERED",
        [
            "Every downtime task says how it is undone",
            "Jede Aufgabe mit Ausfallzeit sagt, wie sie rückgängig gemacht wird",
            "Give each downtime task backout steps, nothing to undo, or mark the point of no return",
            "Geben Sie jeder Aufgabe mit Ausfallzeit Backout-Schritte, „nichts rückgängig zu machen“ oder markieren Sie den Point of No Return",
        ],
    ),
    (
        "ROLLBACK-FITS-WINDOW",
        [
            "A rollback decided at the go/no-go ends inside the window",
            "Ein beim Go/No-Go entschiedener Rollback endet im Fenster",
            "Move the go/no-go earlier, shorten the rollback, or use a longer window",
            "Legen Sie das Go/No-Go früher, verkürzen Sie den Rollback oder nehmen Sie ein längeres Fenster",
        ],
    ),
    (
        "ROLLBACK-NO-RETURN-AFTER-GO",
        [
            "The point of no return comes after the go/no-go",
            "Der Point of No Return liegt nach dem Go/No-Go",
            "Place the go/no-go milestone before the point of no return",
            "Setzen Sie den Go/No-Go-Meilenstein vor den Point of No Return",
        ],
    ),
    (
        "SCHED-PLANNED",
        [
            "Every task of the plan is scheduled",
            "Jede Aufgabe des Plans ist eingeplant",
            "Fix what keeps the tasks from being placed, or pick another slot",
            "Beheben Sie, was die Einplanung verhindert, oder wählen Sie einen anderen Termin",
        ],
    ),
    (
        "SCHED-IN-WINDOWS",
        [
            "Downtime falls inside maintenance windows",
            "Ausfallzeiten liegen in Wartungsfenstern",
            "Move the downtime tasks into a window",
            "Verschieben Sie die Aufgaben mit Ausfallzeit in ein Fenster",
        ],
    ),
    (
        "SCHED-NO-FREEZE",
        [
            "Nothing is deployed during a freeze",
            "Während eines Einfrierzeitraums wird nichts bereitgestellt",
            "Move the deployment out of the freeze",
            "Verschieben Sie die Bereitstellung aus dem Einfrierzeitraum",
        ],
    ),
    (
        "SCHED-IN-CHANGE-WINDOW",
        [
            "Each change's CIs are deployed inside the window it was authorized for",
            "Die CIs jedes Changes werden im genehmigten Zeitfenster bereitgestellt",
            "Move the plan into the change's window, or ask change management for a new window",
            "Verschieben Sie den Plan in das Zeitfenster des Changes oder beantragen Sie beim Change Management ein neues Zeitfenster",
        ],
    ),
    (
        "SCHED-NO-CONFLICT",
        [
            "No other release touches the same CIs at the same time",
            "Kein anderes Release berührt dieselben CIs zur selben Zeit",
            "Move one of the releases, or agree the overlap with its owner",
            "Verschieben Sie eines der Releases oder stimmen Sie die Überschneidung mit dessen Verantwortlichen ab",
        ],
    ),
    (
        "ELS-DONE",
        [
            "Early life support is over and no severe incident is open",
            "Der Early Life Support ist vorbei und kein schwerer Incident ist offen",
            "Wait until the period ends, resolving the incidents the release caused",
            "Warten Sie das Ende des Zeitraums ab und lösen Sie die verursachten Incidents",
        ],
    ),
    (
        "CLOSE-ACTIVITIES",
        [
            "Every accompanying activity is done or not needed",
            "Jede begleitende Aktivität ist erledigt oder nicht nötig",
            "Mark each activity done, or not needed with the reason",
            "Markieren Sie jede Aktivität als erledigt oder mit Grund als nicht nötig",
        ],
    ),
    (
        "CLOSE-REVIEW",
        [
            "The closure review is recorded",
            "Die Abschlussbewertung ist erfasst",
            "Record the service owner's satisfaction and the lessons learned",
            "Erfassen Sie die Zufriedenheit des Service Owners und die Lessons Learned",
        ],
    ),
];

/// A rule's sentence and remedy in `lang`, when the table has the rule.
pub fn rule_words(code: &str, lang: Lang) -> Option<(&'static str, &'static str)> {
    let (_, [en, de, en_remedy, de_remedy]) = RULE_WORDS.iter().find(|(c, _)| *c == code)?;
    Some(if lang == Lang::De {
        (de, de_remedy)
    } else {
        (en, en_remedy)
    })
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
