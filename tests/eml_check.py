"""Reads a Relman notice (.eml) with independent readers (Python's email package, and
icalendar for its calendar part) and prints what they find as JSON, for tests/tests/notices.rs:
the headers a mail program acts on, each part's content type and parameters, the text, and
the calendar part's events (UID, SEQUENCE, start and end in UTC).

Usage: eml_check.py FILE.eml
"""

import json
import sys
from datetime import timezone
from email import policy
from email.parser import BytesParser

import icalendar

with open(sys.argv[1], "rb") as f:
    message = BytesParser(policy=policy.default).parse(f)

parts = []
events = []
for part in message.walk():
    if part.is_multipart():
        continue
    content = part.get_content()
    parts.append({
        "type": part.get_content_type(),
        "params": dict(part.get_params()[1:]),
        "filename": part.get_filename(),
    })
    if part.get_content_type() == "text/calendar":
        calendar = icalendar.Calendar.from_ical(content)
        for event in calendar.walk("VEVENT"):
            events.append({
                "uid": str(event["UID"]),
                "sequence": int(event.get("SEQUENCE", 0)),
                "start": event.decoded("DTSTART").astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end": event.decoded("DTEND").astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            })
        method = str(calendar.get("METHOD"))
    elif part.get_content_type() == "text/plain":
        text = content

print(json.dumps({
    "unsent": message["X-Unsent"],
    "subject": str(message["Subject"]),
    "to": [a.addr_spec for a in message["To"].addresses],
    "language": message["Content-Language"],
    "date": message["Date"],
    "parts": parts,
    "text": text,
    "calendar_method": method if events else None,
    "events": events,
}, indent=1))
