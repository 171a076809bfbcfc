//! The one font of every document, DejaVu Sans (regular and bold), and the width of a text in
//! it. printpdf 0.12 cannot measure text, so the layout reads the glyph advances itself.

use std::sync::OnceLock;

pub fn regular_bytes() -> &'static [u8] {
    dejavu::sans::regular()
}

pub fn bold_bytes() -> &'static [u8] {
    dejavu::sans::bold()
}

/// Advance widths in font units for the characters a document uses most, looked up once.
struct Metrics {
    units_per_em: f32,
    face: ttf_parser::Face<'static>,
    latin: Vec<u16>,
}

impl Metrics {
    fn new(bytes: &'static [u8]) -> Metrics {
        let face = ttf_parser::Face::parse(bytes, 0).expect("DejaVu Sans parses");
        let latin = (0u32..0x250)
            .map(|c| char::from_u32(c).map_or(0, |c| advance(&face, c)))
            .collect();
        Metrics {
            units_per_em: f32::from(face.units_per_em()),
            face,
            latin,
        }
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                self.latin
                    .get(c as usize)
                    .copied()
                    .unwrap_or_else(|| advance(&self.face, c)) as u32
            })
            .sum();
        units as f32 * size / self.units_per_em
    }
}

fn advance(face: &ttf_parser::Face, c: char) -> u16 {
    let glyph = face
        .glyph_index(c)
        .or_else(|| face.glyph_index('?'))
        .unwrap_or_default();
    face.glyph_hor_advance(glyph).unwrap_or(0)
}

fn metrics(bold: bool) -> &'static Metrics {
    static REGULAR: OnceLock<Metrics> = OnceLock::new();
    static BOLD: OnceLock<Metrics> = OnceLock::new();
    if bold {
        BOLD.get_or_init(|| Metrics::new(bold_bytes()))
    } else {
        REGULAR.get_or_init(|| Metrics::new(regular_bytes()))
    }
}

/// Width in points of `text` at `size` points.
pub fn width(text: &str, size: f32, bold: bool) -> f32 {
    metrics(bold).width(text, size)
}

/// Whether the font has a glyph for `c` (anything else prints as '?').
pub fn has_glyph(c: char) -> bool {
    metrics(false).face.glyph_index(c).is_some()
}

/// Breaks `text` into lines no wider than `max` points: at spaces where it can, inside a word
/// only when the word alone is wider than the line. Explicit newlines are kept.
pub fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate, size, bold) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if width(word, size, bold) <= max {
                line = word.to_string();
            } else {
                for c in word.chars() {
                    let mut next = line.clone();
                    next.push(c);
                    if width(&next, size, bold) > max && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = next;
                    }
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// `text` cut to fit `max` points, ending in "…" when it was cut.
pub fn fit(text: &str, size: f32, bold: bool, max: f32) -> String {
    if width(text, size, bold) <= max {
        return text.to_string();
    }
    let ellipsis = width("…", size, bold);
    let mut out = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = width(c.encode_utf8(&mut [0; 4]), size, bold);
        if used + w + ellipsis > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let text =
            "Deploy payroll-service 4.2 to the Frankfurt cluster after the database migration";
        let lines = wrap(text, 9.0, false, 120.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| width(l, 9.0, false) <= 120.0));
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_inside() {
        let word = "x".repeat(200);
        let lines = wrap(&word, 9.0, false, 50.0);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| width(l, 9.0, false) <= 50.0));
        assert_eq!(lines.concat(), word);
    }

    #[test]
    fn cut_text_fits_and_says_so() {
        let cut = fit("Ölpreisänderung für Überweisungen", 10.0, true, 60.0);
        assert!(cut.ends_with('…'));
        assert!(width(&cut, 10.0, true) <= 60.0);
        assert_eq!(fit("ok", 10.0, false, 60.0), "ok");
    }

    #[test]
    fn the_symbols_the_documents_use_are_in_the_font() {
        for c in "äöüÄÖÜß€✓✗⚠◆●☐→".chars() {
            assert!(has_glyph(c), "{c} is missing");
        }
    }
}
