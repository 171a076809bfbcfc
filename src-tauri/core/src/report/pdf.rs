//! A laid-out document into PDF bytes with printpdf: DejaVu Sans embedded and subset, the
//! outline, the document information and the document language.

use std::sync::OnceLock;

use printpdf::{
    Color, FontId, Line, LineDashPattern, LinePoint, Op, PaintMode, ParsedFont, PdfDocument,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rect, TextItem,
    TextMatrix, WindingOrder,
};

use super::font;
use super::page::{Document, Item, Page, Rgb};

fn parsed(bold: bool) -> &'static ParsedFont {
    static REGULAR: OnceLock<ParsedFont> = OnceLock::new();
    static BOLD: OnceLock<ParsedFont> = OnceLock::new();
    let (cell, bytes) = if bold {
        (&BOLD, font::bold_bytes())
    } else {
        (&REGULAR, font::regular_bytes())
    };
    cell.get_or_init(|| {
        ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).expect("DejaVu Sans parses")
    })
}

fn color(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: f32::from(c.0) / 255.0,
        g: f32::from(c.1) / 255.0,
        b: f32::from(c.2) / 255.0,
        icc_profile: None,
    })
}

fn point(x: f32, y: f32, height: f32) -> LinePoint {
    LinePoint {
        p: Point {
            x: Pt(x),
            y: Pt(height - y),
        },
        bezier: false,
    }
}

fn page_ops(page: &Page, regular: &FontId, bold: &FontId) -> Vec<Op> {
    let h = page.height;
    let mut ops = Vec::with_capacity(page.items.len() * 4);
    for item in &page.items {
        match item {
            Item::Rect {
                x,
                y,
                w,
                h: rh,
                fill,
                stroke,
            } => {
                let mode = match (fill, stroke) {
                    (Some(_), Some(_)) => PaintMode::FillStroke,
                    (Some(_), None) => PaintMode::Fill,
                    _ => PaintMode::Stroke,
                };
                if let Some(f) = fill {
                    ops.push(Op::SetFillColor { col: color(*f) });
                }
                if let Some(s) = stroke {
                    ops.push(Op::SetOutlineColor { col: color(*s) });
                    ops.push(Op::SetOutlineThickness { pt: Pt(0.6) });
                }
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(*x),
                        y: Pt(h - y - rh),
                        width: Pt(*w),
                        height: Pt(*rh),
                        mode: Some(mode),
                        winding_order: Some(WindingOrder::NonZero),
                    },
                });
            }
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                color: c,
                width,
                dashed,
            } => {
                ops.push(Op::SetOutlineColor { col: color(*c) });
                ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                let dash = if *dashed {
                    LineDashPattern::new(0.0, &[3.0, 2.0])
                } else {
                    LineDashPattern::solid()
                };
                ops.push(Op::SetLineDashPattern { dash });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![point(*x1, *y1, h), point(*x2, *y2, h)],
                        is_closed: false,
                    },
                });
                if *dashed {
                    ops.push(Op::SetLineDashPattern {
                        dash: LineDashPattern::solid(),
                    });
                }
            }
            Item::Diamond { x, y, r, fill } => {
                ops.push(Op::SetFillColor { col: color(*fill) });
                ops.push(Op::DrawPolygon {
                    polygon: Polygon {
                        rings: vec![PolygonRing {
                            points: vec![
                                point(*x, y - r, h),
                                point(x + r, *y, h),
                                point(*x, y + r, h),
                                point(x - r, *y, h),
                            ],
                        }],
                        mode: PaintMode::Fill,
                        winding_order: WindingOrder::NonZero,
                    },
                });
            }
            Item::Text {
                x,
                y,
                size,
                bold: b,
                color: c,
                text,
                angle,
                ..
            } => {
                let font = if *b { bold } else { regular };
                ops.push(Op::StartTextSection);
                ops.push(Op::SetFillColor { col: color(*c) });
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(font.clone()),
                    size: Pt(*size),
                });
                let matrix = if *angle == 0.0 {
                    TextMatrix::Translate(Pt(*x), Pt(h - y))
                } else {
                    TextMatrix::TranslateRotate(Pt(*x), Pt(h - y), *angle)
                };
                ops.push(Op::SetTextMatrix { matrix });
                ops.push(Op::ShowText {
                    items: vec![TextItem::Text(text.clone())],
                });
                ops.push(Op::EndTextSection);
            }
        }
    }
    ops
}

fn pdf_date(at: chrono::DateTime<chrono::Utc>) -> printpdf::OffsetDateTime {
    printpdf::OffsetDateTime::from_unix_timestamp(at.timestamp()).expect("a valid time")
}

/// The document as PDF bytes.
pub fn render(document: &Document) -> Vec<u8> {
    let meta = &document.meta;
    let mut pdf = PdfDocument::new(&meta.title);
    let regular = pdf.add_font(parsed(false));
    let bold = pdf.add_font(parsed(true));
    let info = &mut pdf.metadata.info;
    info.author = meta.author.clone();
    info.subject = meta.subject.clone();
    info.keywords = meta.keywords.clone();
    info.creator = format!("Relman {}", env!("CARGO_PKG_VERSION"));
    info.producer = "Relman (printpdf)".into();
    info.creation_date = pdf_date(meta.created);
    info.modification_date = pdf_date(meta.created);
    info.metadata_date = pdf_date(meta.created);
    let pages = document
        .pages
        .iter()
        .map(|p| {
            // Set in points: through millimetres Letter would come out 792.001 high.
            let size = Rect::from_wh(Pt(p.width), Pt(p.height));
            PdfPage {
                media_box: size.clone(),
                trim_box: size.clone(),
                crop_box: size,
                ops: page_ops(p, &regular, &bold),
            }
        })
        .collect();
    pdf.with_pages(pages);
    for mark in &document.outline {
        pdf.add_bookmark(&mark.title, mark.page + 1);
    }
    let options = PdfSaveOptions {
        subset_fonts: true,
        optimize: true,
        ..Default::default()
    };
    let mut lo = pdf.to_lopdf_document(&options, &mut Vec::new());
    set_language(&mut lo, &meta.lang);
    drop_pdfx_claim(&mut lo);
    lo.compress();
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes).expect("writing to memory");
    bytes
}

/// printpdf has no /Lang; screen readers and hyphenation in viewers need it.
fn set_language(doc: &mut lopdf::Document, lang: &str) {
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(lopdf::Object::as_reference);
    if let Ok(id) = root
        && let Ok(catalog) = doc.get_object_mut(id).and_then(lopdf::Object::as_dict_mut)
    {
        catalog.set("Lang", lopdf::Object::string_literal(lang));
    }
}

/// printpdf writes a GTS_PDFXVersion into the document information whatever the conformance,
/// which makes readers report the file as PDF/X. It is not PDF/X: the claim goes.
fn drop_pdfx_claim(doc: &mut lopdf::Document) {
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(lopdf::Object::as_reference);
    if let Ok(id) = info
        && let Ok(dict) = doc.get_object_mut(id).and_then(lopdf::Object::as_dict_mut)
    {
        dict.remove(b"GTS_PDFXVersion");
    }
}
