//! The deployment plan for project tools: Microsoft Project XML read back by an independent
//! reader (MPXJ, which ProjectLibre and GanttProject open such files with) gives the waves as
//! summary tasks, every task at the time Relman scheduled it, milestones, and the links with
//! their type and lag; the elements come in the order the MSPDI schema gives them.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use relman_core::plan::PlanDep;
use relman_core::schedule::DepKind;
use serde_json::Value;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap()
}

/// The demo's payroll plan (three waves from Berlin), with a finish-to-finish link with a lag.
fn written() -> (relman_core::plan::Schedule, Value, String) {
    let mut store = relman_tests::fresh_store();
    store.load_demo_data("demo", now()).unwrap();
    let key = "REL-2026-101";
    let schedule = store.schedule(key).unwrap();
    let first = &schedule.tasks[0].key;
    let last = &schedule.tasks.iter().rfind(|t| t.wave == 0).unwrap().key;
    let dep = PlanDep {
        from: first.clone(),
        to: last.clone(),
        kind: DepKind::FinishToFinish,
        lag_minutes: 45,
    };
    let schedule = store
        .add_plan_dep(key, &dep, schedule.version, "anna", now())
        .unwrap();
    let xml = store.plan_mspdi(key).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.xml");
    std::fs::write(&file, &xml).unwrap();
    (schedule, relman_tests::read_mspdi(&file), xml)
}

fn berlin(at: Option<DateTime<Utc>>) -> Value {
    at.map(|t| {
        t.with_timezone(&Berlin)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    })
    .into()
}

#[test]
fn a_project_tool_reads_the_plan_as_relman_scheduled_it() {
    let (schedule, read, _) = written();
    assert!(
        read["title"]
            .as_str()
            .unwrap()
            .contains("times in Europe/Berlin"),
        "{}",
        read["title"]
    );
    let tasks = read["tasks"].as_array().unwrap();
    let summaries: Vec<&str> = tasks
        .iter()
        .filter(|t| t["summary"] == true)
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let waves: Vec<&str> = schedule.waves.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(summaries, waves, "each wave is a summary task");
    assert!(
        tasks
            .iter()
            .all(|t| t["outline_level"] == if t["summary"] == true { 1 } else { 2 })
    );

    let leaves: Vec<&Value> = tasks.iter().filter(|t| t["summary"] == false).collect();
    assert_eq!(leaves.len(), schedule.tasks.len());
    let uid_of = |key: &str| -> i64 {
        let name = &schedule.tasks.iter().find(|t| t.key == key).unwrap().name;
        let wave = schedule.tasks.iter().find(|t| t.key == key).unwrap().wave;
        // Task names repeat per wave: the n-th leaf of the same name in wave order.
        let index = schedule
            .tasks
            .iter()
            .filter(|t| &t.name == name && t.wave <= wave)
            .count();
        leaves
            .iter()
            .filter(|t| t["name"] == name.as_str())
            .nth(index - 1)
            .unwrap()["uid"]
            .as_i64()
            .unwrap()
    };
    let mut milestones = 0;
    for (task, read) in schedule.tasks.iter().zip(&leaves) {
        assert_eq!(read["name"], task.name.as_str());
        assert_eq!(read["start"], berlin(task.start), "{}", task.key);
        assert_eq!(read["finish"], berlin(task.end), "{}", task.key);
        assert_eq!(read["minutes"], task.minutes, "{}", task.key);
        assert_eq!(read["milestone"], task.milestone.is_some(), "{}", task.key);
        milestones += usize::from(task.milestone.is_some());
        let mut expected: Vec<(i64, &str, i64)> = schedule
            .deps
            .iter()
            .filter(|d| d.to == task.key)
            .map(|d| {
                let kind = match d.kind {
                    DepKind::FinishToStart => "FS",
                    DepKind::StartToStart => "SS",
                    DepKind::FinishToFinish => "FF",
                };
                (uid_of(&d.from), kind, d.lag_minutes)
            })
            .collect();
        let mut links: Vec<(i64, &str, i64)> = read["predecessors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["uid"].as_i64().unwrap(),
                    l["type"].as_str().unwrap(),
                    l["lag_minutes"].as_i64().unwrap(),
                )
            })
            .collect();
        expected.sort();
        links.sort();
        assert_eq!(links, expected, "the links into {}", task.key);
    }
    assert!(milestones > 0, "the demo plan has milestones");
    assert!(
        leaves.iter().any(|t| t["predecessors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| { l["type"] == "FF" && l["lag_minutes"] == 45 })),
        "the finish-to-finish link keeps its lag"
    );
}

/// The order of the elements Relman writes, as the MSPDI schema (mspdi_pj12.xsd) sequences
/// them: Project's children, a Task's, a PredecessorLink's.
const PROJECT: &[&str] = &[
    "SaveVersion",
    "Name",
    "Title",
    "ScheduleFromStart",
    "StartDate",
    "FinishDate",
    "CalendarUID",
    "DefaultStartTime",
    "DefaultFinishTime",
    "MinutesPerDay",
    "MinutesPerWeek",
    "DaysPerMonth",
    "DurationFormat",
    "Calendars",
    "Tasks",
];
const TASK: &[&str] = &[
    "UID",
    "ID",
    "Name",
    "Type",
    "IsNull",
    "WBS",
    "OutlineNumber",
    "OutlineLevel",
    "Start",
    "Finish",
    "Duration",
    "DurationFormat",
    "Milestone",
    "Summary",
    "Critical",
    "ConstraintType",
    "CalendarUID",
    "ConstraintDate",
    "Notes",
    "PredecessorLink",
];
const LINK: &[&str] = &[
    "PredecessorUID",
    "Type",
    "CrossProject",
    "LinkLag",
    "LagFormat",
];

fn in_order(node: roxmltree::Node, order: &[&str]) {
    let mut at = 0;
    for child in node.children().filter(|c| c.is_element()) {
        let name = child.tag_name().name();
        let position = order
            .iter()
            .position(|o| *o == name)
            .unwrap_or_else(|| panic!("{name} is not expected in {}", node.tag_name().name()));
        assert!(
            position >= at,
            "{name} comes after {} in the schema",
            order[at]
        );
        at = position;
    }
}

#[test]
fn the_elements_come_in_schema_order_and_durations_are_iso() {
    let (_, _, xml) = written();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let project = doc.root_element();
    assert_eq!(
        project.tag_name().namespace(),
        Some("http://schemas.microsoft.com/project")
    );
    in_order(project, PROJECT);
    let tasks = project
        .children()
        .find(|c| c.has_tag_name("Tasks"))
        .unwrap();
    for task in tasks.children().filter(|c| c.is_element()) {
        in_order(task, TASK);
        for link in task
            .children()
            .filter(|c| c.has_tag_name("PredecessorLink"))
        {
            in_order(link, LINK);
        }
        let duration = task
            .children()
            .find(|c| c.has_tag_name("Duration"))
            .and_then(|d| d.text());
        if let Some(duration) = duration {
            assert!(
                duration.starts_with("PT") && duration.ends_with("M0S"),
                "{duration}"
            );
        }
    }
}
