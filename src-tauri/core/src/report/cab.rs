//! The CAB pack: an agenda, then exactly one page per release awaiting authorization. What does
//! not fit a release's page is cut with a pointer to the dossier, never spilled onto the next.

use super::dossier::{home_zone, short_hash, windows, word_of};
use super::gantt;
use super::page::{
    BLACK, BODY, Document, GREEN, GREY, LIGHT, MARGIN, Meta, Page, RED, Rgb, Writer, col,
};
use super::words::{self, Lang, t, tf};
use super::{DocumentOptions, Made, ReleaseFacts};
use crate::testing::{TestKind, TestResult};

/// A cursor down one page that refuses what does not fit above `limit`.
struct OnePage<'a> {
    page: &'a mut Page,
    y: f32,
    limit: f32,
    lang: Lang,
    cut: bool,
}

const LINE: f32 = 12.0;

impl OnePage<'_> {
    fn width(&self) -> f32 {
        self.page.width - 2.0 * MARGIN
    }

    fn fits(&self, h: f32) -> bool {
        !self.cut && self.y + h <= self.limit
    }

    /// Marks the page as cut: from here on only the pointer to the dossier.
    fn cut(&mut self) {
        if !self.cut && self.y + LINE <= self.limit + LINE {
            let w = self.width();
            self.page.text(
                MARGIN,
                self.y + 9.0,
                8.0,
                true,
                GREY,
                t(self.lang, "see_dossier"),
                w,
            );
            self.y += LINE;
        }
        self.cut = true;
    }

    fn heading(&mut self, text: &str) -> bool {
        if !self.fits(LINE * 2.0 + 6.0) {
            self.cut();
            return false;
        }
        let w = self.width();
        self.page
            .text(MARGIN, self.y + 14.0, 10.0, true, BLACK, text, w);
        self.y += 18.0;
        true
    }

    fn line(&mut self, text: &str, color: Rgb, bold: bool) -> bool {
        if !self.fits(LINE) {
            self.cut();
            return false;
        }
        let w = self.width();
        self.page
            .text(MARGIN, self.y + 9.0, BODY, bold, color, text, w);
        self.y += LINE;
        true
    }

    /// Problems one per line, at most `most`, the rest counted; `none` in green when there are none.
    fn list(&mut self, lines: &[String], most: usize, none: &str) {
        if lines.is_empty() {
            self.line(none, GREEN, false);
        }
        for (n, text) in lines.iter().enumerate() {
            if n == most {
                let more = format!("+{} {}", lines.len() - n, t(self.lang, "see_dossier"));
                self.line(&more, GREY, true);
                break;
            }
            if !self.line(text, RED, false) {
                break;
            }
        }
    }

    /// One line per row, at most `most` rows; the rest are counted and pointed to the dossier.
    fn table(&mut self, cols: &[(&str, f32)], rows: &[Vec<String>], most: usize) {
        let w = self.width();
        let total: f32 = cols.iter().map(|c| c.1).sum();
        let widths: Vec<f32> = cols.iter().map(|c| w * c.1 / total).collect();
        if !self.fits(LINE * 2.0) {
            self.cut();
            return;
        }
        self.page.rect(MARGIN, self.y, w, LINE, Some(LIGHT), None);
        let mut x = MARGIN;
        for ((title, _), cw) in cols.iter().zip(&widths) {
            self.page
                .text(x + 2.0, self.y + 9.0, 8.0, true, BLACK, title, cw - 4.0);
            x += cw;
        }
        self.y += LINE;
        for (n, row) in rows.iter().enumerate() {
            if n == most || !self.fits(LINE * 2.0) {
                let more = rows.len() - n;
                let w = self.width();
                self.page.text(
                    MARGIN,
                    self.y + 9.0,
                    8.0,
                    true,
                    GREY,
                    &format!("+{more} {}", t(self.lang, "see_dossier")),
                    w,
                );
                self.y += LINE;
                return;
            }
            let mut x = MARGIN;
            for (cell, cw) in row.iter().zip(&widths) {
                self.page
                    .text(x + 2.0, self.y + 9.0, 8.0, false, BLACK, cell, cw - 4.0);
                x += cw;
            }
            self.page
                .line(MARGIN, self.y + LINE, MARGIN + w, self.y + LINE, LIGHT, 0.3);
            self.y += LINE;
        }
        self.y += 4.0;
    }
}

const DECISION_BOX: f32 = 96.0;

fn decision_box(page: &mut Page, lang: Lang) {
    let w = page.width - 2.0 * MARGIN;
    let y = page.height - MARGIN - super::page::FOOTER - DECISION_BOX;
    page.rect(MARGIN, y, w, DECISION_BOX - 6.0, None, Some(BLACK));
    page.text(
        MARGIN + 8.0,
        y + 16.0,
        10.0,
        true,
        BLACK,
        t(lang, "decision"),
        w - 16.0,
    );
    let mut x = MARGIN + 8.0;
    for key in ["approve", "reject", "defer"] {
        let label = format!("☐ {}", t(lang, key));
        page.text(x, y + 36.0, 11.0, false, BLACK, &label, 110.0);
        x += 120.0;
    }
    let third = (w - 16.0) / 3.0;
    for (i, key) in ["approver", "at", "signature"].iter().enumerate() {
        let lx = MARGIN + 8.0 + i as f32 * third;
        page.line(lx, y + 70.0, lx + third - 12.0, y + 70.0, BLACK, 0.6);
        page.text(lx, y + 80.0, 7.5, false, GREY, t(lang, key), third - 12.0);
    }
}

fn release_page(w: &mut Writer, facts: &ReleaseFacts, lang: Lang) {
    w.new_page(false);
    w.bookmark(&format!("{} {}", facts.release.key, facts.release.title));
    let r = &facts.release;
    let top = w.y;
    let page = w.page();
    let limit = page.height - MARGIN - super::page::FOOTER - DECISION_BOX - 4.0;
    let mut p = OnePage {
        page,
        y: top,
        limit,
        lang,
        cut: false,
    };
    let width = p.width();
    p.page.text(
        MARGIN,
        p.y + 16.0,
        15.0,
        true,
        BLACK,
        &format!("{} — {}", r.key, r.title),
        width,
    );
    p.y += 24.0;
    let summary = format!(
        "{} · {} {} · {} · {} · {}",
        word_of(lang, r.release_type.as_str()),
        t(lang, "risk"),
        r.risk
            .map_or(t(lang, "none").to_string(), |x| word_of(lang, x.as_str())),
        word_of(lang, r.stage.as_str()),
        r.owner.clone().unwrap_or_default(),
        short_hash(&facts.content_hash)
    );
    p.line(&summary, GREY, false);
    for line in windows(facts, lang).into_iter().take(3) {
        p.line(&line, BLACK, false);
    }

    if p.heading(t(lang, "scope")) {
        let rows: Vec<Vec<String>> = facts
            .changes
            .iter()
            .map(|c| {
                vec![
                    c.key.clone(),
                    c.title.clone(),
                    word_of(lang, c.status.as_str()),
                    c.risk.map_or(String::new(), |x| word_of(lang, x.as_str())),
                    c.cis.join(", "),
                ]
            })
            .collect();
        p.table(
            &[
                (t(lang, "key"), 1.0),
                (t(lang, "title"), 3.0),
                (t(lang, "status"), 1.1),
                (t(lang, "risk"), 0.8),
                (t(lang, "cis"), 1.8),
            ],
            &rows,
            8,
        );
    }

    if p.heading(t(lang, "plan")) {
        if let Some(schedule) = &facts.schedule {
            let chart = gantt::chart(schedule, facts.rollback.as_ref(), lang);
            let h = 26.0 + (chart.waves.len() as f32 * 12.0).min(60.0);
            if p.fits(h) {
                let used = gantt::strip(p.page, MARGIN, p.y, width, h, &chart, lang);
                p.y += used + 6.0;
            } else {
                p.cut();
            }
        } else {
            p.line(t(lang, "no_plan"), BLACK, false);
        }
    }

    if p.heading(t(lang, "rollback")) {
        match &facts.rollback {
            Some(plan) => {
                for wave in &plan.waves {
                    let text = format!(
                        "{} {}: {} · {} {} · {} {}",
                        t(lang, "wave"),
                        wave.wave + 1,
                        t(lang, if wave.fits { "fits_yes" } else { "fits_no" }),
                        t(lang, "rollback_takes"),
                        words::duration(lang, wave.rollback_minutes),
                        t(lang, "latest_gonogo"),
                        wave.latest_go_no_go
                            .map_or(t(lang, "none").to_string(), |g| words::datetime(
                                lang, g, &wave.tz
                            ))
                    );
                    if !p.line(&text, if wave.fits { GREEN } else { RED }, false) {
                        break;
                    }
                }
            }
            None => {
                p.line(t(lang, "no_rollback"), BLACK, false);
            }
        }
    }

    if p.heading(t(lang, "evidence_line")) {
        let tv = &facts.testing;
        let counted = tv.runs.iter().filter(|j| j.counts).count();
        let rehearsed = tv.runs.iter().any(|j| {
            j.counts
                && j.run.kind == TestKind::RollbackRehearsal
                && j.run.result == TestResult::Passed
        });
        let pf = &tv.problem_free;
        let text = format!(
            "{counted}/{} {} · {} · {}: {}",
            tv.runs.len(),
            t(lang, "runs"),
            t(
                lang,
                if rehearsed {
                    "rehearsed"
                } else {
                    "not_rehearsed"
                }
            ),
            t(lang, "problem_free"),
            if pf.elapsed {
                t(lang, "elapsed").to_string()
            } else {
                pf.ends.map_or(t(lang, "none").to_string(), |e| {
                    format!(
                        "{} {}",
                        t(lang, "ends"),
                        words::datetime(lang, e, &home_zone(facts))
                    )
                })
            }
        );
        p.line(&text, BLACK, false);
    }

    if p.heading(t(lang, "failing_rules")) {
        let failing: Vec<String> = crate::cab::blocking(facts)
            .iter()
            .map(|r| format!("✗ {}: {}", r.code, super::dossier::rule_text(r, lang).0))
            .collect();
        p.list(&failing, 6, t(lang, "all_rules_ok"));
    }

    if p.heading(t(lang, "conflicts")) {
        let conflicts = facts
            .schedule
            .as_ref()
            .map(|s| s.conflicts.as_slice())
            .unwrap_or_default();
        let lines: Vec<String> = conflicts
            .iter()
            .map(|c| format!("⚠ {}", c.message.render(lang)))
            .collect();
        p.list(&lines, 4, t(lang, "no_conflicts"));
    }
    decision_box(w.page(), lang);
}

pub fn cab_pack(releases: &[ReleaseFacts], options: &DocumentOptions, made: &Made) -> Document {
    let lang = options.lang;
    let zone = releases
        .first()
        .map(home_zone)
        .unwrap_or_else(|| "UTC".into());
    let agenda = |w: &mut Writer, first_release_page: usize| {
        w.new_page(false);
        w.bookmark(t(lang, "agenda"));
        w.paragraph(
            &format!(
                "{} · {}",
                t(lang, "cab_pack"),
                words::datetime(lang, made.at, &zone)
            ),
            16.0,
            true,
            BLACK,
        );
        w.gap(8.0);
        if releases.is_empty() {
            w.paragraph(t(lang, "nothing_awaiting"), BODY, false, BLACK);
            return;
        }
        let rows: Vec<Vec<String>> = releases
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let failing = crate::cab::blocking(f).len();
                vec![
                    f.release.key.clone(),
                    f.release.title.clone(),
                    word_of(lang, f.release.release_type.as_str()),
                    f.release
                        .risk
                        .map_or(String::new(), |x| word_of(lang, x.as_str())),
                    first_window(f, lang),
                    if failing == 0 {
                        format!("{} ({})", t(lang, "authorize"), t(lang, "ready"))
                    } else {
                        format!(
                            "{} ({})",
                            t(lang, "authorize"),
                            tf(lang, "blocked", &[&failing.to_string()])
                        )
                    },
                    (first_release_page + i).to_string(),
                ]
            })
            .collect();
        w.table(
            &[
                col(t(lang, "key"), 1.0),
                col(t(lang, "title"), 2.2),
                col(t(lang, "type"), 0.9),
                col(t(lang, "risk"), 0.8),
                col(t(lang, "window"), 1.9),
                col(t(lang, "decision_needed"), 2.0),
                col(t(lang, "page"), 0.6),
            ],
            &rows,
        );
    };
    // The agenda's length decides the page numbers it lists: count it first.
    let mut probe = Writer::new(options.paper);
    agenda(&mut probe, 1);
    let agenda_pages = probe.pages.len();
    let mut w = Writer::new(options.paper);
    agenda(&mut w, agenda_pages + 1);
    for facts in releases {
        release_page(&mut w, facts, lang);
    }
    let mut pages = std::mem::take(&mut w.pages);
    super::decorate(
        &mut pages,
        t(lang, "cab_pack"),
        &words::datetime(lang, made.at, &zone),
        made,
        &zone,
        lang,
        false,
    );
    Document {
        pages,
        outline: std::mem::take(&mut w.outline),
        meta: Meta {
            title: format!(
                "{} {}",
                t(lang, "cab_pack"),
                words::datetime(lang, made.at, &zone)
            ),
            author: made.by.clone(),
            subject: t(lang, "cab_pack").into(),
            keywords: releases.iter().map(|f| f.release.key.clone()).collect(),
            lang: lang.code().into(),
            created: made.at,
        },
    }
}

fn first_window(f: &ReleaseFacts, lang: Lang) -> String {
    let Some(s) = &f.schedule else {
        return t(lang, "none").into();
    };
    let tz = home_zone(f);
    match (
        s.tasks.iter().filter_map(|t| t.start).min(),
        s.tasks.iter().filter_map(|t| t.end).max(),
    ) {
        (Some(a), Some(b)) => format!(
            "{} – {}",
            words::datetime(lang, a, &tz),
            words::short(lang, b, &tz)
        ),
        _ => t(lang, "none").into(),
    }
}

/// The minutes of a CAB meeting as the pack's decision page: who was present, each decision
/// taken with who took it, when, what it means and over which content; the chair signs.
pub fn minutes(
    minutes: &crate::cab::Minutes,
    zone: &str,
    options: &DocumentOptions,
    made: &Made,
) -> Document {
    let lang = options.lang;
    let m = &minutes.meeting;
    let mut w = Writer::new(options.paper);
    w.new_page(false);
    w.bookmark(t(lang, "minutes"));
    w.paragraph(
        &format!(
            "{} · {}",
            t(lang, "minutes"),
            words::datetime(lang, m.started_at, zone)
        ),
        16.0,
        true,
        BLACK,
    );
    w.gap(6.0);
    w.pairs(&[
        (t(lang, "members_present").into(), m.members.join(", ")),
        (
            t(lang, "meeting_held").into(),
            format!(
                "{} – {}",
                words::datetime(lang, m.started_at, zone),
                m.ended_at
                    .map_or(t(lang, "still_open").to_string(), |e| words::datetime(
                        lang, e, zone
                    ))
            ),
        ),
        (t(lang, "recorded_by").into(), m.started_by.clone()),
    ]);
    w.gap(8.0);
    if minutes.decisions.is_empty() {
        w.paragraph(t(lang, "no_decisions"), BODY, false, BLACK);
    } else {
        let rows: Vec<Vec<String>> = minutes
            .decisions
            .iter()
            .map(|d| {
                let a = &d.approval;
                vec![
                    format!("{} {}", d.key, d.title),
                    t(lang, &format!("decided_{}", a.decision.as_str())).to_string(),
                    a.approver.clone(),
                    words::datetime(lang, a.at, zone),
                    t(lang, &format!("meaning_{}", a.decision.as_str())).to_string(),
                    a.comment.clone(),
                    short_hash(&a.content_hash),
                ]
            })
            .collect();
        w.table(
            &[
                col(t(lang, "release"), 1.8),
                col(t(lang, "decision"), 1.7),
                col(t(lang, "approver"), 1.2),
                col(t(lang, "at"), 1.5),
                col(t(lang, "meaning"), 1.9),
                col(t(lang, "comment"), 1.8),
                col(t(lang, "fingerprint"), 1.6),
            ],
            &rows,
        );
    }
    w.gap(30.0);
    w.ensure(60.0);
    let y = w.y + 30.0;
    let third = (w.width() - 24.0) / 3.0;
    let page = w.page();
    for (i, key) in ["chair", "at", "signature"].iter().enumerate() {
        let x = MARGIN + i as f32 * (third + 12.0);
        page.line(x, y, x + third, y, BLACK, 0.6);
        page.text(x, y + 10.0, 7.5, false, GREY, t(lang, key), third);
    }
    let mut pages = std::mem::take(&mut w.pages);
    let title = format!(
        "{} {}",
        t(lang, "minutes"),
        words::datetime(lang, m.started_at, zone)
    );
    super::decorate(
        &mut pages,
        t(lang, "cab_pack"),
        &title,
        made,
        zone,
        lang,
        false,
    );
    Document {
        pages,
        outline: std::mem::take(&mut w.outline),
        meta: Meta {
            title,
            author: made.by.clone(),
            subject: t(lang, "minutes").into(),
            keywords: minutes.decisions.iter().map(|d| d.key.clone()).collect(),
            lang: lang.code().into(),
            created: made.at,
        },
    }
}
