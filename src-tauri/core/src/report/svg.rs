//! A page as SVG, for the preview in the window: the same items the PDF is drawn from.

use std::fmt::Write;

use super::page::{Item, Page, Rgb};

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Text from the data is escaped: a title like `<script>` shows as written, never as markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn page(page: &Page) -> String {
    let mut s = String::with_capacity(page.items.len() * 80);
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.1} {h:.1}" width="{w:.1}" height="{h:.1}" font-family="DejaVu Sans, sans-serif"><rect width="100%" height="100%" fill="#fff"/>"##,
        w = page.width,
        h = page.height
    );
    for item in &page.items {
        let _ = match item {
            Item::Text {
                x,
                y,
                size,
                bold,
                color,
                text,
                angle,
                ..
            } => {
                let rotate = if *angle == 0.0 {
                    String::new()
                } else {
                    format!(r#" transform="rotate({} {x:.1} {y:.1})""#, -angle)
                };
                write!(
                    s,
                    r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" fill="{}"{}{rotate} xml:space="preserve">{}</text>"#,
                    hex(*color),
                    if *bold { r#" font-weight="bold""# } else { "" },
                    escape(text)
                )
            }
            Item::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => write!(
                s,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{}" stroke="{}" stroke-width="0.6"/>"#,
                fill.map_or("none".into(), hex),
                stroke.map_or("none".into(), hex)
            ),
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                color,
                width,
                dashed,
            } => write!(
                s,
                r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{}" stroke-width="{width}"{}/>"#,
                hex(*color),
                if *dashed {
                    r#" stroke-dasharray="3 2""#
                } else {
                    ""
                }
            ),
            Item::Diamond { x, y, r, fill } => write!(
                s,
                r#"<polygon points="{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}" fill="{}"/>"#,
                y - r,
                x + r,
                y + r,
                x - r,
                hex(*fill)
            ),
        };
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_the_data_is_inert() {
        let mut p = Page {
            width: 100.0,
            height: 100.0,
            items: vec![],
        };
        p.text(
            0.0,
            10.0,
            9.0,
            false,
            Rgb(0, 0, 0),
            "<script>alert(1)</script> & \u{202e}x",
            1000.0,
        );
        let svg = page(&p);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"));
    }
}
