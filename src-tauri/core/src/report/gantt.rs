//! The plan as a Gantt chart on paper: an overview of the whole plan on one page, then tiles
//! at a fixed time scale, each repeating the task column, the time axis and the legend. Periods
//! where nothing happens are cut out (and marked), so no tile is blank.

use chrono::{DateTime, Offset, TimeZone, Timelike, Utc};

use super::font;
use super::page::{self, BLACK, GREY, Item, LIGHT, MARGIN, Page, RED, RULE, Rgb, Writer};
use super::words::{Lang, t, zone};
use crate::plan::{RollbackPlan, Schedule};

/// Minutes since the epoch.
type Min = i64;

fn min(at: DateTime<Utc>) -> Min {
    at.timestamp().div_euclid(60)
}

fn at(m: Min) -> DateTime<Utc> {
    Utc.timestamp_opt(m * 60, 0).single().unwrap_or_default()
}

#[derive(Debug, Clone)]
pub struct Bar {
    pub start: Min,
    pub end: Min,
    pub critical: bool,
    pub baseline: Option<(Min, Min)>,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub label: String,
    pub bars: Vec<Bar>,
}

#[derive(Debug, Clone)]
pub struct Shade {
    pub start: Min,
    pub end: Min,
    pub freeze: bool,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Marker {
    pub at: Min,
    pub pnr: bool,
    pub label: String,
}

/// A stretch of time shown on a tile, starting at `x` points into the chart area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    pub start: Min,
    pub end: Min,
    pub x: f32,
}

/// What one plan gives to its charts.
pub struct Chart {
    pub tasks: Vec<Row>,
    pub waves: Vec<Row>,
    pub shades: Vec<Shade>,
    pub markers: Vec<Marker>,
    pub tz: String,
    pub unplaced: Vec<String>,
}

pub fn chart(schedule: &Schedule, rollback: Option<&RollbackPlan>, lang: Lang) -> Chart {
    let mut placed: Vec<_> = schedule
        .tasks
        .iter()
        .filter(|t| t.start.is_some() && t.end.is_some())
        .collect();
    placed.sort_by_key(|t| (t.wave, t.start));
    let tasks: Vec<Row> = placed
        .iter()
        .enumerate()
        .map(|(i, task)| Row {
            label: format!("{} {}", i + 1, task.name),
            bars: vec![Bar {
                start: min(task.start.expect("placed")),
                end: min(task.end.expect("placed")),
                critical: task.critical,
                baseline: task
                    .baseline_start
                    .zip(task.baseline_end)
                    .map(|(s, e)| (min(s), min(e))),
            }],
        })
        .collect();
    let waves = schedule
        .waves
        .iter()
        .enumerate()
        .filter_map(|(w, wave)| {
            let mine: Vec<_> = placed.iter().filter(|t| t.wave == w).collect();
            let start = mine.iter().filter_map(|t| t.start).min()?;
            let end = mine.iter().filter_map(|t| t.end).max()?;
            Some(Row {
                label: format!(
                    "{} {} · {} ({})",
                    t(lang, "wave"),
                    w + 1,
                    wave.name,
                    mine.len()
                ),
                bars: vec![Bar {
                    start: min(start),
                    end: min(end),
                    critical: mine.iter().any(|t| t.critical),
                    baseline: None,
                }],
            })
        })
        .collect();
    let mut shades: Vec<Shade> = schedule
        .windows
        .iter()
        .map(|b| Shade {
            start: min(b.start),
            end: min(b.end),
            freeze: false,
            name: b.name.clone(),
        })
        .collect();
    shades.extend(schedule.freezes.iter().map(|b| Shade {
        start: min(b.start),
        end: min(b.end),
        freeze: true,
        name: b.name.clone(),
    }));
    let mut markers = Vec::new();
    for wave in rollback.map(|r| r.waves.as_slice()).unwrap_or_default() {
        if let Some(g) = wave.latest_go_no_go {
            markers.push(Marker {
                at: min(g),
                pnr: false,
                label: format!("{} {}", t(lang, "legend_gonogo"), wave.wave + 1),
            });
        }
        if let Some(p) = wave.point_of_no_return_at {
            markers.push(Marker {
                at: min(p),
                pnr: true,
                label: format!("PNR {}", wave.wave + 1),
            });
        }
    }
    Chart {
        tasks,
        waves,
        shades,
        markers,
        tz: schedule
            .waves
            .first()
            .map(|w| w.tz.clone())
            .unwrap_or_else(|| "UTC".into()),
        unplaced: schedule
            .unplaced()
            .map(|t| {
                let why = t.unplaced.as_ref().map(|m| m.render(lang));
                format!("{}: {}", t.name, why.unwrap_or_default())
            })
            .collect(),
    }
}

/// The busy stretches of `rows`, with gaps longer than `max_gap` cut out and `pad` around each.
pub fn busy(rows: &[Row], pad: Min, max_gap: Min) -> Vec<(Min, Min)> {
    let mut spans: Vec<(Min, Min)> = rows
        .iter()
        .flat_map(|r| r.bars.iter().map(|b| (b.start, b.end.max(b.start))))
        .collect();
    spans.sort();
    let mut out: Vec<(Min, Min)> = Vec::new();
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s - last.1 <= max_gap => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out.into_iter().map(|(s, e)| (s - pad, e + pad)).collect()
}

/// Space left between two cut-apart stretches.
const BREAK: f32 = 14.0;

/// The stretches cut into tiles of `width` points at `scale` points per minute.
pub fn tiles(spans: &[(Min, Min)], scale: f32, width: f32) -> Vec<Vec<Piece>> {
    let mut tiles: Vec<Vec<Piece>> = Vec::new();
    let mut current: Vec<Piece> = Vec::new();
    let mut used = 0.0f32;
    for &(mut s, e) in spans {
        if !current.is_empty() {
            used += BREAK;
        }
        while s < e {
            let room = width - used;
            let fits = (room / scale).floor() as Min;
            if fits < 15 {
                tiles.push(std::mem::take(&mut current));
                used = 0.0;
                continue;
            }
            let end = e.min(s + fits);
            current.push(Piece {
                start: s,
                end,
                x: used,
            });
            used += (end - s) as f32 * scale;
            s = end;
        }
    }
    if !current.is_empty() {
        tiles.push(current);
    }
    tiles
}

const ROW: f32 = 13.0;
const AXIS: f32 = 26.0;
const LEGEND: f32 = 18.0;
const BAR: Rgb = Rgb(0x4a, 0x7f, 0xc1);
const CRIT: Rgb = Rgb(0xd9, 0x6a, 0x4f);
const WINDOW: Rgb = Rgb(0xdf, 0xf1, 0xe2);
const FREEZE: Rgb = Rgb(0xf7, 0xdc, 0xdc);

fn x_of(pieces: &[Piece], scale: f32, m: Min) -> Option<f32> {
    pieces
        .iter()
        .find(|p| m >= p.start && m <= p.end)
        .map(|p| p.x + (m - p.start) as f32 * scale)
}

/// Draws rows over pieces in the box at (x, y) of `w` points; the task column is `label_w`.
#[allow(clippy::too_many_arguments)]
pub fn draw(
    page: &mut Page,
    x: f32,
    y: f32,
    w: f32,
    label_w: f32,
    rows: &[Row],
    chart: &Chart,
    pieces: &[Piece],
    scale: f32,
    row_h: f32,
    lang: Lang,
) {
    let cx = x + label_w;
    let rows_y = y + AXIS;
    let rows_h = rows.len() as f32 * row_h;
    let tz = zone(&chart.tz);
    // Shades behind everything, labelled at their top.
    for shade in &chart.shades {
        for p in pieces {
            let (s, e) = (shade.start.max(p.start), shade.end.min(p.end));
            if s >= e {
                continue;
            }
            let x0 = cx + p.x + (s - p.start) as f32 * scale;
            let x1 = cx + p.x + (e - p.start) as f32 * scale;
            page.rect(
                x0,
                rows_y,
                x1 - x0,
                rows_h,
                Some(if shade.freeze { FREEZE } else { WINDOW }),
                None,
            );
            if x1 - x0 > 30.0 {
                let word = if shade.freeze {
                    t(lang, "legend_freeze")
                } else {
                    t(lang, "legend_window")
                };
                page.text(
                    x0 + 2.0,
                    rows_y + rows_h - 2.0,
                    6.0,
                    false,
                    GREY,
                    &format!("{word}: {}", shade.name),
                    x1 - x0 - 4.0,
                );
            }
        }
    }
    // Row lines and the task column.
    for (i, row) in rows.iter().enumerate() {
        let ry = rows_y + i as f32 * row_h;
        page.text(
            x + 2.0,
            ry + row_h * 0.72,
            (row_h * 0.58).min(8.0),
            false,
            BLACK,
            &row.label,
            label_w - 6.0,
        );
        page.line(x, ry + row_h, x + w, ry + row_h, LIGHT, 0.3);
    }
    page.line(cx, y, cx, rows_y + rows_h, RULE, 0.6);
    // The axis: one tick row of hours, one of dates.
    let step = [60, 120, 180, 360, 720, 1440, 2880, 10080, 20160, 43200]
        .into_iter()
        .find(|s| *s as f32 * scale >= 34.0)
        .unwrap_or(43200 * 2);
    for (n, p) in pieces.iter().enumerate() {
        let px = cx + p.x;
        let pw = (p.end - p.start) as f32 * scale;
        let local_start = at(p.start).with_timezone(&tz);
        page.text(
            px + 1.0,
            y + 9.0,
            7.0,
            true,
            BLACK,
            &super::words::short(lang, at(p.start), &chart.tz),
            // The label starts a point into the piece, so a point less is left at the edge.
            pw.max(60.0).min(w - (px + 1.0 - x)),
        );
        let offset = local_start.offset().fix().local_minus_utc() as Min / 60;
        let mut tick = (p.start + offset).div_euclid(step) * step + step - offset;
        while tick < p.end {
            let tx = px + (tick - p.start) as f32 * scale;
            let local = at(tick).with_timezone(&tz);
            let label = if step >= 1440 {
                super::words::short(lang, at(tick), &chart.tz)
                    .split(' ')
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
            } else if local.hour() == 0 && local.minute() == 0 {
                local
                    .format(if lang == Lang::De { "%d.%m." } else { "%-d %b" })
                    .to_string()
            } else {
                local.format("%H:%M").to_string()
            };
            page.line(tx, y + 13.0, tx, y + AXIS, RULE, 0.4);
            page.line(tx, rows_y, tx, rows_y + rows_h, LIGHT, 0.3);
            if tx + 26.0 <= x + w {
                page.text(
                    tx + 1.5,
                    y + 22.0,
                    6.5,
                    false,
                    GREY,
                    &label,
                    (step as f32 * scale - 3.0).min(x + w - tx - 2.0),
                );
            }
            tick += step;
        }
        if n > 0 {
            // A break: the time between two pieces is left out.
            let bx = px - BREAK / 2.0;
            page.line(bx - 2.0, y, bx - 2.0, rows_y + rows_h, GREY, 0.8);
            page.line(bx + 2.0, y, bx + 2.0, rows_y + rows_h, GREY, 0.8);
            let gap = p.start - pieces[n - 1].end;
            if gap > 0 {
                page.items.push(Item::Text {
                    x: bx + 3.0,
                    y: rows_y + 4.0,
                    size: 6.0,
                    bold: false,
                    color: GREY,
                    text: format!(
                        "+{} {}",
                        super::words::duration(lang, gap),
                        t(lang, "later")
                    ),
                    limit: rows_h.max(1.0),
                    angle: -90.0,
                });
            }
        }
    }
    page.line(x, rows_y, x + w, rows_y, RULE, 0.6);
    // Bars.
    let bar_h = (row_h * 0.6).max(2.0);
    for (i, row) in rows.iter().enumerate() {
        let ry = rows_y + i as f32 * row_h + (row_h - bar_h) / 2.0
            - if row.bars.iter().any(|b| b.baseline.is_some()) {
                1.0
            } else {
                0.0
            };
        for bar in &row.bars {
            if let Some((bs, be)) = bar.baseline {
                for p in pieces {
                    let (s, e) = (bs.max(p.start), be.min(p.end));
                    if s < e {
                        let x0 = cx + p.x + (s - p.start) as f32 * scale;
                        page.rect(
                            x0,
                            ry + bar_h + 0.8,
                            (e - s) as f32 * scale,
                            1.6,
                            Some(GREY),
                            None,
                        );
                    }
                }
            }
            if bar.end == bar.start {
                if let Some(mx) = x_of(pieces, scale, bar.start) {
                    page.items.push(Item::Diamond {
                        x: cx + mx,
                        y: ry + bar_h / 2.0,
                        r: bar_h / 2.0 + 1.0,
                        fill: BLACK,
                    });
                }
                continue;
            }
            for p in pieces {
                let (s, e) = (bar.start.max(p.start), bar.end.min(p.end));
                if s >= e {
                    continue;
                }
                let x0 = cx + p.x + (s - p.start) as f32 * scale;
                let bw = ((e - s) as f32 * scale).max(1.0);
                if bar.critical {
                    page.rect(x0, ry, bw, bar_h, Some(CRIT), Some(BLACK));
                } else {
                    page.rect(x0, ry, bw, bar_h, Some(BAR), None);
                }
            }
        }
    }
    // Go/no-go and point of no return.
    for marker in &chart.markers {
        if let Some(mx) = x_of(pieces, scale, marker.at) {
            let mx = cx + mx;
            if marker.pnr {
                page.line(mx, rows_y, mx, rows_y + rows_h, RED, 1.2);
            } else {
                page.dashed(mx, rows_y, mx, rows_y + rows_h, BLACK, 1.0);
            }
            page.text(
                mx + 2.0,
                rows_y + 7.0,
                6.0,
                true,
                if marker.pnr { RED } else { BLACK },
                &marker.label,
                (x + w - mx - 3.0).max(1.0),
            );
        }
    }
}

fn legend(page: &mut Page, x: f32, y: f32, w: f32, lang: Lang) {
    let mut cx = x;
    let items: [(&str, u8); 7] = [
        ("legend_task", 0),
        ("legend_critical", 1),
        ("legend_baseline", 2),
        ("legend_milestone", 3),
        ("legend_window", 4),
        ("legend_freeze", 5),
        ("legend_gonogo", 6),
    ];
    for (key, kind) in items.into_iter().chain([("legend_pnr", 7)]) {
        let label = t(lang, key);
        let need = 16.0 + font::width(label, 7.0, false) + 10.0;
        if cx + need > x + w {
            break;
        }
        match kind {
            0 => page.rect(cx, y - 6.0, 12.0, 6.0, Some(BAR), None),
            1 => page.rect(cx, y - 6.0, 12.0, 6.0, Some(CRIT), Some(BLACK)),
            2 => page.rect(cx, y - 3.0, 12.0, 1.6, Some(GREY), None),
            3 => page.items.push(Item::Diamond {
                x: cx + 6.0,
                y: y - 3.0,
                r: 3.5,
                fill: BLACK,
            }),
            4 => page.rect(cx, y - 7.0, 12.0, 8.0, Some(WINDOW), Some(RULE)),
            5 => page.rect(cx, y - 7.0, 12.0, 8.0, Some(FREEZE), Some(RULE)),
            6 => page.dashed(cx + 6.0, y - 8.0, cx + 6.0, y + 1.0, BLACK, 1.0),
            _ => page.line(cx + 6.0, y - 8.0, cx + 6.0, y + 1.0, RED, 1.2),
        }
        page.text(cx + 16.0, y, 7.0, false, BLACK, label, need - 16.0);
        cx += need;
    }
}

const LABEL_W: f32 = 170.0;
/// The fixed scale of the tiles: an hour is 36 points, so a quarter-hour task is still 9.
pub const TILE_SCALE: f32 = 36.0 / 60.0;

/// The overview page and the tiles, each on its own landscape page.
pub fn pages(w: &mut Writer, chart: &Chart, lang: Lang, title: &str) {
    if chart.tasks.is_empty() {
        w.paragraph(t(lang, "no_plan"), page::BODY, false, BLACK);
        return;
    }
    // The overview: every task when they fit, else one bar per wave.
    let width = w.width();
    let top = w.y;
    let avail = w.page().height - MARGIN - page::FOOTER - top - AXIS - LEGEND - 10.0;
    let rows = if chart.tasks.len() as f32 * 9.0 <= avail {
        &chart.tasks
    } else {
        &chart.waves
    };
    let row_h = (avail / rows.len().max(1) as f32).clamp(6.0, ROW);
    let spans = busy(rows, 30, 12 * 60);
    let total: Min = spans.iter().map(|(s, e)| e - s).sum();
    let chart_w = width - LABEL_W;
    let scale = (chart_w - BREAK * spans.len().saturating_sub(1) as f32) / total.max(1) as f32;
    let overview = tiles(&spans, scale, chart_w + 1.0)
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    let name = format!("{} — {}", t(lang, "overview"), title);
    w.page().text(
        MARGIN,
        top + 9.0,
        9.0,
        true,
        GREY,
        &format!("{name} · {} {}", t(lang, "times_in"), chart.tz),
        width,
    );
    draw(
        w.page(),
        MARGIN,
        top + 14.0,
        width,
        LABEL_W,
        rows,
        chart,
        &overview,
        scale,
        row_h,
        lang,
    );
    let y = top + 14.0 + AXIS + rows.len() as f32 * row_h + 14.0;
    legend(w.page(), MARGIN, y, width, lang);
    if !chart.unplaced.is_empty() {
        w.y = y + 8.0;
        w.paragraph(
            &format!("{}: {}", t(lang, "unplaced"), chart.unplaced.join("; ")),
            8.0,
            false,
            RED,
        );
    }

    // The tiles: rows in chunks that fit a page, each chunk's own busy time at the fixed scale.
    let per_page =
        ((w.page().height - 2.0 * MARGIN - page::HEADER - page::FOOTER - 20.0 - AXIS - LEGEND)
            / ROW)
            .floor() as usize;
    let mut all = Vec::new();
    for (chunk_no, chunk) in chart.tasks.chunks(per_page.max(1)).enumerate() {
        let spans = busy(chunk, 15, 60);
        for pieces in tiles(&spans, TILE_SCALE, chart_w) {
            all.push((chunk_no, chunk, pieces));
        }
    }
    let count = all.len();
    for (n, (chunk_no, chunk, pieces)) in all.into_iter().enumerate() {
        w.new_page(true);
        let top = w.y;
        let first = chunk_no * per_page + 1;
        let span = format!(
            "{} – {}",
            super::words::short(lang, at(pieces[0].start), &chart.tz),
            super::words::short(lang, at(pieces[pieces.len() - 1].end), &chart.tz)
        );
        let heading = format!(
            "{} {}/{} · {} {}–{} · {span} · {} {}",
            t(lang, "tile"),
            n + 1,
            count,
            t(lang, "tasks"),
            first,
            first + chunk.len() - 1,
            t(lang, "times_in"),
            chart.tz
        );
        w.page()
            .text(MARGIN, top + 9.0, 9.0, true, GREY, &heading, width);
        draw(
            w.page(),
            MARGIN,
            top + 14.0,
            width,
            LABEL_W,
            chunk,
            chart,
            &pieces,
            TILE_SCALE,
            ROW,
            lang,
        );
        let y = top + 14.0 + AXIS + chunk.len() as f32 * ROW + 14.0;
        legend(w.page(), MARGIN, y, width, lang);
    }
}

/// The compact strip of the CAB pack: one bar per wave, in a box of `h` points.
pub fn strip(page: &mut Page, x: f32, y: f32, w: f32, h: f32, chart: &Chart, lang: Lang) -> f32 {
    let rows = &chart.waves;
    if rows.is_empty() {
        return 0.0;
    }
    let row_h = ((h - AXIS) / rows.len() as f32).clamp(5.0, ROW);
    let spans = busy(rows, 30, 12 * 60);
    let total: Min = spans.iter().map(|(s, e)| e - s).sum();
    let label_w = 130.0;
    let scale = (w - label_w - BREAK * spans.len().saturating_sub(1) as f32) / total.max(1) as f32;
    let pieces: Vec<Piece> = tiles(&spans, scale, w - label_w + 1.0)
        .into_iter()
        .flatten()
        .collect();
    draw(
        page, x, y, w, label_w, rows, chart, &pieces, scale, row_h, lang,
    );
    AXIS + rows.len() as f32 * row_h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_idle_periods_are_cut_and_tiles_are_never_blank() {
        let row = |s: Min, e: Min| Row {
            label: "t".into(),
            bars: vec![Bar {
                start: s,
                end: e,
                critical: false,
                baseline: None,
            }],
        };
        // Two busy evenings a week apart.
        let rows = vec![row(0, 120), row(120, 300), row(7 * 1440, 7 * 1440 + 200)];
        let spans = busy(&rows, 15, 60);
        assert_eq!(spans, vec![(-15, 315), (7 * 1440 - 15, 7 * 1440 + 215)]);
        let tiles = tiles(&spans, TILE_SCALE, 300.0);
        for tile in &tiles {
            let covered = tile.iter().any(|p| {
                rows.iter()
                    .any(|r| r.bars[0].start < p.end && r.bars[0].end > p.start)
            });
            assert!(covered, "blank tile {tile:?}");
            assert!(
                tile.last()
                    .map(|p| p.x + (p.end - p.start) as f32 * TILE_SCALE)
                    .unwrap()
                    <= 300.0
            );
        }
        let shown: Min = tiles.iter().flatten().map(|p| p.end - p.start).sum();
        assert_eq!(shown, 330 + 230, "every busy minute on exactly one tile");
    }
}
