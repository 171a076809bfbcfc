//! The release package: its components, their version requirements, the deployment order
//! they imply, and what is wrong with them. Pure functions; the store feeds them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
use crate::message::Message;
use crate::release::ReleaseType;

text_enum!(
    /// How a release is packaged (ITIL): the whole release unit, only what changed since a
    /// base release, or several releases tested and deployed together.
    PackageType {
        Full = "full",
        Delta = "delta",
        Package = "package",
    }
);

impl PackageType {
    /// Major releases deploy whole; minor and emergency ones what changed.
    pub fn default_for(release_type: ReleaseType) -> PackageType {
        match release_type {
            ReleaseType::Major => PackageType::Full,
            _ => PackageType::Delta,
        }
    }
}

/// Where a component's target version is kept in the Definitive Media Library, and its
/// SHA-256 checksum, so what is deployed is what was tested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dml {
    /// A repository URL or file share path.
    pub location: String,
    /// 64 hexadecimal digits, lower case.
    pub sha256: String,
}

/// Longest DML location accepted.
pub const DML_LOCATION_MAX: usize = 500;

impl Dml {
    /// Trims both, lower-cases the checksum, and names each field that is wrong.
    pub fn new(location: &str, sha256: &str) -> Result<Dml> {
        let location = location.trim();
        let sha256 = sha256.trim().to_ascii_lowercase();
        let mut errors = Vec::new();
        if location.is_empty() || location.chars().count() > DML_LOCATION_MAX {
            errors.push(FieldError::new(
                "dml",
                format!(
                    "the definitive media's location is required: a repository URL or file share \
                     path of at most {DML_LOCATION_MAX} characters"
                ),
            ));
        }
        if sha256.len() != 64 || !sha256.chars().all(|c| c.is_ascii_hexdigit()) {
            errors.push(FieldError::new(
                "sha256",
                format!(
                    "'{sha256}' is not a SHA-256 checksum; write its 64 hexadecimal digits, as \
                     sha256sum prints them"
                ),
            ));
        }
        if errors.is_empty() {
            Ok(Dml {
                location: location.to_string(),
                sha256,
            })
        } else {
            Err(Error::Validation(errors))
        }
    }
}

/// The version a release of `release_type` is expected to go to from `from`: a major release
/// bumps the first number, a minor one the second, an emergency one the third; the numbers
/// after it start again at 0. Keeps as many parts as `from` writes (at least up to the one
/// bumped); `None` when `from` is not made of numbers.
pub fn expected_next(release_type: ReleaseType, from: &str) -> Option<String> {
    let from = from.trim().trim_start_matches(['v', 'V']);
    let mut parts: Vec<u64> = from
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let bumped = match release_type {
        ReleaseType::Major => 0,
        ReleaseType::Minor => 1,
        ReleaseType::Emergency => 2,
    };
    while parts.len() <= bumped {
        parts.push(0);
    }
    parts[bumped] += 1;
    for part in &mut parts[bumped + 1..] {
        *part = 0;
    }
    Some(
        parts
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// A warning for each component whose target version is not the next number its release type
/// expects. Advice only: numbering schemes differ, so it never blocks a move.
pub fn numbering_warnings(release_type: ReleaseType, components: &[Component]) -> Vec<Message> {
    components
        .iter()
        .filter_map(|c| {
            let (from, to) = (c.from_version.as_deref()?, c.to_version.as_deref()?);
            let expected = expected_next(release_type, from)?;
            let same = parse_version(&expected).ok()? == parse_version(to).ok()?;
            (!same).then(|| {
                Message::new("package.numbering")
                    .with("ci", &c.ci)
                    .with("from", from)
                    .with("to", to)
                    .with(
                        "type",
                        crate::message::word(format!("release_type.{release_type}")),
                    )
                    .with("expected", expected)
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Requirement {
    /// The CI that must be present…
    pub ci: String,
    /// …in a version matching this (semver requirement, e.g. ">=2.1").
    pub requirement: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Component {
    pub ci: String,
    pub from_version: Option<String>,
    pub to_version: Option<String>,
    pub requires: Vec<Requirement>,
    /// Where the target version's definitive media are.
    pub dml: Option<Dml>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Unsatisfied {
    pub component: String,
    pub requires: String,
    pub requirement: String,
    pub reason: Message,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PackageAnalysis {
    /// The order to deploy in, each component after those it needs. Empty when there is a cycle.
    pub order: Vec<String>,
    /// A dependency cycle, as a path that ends where it starts (a → b → a).
    pub cycle: Option<Vec<String>>,
    pub unsatisfied: Vec<Unsatisfied>,
}

/// A version as people write them: "2", "2.1", "v2.1.3" all count (missing parts are 0).
pub fn parse_version(text: &str) -> Result<semver::Version, String> {
    let trimmed = text.trim().trim_start_matches(['v', 'V']);
    let (core, rest) = match trimmed.find(['-', '+']) {
        Some(i) => trimmed.split_at(i),
        None => (trimmed, ""),
    };
    let mut parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(format!(
            "'{text}' is not a version; use numbers like 2.1 or 2.1.3"
        ));
    }
    while parts.len() < 3 {
        parts.push("0");
    }
    semver::Version::parse(&format!("{}{rest}", parts.join(".")))
        .map_err(|_| format!("'{text}' is not a version; use numbers like 2.1 or 2.1.3"))
}

pub fn parse_requirement(text: &str) -> Result<semver::VersionReq, String> {
    semver::VersionReq::parse(text.trim())
        .map_err(|_| format!("'{text}' is not a version requirement; write e.g. >=2.1 or ^3"))
}

/// Splits "api>=2.1" (the CLI's `--requires`) into the CI and the requirement.
pub fn parse_requirement_spec(spec: &str) -> Result<Requirement, String> {
    let at = spec
        .find(['<', '>', '=', '^', '~'])
        .ok_or_else(|| format!("'{spec}' names no version; write it as NAME>=2.1"))?;
    let (ci, requirement) = spec.split_at(at);
    let ci = ci.trim();
    if ci.is_empty() {
        return Err(format!("'{spec}' names no CI; write it as NAME>=2.1"));
    }
    parse_requirement(requirement)?;
    Ok(Requirement {
        ci: ci.to_string(),
        requirement: requirement.trim().to_string(),
    })
}

/// Order, cycles and unmet requirements of a package. `production` maps every CI in the CMDB
/// to the version that runs in production (if recorded).
pub fn analyse(
    components: &[Component],
    production: &BTreeMap<String, Option<String>>,
) -> PackageAnalysis {
    let in_package: BTreeMap<&str, &Component> =
        components.iter().map(|c| (c.ci.as_str(), c)).collect();

    // Edges run from a component to the package components it needs.
    let needs: BTreeMap<&str, BTreeSet<&str>> = components
        .iter()
        .map(|c| {
            let deps = c
                .requires
                .iter()
                .map(|r| r.ci.as_str())
                .filter(|ci| in_package.contains_key(ci) && *ci != c.ci)
                .collect();
            (c.ci.as_str(), deps)
        })
        .collect();

    let cycle = find_cycle(&needs);
    let order = if cycle.is_some() {
        Vec::new()
    } else {
        deployment_order(&needs)
    };

    let mut unsatisfied = Vec::new();
    for component in components {
        for req in &component.requires {
            let reason = match unmet(req, &in_package, production) {
                Some(reason) => reason,
                None => continue,
            };
            unsatisfied.push(Unsatisfied {
                component: component.ci.clone(),
                requires: req.ci.clone(),
                requirement: req.requirement.clone(),
                reason,
            });
        }
    }
    PackageAnalysis {
        order,
        cycle,
        unsatisfied,
    }
}

/// Why `req` is not met, or `None` when it is.
fn unmet(
    req: &Requirement,
    in_package: &BTreeMap<&str, &Component>,
    production: &BTreeMap<String, Option<String>>,
) -> Option<Message> {
    let Ok(wanted) = parse_requirement(&req.requirement) else {
        return Some(Message::new("package.bad_requirement").with("text", &req.requirement));
    };
    let (version, source) = if let Some(component) = in_package.get(req.ci.as_str()) {
        match &component.to_version {
            Some(v) => (v.clone(), "package.brings"),
            None => return Some(Message::new("package.no_target").with("ci", &req.ci)),
        }
    } else {
        match production.get(&req.ci) {
            None => return Some(Message::new("package.not_in_cmdb").with("ci", &req.ci)),
            Some(None) => {
                return Some(Message::new("package.no_production").with("ci", &req.ci));
            }
            Some(Some(v)) => (v.clone(), "package.production_runs"),
        }
    };
    match parse_version(&version) {
        Ok(v) if wanted.matches(&v) => None,
        Ok(_) => Some(
            Message::new(source)
                .with("ci", &req.ci)
                .with("version", &version)
                .with("wanted", wanted.to_string()),
        ),
        Err(_) => Some(Message::new("package.bad_version").with("text", &version)),
    }
}

/// Kahn's algorithm, taking ready components alphabetically so the order is stable.
fn deployment_order(needs: &BTreeMap<&str, BTreeSet<&str>>) -> Vec<String> {
    let mut waiting: BTreeMap<&str, usize> = needs.iter().map(|(c, d)| (*c, d.len())).collect();
    let mut ready: BTreeSet<&str> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(c, _)| *c)
        .collect();
    let mut order = Vec::new();
    while let Some(next) = ready.pop_first() {
        order.push(next.to_string());
        waiting.remove(next);
        for (component, deps) in needs {
            if deps.contains(next)
                && let Some(count) = waiting.get_mut(component)
            {
                *count -= 1;
                if *count == 0 {
                    ready.insert(component);
                }
            }
        }
    }
    order
}

/// The first dependency cycle found by a depth-first search, as a closed path.
fn find_cycle(needs: &BTreeMap<&str, BTreeSet<&str>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit<'a>(
        node: &'a str,
        needs: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        marks: &mut BTreeMap<&'a str, Mark>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        marks.insert(node, Mark::Open);
        path.push(node);
        for dep in needs.get(node).into_iter().flatten() {
            match marks.get(dep) {
                Some(Mark::Open) => {
                    let start = path.iter().position(|n| n == dep).unwrap_or(0);
                    let mut cycle: Vec<String> =
                        path[start..].iter().map(|s| s.to_string()).collect();
                    cycle.push(dep.to_string());
                    return Some(cycle);
                }
                Some(Mark::Done) => {}
                None => {
                    if let Some(cycle) = visit(dep, needs, marks, path) {
                        return Some(cycle);
                    }
                }
            }
        }
        path.pop();
        marks.insert(node, Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in needs.keys() {
        if !marks.contains_key(node)
            && let Some(cycle) = visit(node, needs, &mut marks, &mut Vec::new())
        {
            return Some(cycle);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(ci: &str, to: Option<&str>, requires: &[&str]) -> Component {
        Component {
            ci: ci.into(),
            from_version: None,
            to_version: to.map(str::to_string),
            requires: requires
                .iter()
                .map(|r| parse_requirement_spec(r).unwrap())
                .collect(),
            dml: None,
        }
    }

    #[test]
    fn each_release_type_bumps_its_own_part_of_the_version() {
        use ReleaseType::*;
        assert_eq!(expected_next(Major, "2.1.3").as_deref(), Some("3.0.0"));
        assert_eq!(expected_next(Minor, "2.1.3").as_deref(), Some("2.2.0"));
        assert_eq!(expected_next(Emergency, "2.1.3").as_deref(), Some("2.1.4"));
        assert_eq!(expected_next(Minor, "6.4").as_deref(), Some("6.5"));
        assert_eq!(expected_next(Emergency, "7").as_deref(), Some("7.0.1"));
        assert_eq!(expected_next(Minor, "v12.4").as_deref(), Some("12.5"));
        assert_eq!(expected_next(Minor, "2024.10-rc1"), None);
    }

    #[test]
    fn a_target_off_the_numbering_is_a_warning_naming_the_expected_number() {
        let mut agents = component("monitoring-agent", Some("7.0"), &[]);
        agents.from_version = Some("6.4".into());
        let mut api = component("payroll-api", Some("4.2.0"), &[]);
        api.from_version = Some("4.1".into());
        let warnings = numbering_warnings(ReleaseType::Minor, &[agents, api]);
        assert_eq!(warnings.len(), 1, "4.1 → 4.2.0 is the next minor number");
        assert_eq!(
            warnings[0].render(crate::message::Lang::En),
            "monitoring-agent goes from 6.4 to 7.0; a minor release is expected to go to 6.5"
        );
    }

    #[test]
    fn dml_checksums_are_64_hex_digits() {
        let ok = Dml::new(" smb://dml/payroll-api-4.2.zip ", &"AB".repeat(32)).unwrap();
        assert_eq!(ok.sha256, "ab".repeat(32));
        assert_eq!(ok.location, "smb://dml/payroll-api-4.2.zip");
        let Err(Error::Validation(fields)) = Dml::new("", "12ab") else {
            panic!("refused");
        };
        let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(named, ["dml", "sha256"]);
    }

    fn prod(entries: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect()
    }

    #[test]
    fn lenient_versions() {
        assert_eq!(parse_version("2.1").unwrap().to_string(), "2.1.0");
        assert_eq!(parse_version("v3").unwrap().to_string(), "3.0.0");
        assert_eq!(
            parse_version("1.2.3-rc.1").unwrap().to_string(),
            "1.2.3-rc.1"
        );
        assert!(parse_version("2..1").is_err());
        assert!(parse_version("latest").is_err());
    }

    #[test]
    fn requirement_specs() {
        let r = parse_requirement_spec("payroll-api >= 2.1").unwrap();
        assert_eq!(
            (r.ci.as_str(), r.requirement.as_str()),
            ("payroll-api", ">= 2.1")
        );
        assert!(
            parse_requirement_spec("api")
                .unwrap_err()
                .contains("NAME>=2.1")
        );
        assert!(parse_requirement_spec(">=2").is_err());
        assert!(parse_requirement_spec("api>=two").is_err());
    }

    #[test]
    fn order_puts_what_is_needed_first() {
        let components = [
            component("web", Some("5.0"), &["api>=2.1"]),
            component("api", Some("2.2"), &["db>=12"]),
            component("db", Some("13"), &[]),
        ];
        let analysis = analyse(&components, &prod(&[]));
        assert_eq!(analysis.order, ["db", "api", "web"]);
        assert_eq!(analysis.cycle, None);
        assert!(
            analysis.unsatisfied.is_empty(),
            "{:?}",
            analysis.unsatisfied
        );
    }

    #[test]
    fn a_cycle_is_reported_with_its_whole_path() {
        let components = [
            component("a", Some("1"), &["b>=1"]),
            component("b", Some("1"), &["c>=1"]),
            component("c", Some("1"), &["a>=1"]),
            component("d", Some("1"), &[]),
        ];
        let analysis = analyse(&components, &prod(&[]));
        assert_eq!(analysis.cycle.unwrap(), ["a", "b", "c", "a"]);
        assert!(analysis.order.is_empty());
    }

    #[test]
    fn requirements_met_by_production_or_not_at_all() {
        let components = [component(
            "web",
            Some("5"),
            &["api>=2.1", "db>=12", "cache^1", "auth>=1"],
        )];
        let production = prod(&[("api", Some("2.3")), ("db", Some("11.4")), ("cache", None)]);
        let reasons: Vec<String> = analyse(&components, &production)
            .unsatisfied
            .into_iter()
            .map(|u| u.reason.to_string())
            .collect();
        assert_eq!(
            reasons,
            [
                "production runs db 11.4, which is not >=12",
                "cache is not in the package and no production version is recorded",
                "auth is not in the CMDB",
            ]
        );
    }

    #[test]
    fn a_package_component_without_target_version_satisfies_nothing() {
        let components = [
            component("web", Some("5"), &["api>=2"]),
            component("api", None, &[]),
        ];
        let analysis = analyse(&components, &prod(&[("api", Some("2.0"))]));
        assert_eq!(
            analysis.unsatisfied[0].reason.to_string(),
            "api in the package has no target version"
        );
    }
}
