//! The deployment plan as Microsoft Project XML (MSPDI), which MS Project, ProjectLibre and
//! GanttProject open: waves as summary tasks, the tasks with their scheduled start and finish,
//! milestones, and predecessor links with their type and lag. Elements in the schema's order.
//!
//! MSPDI times carry no zone: they are written in the zone of the plan's first wave, the zone
//! the Gantt's axis uses, and the project says which in its title. The project calendar works
//! around the clock, so a project tool keeps the night-time windows as they are; each task is
//! held at its start ("start no earlier than").

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::error::{Error, Result};
use crate::plan::Schedule;
use crate::schedule::DepKind;

const NAMESPACE: &str = "http://schemas.microsoft.com/project";
/// MSPDI's duration formats: minutes.
const MINUTES: &str = "3";
/// The calendar every task uses: 24 hours, 7 days.
const CALENDAR_UID: &str = "1";

/// The plan of release `key` titled `title` as an MSPDI document.
pub fn write(key: &str, title: &str, schedule: &Schedule) -> Result<String> {
    let zone = schedule
        .waves
        .first()
        .map(|w| w.tz.clone())
        .unwrap_or_else(|| "UTC".into());
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    let local = |at: DateTime<Utc>| {
        at.with_timezone(&tz)
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    };
    let start = schedule.starts_at;
    let finish = schedule.finish.unwrap_or(start);

    let mut xml = Xml::new();
    xml.declaration()?;
    xml.open("Project", &[("xmlns", NAMESPACE)])?;
    xml.leaf("SaveVersion", "14")?;
    xml.leaf("Name", &format!("{key}.xml"))?;
    xml.leaf("Title", &format!("{key} {title} (times in {zone})"))?;
    xml.leaf("ScheduleFromStart", "1")?;
    xml.leaf("StartDate", &local(start))?;
    xml.leaf("FinishDate", &local(finish))?;
    xml.leaf("CalendarUID", CALENDAR_UID)?;
    xml.leaf("DefaultStartTime", "00:00:00")?;
    xml.leaf("DefaultFinishTime", "00:00:00")?;
    xml.leaf("MinutesPerDay", "1440")?;
    xml.leaf("MinutesPerWeek", "10080")?;
    xml.leaf("DaysPerMonth", "30")?;
    xml.leaf("DurationFormat", MINUTES)?;

    xml.open("Calendars", &[])?;
    xml.open("Calendar", &[])?;
    xml.leaf("UID", CALENDAR_UID)?;
    xml.leaf("Name", "24 Hours")?;
    xml.leaf("IsBaseCalendar", "1")?;
    xml.open("WeekDays", &[])?;
    for day in 1..=7 {
        xml.open("WeekDay", &[])?;
        xml.leaf("DayType", &day.to_string())?;
        xml.leaf("DayWorking", "1")?;
        xml.open("WorkingTimes", &[])?;
        xml.open("WorkingTime", &[])?;
        xml.leaf("FromTime", "00:00:00")?;
        xml.leaf("ToTime", "00:00:00")?;
        xml.close("WorkingTime")?;
        xml.close("WorkingTimes")?;
        xml.close("WeekDay")?;
    }
    xml.close("WeekDays")?;
    xml.close("Calendar")?;
    xml.close("Calendars")?;

    // UIDs: the waves first (1…), then the tasks in plan order.
    let wave_uid = |wave: usize| wave + 1;
    let task_uid = |i: usize| schedule.waves.len() + i + 1;
    let uid_of = |key: &str| {
        schedule
            .tasks
            .iter()
            .position(|t| t.key == key)
            .map(task_uid)
    };
    xml.open("Tasks", &[])?;
    let mut id = 0;
    for (w, wave) in schedule.waves.iter().enumerate() {
        let tasks: Vec<(usize, &crate::plan::ScheduledTask)> = schedule
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.wave == w)
            .collect();
        let first = tasks.iter().filter_map(|(_, t)| t.start).min();
        let last = tasks.iter().filter_map(|(_, t)| t.end).max();
        id += 1;
        xml.open("Task", &[])?;
        xml.leaf("UID", &wave_uid(w).to_string())?;
        xml.leaf("ID", &id.to_string())?;
        xml.leaf("Name", &wave.name)?;
        xml.leaf("Type", "1")?;
        xml.leaf("IsNull", "0")?;
        xml.leaf("WBS", &(w + 1).to_string())?;
        xml.leaf("OutlineNumber", &(w + 1).to_string())?;
        xml.leaf("OutlineLevel", "1")?;
        if let (Some(first), Some(last)) = (first, last) {
            xml.leaf("Start", &local(first))?;
            xml.leaf("Finish", &local(last))?;
            xml.leaf("Duration", &duration((last - first).num_minutes()))?;
            xml.leaf("DurationFormat", MINUTES)?;
        }
        xml.leaf("Milestone", "0")?;
        xml.leaf("Summary", "1")?;
        xml.leaf("CalendarUID", CALENDAR_UID)?;
        xml.close("Task")?;
        for (n, (i, task)) in tasks.iter().enumerate() {
            id += 1;
            let outline = format!("{}.{}", w + 1, n + 1);
            xml.open("Task", &[])?;
            xml.leaf("UID", &task_uid(*i).to_string())?;
            xml.leaf("ID", &id.to_string())?;
            xml.leaf("Name", &task.name)?;
            xml.leaf("Type", "1")?;
            xml.leaf("IsNull", "0")?;
            xml.leaf("WBS", &outline)?;
            xml.leaf("OutlineNumber", &outline)?;
            xml.leaf("OutlineLevel", "2")?;
            if let (Some(start), Some(end)) = (task.start, task.end) {
                xml.leaf("Start", &local(start))?;
                xml.leaf("Finish", &local(end))?;
            }
            xml.leaf("Duration", &duration(task.minutes))?;
            xml.leaf("DurationFormat", MINUTES)?;
            xml.leaf(
                "Milestone",
                if task.milestone.is_some() { "1" } else { "0" },
            )?;
            xml.leaf("Summary", "0")?;
            xml.leaf("Critical", if task.critical { "1" } else { "0" })?;
            if let Some(start) = task.start {
                // Start No Earlier Than: the tool keeps the window Relman placed it in.
                xml.leaf("ConstraintType", "4")?;
                xml.leaf("CalendarUID", CALENDAR_UID)?;
                xml.leaf("ConstraintDate", &local(start))?;
            } else {
                xml.leaf("CalendarUID", CALENDAR_UID)?;
            }
            let notes = match &task.unplaced {
                Some(why) => format!("{} — not placed: {why}", task.key),
                None => task.key.clone(),
            };
            xml.leaf("Notes", &notes)?;
            for dep in schedule.deps.iter().filter(|d| d.to == task.key) {
                let Some(predecessor) = uid_of(&dep.from) else {
                    continue;
                };
                xml.open("PredecessorLink", &[])?;
                xml.leaf("PredecessorUID", &predecessor.to_string())?;
                xml.leaf("Type", link_type(dep.kind))?;
                xml.leaf("CrossProject", "0")?;
                xml.leaf("LinkLag", &(dep.lag_minutes * 10).to_string())?;
                xml.leaf("LagFormat", MINUTES)?;
                xml.close("PredecessorLink")?;
            }
            xml.close("Task")?;
        }
    }
    xml.close("Tasks")?;
    xml.close("Project")?;
    xml.finish()
}

/// MSPDI's link types: 0 finish-to-finish, 1 finish-to-start, 3 start-to-start.
fn link_type(kind: DepKind) -> &'static str {
    match kind {
        DepKind::FinishToFinish => "0",
        DepKind::FinishToStart => "1",
        DepKind::StartToStart => "3",
    }
}

/// An ISO 8601 duration as MSPDI writes it: `PT2H30M0S`.
fn duration(minutes: i64) -> String {
    format!("PT{}H{}M0S", minutes / 60, minutes % 60)
}

struct Xml {
    writer: Writer<Vec<u8>>,
}

impl Xml {
    fn new() -> Xml {
        Xml {
            writer: Writer::new_with_indent(Vec::new(), b' ', 2),
        }
    }

    fn write(&mut self, event: Event<'_>) -> Result<()> {
        self.writer
            .write_event(event)
            .map_err(|e| Error::Internal(format!("writing MSPDI: {e}")))
    }

    fn declaration(&mut self) -> Result<()> {
        self.write(Event::Decl(BytesDecl::new(
            "1.0",
            Some("UTF-8"),
            Some("yes"),
        )))
    }

    fn open(&mut self, name: &str, attributes: &[(&str, &str)]) -> Result<()> {
        let mut start = BytesStart::new(name);
        for attribute in attributes {
            start.push_attribute(*attribute);
        }
        self.write(Event::Start(start))
    }

    fn close(&mut self, name: &str) -> Result<()> {
        self.write(Event::End(BytesEnd::new(name)))
    }

    fn leaf(&mut self, name: &str, text: &str) -> Result<()> {
        self.open(name, &[])?;
        self.write(Event::Text(BytesText::new(text)))?;
        self.close(name)
    }

    fn finish(self) -> Result<String> {
        String::from_utf8(self.writer.into_inner())
            .map_err(|e| Error::Internal(format!("MSPDI is not UTF-8: {e}")))
    }
}
