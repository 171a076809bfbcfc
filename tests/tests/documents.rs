//! The release documents as a reader gets them: the PDF files checked with qpdf and poppler
//! (structure, fonts, page sizes, text, outline), in English and German, small and large.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Duration, Utc};
use relman_core::Store;
use relman_core::plan::{Strategy, Wave};
use relman_core::report::page::{Item, MARGIN};
use relman_core::report::{self, Document, DocumentOptions, Lang, Made, Paper, Section};
use relman_core::store::PlanRequest;

fn now() -> DateTime<Utc> {
    relman_tests::now()
}

fn made() -> Made {
    Made {
        at: now(),
        by: "Anna Müller".into(),
    }
}

fn demo() -> Store {
    let mut store = relman_tests::fresh_store();
    store.load_demo_data("anna", now()).unwrap();
    store
}

/// The demo's release that is mid-testing, with a plan.
fn demo_release(store: &Store) -> String {
    store
        .list_releases(&Default::default())
        .unwrap()
        .into_iter()
        .find(|r| {
            store.plan(&r.key).unwrap().is_some() && !store.test_runs(&r.key).unwrap().is_empty()
        })
        .expect("a demo release with a plan and test runs")
        .key
}

/// A release with `waves` waves of `per_wave` tasks each.
fn large(store: &mut Store, per_wave: usize, waves: usize) -> String {
    // A release still being planned: the demo's finished ones are closed to edits.
    let key = store
        .list_releases(&Default::default())
        .unwrap()
        .into_iter()
        .find(|r| r.stage == relman_core::Stage::Planning)
        .expect("a demo release in planning")
        .key;
    store
        .save_model(
            &relman_core::demo::large_model("large", per_wave),
            "anna",
            now(),
        )
        .unwrap();
    let request = PlanRequest {
        model: "large".into(),
        strategy: if waves > 1 {
            Strategy::Phased
        } else {
            Strategy::BigBang
        },
        waves: (0..waves)
            .map(|i| Wave {
                name: format!("Standort {i} Köln"),
                tz: "Europe/Berlin".into(),
                window: None,
                targets: vec![],
                observation_minutes: 2 * 24 * 60,
            })
            .collect(),
    };
    store
        .instantiate_plan(&key, &request, "anna", now())
        .unwrap();
    key
}

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("relman-documents").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is not installed ({e}); `make test` installs it"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes the document the way the app and the CLI do, and checks what any PDF must pass.
fn write_and_check(document: &Document, path: &Path) -> String {
    let bytes = report::pdf::render(document);
    report::save(path, &bytes).unwrap();
    let p = path.to_str().unwrap();
    let check = tool("qpdf", &["--check", p]);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );
    let info = tool("pdfinfo", &[p]);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("pdfinfo shows no {name}: {info}"))
    };
    assert_eq!(field("Pages"), document.pages.len().to_string());
    assert_eq!(field("Title"), document.meta.title);
    assert!(
        !info.contains("PDF subtype:    PDF/"),
        "claims a PDF subtype it is not: {info}"
    );
    let fonts = tool("pdffonts", &[p]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "no fonts: {fonts}");
    for row in rows {
        assert!(row.contains("DejaVu"), "a font that is not DejaVu: {row}");
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name, type..., emb, sub, uni, object, id: emb and sub are the 5th and 4th from the end.
        assert_eq!(cols[cols.len() - 5], "yes", "not embedded: {row}");
        assert_eq!(cols[cols.len() - 4], "yes", "not subset: {row}");
        assert!(
            row.split_whitespace().next().unwrap().contains('+'),
            "subset fonts carry a tag: {row}"
        );
    }
    tool("pdftotext", &["-layout", p, "-"])
}

/// No text leaves the width it was laid out into, nor the page's margins.
fn assert_text_inside(document: &Document) {
    for (n, page) in document.pages.iter().enumerate() {
        for item in &page.items {
            if let Item::Text {
                x,
                y,
                size,
                bold,
                text,
                limit,
                angle,
                ..
            } = item
            {
                if *angle != 0.0 {
                    continue;
                }
                let w = report::font::width(text, *size, *bold);
                assert!(
                    w <= limit + 0.01,
                    "page {}: '{text}' is {w} wide in {limit}",
                    n + 1
                );
                assert!(
                    *x >= MARGIN - 0.5 && x + w <= page.width - MARGIN + 0.5,
                    "page {}: '{text}' at x {x} leaves the page",
                    n + 1
                );
                assert!(
                    *y >= MARGIN && *y <= page.height - MARGIN + 0.5,
                    "page {}: '{text}' at y {y} leaves the page",
                    n + 1
                );
            }
        }
    }
}

fn options(lang: Lang) -> DocumentOptions {
    DocumentOptions {
        sections: Section::ALL.to_vec(),
        lang,
        paper: Paper::A4,
    }
}

#[test]
fn the_dossier_of_the_demo_release_has_every_section_task_and_change() {
    let store = demo();
    let key = demo_release(&store);
    let facts = store.release_facts(&key, now()).unwrap();
    let document = report::dossier(&facts, &options(Lang::En), &made());
    assert_text_inside(&document);
    let text = write_and_check(&document, &dir("demo").join("dossier-en.pdf"));
    let outline: Vec<&str> = document.outline.iter().map(|b| b.title.as_str()).collect();
    assert_eq!(
        outline,
        [
            "Cover",
            "Scope",
            "Package",
            "Deployment plan",
            "Runbook",
            "Rollback plan",
            "Test evidence",
            "Accompanying activities",
            "Rules",
            "Sign-off"
        ]
    );
    let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for task in &facts.schedule.as_ref().unwrap().tasks {
        assert!(
            squeezed.contains(&task.name),
            "task '{}' is missing",
            task.name
        );
    }
    for change in &facts.changes {
        assert!(
            text.contains(&change.key),
            "change {} is missing",
            change.key
        );
    }
    // The package table's definitive media: each component's checksum, and the type.
    assert!(squeezed.contains("Definitive media (DML)"), "{squeezed}");
    for c in &facts.components {
        let sha = &c
            .dml
            .as_ref()
            .expect("the demo's release cites its DML")
            .sha256;
        assert!(
            squeezed.contains(&sha[..16]),
            "{}'s SHA-256 is missing",
            c.ci
        );
    }
    assert!(
        squeezed.contains("Package type: delta (base REL-"),
        "{squeezed}"
    );
    let pages = document.pages.len();
    assert!(
        text.contains(&format!("Page 1 of {pages}"))
            && text.contains(&format!("Page {pages} of {pages}"))
    );
    let raw = tool(
        "pdftotext",
        &[
            "-raw",
            dir("demo").join("dossier-en.pdf").to_str().unwrap(),
            "-",
        ],
    );
    assert_eq!(
        raw.matches("DRAFT").count(),
        pages,
        "not authorized yet, so every page says DRAFT"
    );
}

fn awaiting(store: &mut Store, n: usize) -> String {
    let key = format!("REL-{n}");
    let ci = format!("app-{n}");
    let change = format!("CHG-{n}");
    let release = relman_tests::ReadyRelease {
        key: &key,
        title: "Gehaltsabrechnung für Österreich",
        ci: (&ci, "2.1", "2.2"),
        change: &change,
        planned: ("2026-12-05", "2026-12-12"),
    };
    relman_tests::awaiting_authorization(store, &release, now());
    key
}

#[test]
fn the_cab_pack_has_an_agenda_and_exactly_one_page_per_release() {
    let mut store = relman_tests::fresh_store();
    let keys: Vec<String> = (1..=3).map(|n| awaiting(&mut store, n)).collect();
    // The second release has far more scope than one page holds.
    for i in 0..40 {
        let change = relman_core::change::ChangeDraft {
            key: format!("CHG-X{i:02}"),
            title: format!("Änderung Nummer {i}"),
            status: Some(relman_core::change::ChangeStatus::Assessed),
            ..Default::default()
        };
        store.create_change(&change, "rita", now()).unwrap();
        store
            .add_change_to_release(&keys[1], &change.key, "rita", now())
            .unwrap();
    }
    let facts = store.cab_facts(now()).unwrap();
    assert_eq!(
        facts
            .iter()
            .map(|f| f.release.key.clone())
            .collect::<Vec<_>>()
            .len(),
        3
    );
    for lang in [Lang::En, Lang::De] {
        let document = report::cab_pack(&facts, &options(lang), &made());
        assert_eq!(
            document.pages.len(),
            4,
            "an agenda page and one page per release"
        );
        assert_text_inside(&document);
        let path = dir("cab").join(format!("cab-{}.pdf", lang.code()));
        let text = write_and_check(&document, &path);
        let p = path.to_str().unwrap();
        for (i, f) in facts.iter().enumerate() {
            let page = (i + 2).to_string();
            let on_page = tool("pdftotext", &["-f", &page, "-l", &page, "-layout", p, "-"]);
            assert!(
                on_page.contains(&f.release.key),
                "{} is not on page {page}",
                f.release.key
            );
            let agenda = tool("pdftotext", &["-f", "1", "-l", "1", "-layout", p, "-"]);
            let row = agenda
                .lines()
                .find(|l| l.contains(&f.release.key))
                .expect("an agenda row");
            assert!(
                row.trim_end().ends_with(&page),
                "the agenda points {} to page {page}: {row}",
                f.release.key
            );
        }
        let crowded = tool("pdftotext", &["-f", "3", "-l", "3", "-layout", p, "-"]);
        let see = if lang == Lang::De {
            "siehe Dossier"
        } else {
            "see the dossier"
        };
        assert!(
            crowded.contains(see),
            "a cut page points to the dossier: {crowded}"
        );
        if lang == Lang::De {
            assert!(
                text.contains("Seite 4 von 4")
                    && text.contains("Gehaltsabrechnung für Österreich")
                    && text.contains("Rückfallplan")
            );
        } else {
            assert!(text.contains("Page 4 of 4") && text.contains("Rollback plan"));
        }
    }
}

#[test]
fn a_thousand_task_plan_in_german_is_tiled_and_every_task_is_in_the_runbook() {
    let mut store = demo();
    let key = large(&mut store, 250, 4);
    let facts = store.release_facts(&key, now()).unwrap();
    let tasks = &facts.schedule.as_ref().unwrap().tasks;
    assert_eq!(tasks.len(), 1000);
    let document = report::dossier(&facts, &options(Lang::De), &made());
    assert_text_inside(&document);
    let text = write_and_check(&document, &dir("large").join("dossier-de.pdf"));
    let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for task in tasks {
        assert!(
            squeezed.contains(&format!("{} ({})", task.name, task.key)),
            "{} is missing from the runbook",
            task.key
        );
    }
    assert!(
        text.contains("Datenbank prüfen") && text.contains("Köln") && text.contains("Rückfallplan"),
        "umlauts intact"
    );
    let tiles: Vec<&str> = text.lines().filter(|l| l.contains("Kachel ")).collect();
    let count: usize = tiles[0]
        .split("Kachel ")
        .nth(1)
        .unwrap()
        .split(['/', ' '])
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(tiles.len(), count, "each tile says where it is: {tiles:?}");
    assert!(count > 4, "a thousand tasks do not fit a few pages");
    let pages = document.pages.len();
    assert!(text.contains(&format!("Seite {pages} von {pages}")));
    // The tiles are landscape, the cover portrait.
    assert!(document.pages[0].height > document.pages[0].width);
    let outline: Vec<&str> = document.outline.iter().map(|b| b.title.as_str()).collect();
    let plan = outline
        .iter()
        .position(|t| *t == "Bereitstellungsplan")
        .unwrap();
    let tile_page = &document.pages[document.outline[plan].page + 1];
    assert!(tile_page.width > tile_page.height);
}

#[test]
fn only_the_chosen_sections_on_the_chosen_paper() {
    let store = demo();
    let key = demo_release(&store);
    let facts = store.release_facts(&key, now()).unwrap();
    let options = DocumentOptions {
        sections: vec![Section::Scope, Section::Rules],
        lang: Lang::En,
        paper: Paper::Letter,
    };
    let document = report::dossier(&facts, &options, &made());
    let path = dir("sections").join("scope-rules.pdf");
    let text = write_and_check(&document, &path);
    let titles: Vec<&str> = document.outline.iter().map(|b| b.title.as_str()).collect();
    assert_eq!(titles, ["Scope", "Rules"]);
    assert!(!text.contains("Runbook") && !text.contains("Sign-off"));
    let info = tool("pdfinfo", &[path.to_str().unwrap()]);
    assert!(
        info.contains("Page size:       612 x 792 pts (letter)"),
        "{info}"
    );
    let outline = tool(
        "qpdf",
        &["--json", "--json-key=outlines", path.to_str().unwrap()],
    );
    assert!(
        outline.contains("\"title\": \"Scope\"") && outline.contains("\"title\": \"Rules\""),
        "{outline}"
    );
    let none = DocumentOptions {
        sections: vec![],
        ..options
    };
    let error = none.check().unwrap_err().to_string();
    assert!(
        error.contains("sections") && error.contains("cover"),
        "{error}"
    );
}

#[test]
fn an_authorized_release_is_no_draft_and_its_sign_off_is_valid() {
    let mut store = relman_tests::fresh_store();
    let key = awaiting(&mut store, 7);
    store
        .decide(
            &key,
            relman_core::approval::Decision::Approve,
            relman_core::approval::Role::CabMember,
            "Go",
            "Bob Bäcker",
            now() + Duration::hours(1),
        )
        .unwrap();
    store
        .advance_release(&key, "rita", now() + Duration::hours(1))
        .unwrap();
    let facts = store
        .release_facts(&key, now() + Duration::hours(2))
        .unwrap();
    let document = report::dossier(&facts, &options(Lang::En), &made());
    let path = dir("authorized").join("dossier.pdf");
    let text = write_and_check(&document, &path);
    let raw = tool("pdftotext", &["-raw", path.to_str().unwrap(), "-"]);
    assert!(!raw.contains("DRAFT"));
    let raw = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        raw.contains("Bob Bäcker")
            && raw.contains("authorized to deploy as scoped, packaged and planned"),
        "{raw}"
    );
    assert!(
        text.contains("✓ yes"),
        "the decision is valid for the content shown"
    );
}

/// The text of a PDF as one line, so that a sentence wrapped over two lines is still found.
fn flowing_text(path: &Path) -> String {
    let text = tool("pdftotext", &[path.to_str().unwrap(), "-"]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A German CAB holds the dossier of the demo's blocked release, the CAB pack and the minutes:
/// none of them may say anything in English.
#[test]
fn german_documents_of_the_demo_say_nothing_in_english() {
    use relman_core::approval::Decision;
    use relman_core::cab::MeetingDecision;
    let mut store = demo();
    let sentences = relman_tests::english_sentences(false);
    assert!(sentences.len() > 150, "{} sentences", sentences.len());
    assert!(sentences.iter().any(|s| s == "No change is in scope"));

    let agenda = store.cab_agenda(false, now()).unwrap();
    let blocked = agenda
        .iter()
        .find(|c| !c.blocking.is_empty())
        .expect("a demo release awaiting authorization that a rule blocks");
    let options = options(Lang::De);
    let out = dir("german-only");
    let mut files = Vec::new();

    let facts = store.release_facts(&blocked.release.key, now()).unwrap();
    let path = out.join("dossier.pdf");
    write_and_check(&report::dossier(&facts, &options, &made()), &path);
    files.push(path);

    let path = out.join("cab-pack.pdf");
    let pack = report::cab_pack(&store.cab_facts(now()).unwrap(), &options, &made());
    write_and_check(&pack, &path);
    files.push(path);

    let meeting = store
        .start_meeting(&["Carla".into(), "Ben".into()], "anna", now())
        .unwrap();
    store
        .decide_in_meeting(
            &MeetingDecision {
                meeting: meeting.id,
                release: blocked.release.key.clone(),
                decision: Decision::Defer,
                comment: "Erst nach der Rollback-Probe".into(),
                decider: "Carla".into(),
                content_hash: blocked.content_hash.clone(),
            },
            "anna",
            now(),
        )
        .unwrap();
    let minutes = store
        .end_meeting(meeting.id, "anna", now() + Duration::hours(1))
        .unwrap();
    let path = out.join("minutes.pdf");
    write_and_check(
        &report::minutes(&minutes, "Europe/Berlin", &options, &made()),
        &path,
    );
    files.push(path);

    for path in &files {
        let text = flowing_text(path);
        let english: Vec<&String> = sentences
            .iter()
            .filter(|s| text.contains(s.as_str()))
            .collect();
        assert!(
            english.is_empty(),
            "{} says in English: {english:?}",
            path.display()
        );
    }
    // The blocked release's verdicts are there, in German.
    let dossier = flowing_text(&files[0]);
    for rule in &blocked.blocking {
        let said = rule.message.render(relman_core::message::Lang::De);
        let start: String = said.chars().take(30).collect();
        assert!(dossier.contains(&start), "{start} missing from the dossier");
    }
}
