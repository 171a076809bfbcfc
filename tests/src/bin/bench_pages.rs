//! `make bench-pages`: every page at the size of a large shop, in the real window — 5,000
//! releases over five years, 50,000 changes, 20,000 CIs, 50,000 VMs (a whole vCenter) and a
//! 100,000-task plan in one database. Each page is timed from the click that opens it to the
//! frame that shows its rows; each search from the typed text to the frame with the new count;
//! each long table is scrolled for 120 frames while the interval between frames is recorded.
//! Prints the table for the note. Runs under an X display (xvfb-run).

use relman_core::Store;
use relman_core::transfer::{ChangeRecord, CiRecord, Document, ReleaseRecord};
use relman_tests::app::App;
use thirtyfour::prelude::*;

const RELEASES: usize = 5_000;
const CHANGES: usize = 50_000;
const CIS: usize = 20_000;
const VMS: usize = 50_000;
const PLAN_TASKS: usize = 100_000;

/// Clicks `arguments[0]` and answers the milliseconds until the frame after `arguments[1]`
/// matches an element.
const OPEN: &str = r#"
const [click, ready] = arguments;
const done = arguments[arguments.length - 1];
const started = performance.now();
document.querySelector(click).click();
const poll = () => {
  if (document.querySelector(ready)) requestAnimationFrame(() => done(performance.now() - started));
  else if (performance.now() - started > 120000) done(-1);
  else requestAnimationFrame(poll);
};
requestAnimationFrame(poll);
"#;

/// Types `arguments[1]` into the field `arguments[0]` at once (as a paste) and answers the
/// milliseconds until the frame after the text of `arguments[2]` changed.
const SEARCH: &str = r#"
const [field, count, text] = arguments;
const done = arguments[arguments.length - 1];
const input = document.querySelector(field);
const before = document.querySelector(count).textContent;
const started = performance.now();
input.value = text;
input.dispatchEvent(new Event(input.tagName === "SELECT" ? "change" : "input", { bubbles: true }));
const poll = () => {
  if (document.querySelector(count).textContent !== before) requestAnimationFrame(() => done(performance.now() - started));
  else if (performance.now() - started > 30000) done(-1);
  else requestAnimationFrame(poll);
};
requestAnimationFrame(poll);
"#;

/// Clicks the header `arguments[0]` and answers the milliseconds until the frame after the
/// list's first row changed.
const SORT: &str = r#"
const [header] = arguments;
const done = arguments[arguments.length - 1];
const first = () => document.querySelector('#release-table tr[data-key]')?.dataset.key;
const before = first();
const started = performance.now();
document.querySelector(header).click();
const poll = () => {
  if (first() !== before) requestAnimationFrame(() => done(performance.now() - started));
  else if (performance.now() - started > 30000) done(-1);
  else requestAnimationFrame(poll);
};
requestAnimationFrame(poll);
"#;

/// Scrolls `arguments[0]` by 240 px a frame for 120 frames; answers the intervals between
/// frames (60 fps is 16.7 ms each).
const SCROLL: &str = r#"
const [scroller] = arguments;
const done = arguments[arguments.length - 1];
const element = document.querySelector(scroller);
const intervals = [];
let last = null;
const step = (t) => {
  if (last !== null) intervals.push(t - last);
  last = t;
  element.scrollTop += 240;
  if (intervals.length < 120) requestAnimationFrame(step);
  else done(intervals);
};
requestAnimationFrame(step);
"#;

/// Answers the milliseconds one command takes over IPC, with its answer parsed.
const READ: &str = r#"
const [command, args] = arguments;
const done = arguments[arguments.length - 1];
const started = performance.now();
window.__TAURI_INTERNALS__.invoke(command, args)
  .then((answer) => done([performance.now() - started, JSON.stringify(answer).length]), () => done([-1, 0]));
"#;

/// Clicks `arguments[0]` and, once `arguments[1]` is painted, lists each call the window made
/// and when it came back, for where the time of opening goes.
const TRACE: &str = r#"
const [click, ready] = arguments;
const done = arguments[arguments.length - 1];
window.__relmanCalls = [];
const started = performance.now();
document.querySelector(click).click();
const poll = () => {
  if (!document.querySelector(ready)) return requestAnimationFrame(poll);
  requestAnimationFrame(() => {
    const log = [`  painted at ${(performance.now() - started).toFixed(0)} ms`];
    for (const c of window.__relmanCalls) {
      log.push(`  ${c.command}: ${(c.start - started).toFixed(0)}..${(c.end - started).toFixed(0)} ms`);
    }
    window.__relmanCalls = undefined;
    done(log.join("\n"));
  });
};
requestAnimationFrame(poll);
"#;

fn fixed_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-02T09:00:00Z")
        .unwrap()
        .to_utc()
}

/// The shop: its CMDB, its changes and five years of releases in one import, then the vCenter
/// inventory and the large plan.
fn seed(db: &str) {
    let mut store = Store::open_any(db).unwrap();
    let now = fixed_now();
    let statuses = ["draft", "assessed", "authorized", "implemented", "rejected"];
    let document = Document {
        format: "relman".into(),
        version: 4,
        cis: (0..CIS)
            .map(|i| CiRecord {
                name: format!("ci-{i:05}"),
                kind: relman_core::change::CiKind::Application,
                owner: Some(format!("team-{}", i % 40)),
                prod_version: Some(format!("{}.{}", i % 7, i % 13)),
                runs_on: vec![],
                depends_on: if i % 3 == 1 {
                    vec![format!("ci-{:05}", i - 1)]
                } else {
                    vec![]
                },
                contacts: Vec::new(),
            })
            .collect(),
        changes: (0..CHANGES)
            .map(|i| ChangeRecord {
                key: format!("CHG{i:07}"),
                title: format!("Update ci-{:05} to the next version", i % CIS),
                description: String::new(),
                status: statuses[i % statuses.len()].parse().unwrap(),
                risk: None,
                kind: None,
                cis: vec![format!("ci-{:05}", i % CIS)],
                incident_refs: vec![],
                problem_refs: vec![],
                cab_decision_date: None,
                window: None,
            })
            .collect(),
        releases: (0..RELEASES)
            .map(|i| {
                let kind = ["minor", "major", "emergency"][i % 3];
                let start = chrono::NaiveDate::from_ymd_opt(2022, 1, 3).unwrap()
                    + chrono::Days::new((i * 5 * 365 / RELEASES) as u64);
                serde_json::from_value::<ReleaseRecord>(serde_json::json!({
                    "key": format!("REL-{i:05}"),
                    "title": format!("Quarterly update {i} of the payroll services"),
                    "type": kind,
                    "planned_start": start,
                    "planned_end": start + chrono::Days::new(2),
                    "owner": format!("owner-{}", i % 25),
                }))
                .unwrap()
            })
            .collect(),
        ..Document::default()
    };
    store.import(&document, "bench", now).unwrap();
    let inventory =
        relman_core::inventory::read_files(&relman_tests::rvtools_export(VMS), None).unwrap();
    store.import_inventory(&inventory, "bench", now).unwrap();
    relman_tests::seed_large_plan(&mut store, "REL-HUGE", PLAN_TASKS);
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// "median (min–max)" of a few runs.
fn ms(times: &[f64]) -> String {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    format!(
        "{:.0} ({:.0}–{:.0})",
        median(sorted.clone()),
        sorted[0],
        sorted[sorted.len() - 1]
    )
}

fn frames(intervals: &[f64]) -> String {
    let over = intervals.iter().filter(|i| **i > 17.5).count();
    let longest = intervals.iter().cloned().fold(0.0, f64::max);
    format!(
        "median frame {:.1} ms, longest {:.0} ms, {} of {} over 17.5 ms",
        median(intervals.to_vec()),
        longest,
        over,
        intervals.len()
    )
}

async fn open(app: &App, click: &str, ready: &str) -> WebDriverResult<f64> {
    eprintln!("{click}");
    let ms: f64 = app
        .driver
        .execute_async(OPEN, vec![click.into(), ready.into()])
        .await?
        .convert()?;
    assert!(ms >= 0.0, "{ready} never showed after {click}");
    Ok(ms)
}

async fn search(app: &App, field: &str, count: &str, text: &str) -> WebDriverResult<f64> {
    eprintln!("{text:?} in {field}");
    let ms: f64 = app
        .driver
        .execute_async(SEARCH, vec![field.into(), count.into(), text.into()])
        .await?
        .convert()?;
    assert!(ms >= 0.0, "{count} never changed after {text:?} in {field}");
    Ok(ms)
}

async fn scroll(app: &App, scroller: &str) -> WebDriverResult<Vec<f64>> {
    app.driver
        .execute_async(SCROLL, vec![scroller.into()])
        .await?
        .convert()
}

/// Opens a page from the navigation three times (by way of Settings, so it is built anew).
async fn open_page(app: &App, page: &str, ready: &str) -> WebDriverResult<Vec<f64>> {
    let mut times = vec![];
    for _ in 0..3 {
        app.click("#nav-settings").await?;
        app.gone(ready).await?;
        times.push(open(app, &format!("#nav-{page}"), ready).await?);
    }
    Ok(times)
}

/// A search typed and cleared, three times: the times to the narrowed and the full count.
async fn search_page(
    app: &App,
    field: &str,
    count: &str,
    text: &str,
) -> WebDriverResult<(Vec<f64>, Vec<f64>)> {
    let (mut narrowed, mut cleared) = (vec![], vec![]);
    for _ in 0..3 {
        narrowed.push(search(app, field, count, text).await?);
        cleared.push(search(app, field, count, "").await?);
    }
    Ok((narrowed, cleared))
}

#[tokio::main]
async fn main() -> WebDriverResult<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("relman.db");
    let path = db.to_string_lossy().into_owned();
    eprintln!(
        "seeding {RELEASES} releases, {CHANGES} changes, {CIS} CIs, {VMS} VMs, a {PLAN_TASKS}-task plan…"
    );
    let started = std::time::Instant::now();
    // The synchronous PostgreSQL client may not run on this async main's thread.
    std::thread::scope(|s| s.spawn(|| seed(&path)).join().unwrap());
    eprintln!("seeded in {:.0} s", started.elapsed().as_secs_f64());
    let app = App::launch_at(&db, "2026-11-02T09:00:00Z").await?;
    app.wait_text("#release-count", "5,001").await?;
    let mut lines: Vec<(String, String)> = vec![];

    let releases = open_page(&app, "releases", "#release-table tr[data-key]").await?;
    lines.push((format!("Releases ({RELEASES}): open"), ms(&releases)));
    let (narrowed, cleared) =
        search_page(&app, "input.search", "#release-count", "REL-0421").await?;
    lines.push(("Releases: search typed".into(), ms(&narrowed)));
    lines.push(("Releases: search cleared".into(), ms(&cleared)));
    let mut by_type = vec![];
    for _ in 0..3 {
        by_type.push(search(&app, "#type-filter", "#release-count", "major").await?);
        by_type.push(search(&app, "#type-filter", "#release-count", "").await?);
    }
    lines.push(("Releases: filter by type".into(), ms(&by_type)));
    let mut sorts = vec![];
    for _ in 0..4 {
        let ms: f64 = app
            .driver
            .execute_async(SORT, vec!["#sort-title".into()])
            .await?
            .convert()?;
        assert!(ms >= 0.0, "the list never sorted");
        sorts.push(ms);
    }
    lines.push(("Releases: sort by title (each way)".into(), ms(&sorts)));
    lines.push((
        "Releases: scrolling".into(),
        frames(&scroll(&app, ".table-card.rows").await?),
    ));

    let calendar = open_page(&app, "calendar", ".gantt .bar").await?;
    lines.push(("Calendar: open on now".into(), ms(&calendar)));

    let changes = open_page(&app, "changes", "#change-table tr[data-change]").await?;
    lines.push((format!("Changes ({CHANGES}): open"), ms(&changes)));
    let (narrowed, cleared) =
        search_page(&app, "#change-search", "#change-count", "ci-01234").await?;
    lines.push(("Changes: search typed".into(), ms(&narrowed)));
    lines.push(("Changes: search cleared".into(), ms(&cleared)));
    lines.push((
        "Changes: scrolling".into(),
        frames(&scroll(&app, ".rows:has(#change-table)").await?),
    ));

    let cis = open_page(&app, "cis", "#ci-table tr[data-ci]").await?;
    lines.push((format!("CMDB ({CIS} CIs): open"), ms(&cis)));
    let (narrowed, cleared) = search_page(&app, "#ci-search", "#ci-count", "team-7").await?;
    lines.push(("CMDB: search typed".into(), ms(&narrowed)));
    lines.push(("CMDB: search cleared".into(), ms(&cleared)));
    lines.push((
        "CMDB: scrolling".into(),
        frames(&scroll(&app, ".rows:has(#ci-table)").await?),
    ));

    let envs = open_page(&app, "environments", "#environments tr[data-env]").await?;
    lines.push((format!("Environments ({VMS} VMs): open"), ms(&envs)));
    let mut by_state = vec![];
    for _ in 0..3 {
        by_state.push(search(&app, "#env-filter-state", "#env-count", "stopped").await?);
        by_state.push(search(&app, "#env-filter-state", "#env-count", "").await?);
    }
    lines.push(("Environments: filter by state".into(), ms(&by_state)));
    lines.push((
        "Environments: scrolling".into(),
        frames(&scroll(&app, ".rows:has(#environments)").await?),
    ));

    app.click("#nav-releases").await?;
    app.fill("input.search", "REL-HUGE").await?;
    app.click("#release-table tr[data-key='REL-HUGE'] .row-open")
        .await?;
    let mut plan = vec![];
    for _ in 0..3 {
        app.click("#tab-overview").await?;
        app.gone(".gantt .bar").await?;
        plan.push(open(&app, "#tab-plan", ".gantt .bar").await?);
    }
    lines.push((format!("Plan tab ({PLAN_TASKS} tasks): open"), ms(&plan)));
    app.click("#tab-overview").await?;
    app.gone(".gantt .bar").await?;
    let trace: String = app
        .driver
        .execute_async(TRACE, vec!["#tab-plan".into(), ".gantt .bar".into()])
        .await?
        .convert()?;
    let reads = [
        ("list_releases", serde_json::json!({ "filter": {} })),
        ("calendar_view", serde_json::json!({})),
        ("list_changes", serde_json::json!({ "status": null })),
        ("list_cis", serde_json::json!({})),
        ("list_environments", serde_json::json!({})),
        ("get_schedule", serde_json::json!({ "key": "REL-HUGE" })),
        (
            "release_workspace",
            serde_json::json!({ "key": "REL-HUGE" }),
        ),
    ];
    for (command, args) in reads {
        let mut times = vec![];
        let mut size = 0.0;
        for _ in 0..3 {
            let [ms, bytes]: [f64; 2] = app
                .driver
                .execute_async(READ, vec![command.into(), args.clone()])
                .await?
                .convert()?;
            assert!(ms >= 0.0, "{command} failed");
            times.push(ms);
            size = bytes;
        }
        lines.push((
            format!("IPC: {command} ({:.0} kB as JSON)", size / 1000.0),
            ms(&times),
        ));
    }
    app.quit().await?;

    println!(
        "\nPages in the window, ms from the click or the typed text to the frame that shows it: median (min–max) of three\n"
    );
    println!("| what | time |");
    println!("|---|---|");
    for (what, time) in lines {
        println!("| {what} | {time} |");
    }
    println!("\nThe Plan tab opened on {PLAN_TASKS} tasks, traced:\n{trace}");
    Ok(())
}
