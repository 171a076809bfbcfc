//! `make screenshot`: starts the real Relman window on a demo database and saves PNGs of it
//! (the release list, the form showing field errors, and the dark theme).
//! Usage: screenshot [OUT_DIR]  (default: docs/). Runs under an X display (xvfb-run).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use relman_core::Store;
use relman_core::store::Progress;
use relman_tests::app::App;
use thirtyfour::prelude::WebDriverResult;

/// Captures the X display the window is on. WebKitWebDriver's own screenshot call fails on
/// this WebKitGTK (the request errors out), and the display shows exactly what a user sees.
async fn capture(path: &Path) {
    tokio::time::sleep(Duration::from_millis(400)).await;
    let status = Command::new("import")
        .args(["-window", "root"])
        .arg(path)
        .status()
        .expect("ImageMagick's import is installed by `make setup`");
    assert!(status.success(), "import failed for {}", path.display());
}

/// Captures the top-left `size` of the display: the window after it was resized to it.
async fn capture_size(path: &Path, size: (u32, u32)) {
    tokio::time::sleep(Duration::from_millis(600)).await;
    let status = Command::new("import")
        .args([
            "-window",
            "root",
            "-crop",
            &format!("{}x{}+0+0", size.0, size.1),
        ])
        .arg(path)
        .status()
        .expect("ImageMagick's import is installed by `make setup`");
    assert!(status.success(), "import failed for {}", path.display());
}

#[tokio::main]
async fn main() -> WebDriverResult<()> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| relman_tests::repo_root().join("docs"));
    std::fs::create_dir_all(&out)?;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("relman.db");
    let now = relman_tests::now();
    Store::open(&db)
        .and_then(|mut s| s.load_demo_data("Anna Berg", now))
        .expect("demo data");
    // One release mid-deployment, for the run view: its first tasks started as planned.
    let running = format!("REL-{}-104", now.format("%Y"));
    {
        let conn = rusqlite::Connection::open(&db).expect("database");
        conn.execute(
            "UPDATE releases SET stage = 'deploying' WHERE key = ?1",
            [&running],
        )
        .expect("deploying");
        let mut store = Store::open(&db).expect("database");
        if let Ok(schedule) = store.schedule(&running) {
            for task in schedule.tasks.iter().take(3) {
                let at = task.start.unwrap_or(now);
                let _ = store.record_progress(
                    &running,
                    &task.key,
                    Progress::Started,
                    at,
                    "Anna Berg",
                    now,
                );
                if let Some(end) = task.end {
                    let _ = store.record_progress(
                        &running,
                        &task.key,
                        Progress::Finished,
                        end,
                        "Anna Berg",
                        now,
                    );
                }
            }
        }
    }

    let app = App::launch(&db).await?;
    app.find("#release-table tr[data-key]").await?;
    capture(&out.join("screenshot.png")).await;

    app.click("#new-release").await?;
    app.fill("#field-key", "REL-2026-014").await?;
    app.fill("#field-planned_start", "2026-03-14").await?;
    app.fill("#field-planned_end", "2026-03-01").await?;
    app.click("#save-release").await?;
    app.find("#error-title").await?;
    capture(&out.join("screenshot-form.png")).await;
    app.click("#cancel-release").await?;

    let first = format!("REL-{}-101", relman_tests::now().format("%Y"));
    app.click(&format!("#release-table tr[data-key='{first}'] .row-open"))
        .await?;
    app.find("#checklist li[data-code]").await?;
    capture(&out.join("screenshot-overview.png")).await;
    app.click("#preview-notice").await?;
    app.find("#notice-text").await?;
    app.driver
        .execute("document.getElementById('notice').scrollIntoView()", vec![])
        .await?;
    capture(&out.join("screenshot-notice.png")).await;
    app.click("#tab-package").await?;
    app.find("#deployment-order").await?;
    capture(&out.join("screenshot-package.png")).await;
    app.click("#tab-history").await?;
    app.find("#history li").await?;
    capture(&out.join("screenshot-history.png")).await;
    app.click("#back-to-releases").await?;
    app.find("#release-table tr[data-key]").await?;

    app.click(".theme-toggle").await?;
    capture(&out.join("screenshot-dark.png")).await;
    app.click(".theme-toggle").await?;

    // The plan and the calendar, as planners see them and as a 1024×768 projector shows them.
    let portal = format!("REL-{}-102", relman_tests::now().format("%Y"));
    let payroll = format!("REL-{}-101", relman_tests::now().format("%Y"));
    for (size, suffix) in [((1280, 800), ""), ((1024, 768), "-1024")] {
        app.driver.set_window_rect(0, 0, size.0, size.1).await?;
        app.click("#nav-releases").await?;
        app.click(&format!(
            "#release-table tr[data-key='{payroll}'] .row-open"
        ))
        .await?;
        app.click("#tab-plan").await?;
        app.find(".gantt .bar").await?;
        capture_size(&out.join(format!("screenshot-plan{suffix}.png")), size).await;
        // A task chosen: its rollback as ghost bars, and where that rollback ends.
        app.click("#zoom-hour").await?;
        app.pointer_click(".trow[data-row='1.start']").await?;
        app.find(".gantt [data-ghost='1.deploy']").await?;
        capture_size(
            &out.join(format!("screenshot-plan-rollback{suffix}.png")),
            size,
        )
        .await;
        app.click("#nav-releases").await?;
        app.click(&format!("#release-table tr[data-key='{portal}'] .row-open"))
            .await?;
        app.click("#tab-plan").await?;
        app.find(".gantt .bar").await?;
        capture_size(
            &out.join(format!("screenshot-plan-conflict{suffix}.png")),
            size,
        )
        .await;
        app.click("#nav-calendar").await?;
        app.find(".gantt .bar").await?;
        capture_size(&out.join(format!("screenshot-calendar{suffix}.png")), size).await;

        // Rollback: per wave, the run of a deploying release, and the model editor.
        app.click("#nav-releases").await?;
        app.click(&format!(
            "#release-table tr[data-key='{payroll}'] .row-open"
        ))
        .await?;
        app.click("#tab-rollback").await?;
        app.find("section.wave").await?;
        capture_size(&out.join(format!("screenshot-rollback{suffix}.png")), size).await;
        app.click("#nav-releases").await?;
        app.click(&format!(
            "#release-table tr[data-key='{running}'] .row-open"
        ))
        .await?;
        app.click("#tab-rollback").await?;
        app.find("#run").await?;
        capture_size(&out.join(format!("screenshot-run{suffix}.png")), size).await;
        app.click("#nav-models").await?;
        app.find("#model-editor").await?;
        capture_size(&out.join(format!("screenshot-models{suffix}.png")), size).await;

        // Test environments: the inventory with one opened, the booking timeline, and the
        // Testing tab of the release being tested.
        // The pointer left over the plan's Gantt keeps a tooltip up: move it off the content.
        app.driver.action_chain().move_to(1, 1).perform().await?;
        app.click("#nav-environments").await?;
        app.click("#environments tr[data-env='test-payroll-01'] .link-button")
            .await?;
        app.find("#env-detail").await?;
        capture_size(
            &out.join(format!("screenshot-environments{suffix}.png")),
            size,
        )
        .await;
        app.driver
            .execute(
                "document.querySelector('#booking-timeline').scrollIntoView()",
                vec![],
            )
            .await?;
        app.find("#booking-timeline .gantt .bar").await?;
        capture_size(&out.join(format!("screenshot-bookings{suffix}.png")), size).await;
        app.click("#nav-releases").await?;
        app.click(&format!(
            "#release-table tr[data-key='{payroll}'] .row-open"
        ))
        .await?;
        app.click("#tab-testing").await?;
        app.find("#testing-rules").await?;
        capture_size(&out.join(format!("screenshot-testing{suffix}.png")), size).await;
        app.click("#tab-documents").await?;
        app.find("#document-pages img.page").await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        capture_size(&out.join(format!("screenshot-documents{suffix}.png")), size).await;
    }

    // CAB mode on a 1024×768 projector, in English and German: the agenda, one release, the
    // decision being recorded. Then every page in German at that size, for overflowing text.
    let size = (1024, 768);
    app.driver.set_window_rect(0, 0, size.0, size.1).await?;
    for lang in ["en", "de"] {
        app.click("#nav-settings").await?;
        app.click(&format!("#language option[value='{lang}']"))
            .await?;
        app.start_cab_meeting(&["Carla Schmidt", "Ben Okafor"])
            .await?;
        capture_size(&out.join(format!("screenshot-cab-agenda-{lang}.png")), size).await;
        app.press(thirtyfour::Key::Right).await?;
        app.find("#cab-release-title").await?;
        capture_size(
            &out.join(format!("screenshot-cab-release-{lang}.png")),
            size,
        )
        .await;
        app.press("a").await?;
        app.find("#cab-decision").await?;
        app.driver
            .execute(
                "document.querySelector('#cab-decision').scrollIntoView()",
                vec![],
            )
            .await?;
        capture_size(
            &out.join(format!("screenshot-cab-decision-{lang}.png")),
            size,
        )
        .await;
        app.press(thirtyfour::Key::Escape).await?;
        app.press(thirtyfour::Key::Escape).await?;
        app.find(".sidebar").await?;
    }
    let de = out.join("de");
    std::fs::create_dir_all(&de)?;
    for page in relman_tests::app::PAGES {
        app.click(&format!("#nav-{page}")).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        capture_size(&de.join(format!("{page}.png")), size).await;
    }
    app.click("#nav-releases").await?;
    app.click(&format!(
        "#release-table tr[data-key='{payroll}'] .row-open"
    ))
    .await?;
    for tab in [
        "overview",
        "scope",
        "package",
        "plan",
        "rollback",
        "testing",
        "approvals",
        "documents",
        "history",
    ] {
        app.click(&format!("#tab-{tab}")).await?;
        tokio::time::sleep(Duration::from_millis(400)).await;
        capture_size(&de.join(format!("release-{tab}.png")), size).await;
    }
    app.click("#nav-settings").await?;
    app.click("#language option[value='en']").await?;

    // After the deployment: a closed release's record, and Measures in each theme.
    let closed = format!("REL-{}-082", relman_tests::now().format("%Y"));
    app.click("#nav-releases").await?;
    app.click(&format!("#release-table tr[data-key='{closed}'] .row-open"))
        .await?;
    app.click("#tab-after").await?;
    app.find("#incidents tr[data-incident]").await?;
    capture_size(&out.join("screenshot-after-1024.png"), size).await;
    for theme in ["light", "dark", "projector"] {
        app.click("#nav-settings").await?;
        app.click(&format!("#theme option[value='{theme}']"))
            .await?;
        app.click("#nav-measures").await?;
        app.find("#shares-table").await?;
        app.driver
            .execute(
                "document.querySelector('#kpi-summary').nextElementSibling.scrollIntoView()",
                vec![],
            )
            .await?;
        capture_size(&out.join(format!("screenshot-measures-{theme}.png")), size).await;
    }
    app.click("#nav-settings").await?;
    app.click("#theme option[value='light']").await?;
    app.find("#database").await?;
    app.driver
        .execute(
            "document.querySelector('#database').scrollIntoView()",
            vec![],
        )
        .await?;
    capture_size(&out.join("screenshot-settings-database.png"), size).await;
    app.click("#nav-calendar").await?;
    app.click("#cal-export").await?;
    app.find("#calendar-export").await?;
    capture_size(&out.join("screenshot-calendar-export.png"), size).await;
    app.press(thirtyfour::Key::Escape).await?;
    app.quit().await?;
    println!("saved screenshots in {}", out.display());
    Ok(())
}
