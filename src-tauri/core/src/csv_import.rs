//! CSV files of changes or CIs, in the shapes ServiceNow and Jira export them, read into an
//! exchange [`Document`]. The shape is recognised from the header row; every problem names its
//! row and column. Storing the document is the store's `import`, all-or-nothing.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use ts_rs::TS;

use crate::after::Incident;
use crate::change::{ChangeStatus, CiKind};
use crate::error::{Error, FieldError, Result};
use crate::release::Risk;
use crate::transfer::{ChangeRecord, CiRecord, Document, FORMAT, VERSION};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    ServiceNowChanges,
    JiraChanges,
    Cis,
    ServiceNowIncidents,
    JiraIncidents,
}

impl Shape {
    /// The tool a file came from; a status mapping is remembered per source.
    pub fn source(self) -> &'static str {
        match self {
            Shape::ServiceNowChanges => "servicenow",
            Shape::JiraChanges => "jira",
            Shape::Cis => "cmdb",
            Shape::ServiceNowIncidents => "servicenow",
            Shape::JiraIncidents => "jira",
        }
    }

    pub fn incidents(self) -> bool {
        matches!(self, Shape::ServiceNowIncidents | Shape::JiraIncidents)
    }
}

/// How a CSV import treats what Relman does not know yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
pub struct CsvOptions {
    /// Refuse changes naming CIs the CMDB lacks, instead of creating them.
    #[serde(default)]
    pub strict_cis: bool,
    /// A status as the file writes it (any case) → the Relman status it means.
    #[serde(default)]
    pub status_map: BTreeMap<String, ChangeStatus>,
}

/// What the app asks the user when a CSV file has statuses Relman cannot place.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, TS)]
pub struct MappingRequest {
    /// The file, as the user picked it.
    pub file: String,
    /// "servicenow" or "jira": the mapping is remembered per source.
    pub source: String,
    pub statuses: Vec<String>,
}

/// Reads `"Awaiting implementation=authorized"` (the CLI's `--status-map`).
pub fn parse_status_mapping(text: &str) -> std::result::Result<(String, ChangeStatus), String> {
    let Some((from, to)) = text.rsplit_once('=') else {
        return Err(format!(
            "'{text}' is not a mapping; write it as \"STATUS IN THE FILE=RELMAN STATUS\", e.g. \"Awaiting implementation=authorized\""
        ));
    };
    let status = to.trim().parse::<ChangeStatus>()?;
    let from = from.trim();
    if from.is_empty() {
        return Err(format!("'{text}' names no status of the file before '='"));
    }
    Ok((from.to_lowercase(), status))
}

/// The statuses of a change file that Relman cannot place, even with `map`; empty for a CI
/// file. The app asks the user to map these before it imports.
pub fn unknown_statuses(
    text: &str,
    map: &BTreeMap<String, ChangeStatus>,
) -> Result<(Shape, Vec<String>)> {
    let (shape, columns, mut reader) = open(text)?;
    let mut unknown: Vec<String> = Vec::new();
    if shape == Shape::Cis || shape.incidents() {
        return Ok((shape, unknown));
    }
    let Some(column) = columns.find(&["state", "status"]) else {
        return Ok((shape, unknown));
    };
    for row in reader.records().flatten() {
        let text = row.get(column).unwrap_or("").trim().to_string();
        if change_status(&text, map).is_none() && !unknown.contains(&text) {
            unknown.push(text);
        }
    }
    Ok((shape, unknown))
}

/// Every record with its file line; a record the reader cannot read is a problem on its line.
fn records(
    reader: &mut csv::Reader<&[u8]>,
    problems: &mut Vec<FieldError>,
) -> Vec<(usize, csv::StringRecord)> {
    let mut read = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        match row {
            Ok(row) => read.push((line, row)),
            Err(e) => problems.push(FieldError::new(&format!("row {line}"), e.to_string())),
        }
    }
    read
}

/// The tools' CSV: ragged rows allowed, cells trimmed, a byte order mark ignored.
fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
}

fn open(text: &str) -> Result<(Shape, Columns, csv::Reader<&[u8]>)> {
    let mut reader = reader(text);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| refused("row 1", format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let columns = Columns { headers };
    let servicenow = columns.find(&["number"]).is_some();
    let jira = columns.find(&["issue key"]).is_some() && columns.find(&["summary"]).is_some();
    // An incident export is told by the columns only incidents have, before the change shapes
    // (ServiceNow's incident table also has number and short_description).
    let shape = if servicenow && columns.find(&["opened_at"]).is_some() {
        Shape::ServiceNowIncidents
    } else if jira && jira_incidents(&columns, text) {
        Shape::JiraIncidents
    } else if servicenow && columns.find(&["short_description"]).is_some() {
        Shape::ServiceNowChanges
    } else if jira {
        Shape::JiraChanges
    } else if columns.find(&["name"]).is_some()
        && columns.find(&["kind", "sys_class_name", "class"]).is_some()
    {
        Shape::Cis
    } else {
        let shown: Vec<&str> = columns.headers.iter().take(6).map(String::as_str).collect();
        let more = if columns.headers.len() > 6 {
            ", …"
        } else {
            ""
        };
        return Err(refused(
            "row 1",
            format!(
                "the header row ({}{more}) is not one Relman knows: expected a ServiceNow change \
                 export (number, short_description, …), a ServiceNow incident export (number, \
                 opened_at, resolved_at, caused_by, …), a Jira export of changes or incidents \
                 (Issue key, Summary, …) or CIs (name, kind or sys_class_name, version)",
                shown.join(", ")
            ),
        ));
    };
    Ok((shape, columns, reader))
}

/// Whether a Jira export is of incidents: its Issue Type column says Incident on every row.
fn jira_incidents(columns: &Columns, text: &str) -> bool {
    let Some(column) = columns.find(&["issue type"]) else {
        return false;
    };
    let types: Vec<String> = reader(text)
        .records()
        .flatten()
        .map(|row| row.get(column).unwrap_or("").to_lowercase())
        .collect();
    !types.is_empty() && types.iter().all(|t| t == "incident")
}

/// One row of an incident export, with the change it names as its cause.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRow {
    /// The file line.
    pub line: usize,
    pub incident: Incident,
    pub caused_by: Option<String>,
}

/// Reads an incident export of ServiceNow (`incident` table) or Jira Service Management;
/// every problem names its row and column.
pub fn parse_incidents(text: &str) -> Result<Vec<IncidentRow>> {
    let (shape, columns, mut reader) = open(text)?;
    if !shape.incidents() {
        return Err(refused(
            "row 1",
            "this is not an incident export: it has no opened_at column (ServiceNow) or no \
             Issue Type of Incident (Jira Service Management)",
        ));
    }
    let jira = shape == Shape::JiraIncidents;
    let cause_columns: Vec<usize> = (0..columns.headers.len())
        .filter(|&i| {
            let h = &columns.headers[i];
            h == "caused_by" || h == "caused by" || h.starts_with("inward issue link (caus")
        })
        .collect();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (line, row) in records(&mut reader, &mut problems) {
        let cell = |names: &[&str]| columns.cell(&row, names);
        let mut problem = |column: &str, message: String| {
            problems.push(FieldError::new(
                &format!("row {line}, column '{column}'"),
                message,
            ));
        };
        let (opened_column, resolved_column) = if jira {
            ("Created", "Resolved")
        } else {
            ("opened_at", "resolved_at")
        };
        let opened = match datetime(&cell(&["opened_at", "created"])) {
            Ok(Some(at)) => at,
            Ok(None) => {
                problem(
                    opened_column,
                    "an incident needs the time it was opened".into(),
                );
                continue;
            }
            Err(message) => {
                problem(opened_column, message);
                continue;
            }
        };
        let resolved = match datetime(&cell(&["resolved_at", "resolved", "resolution date"])) {
            Ok(at) => at,
            Err(message) => {
                problem(resolved_column, message);
                continue;
            }
        };
        let priority = cell(&["priority"]);
        let severity_text = if priority.is_empty() {
            cell(&["severity", "custom field (severity)"])
        } else {
            priority
        };
        let Some(severity) = severity(&severity_text) else {
            problem(
                if jira { "Priority" } else { "priority" },
                format!(
                    "'{severity_text}' is not a priority Relman can place; use 1 - Critical, \
                     2 - High, 3 - Moderate, 4 - Low (ServiceNow) or Highest, High, Medium, Low, \
                     Lowest (Jira)"
                ),
            );
            continue;
        };
        let caused_by = cause_columns
            .iter()
            .filter_map(|&c| row.get(c))
            .flat_map(|v| v.split([',', ';']))
            .map(|v| v.trim().to_string())
            .find(|v| !v.is_empty());
        let incident = Incident {
            key: cell(&["number", "issue key"]),
            severity,
            opened,
            resolved,
            ci: non_empty(cell(&[
                "cmdb_ci",
                "configuration item",
                "custom field (affected services)",
                "component/s",
            ])),
            note: cell(&["short_description", "summary"]),
        };
        match incident.validate() {
            Ok(incident) => rows.push(IncidentRow {
                line,
                incident,
                caused_by,
            }),
            Err(Error::Validation(fields)) => {
                for f in fields {
                    problem(&f.field, f.message);
                }
            }
            Err(other) => return Err(other),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    Ok(rows)
}

/// Relman's severity 1 (worst) to 4 from ServiceNow's "2 - High" or Jira's "High".
fn severity(text: &str) -> Option<u8> {
    let text = text.trim().to_lowercase();
    if let Some(digit) = text.chars().next().and_then(|c| c.to_digit(10)) {
        return (1..=5).contains(&digit).then(|| digit.min(4) as u8);
    }
    match text.as_str() {
        "highest" | "critical" | "blocker" => Some(1),
        "high" | "major" => Some(2),
        "medium" | "moderate" => Some(3),
        "low" | "lowest" | "minor" | "trivial" | "planning" => Some(4),
        _ => None,
    }
}

/// A CSV file read into a document; `lines[i]` is the file line of record `i`.
#[derive(Debug)]
pub struct CsvDocument {
    pub shape: Shape,
    pub document: Document,
    pub lines: Vec<usize>,
}

impl CsvDocument {
    /// Turns a problem path of the document ("$.changes[3].key") into "row 5, key".
    pub fn locate(&self, path: &str) -> String {
        let rest = path
            .strip_prefix("$.changes[")
            .or_else(|| path.strip_prefix("$.cis["));
        let Some((index, field)) = rest.and_then(|r| r.split_once(']')) else {
            return path.to_string();
        };
        let line = index.parse::<usize>().ok().and_then(|i| self.lines.get(i));
        match line {
            Some(line) => format!("row {line}{}", field.replacen('.', ", ", 1)),
            None => path.to_string(),
        }
    }
}

/// The columns a record is read from, by the names the tools give them (lower case).
struct Columns {
    headers: Vec<String>,
}

impl Columns {
    fn find(&self, names: &[&str]) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| names.contains(&h.as_str()))
    }

    /// The cell of `row` in the first column with one of these names; empty when none.
    fn cell(&self, row: &csv::StringRecord, names: &[&str]) -> String {
        self.find(names)
            .and_then(|c| row.get(c))
            .unwrap_or("")
            .to_string()
    }

    /// All columns with one of these names (Jira repeats "Component/s" once per value).
    fn all(&self, names: &[&str]) -> Vec<usize> {
        (0..self.headers.len())
            .filter(|i| names.contains(&self.headers[*i].as_str()))
            .collect()
    }
}

pub fn parse(text: &str, status_map: &BTreeMap<String, ChangeStatus>) -> Result<CsvDocument> {
    let (shape, columns, mut reader) = open(text)?;
    let mut document = Document {
        format: FORMAT.into(),
        version: VERSION,
        cis: Vec::new(),
        changes: Vec::new(),
        releases: Vec::new(),
        ..Document::default()
    };
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (line, row) in records(&mut reader, &mut problems) {
        let cell = |names: &[&str]| columns.cell(&row, names);
        let mut problem = |column: &str, message: String| {
            problems.push(FieldError::new(
                &format!("row {line}, column '{column}'"),
                message,
            ));
        };
        match shape {
            Shape::Cis => {
                let kind_text = cell(&["kind", "sys_class_name", "class"]);
                let Some(kind) = ci_kind(&kind_text) else {
                    problem(
                        "kind",
                        format!(
                            "'{kind_text}' is not a CI kind; use service, application, server or component"
                        ),
                    );
                    continue;
                };
                document.cis.push(CiRecord {
                    name: cell(&["name"]),
                    kind,
                    owner: non_empty(cell(&["owner", "owned_by", "managed_by"])),
                    prod_version: non_empty(cell(&[
                        "version",
                        "prod_version",
                        "production version",
                    ])),
                    runs_on: Vec::new(),
                    depends_on: Vec::new(),
                    contacts: Vec::new(),
                });
            }
            Shape::ServiceNowIncidents | Shape::JiraIncidents => {
                return Err(refused(
                    "row 1",
                    "this is an incident export; it is read by the incident import",
                ));
            }
            Shape::ServiceNowChanges | Shape::JiraChanges => {
                let jira = shape == Shape::JiraChanges;
                let number = cell(&["number", "issue key"]);
                if !jira && number.to_uppercase().starts_with("INC") {
                    problem(
                        "number",
                        format!(
                            "{number} looks like an incident, not a change, but the file has no \
                             opened_at column; export ServiceNow's incident table with opened_at, \
                             resolved_at, priority, cmdb_ci and caused_by"
                        ),
                    );
                    continue;
                }
                let status_text = cell(&["state", "status"]);
                let mut status = match change_status(&status_text, status_map) {
                    Some(status) => status,
                    None => {
                        problem(
                            if jira { "Status" } else { "state" },
                            format!(
                                "'{status_text}' is not a change status Relman knows; map it to one of {} \
                                 (CLI: --status-map \"{status_text}=authorized\"; app: the import asks). \
                                 Known without a mapping: {}",
                                ChangeStatus::ALL
                                    .iter()
                                    .map(|s| s.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                KNOWN_STATUSES
                            ),
                        );
                        continue;
                    }
                };
                let approval = cell(&["approval"]).to_lowercase();
                if approval == "approved"
                    && matches!(status, ChangeStatus::Draft | ChangeStatus::Assessed)
                {
                    status = ChangeStatus::Authorized;
                } else if approval == "rejected" {
                    status = ChangeStatus::Rejected;
                }
                let risk_text =
                    cell(&["risk", "custom field (risk)", "custom field (change risk)"]);
                let risk = match risk(&risk_text) {
                    Ok(risk) => risk,
                    Err(message) => {
                        problem("risk", message);
                        continue;
                    }
                };
                let date_text = cell(&[
                    "cab_date",
                    "cab date",
                    "custom field (cab decision date)",
                    "cab_decision_date",
                ]);
                let cab_decision_date = match date(&date_text) {
                    Ok(date) => date,
                    Err(message) => {
                        problem("cab date", message);
                        continue;
                    }
                };
                let (start_column, end_column) = if jira {
                    ("Planned start", "Planned end")
                } else {
                    ("start_date", "end_date")
                };
                let moment = |names: &[&str], column: &str| {
                    datetime(&cell(names)).map_err(|message| (column.to_string(), message))
                };
                let window = match (
                    moment(
                        &[
                            "start_date",
                            "planned start",
                            "custom field (planned start)",
                        ],
                        start_column,
                    ),
                    moment(
                        &["end_date", "planned end", "custom field (planned end)"],
                        end_column,
                    ),
                ) {
                    (Err((column, message)), _) | (_, Err((column, message))) => {
                        problem(&column, message);
                        continue;
                    }
                    (Ok(None), Ok(None)) => None,
                    (Ok(Some(_)), Ok(None)) => {
                        problem(
                            end_column,
                            "the planned window has a start but no end".into(),
                        );
                        continue;
                    }
                    (Ok(None), Ok(Some(_))) => {
                        problem(
                            start_column,
                            "the planned window has an end but no start".into(),
                        );
                        continue;
                    }
                    (Ok(Some(start)), Ok(Some(end))) => {
                        let window = crate::change::ChangeWindow { start, end };
                        if let Err(e) = window.check() {
                            problem(end_column, e.message);
                            continue;
                        }
                        Some(window)
                    }
                };
                let cis: Vec<String> = columns
                    .all(&["cmdb_ci", "configuration item", "component/s", "components"])
                    .into_iter()
                    .filter_map(|c| row.get(c))
                    .flat_map(|v| v.split([',', ';']))
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect();
                document.changes.push(ChangeRecord {
                    key: cell(&["number", "issue key"]),
                    title: cell(&["short_description", "summary"]),
                    description: cell(&["description"]),
                    status,
                    risk,
                    kind: None,
                    cis,
                    incident_refs: Vec::new(),
                    problem_refs: Vec::new(),
                    cab_decision_date,
                    window,
                });
            }
        }
        lines.push(line);
    }
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    Ok(CsvDocument {
        shape,
        document,
        lines,
    })
}

fn refused(at: &str, message: impl Into<String>) -> Error {
    Error::Validation(vec![FieldError::new(at, message)])
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

fn ci_kind(text: &str) -> Option<CiKind> {
    let text = text.to_lowercase();
    if let Ok(kind) = text.parse() {
        return Some(kind);
    }
    // ServiceNow class names.
    match text.as_str() {
        "cmdb_ci_service" | "cmdb_ci_service_discovered" | "service_offering" => {
            Some(CiKind::Service)
        }
        "cmdb_ci_appl" | "cmdb_ci_app_server" | "cmdb_ci_application_software" => {
            Some(CiKind::Application)
        }
        t if t.starts_with("cmdb_ci_") && t.ends_with("server") => Some(CiKind::Server),
        t if t.starts_with("cmdb_ci_") => Some(CiKind::Component),
        _ => None,
    }
}

/// The statuses read without a mapping, for the refusal's message.
const KNOWN_STATUSES: &str = "ServiceNow's New, Assess, Authorize, Scheduled, Implement, Review, \
     Closed, Canceled; Jira Service Management's Planning, Peer review / change manager approval, \
     Awaiting CAB approval, Awaiting implementation, Implementing, Completed, Declined, Canceled, \
     Failed; and Relman's own";

fn change_status(text: &str, map: &BTreeMap<String, ChangeStatus>) -> Option<ChangeStatus> {
    use ChangeStatus::*;
    let text = text.trim().to_lowercase();
    if let Some(status) = map.get(&text) {
        return Some(*status);
    }
    if let Ok(status) = text.parse() {
        return Some(status);
    }
    Some(match text.as_str() {
        // ServiceNow states, by label and by number.
        "new" | "-5" => Draft,
        "assess" | "authorize" | "-4" | "-3" => Assessed,
        "scheduled" | "implement" | "-2" | "-1" => Authorized,
        "review" | "closed" | "0" | "3" => Implemented,
        "canceled" | "cancelled" | "4" => Rejected,
        // Jira statuses.
        "to do" | "open" | "backlog" => Draft,
        "in review" | "in progress" | "assessment" => Assessed,
        "approved" | "authorised" => Authorized,
        "done" | "resolved" => Implemented,
        "declined" | "won't do" => Rejected,
        // Jira Service Management's change workflow. "Failed" was authorized and attempted;
        // it is not implemented, so it stays authorized for a release to deliver.
        "planning" => Draft,
        "peer review / change manager approval" | "awaiting cab approval" => Assessed,
        "awaiting implementation" | "implementing" | "failed" => Authorized,
        "completed" => Implemented,
        _ => return None,
    })
}

fn risk(text: &str) -> std::result::Result<Option<Risk>, String> {
    let lower = text.to_lowercase();
    let word = lower
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '-')
        .trim();
    match word {
        "" | "none" => Ok(None),
        "high" | "very high" | "critical" => Ok(Some(Risk::High)),
        "moderate" | "medium" => Ok(Some(Risk::Medium)),
        "low" | "very low" => Ok(Some(Risk::Low)),
        _ => Err(format!("'{text}' is not a risk; use High, Moderate or Low")),
    }
}

/// A moment as the tools write it: RFC 3339 with its offset, or one of the date-time forms of
/// [`date`] without one, read as UTC (the time ServiceNow and Jira export their system fields
/// in). A date alone is its midnight.
pub fn datetime(text: &str) -> std::result::Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(Some(at.to_utc()));
    }
    if let Some(at) = without_offset(text) {
        return Ok(Some(at.and_utc()));
    }
    Err(format!(
        "'{text}' is not a date and time; use e.g. 2026-03-14 22:00:00 (UTC) or 2026-03-14T22:00:00+01:00"
    ))
}

/// A date, or a date and time, in one of the forms the tools write without an offset; a date
/// alone is its midnight.
fn without_offset(text: &str) -> Option<NaiveDateTime> {
    const DATES: [&str; 3] = ["%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y"];
    const DATETIMES: [&str; 9] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M",
        "%d/%b/%y %I:%M %p",
    ];
    DATES
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
        .map(|day| day.and_time(chrono::NaiveTime::MIN))
        .or_else(|| {
            DATETIMES
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        })
}

/// A date as the tools write it: ISO, with or without a time; German 14.03.2026; US 03/14/2026;
/// Jira's 14/Mar/26 10:00 AM.
pub fn date(text: &str) -> std::result::Result<Option<NaiveDate>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(Some(at.date_naive()));
    }
    if let Some(at) = without_offset(text) {
        return Ok(Some(at.date()));
    }
    Err(format!(
        "'{text}' is not a date; use e.g. 2026-03-14, 14.03.2026 or 03/14/2026"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servicenow_changes() {
        let csv = "number,short_description,description,state,approval,risk,cmdb_ci,cab_date\n\
                   CHG0031415,Tax tables,New tables,Scheduled,approved,2 - Moderate,payroll-api,2026-03-14 10:00:00\n\
                   CHG0031416,Payslip index,,New,not yet requested,Low,payroll-db,\n";
        let read = parse(csv, &BTreeMap::new()).unwrap();
        assert_eq!(read.shape, Shape::ServiceNowChanges);
        let first = &read.document.changes[0];
        assert_eq!(
            (first.key.as_str(), first.status, first.risk),
            ("CHG0031415", ChangeStatus::Authorized, Some(Risk::Medium))
        );
        assert_eq!(first.cis, ["payroll-api"]);
        assert_eq!(
            first.cab_decision_date,
            NaiveDate::from_ymd_opt(2026, 3, 14)
        );
        assert_eq!(read.document.changes[1].status, ChangeStatus::Draft);
        assert_eq!(read.lines, [2, 3]);
    }

    #[test]
    fn jira_changes_with_repeated_component_columns() {
        let csv = "Summary,Issue key,Status,Component/s,Component/s,Custom field (CAB decision date)\n\
                   Portal SSO,CHG-7,Approved,portal,auth,14/Mar/26 10:00 AM\n";
        let read = parse(csv, &BTreeMap::new()).unwrap();
        assert_eq!(read.shape, Shape::JiraChanges);
        let change = &read.document.changes[0];
        assert_eq!(change.cis, ["portal", "auth"]);
        assert_eq!(change.status, ChangeStatus::Authorized);
        assert_eq!(
            change.cab_decision_date,
            NaiveDate::from_ymd_opt(2026, 3, 14)
        );
    }

    #[test]
    fn cis_by_servicenow_class() {
        let csv = "name,sys_class_name,version,owned_by\npayroll-api,cmdb_ci_appl,2.1,Anna\nsrv-01,cmdb_ci_linux_server,,\n";
        let read = parse(csv, &BTreeMap::new()).unwrap();
        assert_eq!(read.document.cis[0].kind, CiKind::Application);
        assert_eq!(read.document.cis[1].kind, CiKind::Server);
        assert_eq!(read.document.cis[1].prod_version, None);
    }

    #[test]
    fn every_bad_cell_is_reported_with_row_and_column() {
        let csv = "number,short_description,state,risk,cab_date\n\
                   CHG1,ok,New,Low,\n\
                   CHG2,bad state,Sleeping,Low,\n\
                   CHG3,bad risk,New,Extreme,\n\
                   CHG4,bad date,New,Low,31.02.2026\n";
        let Err(Error::Validation(problems)) = parse(csv, &BTreeMap::new()) else {
            panic!("must be refused")
        };
        let at: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            at,
            [
                "row 3, column 'state'",
                "row 4, column 'risk'",
                "row 5, column 'cab date'"
            ]
        );
    }

    #[test]
    fn jira_service_management_statuses_and_a_users_mapping() {
        let csv = "Summary,Issue key,Status\n\
                   A,CHG-1,Planning\n\
                   B,CHG-2,Awaiting implementation\n\
                   C,CHG-3,Peer review / change manager approval\n\
                   D,CHG-4,Ready for rollout\n";
        let none = BTreeMap::new();
        let (_, unknown) = unknown_statuses(csv, &none).unwrap();
        assert_eq!(unknown, ["Ready for rollout"]);
        let Err(Error::Validation(problems)) = parse(csv, &none) else {
            panic!("an unmapped status is refused")
        };
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("--status-map"),
            "{}",
            problems[0].message
        );
        assert!(
            problems[0].message.contains("authorized"),
            "lists Relman's statuses"
        );

        let map = BTreeMap::from([parse_status_mapping("Ready for rollout=authorized").unwrap()]);
        let read = parse(csv, &map).unwrap();
        let statuses: Vec<ChangeStatus> = read.document.changes.iter().map(|c| c.status).collect();
        use ChangeStatus::*;
        assert_eq!(statuses, [Draft, Authorized, Assessed, Authorized]);
        assert!(
            parse_status_mapping("Ready=sleeping")
                .unwrap_err()
                .contains("authorized")
        );
        assert!(parse_status_mapping("no equals sign").is_err());
    }

    #[test]
    fn dates_in_common_formats() {
        let march14 = NaiveDate::from_ymd_opt(2026, 3, 14);
        for text in [
            "2026-03-14",
            "2026-03-14T09:30:00Z",
            "14.03.2026",
            "14.03.2026 09:30",
            "03/14/2026",
            "03/14/2026 09:30:00 AM",
        ] {
            assert_eq!(date(text), Ok(march14), "{text}");
        }
        assert!(date("yesterday").is_err());
    }

    #[test]
    fn an_unknown_header_is_refused() {
        assert!(
            parse("a,b\n1,2\n", &BTreeMap::new())
                .unwrap_err()
                .to_string()
                .contains("header row")
        );
    }

    #[test]
    fn locate_maps_document_paths_to_rows() {
        let read = parse("name,kind\na,service\nb,server\n", &BTreeMap::new()).unwrap();
        assert_eq!(read.locate("$.cis[1].name"), "row 3, name");
        assert_eq!(read.locate("$.cis[0]"), "row 2");
    }
}
