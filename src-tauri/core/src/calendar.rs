//! Maintenance windows, freezes and business hours: when work may happen and when it hurts.
//! Recurrence is RFC 5545 (the `rrule` crate), time zones are the IANA database (`chrono-tz`);
//! everything is turned into UTC minute spans for the scheduler.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
use crate::message::Message;
use crate::schedule::{Minute, Span};

/// A recurring maintenance window, e.g. Saturdays 22:00 for 6 hours, Europe/Berlin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub name: String,
    /// An RFC 5545 recurrence rule without DTSTART, e.g. `FREQ=WEEKLY;BYDAY=SA`.
    pub rule: String,
    /// Local start time, `HH:MM`.
    pub at: String,
    #[ts(type = "number")]
    pub minutes: i64,
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub tz: String,
}

/// A period in which no deployment work may happen: global or for one service, one-off or
/// recurring (e.g. every year-end with `FREQ=YEARLY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Freeze {
    pub name: String,
    #[ts(type = "string")]
    pub from: DateTime<Utc>,
    #[ts(type = "string")]
    pub to: DateTime<Utc>,
    /// The service (CI name) it covers; none: every service.
    #[serde(default)]
    pub service: Option<String>,
    /// An RFC 5545 rule repeating the period, e.g. `FREQ=YEARLY`; none: once.
    #[serde(default)]
    pub rule: Option<String>,
}

/// When a service's users work, and how many there are: deploying then hurts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceHours {
    pub service: String,
    /// e.g. `mon-fri` or `mon,wed,fri`.
    pub days: String,
    pub opens: String,
    pub closes: String,
    pub tz: String,
    #[ts(type = "number")]
    pub users: i64,
}

/// How far ahead windows and freezes are expanded when a plan is scheduled.
pub const HORIZON_DAYS: i64 = 400;

pub fn to_minute(t: DateTime<Utc>) -> Minute {
    t.timestamp().div_euclid(60)
}

pub fn from_minute(m: Minute) -> DateTime<Utc> {
    DateTime::from_timestamp(m * 60, 0).unwrap_or_default()
}

pub fn parse_tz(field: &str, text: &str) -> std::result::Result<Tz, FieldError> {
    text.parse::<Tz>()
        .map_err(|_| FieldError::said(field, Message::new("field.not_zone").with("text", text)))
}

/// A moment as people in `tz` read it, with the zone and its UTC offset, so that the CAB reads
/// the same time in a message as on the Gantt: `Sat 12 Dec 2026 22:00 CET (UTC+01:00)`.
/// An unknown zone falls back to UTC.
pub fn local_time(at: DateTime<Utc>, tz: &str) -> String {
    crate::message::time(at, tz).render(crate::message::Lang::En)
}

/// A span in one zone: `Sat 12 Dec 2026 22:00 – 22:15 CET (UTC+01:00)`; the end repeats its
/// date when it falls on another day.
pub fn local_span(start: DateTime<Utc>, end: DateTime<Utc>, tz: &str) -> String {
    crate::message::span(start, end, tz).render(crate::message::Lang::En)
}

/// An ISO 8601 date-time with an offset (`2026-12-19T22:00:00+01:00`), or without one read in
/// the zone `tz` (`2026-12-19T22:00` or `2026-12-19 22:00` or a bare date for midnight).
pub fn parse_datetime(
    field: &str,
    text: &str,
    tz: Option<&str>,
) -> std::result::Result<DateTime<Utc>, FieldError> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN))
        });
    let Some(naive) = naive else {
        return Err(FieldError::said(
            field,
            Message::new("field.not_datetime").with("text", text),
        ));
    };
    match tz {
        Some(tz) => Ok(local(parse_tz("tz", tz)?, naive)),
        None => Err(FieldError::said(
            field,
            Message::new("field.no_offset").with("text", text),
        )),
    }
}

fn parse_time(field: &str, text: &str) -> std::result::Result<NaiveTime, FieldError> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| FieldError::said(field, Message::new("field.not_time").with("text", text)))
}

fn parse_weekday(field: &str, text: &str) -> std::result::Result<Weekday, FieldError> {
    text.trim()
        .parse::<Weekday>()
        .map_err(|_| FieldError::said(field, Message::new("field.not_weekday").with("text", text)))
}

fn byday(day: Weekday) -> &'static str {
    ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][day.num_days_from_monday() as usize]
}

/// Local wall-clock time in `tz`, taking the earlier of two readings in a DST fold and
/// skipping forward over a DST gap.
fn local(tz: Tz, at: NaiveDateTime) -> DateTime<Utc> {
    tz.from_local_datetime(&at)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(at + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| at.and_utc())
}

fn recurrence(
    rule: &str,
    dtstart: NaiveDateTime,
    tz: Tz,
) -> std::result::Result<rrule::RRuleSet, String> {
    // A window or a freeze comes back daily at most; more often would also make every
    // schedule expand thousands of occurrences.
    let too_often = rule.split(';').any(|part| {
        let part = part.trim().to_ascii_uppercase();
        matches!(
            part.as_str(),
            "FREQ=HOURLY" | "FREQ=MINUTELY" | "FREQ=SECONDLY"
        )
    });
    if too_often {
        return Err(
            "it repeats more often than daily; use DAILY, WEEKLY, MONTHLY or YEARLY".into(),
        );
    }
    let text = format!(
        "DTSTART;TZID={}:{}\nRRULE:{}",
        tz.name(),
        dtstart.format("%Y%m%dT%H%M%S"),
        rule.trim()
    );
    text.parse::<rrule::RRuleSet>().map_err(|e| e.to_string())
}

/// Local start times of a rule's occurrences, from `from` to `to` (UTC), at most 2,000.
fn occurrences(
    rule: &str,
    dtstart: NaiveDateTime,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<NaiveDateTime> {
    let Ok(set) = recurrence(rule, dtstart, tz) else {
        return Vec::new();
    };
    let rtz = rrule::Tz::Tz(tz);
    set.after(from.with_timezone(&rtz))
        .before(to.with_timezone(&rtz))
        .all(2000)
        .dates
        .into_iter()
        .map(|d| d.naive_local())
        .collect()
}

/// Windows and freezes repeat from this date; a weekly rule is anchored on its first day.
fn anchor() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 6).unwrap_or_default()
}

impl Window {
    /// A weekly window from the CLI's `--weekly "sat 22:00" --hours 6 --tz Europe/Berlin`.
    pub fn weekly(name: &str, weekly: &str, hours: f64, tz: &str) -> Result<Window> {
        let mut errors = Vec::new();
        let mut parts = weekly.split_whitespace();
        let (day, at) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let rule = match parse_weekday("weekly", day) {
            Ok(day) => format!("FREQ=WEEKLY;BYDAY={}", byday(day)),
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        if parse_time("weekly", at).is_err() && errors.is_empty() {
            errors.push(FieldError::said(
                "weekly",
                Message::new("field.not_weekly").with("text", weekly),
            ));
        }
        if !(hours > 0.0 && hours <= 168.0) {
            errors.push(FieldError::said("hours", Message::new("field.hours")));
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let window = Window {
            name: name.trim().to_string(),
            rule,
            at: at.to_string(),
            minutes: (hours * 60.0).round() as i64,
            tz: tz.trim().to_string(),
        };
        window.validate()?;
        Ok(window)
    }

    pub fn validate(&self) -> Result<()> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(FieldError::said("name", Message::new("field.required")));
        }
        let tz = parse_tz("tz", &self.tz).map_err(|e| errors.push(e)).ok();
        let at = parse_time("at", &self.at).map_err(|e| errors.push(e)).ok();
        if !(1..=7 * 24 * 60).contains(&self.minutes) {
            errors.push(FieldError::said(
                "minutes",
                Message::new("field.minutes_week"),
            ));
        }
        if let (Some(tz), Some(at)) = (tz, at)
            && let Err(e) = recurrence(&self.rule, anchor().and_time(at), tz)
        {
            errors.push(FieldError::said(
                "rule",
                Message::new("field.not_rrule")
                    .with("text", &self.rule)
                    .with("why", e.to_string())
                    .with("example", "FREQ=WEEKLY;BYDAY=SA"),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errors))
        }
    }

    /// The window's openings that overlap `[from, to)`, in UTC minutes.
    pub fn spans(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Span> {
        self.openings(from, to)
            .into_iter()
            .map(|(_, s)| s)
            .collect()
    }

    /// The openings that overlap `[from, to)`: each one's local start and its span.
    pub fn openings(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(NaiveDateTime, Span)> {
        let (Ok(tz), Ok(at)) = (self.tz.parse::<Tz>(), parse_time("at", &self.at)) else {
            return Vec::new();
        };
        let reach_back = from - Duration::minutes(self.minutes);
        occurrences(&self.rule, anchor().and_time(at), tz, reach_back, to)
            .into_iter()
            .map(|start| {
                let span = Span {
                    start: to_minute(local(tz, start)),
                    // Wall-clock length: "22:00 to 04:00" stays that across a DST change.
                    end: to_minute(local(tz, start + Duration::minutes(self.minutes))),
                };
                (start, span)
            })
            .filter(|(_, s)| s.end > to_minute(from))
            .collect()
    }

    /// "Saturday 22:00, 6 h, Europe/Berlin" and similar, for messages.
    pub fn describe(&self) -> String {
        let hours = self.minutes as f64 / 60.0;
        format!(
            "{} ({} at {} for {hours} h, {})",
            self.name, self.rule, self.at, self.tz
        )
    }
}

impl Freeze {
    pub fn validate(&self) -> Result<()> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(FieldError::said("name", Message::new("field.required")));
        }
        if self.to <= self.from {
            errors.push(FieldError::said("to", Message::new("field.after_from")));
        }
        if let Some(rule) = &self.rule
            && let Err(e) = recurrence(rule, self.from.naive_utc(), Tz::UTC)
        {
            errors.push(FieldError::said(
                "rule",
                Message::new("field.not_rrule")
                    .with("text", rule)
                    .with("why", e.to_string())
                    .with("example", "FREQ=YEARLY"),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errors))
        }
    }

    pub fn spans(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Span> {
        let length = self.to - self.from;
        let starts = match &self.rule {
            None => vec![self.from],
            Some(rule) => {
                let mut starts: Vec<DateTime<Utc>> =
                    occurrences(rule, self.from.naive_utc(), Tz::UTC, from - length, to)
                        .into_iter()
                        .map(|s| s.and_utc())
                        .collect();
                if !starts.contains(&self.from) {
                    starts.push(self.from);
                }
                starts
            }
        };
        starts
            .into_iter()
            .map(|s| Span {
                start: to_minute(s),
                end: to_minute(s + length),
            })
            .filter(|s| s.end > to_minute(from) && s.start < to_minute(to))
            .collect()
    }
}

fn parse_days(text: &str) -> std::result::Result<Vec<Weekday>, FieldError> {
    let mut days = Vec::new();
    for part in text.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (parse_weekday("days", a)?, parse_weekday("days", b)?);
                let mut d = a;
                loop {
                    days.push(d);
                    if d == b {
                        break;
                    }
                    d = d.succ();
                }
            }
            None => days.push(parse_weekday("days", part)?),
        }
    }
    Ok(days)
}

impl ServiceHours {
    pub fn validate(&self) -> Result<()> {
        let mut errors = Vec::new();
        if let Err(e) = parse_days(&self.days) {
            errors.push(e);
        }
        for (field, value) in [("opens", &self.opens), ("closes", &self.closes)] {
            if let Err(e) = parse_time(field, value) {
                errors.push(e);
            }
        }
        if let Err(e) = parse_tz("tz", &self.tz) {
            errors.push(e);
        }
        if self.users < 0 {
            errors.push(FieldError::said(
                "users",
                Message::new("field.not_negative"),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errors))
        }
    }

    /// Minutes of `span` that fall inside business hours.
    pub fn minutes_within(&self, span: Span) -> i64 {
        let (Ok(days), Ok(opens), Ok(closes), Ok(tz)) = (
            parse_days(&self.days),
            parse_time("opens", &self.opens),
            parse_time("closes", &self.closes),
            self.tz.parse::<Tz>(),
        ) else {
            return 0;
        };
        let first = from_minute(span.start).with_timezone(&tz).date_naive() - Duration::days(1);
        let last = from_minute(span.end).with_timezone(&tz).date_naive();
        first
            .iter_days()
            .take_while(|d| *d <= last)
            .filter(|d| days.contains(&d.weekday()))
            .map(|d| {
                let open = Span {
                    start: to_minute(local(tz, d.and_time(opens))),
                    end: to_minute(local(tz, d.and_time(closes))),
                };
                (span.end.min(open.end) - span.start.max(open.start)).max(0)
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn local_times_name_their_zone_and_offset() {
        let at = Utc.with_ymd_and_hms(2026, 12, 12, 21, 0, 0).unwrap();
        assert_eq!(
            local_time(at, "Europe/Berlin"),
            "Sat 12 Dec 2026 22:00 CET (UTC+01:00)"
        );
        assert_eq!(local_time(at, "UTC"), "Sat 12 Dec 2026 21:00 UTC");
        assert_eq!(
            local_span(at, at + Duration::minutes(180), "Asia/Singapore"),
            "Sun 13 Dec 2026 05:00 – 08:00 UTC+08:00"
        );
        assert_eq!(
            local_span(at, at + Duration::minutes(90), "Europe/Berlin"),
            "Sat 12 Dec 2026 22:00 – 23:30 CET (UTC+01:00)"
        );
        assert_eq!(
            local_span(at, at + Duration::minutes(180), "Europe/Berlin"),
            "Sat 12 Dec 2026 22:00 – Sun 13 Dec 2026 01:00 CET (UTC+01:00)"
        );
    }

    #[test]
    fn a_weekly_window_opens_at_local_time_across_daylight_saving() {
        let w = Window::weekly("Sat night", "sat 22:00", 6.0, "Europe/Berlin").unwrap();
        let spans = w.spans(utc("2026-03-20T00:00:00Z"), utc("2026-04-05T00:00:00Z"));
        let starts: Vec<_> = spans.iter().map(|s| from_minute(s.start)).collect();
        // 21 March is still winter time (UTC+1); 28 March is the night clocks go forward.
        assert_eq!(
            starts,
            vec![
                utc("2026-03-21T21:00:00Z"),
                utc("2026-03-28T21:00:00Z"),
                utc("2026-04-04T20:00:00Z")
            ]
        );
        // 22:00 to 04:00 local is only five real hours on the night of the change.
        assert_eq!(spans[1].minutes(), 5 * 60);
        assert_eq!(spans[0].minutes(), 6 * 60);
    }

    #[test]
    fn bad_window_input_names_each_field() {
        let Err(Error::Validation(errors)) = Window::weekly("", "someday 25:00", 0.0, "Mars/Base")
        else {
            panic!("expected a validation error");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["weekly", "hours"]);
        let Err(Error::Validation(errors)) = Window::weekly("", "sat 22:00", 4.0, "Mars/Base")
        else {
            panic!("expected a validation error");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "tz"]);
        assert!(errors[1].message.contains("Europe/Berlin"));
    }

    #[test]
    fn a_yearly_freeze_comes_back_every_year() {
        let f = Freeze {
            name: "Year end".into(),
            from: utc("2025-12-20T00:00:00Z"),
            to: utc("2026-01-03T00:00:00Z"),
            service: None,
            rule: Some("FREQ=YEARLY".into()),
        };
        f.validate().unwrap();
        let spans = f.spans(utc("2026-06-01T00:00:00Z"), utc("2027-06-01T00:00:00Z"));
        assert_eq!(spans.len(), 1);
        assert_eq!(from_minute(spans[0].start), utc("2026-12-20T00:00:00Z"));
        let once = Freeze { rule: None, ..f };
        assert!(
            once.spans(utc("2026-06-01T00:00:00Z"), utc("2027-06-01T00:00:00Z"))
                .is_empty()
        );
    }

    #[test]
    fn business_hours_count_only_working_minutes() {
        let h = ServiceHours {
            service: "shop".into(),
            days: "mon-fri".into(),
            opens: "08:00".into(),
            closes: "18:00".into(),
            tz: "Europe/Berlin".into(),
            users: 100,
        };
        h.validate().unwrap();
        // Friday 16:00-20:00 Berlin (UTC+1): two hours inside.
        let fri = Span {
            start: to_minute(utc("2026-01-16T15:00:00Z")),
            end: to_minute(utc("2026-01-16T19:00:00Z")),
        };
        assert_eq!(h.minutes_within(fri), 120);
        // Saturday: none.
        let sat = Span {
            start: to_minute(utc("2026-01-17T09:00:00Z")),
            end: to_minute(utc("2026-01-17T12:00:00Z")),
        };
        assert_eq!(h.minutes_within(sat), 0);
    }
}
