//! `relman-cli`: the headless face of Relman's core. Its commands, flags, exit codes and JSON
//! shapes are a contract (`shared/design/cli.md`); add beside them, never change them.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Args, Parser, Subcommand};
use relman_core::after::{Activity, ActivityState};
use relman_core::approval::{Decision, Role};
use relman_core::change::{Change, ChangeDraft, ChangeKind, ChangeStatus, Ci, CiKind};
use relman_core::csv_import::{CsvOptions, parse_status_mapping};
use relman_core::message::{Lang, Message};
use relman_core::notice::{Contact, NoticeKind};
use relman_core::package::{Dml, PackageType, parse_requirement_spec};
use relman_core::paths::{default_db_path, os_user_name};
use relman_core::plan::Schedule;
use relman_core::rules::{AllRules, Checklist};
use relman_core::store::{Engine, Workspace};
use relman_core::work::Work;
use relman_core::{
    Error, ErrorKind, ErrorReport, Release, ReleaseDraft, ReleaseFilter, ReleaseType, Risk, Stage,
    Store,
};
use serde::Serialize;
use serde_json::{Value, json};

mod after;
mod cab;
mod data;
mod db;
mod people;
mod planning;
mod progress;
mod report;
mod rollback;
mod testing;

/// Ctrl+C ends the process, and with it the transaction: the CLI's long work is never told
/// to stop.
static NEVER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[derive(Parser)]
#[command(
    name = "relman-cli",
    version,
    about = "Relman release management, headless"
)]
struct Cli {
    /// The database: a file, or a team database as postgres://user@host:5432/relman
    /// (the password from PGPASSWORD or ~/.pgpass) [default: the app's embedded default database]
    #[arg(long, global = true, value_name = "FILE|URL", env = "RELMAN_DB")]
    db: Option<String>,

    /// Who is acting, for the audit history [default: the OS user name]. Not on a team
    /// database: there the login you connect as is who acts
    #[arg(long = "as", global = true, value_name = "NAME")]
    actor: Option<String>,

    /// Print one JSON document on stdout instead of text
    #[arg(long, global = true)]
    json: bool,

    /// Act as of this moment (ISO 8601): time-dependent rules such as the problem-free period
    /// and snapshot age are judged then, and records are stamped with it [default: now]
    #[arg(long, global = true, value_name = "DATETIME", env = "RELMAN_NOW")]
    now: Option<String>,

    /// The language of messages and documents [default: German when LC_ALL, LC_MESSAGES or
    /// LANG asks for it, else English]
    #[arg(long, global = true, value_name = "en|de", value_parser = parse_enum::<Lang>)]
    lang: Option<Lang>,

    #[command(subcommand)]
    command: Command,
}

static LANGUAGE: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

/// The language the CLI speaks: `--lang`, else the locale's, else English.
pub fn lang() -> Lang {
    *LANGUAGE.get_or_init(|| {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
            .map(|locale| Lang::from_locale(&locale))
            .unwrap_or_default()
    })
}

/// A core message in the CLI's language.
pub fn say(message: &Message) -> String {
    message.render(lang())
}

/// Every core message in a JSON document becomes its sentence in the CLI's language: the
/// contract's `message`, `remedy` and `reason` fields are strings.
fn render_messages(value: &mut Value) {
    let is_message = |map: &serde_json::Map<String, Value>| {
        map.len() == 2 && map.contains_key("key") && map.contains_key("params")
    };
    if let Value::Object(map) = value
        && is_message(map)
        && let Ok(message) = serde_json::from_value::<Message>(value.clone())
    {
        *value = Value::String(say(&message));
        return;
    }
    match value {
        Value::Object(map) => {
            for (name, field) in map.iter_mut() {
                // A rule that holds has no remedy; the contract has always given "".
                if name == "remedy" && field.is_null() {
                    *field = Value::String(String::new());
                }
                render_messages(field);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(render_messages),
        _ => {}
    }
}

#[derive(Subcommand)]
enum Command {
    /// Releases: create, list, show, edit, delete, scope, package, rules, moves, approvals
    #[command(subcommand)]
    Release(ReleaseCommand),
    /// Configuration items of the CMDB
    #[command(subcommand)]
    Ci(CiCommand),
    /// Changes (RFCs)
    #[command(subcommand)]
    Change(ChangeCommand),
    /// The audit history
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Freeze (blackout) periods
    #[command(subcommand)]
    Freeze(FreezeCommand),
    /// Recurring maintenance windows
    #[command(subcommand)]
    Window(WindowCommand),
    /// Deployment models: reusable tasks with how each is undone
    #[command(subcommand)]
    Model(rollback::ModelCommand),
    /// Test environments: inventory, installs, snapshots, bookings
    #[command(subcommand)]
    Env(testing::EnvCommand),
    /// Test runs of releases and their defects
    #[command(subcommand)]
    Test(testing::TestCommand),
    /// Release documents as PDF: the dossier of one release, the CAB pack
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// The CAB meeting: agenda, start with the members present, decisions, end with minutes
    #[command(subcommand)]
    Cab(cab::CabCommand),
    /// Incidents caused by releases during early life support
    #[command(subcommand)]
    Incident(after::IncidentCommand),
    /// The release KPIs over a period (deployments finished in it)
    Kpi(after::KpiArgs),
    /// The release calendar for Outlook, Thunderbird and other calendars
    #[command(subcommand)]
    Calendar(data::CalendarCommand),
    /// Write a consistent copy of the database (safe while the app or a script writes to it)
    Backup {
        #[arg(long, value_name = "FILE.db")]
        out: PathBuf,
    },
    /// Replace the database (--db) with a backup; a damaged or newer file is refused with
    /// nothing changed, and the database as it was is kept beside it
    Restore {
        #[arg(value_name = "FILE.db")]
        file: PathBuf,
    },
    /// Write the database, or one release with what it refers to, as a JSON document
    Export {
        /// Only this release, with its changes and CIs
        #[arg(long)]
        release: Option<String>,
        #[arg(long, value_name = "FILE.json")]
        out: PathBuf,
    },
    /// Add what a JSON export or a CSV file of changes or CIs holds (all or nothing)
    Import {
        #[arg(value_name = "FILE.json|FILE.csv")]
        file: PathBuf,
        /// CSV: read a status of the file as a Relman status, e.g. "Awaiting implementation=authorized"
        /// (repeatable; remembered for the next import from the same tool)
        #[arg(long = "status-map", value_name = "STATUS=RELMAN_STATUS")]
        status_map: Vec<String>,
        /// CSV: refuse changes naming CIs the CMDB lacks instead of creating them
        #[arg(long)]
        strict_cis: bool,
    },
    /// Print the JSON Schema of the export format
    Schema,
    /// The database itself: which one, its schema; update a team database's schema; copy a
    /// whole database between a file and a server
    #[command(subcommand)]
    Db(db::DbCommand),
    /// People and their roles on a team database: list, grant, revoke
    #[command(subcommand)]
    People(people::PeopleCommand),
    /// Load the demo data set (releases, plans, environments, history) into an empty database
    Demo,
}

#[derive(Subcommand)]
enum ReleaseCommand {
    /// Create a release in the planning stage
    Create(CreateArgs),
    /// List releases, earliest planned start first
    List {
        /// Only releases in this stage
        #[arg(long, value_parser = parse_enum::<Stage>)]
        stage: Option<Stage>,
    },
    /// Show one release with its scope, package, plan and approvals
    Show { key: String },
    /// Change fields of a release (only the flags given)
    Edit(EditArgs),
    /// Delete a release (undo with `release restore`)
    Delete { key: String },
    /// Bring back a deleted release
    Restore { key: String },
    /// Put a change into the release's scope
    AddChange { key: String, change: String },
    /// Take a change out of the release's scope
    RemoveChange { key: String, change: String },
    /// Add a component to the release package
    AddComponent {
        key: String,
        #[arg(long)]
        ci: String,
        /// The version it goes live in
        #[arg(long)]
        to: String,
        /// Another CI it needs, e.g. "api>=2.1" (repeatable)
        #[arg(long)]
        requires: Vec<String>,
        /// Where the target version's definitive media are (repository URL or share path)
        #[arg(long, requires = "sha256")]
        dml: Option<String>,
        /// The SHA-256 checksum of those media
        #[arg(long, requires = "dml")]
        sha256: Option<String>,
    },
    /// Write a notice for the users of the services the release touches, as an e-mail draft
    Notice {
        key: String,
        #[arg(long, value_parser = parse_enum::<NoticeKind>)]
        kind: NoticeKind,
        #[arg(long, value_name = "FILE.eml")]
        out: PathBuf,
    },
    /// Write the deployment plan for a project tool (MS Project, ProjectLibre, GanttProject)
    ExportPlan {
        key: String,
        #[arg(long, value_parser = ["mspdi"])]
        format: String,
        #[arg(long, value_name = "FILE.xml")]
        out: PathBuf,
    },
    /// Add a member release to a package release (tested and deployed with it)
    AddMember { key: String, member: String },
    /// Take a member release out of a package release
    RemoveMember { key: String, member: String },
    /// Take a component out of the release package
    RemoveComponent {
        key: String,
        #[arg(long)]
        ci: String,
    },
    /// Change a component's target version or requirements (only the flags given)
    EditComponent {
        key: String,
        #[arg(long)]
        ci: String,
        /// The version it goes live in
        #[arg(long)]
        to: Option<String>,
        /// Another CI it needs, e.g. "api>=2.1" (repeatable; replaces the requirements)
        #[arg(long)]
        requires: Vec<String>,
        /// Remove every requirement
        #[arg(long, conflicts_with = "requires")]
        no_requires: bool,
        /// Where the target version's definitive media are
        #[arg(long, requires = "sha256")]
        dml: Option<String>,
        /// The SHA-256 checksum of those media
        #[arg(long, requires = "dml")]
        sha256: Option<String>,
        /// Withdraw the DML reference
        #[arg(long, conflicts_with = "dml")]
        no_dml: bool,
    },
    /// The rule checklist for the next stage move
    Check {
        key: String,
        /// Every rule, with the stage moves it guards, not only the next move's
        #[arg(long)]
        all: bool,
    },
    /// Move to the next stage, or exit 1 listing the failing rules
    Advance { key: String },
    /// Send a release in test or awaiting authorization back to build
    SendBack { key: String },
    /// Cancel a release that has not started deploying
    Cancel { key: String },
    /// Mark an accompanying activity done, or not needed (with --note saying why)
    Activity {
        key: String,
        #[arg(value_parser = parse_enum::<Activity>)]
        activity: Activity,
        #[arg(value_parser = parse_enum::<ActivityState>)]
        state: ActivityState,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record a direct cost of the release
    Cost {
        key: String,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        currency: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record a CAB decision
    Approve {
        key: String,
        #[arg(long, value_parser = parse_enum::<Decision>)]
        decision: Decision,
        #[arg(long, default_value = "")]
        comment: String,
        /// The approver's role
        #[arg(long, value_parser = parse_enum::<Role>, default_value = "cab_member")]
        role: Role,
    },
    /// The audit history of a release
    History { key: String },
    /// Give the release a deployment plan from a model (replacing the plan it had)
    Plan(PlanArgs),
    /// The scheduled plan: per task start, end, slack and whether it is critical
    Schedule { key: String },
    /// Conflicts of the plan with freezes, windows and other releases
    Conflicts { key: String },
    /// Tasks of the release's own plan
    #[command(subcommand)]
    Task(rollback::ReleaseTaskCommand),
    /// The rollback plan per wave: latest go/no-go, point of no return, steps, whether it fits;
    /// after an abort, the rollback being run
    Rollback {
        key: String,
        /// The rollback if the wave stopped once this task has started ("roll back from here")
        #[arg(long, value_name = "TASK")]
        from: Option<String>,
    },
    /// Record that a step of the deployment (or of its rollback) started or is done
    Run {
        key: String,
        #[arg(value_parser = ["start", "done"])]
        what: String,
        task: String,
        /// When [default: now]: ISO 8601 with offset, or local to --tz
        #[arg(long, value_name = "DATETIME")]
        at: Option<String>,
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
    },
    /// Stop the deployment and roll back what has started
    Abort {
        key: String,
        #[arg(long)]
        reason: String,
        /// When [default: now]: ISO 8601 with offset, or local to --tz
        #[arg(long, value_name = "DATETIME")]
        at: Option<String>,
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
    },
    /// Candidate windows where the whole deployment fits, best first
    Slots {
        key: String,
        /// How many weeks ahead to look
        #[arg(long, default_value_t = 4)]
        weeks: u32,
    },
    /// Move the whole plan to start at a slot (`release slots` lists them)
    PickSlot {
        key: String,
        /// The slot's start: ISO 8601 with offset, or local to --tz
        #[arg(long, value_name = "DATETIME")]
        start: String,
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
    },
    /// Keep the plan as it is now as its baseline (planned vs baseline vs actual)
    Baseline { key: String },
    /// Record the closure review (satisfaction 1–5), which closing the release needs
    Review {
        key: String,
        #[arg(long)]
        satisfaction: u8,
        #[arg(long, default_value = "")]
        comment: String,
        /// What to keep or change next time
        #[arg(long, default_value = "")]
        lessons: String,
    },
    /// After the deployment: early life support, incidents, activities, costs, the review
    After { key: String },
    /// Days of early life support per release type: shown, or changed with the flags given
    ElsPolicy(after::ElsPolicyArgs),
}

#[derive(Args)]
pub struct PlanArgs {
    pub key: String,
    /// The deployment model (models arrive through `import`)
    #[arg(long)]
    pub model: String,
    /// big_bang or phased [default: big_bang for one wave, phased for more]
    #[arg(long, value_parser = parse_enum::<relman_core::plan::Strategy>)]
    pub strategy: Option<relman_core::plan::Strategy>,
    /// A wave, in rollout order (repeatable) [default: one wave "All targets"]
    #[arg(long = "wave", value_name = "NAME")]
    pub waves: Vec<String>,
    /// The maintenance window of every wave [default: any window]
    #[arg(long)]
    pub window: Option<String>,
    /// The time zone of every wave
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// A target of every wave: a CI, site or user group (repeatable)
    #[arg(long = "target")]
    pub targets: Vec<String>,
    /// Hours to observe a wave before the next starts
    #[arg(long, default_value_t = 0.0)]
    pub observe_hours: f64,
}

#[derive(Subcommand)]
enum FreezeCommand {
    /// Add a freeze; global unless --service names one
    Add {
        #[arg(long)]
        name: String,
        /// Start: ISO 8601 with offset, or local to --tz
        #[arg(long, value_name = "DATETIME")]
        from: String,
        /// End: ISO 8601 with offset, or local to --tz
        #[arg(long, value_name = "DATETIME")]
        to: String,
        /// The service (CI) it covers
        #[arg(long, value_name = "CI")]
        service: Option<String>,
        /// Time zone for --from and --to without an offset
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        /// Repeat every year (e.g. a year-end freeze)
        #[arg(long)]
        yearly: bool,
    },
    /// List freezes
    List,
    /// Remove a freeze
    Delete { name: String },
}

#[derive(Subcommand)]
enum WindowCommand {
    /// Add a weekly maintenance window
    Add {
        #[arg(long)]
        name: String,
        /// Day and local start time, e.g. "sat 22:00"
        #[arg(long)]
        weekly: String,
        /// How long it is open
        #[arg(long)]
        hours: f64,
        /// IANA time zone, e.g. Europe/Berlin
        #[arg(long)]
        tz: String,
    },
    /// List maintenance windows
    List,
    /// Remove a maintenance window no wave uses
    Delete { name: String },
}

#[derive(Args)]
struct CreateArgs {
    #[arg(long)]
    key: String,
    #[arg(long)]
    title: String,
    #[arg(long = "type", value_parser = parse_enum::<ReleaseType>)]
    release_type: ReleaseType,
    /// Planned start, YYYY-MM-DD
    #[arg(long)]
    start: String,
    /// Planned end, YYYY-MM-DD
    #[arg(long)]
    end: String,
    #[arg(long)]
    owner: Option<String>,
    #[arg(long, value_parser = parse_enum::<Risk>)]
    risk: Option<Risk>,
    /// How it is packaged; default: full for a major release, delta otherwise
    #[arg(long, value_parser = parse_enum::<PackageType>)]
    package_type: Option<PackageType>,
    /// The release a delta is built on
    #[arg(long)]
    base: Option<String>,
}

#[derive(Args)]
struct EditArgs {
    key: String,
    #[arg(long)]
    title: Option<String>,
    #[arg(long = "type", value_parser = parse_enum::<ReleaseType>)]
    release_type: Option<ReleaseType>,
    #[arg(long)]
    start: Option<String>,
    #[arg(long)]
    end: Option<String>,
    #[arg(long)]
    owner: Option<String>,
    #[arg(long, value_parser = parse_enum::<Risk>)]
    risk: Option<Risk>,
    /// Who asked for the release (they may not authorize it)
    #[arg(long)]
    requester: Option<String>,
    /// Link to the development documentation
    #[arg(long)]
    dev_docs: Option<String>,
    /// Link to the operations documentation
    #[arg(long)]
    ops_docs: Option<String>,
    /// How it is packaged: full, delta (with --base) or package
    #[arg(long, value_parser = parse_enum::<PackageType>)]
    package_type: Option<PackageType>,
    /// The release a delta is built on
    #[arg(long, requires = "package_type")]
    base: Option<String>,
}

#[derive(Subcommand)]
enum UnitCommand {
    /// Create a release unit of CIs (e.g. Payroll = api + db + batch)
    Create {
        name: String,
        /// A CI of the unit (repeatable)
        #[arg(long, required = true)]
        ci: Vec<String>,
    },
    /// List the release units
    List,
    /// Delete a release unit (its CIs stay)
    Delete { name: String },
}

#[derive(Subcommand)]
enum CiCommand {
    /// Add a configuration item
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_enum::<CiKind>)]
        kind: CiKind,
        /// The version running in production
        #[arg(long)]
        version: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        /// A CI it runs on (repeatable)
        #[arg(long)]
        runs_on: Vec<String>,
        /// A CI it depends on (repeatable)
        #[arg(long)]
        depends_on: Vec<String>,
    },
    /// List the CMDB
    List,
    /// Change a CI (only the flags given): its production version after an import created it
    Edit {
        name: String,
        /// The version running in production
        #[arg(long)]
        version: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long, value_parser = parse_enum::<CiKind>)]
        kind: Option<CiKind>,
        /// A CI it runs on (repeatable; replaces the list)
        #[arg(long)]
        runs_on: Vec<String>,
        /// A CI it depends on (repeatable; replaces the list)
        #[arg(long)]
        depends_on: Vec<String>,
        /// Runs on nothing
        #[arg(long, conflicts_with = "runs_on")]
        no_runs_on: bool,
        /// Depends on nothing
        #[arg(long, conflicts_with = "depends_on")]
        no_depends_on: bool,
        /// Someone to tell about it, "Name <address>" (repeatable; replaces the list)
        #[arg(long)]
        contact: Vec<String>,
        /// Nobody to tell about it
        #[arg(long, conflicts_with = "contact")]
        no_contacts: bool,
    },
    /// Delete a CI nothing refers to (undo with `ci restore`)
    Delete { name: String },
    /// Bring back a deleted CI
    Restore { name: String },
    /// Release units: CIs a full release deploys together
    #[command(subcommand)]
    Unit(UnitCommand),
    /// Set a service's business hours and number of users (the slot finder avoids hurting them)
    Hours {
        name: String,
        /// Working days, e.g. mon-fri or mon,wed,fri
        #[arg(long)]
        days: String,
        /// Local opening time, HH:MM
        #[arg(long)]
        opens: String,
        /// Local closing time, HH:MM
        #[arg(long)]
        closes: String,
        #[arg(long)]
        tz: String,
        /// How many people use the service
        #[arg(long)]
        users: i64,
    },
}

/// The window change management authorized a change to be carried out in.
#[derive(Args)]
struct WindowArgs {
    /// Start of the planned window: ISO 8601 with offset, or local to --tz
    #[arg(long, value_name = "DATETIME")]
    window_start: Option<String>,
    /// End of the planned window
    #[arg(long, value_name = "DATETIME")]
    window_end: Option<String>,
    /// The zone of window times given without an offset
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
}

#[derive(Subcommand)]
enum ChangeCommand {
    /// Record a change (RFC)
    Create {
        #[arg(long)]
        key: String,
        #[arg(long)]
        title: String,
        #[arg(long, value_parser = parse_enum::<ChangeStatus>)]
        status: Option<ChangeStatus>,
        /// A CI the change touches (repeatable)
        #[arg(long = "ci")]
        cis: Vec<String>,
        #[arg(long, value_parser = parse_enum::<ChangeKind>)]
        kind: Option<ChangeKind>,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long, value_parser = parse_enum::<Risk>)]
        risk: Option<Risk>,
        /// An incident that led to it (repeatable)
        #[arg(long = "incident")]
        incidents: Vec<String>,
        /// A problem that led to it (repeatable)
        #[arg(long = "problem")]
        problems: Vec<String>,
        #[command(flatten)]
        window: WindowArgs,
    },
    /// List changes
    List {
        #[arg(long, value_parser = parse_enum::<ChangeStatus>)]
        status: Option<ChangeStatus>,
    },
    /// Show one change
    Show { key: String },
    /// Record that change management authorized the change
    Authorize { key: String },
    /// Change fields of a change (only the flags given)
    Edit {
        key: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// The CIs it touches (repeatable; replaces the list)
        #[arg(long = "ci")]
        cis: Vec<String>,
        /// Remove every CI
        #[arg(long, conflicts_with = "cis")]
        no_cis: bool,
        #[arg(long, value_parser = parse_enum::<ChangeKind>)]
        kind: Option<ChangeKind>,
        #[arg(long, value_parser = parse_enum::<Risk>)]
        risk: Option<Risk>,
        #[command(flatten)]
        window: WindowArgs,
        /// Remove the planned window
        #[arg(long, conflicts_with_all = ["window_start", "window_end"])]
        no_window: bool,
    },
    /// Delete a change no release holds (undo with `change restore`)
    Delete { key: String },
    /// Bring back a deleted change
    Restore { key: String },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole audit history for altered or removed records (exit 1 if any)
    Verify,
}

pub(crate) fn parse_enum<T: std::str::FromStr<Err = String>>(text: &str) -> Result<T, String> {
    text.parse()
}

/// Exit codes of the contract.
const EXIT_REFUSED: u8 = 1;
const EXIT_STORAGE: u8 = 3;

/// What a command printed: one JSON document, or text for people.
pub(crate) struct Output {
    json: Value,
    text: String,
    /// Exit 1 although nothing failed (e.g. `audit verify` finding tampering).
    refused: bool,
}

impl Output {
    pub(crate) fn new(json: impl Serialize, text: impl Into<String>) -> Output {
        Output {
            json: serde_json::to_value(json).expect("output serializes"),
            text: text.into(),
            refused: false,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(lang) = cli.lang {
        let _ = LANGUAGE.set(lang);
    }
    let json = cli.json;
    let on_server = cli
        .db
        .as_deref()
        .is_some_and(relman_core::store::is_server_url);
    if on_server && cli.actor.is_some() {
        use clap::CommandFactory;
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--as cannot be used with a team database: there the actor is the login you \
                 connect as, so the audit and every approval name who really acted. Connect \
                 as that person instead (the address's user, or PGUSER)",
            )
            .exit();
    }
    match run(cli) {
        Ok(output) => {
            if json {
                let mut value = output.json;
                render_messages(&mut value);
                emit(&format!("{value}\n"));
            } else {
                emit(&with_newline(output.text));
            }
            if output.refused {
                ExitCode::from(EXIT_REFUSED)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => {
            report(&error, json);
            match error.kind() {
                ErrorKind::Validation
                | ErrorKind::NotFound
                | ErrorKind::Conflict
                | ErrorKind::Rule
                | ErrorKind::Forbidden
                | ErrorKind::Cancelled => ExitCode::from(EXIT_REFUSED),
                ErrorKind::Storage | ErrorKind::Internal => ExitCode::from(EXIT_STORAGE),
            }
        }
    }
}

/// Human output always ends its last line, so the next prompt is not glued to it.
fn with_newline(mut text: String) -> String {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The user's own time zone: `TZ`, else the system's, else UTC.
pub fn user_zone() -> chrono_tz::Tz {
    std::env::var("TZ")
        .ok()
        .map(|tz| tz.trim_start_matches(':').to_string())
        .filter(|tz| !tz.is_empty())
        .or_else(|| iana_time_zone::get_timezone().ok())
        .and_then(|name| name.parse::<chrono_tz::Tz>().ok())
        .unwrap_or(chrono_tz::Tz::UTC)
}

/// A moment in the user's own time zone (`TZ`, else the system's), with the zone's name:
/// `Tue 01 Dec 2026 03:14 CET`. JSON output keeps ISO 8601.
pub fn local(at: chrono::DateTime<Utc>) -> String {
    at.with_timezone(&user_zone())
        .format("%a %d %b %Y %H:%M %Z")
        .to_string()
}

/// Writes to stdout; a reader that went away (`| head`) is not an error worth a panic.
fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn run(cli: Cli) -> Result<Output, Error> {
    if let Command::Schema = cli.command {
        let schema = relman_core::transfer::schema();
        let value: Value = serde_json::from_str(&schema).expect("the schema is JSON");
        return Ok(Output::new(value, schema));
    }
    let db = cli
        .db
        .unwrap_or_else(|| default_db_path().display().to_string());
    if let Command::Db(command) = cli.command {
        return db::run(&db, command);
    }
    let path = PathBuf::from(&db);
    let mut store = Store::open_any(&db)?;
    // On a team database the server's login acts (`--as` was refused above).
    let actor = match cli.actor {
        Some(name) => name,
        None if store.engine() == Engine::Postgres => store.login()?,
        None => os_user_name(),
    };
    let now = match &cli.now {
        Some(text) => relman_core::calendar::parse_datetime("now", text, None)
            .map_err(|e| Error::Validation(vec![e]))?,
        None => Utc::now(),
    };
    match cli.command {
        Command::Release(command) => release(&mut store, command, &actor, now),
        Command::Ci(CiCommand::Create {
            name,
            kind,
            version,
            owner,
            runs_on,
            depends_on,
        }) => {
            let ci = store.create_ci(
                &Ci {
                    name,
                    kind,
                    owner,
                    prod_version: version,
                    runs_on,
                    depends_on,
                },
                &actor,
                now,
            )?;
            let text = format!("Created CI {} ({})\n", ci.name, ci.kind);
            Ok(Output::new(ci, text))
        }
        Command::Ci(CiCommand::Edit {
            name,
            version,
            owner,
            kind,
            runs_on,
            depends_on,
            no_runs_on,
            no_depends_on,
            contact,
            no_contacts,
        }) => {
            let contacts = contact
                .iter()
                .map(|c| Contact::parse(c))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Error::Validation(vec![e]))?;
            let current = store
                .list_cis()?
                .into_iter()
                .find(|c| c.name == name)
                .ok_or_else(|| Error::NotFound {
                    what: "CI",
                    key: name.clone(),
                })?;
            let list = |given: Vec<String>, none: bool, old: Vec<String>| {
                if none {
                    vec![]
                } else if given.is_empty() {
                    old
                } else {
                    given
                }
            };
            let edited = Ci {
                name: current.name.clone(),
                kind: kind.unwrap_or(current.kind),
                owner: owner.or(current.owner),
                prod_version: version.or(current.prod_version),
                runs_on: list(runs_on, no_runs_on, current.runs_on),
                depends_on: list(depends_on, no_depends_on, current.depends_on),
            };
            let ci = store.update_ci(&name, &edited, &actor, now)?;
            if !contacts.is_empty() || no_contacts {
                store.set_ci_contacts(&name, &contacts, &actor, now)?;
            }
            let contacts = store.ci_contacts(&name)?;
            let text = format!(
                "Changed CI {} ({}, production {}){}\n",
                ci.name,
                ci.kind,
                ci.prod_version.as_deref().unwrap_or("-"),
                if contacts.is_empty() {
                    String::new()
                } else {
                    let names: Vec<String> = contacts
                        .iter()
                        .map(|c| format!("{} <{}>", c.name, c.email))
                        .collect();
                    format!("; tell {}", names.join(", "))
                }
            );
            let mut shown = serde_json::to_value(&ci).unwrap_or_default();
            shown["contacts"] = json!(contacts);
            Ok(Output::new(shown, text))
        }
        Command::Ci(CiCommand::Hours {
            name,
            days,
            opens,
            closes,
            tz,
            users,
        }) => {
            let hours = relman_core::calendar::ServiceHours {
                service: name,
                days,
                opens,
                closes,
                tz,
                users,
            };
            store.set_service_hours(&hours, &actor, now)?;
            let text = format!(
                "{}: {} {}–{} {}, {} users\n",
                hours.service, hours.days, hours.opens, hours.closes, hours.tz, hours.users
            );
            Ok(Output::new(hours, text))
        }
        Command::Ci(CiCommand::Unit(UnitCommand::Create { name, ci })) => {
            let unit = relman_core::store::ReleaseUnit { name, cis: ci };
            let unit = store.create_unit(&unit, &actor, now)?;
            let text = format!(
                "Created the release unit {}: {}\n",
                unit.name,
                unit.cis.join(", ")
            );
            Ok(Output::new(unit, text))
        }
        Command::Ci(CiCommand::Unit(UnitCommand::List)) => {
            let units = store.units()?;
            let text: String = units
                .iter()
                .map(|u| format!("{:<24} {}\n", u.name, u.cis.join(", ")))
                .collect();
            Ok(Output::new(units, text))
        }
        Command::Ci(CiCommand::Unit(UnitCommand::Delete { name })) => {
            store.delete_unit(&name, &actor, now)?;
            let text = format!("Deleted the release unit {name}; its CIs stay in the CMDB\n");
            Ok(Output::new(json!({ "deleted": name }), text))
        }
        Command::Ci(CiCommand::List) => {
            let cis = store.list_cis()?;
            let text = cis
                .iter()
                .map(|c| {
                    format!(
                        "{:<24} {:<12} {}\n",
                        c.name,
                        c.kind.as_str(),
                        c.prod_version.as_deref().unwrap_or("-")
                    )
                })
                .collect::<String>();
            Ok(Output::new(cis, text))
        }
        Command::Ci(CiCommand::Delete { name }) => {
            let ci = store.delete_ci(&name, &actor, now)?;
            let text = format!("Deleted CI {name}. Undo with: relman-cli ci restore {name}\n");
            Ok(Output::new(ci, text))
        }
        Command::Ci(CiCommand::Restore { name }) => {
            let ci = store.restore_ci(&name, &actor, now)?;
            let text = format!("Restored CI {} ({})\n", ci.name, ci.kind);
            Ok(Output::new(ci, text))
        }
        Command::Change(command) => change(&mut store, command, &actor, now),
        Command::Freeze(command) => planning::freeze(&mut store, command, &actor, now),
        Command::Window(command) => planning::window(&mut store, command, &actor, now),
        Command::Model(command) => rollback::model(&mut store, command, &actor, now),
        Command::Env(command) => testing::env(&mut store, command, &actor, now),
        Command::Test(command) => testing::test(&mut store, command, &actor, now),
        Command::Report(command) => report::report(&mut store, command, &actor, now),
        Command::Incident(command) => after::incident(&mut store, command, &actor, now),
        Command::Cab(command) => cab::cab(&mut store, command, &actor, now),
        Command::Kpi(args) => after::kpi(&store, args),
        Command::Demo => {
            let loaded = store.load_demo_data(&actor, now)?;
            let text = format!("Loaded the demo data: {} releases", loaded.len());
            Ok(Output::new(json!({"releases": loaded.len()}), text))
        }
        Command::Calendar(command) => data::calendar(&mut store, command, now),
        Command::Backup { out } => data::backup(&store, &out),
        Command::Restore { file } => data::restore(&mut store, &path, &file, now),
        Command::Export { release, out } => {
            let document = store.export(release.as_deref())?;
            let text = serde_json::to_string_pretty(&document).expect("a document serializes");
            std::fs::write(&out, text + "\n")
                .map_err(|e| Error::Internal(format!("cannot write {}: {e}", out.display())))?;
            let summary = json!({
                "out": out,
                "cis": document.cis.len(),
                "changes": document.changes.len(),
                "releases": document.releases.len(),
            });
            let text = format!(
                "Exported {} releases, {} changes and {} CIs to {}\n",
                document.releases.len(),
                document.changes.len(),
                document.cis.len(),
                out.display()
            );
            Ok(Output::new(summary, text))
        }
        Command::Import {
            file,
            status_map,
            strict_cis,
        } => {
            let text = std::fs::read_to_string(&file).map_err(|e| {
                Error::Validation(vec![relman_core::FieldError::new(
                    "file",
                    format!("cannot read {}: {e}", file.display()),
                )])
            })?;
            let is_csv = file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let summary = if is_csv {
                let mut options = CsvOptions {
                    strict_cis,
                    ..CsvOptions::default()
                };
                for mapping in &status_map {
                    let (from, to) = parse_status_mapping(mapping).map_err(|message| {
                        Error::Validation(vec![relman_core::FieldError::new("status-map", message)])
                    })?;
                    options.status_map.insert(from, to);
                }
                let progress = progress::Progress::on_terminal("Importing");
                let report = |done, total| progress.report(done, total);
                store.import_csv_with(&text, &options, &actor, now, Work::new(&report, &NEVER))?
            } else {
                let document = relman_core::transfer::parse(&text)?;
                let progress = progress::Progress::on_terminal("Importing");
                let report = |done, total| progress.report(done, total);
                store.import_with_work(&document, &actor, now, Work::new(&report, &NEVER))?
            };
            let text = format!("{}\n", summary.describe());
            Ok(Output::new(summary, text))
        }
        Command::People(command) => people::run(&mut store, command, &actor, now),
        Command::Schema | Command::Db(_) => {
            unreachable!("answered before the database is opened")
        }
        Command::Audit(AuditCommand::Verify) => {
            let report = store.verify_audit()?;
            let text = if report.problems.is_empty() {
                format!(
                    "The audit history is intact ({} records).\n",
                    report.records
                )
            } else {
                let mut text = format!(
                    "The audit history was tampered with ({} records):\n",
                    report.records
                );
                for problem in &report.problems {
                    text.push_str(&format!("  {problem}\n"));
                }
                text
            };
            let refused = !report.problems.is_empty();
            Ok(Output {
                refused,
                ..Output::new(report, text)
            })
        }
    }
}

fn release(
    store: &mut Store,
    command: ReleaseCommand,
    actor: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Output, Error> {
    let said = |verb: &str, r: &Release| {
        format!(
            "{verb} {} \"{}\" ({}, {} to {})\n",
            r.key, r.title, r.release_type, r.planned_start, r.planned_end
        )
    };
    match command {
        ReleaseCommand::Create(args) => {
            let draft = ReleaseDraft {
                key: args.key,
                title: args.title,
                release_type: args.release_type,
                planned_start: args.start,
                planned_end: args.end,
                owner: args.owner,
                risk: args.risk,
                requester: None,
                dev_docs: None,
                ops_docs: None,
            };
            let release = store.create_release_packaged(
                &draft,
                args.package_type,
                args.base.as_deref(),
                actor,
                now,
            )?;
            let text = said("Created", &release);
            Ok(Output::new(release, text))
        }
        ReleaseCommand::List { stage } => {
            let releases = store.list_releases(&ReleaseFilter { stage })?;
            let text = table(&releases);
            Ok(Output::new(releases, text))
        }
        ReleaseCommand::Show { key } => {
            let release = store.release(&key)?;
            let workspace = store.workspace(&key, now)?;
            let schedule = store
                .plan(&key)?
                .map(|_| store.schedule(&key))
                .transpose()?;
            let mut text = describe(&release);
            // An aborted deployment comes first: whoever looks needs the rollback's state.
            if let Some(abort) = schedule.as_ref().and_then(|s| s.abort.as_ref()) {
                text.push_str(&format!(
                    "{}\n  (the steps: relman-cli release rollback {key})\n",
                    rollback::abort_summary(abort)
                ));
            }
            text.push_str(&describe_workspace(&workspace, schedule.as_ref()));
            let mut shown = serde_json::to_value(&release).unwrap_or_default();
            shown["components"] = json!(workspace.components);
            shown["members"] = json!(workspace.package.members);
            shown["member_of"] = json!(workspace.package.member_of);
            Ok(Output::new(shown, text))
        }
        ReleaseCommand::Edit(args) => {
            let current = store.release(&args.key)?;
            let keep = |new: Option<String>, old: &Option<String>| new.or_else(|| old.clone());
            let draft = ReleaseDraft {
                key: current.key.clone(),
                title: args.title.unwrap_or_else(|| current.title.clone()),
                release_type: args.release_type.unwrap_or(current.release_type),
                planned_start: args
                    .start
                    .unwrap_or_else(|| current.planned_start.to_string()),
                planned_end: args.end.unwrap_or_else(|| current.planned_end.to_string()),
                owner: keep(args.owner, &current.owner),
                risk: args.risk.or(current.risk),
                requester: keep(args.requester, &current.requester),
                dev_docs: keep(args.dev_docs, &current.dev_docs),
                ops_docs: keep(args.ops_docs, &current.ops_docs),
            };
            draft.validate()?;
            if let Some(package_type) = args.package_type {
                store.set_package_type(
                    &args.key,
                    package_type,
                    args.base.as_deref(),
                    actor,
                    now,
                )?;
            }
            let current = store.release(&args.key)?;
            let release = store.update_release(&args.key, current.version, &draft, actor, now)?;
            let text = said("Saved", &release);
            Ok(Output::new(release, text))
        }
        ReleaseCommand::Delete { key } => {
            store.delete_release(&key, actor, now)?;
            let text = format!("Deleted {key}. Undo with: relman-cli release restore {key}\n");
            Ok(Output::new(json!({ "deleted": key }), text))
        }
        ReleaseCommand::Restore { key } => {
            let release = store.restore_release(&key, actor, now)?;
            let text = said("Restored", &release);
            Ok(Output::new(release, text))
        }
        ReleaseCommand::AddChange { key, change } => {
            store.add_change_to_release(&key, &change, actor, now)?;
            let changes = store.release_changes(&key)?;
            let text = format!("Added {change} to the scope of {key}\n");
            Ok(Output::new(
                json!({ "release": key, "changes": changes }),
                text,
            ))
        }
        ReleaseCommand::RemoveChange { key, change } => {
            store.remove_change_from_release(&key, &change, actor, now)?;
            let changes = store.release_changes(&key)?;
            let text = format!("Removed {change} from the scope of {key}\n");
            Ok(Output::new(
                json!({ "release": key, "changes": changes }),
                text,
            ))
        }
        ReleaseCommand::AddComponent {
            key,
            ci,
            to,
            requires,
            dml,
            sha256,
        } => {
            let requirements = requires
                .iter()
                .map(|spec| parse_requirement_spec(spec))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|message| {
                    Error::Validation(vec![relman_core::FieldError::new("requires", message)])
                })?;
            // Checked before anything is written, so a bad checksum adds no component.
            let media = dml
                .zip(sha256)
                .map(|(location, sha)| Dml::new(&location, &sha))
                .transpose()?;
            let mut component =
                store.add_component(&key, &ci, Some(&to), &requirements, actor, now)?;
            if let Some(media) = &media {
                component = store.set_component_dml(&key, &ci, Some(media), actor, now)?;
            }
            let text = format!(
                "Added {} {} → {} to the package of {key}\n",
                component.ci,
                component.from_version.as_deref().unwrap_or("(new)"),
                to
            );
            Ok(Output::new(component, text))
        }
        ReleaseCommand::Check { key, all: false } => {
            let checklist = store.check_release(&key, now)?;
            let text = describe_checklist(&checklist);
            Ok(Output::new(checklist, text))
        }
        ReleaseCommand::Check { key, all: true } => {
            let rules = store.check_all_rules(&key, now)?;
            let text = describe_all_rules(&rules);
            Ok(Output::new(rules, text))
        }
        ReleaseCommand::RemoveComponent { key, ci } => {
            let removed = store.remove_component(&key, &ci, actor, now)?;
            let text = format!(
                "Removed {ci} from the package of {key}. Undo with: relman-cli release add-component {key} --ci {ci}{}{}\n",
                removed
                    .to_version
                    .as_deref()
                    .map(|v| format!(" --to {v}"))
                    .unwrap_or_default(),
                removed
                    .requires
                    .iter()
                    .map(|r| format!(" --requires \"{}{}\"", r.ci, r.requirement))
                    .collect::<String>()
            );
            Ok(Output::new(removed, text))
        }
        ReleaseCommand::Notice { key, kind, out } => {
            let notice = store.write_notice(&key, kind, lang(), actor, now)?;
            relman_core::report::save(&out, &notice.eml)?;
            let to: Vec<&str> = notice.to.iter().map(|c| c.email.as_str()).collect();
            Ok(Output::new(
                json!({ "release": key, "kind": kind, "out": out, "subject": notice.subject,
                        "to": notice.to, "events": notice.events }),
                format!(
                    "Wrote the {kind} of {key} to {} for {} ({} calendar event(s)); open it in your mail program to send it\n",
                    out.display(),
                    to.join(", "),
                    notice.events
                ),
            ))
        }
        ReleaseCommand::ExportPlan {
            key,
            format: _,
            out,
        } => {
            let xml = store.plan_mspdi(&key)?;
            relman_core::report::save(&out, xml.as_bytes())?;
            let tasks = xml.matches("<Task>").count();
            Ok(Output::new(
                json!({ "release": key, "out": out, "format": "mspdi", "tasks": tasks }),
                format!(
                    "Wrote the plan of {key} to {} ({tasks} tasks, waves included)\n",
                    out.display()
                ),
            ))
        }
        ReleaseCommand::AddMember { key, member } => {
            let members = store.add_member(&key, &member, actor, now)?;
            let text = format!(
                "Added {member} to the package {key}: {}\n",
                members
                    .iter()
                    .map(|m| m.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Ok(Output::new(
                json!({ "release": key, "members": members }),
                text,
            ))
        }
        ReleaseCommand::RemoveMember { key, member } => {
            let members = store.remove_member(&key, &member, actor, now)?;
            let text = format!(
                "Took {member} out of the package {key}. Undo with: relman-cli release add-member {key} {member}\n"
            );
            Ok(Output::new(
                json!({ "release": key, "members": members }),
                text,
            ))
        }
        ReleaseCommand::EditComponent {
            key,
            ci,
            to,
            requires,
            no_requires,
            dml,
            sha256,
            no_dml,
        } => {
            let media = dml
                .zip(sha256)
                .map(|(location, sha)| Dml::new(&location, &sha))
                .transpose()?;
            let current = store
                .components(&key)?
                .into_iter()
                .find(|c| c.ci == ci)
                .ok_or_else(|| Error::NotFound {
                    what: "component",
                    key: format!("{ci} in the package of {key}"),
                })?;
            let requirements = if no_requires {
                Vec::new()
            } else if requires.is_empty() {
                current.requires.clone()
            } else {
                requires
                    .iter()
                    .map(|spec| parse_requirement_spec(spec))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|message| {
                        Error::Validation(vec![relman_core::FieldError::new("requires", message)])
                    })?
            };
            let to = to.or(current.to_version.clone());
            let mut component =
                store.update_component(&key, &ci, to.as_deref(), &requirements, actor, now)?;
            if media.is_some() || no_dml {
                component = store.set_component_dml(&key, &ci, media.as_ref(), actor, now)?;
            }
            let text = format!(
                "Saved {} → {} in the package of {key}\n",
                component.ci,
                component.to_version.as_deref().unwrap_or("(no version)")
            );
            Ok(Output::new(component, text))
        }
        ReleaseCommand::Advance { key } => {
            let from = store.release(&key)?.stage;
            let release = store.advance_release(&key, actor, now)?;
            let text = format!("Moved {key} from {from} to {}\n", release.stage);
            Ok(Output::new(release, text))
        }
        ReleaseCommand::SendBack { key } => {
            let release = store.send_back_release(&key, actor, now)?;
            let text = format!("Sent {key} back to build; it now needs revision\n");
            Ok(Output::new(release, text))
        }
        ReleaseCommand::Cancel { key } => {
            let release = store.cancel_release(&key, actor, now)?;
            let text = format!("Cancelled {key}\n");
            Ok(Output::new(release, text))
        }
        ReleaseCommand::Approve {
            key,
            decision,
            comment,
            role,
        } => {
            let approval = store.decide(&key, decision, role, &comment, actor, now)?;
            let text = format!(
                "Recorded: {} {} {key} ({})\n",
                approval.approver, approval.decision, approval.meaning
            );
            Ok(Output::new(approval, text))
        }
        ReleaseCommand::Activity {
            key,
            activity,
            state,
            note,
        } => after::activity(store, &key, activity, state, &note, actor, now),
        ReleaseCommand::Cost {
            key,
            amount,
            currency,
            note,
        } => after::cost(store, &key, &amount, &currency, &note, actor, now),
        ReleaseCommand::Plan(args) => planning::plan(store, args, actor, now),
        ReleaseCommand::Schedule { key } => planning::schedule(store, &key),
        ReleaseCommand::Conflicts { key } => planning::conflicts(store, &key),
        ReleaseCommand::Slots { key, weeks } => planning::slots(store, &key, weeks, now),
        ReleaseCommand::PickSlot { key, start, tz } => {
            planning::pick_slot(store, &key, &start, tz.as_deref(), actor, now)
        }
        ReleaseCommand::Baseline { key } => planning::baseline(store, &key, actor, now),
        ReleaseCommand::Review {
            key,
            satisfaction,
            comment,
            lessons,
        } => after::review(store, &key, satisfaction, &comment, &lessons, actor, now),
        ReleaseCommand::ElsPolicy(args) => after::els_policy(store, args),
        ReleaseCommand::After { key } => after::after(store, &key, now),
        ReleaseCommand::Task(command) => rollback::release_task(store, command, actor, now),
        ReleaseCommand::Rollback { key, from: None } => rollback::rollback(store, &key),
        ReleaseCommand::Rollback {
            key,
            from: Some(task),
        } => rollback::rollback_from(store, &key, &task),
        ReleaseCommand::Run {
            key,
            what,
            task,
            at,
            tz,
        } => {
            let progress = if what == "start" {
                relman_core::store::Progress::Started
            } else {
                relman_core::store::Progress::Finished
            };
            rollback::run(
                store,
                &key,
                &task,
                progress,
                rollback::At { at, tz },
                actor,
                now,
            )
        }
        ReleaseCommand::Abort {
            key,
            reason,
            at,
            tz,
        } => rollback::abort(store, &key, &reason, rollback::At { at, tz }, actor, now),
        ReleaseCommand::History { key } => {
            store.release(&key)?;
            let records = store.history("release", &key)?;
            let text = records
                .iter()
                .map(|r| {
                    let what = match (&r.field, &r.before, &r.after) {
                        (Some(f), b, a) => format!(
                            "{} {f}: {} → {}",
                            r.action,
                            b.as_deref().unwrap_or("-"),
                            a.as_deref().unwrap_or("-")
                        ),
                        _ => r.action.clone(),
                    };
                    format!("{}  {:<12} {what}\n", local(r.at), r.actor)
                })
                .collect::<String>();
            Ok(Output::new(records, text))
        }
    }
}

#[derive(Serialize)]
struct ChangeSummary<'a> {
    key: &'a str,
    title: &'a str,
    status: ChangeStatus,
    description: &'a str,
    cis: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    window: Option<relman_core::change::ChangeWindow>,
}

fn summary(c: &Change) -> ChangeSummary<'_> {
    ChangeSummary {
        key: &c.key,
        title: &c.title,
        status: c.status,
        description: &c.description,
        cis: &c.cis,
        window: c.window,
    }
}

/// `--window-start` and `--window-end`: both or neither.
fn change_window(
    start: Option<String>,
    end: Option<String>,
    tz: Option<&str>,
) -> Result<Option<relman_core::change::ChangeWindow>, Error> {
    let at = |field: &str, text: String| {
        relman_core::calendar::parse_datetime(field, &text, tz)
            .map_err(|e| Error::Validation(vec![e]))
    };
    match (start, end) {
        (None, None) => Ok(None),
        (Some(start), Some(end)) => Ok(Some(relman_core::change::ChangeWindow {
            start: at("window.start", start)?,
            end: at("window.end", end)?,
        })),
        (Some(_), None) => Err(Error::Validation(vec![relman_core::FieldError::new(
            "window.end",
            "give the end of the change's planned window too",
        )])),
        (None, Some(_)) => Err(Error::Validation(vec![relman_core::FieldError::new(
            "window.start",
            "give the start of the change's planned window too",
        )])),
    }
}

fn change(
    store: &mut Store,
    command: ChangeCommand,
    actor: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Output, Error> {
    let line = |c: &Change| {
        format!(
            "{:<14} {:<12} {}  [{}]{}\n",
            c.key,
            c.status.as_str(),
            c.title,
            c.cis.join(", "),
            c.window
                .map(|w| format!("  window {} – {}", local(w.start), local(w.end)))
                .unwrap_or_default()
        )
    };
    match command {
        ChangeCommand::Create {
            key,
            title,
            status,
            cis,
            kind,
            description,
            risk,
            incidents,
            problems,
            window,
        } => {
            let window =
                change_window(window.window_start, window.window_end, window.tz.as_deref())?;
            let draft = ChangeDraft {
                key,
                title,
                description,
                status,
                risk,
                kind,
                cis,
                incident_refs: incidents,
                problem_refs: problems,
                cab_decision_date: None,
                window,
            };
            let change = store.create_change(&draft, actor, now)?;
            let text = format!("Created {}", line(&change));
            Ok(Output::new(change, text))
        }
        ChangeCommand::List { status } => {
            let changes = store.list_changes(status)?;
            let text = if changes.is_empty() {
                "No changes.\n".to_string()
            } else {
                changes.iter().map(line).collect::<String>()
            };
            let json: Vec<ChangeSummary> = changes.iter().map(summary).collect();
            Ok(Output::new(json, text))
        }
        ChangeCommand::Show { key } => {
            let change = store.change(&key)?;
            let text = line(&change);
            Ok(Output::new(change, text))
        }
        ChangeCommand::Authorize { key } => {
            let change = store.authorize_change(&key, actor, now)?;
            let text = format!("Authorized {}", line(&change));
            Ok(Output::new(change, text))
        }
        ChangeCommand::Edit {
            key,
            title,
            description,
            cis,
            no_cis,
            kind,
            risk,
            window,
            no_window,
        } => {
            let current = store.change(&key)?;
            let window = if no_window {
                None
            } else {
                change_window(window.window_start, window.window_end, window.tz.as_deref())?
                    .or(current.window)
            };
            let draft = ChangeDraft {
                key: current.key.clone(),
                title: title.unwrap_or(current.title),
                description: description.unwrap_or(current.description),
                status: Some(current.status),
                risk: risk.or(current.risk),
                kind: kind.or(current.kind),
                cis: if no_cis {
                    Vec::new()
                } else if cis.is_empty() {
                    current.cis
                } else {
                    cis
                },
                incident_refs: current.incident_refs,
                problem_refs: current.problem_refs,
                cab_decision_date: current.cab_decision_date,
                window,
            };
            let change = store.update_change(&key, &draft, actor, now)?;
            let text = format!("Saved {}", line(&change));
            Ok(Output::new(change, text))
        }
        ChangeCommand::Delete { key } => {
            let change = store.delete_change(&key, actor, now)?;
            let text = format!("Deleted {key}. Undo with: relman-cli change restore {key}\n");
            Ok(Output::new(change, text))
        }
        ChangeCommand::Restore { key } => {
            let change = store.restore_change(&key, actor, now)?;
            let text = format!("Restored {}", line(&change));
            Ok(Output::new(change, text))
        }
    }
}

/// The core names fields as the app does; on the command line they are flags.
fn flag_for(field: &str) -> String {
    // Import problems are named by JSON path or CSV row already.
    if field.starts_with('$') || field.starts_with("row ") {
        return field.to_string();
    }
    let flag = match field {
        "planned_start" => "start",
        "planned_end" => "end",
        "dev_docs" => "dev-docs",
        "window.start" => "window-start",
        "window.end" => "window-end",
        "ops_docs" => "ops-docs",
        other => other,
    };
    format!("--{flag}")
}

fn report(error: &Error, json: bool) {
    let mut report = ErrorReport::from(error);
    for field in &mut report.fields {
        field.field = flag_for(&field.field);
    }
    if !report.rules.is_empty() {
        eprintln!("error: {}:", say(&report.says));
        for rule in &report.rules {
            let remedy = rule.remedy.as_ref().map(say).unwrap_or_default();
            eprintln!("  {}: {}. {remedy}", rule.code, say(&rule.message));
        }
    } else if report.fields.is_empty() {
        eprintln!("error: {}", say(&report.says));
    } else {
        for field in &report.fields {
            let said = field.says.as_ref().map(say);
            eprintln!(
                "error: {}: {}",
                field.field,
                said.as_ref().unwrap_or(&field.message)
            );
        }
    }
    if matches!(error.kind(), ErrorKind::Storage | ErrorKind::Internal) {
        eprintln!("detail: {}", error.chain());
    }
    if json {
        let mut value = json!({ "error": report });
        render_messages(&mut value);
        emit(&format!("{value}\n"));
    }
}

fn describe_checklist(list: &Checklist) -> String {
    let Some(next) = list.next else {
        return format!(
            "{} is {}; there is no further stage.\n",
            list.release, list.stage
        );
    };
    let mut out = format!("{}: {} → {}\n", list.release, list.stage, next);
    for rule in &list.rules {
        let mark = if rule.ok { "ok  " } else { "FAIL" };
        out.push_str(&format!(
            "  {mark} {:<20} {}\n",
            rule.code,
            say(&rule.message)
        ));
        if let Some(remedy) = &rule.remedy {
            out.push_str(&format!("       {:<20} → {}\n", "", say(remedy)));
        }
    }
    out
}

fn describe(r: &Release) -> String {
    let none = || "-".to_string();
    let mut out = String::new();
    let mut line = |label: &str, value: String| out.push_str(&format!("{label:<14}{value}\n"));
    line("Key", r.key.clone());
    line("Title", r.title.clone());
    line("Type", r.release_type.to_string());
    line("Stage", r.stage.to_string());
    line(
        "Planned",
        format!("{} to {}", r.planned_start, r.planned_end),
    );
    line("Owner", r.owner.clone().unwrap_or_else(none));
    line("Risk", r.risk.map(|x| x.to_string()).unwrap_or_else(none));
    line(
        "Requester",
        r.requester.clone().unwrap_or_else(|| r.created_by.clone()),
    );
    line("Dev docs", r.dev_docs.clone().unwrap_or_else(none));
    line("Ops docs", r.ops_docs.clone().unwrap_or_else(none));
    if r.needs_revision {
        line("Revision", "sent back at least once".into());
    }
    if r.demo {
        line("Demo data", "yes".into());
    }
    line(
        "Created",
        format!("{} by {}", local(r.created_at), r.created_by),
    );
    line(
        "Updated",
        format!("{} by {}", local(r.updated_at), r.updated_by),
    );
    out
}

/// Scope, package, plan and approvals, for `release show`.
fn describe_workspace(w: &Workspace, schedule: Option<&Schedule>) -> String {
    let mut out = String::new();
    out.push_str(&format!("\nScope ({} change(s))\n", w.changes.len()));
    if w.changes.is_empty() {
        out.push_str("  (none)\n");
    }
    for c in &w.changes {
        out.push_str(&format!(
            "  {:<14} {:<12} {}  [{}]\n",
            c.key,
            c.status.as_str(),
            c.title,
            c.cis.join(", ")
        ));
    }
    let p = &w.package;
    out.push_str(&format!(
        "\nPackage ({} component(s)), {}{}\n",
        w.components.len(),
        p.package_type,
        p.base
            .as_deref()
            .map(|b| format!(" from base {b}"))
            .unwrap_or_default()
    ));
    if !p.members.is_empty() {
        let members: Vec<String> = p
            .members
            .iter()
            .map(|m| format!("{} ({})", m.key, m.stage))
            .collect();
        out.push_str(&format!("  Members: {}\n", members.join(", ")));
    }
    if let Some(package) = &p.member_of {
        out.push_str(&format!("  Member of the package {package}\n"));
    }
    if w.components.is_empty() {
        out.push_str("  (none)\n");
    }
    for c in &w.components {
        let requires: Vec<String> = c
            .requires
            .iter()
            .map(|r| format!("{}{}", r.ci, r.requirement))
            .collect();
        out.push_str(&format!(
            "  {:<24} {} → {}{}\n",
            c.ci,
            c.from_version.as_deref().unwrap_or("(new)"),
            c.to_version.as_deref().unwrap_or("(no version)"),
            if requires.is_empty() {
                String::new()
            } else {
                format!("  needs {}", requires.join(", "))
            }
        ));
        match &c.dml {
            Some(dml) => out.push_str(&format!(
                "  {:<24} DML {} sha256:{}\n",
                "", dml.location, dml.sha256
            )),
            None => out.push_str(&format!("  {:<24} DML: none cited\n", "")),
        }
    }
    for warning in &p.numbering {
        out.push_str(&format!("  Numbering: {warning}\n"));
    }
    if !w.analysis.order.is_empty() {
        out.push_str(&format!(
            "  Deployment order: {}\n",
            w.analysis.order.join(" → ")
        ));
    }
    if let Some(cycle) = &w.analysis.cycle {
        out.push_str(&format!("  Cycle: {}\n", cycle.join(" → ")));
    }
    for u in &w.analysis.unsatisfied {
        out.push_str(&format!(
            "  Unmet: {} needs {} {}: {}\n",
            u.component, u.requires, u.requirement, u.reason
        ));
    }
    out.push_str("\nPlan\n");
    match schedule {
        None => out.push_str("  (no deployment plan)\n"),
        Some(s) => {
            let waves: Vec<String> = s
                .waves
                .iter()
                .map(|w| {
                    format!(
                        "{} ({}{})",
                        w.name,
                        w.tz,
                        w.window
                            .as_deref()
                            .map(|x| format!(", {x}"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            out.push_str(&format!(
                "  {} · {} task(s) · waves: {}\n",
                s.strategy,
                s.tasks.len(),
                waves.join("; ")
            ));
            let first = s.tasks.iter().filter_map(|t| t.start).min();
            if let Some(first) = first {
                out.push_str(&format!("  First start   {}\n", local(first)));
            }
            if let Some(finish) = s.finish {
                out.push_str(&format!("  Finish        {}\n", local(finish)));
            }
            let unplaced = s.unplaced().count();
            if unplaced > 0 {
                out.push_str(&format!("  Not placed    {unplaced} task(s)\n"));
            }
            out.push_str(&format!("  Conflicts     {}\n", s.conflicts.len()));
            for c in s.conflicts.iter().take(5) {
                out.push_str(&format!("    {}\n", crate::say(&c.message)));
            }
        }
    }
    out.push_str("\nApprovals\n");
    if w.approvals.is_empty() {
        out.push_str("  (no CAB decision)\n");
    }
    for a in &w.approvals {
        out.push_str(&format!(
            "  {}  {} {} ({}){}\n",
            local(a.at),
            a.approver,
            a.decision,
            a.meaning,
            if a.comment.is_empty() {
                String::new()
            } else {
                format!(": {}", a.comment)
            }
        ));
        for change in &a.changed_since {
            out.push_str(&format!("    changed since: {}\n", say(change)));
        }
    }
    out
}

fn describe_all_rules(all: &AllRules) -> String {
    let mut out = format!(
        "{}: {}{} — every rule\n",
        all.release,
        all.stage,
        all.next
            .map(|n| format!(" (next: {n})"))
            .unwrap_or_default()
    );
    for rule in &all.rules {
        let r = &rule.result;
        let mark = if r.ok { "ok  " } else { "FAIL" };
        let next = if rule.next_move { "*" } else { " " };
        out.push_str(&format!(
            "  {mark}{next} {:<26} into {} … {}: {}\n",
            r.code,
            rule.from,
            rule.until,
            say(&r.message)
        ));
        if let Some(remedy) = &r.remedy {
            out.push_str(&format!("        {:<26} → {}\n", "", say(remedy)));
        }
    }
    out.push_str("  (* guards the next move)\n");
    out
}

fn table(releases: &[Release]) -> String {
    if releases.is_empty() {
        return "No releases.\n".to_string();
    }
    let key_width = releases
        .iter()
        .map(|r| r.key.len())
        .max()
        .unwrap_or(3)
        .max(3);
    let mut out = format!(
        "{:<key_width$}  {:<22}  {:<9}  {:<10}  {:<10}  TITLE\n",
        "KEY", "STAGE", "TYPE", "START", "END"
    );
    for r in releases {
        out.push_str(&format!(
            "{:<key_width$}  {:<22}  {:<9}  {:<10}  {:<10}  {}\n",
            r.key,
            r.stage.as_str(),
            r.release_type.as_str(),
            r.planned_start.to_string(),
            r.planned_end.to_string(),
            r.title
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn every_command_and_flag_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
