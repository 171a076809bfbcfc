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
        requester: None,
        dev_docs: None,
        ops_docs: None,
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
    app.click("#edit-release").await?;
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
    // The current releases and the ones finished in the past months (for Measures).
    let demo = relman_core::demo::releases(relman_tests::now().date_naive()).len()
        + relman_core::demo::finished().len();
    let keys = app.listed_keys().await?;
    assert_eq!(keys.len(), demo, "{keys:?}");
    let first = app
        .find("#release-table tr[data-key]")
        .await?
        .text()
        .await?;
    assert!(first.contains("DEMO"), "demo rows are labelled: {first}");
    app.gone("#empty-state").await?;
    app.quit().await?;
    assert_eq!(stored_keys(&db).len(), demo);
    Ok(())
}

#[tokio::test]
async fn an_edit_is_saved_and_shown() -> WebDriverResult<()> {
    let db = temp_db();
    seed(&db, "REL-2026-020", "ERP maintenance");
    let app = App::launch(&db.path).await?;
    app.click("#release-table tr[data-key='REL-2026-020'] .row-open")
        .await?;
    app.click("#edit-release").await?;
    app.fill("#field-title", "ERP quarterly maintenance")
        .await?;
    app.click("#save-release").await?;
    assert_eq!(
        app.wait_text("#workspace-title", "quarterly").await?,
        "ERP quarterly maintenance"
    );
    app.click("#back-to-releases").await?;
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

async fn set_profile(app: &App, name: &str, cab_member: bool) -> WebDriverResult<()> {
    app.click("#nav-settings").await?;
    app.find("#profile-form[data-loaded='true']").await?;
    app.fill("#profile-name", name).await?;
    let cab = app.find("#role-cab_member").await?;
    if cab.is_selected().await? != cab_member {
        cab.click().await?;
    }
    app.click("#save-profile").await?;
    assert_eq!(app.wait_text("#actor", name).await?, name);
    Ok(())
}

/// A one-step deployment model without downtime, so a plan needs no maintenance window.
fn seed_model(db: &Db) {
    let model = relman_tests::one_step_model("Simple rollout");
    let now = Utc.with_ymd_and_hms(2026, 4, 1, 8, 0, 0).unwrap();
    Store::open(&db.path)
        .unwrap()
        .save_model(&model, "seed", now)
        .unwrap();
}

async fn open_release(app: &App, key: &str) -> WebDriverResult<()> {
    app.click("#nav-releases").await?;
    app.click(&format!("#release-table tr[data-key='{key}'] .row-open"))
        .await?;
    app.find("#workspace-title").await?;
    Ok(())
}

async fn advance(app: &App, to: &str) -> WebDriverResult<()> {
    app.click("#tab-overview").await?;
    app.click("#advance").await?;
    assert_eq!(app.wait_text("#workspace-stage", to).await?, to);
    Ok(())
}

/// Issue 3's flow: scope with an unauthorized change blocks the move and the checklist says
/// why; the requester cannot approve; a CAB member can; each step is in the history.
#[tokio::test]
async fn rules_block_explain_and_record_a_release_through_cab() -> WebDriverResult<()> {
    let db = temp_db();
    seed_model(&db);
    let app = App::launch(&db.path).await?;
    set_profile(&app, "Rita Requester", true).await?;

    app.click("#nav-cis").await?;
    app.fill("#ci-name", "payroll-api").await?;
    app.fill("#ci-version", "2.1").await?;
    app.click("#save-ci").await?;
    app.find("#ci-table tr[data-ci='payroll-api']").await?;

    app.click("#nav-changes").await?;
    for (key, title, status) in [
        ("CHG0031415", "Tax tables 2027", "authorized"),
        ("CHG0031416", "Payslip layout", "draft"),
    ] {
        app.click("#new-change").await?;
        app.fill("#change-key", key).await?;
        app.fill("#change-title", title).await?;
        app.select("#change-status", status).await?;
        if status == "authorized" {
            app.click("#change-cis option[value='payroll-api']").await?;
        }
        app.click("#create-change").await?;
        app.find(&format!("#change-table tr[data-change='{key}']"))
            .await?;
    }

    app.click("#nav-releases").await?;
    app.click("#new-release").await?;
    fill_form(
        &app,
        "REL-2026-014",
        "Payroll 4.2",
        "2026-12-01",
        "2026-12-05",
    )
    .await?;
    app.fill("#field-dev_docs", "https://wiki/payroll/dev")
        .await?;
    app.fill("#field-ops_docs", "https://wiki/payroll/runbook")
        .await?;
    app.click("#save-release").await?;
    open_release(&app, "REL-2026-014").await?;

    app.click("#tab-scope").await?;
    for change in ["CHG0031415", "CHG0031416"] {
        app.select("#add-change-select", change).await?;
        app.click("#add-change").await?;
        app.find(&format!("#scope tr[data-change='{change}']"))
            .await?;
    }
    let row = app.text("#scope tr[data-change='CHG0031416']").await?;
    assert!(
        row.contains("Not authorized"),
        "unauthorized change is explained: {row}"
    );

    app.click("#tab-overview").await?;
    let rule = app
        .find("#checklist li[data-code='SCOPE-AUTHORIZED']")
        .await?;
    assert_eq!(rule.attr("data-ok").await?.as_deref(), Some("false"));
    let text = rule.text().await?;
    assert!(
        text.contains("CHG0031416") && text.contains("authorize"),
        "checklist explains: {text}"
    );
    app.click("#advance").await?;
    assert!(
        app.wait_text("#toast-message", "cannot move")
            .await?
            .contains("cannot move yet")
    );
    assert_eq!(app.text("#workspace-stage").await?, "Planning");

    app.click("#nav-changes").await?;
    app.click("#change-table tr[data-change='CHG0031416'] .authorize-change")
        .await?;
    app.wait_text("#change-table tr[data-change='CHG0031416']", "Authorized")
        .await?;

    open_release(&app, "REL-2026-014").await?;
    let rule = app
        .find("#checklist li[data-code='SCOPE-AUTHORIZED']")
        .await?;
    assert_eq!(rule.attr("data-ok").await?.as_deref(), Some("true"));
    app.click("#tab-package").await?;
    app.select("#component-ci", "payroll-api").await?;
    app.fill("#component-version", "2.2").await?;
    app.click("#add-component").await?;
    app.find("#package tr[data-component='payroll-api']")
        .await?;
    // The first release of this CMDB has no base to be a delta of: it deploys whole, from
    // media cited in the definitive media library.
    app.select("#package-type-select", "full").await?;
    app.click("#save-package-type").await?;
    app.wait_text("#package-type-help", "whole release unit")
        .await?;
    app.click("#package-media tr[data-media='payroll-api'] .cite-dml")
        .await?;
    app.fill("#dml-location", "https://dml.example/payroll-api/2.2.tgz")
        .await?;
    app.fill("#dml-sha256", &"ab".repeat(32)).await?;
    app.click("#save-dml").await?;
    app.wait_text(
        "#package-media tr[data-media='payroll-api']",
        "https://dml.example",
    )
    .await?;
    advance(&app, "Build").await?;
    advance(&app, "Test").await?;
    // Tested on an environment of its own (the test team's tooling records it).
    relman_tests::give_test_evidence(
        &mut Store::open(&db.path).unwrap(),
        "REL-2026-014",
        relman_tests::now(),
    );
    advance(&app, "Awaiting authorization").await?;

    // The scheduling rules want a plan before authorization: a big-bang one from the model,
    // whose rollback is then rehearsed.
    app.click("#tab-plan").await?;
    app.click("#plan-form input[value='big_bang']").await?;
    app.click("#create-plan").await?;
    app.find(".gantt .bar").await?;
    relman_tests::rehearse_rollback(
        &mut Store::open(&db.path).unwrap(),
        "REL-2026-014",
        relman_tests::now(),
    );

    app.click("#tab-approvals").await?;
    app.click("#record-decision").await?;
    let refusal = app.wait_text("#decision-error", "AUTH-SEGREGATION").await?;
    assert!(
        refusal.contains("Rita Requester requested REL-2026-014"),
        "{refusal}"
    );

    set_profile(&app, "Carl CAB", true).await?;
    open_release(&app, "REL-2026-014").await?;
    app.click("#tab-approvals").await?;
    app.fill("#decision-comment", "Go for the December window")
        .await?;
    app.click("#record-decision").await?;
    let decisions = app.wait_text("#approvals-list", "Carl CAB").await?;
    assert!(
        decisions.contains("Approve") && decisions.contains("Go for the December window"),
        "{decisions}"
    );
    advance(&app, "Authorized").await?;

    app.click("#tab-history").await?;
    let history = app.text("#history").await?;
    for line in [
        "Rita Requester created REL-2026-014",
        "Rita Requester added CHG0031416 to the scope",
        "Rita Requester moved REL-2026-014 from Test to Awaiting authorization",
        "Carl CAB recorded the CAB decision “Approve” as CAB member",
        "Carl CAB moved REL-2026-014 from Awaiting authorization to Authorized",
    ] {
        assert!(history.contains(line), "history lacks '{line}':\n{history}");
    }
    app.quit().await?;

    let app = App::launch(&db.path).await?;
    open_release(&app, "REL-2026-014").await?;
    assert_eq!(app.text("#workspace-stage").await?, "Authorized");
    app.click("#tab-history").await?;
    assert!(
        app.text("#history")
            .await?
            .contains("Carl CAB recorded the CAB decision")
    );
    app.quit().await?;

    let store = Store::open(&db.path).unwrap();
    assert!(store.verify_audit().unwrap().problems.is_empty());
    assert_eq!(
        store.approvals("REL-2026-014").unwrap()[0].approver,
        "Carl CAB"
    );
    Ok(())
}

#[tokio::test]
async fn edit_a_change_and_relate_two_cis() -> WebDriverResult<()> {
    let db = temp_db();
    let app = App::launch(&db.path).await?;
    app.click("#nav-cis").await?;
    for name in ["srv-01", "payroll-api"] {
        app.fill("#ci-name", name).await?;
        app.click("#save-ci").await?;
        app.find(&format!("#ci-table tr[data-ci='{name}']")).await?;
    }
    app.click("#ci-table tr[data-ci='payroll-api'] .edit-ci")
        .await?;
    let name = app.find("#ci-name").await?;
    assert!(
        name.attr("readonly").await?.is_some(),
        "a CI keeps its name"
    );
    app.fill("#ci-version", "4.2").await?;
    app.click("#ci-runs-on option[value='srv-01']").await?;
    app.click("#save-ci").await?;
    let row = app
        .wait_text("#ci-table tr[data-ci='payroll-api']", "srv-01")
        .await?;
    assert!(
        row.contains("4.2") && row.contains("Runs on: srv-01"),
        "{row}"
    );

    app.click("#nav-changes").await?;
    app.click("#new-change").await?;
    app.fill("#change-key", "CHG0031415").await?;
    app.fill("#change-title", "Tax tables").await?;
    app.click("#create-change").await?;
    app.click("#change-table tr[data-change='CHG0031415'] .edit-change")
        .await?;
    app.fill("#change-title", "Tax tables 2027").await?;
    app.click("#change-cis option[value='payroll-api']").await?;
    app.click("#create-change").await?;
    let row = app
        .wait_text("#change-table tr[data-change='CHG0031415']", "2027")
        .await?;
    assert!(
        row.contains("Tax tables 2027") && row.contains("payroll-api"),
        "{row}"
    );
    app.quit().await?;

    let store = Store::open(&db.path).unwrap();
    assert_eq!(store.change("CHG0031415").unwrap().cis, ["payroll-api"]);
    let api = store
        .list_cis()
        .unwrap()
        .into_iter()
        .find(|c| c.name == "payroll-api")
        .unwrap();
    assert_eq!(
        (api.prod_version.as_deref(), api.runs_on.as_slice()),
        (Some("4.2"), &["srv-01".to_string()][..])
    );
    Ok(())
}

/// Issue 4's flow: a plan from a model in two waves; a conflict with another release on the
/// same service, flagged in the calendar and blocking authorization; drag a task and see its
/// successor move; undo; a drop into a freeze refused; a slot picked that clears the conflict.
#[tokio::test]
async fn plan_in_waves_drag_undo_freeze_slot_and_conflict() -> WebDriverResult<()> {
    use chrono::Duration;
    use relman_core::calendar::Freeze;

    let db = temp_db();
    let now = relman_tests::now();
    let year = now.format("%Y");
    let (key, portal) = (format!("REL-{year}-900"), format!("REL-{year}-102"));
    {
        let mut store = Store::open(&db.path).unwrap();
        store.load_demo_data("Anna Berg", now).unwrap();
        // A release waiting for the CAB, starting when the portal release does.
        let mut document = store.export(Some(&portal)).unwrap();
        let record = &mut document.releases[0];
        record.key = key.clone();
        record.title = "Portal hotfix".into();
        record.stage = relman_core::Stage::AwaitingAuthorization;
        record.changes.clear();
        record.components.clear();
        record.plan = None;
        record.bookings.clear();
        record.test_runs.clear();
        document.environments.clear();
        document.cis.clear();
        document.changes.clear();
        document.windows.clear();
        document.freezes.clear();
        document.service_hours.clear();
        document.models.clear();
        store.import(&document, "Anna Berg", now).unwrap();
    }
    let schedule = |key: &str| Store::open(&db.path).unwrap().schedule(key).unwrap();
    let start_of =
        |s: &relman_core::plan::Schedule, task: &str| s.task(task).unwrap().start.unwrap();

    let app = App::launch(&db.path).await?;
    open_release(&app, &key).await?;
    app.click("#tab-plan").await?;
    app.find("#plan-form").await?;
    app.fill("#wave-0-targets", "customer-portal").await?;
    app.fill("#wave-1-targets", "customer-portal").await?;
    app.click("#create-plan").await?;
    app.find(".gantt .bar").await?;
    let waves = app
        .driver
        .find_all(thirtyfour::By::Css(".trow.group"))
        .await?;
    let mut names = Vec::new();
    for wave in waves {
        names.push(
            wave.prop("textContent")
                .await?
                .unwrap_or_default()
                .trim()
                .to_string(),
        );
    }
    assert_eq!(names, vec!["Pilot", "Everyone else"]);
    let problems = app.wait_text("#plan-problems", &portal).await?;
    assert!(problems.contains("customer-portal"), "{problems}");

    // The calendar flags both releases; a click opens the plan.
    app.click("#nav-calendar").await?;
    let conflicts = app.wait_text("#calendar-conflicts", &key).await?;
    assert!(conflicts.contains(&portal), "{conflicts}");
    app.find(&format!(".trow.flagged[data-row='{portal}']"))
        .await?;
    app.pointer_click(&format!(".trow.flagged[data-row='{key}']"))
        .await?;
    app.find("#tab-plan[aria-selected='true']").await?;

    // The conflict blocks authorization.
    app.click("#tab-overview").await?;
    let rule = app
        .find("#checklist li[data-code='SCHED-NO-CONFLICT']")
        .await?;
    assert_eq!(rule.attr("data-ok").await?.as_deref(), Some("false"));
    assert!(rule.text().await?.contains(&portal));

    // Drag "Deploy the package" 30 minutes later (hour zoom: 90 px an hour): its successor
    // "Smoke test" follows.
    app.click("#tab-plan").await?;
    app.find(".gantt .bar").await?;
    app.click("#zoom-hour").await?;
    let before = schedule(&key);
    app.pointer_click(".trow[data-row='1.deploy']").await?;
    // Selecting the row scrolls its bar into view; the chart redraws on the next frame.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let smoke_cell = ".trow[data-row='1.smoke'] .cell:nth-child(2)";
    let smoke_before = app.content(smoke_cell).await?;
    app.pointer_drag("[data-bar='1.deploy'] rect.body", 45)
        .await?;
    let toast = app.wait_text("#toast-message", "Rescheduled").await?;
    assert!(toast.contains("Deploy the package"), "{toast}");
    let smoke_after = app.wait_content_change(smoke_cell, &smoke_before).await?;
    assert_ne!(smoke_after, smoke_before);
    let moved = schedule(&key);
    assert_eq!(
        start_of(&moved, "1.smoke"),
        start_of(&before, "1.smoke") + Duration::minutes(30)
    );
    assert!(moved.task("1.deploy").unwrap().pinned);

    // Undo puts it back.
    app.click("#undo").await?;
    app.wait_text("#toast-message", "Undone").await?;
    assert_eq!(
        app.wait_content(smoke_cell, &smoke_before).await?,
        smoke_before
    );
    assert!(!schedule(&key).task("1.deploy").unwrap().pinned);

    // A freeze later that night: dragging the deployment into it is refused, naming it.
    let deploy = start_of(&before, "1.deploy");
    Store::open(&db.path)
        .unwrap()
        .create_freeze(
            &Freeze {
                name: "Network maintenance".into(),
                from: deploy + Duration::minutes(165),
                to: deploy + Duration::minutes(225),
                service: Some("customer-portal".into()),
                rule: None,
            },
            "Anna Berg",
            now,
        )
        .unwrap();
    // Written by another process: the open plan shows the freeze without a reload by hand,
    // at the zoom the planner chose.
    let chart = app.wait_content(".gantt", "Network maintenance").await?;
    assert!(chart.contains("Network maintenance"), "the freeze is drawn");
    app.pointer_drag("[data-bar='1.deploy'] rect.body", 270)
        .await?;
    let refusal = app
        .wait_text("#toast-message", "Network maintenance")
        .await?;
    assert!(refusal.contains("freeze"), "{refusal}");
    assert!(!schedule(&key).task("1.deploy").unwrap().pinned);

    // The slot finder offers conflict-free windows; picking the first moves the plan there.
    app.click("#find-slots").await?;
    app.find("#slots #pick-slot-0").await?;
    let expected = Store::open(&db.path)
        .unwrap()
        .slots(&key, relman_tests::now(), 6)
        .unwrap()[0]
        .start;
    app.click("#pick-slot-0").await?;
    app.wait_text("#toast-message", "The plan now starts")
        .await?;
    let picked = schedule(&key);
    assert_eq!(picked.starts_at, expected);
    assert!(picked.conflicts.is_empty(), "{:?}", picked.conflicts);
    app.gone("#plan-problems").await?;
    // The checklist is read again after the pick: it turns to passing (the find waits for it).
    app.click("#tab-overview").await?;
    app.find("#checklist li[data-code='SCHED-NO-CONFLICT'][data-ok='true']")
        .await?;
    app.quit().await?;
    Ok(())
}

/// Issue 8 in the window: an authorized plan asks before an edit sends it back to the CAB,
/// the Approvals tab says what changed since the decision, every rule can be shown, a
/// component is edited and removed with undo, and a write by another process shows up
/// without reloading by hand.
#[tokio::test]
async fn an_authorized_plan_asks_before_it_goes_back_to_the_cab() -> WebDriverResult<()> {
    use relman_core::approval::{Decision, Role};
    use relman_core::change::ChangeDraft;

    let db = temp_db();
    let now = relman_tests::now();
    {
        let mut store = Store::open(&db.path).unwrap();
        let week = |days| {
            (now + chrono::Duration::days(days))
                .format("%Y-%m-%d")
                .to_string()
        };
        let (start, end) = (week(7), week(8));
        let release = relman_tests::ReadyRelease {
            key: "REL-8",
            title: "Payroll 4.2",
            ci: ("payroll-api", "2.1", "2.2"),
            change: "CHG1",
            planned: (&start, &end),
        };
        relman_tests::seed_ready_release(&mut store, &release, now);
        relman_tests::give_simple_plan(&mut store, "REL-8", now);
        relman_tests::give_test_evidence(&mut store, "REL-8", now);
        for _ in 0..3 {
            store.advance_release("REL-8", "rita", now).unwrap();
        }
        store
            .decide(
                "REL-8",
                Decision::Approve,
                Role::CabMember,
                "Go",
                "bob",
                now,
            )
            .unwrap();
        store.advance_release("REL-8", "rita", now).unwrap();
    }
    let stored = || Store::open(&db.path).unwrap();

    let app = App::launch(&db.path).await?;
    open_release(&app, "REL-8").await?;
    assert_eq!(app.text("#workspace-stage").await?, "Authorized");

    // Every rule, not only the next move's.
    app.click("#toggle-all-rules").await?;
    let all = app.find("#all-rules").await?;
    let rule = all
        .find(thirtyfour::By::Css("li[data-code='PKG-NO-CYCLE']"))
        .await?;
    assert!(
        rule.text().await?.contains("guards Test … Deploying"),
        "{}",
        rule.text().await?
    );

    // The plan tab says what an edit does; a drag asks first, and Cancel changes nothing.
    app.click("#tab-plan").await?;
    app.find("#authorized-notice").await?;
    app.find(".gantt .bar").await?;
    app.click("#zoom-hour").await?;
    app.pointer_click(".trow[data-row='1.deploy']").await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    app.pointer_drag("[data-bar='1.deploy'] rect.body", 45)
        .await?;
    let question = app
        .wait_text("#confirm-message", "awaiting authorization")
        .await?;
    assert!(question.contains("REL-8"), "{question}");
    app.click("#confirm-cancel").await?;
    app.gone("#confirm-dialog").await?;
    assert!(
        !stored()
            .schedule("REL-8")
            .unwrap()
            .task("1.deploy")
            .unwrap()
            .pinned
    );
    assert_eq!(
        stored().release("REL-8").unwrap().stage,
        relman_core::Stage::Authorized
    );

    app.pointer_drag("[data-bar='1.deploy'] rect.body", 45)
        .await?;
    app.find("#confirm-dialog").await?;
    app.click("#confirm-ok").await?;
    app.wait_text("#toast-message", "Rescheduled").await?;
    assert_eq!(
        app.wait_text("#workspace-stage", "Awaiting authorization")
            .await?,
        "Awaiting authorization"
    );
    assert!(
        stored()
            .schedule("REL-8")
            .unwrap()
            .task("1.deploy")
            .unwrap()
            .pinned
    );

    // The Approvals tab names what changed since bob's decision.
    app.click("#tab-approvals").await?;
    let changed = app
        .wait_text(".changed-since", "task 1.deploy moved")
        .await?;
    assert!(changed.contains("Changed since this decision"), "{changed}");

    // A component edited in place, then removed and brought back with Undo.
    app.click("#tab-package").await?;
    app.click("tr[data-component='payroll-api'] .edit-component")
        .await?;
    app.fill("#edit-component-version", "2.3").await?;
    app.click("#save-component").await?;
    app.wait_text("tr[data-component='payroll-api']", "2.3")
        .await?;
    assert_eq!(
        stored().components("REL-8").unwrap()[0]
            .to_version
            .as_deref(),
        Some("2.3")
    );
    app.click("tr[data-component='payroll-api'] .remove-component")
        .await?;
    app.wait_text("#toast-message", "Removed payroll-api")
        .await?;
    assert!(stored().components("REL-8").unwrap().is_empty());
    app.click("#toast-undo").await?;
    app.find("tr[data-component='payroll-api']").await?;
    assert_eq!(
        stored().components("REL-8").unwrap()[0]
            .to_version
            .as_deref(),
        Some("2.3")
    );

    // Another process writes a change: the Changes page shows it without a reload by hand.
    app.click("#nav-changes").await?;
    app.find("tr[data-change='CHG1']").await?;
    let draft = ChangeDraft {
        key: "CHG-NIGHTLY".into(),
        title: "From the nightly import".into(),
        ..ChangeDraft::default()
    };
    stored()
        .create_change(&draft, "nightly", relman_tests::now())
        .unwrap();
    app.find("tr[data-change='CHG-NIGHTLY']").await?;
    app.quit().await?;
    Ok(())
}

/// Issue 9's flow: author a model with backout steps in the editor, plan a release from it, see
/// the rollback not fit, put the go/no-go right after the deployment and see it fit, then run
/// the deployment, abort it, finish the rollback steps and find the release rolled back, with
/// the whole story in its history.
#[tokio::test]
async fn author_plan_run_abort_and_roll_back_a_release() -> WebDriverResult<()> {
    use relman_core::approval::{Decision, Role};
    use relman_core::calendar::Window;

    let db = temp_db();
    let now = relman_tests::now();
    {
        let mut store = Store::open(&db.path).unwrap();
        let window = Window::weekly("Saturday night", "sat 22:00", 4.0, "Europe/Berlin").unwrap();
        store.create_window(&window, "seed", now).unwrap();
        // Planned from a Thursday: the plan waits for Saturday night's window.
        let release = relman_tests::ReadyRelease {
            key: "REL-9",
            title: "Payroll schema 13",
            ci: ("payroll-db", "12", "13"),
            change: "CHG9",
            planned: ("2026-12-10", "2026-12-13"),
        };
        relman_tests::seed_ready_release(&mut store, &release, now);
    }
    let stored = || Store::open(&db.path).unwrap();

    let app = App::launch(&db.path).await?;
    // The model, typed into the editor: each task says how it is undone.
    app.click("#nav-models").await?;
    app.click("#new-model").await?;
    app.fill("#model-name", "Worked case").await?;
    let tasks: [(&str, &str, &str, &str); 7] = [
        (
            "backup",
            "Back up",
            "30",
            "nothing:a backup changes nothing",
        ),
        ("stop", "Stop services", "10", "steps:Start services = 10"),
        (
            "migrate",
            "Migrate schema",
            "60",
            "steps:Restore database = 45",
        ),
        ("deploy", "Deploy", "45", "steps:Redeploy previous = 30"),
        (
            "smoke",
            "Smoke test",
            "30",
            "nothing:a test changes nothing",
        ),
        ("go", "Go / no-go", "0", "milestone"),
        ("open", "Open to users", "10", "steps:Close to users = 5"),
    ];
    for (key, name, minutes, undo) in tasks {
        app.click("#add-model-task").await?;
        app.fill("#model-task-key", key).await?;
        app.fill("#model-task-name", name).await?;
        if undo == "milestone" {
            app.select("#model-task-milestone", "go_no_go").await?;
        } else {
            app.fill("#model-task-minutes", minutes).await?;
            app.click("#model-task-downtime").await?;
        }
        if let Some(reason) = undo.strip_prefix("nothing:") {
            app.click("#model-task-undo-nothing").await?;
            app.fill("#model-task-reason", reason).await?;
        } else if let Some(steps) = undo.strip_prefix("steps:") {
            app.click("#model-task-undo-steps").await?;
            app.fill("#model-task-steps", steps).await?;
        }
        app.click("#model-task-submit").await?;
        app.find(&format!("#model-tasks tr[data-task='{key}']"))
            .await?;
    }
    for pair in tasks.windows(2) {
        app.select("#dep-from", pair[0].0).await?;
        app.select("#dep-to", pair[1].0).await?;
        app.click("#add-dep").await?;
    }
    app.click("#save-model").await?;
    app.wait_text("#toast-message", "Created Worked case")
        .await?;
    let model = stored().model("Worked case").unwrap();
    assert_eq!(model.tasks.len(), 7);
    assert_eq!(model.deps.len(), 6);
    assert_eq!(model.tasks[2].backout[0].minutes, 45);

    // A plan from it in Saturday night's window: the go/no-go after the smoke test is too late.
    open_release(&app, "REL-9").await?;
    app.click("#tab-plan").await?;
    app.find("#plan-form").await?;
    app.select("#plan-model", "Worked case").await?;
    app.click("input[name='strategy'][value='big_bang']")
        .await?;
    app.select("#wave-0-tz", "Europe/Berlin").await?;
    app.select("#wave-0-window", "Saturday night").await?;
    app.click("#create-plan").await?;
    app.find(".gantt .bar").await?;
    app.find(".gantt [data-marker='go']").await?;
    app.click("#tab-rollback").await?;
    let wave = app.find("section.wave[data-fits='false']").await?;
    assert!(
        wave.text().await?.contains("does not fit"),
        "{}",
        wave.text().await?
    );

    // The go/no-go right after the deployment instead.
    app.click("#tab-plan").await?;
    app.find(".gantt .bar").await?;
    app.pointer_click(".trow[data-row='1.go']").await?;
    app.click("#remove-plan-task").await?;
    app.wait_text("#toast-message", "Removed Go / no-go")
        .await?;
    app.click("#add-plan-task").await?;
    app.fill("#plan-task-key", "go-early").await?;
    app.fill("#plan-task-name", "Go / no-go").await?;
    app.select("#plan-task-milestone", "go_no_go").await?;
    app.select("#plan-task-after", "deploy").await?;
    app.click("#plan-task-submit").await?;
    app.wait_text("#toast-message", "Added Go / no-go").await?;
    // Choosing a task draws its rollback as ghost bars, and where that rollback ends.
    app.pointer_click(".trow[data-row='1.deploy']").await?;
    app.find(".gantt [data-ghost='1.deploy']").await?;
    app.find(".gantt [data-ghost='1.migrate']").await?;
    let end = app
        .wait_content(".gantt [data-marker='end']", "inside the window")
        .await?;
    assert!(end.contains("1.deploy"), "{end}");
    app.click("#tab-rollback").await?;
    let wave = app.find("section.wave[data-fits='true']").await?;
    assert!(wave.text().await?.contains("fits the window"));
    let rollback = stored().rollback("REL-9").unwrap();
    assert_eq!(
        rollback.waves[0].go_no_go,
        rollback.waves[0].latest_go_no_go
    );

    // Authorized by the CAB and deploying (another process does it; the window follows).
    {
        let mut store = stored();
        relman_tests::give_test_evidence(&mut store, "REL-9", now);
        for _ in 0..3 {
            store.advance_release("REL-9", "rita", now).unwrap();
        }
        store
            .decide(
                "REL-9",
                Decision::Approve,
                Role::CabMember,
                "Go",
                "carl",
                now,
            )
            .unwrap();
        store.advance_release("REL-9", "rita", now).unwrap();
        store.advance_release("REL-9", "rita", now).unwrap();
    }
    app.wait_text("#workspace-stage", "Deploying").await?;
    app.find("#run").await?;

    // Run: back up, start stopping the services, then abort.
    app.click("#run-tasks tr[data-task='1.backup'] .run-start")
        .await?;
    app.click("#run-tasks tr[data-task='1.backup'] .run-done")
        .await?;
    app.click("#run-tasks tr[data-task='1.stop'] .run-start")
        .await?;
    app.find("#run-tasks tr[data-task='1.stop'] .run-done")
        .await?;
    app.click("#abort").await?;
    app.find("#abort-error").await?;
    app.fill("#abort-reason", "the database does not stop")
        .await?;
    app.click("#abort").await?;
    app.click("#confirm-ok").await?;
    let progress = app.wait_text("#run-progress", "0 of 1").await?;
    assert!(progress.contains("Rolling back"), "{progress}");
    app.click("#abort-steps tr[data-step='1.stop~1'] .run-start")
        .await?;
    app.click("#abort-steps tr[data-step='1.stop~1'] .run-done")
        .await?;
    app.find("#run-rolled-back").await?;
    assert_eq!(
        app.wait_text("#workspace-stage", "Rolled back").await?,
        "Rolled back"
    );
    assert_eq!(
        stored().release("REL-9").unwrap().stage,
        relman_core::Stage::RolledBack
    );

    // The whole story in the history.
    app.click("#tab-history").await?;
    let history = app.text("#history").await?;
    for line in [
        "started 1.backup",
        "aborted the deployment",
        "the database does not stop",
        "finished rollback step 1.stop~1",
        "Rolled back",
    ] {
        assert!(history.contains(line), "{line} in {history}");
    }
    app.quit().await?;
    Ok(())
}

/// Issue 10's flow: inventories imported in the window, an environment booked and a second
/// overlapping booking refused, a run on a drifted environment that does not count and says
/// why, the drift fixed and the evidence recorded, the problem-free period's end shown, and
/// the move to the CAB once it has passed (the app started again, four days later).
#[tokio::test]
async fn import_book_test_and_wait_out_the_problem_free_period() -> WebDriverResult<()> {
    use chrono::{Duration, Local};
    let db = temp_db();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap();
    {
        let mut store = Store::open(&db.path).unwrap();
        let release = relman_tests::ReadyRelease {
            key: "REL-10",
            title: "Payroll 4.2",
            ci: ("payroll-api", "2.1", "2.2"),
            change: "CHG10",
            planned: ("2026-12-07", "2026-12-11"),
        };
        let before = t0 - Duration::days(1);
        relman_tests::seed_ready_release(&mut store, &release, before);
        relman_tests::give_simple_plan(&mut store, "REL-10", before);
        store.advance_release("REL-10", "rita", before).unwrap();
        store.advance_release("REL-10", "rita", before).unwrap();
    }
    // What the window's datetime fields take: local wall-clock time.
    let local = |at: chrono::DateTime<Utc>| {
        at.with_timezone(&Local)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let app = App::launch_at(&db.path, &t0.to_rfc3339()).await?;

    // An RVTools pair and a libvirt domain, picked together.
    app.click("#nav-environments").await?;
    let dir = relman_tests::repo_root().join("tests/fixtures/inventory");
    let files: Vec<String> = [
        "RVTools_tabvInfo.csv",
        "RVTools_tabvSnapshot.csv",
        "test-db-01.xml",
    ]
    .iter()
    .map(|f| dir.join(f).display().to_string())
    .collect();
    app.find("#inventory-files")
        .await?
        .send_keys(files.join("\n"))
        .await?;
    let toast = app.wait_text("#toast-message", "Imported").await?;
    assert!(toast.contains("3 added"), "{toast}");
    for env in ["test-web-01", "test-db-02", "test-db-01"] {
        app.find(&format!("#environments tr[data-env='{env}']"))
            .await?;
    }
    app.click("#environments tr[data-env='test-web-01'] .link-button")
        .await?;
    let snapshots = app.text("#env-snapshots").await?;
    assert!(
        snapshots.contains("baseline") && snapshots.contains("before-2.4"),
        "{snapshots}"
    );
    // The baseline is weeks old: too old, until it is exempted with a reason.
    let baseline = "#env-snapshots tr[data-snapshot='baseline']";
    assert!(app.text(baseline).await?.contains("too old"));
    app.click(&format!("{baseline} .exempt")).await?;
    app.fill("#exempt-reason", "golden image of production")
        .await?;
    app.click("#exempt-save").await?;
    let exempted = app.wait_text(baseline, "exempt: golden image").await?;
    assert!(!exempted.contains("too old"), "{exempted}");

    // Booked for the release; a second, overlapping booking is refused and names the first.
    open_release(&app, "REL-10").await?;
    app.click("#tab-testing").await?;
    app.select("#booking-env", "test-db-01").await?;
    app.pick("#booking-from", &local(t0)).await?;
    app.pick("#booking-to", &local(t0 + Duration::days(2)))
        .await?;
    app.click("#booking-add").await?;
    app.wait_text("#toast-message", "test-db-01 booked for REL-10")
        .await?;
    app.pick("#booking-from", &local(t0 + Duration::days(1)))
        .await?;
    app.pick("#booking-to", &local(t0 + Duration::days(3)))
        .await?;
    app.click("#booking-add").await?;
    let refusal = app.wait_text("#booking-error", "overlaps").await?;
    assert!(
        refusal.contains("overlaps booking #1 of test-db-01 for REL-10"),
        "{refusal}"
    );

    // The old version installed: the environment drifts from the release.
    app.click("#nav-environments").await?;
    app.click("#environments tr[data-env='test-db-01'] .link-button")
        .await?;
    app.fill("#install-ci", "payroll-api").await?;
    app.fill("#install-version", "2.1").await?;
    app.click("#install-record").await?;
    app.wait_text("#env-versions", "payroll-api").await?;
    open_release(&app, "REL-10").await?;
    app.click("#tab-testing").await?;
    let drift = app
        .wait_text("#testing-bookings .drift[data-env='test-db-01']", "2.1")
        .await?;
    assert!(drift.contains("payroll-api: 2.1 → 2.2"), "{drift}");

    let record = |kind: &'static str, result: &'static str, from: chrono::DateTime<Utc>| {
        let app = &app;
        let local = &local;
        async move {
            app.select("#run-env", "test-db-01").await?;
            app.select("#run-kind", kind).await?;
            app.select("#run-result", result).await?;
            app.pick("#run-from", &local(from)).await?;
            app.pick("#run-to", &local(from + Duration::hours(1)))
                .await?;
            app.click("#run-record").await?;
            app.wait_text("#toast-message", "recorded").await?;
            // The toast sits over the form's lower fields: dismiss it as a user would.
            app.click("#toast .close").await?;
            app.gone("#toast").await?;
            WebDriverResult::Ok(())
        }
    };
    record("functional", "passed", t0 + Duration::hours(2)).await?;
    let run = app.find("#runs tr[data-run='1']").await?;
    assert_eq!(run.attr("data-counts").await?.as_deref(), Some("false"));
    let why = run.text().await?;
    assert!(
        why.contains("drift when it started: payroll-api is 2.1 but should be 2.2"),
        "{why}"
    );

    // Fixed, then tested again: each run counts.
    app.click("#nav-environments").await?;
    app.click("#environments tr[data-env='test-db-01'] .link-button")
        .await?;
    app.fill("#install-ci", "payroll-api").await?;
    app.fill("#install-version", "2.2").await?;
    app.click("#install-record").await?;
    app.wait_text("#env-versions", "2.2").await?;
    open_release(&app, "REL-10").await?;
    app.click("#tab-testing").await?;
    for kind in ["functional", "installation", "rollback_rehearsal"] {
        record(kind, "passed", t0 + Duration::hours(4)).await?;
    }
    for id in 2..=4 {
        let run = app.find(&format!("#runs tr[data-run='{id}']")).await?;
        assert_eq!(
            run.attr("data-counts").await?.as_deref(),
            Some("true"),
            "run {id}: {}",
            run.text().await?
        );
    }
    let rules = app.text("#testing-rules").await?;
    for ok in [
        "TEST-RUNS-PASSED",
        "TEST-ROLLBACK-REHEARSED",
        "TEST-ENV-BOOKED",
    ] {
        let rule = app
            .find(&format!("#testing-rules li[data-code='{ok}']"))
            .await?;
        assert_eq!(
            rule.attr("data-ok").await?.as_deref(),
            Some("true"),
            "{ok}: {rules}"
        );
    }
    // Three days from the first run: the rule gives the date the period ends.
    let ends = (t0 + Duration::hours(2) + Duration::days(3))
        .format("%a %d %b %Y %H:%M UTC")
        .to_string();
    let rule = app
        .text("#testing-rules li[data-code='TEST-PROBLEM-FREE']")
        .await?;
    assert!(
        rule.contains(&format!("The 3-day problem-free period ends {ends}")),
        "{rule}"
    );
    app.click("#tab-overview").await?;
    app.click("#advance").await?;
    app.wait_text("#toast-message", "cannot move").await?;
    assert_eq!(app.text("#workspace-stage").await?, "Test");
    app.quit().await?;

    // Four days on, the period has passed: the release goes to the CAB.
    let app = App::launch_at(&db.path, &(t0 + Duration::days(4)).to_rfc3339()).await?;
    open_release(&app, "REL-10").await?;
    app.click("#tab-testing").await?;
    app.wait_text("#period-ends", "Elapsed").await?;
    advance(&app, "Awaiting authorization").await?;
    app.quit().await?;
    let history = Store::open(&db.path)
        .unwrap()
        .history("release", "REL-10")
        .unwrap();
    assert_eq!(history.iter().filter(|r| r.action == "test run").count(), 4);
    Ok(())
}

/// The Documents tab: the preview shows the pages, unticking sections takes them out of the
/// preview and of the saved PDF (written by the same code the save dialog leads to), and the
/// choice is remembered.
#[tokio::test]
async fn the_documents_tab_previews_and_saves_only_the_chosen_sections() -> WebDriverResult<()> {
    let db = temp_db();
    let out = tempfile::tempdir().unwrap();
    let now = relman_tests::now();
    {
        let mut store = Store::open(&db.path).unwrap();
        let day = |d| {
            (now + chrono::Duration::days(d))
                .format("%Y-%m-%d")
                .to_string()
        };
        let (start, end) = (day(7), day(8));
        let release = relman_tests::ReadyRelease {
            key: "REL-9",
            title: "Lohnabrechnung für Österreich",
            ci: ("payroll-api", "2.1", "2.2"),
            change: "CHG9",
            planned: (&start, &end),
        };
        relman_tests::awaiting_authorization(&mut store, &release, now);
    }
    let app = App::launch_saving_to(&db.path, out.path()).await?;
    open_release(&app, "REL-9").await?;
    app.click("#tab-documents").await?;
    let summary = app.wait_content("#document-summary", "pages").await?;
    let pages: usize = summary.split_whitespace().next().unwrap().parse().unwrap();
    let shown = app
        .driver
        .find_all(thirtyfour::By::Css("#document-pages img.page"))
        .await?;
    assert_eq!(shown.len(), pages, "one picture per page: {summary}");
    assert!(app.content("#document-outline").await?.contains("Cover"));

    for section in [
        "cover",
        "package",
        "plan",
        "runbook",
        "rollback",
        "evidence",
        "activities",
        "signoff",
    ] {
        app.click(&format!("#section-{section}")).await?;
    }
    let outline = app.wait_content_change("#document-outline", "").await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut entries = 0;
    while std::time::Instant::now() < deadline {
        entries = app
            .driver
            .find_all(thirtyfour::By::Css("#document-outline li"))
            .await?
            .len();
        if entries == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(entries, 2, "only Scope and Rules are left: {outline}");
    assert!(app.content("#document-outline").await?.contains("Rules"));

    app.click("#save-document").await?;
    let saved = out.path().join("REL-9-dossier.pdf");
    let toast = app.wait_text("#toast", "Saved").await?;
    assert!(toast.contains("REL-9-dossier.pdf"), "{toast}");
    let text = std::process::Command::new("pdftotext")
        .arg(&saved)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Scope") && text.contains("Rules") && text.contains("CHG9"),
        "{text}"
    );
    assert!(
        !text.contains("Runbook") && !text.contains("Sign-off"),
        "{text}"
    );
    assert!(text.contains("Lohnabrechnung für Österreich"));

    // The choice is remembered.
    app.click("#tab-overview").await?;
    app.click("#tab-documents").await?;
    app.wait_content("#document-summary", "pages").await?;
    assert!(!app.find("#section-cover").await?.is_selected().await?);
    assert!(app.find("#section-rules").await?.is_selected().await?);
    app.quit().await
}

/// Two releases awaiting the CAB, requested by rita, deploying in a week; the profile is anna.
fn seed_cab_meeting(db: &Db) -> (String, String) {
    let now = relman_tests::now();
    let mut store = Store::open(&db.path).unwrap();
    let day = |d| {
        (now + chrono::Duration::days(d))
            .format("%Y-%m-%d")
            .to_string()
    };
    for (n, title) in [(1, "Payroll for Austria"), (2, "Lohnabrechnung Schweiz")] {
        let (key, ci, change) = (format!("REL-{n}"), format!("app-{n}"), format!("CHG{n}"));
        let (start, end) = (day(6 + n), day(7 + n));
        let release = relman_tests::ReadyRelease {
            key: &key,
            title,
            ci: (&ci, "2.1", "2.2"),
            change: &change,
            planned: (&start, &end),
        };
        relman_tests::awaiting_authorization(&mut store, &release, now);
    }
    store
        .set_profile(&relman_core::profile::Profile {
            name: "anna".into(),
            roles: vec![relman_core::approval::Role::ReleaseManager],
        })
        .unwrap();
    ("REL-1".into(), "REL-2".into())
}

#[tokio::test]
async fn a_cab_meeting_on_the_projector_is_run_from_the_keyboard() -> WebDriverResult<()> {
    use thirtyfour::Key;
    let db = temp_db();
    let (first, second) = seed_cab_meeting(&db);
    let out = tempfile::tempdir().unwrap();
    let app = App::launch_saving_to(&db.path, out.path()).await?;
    app.resize(1024, 768).await?;
    app.find("#release-table").await?;

    // F5 enters CAB mode: no sidebar, the projector theme, the members asked first.
    app.start_cab_meeting(&["Carla", "rita", "Ben"]).await?;
    app.find("#cab-mode[data-theme='projector']").await?;
    app.gone(".sidebar").await?;
    let agenda = app.wait_content("#cab-agenda", &second).await?;
    assert!(
        agenda.contains(&first) && agenda.contains("Ready for a decision"),
        "{agenda}"
    );
    let size: i64 = app
        .driver
        .execute(
            "return parseFloat(getComputedStyle(document.querySelector('#cab-agenda td')).fontSize);",
            vec![],
        )
        .await?
        .convert()?;
    assert!(size >= 24, "body text on the projector is {size}px");

    // Step with the arrow keys (and back), as a clicker would.
    app.press(Key::Right).await?;
    assert!(
        app.wait_text("#cab-release-title", &first)
            .await?
            .contains(&first)
    );
    app.press(Key::PageDown).await?;
    assert!(
        app.wait_text("#cab-release-title", &second)
            .await?
            .contains(&second)
    );
    app.press(Key::Left).await?;
    assert!(
        app.wait_text("#cab-release-title", &first)
            .await?
            .contains(&first)
    );
    assert!(
        app.text("#cab-evidence")
            .await?
            .contains("Rollback rehearsed")
    );

    // A decides; the requester is not offered; Tab to the comment, Enter records.
    app.press("a").await?;
    app.find("#cab-decision").await?;
    let offered: Vec<String> = {
        let mut names = Vec::new();
        for option in app
            .driver
            .find_all(thirtyfour::By::Css("#cab-decider option"))
            .await?
        {
            names.push(option.text().await?);
        }
        names
    };
    assert_eq!(
        offered,
        ["Carla", "Ben"],
        "rita requested it and cannot decide"
    );
    let focused = app.driver.active_element().await?.attr("id").await?;
    assert_eq!(focused.as_deref(), Some("cab-decider"));
    app.press(Key::Tab).await?;
    app.press("Go with the DBA on call").await?;
    app.press(Key::Enter).await?;
    let verdict = app.wait_text("#cab-verdict", "Approved by Carla").await?;
    assert!(verdict.contains("Approved by Carla"), "{verdict}");

    // C shows the calendar, G the agenda with the decision; E ends the meeting with minutes.
    app.press("c").await?;
    app.find("#cab-mode .gantt").await?;
    app.press("g").await?;
    let agenda = app.wait_content("#cab-agenda", "Approved by Carla").await?;
    assert!(
        agenda.contains("Ready for a decision"),
        "{second} is still open: {agenda}"
    );
    app.press("e").await?;
    let minutes = app.wait_text("#cab-minutes", "Carla").await?;
    assert!(
        minutes.contains(&first) && !minutes.contains(&second),
        "{minutes}"
    );
    app.click("#cab-export-minutes").await?;
    app.wait_text("#toast", "Saved").await?;
    let pdf = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("cab-minutes"))
        .expect("the minutes were saved");
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("CAB minutes")
            && text.contains("Carla, rita, Ben")
            && text.contains("Approved"),
        "{text}"
    );

    // Esc leaves; the decision is the release's, by Carla, recorded by anna.
    app.press(Key::Escape).await?;
    app.find(".sidebar").await?;
    open_release(&app, &first).await?;
    app.click("#tab-approvals").await?;
    let decisions = app.wait_text("#approvals-list", "Carla").await?;
    assert!(decisions.contains("Go with the DBA on call"), "{decisions}");
    let stored = Store::open(&db.path)
        .unwrap()
        .workspace(&first, relman_tests::now())
        .unwrap();
    assert_eq!(stored.approvals.len(), 1);
    assert_eq!(stored.approvals[0].approver, "Carla");

    // German and back, without a restart.
    app.click("#nav-settings").await?;
    app.select("#language", "de").await?;
    assert_eq!(
        app.wait_text("#nav-settings", "Einstellungen").await?,
        "Einstellungen"
    );
    assert_eq!(
        app.text("#nav-cab").await?.replace("F5", "").trim(),
        "CAB-Modus"
    );
    app.select("#language", "en").await?;
    assert_eq!(
        app.wait_text("#nav-settings", "Settings").await?,
        "Settings"
    );
    app.quit().await
}

/// axe-core inside the real window, on every page and tab and in CAB mode, in the light, dark
/// and projector themes at 1024×768: no violation of the WCAG 2.2 A and AA rules, and AAA
/// contrast in the projector theme.
#[tokio::test]
async fn every_page_passes_the_accessibility_check_in_every_theme() -> WebDriverResult<()> {
    use thirtyfour::Key;
    let db = temp_db();
    let now = relman_tests::now();
    Store::open(&db.path)
        .unwrap()
        .load_demo_data("Anna Berg", now)
        .unwrap();
    let payroll = format!("REL-{}-101", now.format("%Y"));
    let closed = format!("REL-{}-082", now.format("%Y"));
    let app = App::launch(&db.path).await?;
    app.resize(1024, 768).await?;
    app.find("#release-table tr[data-key]").await?;
    let mut violations = Vec::new();
    let mut checked = 0;
    for theme in ["light", "dark", "projector"] {
        app.click("#nav-settings").await?;
        app.select("#theme", theme).await?;
        app.find(&format!("html[data-theme='{theme}']")).await?;
        let aaa = theme == "projector";
        let mut check = async |place: &str| -> WebDriverResult<()> {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            for v in app.axe(aaa).await? {
                violations.push(format!("{theme} · {place} · {v}"));
            }
            checked += 1;
            Ok(())
        };
        for page in relman_tests::app::PAGES {
            app.click(&format!("#nav-{page}")).await?;
            check(page).await?;
        }
        app.click("#nav-environments").await?;
        app.click("#environments tr[data-env='test-payroll-01'] .link-button")
            .await?;
        app.find("#env-detail").await?;
        check("environment").await?;
        open_release(&app, &payroll).await?;
        for tab in RELEASE_TABS {
            app.click(&format!("#tab-{tab}")).await?;
            check(&format!("release {tab}")).await?;
        }
        open_release(&app, &closed).await?;
        app.click("#tab-after").await?;
        app.find("#incidents tr[data-incident]").await?;
        check("closed release after").await?;
        app.press("?").await?;
        app.find("#shortcuts").await?;
        check("shortcuts").await?;
        app.press(Key::Escape).await?;
        app.click("#nav-calendar").await?;
        app.click("#cal-export").await?;
        app.find("#calendar-export").await?;
        check("calendar export").await?;
        app.press(Key::Escape).await?;
        app.gone("#calendar-export").await?;
        app.click("#nav-cab").await?;
        app.find("#cab-members").await?;
        check("cab setup").await?;
        app.press(Key::Escape).await?;
        app.start_cab_meeting(&["Carla"]).await?;
        check("cab agenda").await?;
        app.press(Key::Right).await?;
        app.find("#cab-release-title").await?;
        check("cab release").await?;
        app.press("d").await?;
        app.find("#cab-decision").await?;
        check("cab decision").await?;
        app.press(Key::Escape).await?;
        app.press("?").await?;
        app.find("#cab-help").await?;
        check("cab keys").await?;
        app.press(Key::Escape).await?;
        app.press(Key::Escape).await?;
        app.find(".sidebar").await?;
    }
    assert!(checked >= 70, "{checked} screens checked");
    assert!(violations.is_empty(), "{}", violations.join("\n"));
    app.quit().await
}

/// From the deployment's last task to closure, then the Measures page against `kpi --json`.
#[tokio::test]
async fn after_the_deployment_early_life_support_closure_and_measures() -> WebDriverResult<()> {
    use chrono::{Duration, Local};
    let db = temp_db();
    let t0 = relman_tests::now();
    {
        let mut store = Store::open(&db.path).unwrap();
        relman_tests::deploying_release(&mut store, t0);
    }
    let local = |at: chrono::DateTime<Utc>| {
        at.with_timezone(&Local)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let app = App::launch(&db.path).await?;

    // The last task done: early life support begins and production runs the new version.
    open_release(&app, "REL-1").await?;
    app.click("#tab-rollback").await?;
    app.click("#run-tasks tr[data-task='1.deploy'] .run-start")
        .await?;
    app.click("#run-tasks tr[data-task='1.deploy'] .run-done")
        .await?;
    app.wait_text("#workspace-stage", "Early life support")
        .await?;
    app.click("#nav-cis").await?;
    let ci = app
        .wait_text("#ci-table tr[data-ci='payroll-api']", "2.2")
        .await?;
    assert!(ci.contains("2.2"), "{ci}");

    // An incident of severity 2, still open: it blocks closure with the period.
    open_release(&app, "REL-1").await?;
    app.click("#tab-after").await?;
    assert!(app.text("#els-state").await?.contains("left"));
    app.fill("#incident-key", "INC0012345").await?;
    app.select("#incident-severity", "2").await?;
    app.pick("#incident-opened", &local(t0)).await?;
    app.click("#add-incident").await?;
    app.wait_text("#incidents tr[data-incident='INC0012345']", "open")
        .await?;
    app.click("#tab-overview").await?;
    let els = app.find("#checklist li[data-code='ELS-DONE']").await?;
    assert_eq!(els.attr("data-ok").await?.as_deref(), Some("false"));
    app.quit().await?;

    // Eight days on, the incident resolved, every activity settled, the review: closed.
    let later = t0 + Duration::days(8);
    let app = App::launch_at(&db.path, &later.to_rfc3339()).await?;
    open_release(&app, "REL-1").await?;
    app.click("#tab-after").await?;
    assert!(app.text("#els-state").await?.contains("over"));
    app.fill("#incident-key", "INC0012345").await?;
    app.select("#incident-severity", "2").await?;
    app.pick("#incident-opened", &local(t0)).await?;
    app.pick("#incident-resolved", &local(t0 + Duration::days(1)))
        .await?;
    app.click("#add-incident").await?;
    let resolved = "#incidents tr[data-incident='INC0012345'] td:nth-child(4)";
    assert_ne!(app.wait_content_change(resolved, "open").await?, "open");
    for activity in relman_core::after::applicable(relman_core::ReleaseType::Minor) {
        if activity == relman_core::after::Activity::Cmdb {
            continue;
        }
        app.click(&format!("#done-{activity}")).await?;
        app.find(&format!(
            "#activities li[data-activity='{activity}'][data-state='done']"
        ))
        .await?;
    }
    app.fill("#cost-amount", "1250.50").await?;
    app.click("#add-cost").await?;
    app.wait_text("#costs", "1,250.50").await?;
    app.select("#review-satisfaction", "4").await?;
    app.fill("#review-lessons", "Rehearse with real volumes")
        .await?;
    app.click("#save-review").await?;
    app.click("#tab-overview").await?;
    app.click("#advance").await?;
    app.wait_text("#workspace-stage", "Closed").await?;

    // Measures: the table says what the CLI says.
    app.click("#nav-measures").await?;
    app.find("#kpi-summary").await?;
    app.find("#shares-table").await?;
    let cli = relman_tests::cli_command(&db.path)
        .args(["kpi", "--json"])
        .output()
        .unwrap();
    let kpi: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    let number = |text: String| -> f64 {
        text.trim_end_matches(" %")
            .replace(',', "")
            .parse()
            .unwrap()
    };
    for (id, field) in [
        ("#kpi-releases", "releases"),
        ("#kpi-as-planned", "as_planned_pct"),
        ("#kpi-rescheduled", "rescheduled_pct"),
        ("#kpi-delayed", "delayed_pct"),
        ("#kpi-revision", "needing_revision_pct"),
        ("#kpi-incidents", "incidents_per_release"),
    ] {
        assert_eq!(
            number(app.text(id).await?),
            kpi[field].as_f64().unwrap(),
            "{id} vs {field}"
        );
    }
    assert_eq!(kpi["releases"], 1);
    let incidents = app.text("#incidents-table tbody tr").await?;
    assert!(
        incidents.contains("REL-1") && incidents.contains('1'),
        "{incidents}"
    );
    let cost = app.text("#cost-table tbody tr").await?;
    assert!(cost.contains("1,250.5"), "{cost} vs {}", kpi["cost"]);
    app.quit().await
}

/// The native window title, read from the X server (WebDriver sees only the page's title).
fn window_titles() -> String {
    let out = std::process::Command::new("xwininfo")
        .args(["-root", "-tree"])
        .output()
        .expect("xwininfo (x11-utils) is installed by `make test`");
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test]
async fn the_calendar_is_exported_and_the_database_backed_up_restored_and_switched()
-> WebDriverResult<()> {
    let db = temp_db();
    let out = tempfile::tempdir().unwrap();
    let earlier = out.path().join("programme-b.db");
    {
        let mut store = Store::open(&db.path).unwrap();
        store.load_demo_data("rita", relman_tests::now()).unwrap();
        store.backup_to(&earlier).unwrap();
    }
    let app = App::launch_with_files(&db.path, out.path(), &earlier).await?;

    // The calendar: a range the wrong way round is refused at its field, then exported.
    app.click("#nav-calendar").await?;
    app.click("#cal-export").await?;
    app.pick("#export-from", "2027-03-01").await?;
    app.pick("#export-to", "2027-02-01").await?;
    app.click("#export-save").await?;
    let refused = app
        .wait_text("#export-to-error", "must not be before")
        .await?;
    assert!(refused.contains("2027-03-01"), "{refused}");
    app.pick("#export-from", "2026-11-01").await?;
    app.pick("#export-to", "2027-12-31").await?;
    app.click("#export-save").await?;
    app.wait_text("#toast-message", "Calendar exported").await?;
    app.gone("#calendar-export").await?;
    let ics = std::fs::read_to_string(out.path().join("relman-calendar.ics")).unwrap();
    assert!(
        ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin"),
        "{ics}"
    );
    assert!(ics.contains("SUMMARY:Maintenance window: Saturday night Berlin"));
    assert!(ics.matches("BEGIN:VEVENT").count() > 5);

    // Back up: a consistent copy lands where the dialog said.
    app.click("#nav-settings").await?;
    let path = app.text("#database-path").await?;
    assert_eq!(path, db.path.display().to_string());
    app.click("#database-backup").await?;
    let saved = app.wait_text("#toast-message", "Backed up to").await?;
    let backup = std::path::PathBuf::from(saved.trim_start_matches("Backed up to "));
    assert!(backup.starts_with(out.path()), "{saved}");
    let copy = Store::open(&backup).unwrap();
    assert!(copy.verify_audit().unwrap().problems.is_empty());
    assert_eq!(
        copy.list_releases(&ReleaseFilter::default()).unwrap().len(),
        stored_keys(&db).len()
    );
    drop(copy);

    // A release made after the earlier backup; restoring it asks first, then takes it away.
    seed(&db, "REL-LATE", "Made after the backup");
    app.click("#database-restore").await?;
    let question = app.text("#confirm-message").await?;
    assert!(
        question.contains("programme-b.db") && question.contains("before-restore"),
        "{question}"
    );
    let kept = question
        .rsplit("kept as ")
        .next()
        .unwrap()
        .trim_end_matches('.')
        .to_string();
    app.click("#confirm-ok").await?;
    app.wait_text("#toast-message", "Restored").await?;
    assert!(
        std::path::Path::new(&kept).exists(),
        "the database is kept where the question said: {kept}"
    );
    assert!(!stored_keys(&db).contains(&"REL-LATE".to_string()));
    let keys = app.listed_keys().await?;
    assert!(
        !keys.contains(&"REL-LATE".to_string()) && keys.len() > 5,
        "{keys:?}"
    );

    // Open another file: it is what the window shows, and the title bar names it.
    app.click("#nav-settings").await?;
    app.click("#database-open").await?;
    app.wait_text("#toast-message", "Opened").await?;
    app.click("#nav-settings").await?;
    app.wait_text("#database-path", "programme-b.db").await?;
    let titles = window_titles();
    assert!(titles.contains("Relman — programme-b.db"), "{titles}");
    // And back through the recent list.
    app.click("#recent-databases button").await?;
    app.wait_text("#toast-message", "Opened").await?;
    app.click("#nav-settings").await?;
    assert_eq!(
        app.text("#database-path").await?,
        db.path.display().to_string()
    );
    assert!(window_titles().contains("Relman — relman.db"));
    app.quit().await
}

/// Whether anything a hostile text tried ran, and whether the page grew sideways.
async fn inert_and_in_place(app: &App, page: &str) -> WebDriverResult<()> {
    let pwned = app
        .driver
        .execute(
            "return window.__pwned === undefined ? null : String(window.__pwned);",
            vec![],
        )
        .await?;
    assert!(
        pwned.json().is_null(),
        "{page}: a script from the data ran: {:?}",
        pwned.json()
    );
    let injected = app
        .driver
        .execute("return document.querySelectorAll('main img[src=\"x\"], main script, main b.hostile').length;", vec![])
        .await?;
    assert_eq!(
        injected.json().as_i64(),
        Some(0),
        "{page}: markup from the data became elements"
    );
    let overflow = app
        .driver
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await?;
    assert!(
        overflow.json().as_i64().unwrap_or(0) <= 1,
        "{page}: the page is wider than the window: {:?}",
        overflow.json()
    );
    Ok(())
}

#[tokio::test]
async fn hostile_text_typed_into_the_window_stays_text_and_the_documents_stay_valid()
-> WebDriverResult<()> {
    let db = temp_db();
    let out = tempfile::tempdir().unwrap();
    let app = App::launch_saving_to(&db.path, out.path()).await?;
    // WebKitWebDriver types characters of the Basic Multilingual Plane only: the emoji here
    // are from it (astral ones go through the core's fuzzing).
    let hostile = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script><b class=hostile>bold</b> \u{202e}txt.exe ☕✈⚠\u{200d}★ ${{7*7}} '; DROP TABLE releases; --";

    // 10,000 characters are refused at the field, with what is allowed. (Put in whole and
    // announced as input: typing them key by key takes WebDriver minutes.)
    app.click("#new-release").await?;
    fill_form(
        &app,
        "REL-HOSTILE",
        "placeholder",
        "2026-03-01",
        "2026-03-14",
    )
    .await?;
    app.driver
        .execute(
            "const f = document.querySelector('#field-title'); f.value = 'x'.repeat(10000); \
             f.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await?;
    app.click("#save-release").await?;
    let refused = app
        .wait_text("#release-form", "at most 200 characters")
        .await?;
    assert!(refused.contains("at most 200 characters"));
    app.fill("#field-title", hostile).await?;
    app.fill("#field-owner", "\u{202e}Anna Berg ☕ <i>x</i>")
        .await?;
    app.click("#save-release").await?;
    let row = app
        .wait_text("#release-table tr[data-key='REL-HOSTILE']", "DROP TABLE")
        .await?;
    assert!(row.contains("<img src=x onerror="), "shown as text: {row}");
    assert!(row.contains("☕✈⚠"), "{row}");
    inert_and_in_place(&app, "releases").await?;
    let stored = Store::open(&db.path)
        .unwrap()
        .release("REL-HOSTILE")
        .unwrap();
    assert_eq!(stored.title, hostile, "stored exactly as typed");

    // The workspace and its dossier.
    open_release(&app, "REL-HOSTILE").await?;
    assert!(app.text("#workspace-title").await?.contains("<script>"));
    inert_and_in_place(&app, "workspace").await?;
    app.click("#tab-documents").await?;
    app.wait_content("#document-summary", "pages").await?;
    inert_and_in_place(&app, "documents").await?;
    app.click("#save-document").await?;
    let pdf = out.path().join("REL-HOSTILE-dossier.pdf");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !pdf.exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let check = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("DROP TABLE"),
        "the title is in the dossier"
    );

    // A freeze with the same name, and the calendar made from it.
    app.click("#nav-calendar").await?;
    app.fill("#freeze-name", hostile).await?;
    app.pick("#freeze-from", "2027-02-01T00:00").await?;
    app.pick("#freeze-to", "2027-02-03T00:00").await?;
    app.click("#add-freeze").await?;
    app.wait_text("#freeze-list", "DROP TABLE").await?;
    inert_and_in_place(&app, "calendar").await?;
    app.click("#cal-export").await?;
    app.pick("#export-from", "2027-01-01").await?;
    app.pick("#export-to", "2027-03-31").await?;
    app.click("#export-save").await?;
    app.wait_text("#toast-message", "Calendar exported").await?;
    let ics = out.path().join("relman-calendar.ics");
    let parsed = relman_tests::read_ics(&ics, "2027-01-01", "2027-03-31");
    let summaries: Vec<&str> = parsed["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["summary"].as_str().unwrap())
        .collect();
    assert!(
        summaries.contains(&format!("Change freeze: {hostile}").as_str()),
        "{summaries:?}"
    );
    app.quit().await
}

#[tokio::test]
async fn a_read_only_database_opens_and_the_window_says_so() -> WebDriverResult<()> {
    let db = temp_db();
    seed(&db, "REL-2026-001", "Archived programme");
    let mut permissions = std::fs::metadata(&db.path).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&db.path, permissions).unwrap();
    let app = App::launch(&db.path).await?;
    let banner = app.wait_text("#read-only", "read-only").await?;
    assert!(
        banner.contains("relman.db") && banner.contains("changes nothing"),
        "{banner}"
    );
    assert_eq!(app.listed_keys().await?, vec!["REL-2026-001".to_string()]);
    // No control offers an edit it would refuse: they are not shown at all.
    let hidden = async |css: &str| -> WebDriverResult<()> {
        assert!(!app.visible(css).await?, "{css} is shown read-only");
        Ok(())
    };
    hidden("#new-release").await?;
    app.click("#release-table tr[data-key='REL-2026-001'] .row-open")
        .await?;
    app.find("#tab-scope").await?;
    hidden("#edit-release").await?;
    hidden("#delete-release").await?;
    hidden("#advance").await?;
    app.click("#tab-scope").await?;
    app.find("#scope").await?;
    hidden("#add-change").await?;
    app.click("#tab-approvals").await?;
    app.find("#approvals").await?;
    hidden("#record-decision").await?;
    // Reading goes on: the tabs and the documents work.
    app.click("#tab-documents").await?;
    assert!(app.find("#save-document").await?.is_displayed().await?);
    assert_eq!(stored_keys(&db), vec!["REL-2026-001".to_string()]);
    app.quit().await
}

/// The Changes page shows and edits the window change management authorized a change for:
/// half a window is refused in the form, a backwards one by the core, naming the field.
#[tokio::test]
async fn a_changes_authorized_window_is_edited_on_the_changes_page() -> WebDriverResult<()> {
    use chrono::Local;
    let db = temp_db();
    {
        let mut store = Store::open(&db.path).unwrap();
        let now = relman_tests::now();
        store
            .create_ci(
                &relman_tests::application_ci("payroll-api", "2.1"),
                "rita",
                now,
            )
            .unwrap();
        let change = relman_core::change::ChangeDraft {
            key: "CHG0031415".into(),
            title: "Tax tables 2027".into(),
            cis: vec!["payroll-api".into()],
            ..Default::default()
        };
        store.create_change(&change, "rita", now).unwrap();
    }
    let local = |at: &str| {
        chrono::DateTime::parse_from_rfc3339(at)
            .unwrap()
            .with_timezone(&Local)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let app = App::launch(&db.path).await?;
    app.click("#nav-changes").await?;
    let row = "#change-table tr[data-change='CHG0031415']";
    assert_eq!(app.text(&format!("{row} .change-window")).await?, "—");

    app.click(&format!("{row} .edit-change")).await?;
    app.pick("#change-window-start", &local("2026-12-12T21:00:00Z"))
        .await?;
    app.click("#create-change").await?;
    let half = app.text("[id='change-error-window.end']").await?;
    assert!(
        half.starts_with("Window until:") && half.contains("both ends"),
        "{half}"
    );

    app.pick("#change-window-end", &local("2026-12-12T20:00:00Z"))
        .await?;
    app.click("#create-change").await?;
    let backwards = app
        .wait_text("[id='change-error-window.end']", "must come after")
        .await?;
    assert!(backwards.contains("planned start"), "{backwards}");

    app.pick("#change-window-end", &local("2026-12-13T03:00:00Z"))
        .await?;
    app.click("#create-change").await?;
    app.gone("#change-form").await?;
    let shown = app.text(&format!("{row} .change-window")).await?;
    assert!(shown.contains('–') && shown.contains("12"), "{shown}");
    let saved = Store::open(&db.path)
        .unwrap()
        .change("CHG0031415")
        .unwrap()
        .window
        .unwrap();
    assert_eq!(
        (saved.start.to_rfc3339(), saved.end.to_rfc3339()),
        (
            "2026-12-12T21:00:00+00:00".to_string(),
            "2026-12-13T03:00:00+00:00".to_string()
        )
    );
    app.quit().await
}

/// Importing a whole vCenter (50,000 VMs, seconds of work) shows how far it got, and Cancel
/// stops it with nothing written: no environment, no audit record.
#[tokio::test]
async fn a_long_import_shows_its_progress_and_cancel_writes_nothing() -> WebDriverResult<()> {
    let db = temp_db();
    let audit = Store::open(&db.path)
        .unwrap()
        .verify_audit()
        .unwrap()
        .records;
    let file = db.path.with_file_name("RVTools_tabvInfo.csv");
    std::fs::write(&file, &relman_tests::rvtools_export(50_000)[0].1).unwrap();
    let app = App::launch(&db.path).await?;
    app.click("#nav-environments").await?;
    app.find("#inventory-files")
        .await?
        .send_keys(file.display().to_string())
        .await?;
    let count = app.wait_text("#work-count", "of 50,000").await?;
    assert!(count.contains('%'), "{count}");
    app.click("#work-cancel").await?;
    let toast = app.wait_text("#toast-message", "cancelled").await?;
    assert!(toast.contains("nothing was changed"), "{toast}");
    app.gone("#work-dialog").await?;
    app.quit().await?;
    let store = Store::open(&db.path).unwrap();
    assert!(
        store
            .list_environments(Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap())
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.verify_audit().unwrap().records, audit);
    Ok(())
}

/// 2,000 changes render as a window of rows between spacers: the end of the table is reached
/// by scrolling and shows the last change in view, and the search narrows while typing.
#[tokio::test]
async fn a_long_table_scrolls_to_its_end_and_searches_while_typing() -> WebDriverResult<()> {
    use relman_core::transfer::{ChangeRecord, Document};
    let db = temp_db();
    let document = Document {
        format: "relman".into(),
        version: 4,
        cis: vec![],
        changes: (0..2000)
            .map(|i| ChangeRecord {
                key: format!("CHG{i:05}"),
                title: format!("Change number {i}"),
                description: String::new(),
                status: relman_core::change::ChangeStatus::Draft,
                risk: None,
                kind: None,
                cis: vec![],
                incident_refs: vec![],
                problem_refs: vec![],
                cab_decision_date: None,
                window: None,
            })
            .collect(),
        ..Document::default()
    };
    Store::open(&db.path)
        .unwrap()
        .import(&document, "test", relman_tests::now())
        .unwrap();
    let app = App::launch(&db.path).await?;
    app.click("#nav-changes").await?;
    app.wait_text("#change-count", "2,000 of 2,000").await?;
    let rendered = app
        .driver
        .find_all(thirtyfour::By::Css("#change-table tr[data-change]"))
        .await?;
    assert!(
        rendered.len() < 200,
        "{} rows rendered of 2,000",
        rendered.len()
    );
    // To the end, as a user drags the scrollbar down.
    app.driver
        .execute(
            "const s = document.querySelector('.rows:has(#change-table)'); s.scrollTop = s.scrollHeight;",
            vec![],
        )
        .await?;
    let last = app.find("#change-table tr[data-change='CHG01999']").await?;
    let in_view: bool = app
        .driver
        .execute(
            "const r = arguments[0].getBoundingClientRect(); \
             const s = document.querySelector('.rows:has(#change-table)').getBoundingClientRect(); \
             return r.top >= s.top && r.bottom <= s.bottom + 1;",
            vec![last.to_json()?],
        )
        .await?
        .convert()?;
    assert!(in_view, "the last change is rendered but not in view");
    app.fill("#change-search", "number 1234").await?;
    app.wait_text("#change-count", "1 of 2,000").await?;
    let keys: Vec<String> = app
        .driver
        .execute(
            "return [...document.querySelectorAll('#change-table tr[data-change]')].map((r) => r.dataset.change)",
            vec![],
        )
        .await?
        .convert()?;
    assert_eq!(keys, ["CHG01234"]);
    app.quit().await?;
    Ok(())
}

/// The release list sorts by the header clicked, then the other way round, and says so to a
/// screen reader.
#[tokio::test]
async fn the_release_list_sorts_by_the_header_clicked() -> WebDriverResult<()> {
    let db = temp_db();
    for (key, title) in [("REL-2", "beta"), ("REL-10", "Alpha"), ("REL-1", "gamma")] {
        seed(&db, key, title);
    }
    let app = App::launch(&db.path).await?;
    app.wait_text("#release-count", "3").await?;
    app.click("#sort-title").await?;
    app.find("th[aria-sort='ascending'] #sort-title").await?;
    assert_eq!(app.listed_keys().await?, ["REL-10", "REL-2", "REL-1"]);
    app.click("#sort-title").await?;
    app.find("th[aria-sort='descending'] #sort-title").await?;
    assert_eq!(app.listed_keys().await?, ["REL-1", "REL-2", "REL-10"]);
    app.click("#sort-key").await?;
    app.find("th[aria-sort='ascending'] #sort-key").await?;
    assert_eq!(app.listed_keys().await?, ["REL-1", "REL-2", "REL-10"]);
    app.quit().await?;
    Ok(())
}

/// The tabs of a release's workspace, in order.
const RELEASE_TABS: [&str; 10] = [
    "overview",
    "scope",
    "package",
    "plan",
    "rollback",
    "testing",
    "after",
    "approvals",
    "documents",
    "history",
];

/// The demo in German: every page, every tab of the release in testing, an environment and
/// the CAB screens of a meeting show no English sentence the catalogues know.
#[tokio::test]
async fn the_demo_in_german_says_nothing_in_english() -> WebDriverResult<()> {
    use thirtyfour::Key;
    let db = temp_db();
    let now = relman_tests::now();
    Store::open(&db.path)
        .unwrap()
        .load_demo_data("Anna Berg", now)
        .unwrap();
    let payroll = format!("REL-{}-101", now.format("%Y"));
    let sentences = relman_tests::english_sentences(true);
    let app = App::launch(&db.path).await?;
    app.resize(1024, 768).await?;
    app.find("#release-table tr[data-key]").await?;
    app.click("#nav-settings").await?;
    app.select("#language", "de").await?;
    app.wait_text("#nav-settings", "Einstellungen").await?;

    let mut english = Vec::new();
    let mut seen = 0;
    let mut read = async |place: &str| -> WebDriverResult<()> {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let text = app.content("body").await?;
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for s in sentences.iter().filter(|s| text.contains(s.as_str())) {
            english.push(format!("{place}: {s}"));
        }
        seen += 1;
        Ok(())
    };
    for page in relman_tests::app::PAGES {
        app.click(&format!("#nav-{page}")).await?;
        read(page).await?;
    }
    app.click("#nav-environments").await?;
    app.click("#environments tr[data-env='test-payroll-01'] .link-button")
        .await?;
    app.find("#env-detail").await?;
    read("environment").await?;
    open_release(&app, &payroll).await?;
    for tab in RELEASE_TABS {
        app.click(&format!("#tab-{tab}")).await?;
        read(&format!("release {tab}")).await?;
    }
    app.click("#nav-cab").await?;
    app.find("#cab-members").await?;
    app.press(Key::Escape).await?;
    app.start_cab_meeting(&["Carla"]).await?;
    read("cab agenda").await?;
    for step in 0..4 {
        app.press(Key::Right).await?;
        read(&format!("cab screen {step}")).await?;
    }
    assert!(seen >= 24, "{seen} screens read");
    assert!(english.is_empty(), "{}", english.join("\n"));
    app.quit().await
}

/// The CAB room on a laptop with a projector: the audience window opens full screen on the
/// second monitor with no control in it; the presenter drives from the laptop, and a decision
/// recorded there shows in the room.
#[tokio::test]
async fn the_cab_room_on_two_screens_shows_the_audience_what_the_presenter_decides()
-> WebDriverResult<()> {
    use thirtyfour::Key;
    let db = temp_db();
    let (first, _) = seed_cab_meeting(&db);
    let monitors = relman_tests::app::TwoMonitors::start();
    let app = App::launch_on(&db.path, &monitors.display).await?;
    app.find("#release-table tr[data-key]").await?;
    app.start_cab_meeting(&["Carla", "Ben"]).await?;
    app.find("#cab-presenter").await?;

    let main = app.driver.window().await?;
    let audience = async || -> WebDriverResult<thirtyfour::WindowHandle> {
        for _ in 0..100 {
            if let Some(other) = app.driver.windows().await?.into_iter().find(|w| *w != main) {
                return Ok(other);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no audience window opened");
    };
    let room = audience().await?;
    app.driver.switch_to_window(room.clone()).await?;
    app.wait_text("#audience-room", "Payroll for Austria")
        .await?;
    // On the second monitor, filling it.
    let rect = app.driver.get_window_rect().await?;
    assert!(rect.x >= 1280 && rect.width >= 1200, "{rect:?}");
    // Nothing in it can be used: no control at all.
    let controls = app
        .driver
        .execute(
            "return document.querySelectorAll('button, input, select, textarea, a[href], [tabindex]:not([tabindex=\"-1\"])').length",
            vec![],
        )
        .await?
        .json()
        .as_u64();
    assert_eq!(controls, Some(0));
    let violations = app.axe(true).await?;
    assert!(violations.is_empty(), "audience: {}", violations.join("\n"));

    // The presenter steps to the first release and approves it.
    app.driver.switch_to_window(main.clone()).await?;
    app.press(Key::Right).await?;
    app.wait_text("#cab-release-title", &first).await?;
    app.find("#presenter-slot-left").await?;
    let violations = app.axe(true).await?;
    assert!(
        violations.is_empty(),
        "presenter: {}",
        violations.join("\n")
    );
    app.driver.switch_to_window(room.clone()).await?;
    app.wait_text("#cab-release-title", &first).await?;
    app.driver.switch_to_window(main.clone()).await?;
    app.press("a").await?;
    app.find("#cab-decision").await?;
    app.click("#cab-confirm").await?;
    app.wait_text("#cab-verdict", "Carla").await?;
    app.driver.switch_to_window(room).await?;
    let said = app.wait_text("#room-decision", "Carla").await?;
    assert!(said.contains("Carla"), "{said}");
    app.driver.switch_to_window(main).await?;
    app.quit().await
}

/// Issue 27 in the window: the Package tab shows a delta's base, the numbering advice and the
/// DML each component cites; a bad checksum is refused on its field and a good one is kept; the
/// Overview previews the announcement and saves it as an e-mail draft; the Plan tab saves the
/// plan for project tools.
#[tokio::test]
async fn package_type_media_notice_and_project_export_in_the_window() -> WebDriverResult<()> {
    let db = temp_db();
    let out = tempfile::tempdir().unwrap();
    let now = relman_tests::now();
    Store::open(&db.path)
        .unwrap()
        .load_demo_data("Anna Berg", now)
        .unwrap();
    let year = now.format("%Y");
    let agents = format!("REL-{year}-104");
    let app = App::launch_saving_to(&db.path, out.path()).await?;
    open_release(&app, &agents).await?;
    assert!(
        app.text("#overview-package-type")
            .await?
            .contains(&format!("Delta · Base release REL-{year}-084"))
    );

    app.click("#tab-package").await?;
    app.wait_text("#package-type-help", "only what changed since its base")
        .await?;
    app.wait_text(
        "#package-numbering",
        "a minor release is expected to go to 6.5",
    )
    .await?;
    let row = "#package-media tr[data-media='monitoring-agent']";
    app.wait_text(row, "None cited").await?;
    app.click(&format!("{row} .cite-dml")).await?;
    app.fill("#dml-location", "https://dml.example.com/agent/7.0.tgz")
        .await?;
    app.fill("#dml-sha256", "not a checksum").await?;
    app.click("#save-dml").await?;
    app.wait_text("#dml-error-sha256", "is not a SHA-256 checksum")
        .await?;
    app.fill("#dml-sha256", &"c0ffee00".repeat(8)).await?;
    app.click("#save-dml").await?;
    app.wait_text(row, "https://dml.example.com/agent/7.0.tgz")
        .await?;

    app.click("#tab-overview").await?;
    app.select("#notice-kind", "announcement").await?;
    app.click("#preview-notice").await?;
    app.wait_text(
        "#notice-subject",
        &format!("Planned change: Monitoring agents to version 7 ({agents})"),
    )
    .await?;
    assert!(
        app.text("#notice-preview")
            .await?
            .contains("ops@example.com")
    );
    app.click("#write-notice").await?;
    app.wait_text("#toast", "Saved the draft").await?;
    let draft = std::fs::read_to_string(out.path().join(format!("{agents}-announcement.eml")))
        .expect("the draft is saved");
    assert!(draft.contains("X-Unsent: 1"), "{draft}");
    assert!(
        draft.contains("text/calendar; method=\"PUBLISH\""),
        "{draft}"
    );

    app.click("#tab-plan").await?;
    app.click("#export-mspdi").await?;
    app.wait_text("#toast", "for project tools").await?;
    let plan = std::fs::read_to_string(out.path().join(format!("{agents}-plan.xml")))
        .expect("the plan is saved");
    assert!(plan.contains("<Project xmlns=\"http://schemas.microsoft.com/project\">"));
    app.quit().await
}
