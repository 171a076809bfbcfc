//! People and roles on a team database: the server's login is who acts, Relman refuses what a
//! person's roles do not allow (naming the role), and the database refuses the same when the
//! person goes around Relman with psql. Each test gets a database of its own on the throwaway
//! cluster `make test` starts, with the logins of `relman_tests::TEAM`; without a server they
//! say so and pass (`make test` sets `RELMAN_REQUIRE_POSTGRES`, so they cannot be skipped there).

use std::path::Path;

use relman_core::approval::Decision;
use relman_core::error::Error;
use relman_core::people::TeamRole;
use relman_core::profile::Profile;
use relman_core::testing::{BookingPurpose, Environment, RunDraft, TestKind, TestResult};
use relman_core::{ErrorKind, Store};
use relman_tests::{
    ReadyRelease, as_login, awaiting_authorization, cli_json, fails, give_simple_plan,
    minor_release, now, psql, run_cli, seed_ready_release, team_database, try_psql,
};

fn connect(server: &str, login: &str) -> Store {
    Store::connect(&as_login(server, login)).unwrap_or_else(|e| panic!("{login}: {}", e.chain()))
}

fn owner(server: &str) -> Store {
    Store::connect(server).expect("the owner connects")
}

const REL: ReadyRelease = ReadyRelease {
    key: "REL-1",
    title: "Payroll",
    ci: ("payroll-api", "2.1", "2.2"),
    change: "CHG1",
    planned: ("2026-12-08", "2026-12-09"),
};

/// REL-1 awaiting the CAB's decision, seeded by the owner, requested by `requester`.
fn awaiting(server: &str, requester: &str) -> Store {
    let mut store = owner(server);
    awaiting_authorization(&mut store, &REL, now());
    psql(
        server,
        &format!("UPDATE releases SET requester = '{requester}' WHERE key = 'REL-1'"),
    );
    store
}

/// A decision typed straight into the approvals table, as `login` in psql.
fn raw_approval(server: &str, login: &str, approver: &str) -> Result<String, String> {
    try_psql(
        &as_login(server, login),
        &format!(
            "INSERT INTO approvals (release_id, approver, role, decision, comment, at, content_hash)
             SELECT id, '{approver}', 'cab_member', 'approve', '', '2026-12-01T09:00:00+00:00', 'x'
             FROM releases WHERE key = 'REL-1'"
        ),
    )
}

fn forbidden(error: &Error, role: TeamRole) {
    match error {
        Error::Forbidden { needed, .. } => assert_eq!(*needed, role.as_str(), "{error}"),
        other => panic!("expected a refusal needing {role}, got: {other}"),
    }
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    let message = error.user_message();
    assert!(
        message.contains(&format!("needs the {} role", role.label())),
        "{message}"
    );
}

#[test]
fn the_requester_cannot_decide_in_relman_nor_in_the_database() {
    let Some(server) = team_database() else {
        return;
    };
    let store = awaiting(&server, "anna");
    // anna holds the CAB member role, but she requested REL-1.
    let mut anna = connect(&server, "anna");
    let error = anna
        .decide_as_profile("REL-1", Decision::Approve, "mine", now())
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("anna requested REL-1 and cannot also decide on it"),
        "{error}"
    );
    // The same insert, typed into psql as anna, is refused by the database.
    let refused = raw_approval(&server, "anna", "anna").unwrap_err();
    assert!(refused.contains("anna requested this release"), "{refused}");
    // tom is no CAB member at all; carl may not sign in someone else's name.
    let refused = raw_approval(&server, "tom", "tom").unwrap_err();
    assert!(
        refused.contains("permission denied for table approvals"),
        "{refused}"
    );
    let refused = raw_approval(&server, "carl", "dora").unwrap_err();
    assert!(
        refused.contains("under the login that makes it (carl)"),
        "{refused}"
    );
    assert!(store.approvals("REL-1").unwrap().is_empty());
}

#[test]
fn carls_approval_records_carl_whatever_name_is_given() {
    let Some(server) = team_database() else {
        return;
    };
    let store = awaiting(&server, "rita");
    let carl_db = as_login(&server, "carl");
    let approve = ["release", "approve", "REL-1", "--decision", "approve"];

    // --as on a team database is refused, saying why, and nothing is recorded.
    let mut args = vec!["--as", "anna"];
    args.extend(approve);
    let out = run_cli(Path::new(&carl_db), &args);
    fails(&out, 2, "--as cannot be used with a team database");
    assert!(store.approvals("REL-1").unwrap().is_empty());

    // carl's profile names someone else: the display name changes, the actor does not.
    let mut carl = connect(&server, "carl");
    carl.set_profile(&Profile {
        name: "Anna Example".into(),
        roles: vec![],
    })
    .unwrap();
    let session = carl.session("").unwrap();
    assert_eq!(session.login, "carl");
    assert_eq!(session.name.as_deref(), Some("Anna Example"));
    assert_eq!(session.roles, vec![TeamRole::CabMember]);
    assert!(session.enforced);

    let mut args = vec!["--now", "2026-12-01T09:00:00Z"];
    args.extend(approve);
    let approval = cli_json(&carl_db, &args);
    assert_eq!(approval["approver"], "carl");
    let history = store.history("release", "REL-1").unwrap();
    let decided = history.iter().find(|r| r.action == "decide").unwrap();
    assert_eq!(decided.actor, "carl");

    // The release manager moves it on; the audit names her login.
    let mut rita = connect(&server, "rita");
    let moved = rita.advance_release("REL-1", "rita", now()).unwrap();
    assert_eq!(moved.stage, relman_core::Stage::Authorized);
    // A client that sends another name is refused by the database's audit.
    let error = rita.advance_release("REL-1", "carl", now()).unwrap_err();
    assert!(
        error
            .user_message()
            .contains("the audit records the login that writes (rita)"),
        "{}",
        error.user_message()
    );
}

#[test]
fn a_tester_records_runs_but_does_not_edit_plans() {
    let Some(server) = team_database() else {
        return;
    };
    let mut store = owner(&server);
    seed_ready_release(&mut store, &REL, now());
    give_simple_plan(&mut store, "REL-1", now());

    let mut tom = connect(&server, "tom");
    let error = tom
        .instantiate_plan(
            "REL-1",
            &relman_tests::one_wave_request("one step"),
            "tom",
            now(),
        )
        .unwrap_err();
    forbidden(&error, TeamRole::Planner);
    assert!(
        error.user_message().contains("tom holds tester"),
        "{}",
        error.user_message()
    );
    let refused = try_psql(
        &as_login(&server, "tom"),
        "UPDATE plans SET release_id = release_id",
    )
    .unwrap_err();
    assert!(
        refused.contains("permission denied for table plans"),
        "{refused}"
    );

    let t = now() - chrono::Duration::days(2);
    tom.create_environment(&Environment::new("test-REL-1"), "tom", t)
        .unwrap();
    tom.book_environment(
        "test-REL-1",
        "REL-1",
        t,
        t + chrono::Duration::days(1),
        BookingPurpose::CodeChange,
        "tom",
        t,
    )
    .unwrap();
    let run = RunDraft {
        release: "REL-1".into(),
        env: "test-REL-1".into(),
        kind: TestKind::Functional,
        result: TestResult::Passed,
        from: t + chrono::Duration::hours(1),
        to: t + chrono::Duration::hours(2),
        defects: vec![],
        notes: String::new(),
        evidence: None,
    };
    let judged = tom.record_run(&run, "tom", t).unwrap();
    assert_eq!(judged.run.env, "test-REL-1");
    let runs = store.history("release", "REL-1").unwrap();
    assert!(runs.iter().any(|r| r.actor == "tom"), "{runs:?}");
}

#[test]
fn nobody_rewrites_or_removes_the_audit() {
    let Some(server) = team_database() else {
        return;
    };
    let store = awaiting(&server, "rita");
    let records = store.verify_audit().unwrap().records;
    assert!(records > 5);
    let mut addresses: Vec<String> = relman_tests::TEAM
        .iter()
        .map(|(login, _)| as_login(&server, login))
        .collect();
    addresses.push(server.clone()); // the owner, a superuser: the triggers still refuse
    for db in &addresses {
        for sql in [
            "UPDATE audit_log SET actor = 'nobody'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ] {
            assert!(try_psql(db, sql).is_err(), "{sql} went through on {db}");
        }
    }
    let report = store.verify_audit().unwrap();
    assert_eq!(report.records, records);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn a_viewer_is_refused_every_write_naming_the_role_needed() {
    let Some(server) = team_database() else {
        return;
    };
    let store = awaiting(&server, "rita");
    let before = store.verify_audit().unwrap().records;
    let mut vera = connect(&server, "vera");
    let at = now();
    let writes: Vec<(TeamRole, Error)> = vec![
        (
            TeamRole::Planner,
            vera.create_release(&minor_release("REL-2", "Tax"), "vera", at)
                .unwrap_err(),
        ),
        (
            TeamRole::Planner,
            vera.delete_release("REL-1", "vera", at).unwrap_err(),
        ),
        (
            TeamRole::Tester,
            vera.create_environment(&Environment::new("vm-1"), "vera", at)
                .unwrap_err(),
        ),
        (
            TeamRole::ReleaseManager,
            vera.advance_release("REL-1", "vera", at).unwrap_err(),
        ),
        (
            TeamRole::CabMember,
            vera.decide_as_profile("REL-1", Decision::Approve, "", at)
                .unwrap_err(),
        ),
        (
            TeamRole::CabChair,
            vera.start_meeting(&["carl".into()], "vera", at)
                .unwrap_err(),
        ),
        (
            TeamRole::Admin,
            vera.set_els_policy(&Default::default()).unwrap_err(),
        ),
        (
            TeamRole::Admin,
            vera.grant("vera", TeamRole::Planner, "vera", at)
                .unwrap_err(),
        ),
    ];
    for (role, error) in &writes {
        forbidden(error, *role);
        assert!(error.user_message().contains("vera holds viewer"));
    }
    // The command line exits 1 with the same words.
    let out = run_cli(
        Path::new(&as_login(&server, "vera")),
        &relman_tests::create_release_args("REL-3", "Tax"),
    );
    fails(&out, 1, "needs the planner role");
    // psql as vera is refused by the database itself.
    let refused = try_psql(
        &as_login(&server, "vera"),
        "UPDATE releases SET title = 'mine'",
    )
    .unwrap_err();
    assert!(
        refused.contains("permission denied for table releases"),
        "{refused}"
    );
    let refused = try_psql(
        &as_login(&server, "vera"),
        "INSERT INTO settings (key, value) VALUES ('els_policy', '{}')",
    )
    .unwrap_err();
    assert!(refused.contains("row-level security"), "{refused}");
    assert_eq!(store.verify_audit().unwrap().records, before);
    // Yet she may name herself, and reads everything.
    vera.set_profile(&Profile {
        name: "Vera Viewer".into(),
        roles: vec![],
    })
    .unwrap();
    assert_eq!(vera.list_releases(&Default::default()).unwrap().len(), 1);
}

#[test]
fn an_administrator_grants_and_revokes_and_each_change_is_audited() {
    let Some(server) = team_database() else {
        return;
    };
    psql(
        &server,
        &format!(
            "DO $$ BEGIN CREATE ROLE gina LOGIN PASSWORD '{}';
             EXCEPTION WHEN duplicate_object THEN NULL; END $$",
            relman_tests::TEAM_PASSWORD
        ),
    );
    let ada = as_login(&server, "ada");
    let granted = cli_json(&ada, &["people", "grant", "gina", "tester"]);
    assert_eq!(granted["roles"], serde_json::json!(["tester"]));
    let people = cli_json(&ada, &["people", "list"]);
    let find = |login: &str| {
        people
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["login"] == login)
            .cloned()
            .unwrap_or_else(|| panic!("{login} not in {people}"))
    };
    assert_eq!(
        find("anna")["roles"],
        serde_json::json!(["planner", "cab_member"])
    );
    assert_eq!(find("gina")["roles"], serde_json::json!(["tester"]));
    assert_eq!(find("gina")["name"], "");

    // gina works as a tester, until the role is revoked while she is connected.
    let mut gina = connect(&server, "gina");
    gina.create_environment(&Environment::new("vm-gina"), "gina", now())
        .unwrap();
    let revoked = cli_json(&ada, &["people", "revoke", "gina", "tester"]);
    assert_eq!(revoked["roles"], serde_json::json!([]));
    let error = gina
        .create_environment(&Environment::new("vm-gina-2"), "gina", now())
        .unwrap_err();
    forbidden(&error, TeamRole::Tester);
    assert!(error.user_message().contains("gina holds no Relman role"));

    let store = owner(&server);
    let history = store.history("person", "gina").unwrap();
    let acts: Vec<(&str, &str, Option<&str>)> = history
        .iter()
        .map(|r| (r.action.as_str(), r.actor.as_str(), r.after.as_deref()))
        .collect();
    assert_eq!(
        acts,
        vec![
            ("grant", "ada", Some("tester")),
            ("revoke", "ada", Some(""))
        ]
    );

    // Only administrators grant, in Relman and in the database; only logins that exist.
    let out = run_cli(
        Path::new(&as_login(&server, "anna")),
        &["people", "grant", "anna", "admin"],
    );
    fails(&out, 1, "needs the administrator role");
    let refused = try_psql(
        &as_login(&server, "anna"),
        "SELECT relman_set_role('anna', 'admin', true)",
    )
    .unwrap_err();
    assert!(
        refused.contains("permission denied for function"),
        "{refused}"
    );
    let out = run_cli(
        Path::new(&ada),
        &["people", "grant", "nobody_here", "planner"],
    );
    fails(&out, 1, "there is no login named 'nobody_here'");
    let out = run_cli(Path::new(&ada), &["people", "grant", "gina", "owner"]);
    fails(&out, 2, "viewer, planner, tester, release_manager");
}

#[test]
fn a_cab_chair_records_the_decision_of_a_member_present() {
    let Some(server) = team_database() else {
        return;
    };
    let store = awaiting(&server, "rita");
    let mut chris = connect(&server, "chris");
    let meeting = chris
        .start_meeting(&["carl".into(), "rita".into()], "chris", now())
        .unwrap();
    let content_hash = store.cab_agenda(false, now()).unwrap()[0]
        .content_hash
        .clone();
    let decision = |decider: &str| relman_core::cab::MeetingDecision {
        meeting: meeting.id,
        release: "REL-1".into(),
        decider: decider.into(),
        decision: Decision::Approve,
        comment: String::new(),
        content_hash: content_hash.clone(),
    };
    // The requester, though present, does not decide.
    assert!(
        chris
            .decide_in_meeting(&decision("rita"), "chris", now())
            .is_err()
    );
    let approval = chris
        .decide_in_meeting(&decision("carl"), "chris", now())
        .unwrap();
    assert_eq!(approval.approver, "carl");
    let decided = store.history("release", "REL-1").unwrap();
    assert_eq!(decided.last().unwrap().actor, "chris");
    // carl, a member but no chair, cannot record meeting decisions.
    let mut carl = connect(&server, "carl");
    forbidden(
        &carl
            .decide_in_meeting(&decision("carl"), "carl", now())
            .unwrap_err(),
        TeamRole::CabChair,
    );
    chris.end_meeting(meeting.id, "chris", now()).unwrap();
}

/// Every table reads for every role, and every role's writes reach the tables they need: a
/// table added by a later migration without its grants fails here, not in a user's hands.
#[test]
fn every_table_reads_for_every_role() {
    let Some(server) = team_database() else {
        return;
    };
    let unreadable = psql(
        &server,
        "SELECT string_agg(tablename, ', ') FROM pg_tables
         WHERE schemaname = current_schema()
           AND NOT has_table_privilege('relman_viewer', format('%I.%I', schemaname, tablename), 'SELECT')",
    );
    assert_eq!(unreadable, "", "relman_viewer cannot read these tables");
    for table in relman_core::store::TABLES {
        assert_eq!(
            psql(
                &server,
                &format!("SELECT has_table_privilege('relman_viewer', '{table}', 'SELECT')")
            ),
            "t",
            "{table}"
        );
    }
}

/// The window never works as the owner of the team database's tables: the database does not
/// check its owner's roles. Anyone else (and a superuser, who passes everything anyway) may.
#[test]
fn the_window_does_not_work_as_the_owner() {
    let Some(server) = team_database() else {
        return;
    };
    psql(
        &server,
        &format!(
            "DO $$ BEGIN CREATE ROLE olga LOGIN PASSWORD '{}';
             EXCEPTION WHEN duplicate_object THEN NULL; END $$;
             REVOKE relman_viewer FROM olga;
             ALTER TABLE releases OWNER TO olga",
            relman_tests::TEAM_PASSWORD
        ),
    );
    // Without a role she cannot open it at all, and is told so.
    let error = Store::connect(&as_login(&server, "olga")).err().unwrap();
    forbidden(&error, TeamRole::Viewer);
    assert!(error.user_message().contains("olga holds no Relman role"));
    psql(&server, "GRANT relman_viewer TO olga");
    let error = connect(&server, "olga").refuse_the_owner().unwrap_err();
    assert!(
        error
            .to_string()
            .contains("olga owns the team database's tables"),
        "{error}"
    );
    connect(&server, "anna").refuse_the_owner().unwrap();
    owner(&server).refuse_the_owner().unwrap();
}
