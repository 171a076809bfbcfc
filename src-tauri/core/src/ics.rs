//! The release calendar as iCalendar (RFC 5545), for Outlook, Thunderbird and any calendar
//! that subscribes to a file: each release's deployment per wave, every freeze and every
//! maintenance window, with recurrences as RRULEs in their own time zone.
//!
//! The `icalendar` crate writes the events (escaping, folding at 75 octets, CRLF). It has no
//! VTIMEZONE, which Outlook needs for every TZID; those are made here from the zone's
//! transitions (`jiff` lists them), in the yearly-RRULE form Outlook reads.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use icalendar::{CalendarDateTime, Component, Event, EventLike, EventStatus};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::calendar::{Freeze, Window, from_minute};
use crate::error::{Error, FieldError, Result};
use crate::plan::Schedule;
use crate::release::{Release, Stage};

/// The longest range one export covers; recurrences are expanded over it.
const MOST_DAYS: i64 = 5 * 366;

/// The days an export covers, `[from, to]` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "CalendarRange")]
pub struct Range {
    #[ts(type = "string")]
    pub from: NaiveDate,
    #[ts(type = "string")]
    pub to: NaiveDate,
}

impl Range {
    /// The CLI's and the window's default: a month back and a year ahead of `today`.
    pub fn around(today: NaiveDate) -> Range {
        Range {
            from: today - Duration::days(30),
            to: today + Duration::days(365),
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.to < self.from {
            return Err(Error::Validation(vec![FieldError::new(
                "to",
                format!("must not be before the start ({})", self.from),
            )]));
        }
        if (self.to - self.from).num_days() > MOST_DAYS {
            return Err(Error::Validation(vec![FieldError::new(
                "to",
                "must be at most five years after the start",
            )]));
        }
        Ok(())
    }

    fn start(&self) -> DateTime<Utc> {
        self.from.and_time(NaiveTime::MIN).and_utc()
    }

    fn end(&self) -> DateTime<Utc> {
        (self.to + Duration::days(1))
            .and_time(NaiveTime::MIN)
            .and_utc()
    }
}

/// A time in the calendar: an instant (UTC), or a wall-clock time in a named zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moment {
    Utc(DateTime<Utc>),
    Local(NaiveDateTime, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Tentative,
    Confirmed,
    Cancelled,
}

/// One VEVENT before it is numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    /// Stable across exports: per release wave, per freeze, per window.
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub category: &'static str,
    pub status: Status,
    /// Windows and freezes do not make anyone busy.
    pub transparent: bool,
    pub start: Moment,
    pub end: Moment,
    /// RRULE value, with UNTIL at the last occurrence in the range.
    pub rule: Option<String>,
    /// What the event's times are made of: when it changes, SEQUENCE goes up.
    pub fingerprint: String,
}

/// The revision of an event as calendars last saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    pub sequence: u32,
    /// DTSTAMP: when this revision was first exported.
    pub stamp: DateTime<Utc>,
}

fn hash(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

fn short(text: &str) -> String {
    hash(text)[..16].to_string()
}

fn utc_text(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The rule without its own end (COUNT, UNTIL), which the range replaces.
fn open_rule(rule: &str) -> String {
    rule.trim()
        .split(';')
        .filter(|part| {
            let name = part
                .split('=')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_uppercase();
            !part.trim().is_empty() && name != "COUNT" && name != "UNTIL"
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn until(rule: &str, starts: usize, last: DateTime<Utc>) -> Option<String> {
    (starts > 1).then(|| format!("{};UNTIL={}", open_rule(rule), utc_text(last)))
}

fn stage_words(stage: Stage) -> String {
    stage.as_str().replace('_', " ")
}

/// Each release's deployment, one event per wave from its first task to its last.
fn deployments(releases: &[Release], schedules: &[Schedule], range: &Range) -> Vec<FeedEvent> {
    let mut events = Vec::new();
    for release in releases {
        let Some(schedule) = schedules.iter().find(|s| s.release == release.key) else {
            continue;
        };
        let status = match release.stage {
            Stage::Cancelled | Stage::RolledBack => Status::Cancelled,
            s if s.at_or_after(Stage::Authorized) => Status::Confirmed,
            _ => Status::Tentative,
        };
        for (index, wave) in schedule.waves.iter().enumerate() {
            let tasks: Vec<_> = schedule.tasks.iter().filter(|t| t.wave == index).collect();
            let start = tasks
                .iter()
                .filter_map(|t| t.actual_start.or(t.start))
                .min();
            let end = tasks.iter().filter_map(|t| t.actual_end.or(t.end)).max();
            let (Some(start), Some(end)) = (start, end) else {
                continue;
            };
            if end <= range.start() || start >= range.end() {
                continue;
            }
            let downtime: Vec<_> = tasks.iter().filter(|t| t.downtime).collect();
            let downtime_text = if downtime.is_empty() {
                "none".to_string()
            } else {
                let minutes: i64 = downtime.iter().map(|t| t.minutes).sum();
                let names: Vec<&str> = downtime.iter().map(|t| t.name.as_str()).collect();
                format!("{minutes} min ({})", names.join(", "))
            };
            let cis: BTreeSet<&str> = tasks
                .iter()
                .flat_map(|t| t.cis.iter().map(String::as_str))
                .collect();
            let waves = schedule.waves.len();
            let summary = if waves > 1 {
                format!(
                    "{} {} – wave {} of {waves}: {}",
                    release.key,
                    release.title,
                    index + 1,
                    wave.name
                )
            } else {
                format!("{} {}", release.key, release.title)
            };
            let cis = if cis.is_empty() {
                "none named".to_string()
            } else {
                cis.into_iter().collect::<Vec<_>>().join(", ")
            };
            let description = format!(
                "Release {}: {}\nStage: {}\nWave {} of {waves}: {}\nDowntime: {downtime_text}\nCIs: {cis}",
                release.key,
                release.title,
                stage_words(release.stage),
                index + 1,
                wave.name,
            );
            events.push(FeedEvent {
                uid: format!("{}-wave-{}@relman", release.key, index + 1),
                summary,
                description,
                category: "Deployment",
                status,
                transparent: false,
                start: Moment::Utc(start),
                end: Moment::Utc(end),
                rule: None,
                fingerprint: hash(&format!("{start}|{end}|{status:?}")),
            });
        }
    }
    events
}

fn freeze_events(freezes: &[Freeze], range: &Range) -> Vec<FeedEvent> {
    freezes
        .iter()
        .filter_map(|freeze| {
            let spans = freeze.spans(range.start(), range.end());
            let first = spans.iter().map(|s| s.start).min()?;
            let last = spans.iter().map(|s| s.start).max()?;
            let start = from_minute(first);
            let rule = freeze
                .rule
                .as_deref()
                .and_then(|r| until(r, spans.len(), from_minute(last)));
            let scope = freeze.service.as_deref().unwrap_or("every service");
            Some(FeedEvent {
                uid: format!("freeze-{}@relman", short(&freeze.name)),
                summary: format!("Change freeze: {}", freeze.name),
                description: format!(
                    "No deployment work on {scope} during this freeze.{}",
                    freeze
                        .rule
                        .as_deref()
                        .map(|r| format!("\nRepeats: {r}"))
                        .unwrap_or_default()
                ),
                category: "Change freeze",
                status: Status::Confirmed,
                transparent: true,
                start: Moment::Utc(start),
                end: Moment::Utc(start + (freeze.to - freeze.from)),
                rule,
                fingerprint: hash(&format!(
                    "{}|{}|{:?}|{:?}",
                    freeze.from, freeze.to, freeze.rule, freeze.service
                )),
            })
        })
        .collect()
}

fn window_events(windows: &[Window], range: &Range) -> Vec<FeedEvent> {
    windows
        .iter()
        .filter_map(|window| {
            let openings = window.openings(range.start(), range.end());
            let (first, _) = openings.first()?;
            let (_, last) = openings.last()?;
            let hours = window.minutes as f64 / 60.0;
            Some(FeedEvent {
                uid: format!("window-{}@relman", short(&window.name)),
                summary: format!("Maintenance window: {}", window.name),
                description: format!(
                    "Deployment work with downtime may happen in this window.\nRepeats: {} at {} for {hours} h ({})",
                    window.rule, window.at, window.tz
                ),
                category: "Maintenance window",
                status: Status::Confirmed,
                transparent: true,
                start: Moment::Local(*first, window.tz.clone()),
                end: Moment::Local(
                    *first + Duration::minutes(window.minutes),
                    window.tz.clone(),
                ),
                rule: until(&window.rule, openings.len(), from_minute(last.start)),
                fingerprint: hash(&format!(
                    "{}|{}|{}|{}",
                    window.rule, window.at, window.minutes, window.tz
                )),
            })
        })
        .collect()
}

/// Every event of the calendar in `range`, in a fixed order (so the bytes are stable).
pub fn events(
    releases: &[Release],
    schedules: &[Schedule],
    windows: &[Window],
    freezes: &[Freeze],
    range: &Range,
) -> Vec<FeedEvent> {
    let mut all = deployments(releases, schedules, range);
    all.extend(freeze_events(freezes, range));
    all.extend(window_events(windows, range));
    all.sort_by(|a, b| a.uid.cmp(&b.uid));
    all
}

fn moment(at: &Moment) -> CalendarDateTime {
    match at {
        Moment::Utc(at) => CalendarDateTime::Utc(*at),
        Moment::Local(at, tz) => CalendarDateTime::WithTimezone {
            date_time: *at,
            tzid: tz.clone(),
        },
    }
}

fn vevent(event: &FeedEvent, revision: Revision) -> Event {
    let mut out = Event::new();
    out.uid(&event.uid)
        .timestamp(revision.stamp)
        .sequence(revision.sequence)
        .summary(&event.summary)
        .description(&event.description)
        .starts(moment(&event.start))
        .ends(moment(&event.end))
        .status(match event.status {
            Status::Tentative => EventStatus::Tentative,
            Status::Confirmed => EventStatus::Confirmed,
            Status::Cancelled => EventStatus::Cancelled,
        })
        .add_property("CATEGORIES", event.category)
        .add_property(
            "TRANSP",
            if event.transparent {
                "TRANSPARENT"
            } else {
                "OPAQUE"
            },
        );
    if let Some(rule) = &event.rule {
        out.add_property("RRULE", rule);
    }
    out.done()
}

/// The whole `.ics` file: METHOD:PUBLISH, a VTIMEZONE for every TZID used, the events.
pub fn write(events: &[(FeedEvent, Revision)], range: &Range) -> String {
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Relman//Release calendar//EN\r\n\
         CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Relman releases\r\n",
    );
    let zones: BTreeSet<&str> = events
        .iter()
        .filter_map(|(e, _)| match &e.start {
            Moment::Local(_, tz) => Some(tz.as_str()),
            Moment::Utc(_) => None,
        })
        .collect();
    for zone in zones {
        out.push_str(&vtimezone(zone, range.from.year(), range.to.year()));
    }
    for (event, revision) in events {
        out.push_str(&vevent(event, *revision).to_string());
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// One change of offset, seen in local time before it happens.
struct Transition {
    utc: DateTime<Utc>,
    local: NaiveDateTime,
    from: i32,
    to: i32,
    name: String,
    dst: bool,
}

impl Transition {
    /// The yearly rule it follows: month, and the nth (or last, -1) weekday of it.
    fn yearly(&self) -> (u32, i32, chrono::Weekday, NaiveTime) {
        let date = self.local.date();
        let days_in_month = NaiveDate::from_ymd_opt(date.year(), date.month(), 1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .map(|next| (next - Duration::days(1)).day())
            .unwrap_or(28);
        let nth = if date.day() + 7 > days_in_month {
            -1
        } else {
            ((date.day() - 1) / 7 + 1) as i32
        };
        (date.month(), nth, date.weekday(), self.local.time())
    }

    fn same_rule(&self, other: &Transition) -> bool {
        (self.from, self.to, self.dst, &self.name, self.yearly())
            == (other.from, other.to, other.dst, &other.name, other.yearly())
            && other.local.year() == self.local.year() + 1
    }
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    if s % 60 == 0 {
        format!("{sign}{:02}{:02}", s / 3600, s % 3600 / 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", s / 3600, s % 3600 / 60, s % 60)
    }
}

fn transitions(tz: &jiff::tz::TimeZone, from_year: i32, to_year: i32) -> Vec<Transition> {
    let at = |year: i32| {
        Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0)
            .single()
            .map(|t| t.timestamp())
            .unwrap_or_default()
    };
    let (Ok(start), end) = (
        jiff::Timestamp::from_second(at(from_year - 1)),
        at(to_year + 2),
    ) else {
        return Vec::new();
    };
    tz.following(start)
        .take_while(|t| t.timestamp().as_second() < end)
        .filter_map(|t| {
            let second = t.timestamp().as_second();
            let before = jiff::Timestamp::from_second(second - 1).ok()?;
            let from = tz.to_offset(before).seconds();
            let utc = DateTime::from_timestamp(second, 0)?;
            Some(Transition {
                utc,
                local: (utc + Duration::seconds(from.into())).naive_utc(),
                from,
                to: t.offset().seconds(),
                name: t.abbreviation().to_string(),
                dst: t.dst().is_dst(),
            })
        })
        .filter(|t| t.from != t.to || !t.name.is_empty())
        .collect()
}

/// A VTIMEZONE for `name` that covers the years of the range: each run of transitions that
/// repeat yearly becomes one STANDARD or DAYLIGHT with a yearly RRULE (Outlook's form).
pub fn vtimezone(name: &str, from_year: i32, to_year: i32) -> String {
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{name}\r\nX-LIC-LOCATION:{name}\r\n");
    let Ok(tz) = jiff::tz::TimeZone::get(name) else {
        // Validation refuses unknown zones; if the databases disagree, say UTC.
        out.push_str(
            "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\n\
             TZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
        );
        return out;
    };
    let all = transitions(&tz, from_year, to_year);
    if all.is_empty() {
        let year_start = Utc
            .with_ymd_and_hms(from_year, 1, 1, 0, 0, 0)
            .single()
            .map(|t| t.timestamp())
            .unwrap_or_default();
        let start = jiff::Timestamp::from_second(year_start).unwrap_or_default();
        let info = tz.to_offset_info(start);
        let offset = offset_text(info.offset().seconds());
        out.push_str(&format!(
            "BEGIN:STANDARD\r\nDTSTART:{from_year}0101T000000\r\nTZOFFSETFROM:{offset}\r\n\
             TZOFFSETTO:{offset}\r\nTZNAME:{}\r\nEND:STANDARD\r\n",
            info.abbreviation()
        ));
    }
    // Runs of transitions that follow one yearly rule.
    let mut runs: Vec<Vec<&Transition>> = Vec::new();
    for transition in &all {
        let run = runs
            .iter_mut()
            .rev()
            .find(|run| run[0].dst == transition.dst);
        match run {
            Some(run) if run.last().is_some_and(|last| last.same_rule(transition)) => {
                run.push(transition)
            }
            _ => runs.push(vec![transition]),
        }
    }
    runs.sort_by_key(|run| run[0].utc);
    for (index, run) in runs.iter().enumerate() {
        let first = run[0];
        let kind = if first.dst { "DAYLIGHT" } else { "STANDARD" };
        out.push_str(&format!(
            "BEGIN:{kind}\r\nDTSTART:{}\r\n",
            first.local.format("%Y%m%dT%H%M%S")
        ));
        if run.len() > 1 {
            let (month, nth, weekday, _) = first.yearly();
            let day = &format!("{weekday:?}").to_ascii_uppercase()[..2];
            // The last run of each kind goes on; an earlier one ends where the next begins.
            let later = runs[index + 1..].iter().any(|r| r[0].dst == first.dst);
            let end = if later {
                format!(";UNTIL={}", utc_text(run[run.len() - 1].utc))
            } else {
                String::new()
            };
            out.push_str(&format!(
                "RRULE:FREQ=YEARLY;BYMONTH={month};BYDAY={nth}{day}{end}\r\n"
            ));
        }
        out.push_str(&format!(
            "TZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
            offset_text(first.from),
            offset_text(first.to)
        ));
        if !first.name.is_empty() {
            out.push_str(&format!("TZNAME:{}\r\n", first.name));
        }
        out.push_str(&format!("END:{kind}\r\n"));
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berlin_has_a_yearly_summer_and_winter_rule() {
        let text = vtimezone("Europe/Berlin", 2026, 2027);
        assert!(text.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20250330T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
             TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT"
        ), "{text}");
        assert!(text.contains(
            "BEGIN:STANDARD\r\nDTSTART:20251026T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
             TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD"
        ), "{text}");
    }

    #[test]
    fn a_zone_without_summer_time_has_one_standard_part() {
        let text = vtimezone("Asia/Kolkata", 2026, 2026);
        assert!(
            text.contains("TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530"),
            "{text}"
        );
        assert!(!text.contains("DAYLIGHT"), "{text}");
    }

    #[test]
    fn the_rule_loses_its_own_end() {
        assert_eq!(
            open_rule("FREQ=WEEKLY;COUNT=10;BYDAY=SA"),
            "FREQ=WEEKLY;BYDAY=SA"
        );
        assert_eq!(
            open_rule("FREQ=YEARLY;UNTIL=20300101T000000Z"),
            "FREQ=YEARLY"
        );
    }
}
