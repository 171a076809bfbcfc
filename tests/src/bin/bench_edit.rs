//! `make bench-edit`: the round trip of one plan edit at 10,000 tasks in the real window — a
//! task moved with Shift+→ in the Plan tab until its successor shows its new start on screen
//! (IPC, store transaction, scheduler, the returned schedule, re-render). Prints the median of
//! ten edits. Runs under an X display (xvfb-run).

use relman_core::Store;
use relman_tests::app::App;
use thirtyfour::prelude::*;

const TASKS: usize = 10_000;

/// The plan on a team database when `RELMAN_TEST_POSTGRES` names a server (`make bench-team`),
/// else in a file.
fn seed(db: &std::path::Path) {
    let mut store = Store::open_any(&db.to_string_lossy()).unwrap();
    relman_tests::seed_large_plan(&mut store, "REL-BENCH", TASKS);
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
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
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
    app.quit().await?;
    Ok(())
}
