//! Pages as positioned text, rectangles and lines (points, origin top left, y down), and the
//! writer that flows headings, paragraphs and tables onto them. The PDF and the preview are
//! both drawn from these pages, so what the window shows is what prints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::font;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

pub const BLACK: Rgb = Rgb(0x1b, 0x1f, 0x24);
pub const GREY: Rgb = Rgb(0x5b, 0x63, 0x6e);
pub const LIGHT: Rgb = Rgb(0xe8, 0xeb, 0xef);
pub const RULE: Rgb = Rgb(0xc4, 0xca, 0xd2);
pub const ACCENT: Rgb = Rgb(0x1f, 0x5f, 0xa8);
pub const RED: Rgb = Rgb(0xb4, 0x23, 0x18);
pub const GREEN: Rgb = Rgb(0x1e, 0x7b, 0x34);

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `y` is the baseline; `limit` the width the text was laid out into (it never exceeds it).
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: String,
        limit: f32,
        /// Degrees, counter-clockwise (the watermark).
        angle: f32,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<Rgb>,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        color: Rgb,
        width: f32,
        dashed: bool,
    },
    /// A milestone: a diamond centred on (x, y).
    Diamond { x: f32, y: f32, r: f32, fill: Rgb },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
}

// The drawing primitives take position, style and width flat: every call site reads like the
// page it draws, which a style struct per call would hide.
#[allow(clippy::too_many_arguments)]
impl Page {
    pub fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: &str,
        limit: f32,
    ) {
        let text = font::fit(text, size, bold, limit);
        self.items.push(Item::Text {
            x,
            y,
            size,
            bold,
            color,
            text,
            limit,
            angle: 0.0,
        });
    }

    /// Text ending at `right`.
    pub fn text_right(
        &mut self,
        right: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: &str,
        limit: f32,
    ) {
        let text = font::fit(text, size, bold, limit);
        let w = font::width(&text, size, bold);
        self.items.push(Item::Text {
            x: right - w,
            y,
            size,
            bold,
            color,
            text,
            limit: w,
            angle: 0.0,
        });
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Option<Rgb>, stroke: Option<Rgb>) {
        self.items.push(Item::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        });
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, color: Rgb, width: f32) {
        self.items.push(Item::Line {
            x1,
            y1,
            x2,
            y2,
            color,
            width,
            dashed: false,
        });
    }

    pub fn dashed(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, color: Rgb, width: f32) {
        self.items.push(Item::Line {
            x1,
            y1,
            x2,
            y2,
            color,
            width,
            dashed: true,
        });
    }

    /// Every text on the page, in order (for tests and the outline of a preview).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter_map(|i| match i {
            Item::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, Default)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    /// Width and height in points, portrait.
    pub fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

impl std::str::FromStr for Paper {
    type Err = String;
    fn from_str(s: &str) -> Result<Paper, String> {
        match s {
            "a4" => Ok(Paper::A4),
            "letter" => Ok(Paper::Letter),
            _ => Err(format!("'{s}' is not one of a4, letter")),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bookmark {
    pub title: String,
    /// 0-based.
    pub page: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    /// BCP 47, "en" or "de".
    pub lang: String,
    pub created: DateTime<Utc>,
}

/// A laid-out document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub pages: Vec<Page>,
    pub outline: Vec<Bookmark>,
    pub meta: Meta,
}

pub const MARGIN: f32 = 40.0;
/// Space kept at the top and bottom of each page for the running header and footer.
pub const HEADER: f32 = 26.0;
pub const FOOTER: f32 = 26.0;

/// A column of a table: its title, its share of the width, and whether it is right-aligned.
pub struct Col<'a> {
    pub title: &'a str,
    pub share: f32,
    pub right: bool,
}

pub const fn col(title: &str, share: f32) -> Col<'_> {
    Col {
        title,
        share,
        right: false,
    }
}

/// Flows content down pages, starting a new page when the next block does not fit.
pub struct Writer {
    pub pages: Vec<Page>,
    pub outline: Vec<Bookmark>,
    paper: Paper,
    pub y: f32,
}

pub const BODY: f32 = 9.0;

impl Writer {
    pub fn new(paper: Paper) -> Writer {
        Writer {
            pages: Vec::new(),
            outline: Vec::new(),
            paper,
            y: 0.0,
        }
    }

    pub fn new_page(&mut self, landscape: bool) {
        let (w, h) = self.paper.size();
        let (width, height) = if landscape { (h, w) } else { (w, h) };
        self.pages.push(Page {
            width,
            height,
            items: Vec::new(),
        });
        self.y = MARGIN + HEADER;
    }

    pub fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.new_page(false);
        }
        self.pages.last_mut().expect("a page")
    }

    pub fn width(&mut self) -> f32 {
        self.page().width - 2.0 * MARGIN
    }

    fn bottom(&mut self) -> f32 {
        self.page().height - MARGIN - FOOTER
    }

    pub fn landscape(&mut self) -> bool {
        let p = self.page();
        p.width > p.height
    }

    /// Room for `h` more points on this page, else a new page of the same orientation.
    pub fn ensure(&mut self, h: f32) {
        if self.y + h > self.bottom() {
            let landscape = self.landscape();
            self.new_page(landscape);
        }
    }

    pub fn bookmark(&mut self, title: &str) {
        let page = self.pages.len().saturating_sub(1);
        self.outline.push(Bookmark {
            title: title.to_string(),
            page,
        });
    }

    /// A section heading on a new page (of the given orientation), with its bookmark.
    pub fn section(&mut self, title: &str, landscape: bool) {
        self.new_page(landscape);
        self.bookmark(title);
        let w = self.width();
        let y = self.y + 16.0;
        let page = self.page();
        page.text(MARGIN, y, 16.0, true, ACCENT, title, w);
        page.line(MARGIN, y + 6.0, MARGIN + w, y + 6.0, ACCENT, 1.0);
        self.y = y + 20.0;
    }

    pub fn subheading(&mut self, title: &str) {
        self.ensure(40.0);
        let w = self.width();
        let y = self.y + 14.0;
        self.page().text(MARGIN, y, 11.0, true, BLACK, title, w);
        self.y = y + 8.0;
    }

    pub fn paragraph(&mut self, text: &str, size: f32, bold: bool, color: Rgb) {
        let w = self.width();
        for line in font::wrap(text, size, bold, w) {
            self.ensure(size * 1.4);
            let y = self.y + size;
            self.page().text(MARGIN, y, size, bold, color, &line, w);
            self.y += size * 1.4;
        }
    }

    pub fn gap(&mut self, h: f32) {
        self.y += h;
    }

    /// Label and value pairs in two columns.
    pub fn pairs(&mut self, rows: &[(String, String)]) {
        let w = self.width();
        let label_w = (w * 0.28).min(150.0);
        for (label, value) in rows {
            let lines = font::wrap(value, BODY + 1.0, false, w - label_w);
            let h = lines.len() as f32 * 14.0;
            self.ensure(h);
            let y = self.y + 11.0;
            let page = self.page();
            page.text(MARGIN, y, BODY, true, GREY, label, label_w - 6.0);
            for (i, line) in lines.iter().enumerate() {
                page.text(
                    MARGIN + label_w,
                    y + i as f32 * 14.0,
                    BODY + 1.0,
                    false,
                    BLACK,
                    line,
                    w - label_w,
                );
            }
            self.y += h.max(14.0);
        }
    }

    /// A table whose rows never split; the header repeats on every page it continues on.
    pub fn table(&mut self, cols: &[Col], rows: &[Vec<String>]) {
        self.table_sized(cols, rows, BODY);
    }

    pub fn table_sized(&mut self, cols: &[Col], rows: &[Vec<String>], size: f32) {
        let w = self.width();
        let total: f32 = cols.iter().map(|c| c.share).sum();
        let widths: Vec<f32> = cols.iter().map(|c| w * c.share / total).collect();
        let line_h = size * 1.3;
        let pad = 3.0;
        let header_h = header_height(cols, &widths, size);
        self.ensure(header_h + line_h + 2.0 * pad);
        self.table_header(cols, &widths, size, header_h);
        for (n, row) in rows.iter().enumerate() {
            let inner: Vec<f32> = widths.iter().map(|w| w - 2.0 * pad).collect();
            let mut cells: Vec<Vec<String>> = row
                .iter()
                .zip(&inner)
                .map(|(text, w)| font::wrap(text, size, false, *w))
                .collect();
            let room = self.bottom() - (MARGIN + HEADER) - header_h - 2.0 * pad;
            let most = ((room / line_h).floor() as usize).max(1);
            for (cell, w) in cells.iter_mut().zip(&inner) {
                if cell.len() > most {
                    cell.truncate(most);
                    let last = cell.pop().unwrap_or_default();
                    cell.push(font::fit(&format!("{last}…"), size, false, *w));
                }
            }
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = lines as f32 * line_h + 2.0 * pad;
            if self.y + h > self.bottom() {
                let landscape = self.landscape();
                self.new_page(landscape);
                self.table_header(cols, &widths, size, header_h);
            }
            let y0 = self.y;
            let page = self.pages.last_mut().expect("a page");
            if n % 2 == 1 {
                page.rect(MARGIN, y0, w, h, Some(Rgb(0xf6, 0xf7, 0xf9)), None);
            }
            let mut x = MARGIN;
            for ((cell, cw), c) in cells.iter().zip(&widths).zip(cols) {
                for (i, line) in cell.iter().enumerate() {
                    let y = y0 + pad + size + i as f32 * line_h;
                    if c.right {
                        page.text_right(x + cw - pad, y, size, false, BLACK, line, cw - 2.0 * pad);
                    } else {
                        page.text(x + pad, y, size, false, BLACK, line, cw - 2.0 * pad);
                    }
                }
                x += cw;
            }
            page.line(MARGIN, y0 + h, MARGIN + w, y0 + h, LIGHT, 0.5);
            self.y += h;
        }
        self.y += 8.0;
    }

    fn table_header(&mut self, cols: &[Col], widths: &[f32], size: f32, h: f32) {
        let w: f32 = widths.iter().sum();
        let y0 = self.y;
        let page = self.page();
        page.rect(MARGIN, y0, w, h, Some(LIGHT), None);
        let mut x = MARGIN;
        for (c, cw) in cols.iter().zip(widths) {
            for (i, line) in font::wrap(c.title, size, true, cw - 6.0).iter().enumerate() {
                let y = y0 + 3.0 + size + i as f32 * size * 1.3;
                if c.right {
                    page.text_right(x + cw - 3.0, y, size, true, BLACK, line, cw - 6.0);
                } else {
                    page.text(x + 3.0, y, size, true, BLACK, line, cw - 6.0);
                }
            }
            x += cw;
        }
        self.y += h;
    }
}

/// The height of a table's header row: titles wrap rather than being cut.
fn header_height(cols: &[Col], widths: &[f32], size: f32) -> f32 {
    let lines = cols
        .iter()
        .zip(widths)
        .map(|(c, w)| font::wrap(c.title, size, true, w - 6.0).len())
        .max()
        .unwrap_or(1);
    lines as f32 * size * 1.3 + 6.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_table_continues_on_new_pages_with_its_header() {
        let mut w = Writer::new(Paper::A4);
        w.new_page(false);
        let rows: Vec<Vec<String>> = (0..200)
            .map(|i| vec![format!("T{i}"), "x".repeat(i % 90)])
            .collect();
        w.table(&[col("Key", 1.0), col("Text", 3.0)], &rows);
        assert!(w.pages.len() > 3);
        for page in &w.pages {
            assert_eq!(
                page.texts().next(),
                Some("Key"),
                "every page starts with the header"
            );
            for item in &page.items {
                if let Item::Text {
                    x,
                    y,
                    size,
                    bold,
                    text,
                    limit,
                    ..
                } = item
                {
                    assert!(font::width(text, *size, *bold) <= *limit + 0.01, "{text}");
                    assert!(*x >= MARGIN - 0.01 && x + limit <= page.width - MARGIN + 0.01);
                    assert!(*y <= page.height - MARGIN - FOOTER);
                }
            }
        }
        let all: Vec<&str> = w.pages.iter().flat_map(|p| p.texts()).collect();
        assert!((0..200).all(|i| all.contains(&format!("T{i}").as_str())));
    }

    #[test]
    fn a_row_taller_than_a_page_is_cut_not_spilled() {
        let mut w = Writer::new(Paper::Letter);
        w.new_page(false);
        w.table(&[col("Note", 1.0)], &[vec!["word ".repeat(5000)]]);
        assert_eq!(w.pages.len(), 1);
        assert!(w.pages[0].texts().last().unwrap().ends_with('…'));
    }
}
