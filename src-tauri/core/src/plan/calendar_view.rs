//! Every release on one timeline, with windows and freezes.

use super::*;

/// One release on the release calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CalendarRow {
    pub key: String,
    pub title: String,
    pub stage: crate::release::Stage,
    /// From the scheduled plan, else the release's planned dates.
    #[ts(type = "string")]
    pub start: DateTime<Utc>,
    #[ts(type = "string")]
    pub end: DateTime<Utc>,
    /// True when the dates come from a scheduled plan.
    pub scheduled: bool,
    pub conflicts: Vec<Conflict>,
}

/// Every release on one timeline, with the windows and freezes around them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CalendarView {
    pub rows: Vec<CalendarRow>,
    pub windows: Vec<Band>,
    pub freezes: Vec<Band>,
}

/// Window openings and freezes between `from` and `to`, as bands.
pub fn bands(
    calendar: &Calendar,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> (Vec<Band>, Vec<Band>) {
    let band = |name: &str, span: Span, service: Option<String>| Band {
        name: name.to_string(),
        start: from_minute(span.start),
        end: from_minute(span.end),
        service,
    };
    let windows = calendar
        .windows
        .iter()
        .flat_map(|w| {
            w.spans(from, to)
                .into_iter()
                .map(|s| band(&w.name, s, None))
        })
        .collect();
    let freezes = calendar
        .freezes
        .iter()
        .flat_map(|f| {
            f.spans(from, to)
                .into_iter()
                .map(|s| band(&f.name, s, f.service.clone()))
        })
        .collect();
    (windows, freezes)
}
