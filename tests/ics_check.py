"""Reads a Relman .ics with an independent parser (Python's icalendar and
recurring-ical-events) and prints what it finds as JSON, for tests/tests/calendar_feed.rs:

- every occurrence between FROM and TO (recurrences expanded), each with its UID, status,
  sequence, summary, and start and end as UTC instants;
- for every VTIMEZONE, the instants at which the zone it defines disagrees with the IANA
  database (zoneinfo) over the years of the range: the list should be empty.

Usage: ics_check.py FILE.ics FROM TO   (dates, YYYY-MM-DD)
"""

import json
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events


def utc(value):
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def zone_mismatches(calendar, first_year, last_year):
    found = []
    for component in calendar.walk("VTIMEZONE"):
        name = str(component["TZID"])
        defined = component.to_tz(lookup_tzid=False)
        iana = ZoneInfo(name)
        at = datetime(first_year, 1, 1, tzinfo=timezone.utc)
        end = datetime(last_year + 1, 1, 1, tzinfo=timezone.utc)
        while at < end:
            if at.astimezone(defined).utcoffset() != at.astimezone(iana).utcoffset():
                found.append(f"{name} at {utc(at)}")
            at += timedelta(minutes=30)
    # The first few say enough; a wrong zone would otherwise list every half hour of a year.
    return found[:5] + ([f"... and {len(found) - 5} more"] if len(found) > 5 else [])


def main():
    path, first, last = sys.argv[1], date.fromisoformat(sys.argv[2]), date.fromisoformat(sys.argv[3])
    with open(path, "rb") as f:
        raw = f.read()
    calendar = icalendar.Calendar.from_ical(raw)
    occurrences = []
    for event in recurring_ical_events.of(calendar).between(first, last + timedelta(days=1)):
        occurrences.append(
            {
                "uid": str(event["UID"]),
                "summary": str(event["SUMMARY"]),
                "status": str(event.get("STATUS", "")),
                "sequence": int(event.get("SEQUENCE", 0)),
                "start": utc(event["DTSTART"].dt),
                "end": utc(event["DTEND"].dt),
                "tzid": event["DTSTART"].params.get("TZID"),
            }
        )
    occurrences.sort(key=lambda o: (o["start"], o["uid"]))
    print(
        json.dumps(
            {
                "method": str(calendar.get("METHOD", "")),
                "vevents": len(calendar.walk("VEVENT")),
                "timezones": [str(c["TZID"]) for c in calendar.walk("VTIMEZONE")],
                "occurrences": occurrences,
                "zone_mismatches": zone_mismatches(calendar, first.year, last.year),
            }
        )
    )


main()
