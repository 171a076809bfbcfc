//! The release dossier: everything stakeholders need about one release, in the order the
//! issue gives, each section optional.

use std::collections::HashMap;

use super::gantt;
use super::page::{BLACK, BODY, Document, GREEN, GREY, MARGIN, Meta, RED, Writer, col};
use super::words::{self, Lang, t};
use super::{DocumentOptions, Made, ReleaseFacts, Section};
use crate::approval::Decision;
use crate::release::Stage;
use crate::testing::TestKind;

/// Planned, not yet authorized (or never to be): the pages say DRAFT.
pub(crate) fn is_draft(stage: Stage) -> bool {
    stage < Stage::Authorized || stage == Stage::Cancelled
}

/// The zone a release is read in: its first wave's, else UTC.
pub(crate) fn home_zone(facts: &ReleaseFacts) -> String {
    facts
        .schedule
        .as_ref()
        .and_then(|s| s.waves.first())
        .map(|w| w.tz.clone())
        .unwrap_or_else(|| "UTC".into())
}

pub(crate) fn word_of(lang: Lang, key: &str) -> String {
    if super::words::WORDS.iter().any(|(k, _, _)| *k == key) {
        t(lang, key).to_string()
    } else {
        key.replace('_', " ")
    }
}

/// Each wave's window as local time and UTC.
pub(crate) fn windows(facts: &ReleaseFacts, lang: Lang) -> Vec<String> {
    let Some(schedule) = &facts.schedule else {
        return vec![t(lang, "no_plan").to_string()];
    };
    schedule
        .waves
        .iter()
        .enumerate()
        .filter_map(|(i, wave)| {
            let tasks = schedule.tasks.iter().filter(|t| t.wave == i);
            let start = tasks.clone().filter_map(|t| t.start).min()?;
            let end = tasks.filter_map(|t| t.end).max()?;
            Some(format!(
                "{} {} · {}: {} – {} ({}) · {} – {} UTC",
                t(lang, "wave"),
                i + 1,
                wave.name,
                words::datetime(lang, start, &wave.tz),
                words::datetime(lang, end, &wave.tz),
                wave.tz,
                words::datetime(lang, start, "UTC").trim_end_matches(" UTC"),
                words::datetime(lang, end, "UTC").trim_end_matches(" UTC"),
            ))
        })
        .collect()
}

pub fn dossier(facts: &ReleaseFacts, options: &DocumentOptions, made: &Made) -> Document {
    let lang = options.lang;
    let r = &facts.release;
    let tz = home_zone(facts);
    let mut w = Writer::new(options.paper);
    let want = |s: Section| options.sections.contains(&s);
    let heading = |s: Section| t(lang, s.as_str());

    if want(Section::Cover) {
        w.new_page(false);
        w.bookmark(heading(Section::Cover));
        w.gap(40.0);
        w.paragraph(t(lang, "dossier"), 14.0, true, GREY);
        w.gap(6.0);
        w.paragraph(&format!("{} — {}", r.key, r.title), 22.0, true, BLACK);
        w.gap(16.0);
        let mut rows = vec![
            (
                t(lang, "type").to_string(),
                word_of(lang, r.release_type.as_str()),
            ),
            (
                t(lang, "risk").to_string(),
                r.risk
                    .map_or(t(lang, "none").to_string(), |x| word_of(lang, x.as_str())),
            ),
            (
                t(lang, "stage").to_string(),
                word_of(lang, r.stage.as_str()),
            ),
            (
                t(lang, "owner").to_string(),
                r.owner.clone().unwrap_or_else(|| t(lang, "none").into()),
            ),
            (
                t(lang, "requester").to_string(),
                r.requester.clone().unwrap_or_else(|| r.created_by.clone()),
            ),
        ];
        for (i, line) in windows(facts, lang).into_iter().enumerate() {
            rows.push((
                if i == 0 {
                    t(lang, "windows").to_string()
                } else {
                    String::new()
                },
                line,
            ));
        }
        rows.push((
            t(lang, "generated").to_string(),
            format!(
                "{} ({} UTC) {} {} · Relman {}",
                words::datetime(lang, made.at, &tz),
                words::datetime(lang, made.at, "UTC").trim_end_matches(" UTC"),
                t(lang, "generated_by"),
                made.by,
                env!("CARGO_PKG_VERSION")
            ),
        ));
        rows.push((
            t(lang, "data_hash").to_string(),
            short_hash(&facts.content_hash),
        ));
        w.pairs(&rows);
    }

    if want(Section::Scope) {
        w.section(heading(Section::Scope), false);
        if facts.changes.is_empty() {
            w.paragraph(t(lang, "no_changes"), BODY, false, BLACK);
        } else {
            let rows: Vec<Vec<String>> = facts
                .changes
                .iter()
                .map(|c| {
                    let mut trace: Vec<String> = c.incident_refs.clone();
                    trace.extend(c.problem_refs.iter().cloned());
                    trace.push(c.key.clone());
                    vec![
                        c.key.clone(),
                        c.title.clone(),
                        word_of(lang, c.status.as_str()),
                        c.risk.map_or(String::new(), |x| word_of(lang, x.as_str())),
                        c.kind.map_or(String::new(), |k| k.as_str().into()),
                        c.cis.join(", "),
                        trace.join(" → "),
                    ]
                })
                .collect();
            w.table(
                &[
                    col(t(lang, "key"), 1.1),
                    col(t(lang, "title"), 2.6),
                    col(t(lang, "status"), 1.1),
                    col(t(lang, "risk"), 0.8),
                    col(t(lang, "kind"), 1.1),
                    col(t(lang, "cis"), 1.6),
                    col(t(lang, "trace"), 2.0),
                ],
                &rows,
            );
        }
    }

    if want(Section::Package) {
        w.section(heading(Section::Package), false);
        if facts.components.is_empty() {
            w.paragraph(t(lang, "no_components"), BODY, false, BLACK);
        } else {
            let order: HashMap<&str, usize> = facts
                .analysis
                .order
                .iter()
                .enumerate()
                .map(|(i, c)| (c.as_str(), i + 1))
                .collect();
            let mut comps: Vec<_> = facts.components.iter().collect();
            comps.sort_by_key(|c| order.get(c.ci.as_str()).copied().unwrap_or(usize::MAX));
            let rows: Vec<Vec<String>> = comps
                .iter()
                .map(|c| {
                    vec![
                        order
                            .get(c.ci.as_str())
                            .map_or(String::new(), |n| n.to_string()),
                        c.ci.clone(),
                        c.from_version.clone().unwrap_or_default(),
                        c.to_version.clone().unwrap_or_default(),
                        c.requires
                            .iter()
                            .map(|q| format!("{} {}", q.ci, q.requirement))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect();
            w.table(
                &[
                    col(t(lang, "order"), 0.7),
                    col(t(lang, "component"), 2.2),
                    col(t(lang, "from"), 1.0),
                    col(t(lang, "to"), 1.0),
                    col(t(lang, "requires"), 2.6),
                ],
                &rows,
            );
            let r = &facts.release;
            let kind = t(lang, &format!("package_{}", r.package_type));
            let base = r
                .base
                .as_deref()
                .map(|b| format!(" ({} {b})", t(lang, "base")))
                .unwrap_or_default();
            w.paragraph(
                &format!("{}: {kind}{base}", t(lang, "package_type")),
                BODY,
                false,
                BLACK,
            );
            w.subheading(t(lang, "dml"));
            let media: Vec<Vec<String>> = comps
                .iter()
                .map(|c| match &c.dml {
                    Some(dml) => vec![c.ci.clone(), dml.location.clone(), dml.sha256.clone()],
                    None => vec![c.ci.clone(), t(lang, "no_dml").to_string(), String::new()],
                })
                .collect();
            w.table(
                &[
                    col(t(lang, "component"), 1.6),
                    col(t(lang, "location"), 3.0),
                    col(t(lang, "sha256"), 3.0),
                ],
                &media,
            );
            for u in &facts.analysis.unsatisfied {
                w.paragraph(
                    &format!(
                        "✗ {}: {} {} {} — {}",
                        t(lang, "unmet"),
                        u.component,
                        u.requires,
                        u.requirement,
                        u.reason
                    ),
                    BODY,
                    false,
                    RED,
                );
            }
            if let Some(cycle) = &facts.analysis.cycle {
                w.paragraph(
                    &format!("✗ {}: {}", t(lang, "cycle"), cycle.join(" → ")),
                    BODY,
                    false,
                    RED,
                );
            }
        }
    }

    let chart = facts
        .schedule
        .as_ref()
        .map(|s| gantt::chart(s, facts.rollback.as_ref(), lang));
    if want(Section::Plan) {
        w.section(heading(Section::Plan), true);
        match &chart {
            Some(chart) => gantt::pages(&mut w, chart, lang, &format!("{} {}", r.key, r.title)),
            None => w.paragraph(t(lang, "no_plan"), BODY, false, BLACK),
        }
    }

    if want(Section::Runbook) {
        w.section(heading(Section::Runbook), true);
        runbook(&mut w, facts, lang);
    }

    if want(Section::Rollback) {
        w.section(heading(Section::Rollback), false);
        rollback(&mut w, facts, lang);
    }

    if want(Section::Evidence) {
        w.section(heading(Section::Evidence), true);
        evidence(&mut w, facts, lang, &tz);
    }

    if want(Section::Activities) {
        w.section(heading(Section::Activities), false);
        let recorded = |link: &Option<String>| match link {
            Some(l) if !l.trim().is_empty() => format!("{} · {l}", t(lang, "recorded")),
            _ => t(lang, "not_recorded").to_string(),
        };
        let deployed = r.stage >= Stage::EarlyLifeSupport
            && r.stage != Stage::Cancelled
            && r.stage != Stage::RolledBack;
        // The activities after the deployment have no records before #15 adds them.
        let later = t(
            lang,
            if deployed {
                "not_recorded"
            } else {
                "after_deploy"
            },
        );
        let mut rows = vec![
            vec![t(lang, "act_docs_dev").to_string(), recorded(&r.dev_docs)],
            vec![t(lang, "act_docs_ops").to_string(), recorded(&r.ops_docs)],
        ];
        rows.extend(
            [
                "act_cmdb",
                "act_catalogue",
                "act_monitoring",
                "act_contracts",
                "act_training_users",
                "act_training_ops",
                "act_notification",
            ]
            .map(|key| vec![t(lang, key).to_string(), later.to_string()]),
        );
        w.table(
            &[col(t(lang, "activity"), 2.0), col(t(lang, "status"), 3.0)],
            &rows,
        );
    }

    if want(Section::Rules) {
        w.section(heading(Section::Rules), false);
        let c = &facts.checklist;
        match c.next {
            Some(next) => w.paragraph(
                &format!(
                    "{}: {} → {}",
                    t(lang, "next_move"),
                    word_of(lang, c.stage.as_str()),
                    word_of(lang, next.as_str())
                ),
                10.0,
                true,
                BLACK,
            ),
            None => w.paragraph(t(lang, "no_next"), 10.0, false, BLACK),
        }
        w.gap(4.0);
        let rows: Vec<Vec<String>> = c
            .rules
            .iter()
            .map(|x| {
                let (message, remedy) = rule_text(x, lang);
                vec![
                    x.code.clone(),
                    t(lang, if x.ok { "ok" } else { "failing" }).to_string(),
                    message,
                    if x.ok { String::new() } else { remedy },
                ]
            })
            .collect();
        w.table(
            &[
                col(t(lang, "rule"), 1.6),
                col(t(lang, "status"), 0.9),
                col(t(lang, "meaning"), 3.0),
                col(t(lang, "remedy"), 2.4),
            ],
            &rows,
        );
    }

    if want(Section::Signoff) {
        w.section(heading(Section::Signoff), false);
        signoff(&mut w, facts, lang, &tz);
    }

    if w.pages.is_empty() {
        w.new_page(false);
    }
    let mut pages = std::mem::take(&mut w.pages);
    let left = format!("{} — {}", r.key, r.title);
    let right = format!(
        "{} · {}",
        t(lang, "dossier"),
        word_of(lang, r.stage.as_str())
    );
    super::decorate(
        &mut pages,
        &left,
        &right,
        made,
        &tz,
        lang,
        is_draft(r.stage),
    );
    Document {
        pages,
        outline: std::mem::take(&mut w.outline),
        meta: Meta {
            title: format!("{} {} — {}", t(lang, "dossier"), r.key, r.title),
            author: made.by.clone(),
            subject: format!("{} {}", t(lang, "dossier"), r.key),
            keywords: {
                let mut k = vec![r.key.clone(), "release".into(), "ITIL".into()];
                k.extend(facts.changes.iter().map(|c| c.key.clone()));
                k
            },
            lang: lang.code().into(),
            created: made.at,
        },
    }
}

pub(crate) fn short_hash(hash: &str) -> String {
    hash.chars().take(12).collect()
}

fn runbook(w: &mut Writer, facts: &ReleaseFacts, lang: Lang) {
    let Some(schedule) = &facts.schedule else {
        w.paragraph(t(lang, "no_plan"), BODY, false, BLACK);
        return;
    };
    let mut tasks: Vec<_> = schedule.tasks.iter().collect();
    tasks.sort_by_key(|t| (t.wave, t.start.is_none(), t.start));
    let step: HashMap<&str, usize> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.key.as_str(), i + 1))
        .collect();
    let mut preds: HashMap<&str, Vec<usize>> = HashMap::new();
    for d in &schedule.deps {
        if let Some(n) = step.get(d.from.as_str()) {
            preds.entry(d.to.as_str()).or_default().push(*n);
        }
    }
    for (wi, wave) in schedule.waves.iter().enumerate() {
        w.subheading(&format!(
            "{} {} · {} · {} {}",
            t(lang, "wave"),
            wi + 1,
            wave.name,
            t(lang, "times_in"),
            wave.tz
        ));
        let rows: Vec<Vec<String>> = tasks
            .iter()
            .filter(|t| t.wave == wi)
            .map(|task| {
                let tz = wave.tz.as_str();
                let mut p = preds.get(task.key.as_str()).cloned().unwrap_or_default();
                p.sort_unstable();
                vec![
                    step[task.key.as_str()].to_string(),
                    format!("{} ({})", task.name, task.key),
                    task.team.clone().unwrap_or_default(),
                    task.start.map_or_else(
                        || {
                            task.unplaced
                                .as_ref()
                                .map(|m| m.render(lang))
                                .unwrap_or_default()
                        },
                        |s| words::short(lang, s, tz),
                    ),
                    task.end
                        .map_or(String::new(), |e| words::short(lang, e, tz)),
                    match (task.start, task.end) {
                        (Some(s), Some(e)) => {
                            let day = if lang == Lang::De {
                                "%d.%m. %H:%M"
                            } else {
                                "%m-%d %H:%M"
                            };
                            format!("{}–{}", s.format(day), e.format("%H:%M"))
                        }
                        _ => String::new(),
                    },
                    words::duration(lang, task.minutes),
                    p.iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    t(lang, if task.downtime { "yes" } else { "no" }).to_string(),
                    "☐".into(),
                ]
            })
            .collect();
        w.table_sized(
            &[
                col(t(lang, "step"), 0.5),
                col(t(lang, "task"), 3.0),
                col(t(lang, "team"), 1.1),
                col(t(lang, "start"), 1.2),
                col(t(lang, "end"), 1.2),
                col(t(lang, "utc"), 1.3),
                col(t(lang, "duration"), 0.9),
                col(t(lang, "after"), 0.9),
                col(t(lang, "downtime"), 0.9),
                col(t(lang, "done"), 0.6),
            ],
            &rows,
            8.0,
        );
    }
}

fn rollback(w: &mut Writer, facts: &ReleaseFacts, lang: Lang) {
    let (Some(plan), Some(schedule)) = (&facts.rollback, &facts.schedule) else {
        w.paragraph(t(lang, "no_rollback"), BODY, false, BLACK);
        return;
    };
    let name = |key: &str| {
        schedule
            .task(key)
            .map_or(key.to_string(), |t| t.name.clone())
    };
    for wave in &plan.waves {
        let tz = wave.tz.as_str();
        let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
            at.map_or(t(lang, "none").to_string(), |a| {
                words::datetime(lang, a, tz)
            })
        };
        w.subheading(&format!(
            "{} {} · {}",
            t(lang, "wave"),
            wave.wave + 1,
            wave.name
        ));
        w.pairs(&[
            (
                t(lang, "pnr").to_string(),
                match &wave.point_of_no_return {
                    Some(k) => format!("{} — {}", name(k), when(wave.point_of_no_return_at)),
                    None => t(lang, "none").into(),
                },
            ),
            (
                t(lang, "latest_gonogo").to_string(),
                when(wave.latest_go_no_go),
            ),
            (t(lang, "window_closes").to_string(), when(wave.window_end)),
            (
                t(lang, "rollback_takes").to_string(),
                words::duration(lang, wave.rollback_minutes),
            ),
            (
                t(lang, "fits").to_string(),
                t(lang, if wave.fits { "fits_yes" } else { "fits_no" }).into(),
            ),
        ]);
        if !wave.uncovered.is_empty() {
            w.paragraph(
                &format!(
                    "✗ {}: {}",
                    t(lang, "uncovered"),
                    wave.uncovered
                        .iter()
                        .map(|k| name(k))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                BODY,
                false,
                RED,
            );
        }
        let rows: Vec<Vec<String>> = plan
            .steps
            .iter()
            .filter(|s| s.wave == wave.wave)
            .enumerate()
            .map(|(i, s)| {
                vec![
                    (i + 1).to_string(),
                    s.name.clone(),
                    name(&s.undoes),
                    s.team.clone().unwrap_or_default(),
                    s.start.map_or(String::new(), |a| words::short(lang, a, tz)),
                    s.end.map_or(String::new(), |a| words::short(lang, a, tz)),
                    words::duration(lang, s.minutes),
                ]
            })
            .collect();
        if !rows.is_empty() {
            w.table(
                &[
                    col(t(lang, "step"), 0.5),
                    col(t(lang, "task"), 2.6),
                    col(t(lang, "undoes"), 2.0),
                    col(t(lang, "team"), 1.0),
                    col(t(lang, "start"), 1.2),
                    col(t(lang, "end"), 1.2),
                    col(t(lang, "duration"), 0.9),
                ],
                &rows,
            );
        }
    }
}

fn evidence(w: &mut Writer, facts: &ReleaseFacts, lang: Lang, tz: &str) {
    let tv = &facts.testing;
    w.subheading(t(lang, "environments"));
    let rows: Vec<Vec<String>> = facts
        .environments
        .iter()
        .map(|e| {
            vec![
                e.env.name.clone(),
                e.env.purpose.clone(),
                e.env
                    .lineage
                    .as_ref()
                    .map_or(t(lang, "none").to_string(), |l| {
                        format!(
                            "{} {} · {}",
                            l.kind.as_str(),
                            l.ci,
                            words::datetime(lang, l.at, tz)
                        )
                    }),
                e.drift
                    .iter()
                    .map(|d| {
                        format!(
                            "{} {} ≠ {}",
                            d.ci,
                            d.installed.clone().unwrap_or_default(),
                            d.expected.clone().unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                crate::message::lines(e.warnings.clone()).render(lang),
            ]
        })
        .collect();
    if rows.is_empty() {
        w.paragraph(t(lang, "none"), BODY, false, BLACK);
    } else {
        w.table(
            &[
                col(t(lang, "environments"), 1.3),
                col(t(lang, "kind"), 0.9),
                col(t(lang, "lineage"), 2.2),
                col("Drift", 2.0),
                col("⚠", 2.2),
            ],
            &rows,
        );
    }
    w.subheading(t(lang, "runs"));
    if tv.runs.is_empty() {
        w.paragraph(t(lang, "no_runs"), BODY, false, BLACK);
    } else {
        let rows: Vec<Vec<String>> = tv
            .runs
            .iter()
            .map(|j| {
                vec![
                    format!("#{}", j.run.id),
                    j.run.env.clone(),
                    j.run.kind.as_str().replace('_', " "),
                    j.run.result.as_str().into(),
                    format!(
                        "{} – {}",
                        words::short(lang, j.run.from, tz),
                        words::short(lang, j.run.to, tz)
                    ),
                    if j.counts {
                        format!("✓ {}", t(lang, "yes"))
                    } else {
                        format!("✗ {}", t(lang, "no"))
                    },
                    crate::message::lines(j.why_not.clone()).render(lang),
                ]
            })
            .collect();
        w.table(
            &[
                col("#", 0.5),
                col(t(lang, "environments"), 1.2),
                col(t(lang, "kind"), 1.3),
                col(t(lang, "result"), 0.9),
                col(t(lang, "from"), 2.2),
                col(t(lang, "counts"), 0.8),
                col(t(lang, "why_not"), 3.0),
            ],
            &rows,
        );
    }
    let defects: Vec<Vec<String>> = tv
        .runs
        .iter()
        .flat_map(|j| j.run.defects.iter().map(move |d| (j, d)))
        .map(|(j, d)| {
            vec![
                d.id.clone(),
                d.severity.as_str().into(),
                format!("#{}", j.run.id),
                words::datetime(lang, d.opened_at, tz),
                d.closed_at.map_or(t(lang, "open").to_string(), |c| {
                    words::datetime(lang, c, tz)
                }),
            ]
        })
        .collect();
    if !defects.is_empty() {
        w.subheading(t(lang, "defects"));
        w.table(
            &[
                col("ID", 1.2),
                col(t(lang, "severity"), 1.0),
                col(t(lang, "runs"), 0.8),
                col(t(lang, "opened"), 1.8),
                col(t(lang, "closed"), 1.8),
            ],
            &defects,
        );
    }
    w.subheading(t(lang, "rehearsal"));
    let rehearsed = tv.runs.iter().any(|j| {
        j.counts
            && j.run.kind == TestKind::RollbackRehearsal
            && j.run.result == crate::testing::TestResult::Passed
    });
    let rule = tv
        .rules
        .iter()
        .find(|r| r.code == "TEST-ROLLBACK-REHEARSED");
    w.paragraph(
        &format!(
            "{} {}",
            t(
                lang,
                if rehearsed {
                    "rehearsed"
                } else {
                    "not_rehearsed"
                }
            ),
            rule.map_or(String::new(), |r| format!("— {}", r.message.render(lang)))
        ),
        BODY,
        false,
        if rehearsed { GREEN } else { RED },
    );
    w.subheading(t(lang, "problem_free"));
    let pf = &tv.problem_free;
    let state = if pf.elapsed {
        t(lang, "elapsed").to_string()
    } else {
        pf.ends.map_or(String::new(), |e| {
            format!("{} {}", t(lang, "ends"), words::datetime(lang, e, tz))
        })
    };
    w.paragraph(
        &format!(
            "{} {} · {} · {}",
            pf.days,
            t(lang, "days"),
            pf.since_what
                .as_ref()
                .map(|m| m.render(lang))
                .unwrap_or_default(),
            state
        ),
        BODY,
        false,
        BLACK,
    );
    if !pf.open_defects.is_empty() {
        w.paragraph(
            &format!("✗ {}: {}", t(lang, "open"), pf.open_defects.join(", ")),
            BODY,
            false,
            RED,
        );
    }
}

fn signoff(w: &mut Writer, facts: &ReleaseFacts, lang: Lang, tz: &str) {
    let meaning = |d: Decision, stored: &str| match lang {
        Lang::En if !stored.is_empty() => stored.to_string(),
        _ => t(lang, &format!("meaning_{}", d.as_str())).to_string(),
    };
    if facts.approvals.is_empty() {
        w.paragraph(t(lang, "no_decisions"), BODY, false, BLACK);
    } else {
        let rows: Vec<Vec<String>> = facts
            .approvals
            .iter()
            .map(|a| {
                vec![
                    a.approver.clone(),
                    a.role.as_str().replace('_', " "),
                    word_of(lang, a.decision.as_str()),
                    words::datetime(lang, a.at, tz),
                    meaning(a.decision, &a.meaning),
                    if a.changed_since.is_empty() {
                        t(lang, "valid_yes").to_string()
                    } else {
                        format!(
                            "{} {}",
                            t(lang, "valid_no"),
                            crate::message::lines(a.changed_since.clone()).render(lang)
                        )
                    },
                    if a.comment.is_empty() {
                        String::new()
                    } else {
                        a.comment.clone()
                    },
                ]
            })
            .collect();
        w.table(
            &[
                col(t(lang, "approver"), 1.3),
                col(t(lang, "role"), 1.0),
                col(t(lang, "decision"), 0.9),
                col(t(lang, "at"), 1.4),
                col(t(lang, "meaning"), 2.0),
                col(t(lang, "valid"), 1.6),
                col(t(lang, "comment"), 1.3),
            ],
            &rows,
        );
    }
    let authorized = facts
        .approvals
        .iter()
        .any(|a| a.decision == Decision::Approve && a.changed_since.is_empty());
    if !authorized {
        w.subheading(t(lang, "sign_open"));
        let width = w.width();
        for _ in 0..2 {
            w.ensure(60.0);
            let y = w.y + 40.0;
            let page = w.page();
            let third = width / 3.0;
            for (i, label) in [t(lang, "approver"), t(lang, "at"), t(lang, "signature")]
                .iter()
                .enumerate()
            {
                let x = MARGIN + i as f32 * third;
                page.line(x, y, x + third - 14.0, y, BLACK, 0.6);
                page.text(x, y + 10.0, 7.5, false, GREY, label, third - 14.0);
            }
            w.y = y + 20.0;
        }
        w.paragraph(
            &format!("{}: {}", t(lang, "meaning"), t(lang, "meaning_approve")),
            8.0,
            false,
            GREY,
        );
    }
}

/// A rule's verdict and remedy in `lang`, with the particulars (names, versions, times).
pub(crate) fn rule_text(rule: &crate::rules::RuleResult, lang: Lang) -> (String, String) {
    (
        rule.message.render(lang),
        rule.remedy
            .as_ref()
            .map(|r| r.render(lang))
            .unwrap_or_default(),
    )
}
