//! The window on a team database (PostgreSQL): two people's windows follow each other, a
//! person sees what their roles let them do (and is told why when a role goes while the window
//! is open), and a server that goes away and comes back is said so and then shown again. The second test
//! stops the shared server, so `make test-postgres` runs this file on its own, after the
//! other suites, on its pg_virtualenv cluster.

use std::path::Path;
use std::process::Command;

use relman_tests::app::App;
use relman_tests::{as_login, create_release_args, psql, run_cli, server_database, team_database};
use thirtyfour::prelude::WebDriverResult;

/// The two tests share one server that the second one stops: one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn cli(db: &str, args: &[&str]) {
    let out = run_cli(Path::new(db), args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn create(db: &str, key: &str, title: &str) {
    cli(db, &create_release_args(key, title));
}

fn window_titles() -> String {
    let out = Command::new("xwininfo")
        .args(["-root", "-tree"])
        .output()
        .expect("xwininfo (x11-utils) is installed by `make test`");
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test]
async fn two_windows_on_one_team_database_follow_each_other() -> WebDriverResult<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(server) = server_database() else {
        return Ok(());
    };
    create(&server, "REL-2026-200", "Seeded on the server");
    let anna = App::launch(Path::new(&server)).await?;
    anna.find("#release-table tr[data-key='REL-2026-200']")
        .await?;
    assert!(
        window_titles().contains("(team database)"),
        "the title names the team database: {}",
        window_titles()
    );
    let ben = App::launch_beside(Path::new(&server), &anna).await?;

    // Ben creates a release in his window; Anna's shows it without a click.
    ben.click("#new-release").await?;
    ben.fill("#field-key", "REL-2026-201").await?;
    ben.fill("#field-title", "Made in the other window").await?;
    ben.fill("#field-planned_start", "2026-12-20").await?;
    ben.fill("#field-planned_end", "2026-12-21").await?;
    ben.click("#save-release").await?;
    ben.find("#release-table tr[data-key='REL-2026-201']")
        .await?;
    let row = anna
        .find("#release-table tr[data-key='REL-2026-201']")
        .await?;
    assert!(row.text().await?.contains("Made in the other window"));
    ben.quit().await?;

    // Settings ▸ Database names the login, the database and the server.
    anna.click("#nav-settings").await?;
    let database = server.rsplit('/').next().unwrap();
    let named = anna.text("#database-server").await?;
    assert!(named.contains(&format!(" on {database}@")), "{named}");
    anna.quit().await
}

/// File ▸ Connect, from Settings: the form names a bad field, then opens the server's data.
#[tokio::test]
async fn the_connect_form_opens_a_team_database() -> WebDriverResult<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(server) = server_database() else {
        return Ok(());
    };
    create(&server, "REL-2026-400", "Only on the server");
    // postgres://USER@HOST:PORT/DATABASE, as server_database() makes it.
    let (user, rest) = server["postgres://".len()..].split_once('@').unwrap();
    let (host_port, database) = rest.split_once('/').unwrap();
    let (host, port) = host_port.split_once(':').unwrap();

    let dir = tempfile::tempdir().unwrap();
    let app = App::launch(&dir.path().join("own.db")).await?;
    app.click("#nav-settings").await?;
    app.click("#database-connect").await?;
    app.fill("#connect-host", host).await?;
    app.fill("#connect-port", "0").await?;
    app.fill("#connect-database", database).await?;
    app.fill("#connect-user", user).await?;
    app.click("#connect-save").await?;
    let said = app.text("#connect-port-error").await?;
    assert!(said.contains("1 to 65535"), "{said}");

    app.fill("#connect-port", port).await?;
    app.click("#connect-save").await?;
    app.gone("#connect-dialog").await?;
    app.find("#release-table tr[data-key='REL-2026-400']")
        .await?;
    app.click("#nav-settings").await?;
    let named = app.text("#database-server").await?;
    assert!(named.contains(&format!(" on {database}@")), "{named}");
    app.quit().await
}

#[tokio::test]
async fn a_lost_server_is_said_so_and_the_data_comes_back_with_it() -> WebDriverResult<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (Some(server), Some(own)) = (server_database(), relman_tests::TestCluster::find()) else {
        assert!(
            std::env::var_os("RELMAN_REQUIRE_POSTGRES").is_none(),
            "this test needs the pg_virtualenv cluster of `make test-postgres`"
        );
        return Ok(());
    };
    create(&server, "REL-2026-300", "Before the outage");
    let app = App::launch(Path::new(&server)).await?;
    app.find("#release-table tr[data-key='REL-2026-300']")
        .await?;

    own.stop();
    let said = app
        .wait_text(
            "#toast-message",
            "connection to the database server was lost",
        )
        .await;
    own.start();
    let said = said?;
    assert!(
        said.contains("was lost") && said.contains("Nothing was changed"),
        "{said}"
    );

    // Written while the window was away (its notice was lost with the connection): the
    // window reads everything again once it is back.
    create(&server, "REL-2026-301", "After the outage");
    app.find("#release-table tr[data-key='REL-2026-301']")
        .await?;
    assert!(
        app.listed_keys()
            .await?
            .contains(&"REL-2026-300".to_string())
    );
    app.quit().await
}

/// A planner signed in on the team database: the window names her roles, offers no decision
/// on a release (only CAB members decide), and when her role is revoked while the window is
/// open, the next edit is refused in words that name the role and who grants it.
#[tokio::test]
async fn a_planner_sees_no_decision_and_is_told_why_when_her_role_goes() -> WebDriverResult<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(server) = team_database() else {
        return Ok(());
    };
    psql(
        &server,
        &format!(
            "DO $$ BEGIN CREATE ROLE petra LOGIN PASSWORD '{}';
             EXCEPTION WHEN duplicate_object THEN NULL; END $$;
             GRANT relman_planner TO petra",
            relman_tests::TEAM_PASSWORD
        ),
    );
    let owner = server.clone();
    std::thread::spawn(move || {
        let mut store = relman_core::Store::connect(&owner).expect("the owner connects");
        let release = relman_tests::ReadyRelease {
            key: "REL-1",
            title: "Payroll",
            ci: ("payroll-api", "2.1", "2.2"),
            change: "CHG1",
            planned: ("2026-12-08", "2026-12-09"),
        };
        relman_tests::awaiting_authorization(&mut store, &release, relman_tests::now());
    })
    .join()
    .expect("the seeding thread");

    let petra = as_login(&server, "petra");
    let app = App::launch(Path::new(&petra)).await?;
    let database = server.rsplit('/').next().unwrap();
    let session = app.text("#session").await?;
    assert!(
        session.contains("petra")
            && session.contains("(planner)")
            && session.contains(&format!("on {database}@")),
        "{session}"
    );
    app.click("#release-table tr[data-key='REL-1'] .row-open")
        .await?;
    app.click("#tab-approvals").await?;
    let why = app.text("#decision-not-allowed").await?;
    assert!(why.contains("Only CAB members decide"), "{why}");
    app.gone("#record-decision").await?;

    // The administrator revokes her role; the window still shows the form, the write is refused.
    psql(&server, "REVOKE relman_planner FROM petra");
    app.click("#nav-releases").await?;
    app.click("#new-release").await?;
    app.fill("#field-key", "REL-2").await?;
    app.fill("#field-title", "After the revocation").await?;
    app.fill("#field-planned_start", "2026-12-20").await?;
    app.fill("#field-planned_end", "2026-12-21").await?;
    app.click("#save-release").await?;
    let refused = app.wait_text("#form-error", "may not do this").await?;
    assert!(
        refused.contains("needs the planner role") && refused.contains("Settings ▸ People"),
        "{refused}"
    );
    let listed = std::process::Command::new("psql")
        .args([server.as_str(), "-tAc", "SELECT count(*) FROM releases"])
        .output()
        .expect("psql runs");
    assert_eq!(String::from_utf8_lossy(&listed.stdout).trim(), "1");
    app.quit().await?;

    // Made a viewer and opened again, the window says so once and offers no edit.
    psql(&server, "GRANT relman_viewer TO petra");
    let app = App::launch(Path::new(&petra)).await?;
    let banner = app.wait_text("#read-only", "viewer role").await?;
    assert!(banner.contains("petra"), "{banner}");
    app.find("#release-table tr[data-key='REL-1']").await?;
    assert!(!app.visible("#new-release").await?);
    app.quit().await
}
