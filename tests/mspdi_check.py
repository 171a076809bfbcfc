"""Reads a Relman MSPDI file with an independent reader (MPXJ, the library ProjectLibre and
GanttProject use to open Microsoft Project files) and prints what it finds as JSON, for
tests/tests/mspdi.rs: the project's title and every task with its outline level, whether it
is a summary or a milestone, start and finish (local, as written), duration in minutes and
its predecessor links (task UID, type FS/SS/FF, lag in minutes).

Usage: mspdi_check.py FILE.xml
"""

import json
import sys

import mpxj  # noqa: F401  (puts MPXJ's jars on the class path before the JVM starts)
import jpype

jpype.startJVM()

from org.mpxj.mspdi import MSPDIReader  # noqa: E402
from org.mpxj import TimeUnit  # noqa: E402


def minutes(duration):
    if duration is None:
        return None
    converted = duration.convertUnits(TimeUnit.MINUTES, project.getProjectProperties())
    return round(float(converted.getDuration()))


def moment(value):
    return None if value is None else str(value.toString())[:19]


project = MSPDIReader().read(sys.argv[1])
tasks = []
for task in project.getTasks():
    if task.getUniqueID() is None or int(task.getUniqueID()) == 0:
        continue
    links = []
    for relation in task.getPredecessors():
        links.append({
            "uid": int(relation.getPredecessorTask().getUniqueID()),
            "type": str(relation.getType().toString()),
            "lag_minutes": minutes(relation.getLag()),
        })
    tasks.append({
        "uid": int(task.getUniqueID()),
        "name": str(task.getName()),
        "outline_level": int(task.getOutlineLevel()),
        "summary": bool(task.getSummary()),
        "milestone": bool(task.getMilestone()),
        "start": moment(task.getStart()),
        "finish": moment(task.getFinish()),
        "minutes": minutes(task.getDuration()),
        "predecessors": links,
    })
print(json.dumps({
    "title": str(project.getProjectProperties().getProjectTitle()),
    "tasks": tasks,
}, indent=1))
