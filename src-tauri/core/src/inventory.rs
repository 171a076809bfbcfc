//! Reading real VM inventories: RVTools CSV exports (vInfo, vSnapshot), libvirt domain and
//! snapshot XML (`virsh dumpxml`, `virsh snapshot-dumpxml`), and Proxmox VE JSON. Pure: files
//! in, environments and snapshots out, every problem named by file and row or element.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::testing::{EnvState, Environment, Snapshot, Source, Versions};

text_enum!(
    /// How an ambiguous date like 03/04/2026 is read: RVTools writes dates in the exporting
    /// PC's locale.
    DateOrder {
        DayFirst = "dmy",
        MonthFirst = "mdy",
    }
);

/// One VM as an inventory describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedVm {
    pub env: Environment,
    /// libvirt `genid` / Proxmox `vmgenid`: a new value means the VM was reverted (or cloned).
    pub genid: Option<String>,
    /// The snapshot the VM runs on, when the inventory says (Proxmox `parent`).
    pub current_snapshot: Option<String>,
    /// "file row 3" or "file <domain>", for messages.
    pub origin: String,
}

/// A snapshot of a VM named by its identity in the inventory.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedSnapshot {
    pub source: Source,
    /// The VM's display name, for messages.
    pub vm: String,
    pub snapshot: Snapshot,
    pub origin: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub vms: Vec<ImportedVm>,
    pub snapshots: Vec<ImportedSnapshot>,
    /// What the reading decided on its own and the user should know (snapshots matched to
    /// their VM by name).
    pub notes: Vec<String>,
}

/// The source kind of an RVTools snapshot row without UUID columns: its VM is known by name
/// only until the vInfo file of the same import names it.
const BY_NAME: &str = "rvtools-name";

/// One inventory file as the window read it: its name (which tells RVTools' vInfo from its
/// vSnapshot) and its text. The window sends contents, never paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InventoryFile {
    pub name: String,
    pub text: String,
}

/// What an environment import did, in numbers and names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InventorySummary {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub snapshots: usize,
    /// "test-01 reverted to 'base'" for each changed genid.
    pub reverts: Vec<String>,
    pub skipped: Vec<String>,
    /// What the import decided on its own, e.g. snapshots matched to their VM by name.
    pub notes: Vec<String>,
}

impl InventorySummary {
    pub fn describe(&self) -> String {
        let mut parts = vec![format!(
            "{} environment(s) added, {} updated, {} snapshot(s)",
            self.created.len(),
            self.updated.len(),
            self.snapshots
        )];
        if !self.reverts.is_empty() {
            parts.push(format!("reverts seen: {}", self.reverts.join(", ")));
        }
        if !self.skipped.is_empty() {
            parts.push(format!("skipped: {}", self.skipped.join(", ")));
        }
        parts.extend(self.notes.iter().cloned());
        parts.join("; ")
    }
}

/// [`read_files`] with its problems as the core's validation error, one per problem.
pub fn read(files: &[(String, String)], order: Option<DateOrder>) -> crate::Result<Inventory> {
    read_files(files, order).map_err(|problems| {
        crate::Error::Validation(
            problems
                .into_iter()
                .map(|p| crate::FieldError::new("file", p))
                .collect(),
        )
    })
}

/// Reads every file into one inventory, or names every problem found.
pub fn read_files(
    files: &[(String, String)],
    order: Option<DateOrder>,
) -> Result<Inventory, Vec<String>> {
    let mut inventory = Inventory::default();
    let mut problems = Vec::new();
    for (name, text) in files {
        let text = text.trim_start_matches('\u{feff}');
        let result = match detect(name, text) {
            Some(Format::RvTools) => rvtools(name, text, order, &mut inventory),
            Some(Format::LibvirtDomain) => libvirt_domain(name, text, &mut inventory),
            Some(Format::LibvirtSnapshot) => libvirt_snapshot(name, text, &mut inventory),
            Some(Format::Proxmox) => proxmox(name, text, &mut inventory),
            None => Err(vec![format!(
                "{name}: not an inventory Relman reads (RVTools vInfo / vSnapshot CSV, libvirt domain or snapshot XML, Proxmox VE JSON)"
            )]),
        };
        if let Err(mut p) = result {
            problems.append(&mut p);
        }
    }
    match_snapshots_by_name(&mut inventory, &mut problems);
    if problems.is_empty() {
        Ok(inventory)
    } else {
        Err(problems)
    }
}

/// Gives each RVTools snapshot read without UUIDs the identity of the one VM of that name in
/// the RVTools vInfo of the same import; an unknown or ambiguous name is a problem of its row.
fn match_snapshots_by_name(inventory: &mut Inventory, problems: &mut Vec<String>) {
    let mut matched = 0;
    for snapshot in inventory
        .snapshots
        .iter_mut()
        .filter(|s| s.source.kind == BY_NAME)
    {
        let candidates: Vec<&ImportedVm> = inventory
            .vms
            .iter()
            .filter(|vm| {
                vm.env.name == snapshot.vm
                    && vm.env.source.as_ref().is_some_and(|s| s.kind == "rvtools")
            })
            .collect();
        match candidates.as_slice() {
            [vm] => {
                snapshot.source = vm.env.source.clone().expect("filtered on its source");
                matched += 1;
            }
            [] => problems.push(format!(
                "{}: the file has no VM UUID columns and no VM named '{}' is in the RVTools vInfo file of this import; import the vInfo file with it",
                snapshot.origin, snapshot.vm
            )),
            several => problems.push(format!(
                "{}: the file has no VM UUID columns and {} VMs are named '{}' ({}); export vSnapshot with its UUID columns",
                snapshot.origin,
                several.len(),
                snapshot.vm,
                several
                    .iter()
                    .map(|vm| vm.origin.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    if matched > 0 {
        inventory.notes.push(format!(
            "{matched} snapshot(s) matched to their VM by name (the vSnapshot file has no UUID columns)"
        ));
    }
}

enum Format {
    RvTools,
    LibvirtDomain,
    LibvirtSnapshot,
    Proxmox,
}

fn detect(name: &str, text: &str) -> Option<Format> {
    let start = text.trim_start();
    if start.starts_with('<') {
        if start.contains("<domainsnapshot") {
            return Some(Format::LibvirtSnapshot);
        }
        if start.contains("<domain") {
            return Some(Format::LibvirtDomain);
        }
        return None;
    }
    if start.starts_with('{') || start.starts_with('[') {
        return Some(Format::Proxmox);
    }
    let header = start.lines().next().unwrap_or_default().to_lowercase();
    (header.contains("vm")
        && (header.contains("vm uuid") || name.to_lowercase().contains("rvtools")))
    .then_some(Format::RvTools)
}

// ---- RVTools ----

/// Columns by their lower-cased header; custom attribute columns are ignored.
struct Columns(Vec<String>);

impl Columns {
    fn get<'r>(&self, row: &'r csv::StringRecord, names: &[&str]) -> Option<&'r str> {
        names.iter().find_map(|n| {
            self.0
                .iter()
                .position(|h| h == n)
                .and_then(|i| row.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        })
    }
}

fn rvtools(
    file: &str,
    text: &str,
    order: Option<DateOrder>,
    out: &mut Inventory,
) -> Result<(), Vec<String>> {
    // RVTools writes ';' in locales where ',' is the decimal separator.
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| vec![format!("{file}: the header row cannot be read: {e}")])?;
    let cols = Columns(headers.iter().map(|h| h.trim().to_lowercase()).collect());
    let is_snapshot =
        cols.0.iter().any(|h| h == "date / time") && cols.0.iter().any(|h| h == "name");
    let mut problems = Vec::new();
    // An older RVTools, or a file trimmed in Excel, writes vSnapshot without the UUIDs: its
    // rows are matched to their VM by name once every file is read.
    let has = |name: &str| cols.0.iter().any(|h| h == name);
    let by_name = is_snapshot && has("vm") && !has("vm uuid") && !has("vi sdk uuid");
    let required: &[&str] = if by_name {
        &["vm"]
    } else {
        &["vm", "vm uuid", "vi sdk uuid"]
    };
    for missing in required.iter().filter(|name| !has(name)) {
        problems.push(format!(
            "{file}: no '{missing}' column (RVTools names VMs by VM UUID and vCenter UUID)"
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let rows: Vec<(usize, csv::StringRecord)> = reader
        .records()
        .enumerate()
        .filter_map(|(i, r)| match r {
            Ok(r) => Some((i + 2, r)),
            Err(e) => {
                problems.push(format!("{file} row {}: {e}", i + 2));
                None
            }
        })
        .collect();
    let dates: Vec<&str> = rows
        .iter()
        .filter_map(|(_, r)| cols.get(r, &["date / time", "creation date"]))
        .collect();
    let order = match order {
        Some(o) => Some(o),
        None => match detect_order(&dates) {
            Ok(o) => o,
            Err(e) => {
                problems.push(format!("{file}: {e}"));
                None
            }
        },
    };
    for (line, row) in &rows {
        let at = |what| format!("{file} row {line}: {what}");
        let Some(vm) = cols.get(row, &["vm"]) else {
            problems.push(at("no VM name".to_string()));
            continue;
        };
        let source = if by_name {
            Source {
                kind: BY_NAME.into(),
                id: vm.to_string(),
            }
        } else {
            let (Some(uuid), Some(vcenter)) =
                (cols.get(row, &["vm uuid"]), cols.get(row, &["vi sdk uuid"]))
            else {
                problems.push(at(format!("VM '{vm}' has no VM UUID or VI SDK UUID")));
                continue;
            };
            Source {
                kind: "rvtools".into(),
                id: format!("{uuid}@{vcenter}"),
            }
        };
        if is_snapshot {
            let Some(name) = cols.get(row, &["name"]) else {
                problems.push(at(format!("a snapshot of '{vm}' without a name")));
                continue;
            };
            let taken = cols.get(row, &["date / time"]).unwrap_or_default();
            let Some(taken_at) = parse_date(taken, order) else {
                problems.push(at(format!("'{taken}' is not a date Relman reads (e.g. 2026-11-28 14:02:11, 28.11.2026 14:02, 11/28/2026 2:02:11 PM)")));
                continue;
            };
            out.snapshots.push(ImportedSnapshot {
                source,
                vm: vm.to_string(),
                snapshot: Snapshot {
                    name: name.to_string(),
                    at: taken_at,
                    versions: Versions::new(),
                    note: cols
                        .get(row, &["description"])
                        .unwrap_or_default()
                        .to_string(),
                    exempt: None,
                },
                origin: at(String::new()).trim_end_matches(": ").to_string(),
            });
            continue;
        }
        if cols
            .get(row, &["template"])
            .is_some_and(|t| t.eq_ignore_ascii_case("true"))
        {
            continue;
        }
        let number = |names: &[&str], what: &str, problems: &mut Vec<String>| -> Option<u64> {
            let text = cols.get(row, names)?;
            match text.replace([',', '.', ' '], "").parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.push(at(format!("{what} '{text}' is not a whole number")));
                    None
                }
            }
        };
        let mut env = Environment::new(vm);
        env.cpus = number(&["cpus"], "CPUs", &mut problems).map(|n| n as u32);
        env.memory_mb = number(
            &["memory", "memory mib", "memory mb"],
            "Memory",
            &mut problems,
        );
        env.disk_mb = number(
            &["provisioned mib", "provisioned mb"],
            "Provisioned MiB",
            &mut problems,
        );
        env.host = cols
            .get(row, &["host"])
            .map(|h| match cols.get(row, &["cluster"]) {
                Some(c) => format!("{h} ({c})"),
                None => h.to_string(),
            });
        env.os = cols
            .get(
                row,
                &[
                    "os according to the vmware tools",
                    "os according to the configuration file",
                    "os",
                ],
            )
            .map(str::to_string);
        env.state = match cols.get(row, &["powerstate"]).unwrap_or("poweredOn") {
            s if s.eq_ignore_ascii_case("poweredOn") => EnvState::Running,
            _ => EnvState::Stopped,
        };
        env.source = Some(source);
        out.vms.push(ImportedVm {
            env,
            genid: None,
            current_snapshot: None,
            origin: format!("{file} row {line}"),
        });
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Day-first or month-first, from the dates themselves: a first number above 12 means
/// day-first, a second above 12 month-first. `Ok(None)`: no slashed or dotted dates at all.
fn detect_order(dates: &[&str]) -> Result<Option<DateOrder>, String> {
    let mut day_first = false;
    let mut month_first = false;
    let mut ambiguous = false;
    for d in dates {
        let head: Vec<&str> = d
            .split([' ', 'T'])
            .next()
            .unwrap_or_default()
            .split(['/', '.', '-'])
            .collect();
        if head.len() != 3 || head[0].len() == 4 {
            continue;
        }
        let (a, b) = (
            head[0].parse::<u32>().unwrap_or(0),
            head[1].parse::<u32>().unwrap_or(0),
        );
        if a > 12 {
            day_first = true;
        } else if b > 12 {
            month_first = true;
        } else {
            ambiguous = true;
        }
    }
    match (day_first, month_first) {
        (true, true) => Err("its dates mix day-first and month-first; export again, or say which with --date-order dmy|mdy".into()),
        (true, false) => Ok(Some(DateOrder::DayFirst)),
        (false, true) => Ok(Some(DateOrder::MonthFirst)),
        (false, false) if ambiguous => Err(
            "its dates could be day-first or month-first (e.g. 03/04/2026); say which with --date-order dmy|mdy".into(),
        ),
        _ => Ok(None),
    }
}

/// An RVTools date: ISO, `yyyy/mm/dd`, or day/month-first by `order`, with an optional 12-hour
/// clock. Read as UTC (the export does not say its zone).
pub fn parse_date(text: &str, order: Option<DateOrder>) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    let (date_part, time_part) = text.split_once([' ', 'T']).unwrap_or((text, ""));
    let nums: Vec<u32> = date_part
        .split(['/', '.', '-'])
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if nums.len() != 3 {
        return None;
    }
    let (y, m, d) = if nums[0] > 31 {
        (nums[0], nums[1], nums[2])
    } else {
        match order.unwrap_or(DateOrder::DayFirst) {
            DateOrder::DayFirst => (nums[2], nums[1], nums[0]),
            DateOrder::MonthFirst => (nums[2], nums[0], nums[1]),
        }
    };
    let date = NaiveDate::from_ymd_opt(y as i32, m, d)?;
    let time = time_part.trim();
    let (clock, pm) = match time.rsplit_once(' ') {
        Some((c, suffix)) if suffix.eq_ignore_ascii_case("pm") => (c, Some(true)),
        Some((c, suffix)) if suffix.eq_ignore_ascii_case("am") => (c, Some(false)),
        _ => (time, None),
    };
    let mut parts = clock
        .split(':')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u32>().ok());
    let mut hour = parts.next().flatten().unwrap_or(0);
    let minute = parts.next().flatten().unwrap_or(0);
    let second = parts.next().flatten().unwrap_or(0);
    match pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    let naive = NaiveDateTime::new(date, chrono::NaiveTime::from_hms_opt(hour, minute, second)?);
    Some(Utc.from_utc_datetime(&naive))
}

// ---- libvirt ----

fn xml<'a>(file: &str, text: &'a str) -> Result<roxmltree::Document<'a>, Vec<String>> {
    roxmltree::Document::parse(text).map_err(|e| vec![format!("{file}: not well-formed XML: {e}")])
}

fn child_text<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.has_tag_name(name))
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The VM of a `<domain>` element; `None` with a problem when it lacks its identity.
fn domain_vm(
    file: &str,
    domain: roxmltree::Node,
    problems: &mut Vec<String>,
) -> Option<ImportedVm> {
    let Some(name) = child_text(domain, "name") else {
        problems.push(format!("{file}: <domain> has no <name>"));
        return None;
    };
    let Some(uuid) = child_text(domain, "uuid") else {
        problems.push(format!("{file}: <domain> '{name}' has no <uuid>"));
        return None;
    };
    let mut env = Environment::new(name);
    env.cpus = child_text(domain, "vcpu").and_then(|v| v.parse().ok());
    env.memory_mb = domain
        .children()
        .find(|c| c.has_tag_name("memory"))
        .and_then(|m| {
            let value: u64 = m.text()?.trim().parse().ok()?;
            Some(match m.attribute("unit").unwrap_or("KiB") {
                "b" | "bytes" => value / (1024 * 1024),
                "KiB" | "k" => value / 1024,
                "MiB" | "M" => value,
                "GiB" | "G" => value * 1024,
                _ => value / 1024,
            })
        });
    env.os = domain
        .descendants()
        .find(|n| n.has_tag_name("type") && n.parent().is_some_and(|p| p.has_tag_name("os")))
        .and_then(|t| {
            t.attribute("arch")
                .map(|arch| format!("{} ({arch})", t.text().unwrap_or("hvm")))
        });
    // `virsh dumpxml` of a running domain carries its id.
    env.state = if domain.attribute("id").is_some() {
        EnvState::Running
    } else {
        EnvState::Stopped
    };
    env.source = Some(Source {
        kind: "libvirt".into(),
        id: uuid.to_lowercase(),
    });
    Some(ImportedVm {
        env,
        genid: child_text(domain, "genid").map(str::to_string),
        current_snapshot: None,
        origin: format!("{file} <domain> '{name}'"),
    })
}

fn libvirt_domain(file: &str, text: &str, out: &mut Inventory) -> Result<(), Vec<String>> {
    let doc = xml(file, text)?;
    let mut problems = Vec::new();
    if let Some(vm) = domain_vm(file, doc.root_element(), &mut problems) {
        out.vms.push(vm);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn libvirt_snapshot(file: &str, text: &str, out: &mut Inventory) -> Result<(), Vec<String>> {
    let doc = xml(file, text)?;
    let root = doc.root_element();
    let mut problems = Vec::new();
    let name = child_text(root, "name");
    let created = child_text(root, "creationTime").and_then(|t| t.parse::<i64>().ok());
    let domain = root.children().find(|c| c.has_tag_name("domain"));
    let uuid = domain.and_then(|d| child_text(d, "uuid"));
    match (name, created, uuid) {
        (Some(name), Some(secs), Some(uuid)) => {
            let Some(at) = Utc.timestamp_opt(secs, 0).single() else {
                return Err(vec![format!(
                    "{file}: <creationTime> {secs} is out of range"
                )]);
            };
            out.snapshots.push(ImportedSnapshot {
                source: Source {
                    kind: "libvirt".into(),
                    id: uuid.to_lowercase(),
                },
                vm: domain
                    .and_then(|d| child_text(d, "name"))
                    .unwrap_or(uuid)
                    .to_string(),
                snapshot: Snapshot {
                    name: name.to_string(),
                    at,
                    versions: Versions::new(),
                    note: child_text(root, "description")
                        .unwrap_or_default()
                        .to_string(),
                    exempt: None,
                },
                origin: format!("{file} <domainsnapshot> '{name}'"),
            });
        }
        _ => {
            if name.is_none() {
                problems.push(format!("{file}: <domainsnapshot> has no <name>"));
            }
            if created.is_none() {
                problems.push(format!(
                    "{file}: <domainsnapshot> has no <creationTime> in Unix seconds"
                ));
            }
            if uuid.is_none() {
                problems.push(format!(
                    "{file}: <domainsnapshot> has no <domain><uuid>, so its VM is unknown"
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

// ---- Proxmox VE ----

/// One VM as `pvesh get` gives it: the cluster and node it is on, its id, its config
/// (`/nodes/NODE/qemu/VMID/config`) and its snapshot list (`.../snapshot`). A file holds one
/// such object or a list of them.
#[derive(Deserialize)]
struct ProxmoxVm {
    cluster: String,
    node: Option<String>,
    vmid: u64,
    config: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    snapshots: Vec<ProxmoxSnapshot>,
}

#[derive(Deserialize)]
struct ProxmoxSnapshot {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    snaptime: Option<i64>,
}

fn proxmox(file: &str, text: &str, out: &mut Inventory) -> Result<(), Vec<String>> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| vec![format!("{file}: not JSON: {e}")])?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    let mut problems = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let place = format!("{file} item {}", i + 1);
        let vm: ProxmoxVm = match serde_json::from_value(item) {
            Ok(vm) => vm,
            Err(e) => {
                problems.push(format!("{place}: {e} (expected {{\"cluster\", \"node\", \"vmid\", \"config\", \"snapshots\"}})"));
                continue;
            }
        };
        let text = |key: &str| {
            vm.config.get(key).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        let name = text("name").unwrap_or_else(|| format!("vm{}", vm.vmid));
        let source = Source {
            kind: "proxmox".into(),
            id: format!("{}/{}", vm.cluster, vm.vmid),
        };
        let mut env = Environment::new(&name);
        let cores: Option<u32> = text("cores").and_then(|c| c.parse().ok());
        let sockets: u32 = text("sockets").and_then(|c| c.parse().ok()).unwrap_or(1);
        env.cpus = cores.map(|c| c * sockets);
        env.memory_mb = text("memory").and_then(|m| m.parse().ok());
        env.os = text("ostype");
        env.host = vm.node.clone();
        env.source = Some(source.clone());
        out.vms.push(ImportedVm {
            env,
            genid: text("vmgenid"),
            current_snapshot: text("parent"),
            origin: place.clone(),
        });
        // The list holds the live VM as a pseudo-snapshot named "current".
        for s in vm.snapshots.into_iter().filter(|s| s.name != "current") {
            let Some(at) = s.snaptime.and_then(|t| Utc.timestamp_opt(t, 0).single()) else {
                problems.push(format!("{place}: snapshot '{}' has no snaptime", s.name));
                continue;
            };
            out.snapshots.push(ImportedSnapshot {
                source: source.clone(),
                vm: name.clone(),
                snapshot: Snapshot {
                    name: s.name.clone(),
                    at,
                    versions: Versions::new(),
                    note: s.description.unwrap_or_default(),
                    exempt: None,
                },
                origin: format!("{place} snapshot '{}'", s.name),
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_exporting_pcs_locale() {
        let iso = Utc.with_ymd_and_hms(2026, 11, 28, 14, 2, 11).unwrap();
        assert_eq!(parse_date("2026-11-28 14:02:11", None), Some(iso));
        assert_eq!(parse_date("2026/11/28 14:02:11", None), Some(iso));
        assert_eq!(
            parse_date("28.11.2026 14:02:11", Some(DateOrder::DayFirst)),
            Some(iso)
        );
        assert_eq!(
            parse_date("11/28/2026 2:02:11 PM", Some(DateOrder::MonthFirst)),
            Some(iso)
        );
        assert_eq!(parse_date("not a date", None), None);
        assert_eq!(
            detect_order(&["28.11.2026 14:02", "03.04.2026"]),
            Ok(Some(DateOrder::DayFirst))
        );
        assert_eq!(
            detect_order(&["11/28/2026 2:02 PM"]),
            Ok(Some(DateOrder::MonthFirst))
        );
        assert!(
            detect_order(&["03/04/2026"])
                .unwrap_err()
                .contains("--date-order")
        );
        assert_eq!(detect_order(&["2026-11-28"]), Ok(None));
    }
}
