//! The slot finder: where the whole deployment fits, least user impact first.

use super::*;

/// A place in time where the whole deployment fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Slot {
    #[ts(type = "string")]
    pub start: DateTime<Utc>,
    #[ts(type = "string")]
    pub finish: DateTime<Utc>,
    /// The window opening it starts in.
    pub window: String,
    /// Downtime minutes inside the business hours of the services touched, times their users.
    #[ts(type = "number")]
    pub impact_user_minutes: i64,
    /// Downtime minutes inside business hours.
    #[ts(type = "number")]
    pub business_minutes: i64,
}

/// Candidate starts in the coming `weeks`: each opening of the first wave's window where the
/// whole plan fits without an unplaced task or a conflict, least user impact first.
pub fn find_slots(
    release: &str,
    plan: &Plan,
    calendar: &Calendar,
    others: &[Schedule],
    now: DateTime<Utc>,
    weeks: u32,
) -> Vec<Slot> {
    let Some(first_wave) = plan.waves.first() else {
        return Vec::new();
    };
    let until = now + Duration::weeks(weeks.into());
    let openings: Vec<(String, Span)> = calendar
        .windows
        .iter()
        .filter(|w| {
            first_wave
                .window
                .as_ref()
                .is_none_or(|name| name == &w.name)
        })
        .flat_map(|w| w.spans(now, until).into_iter().map(|s| (w.name.clone(), s)))
        .filter(|(_, s)| s.start >= to_minute(now))
        .collect();
    let first_downtime = plan.tasks.iter().position(|t| t.downtime && t.wave == 0);
    let mut slots: Vec<Slot> = openings
        .into_iter()
        .filter_map(|(name, opening)| {
            let start = from_minute(opening.start);
            let moved = shifted(plan, start);
            let mut all = others.to_vec();
            all.push(lay_out_from(release, &moved, calendar, 0, start));
            add_overlaps(&mut all);
            let candidate = all.pop()?;
            if candidate.unplaced().next().is_some() || !candidate.conflicts.is_empty() {
                return None;
            }
            // A start that slides into a later opening is that opening's candidate.
            if let Some(i) = first_downtime {
                let s = to_minute(candidate.tasks[i].start?);
                if s >= opening.end {
                    return None;
                }
            }
            let (mut impact, mut business) = (0, 0);
            for task in candidate.tasks.iter().filter(|t| t.downtime) {
                let span = Span {
                    start: to_minute(task.start?),
                    end: to_minute(task.end?),
                };
                for hours in calendar
                    .hours
                    .iter()
                    .filter(|h| task.cis.contains(&h.service))
                {
                    let minutes = hours.minutes_within(span);
                    business += minutes;
                    impact += minutes * hours.users;
                }
            }
            Some(Slot {
                start,
                finish: candidate.finish?,
                window: name,
                impact_user_minutes: impact,
                business_minutes: business,
            })
        })
        .collect();
    slots.sort_by_key(|s| (s.impact_user_minutes, s.start));
    slots
}
