//! `make bench-edit`: the round trip of one plan edit at 10,000 tasks in the real window — a
//! task moved with Shift+→ in the Plan tab until its successor shows its new start on screen
//! (IPC, store transaction, scheduler, the returned schedule, re-render). Prints the median of
//! ten edits. Runs under an X display (xvfb-run).

use relman_core::Store;
use relman_core::plan::ScheduleUpdate;
use relman_tests::app::App;
use thirtyfour::prelude::*;

const TASKS: usize = 10_000;

/// The plan on a team database when `RELMAN_TEST_POSTGRES` names a server (`make bench-team`),
/// else in a file.
fn seed(db: &std::path::Path) {
    let mut store = Store::open_any(&db.to_string_lossy()).unwrap();
    relman_tests::seed_large_plan(&mut store, "REL-BENCH", TASKS);
    time_the_store(&mut store);
}

/// For the breakdown: the same edit without the window, in the store (its transaction and the
/// scheduler), then what the app adds (the changes against the schedule shown, as JSON).
fn time_the_store(store: &mut Store) {
    let now = chrono::Utc::now();
    let mut shown = store.schedule("REL-BENCH").unwrap();
    let (mut edits, mut answers, mut bytes) = (Vec::new(), Vec::new(), 0);
    for i in 0..10 {
        let start = shown.task("1.t0").unwrap().start.unwrap() + chrono::Duration::minutes(15);
        let started = std::time::Instant::now();
        let after = store
            .move_task(
                "REL-BENCH",
                "1.t0",
                (i < 9).then_some(start),
                shown.version,
                "bench",
                now,
            )
            .unwrap();
        edits.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = std::time::Instant::now();
        let update = ScheduleUpdate::since(Some(&shown), shown.version, &after);
        bytes = serde_json::to_string(&update).unwrap().len();
        answers.push(started.elapsed().as_secs_f64() * 1000.0);
        shown = after;
    }
    let (mid, low, high) = median(edits);
    println!("the edit in the store: median {mid:.0} ms, min {low:.0} ms, max {high:.0} ms");
    let (mid, low, high) = median(answers);
    println!(
        "its changes against the schedule shown, as JSON ({} kB): median {mid:.1} ms, min {low:.1} ms, max {high:.1} ms",
        bytes / 1000
    );
}

/// Presses Shift+→ on the selected task and waits, in the page, for the next frame after its
/// successor's start cell changed. Returns the milliseconds from the key press to that frame.
const MEASURE: &str = r#"
const done = arguments[arguments.length - 1];
const cell = document.querySelector(".trow[data-row='1.t1'] .cell:nth-child(2)");
const before = cell.textContent;
const started = performance.now();
const grid = document.querySelector(".gantt");
grid.focus();
grid.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", shiftKey: true, bubbles: true }));
const poll = () => {
  const now = document.querySelector(".trow[data-row='1.t1'] .cell:nth-child(2)");
  if (now && now.textContent !== before) {
    requestAnimationFrame(() => done(performance.now() - started));
  } else if (performance.now() - started > 20000) {
    done(-1);
  } else {
    requestAnimationFrame(poll);
  }
};
requestAnimationFrame(poll);
"#;

/// For the breakdown: reading the whole schedule over IPC, without an edit or a render.
const READ: &str = r#"
const done = arguments[arguments.length - 1];
const started = performance.now();
window.__TAURI_INTERNALS__.invoke("get_schedule", { key: "REL-BENCH" })
  .then(() => done(performance.now() - started), () => done(-1));
"#;

const TRACE: &str = r#"
const done = arguments[arguments.length - 1];
window.__relmanCalls = [];
const log = [];
const started = performance.now();
const cell = document.querySelector(".trow[data-row='1.t1'] .cell:nth-child(2)");
const before = cell.textContent;
const grid = document.querySelector(".gantt");
grid.focus();
grid.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", shiftKey: true, bubbles: true }));
const poll = () => {
  const now = document.querySelector(".trow[data-row='1.t1'] .cell:nth-child(2)");
  if (now && now.textContent !== before) {
    requestAnimationFrame(() => {
      log.push(`  painted at ${(performance.now() - started).toFixed(0)} ms`);
      setTimeout(() => {
        for (const c of window.__relmanCalls) log.push(`  ${c.command}: ${(c.start - started).toFixed(0)}..${(c.end - started).toFixed(0)} ms`);
        window.__relmanCalls = undefined;
        done(log.join("\n"));
      }, 1500);
    });
  } else requestAnimationFrame(poll);
};
requestAnimationFrame(poll);
"#;

fn median(mut times: Vec<f64>) -> (f64, f64, f64) {
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[0], times[times.len() - 1])
}

#[tokio::main]
async fn main() -> WebDriverResult<()> {
    let dir = tempfile::tempdir()?;
    let db = match relman_tests::server_database() {
        Some(url) => std::path::PathBuf::from(url),
        None => dir.path().join("relman.db"),
    };
    // The synchronous PostgreSQL client may not run on this async main's thread.
    std::thread::scope(|s| s.spawn(|| seed(&db)).join().unwrap());
    let app = App::launch(&db).await?;
    app.click("#release-table tr[data-key='REL-BENCH'] .row-open")
        .await?;
    app.click("#tab-plan").await?;
    app.find(".gantt .bar").await?;
    app.click("#zoom-hour").await?;
    app.pointer_click(".trow[data-row='1.t0']").await?;
    let mut times = Vec::new();
    for _ in 0..10 {
        let ms: f64 = app.driver.execute_async(MEASURE, vec![]).await?.convert()?;
        assert!(ms >= 0.0, "the successor never moved");
        times.push(ms);
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    }
    let (mid, low, high) = median(times);
    println!(
        "edit round trip at {TASKS} tasks: median {mid:.0} ms, min {low:.0} ms, max {high:.0} ms"
    );
    let mut reads = Vec::new();
    for _ in 0..5 {
        reads.push(
            app.driver
                .execute_async(READ, vec![])
                .await?
                .convert::<f64>()?,
        );
    }
    let (mid, low, high) = median(reads);
    println!(
        "of which reading the whole schedule over IPC: median {mid:.0} ms, min {low:.0} ms, max {high:.0} ms"
    );
    let trace: String = app.driver.execute_async(TRACE, vec![]).await?.convert()?;
    println!("one edit, traced:\n{trace}");
    app.quit().await?;
    Ok(())
}
