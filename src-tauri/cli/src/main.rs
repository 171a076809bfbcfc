//! `relman-cli`: the headless face of Relman's core. Its commands, flags, exit codes and JSON
//! shapes are a contract (`shared/design/cli.md`); add beside them, never change them.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Args, Parser, Subcommand};
use relman_core::paths::{default_db_path, os_user_name};
use relman_core::{
    Error, ErrorKind, ErrorReport, Release, ReleaseDraft, ReleaseFilter, ReleaseType, Risk, Stage,
    Store,
};
use serde::Serialize;

#[derive(Parser)]
#[command(
    name = "relman-cli",
    version,
    about = "Relman release management, headless"
)]
struct Cli {
    /// The database file [default: the app's embedded default database]
    #[arg(long, global = true, value_name = "FILE")]
    db: Option<PathBuf>,

    /// Who is acting, for the audit history [default: the OS user name]
    #[arg(long = "as", global = true, value_name = "NAME")]
    actor: Option<String>,

    /// Print one JSON document on stdout instead of text
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create, list, show and delete releases
    #[command(subcommand)]
    Release(ReleaseCommand),
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
    /// Show one release
    Show { key: String },
    /// Delete a release (undo with `release restore`)
    Delete { key: String },
    /// Bring back a deleted release
    Restore { key: String },
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
}

fn parse_enum<T: std::str::FromStr<Err = String>>(text: &str) -> Result<T, String> {
    text.parse()
}

/// Exit codes of the contract.
const EXIT_REFUSED: u8 = 1;
const EXIT_STORAGE: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(output) => {
            print!("{}", output.render(json));
            ExitCode::SUCCESS
        }
        Err(error) => {
            report(&error, json);
            match error.kind() {
                ErrorKind::Validation | ErrorKind::NotFound | ErrorKind::Conflict => {
                    ExitCode::from(EXIT_REFUSED)
                }
                ErrorKind::Storage | ErrorKind::Internal => ExitCode::from(EXIT_STORAGE),
            }
        }
    }
}

enum Output {
    Release {
        verb: &'static str,
        release: Release,
    },
    Releases(Vec<Release>),
    Deleted(String),
}

impl Output {
    fn render(&self, json: bool) -> String {
        if json {
            let value = match self {
                Output::Release { release, .. } => serde_json::to_value(release),
                Output::Releases(releases) => serde_json::to_value(releases),
                Output::Deleted(key) => serde_json::to_value(Deleted { deleted: key }),
            };
            return format!("{}\n", value.expect("release serializes"));
        }
        match self {
            Output::Release { verb: "", release } => describe(release),
            Output::Release { verb, release } => format!(
                "{verb} {} \"{}\" ({}, {} to {})\n",
                release.key,
                release.title,
                release.release_type,
                release.planned_start,
                release.planned_end
            ),
            Output::Releases(releases) => table(releases),
            Output::Deleted(key) => {
                format!("Deleted {key}. Undo with: relman-cli release restore {key}\n")
            }
        }
    }
}

#[derive(Serialize)]
struct Deleted<'a> {
    deleted: &'a str,
}

fn run(cli: Cli) -> Result<Output, Error> {
    let path = cli.db.unwrap_or_else(default_db_path);
    let actor = cli.actor.unwrap_or_else(os_user_name);
    let mut store = Store::open(&path)?;
    let now = Utc::now();
    match cli.command {
        Command::Release(command) => match command {
            ReleaseCommand::Create(args) => {
                let draft = ReleaseDraft {
                    key: args.key,
                    title: args.title,
                    release_type: args.release_type,
                    planned_start: args.start,
                    planned_end: args.end,
                    owner: args.owner,
                    risk: args.risk,
                };
                let release = store.create_release(&draft, &actor, now)?;
                Ok(Output::Release {
                    verb: "Created",
                    release,
                })
            }
            ReleaseCommand::List { stage } => Ok(Output::Releases(
                store.list_releases(&ReleaseFilter { stage })?,
            )),
            ReleaseCommand::Show { key } => Ok(Output::Release {
                verb: "",
                release: store.release(&key)?,
            }),
            ReleaseCommand::Delete { key } => {
                store.delete_release(&key, &actor, now)?;
                Ok(Output::Deleted(key))
            }
            ReleaseCommand::Restore { key } => Ok(Output::Release {
                verb: "Restored",
                release: store.restore_release(&key, &actor, now)?,
            }),
        },
    }
}

/// The core names fields as the app does; on the command line they are flags.
fn flag_for(field: &str) -> String {
    let flag = match field {
        "planned_start" => "start",
        "planned_end" => "end",
        other => other,
    };
    format!("--{flag}")
}

fn report(error: &Error, json: bool) {
    let mut report = ErrorReport::from(error);
    for field in &mut report.fields {
        field.field = flag_for(&field.field);
    }
    if report.fields.is_empty() {
        eprintln!("error: {}", report.message);
    } else {
        for field in &report.fields {
            eprintln!("error: {}: {}", field.field, field.message);
        }
    }
    if matches!(error.kind(), ErrorKind::Storage | ErrorKind::Internal) {
        eprintln!("detail: {}", error.chain());
    }
    if json {
        println!("{}", serde_json::json!({ "error": report }));
    }
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
    if r.demo {
        line("Demo data", "yes".into());
    }
    line(
        "Created",
        format!("{} by {}", r.created_at.to_rfc3339(), r.created_by),
    );
    line(
        "Updated",
        format!("{} by {}", r.updated_at.to_rfc3339(), r.updated_by),
    );
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
