//! End-to-end tests against the real Relman window (see tests/src/app.rs). Each test types
//! and clicks as a planner would, reads what the window shows, and checks the database.

use chrono::{TimeZone, Utc};
use relman_core::{ReleaseDraft, ReleaseFilter, ReleaseType, Store};
use relman_tests::app::App;
use thirtyfour::prelude::WebDriverResult;

struct Db {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

fn temp_db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relman.db");
    Db { _dir: dir, path }
}

fn stored_keys(db: &Db) -> Vec<String> {
    Store::open(&db.path)
        .unwrap()
        .list_releases(&ReleaseFilter::default())
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect()
}

fn seed(db: &Db, key: &str, title: &str) {
    let draft = ReleaseDraft {
        key: key.into(),
        title: title.into(),
        release_type: ReleaseType::Minor,
        planned_start: "2026-05-02".into(),
        planned_end: "2026-05-03".into(),
        owner: Some("Jonas Weber".into()),
        risk: None,
    };
    let now = Utc.with_ymd_and_hms(2026, 4, 1, 8, 0, 0).unwrap();
    Store::open(&db.path)
        .unwrap()
        .create_release(&draft, "seed", now)
        .unwrap();
}

async fn fill_form(
    app: &App,
    key: &str,
    title: &str,
    start: &str,
    end: &str,
) -> WebDriverResult<()> {
    app.fill("#field-key", key).await?;
    app.fill("#field-title", title).await?;
    app.select("#field-type", "major").await?;
    app.fill("#field-planned_start", start).await?;
    app.fill("#field-planned_end", end).await?;
    app.fill("#field-owner", "Anna Berg").await
}

#[tokio::test]
async fn create_a_release_through_the_form_and_find_it_after_a_restart() -> WebDriverResult<()> {
    let db = temp_db();
    let app = App::launch(&db.path).await?;
    app.find("#empty-state").await?;

    app.click("#new-release").await?;
    fill_form(
        &app,
        "REL-2026-014",
        "Payroll 4.2: tax tables",
        "2026-03-01",
        "2026-03-14",
    )
    .await?;
    app.click("#save-release").await?;

    let row = app
        .find("#release-table tr[data-key='REL-2026-014']")
        .await?;
    let text = row.text().await?;
    assert!(
        text.contains("Payroll 4.2: tax tables"),
        "row shows: {text}"
    );
    assert!(text.contains("Major"), "row shows: {text}");
    assert!(text.contains("Anna Berg"), "row shows: {text}");
    assert!(
        app.wait_text("#toast-message", "Created REL-2026-014")
            .await?
            .contains("Created")
    );
    app.gone("#release-form").await?;
    app.quit().await?;

    let stored = Store::open(&db.path)
        .unwrap()
        .release("REL-2026-014")
        .unwrap();
    assert_eq!(stored.release_type, ReleaseType::Major);
    assert_eq!(stored.planned_end.to_string(), "2026-03-14");

    let app = App::launch(&db.path).await?;
    app.find("#release-table tr[data-key='REL-2026-014']")
        .await?;
    assert_eq!(app.listed_keys().await?, ["REL-2026-014"]);
    app.quit().await
}

#[tokio::test]
async fn bad_input_shows_errors_next_to_the_fields_and_writes_nothing() -> WebDriverResult<()> {
    let db = temp_db();
    seed(&db, "REL-2026-001", "Existing release");
    let app = App::launch(&db.path).await?;
    app.find("#release-table tr[data-key='REL-2026-001']")
        .await?;

    app.click("#new-release").await?;
    fill_form(&app, "REL-2026-002", "", "2026-03-14", "2026-03-01").await?;
    app.click("#save-release").await?;
    assert_eq!(app.text("#error-title").await?, "must not be empty");
    assert_eq!(
        app.text("#error-planned_end").await?,
        "must not be before the planned start (2026-03-14)"
    );
    assert_eq!(
        app.find("#field-title")
            .await?
            .attr("aria-invalid")
            .await?
            .as_deref(),
        Some("true")
    );

    // Fix those, and now the key clashes with the stored release.
    fill_form(
        &app,
        "REL-2026-001",
        "Duplicate",
        "2026-03-01",
        "2026-03-14",
    )
    .await?;
    app.click("#save-release").await?;
    assert_eq!(
        app.wait_text("#error-key", "already exists").await?,
        "REL-2026-001 already exists; choose another key"
    );
    app.gone("#error-title").await?;
    app.find("#release-form").await?;
    app.click("#cancel-release").await?;
    app.gone("#release-form").await?;
    assert_eq!(app.listed_keys().await?, ["REL-2026-001"]);
    app.quit().await?;

    assert_eq!(stored_keys(&db), ["REL-2026-001"]);
    assert_eq!(
        Store::open(&db.path)
            .unwrap()
            .release("REL-2026-001")
            .unwrap()
            .title,
        "Existing release"
    );
    Ok(())
}

#[tokio::test]
async fn delete_a_release_and_undo_it() -> WebDriverResult<()> {
    let db = temp_db();
    seed(&db, "REL-2026-007", "Monitoring agents");
    seed(&db, "REL-2026-008", "VPN certificates");
    let app = App::launch(&db.path).await?;

    app.click("#release-table tr[data-key='REL-2026-007'] .row-open")
        .await?;
    assert!(app.text("#form-heading").await?.contains("REL-2026-007"));
    app.click("#delete-release").await?;
    app.gone("#release-table tr[data-key='REL-2026-007']")
        .await?;
    assert_eq!(app.text("#toast-message").await?, "Deleted REL-2026-007");
    assert_eq!(app.listed_keys().await?, ["REL-2026-008"]);
    assert_eq!(stored_keys(&db), ["REL-2026-008"]);

    app.click("#toast-undo").await?;
    app.find("#release-table tr[data-key='REL-2026-007']")
        .await?;
    assert_eq!(
        app.wait_text("#toast-message", "Restored").await?,
        "Restored REL-2026-007"
    );
    assert_eq!(app.listed_keys().await?, ["REL-2026-007", "REL-2026-008"]);
    app.quit().await?;

    assert_eq!(stored_keys(&db), ["REL-2026-007", "REL-2026-008"]);
    Ok(())
}

#[tokio::test]
async fn an_empty_database_offers_labelled_demo_data() -> WebDriverResult<()> {
    let db = temp_db();
    let app = App::launch(&db.path).await?;
    app.click("#load-demo").await?;
    app.find("#release-table tr[data-key]").await?;
    let keys = app.listed_keys().await?;
    assert_eq!(keys.len(), 5, "{keys:?}");
    let first = app
        .find("#release-table tr[data-key]")
        .await?
        .text()
        .await?;
    assert!(first.contains("DEMO"), "demo rows are labelled: {first}");
    app.gone("#empty-state").await?;
    app.quit().await?;
    assert_eq!(stored_keys(&db).len(), 5);
    Ok(())
}

#[tokio::test]
async fn an_edit_is_saved_and_shown() -> WebDriverResult<()> {
    let db = temp_db();
    seed(&db, "REL-2026-020", "ERP maintenance");
    let app = App::launch(&db.path).await?;
    app.click("#release-table tr[data-key='REL-2026-020'] .row-open")
        .await?;
    app.fill("#field-title", "ERP quarterly maintenance")
        .await?;
    app.click("#save-release").await?;
    let text = app
        .wait_text("#release-table tr[data-key='REL-2026-020']", "quarterly")
        .await?;
    assert!(text.contains("ERP quarterly maintenance"), "{text}");
    app.quit().await?;
    let stored = Store::open(&db.path)
        .unwrap()
        .release("REL-2026-020")
        .unwrap();
    assert_eq!(
        (stored.title.as_str(), stored.version),
        ("ERP quarterly maintenance", 2)
    );
    Ok(())
}
