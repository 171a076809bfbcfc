//! What the core tells a person, as a key in the catalogues and the values to fill in. The
//! window, the documents and the CLI each render it in their reader's language, so no finished
//! English sentence leaves the core.
//!
//! The catalogues are `core/messages/{en,de}.json`; the window gets them as a generated binding
//! and renders with the same rules (`ui/src/lib/say.ts`), which a generated set of samples
//! keeps equal to [`Message::render`].

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    De,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The language a `LANG`-style locale (`de_DE.UTF-8`, `en_GB`) asks for; English for any
    /// other.
    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("de") {
            Lang::De
        } else {
            Lang::En
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s {
            "en" => Ok(Lang::En),
            "de" => Ok(Lang::De),
            _ => Err(format!("'{s}' is not one of en, de")),
        }
    }
}

/// A message: its key in the catalogues and the named values its sentence takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Message {
    pub key: String,
    pub params: BTreeMap<String, Param>,
}

/// A value in a message. Names, keys and versions are shown as they are; words and times are
/// written the way the reader's language writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Param {
    Text(String),
    Count(#[ts(type = "number")] i64),
    /// A catalogue key: a stage, a status, a decision.
    Word(String),
    Time(Moment),
    Span {
        from: Moment,
        to: Moment,
    },
    /// Joined with ", ".
    List(Vec<Param>),
    /// Joined with "; ", for items that have commas of their own.
    Lines(Vec<Param>),
    Message(Message),
}

/// A moment as it reads on the wall clock of its zone, with the zone's abbreviation and offset
/// from the tz database, so that the window and the documents write the same zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Moment {
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// `2026-12-12T22:00`.
    pub local: String,
    /// Monday is 0.
    pub weekday: u8,
    /// `CET`; empty when the tz database has only a number for the zone.
    pub abbr: String,
    /// `+01:00`.
    pub offset: String,
}

impl Moment {
    pub fn new(at: DateTime<Utc>, tz: &str) -> Moment {
        let local = at.with_timezone(&tz.parse::<Tz>().unwrap_or(Tz::UTC));
        let abbr = local.format("%Z").to_string();
        Moment {
            at,
            local: local.format("%Y-%m-%dT%H:%M").to_string(),
            weekday: local.weekday().num_days_from_monday() as u8,
            abbr: if abbr.starts_with(['+', '-']) {
                String::new()
            } else {
                abbr
            },
            offset: local.format("%:z").to_string(),
        }
    }

    fn date(&self) -> &str {
        &self.local[..10]
    }

    fn clock(&self) -> &str {
        &self.local[11..16]
    }

    /// `Sat 12 Dec 2026 22:00` / `Sa 12.12.2026 22:00`.
    fn day_and_time(&self, lang: Lang) -> String {
        let (y, m, d) = (&self.local[..4], &self.local[5..7], &self.local[8..10]);
        let day = WEEKDAYS[lang as usize][self.weekday as usize % 7];
        match lang {
            Lang::En => {
                let month = MONTHS_EN[m.parse::<usize>().unwrap_or(1).clamp(1, 12) - 1];
                format!("{day} {d} {month} {y} {}", self.clock())
            }
            Lang::De => format!("{day} {d}.{m}.{y} {}", self.clock()),
        }
    }

    /// ` CET (UTC+01:00)`, ` UTC`, or ` UTC+03:00` for a zone known by its offset alone.
    pub fn zone_suffix(&self) -> String {
        match self.abbr.as_str() {
            "UTC" => " UTC".into(),
            "" => format!(" UTC{}", self.offset),
            abbr => format!(" {abbr} (UTC{})", self.offset),
        }
    }
}

const WEEKDAYS: [[&str; 7]; 2] = [
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"],
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Message {
    pub fn new(key: &str) -> Message {
        Message {
            key: key.to_string(),
            params: BTreeMap::new(),
        }
    }

    /// The message with `name` set to `value`.
    pub fn with(mut self, name: &str, value: impl Into<Param>) -> Message {
        self.params.insert(name.to_string(), value.into());
        self
    }

    /// The sentence in `lang`. A key missing from the catalogue renders as the key itself;
    /// the catalogue tests make sure none is.
    pub fn render(&self, lang: Lang) -> String {
        let catalogue = catalogue(lang);
        let singular = format!("{}.one", self.key);
        let text = match self.params.get("count") {
            Some(Param::Count(1)) if catalogue.contains_key(&singular) => &catalogue[&singular],
            _ => match catalogue.get(&self.key) {
                Some(text) => text,
                None => return self.key.clone(),
            },
        };
        fill(text, |name| self.params.get(name).map(|p| p.render(lang)))
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl Param {
    pub fn render(&self, lang: Lang) -> String {
        match self {
            Param::Text(text) => text.clone(),
            Param::Count(n) => n.to_string(),
            Param::Word(key) => catalogue(lang)
                .get(key)
                .cloned()
                .unwrap_or_else(|| key.clone()),
            Param::Time(at) => format!("{}{}", at.day_and_time(lang), at.zone_suffix()),
            Param::Span { from, to } => {
                let end = if from.date() == to.date() {
                    to.clock().to_string()
                } else {
                    to.day_and_time(lang)
                };
                format!("{} – {end}{}", from.day_and_time(lang), to.zone_suffix())
            }
            Param::List(items) => join(items, ", ", lang),
            Param::Lines(items) => join(items, "; ", lang),
            Param::Message(message) => message.render(lang),
        }
    }
}

fn join(items: &[Param], separator: &str, lang: Lang) -> String {
    items
        .iter()
        .map(|i| i.render(lang))
        .collect::<Vec<_>>()
        .join(separator)
}

/// Fills each `{name}` in `text`; an unknown name stays as it is.
fn fill(text: &str, mut value: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_name(&after[..close]) => {
                let name = &after[..close];
                match value(name) {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The `{name}`s a catalogue sentence takes.
pub fn placeholders(text: &str) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    fill(text, |name| {
        names.insert(name.to_string());
        None
    });
    names
}

impl From<&str> for Param {
    fn from(text: &str) -> Param {
        Param::Text(text.to_string())
    }
}

impl From<String> for Param {
    fn from(text: String) -> Param {
        Param::Text(text)
    }
}

impl From<&String> for Param {
    fn from(text: &String) -> Param {
        Param::Text(text.clone())
    }
}

impl From<i64> for Param {
    fn from(n: i64) -> Param {
        Param::Count(n)
    }
}

impl From<usize> for Param {
    fn from(n: usize) -> Param {
        Param::Count(n as i64)
    }
}

impl From<u32> for Param {
    fn from(n: u32) -> Param {
        Param::Count(n as i64)
    }
}

impl From<Message> for Param {
    fn from(message: Message) -> Param {
        Param::Message(message)
    }
}

impl<T: Into<Param>> From<Vec<T>> for Param {
    fn from(items: Vec<T>) -> Param {
        Param::List(items.into_iter().map(Into::into).collect())
    }
}

/// Items joined with "; ".
pub fn lines<T: Into<Param>>(items: Vec<T>) -> Param {
    Param::Lines(items.into_iter().map(Into::into).collect())
}

/// A catalogue word (a stage, a status) written in the reader's language.
pub fn word(key: impl Into<String>) -> Param {
    Param::Word(key.into())
}

pub fn time(at: DateTime<Utc>, tz: &str) -> Param {
    Param::Time(Moment::new(at, tz))
}

pub fn span(from: DateTime<Utc>, to: DateTime<Utc>, tz: &str) -> Param {
    Param::Span {
        from: Moment::new(from, tz),
        to: Moment::new(to, tz),
    }
}

/// For every zone of the tz database, the abbreviation it uses at each UTC offset (2020–2040),
/// for the window: WebKitGTK's `Intl` names zones "GMT+1" where the tz database says "CET".
/// Zones the database knows only by number are left out; they are written as their offset.
pub fn zone_abbreviations() -> std::collections::BTreeMap<&'static str, BTreeMap<String, String>> {
    use chrono::TimeZone;
    let start = Utc
        .with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
        .single()
        .expect("a valid moment");
    let mut out = std::collections::BTreeMap::new();
    for zone in chrono_tz::TZ_VARIANTS {
        let mut names = BTreeMap::new();
        // Weekly samples meet every offset a zone keeps for more than a week.
        for week in 0..(21 * 53) {
            let at = Moment::new(start + chrono::Duration::weeks(week), zone.name());
            if !at.abbr.is_empty() {
                names.entry(at.offset).or_insert(at.abbr);
            }
        }
        if !names.is_empty() {
            out.insert(zone.name(), names);
        }
    }
    out
}

/// The catalogue files as they are committed, for the window's generated copy.
pub const CATALOGUE_FILES: [(Lang, &str); 2] = [
    (Lang::En, include_str!("../messages/en.json")),
    (Lang::De, include_str!("../messages/de.json")),
];

pub fn catalogue(lang: Lang) -> &'static BTreeMap<String, String> {
    static CATALOGUES: OnceLock<[BTreeMap<String, String>; 2]> = OnceLock::new();
    &CATALOGUES.get_or_init(|| {
        CATALOGUE_FILES.map(|(lang, text)| {
            serde_json::from_str(text)
                .unwrap_or_else(|e| panic!("messages/{}.json is not valid: {e}", lang.code()))
        })
    })[lang as usize]
}

/// Messages of every kind of value, with what Rust renders for each language: the window's
/// renderer is tested against them.
pub fn samples() -> Vec<(Message, [String; 2])> {
    let at: DateTime<Utc> = "2026-12-12T21:00:00Z".parse().expect("a fixed moment");
    let later = at + chrono::Duration::minutes(15);
    let next_day = at + chrono::Duration::hours(26);
    let messages = vec![
        Message::new("rule.SCOPE-NOT-EMPTY.pass").with("count", 1usize),
        Message::new("rule.SCOPE-NOT-EMPTY.pass").with("count", 3usize),
        Message::new("rule.SCOPE-AUTHORIZED.fail").with(
            "changes",
            vec![
                Message::new("item.change_status")
                    .with("key", "CHG-1")
                    .with("status", word("change_status.draft")),
                Message::new("item.change_status")
                    .with("key", "CHG-2")
                    .with("status", word("change_status.assessed")),
            ],
        ),
        Message::new("rule.AUTH-SEGREGATION.fail").with("who", "anna"),
        Message::new("rule.ELS-DONE.waiting").with("until", time(at, "Europe/Berlin")),
        Message::new("rule.ELS-DONE.waiting").with("until", time(at, "UTC")),
        Message::new("rule.ELS-DONE.waiting").with("until", time(at, "America/Sao_Paulo")),
        Message::new("conflict.outside_window")
            .with("task", "Stop app")
            .with("key", "T1")
            .with("when", span(at, later, "Europe/Berlin"))
            .with("window", "Sat night"),
        Message::new("conflict.outside_window")
            .with("task", "Stop app")
            .with("key", "T1")
            .with("when", span(at, next_day, "America/New_York"))
            .with("window", "Sat night"),
        Message::new("rule.PKG-NO-CYCLE.pass").with("order", "a → b"),
    ];
    messages
        .into_iter()
        .map(|m| {
            let rendered = Lang::ALL.map(|lang| m.render(lang));
            (m, rendered)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys_and_placeholders() {
        let (en, de) = (catalogue(Lang::En), catalogue(Lang::De));
        let only = |a: &BTreeMap<String, String>, b: &BTreeMap<String, String>| {
            a.keys()
                .filter(|k| !b.contains_key(*k))
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(only(en, de), Vec::<String>::new(), "keys missing in German");
        assert_eq!(
            only(de, en),
            Vec::<String>::new(),
            "keys missing in English"
        );
        for (key, text) in en {
            assert_eq!(
                placeholders(text),
                placeholders(&de[key]),
                "{key}: the languages take different values"
            );
            assert!(!de[key].trim().is_empty(), "{key} is empty in German");
        }
    }

    #[test]
    fn values_are_filled_in_and_times_written_as_each_language_writes_them() {
        let samples = samples();
        let find = |i: usize| &samples[i].1;
        assert_eq!(find(0)[0], "1 change in scope");
        assert_eq!(find(1)[0], "3 changes in scope");
        assert_eq!(
            find(4),
            &[
                "Early life support lasts until Sat 12 Dec 2026 22:00 CET (UTC+01:00)".to_string(),
                "Early Life Support dauert bis Sa 12.12.2026 22:00 CET (UTC+01:00)".to_string()
            ]
        );
        assert!(find(5)[0].ends_with("21:00 UTC"), "{}", find(5)[0]);
        assert!(find(6)[0].ends_with("18:00 UTC-03:00"), "{}", find(6)[0]);
        assert!(
            find(7)[1].contains("Sa 12.12.2026 22:00 – 22:15 CET (UTC+01:00)"),
            "{}",
            find(7)[1]
        );
        assert!(
            find(8)[0].contains("Sat 12 Dec 2026 16:00 – Sun 13 Dec 2026 18:00 EST (UTC-05:00)"),
            "{}",
            find(8)[0]
        );
        assert!(
            find(2)[1].contains("CHG-1 (Entwurf), CHG-2"),
            "{}",
            find(2)[1]
        );
    }

    /// Every key written in the core's source, and every word a value of an enum becomes, is
    /// in the catalogue: a missing one would show its key to the reader.
    #[test]
    fn every_key_the_core_names_is_in_the_catalogue() {
        let en = catalogue(Lang::En);
        let mut missing = Vec::new();
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for call in ["Message::new(\"", "m(\"", "word(\"", "pass(\"", "), \""] {
                    for (at, _) in text.match_indices(call) {
                        let rest = &text[at + call.len()..];
                        let key = &rest[..rest.find('"').unwrap()];
                        let is_key = (key.contains('.') || key == "list")
                            && key.starts_with(|c: char| c.is_ascii_lowercase())
                            && key
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
                        if is_key && !en.contains_key(key) {
                            missing.push(format!("{key} ({})", path.display()));
                        }
                    }
                }
            }
        }
        let words = [
            (
                "stage",
                crate::release::Stage::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>(),
            ),
            (
                "change_status",
                crate::change::ChangeStatus::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect(),
            ),
            (
                "test_kind",
                crate::testing::TestKind::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect(),
            ),
            (
                "release_type",
                crate::release::ReleaseType::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect(),
            ),
            (
                "role",
                crate::approval::Role::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect(),
            ),
            (
                "decision",
                crate::approval::Decision::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect(),
            ),
            (
                "strategy",
                crate::plan::Strategy::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect(),
            ),
            (
                "activity",
                crate::after::Activity::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect(),
            ),
            (
                "team_role",
                crate::people::TeamRole::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect(),
            ),
        ];
        for (prefix, values) in words {
            for value in values {
                let key = format!("{prefix}.{value}");
                if !en.contains_key(&key) {
                    missing.push(key);
                }
            }
        }
        for role in crate::people::TeamRole::ALL {
            if !en.contains_key(&format!("team_role.{role}.allows")) {
                missing.push(format!("team_role.{role}.allows"));
            }
        }
        for rule in crate::rules::RULES {
            if !en.contains_key(&format!("rule.{}.remedy", rule.code))
                && !en
                    .keys()
                    .any(|k| k.starts_with(&format!("rule.{}.remedy.", rule.code)))
            {
                missing.push(format!("a remedy of {}", rule.code));
            }
        }
        assert_eq!(missing, Vec::<String>::new(), "not in messages/en.json");
    }

    #[test]
    fn zones_are_named_as_the_tz_database_names_them() {
        let names = zone_abbreviations();
        let berlin = &names["Europe/Berlin"];
        assert_eq!(berlin["+01:00"], "CET");
        assert_eq!(berlin["+02:00"], "CEST");
        assert_eq!(names["America/New_York"]["-05:00"], "EST");
        assert_eq!(names["UTC"]["+00:00"], "UTC");
        // Known only by number: written as an offset.
        assert!(!names.contains_key("America/Sao_Paulo"));
    }

    #[test]
    fn an_unknown_value_name_and_a_brace_stay_as_written() {
        assert_eq!(fill("a {b} {c d} {", |_| None), "a {b} {c d} {");
        assert_eq!(fill("{x}!", |n| Some(n.to_uppercase())), "X!");
    }
}
