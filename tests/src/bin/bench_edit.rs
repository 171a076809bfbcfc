//! `make bench-edit`: plan edits in the real window at 1,000, 10,000 and 50,000 tasks — a move
//! (Shift+→), a resize (dragging a bar's end), an undo (Ctrl+Z) and adding a task — each timed
//! from the key press, the mouse's release or the click until the frame that shows its effect
//! (IPC, the store's transaction, the scheduler, the changes, the patched rows, paint).
//! Prints the median of each and where one edit's time goes. `RELMAN_BENCH_SIZES=10000` picks
//! the sizes. Runs under an X display (xvfb-run).

use std::time::Duration;

use relman_core::Store;
use relman_core::plan::ScheduleUpdate;
use relman_tests::app::App;
use thirtyfour::prelude::*;

/// Between two edits the window settles: the checklist and the rollback markers that follow
/// an edit are read again after it (500 and 600 ms), and are not what is measured here.
const SETTLE: Duration = Duration::from_millis(1200);

/// Sets up the measurement of the next edit: remembers the successor's start as shown.
const PREPARE: &str = r#"
window.__bench = {
  before: document.querySelector(".trow[data-row='1.t1'] .cell:nth-child(2)").textContent,
  rows: document.querySelector(".gantt").getAttribute("aria-rowcount"),
  mark: null,
};
document.addEventListener("pointerup", () => (window.__bench.mark = performance.now()), { capture: true, once: true });
"#;

/// Waits for the frame after the edit shows (the successor's start, or the number of rows,
/// changed) and answers the milliseconds since the edit began (`__bench.mark`).
const WAIT: &str = r#"
const done = arguments[arguments.length - 1];
const poll = () => {
  const b = window.__bench;
  const cell = document.querySelector(".trow[data-row='1.t1'] .cell:nth-child(2)");
  const rows = document.querySelector(".gantt").getAttribute("aria-rowcount");
  if (b.mark !== null && ((cell && cell.textContent !== b.before) || rows !== b.rows)) {
    requestAnimationFrame(() => done(performance.now() - b.mark));
  } else if (b.mark !== null && performance.now() - b.mark > 30000) {
    done(-1);
  } else {
    requestAnimationFrame(poll);
  }
};
requestAnimationFrame(poll);
"#;

/// A key on the chart, marked as the edit's beginning.
const KEY: &str = r#"
const [key, shift, ctrl] = arguments;
const grid = document.querySelector(".gantt");
grid.focus();
window.__bench.mark = performance.now();
grid.dispatchEvent(new KeyboardEvent("keydown", { key, shiftKey: shift, ctrlKey: ctrl, bubbles: true }));
"#;

/// The add form's button, marked as the edit's beginning.
const SUBMIT: &str = r#"
window.__bench.mark = performance.now();
document.querySelector('#plan-task-submit').click();
"#;

/// Records the time between frames until the mouse is released: a drag paints at 60 fps when
/// every interval is near 16.7 ms.
const FRAMES: &str = r#"
window.__frames = [];
window.__framesDone = false;
let last = null;
const tick = (t) => {
  if (last !== null) window.__frames.push(t - last);
  last = t;
  if (!window.__framesDone) requestAnimationFrame(tick);
};
document.addEventListener("pointerup", () => (window.__framesDone = true), { capture: true, once: true });
requestAnimationFrame(tick);
"#;

/// Reading the whole schedule over IPC, without an edit or a render.
const READ: &str = r#"
const done = arguments[arguments.length - 1];
const started = performance.now();
window.__TAURI_INTERNALS__.invoke("get_schedule", { key: "REL-BENCH" })
  .then(() => done(performance.now() - started), () => done(-1));
"#;

/// One edit with each call the window makes and when its frame came, for the breakdown.
const TRACE: &str = r#"
const done = arguments[arguments.length - 1];
window.__relmanCalls = [];
const started = performance.now();
const cell = () => document.querySelector(".trow[data-row='1.t1'] .cell:nth-child(2)").textContent;
const before = cell();
const grid = document.querySelector(".gantt");
grid.focus();
grid.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", shiftKey: true, bubbles: true }));
const poll = () => {
  if (cell() === before) return requestAnimationFrame(poll);
  requestAnimationFrame(() => {
    const log = [`  the moved successor painted at ${(performance.now() - started).toFixed(0)} ms`];
    setTimeout(() => {
      for (const c of window.__relmanCalls) {
        log.push(`  ${c.command}: ${(c.start - started).toFixed(0)}..${(c.end - started).toFixed(0)} ms`);
      }
      window.__relmanCalls = undefined;
      done(log.join("\n"));
    }, 1500);
  });
};
requestAnimationFrame(poll);
"#;

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// "N at M fps, longest L ms" for the intervals between frames.
fn frames(intervals: &[f64]) -> String {
    if intervals.is_empty() {
        return "—".into();
    }
    let total: f64 = intervals.iter().sum();
    let longest = intervals.iter().cloned().fold(0.0, f64::max);
    let fps = intervals.len() as f64 * 1000.0 / total;
    format!(
        "{} at {fps:.0} fps, longest {longest:.0} ms",
        intervals.len()
    )
}

fn ms(times: Vec<f64>) -> String {
    let (low, high) = times
        .iter()
        .fold((f64::MAX, 0.0f64), |(l, h), t| (l.min(*t), h.max(*t)));
    format!("{:.0} ({low:.0}–{high:.0})", median(times))
}

/// What the store does for one move, without the window: the transaction with the scheduler,
/// then what the app adds (the changes against the schedule shown, as JSON).
struct StoreTimes {
    edit: Vec<f64>,
    changes: Vec<f64>,
    changes_kb: usize,
}

/// The plan on a team database when `RELMAN_TEST_POSTGRES` names a server (`make bench-team`),
/// else in a file.
fn seed(db: &str, tasks: usize) -> StoreTimes {
    let mut store = Store::open_any(db).unwrap();
    relman_tests::seed_large_plan(&mut store, "REL-BENCH", tasks);
    // The moment App::launch gives the window, not the wall clock.
    let now = relman_tests::now();
    let mut shown = store.schedule("REL-BENCH").unwrap();
    let mut times = StoreTimes {
        edit: vec![],
        changes: vec![],
        changes_kb: 0,
    };
    for i in 0..8 {
        let start = shown.task("1.t0").unwrap().start.unwrap() + chrono::Duration::minutes(15);
        let started = std::time::Instant::now();
        let pin = (i < 7).then_some(start);
        let after = store
            .move_task("REL-BENCH", "1.t0", pin, shown.version, "bench", now)
            .unwrap();
        times.edit.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = std::time::Instant::now();
        let update = ScheduleUpdate::since(Some(&shown), shown.version, &after);
        times.changes_kb = serde_json::to_string(&update).unwrap().len() / 1000;
        times.changes.push(started.elapsed().as_secs_f64() * 1000.0);
        shown = after;
    }
    times
}

async fn measure_key(app: &App, key: &str, shift: bool, ctrl: bool) -> WebDriverResult<f64> {
    app.driver.execute(PREPARE, vec![]).await?;
    let args = vec![key.into(), shift.into(), ctrl.into()];
    app.driver.execute(KEY, args).await?;
    finish(app).await
}

async fn finish(app: &App) -> WebDriverResult<f64> {
    let ms: f64 = app.driver.execute_async(WAIT, vec![]).await?.convert()?;
    assert!(ms >= 0.0, "the edit never showed");
    tokio::time::sleep(SETTLE).await;
    Ok(ms)
}

struct Line {
    tasks: usize,
    store: StoreTimes,
    moves: Vec<f64>,
    resizes: Vec<f64>,
    undos: Vec<f64>,
    adds: Vec<f64>,
    reads: Vec<f64>,
    /// Intervals between frames while a bar is dragged.
    frames: Vec<f64>,
    trace: Option<String>,
}

async fn bench(tasks: usize) -> WebDriverResult<Line> {
    let dir = tempfile::tempdir()?;
    let db = match relman_tests::server_database() {
        Some(url) => url,
        None => dir.path().join("relman.db").to_string_lossy().into_owned(),
    };
    // The synchronous PostgreSQL client may not run on this async main's thread.
    let store = std::thread::scope(|s| s.spawn(|| seed(&db, tasks)).join().unwrap());
    let app = App::launch(std::path::Path::new(&db)).await?;
    app.click("#release-table tr[data-key='REL-BENCH'] .row-open")
        .await?;
    app.click("#tab-plan").await?;
    app.find(".gantt .bar").await?;
    app.click("#zoom-hour").await?;
    app.pointer_click(".trow[data-row='1.t0']").await?;
    let mut line = Line {
        tasks,
        store,
        moves: vec![],
        resizes: vec![],
        undos: vec![],
        adds: vec![],
        reads: vec![],
        frames: vec![],
        trace: None,
    };
    for _ in 0..7 {
        line.moves
            .push(measure_key(&app, "ArrowRight", true, false).await?);
    }
    for _ in 0..7 {
        line.undos.push(measure_key(&app, "z", false, true).await?);
    }
    for i in 0..6 {
        app.driver.execute(PREPARE, vec![]).await?;
        let dx = if i % 2 == 0 { 60 } else { -60 };
        app.pointer_drag(".bar[data-bar='1.t0'] .handle", dx)
            .await?;
        line.resizes.push(finish(&app).await?);
    }
    for i in 0..3 {
        app.click("#add-plan-task").await?;
        app.fill("#plan-task-key", &format!("bench{i}")).await?;
        app.fill("#plan-task-name", &format!("Added {i}")).await?;
        app.driver.execute(PREPARE, vec![]).await?;
        app.driver.execute(SUBMIT, vec![]).await?;
        line.adds.push(finish(&app).await?);
    }
    // A slow drag of a bar across two hours, 60 moves of the mouse, then the drop (a move).
    app.driver.execute(FRAMES, vec![]).await?;
    app.driver.execute(PREPARE, vec![]).await?;
    app.pointer_drag_in(".bar[data-bar='1.t0'] .body", 180, 60)
        .await?;
    finish(&app).await?;
    line.frames = app
        .driver
        .execute("return window.__frames", vec![])
        .await?
        .convert()?;
    for _ in 0..5 {
        let read: f64 = app.driver.execute_async(READ, vec![]).await?.convert()?;
        line.reads.push(read);
    }
    if tasks == 10_000 {
        line.trace = Some(app.driver.execute_async(TRACE, vec![]).await?.convert()?);
    }
    app.quit().await?;
    Ok(line)
}

#[tokio::main]
async fn main() -> WebDriverResult<()> {
    let sizes: Vec<usize> = std::env::var("RELMAN_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000,50000".into())
        .split(',')
        .map(|n| {
            n.trim()
                .parse()
                .expect("RELMAN_BENCH_SIZES: numbers, e.g. 1000,10000")
        })
        .collect();
    let mut lines = Vec::new();
    for tasks in sizes {
        eprintln!("{tasks} tasks…");
        lines.push(bench(tasks).await?);
    }
    println!(
        "\nPlan edits in the window, ms from the input to the frame that shows it: median (min–max)\n"
    );
    println!(
        "| tasks | move | resize | undo | add a task | the move in the store | its changes as JSON | whole schedule over IPC | frames while dragging |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for line in lines.iter_mut() {
        let s = &mut line.store;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} ({} kB) | {} | {} |",
            line.tasks,
            ms(std::mem::take(&mut line.moves)),
            ms(std::mem::take(&mut line.resizes)),
            ms(std::mem::take(&mut line.undos)),
            ms(std::mem::take(&mut line.adds)),
            ms(std::mem::take(&mut s.edit)),
            ms(std::mem::take(&mut s.changes)),
            s.changes_kb,
            ms(std::mem::take(&mut line.reads)),
            frames(&line.frames),
        );
    }
    for line in &lines {
        if let Some(trace) = &line.trace {
            println!("\nOne move at {} tasks, traced:\n{trace}", line.tasks);
        }
    }
    Ok(())
}
