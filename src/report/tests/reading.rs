//! What a reader sees (issue 28): missing inputs said in words, no code names in either
//! language, one number format, every "—" footnoted, the glossary linked, the per-class
//! tables summarised at scale, the unit results worded by their checks, and the reports
//! of two languages side by side.

use std::collections::BTreeSet;
use std::path::Path;

use polars::prelude::*;

use super::{fixtures, pages, params};
use crate::report::i18n::{self, Catalogue, Lang};
use crate::report::view::{self, Block, ReportData};
use crate::report::{render, write_reports, write_reports_as};
use crate::schema::{TableKind, CATEGORIES, INDICATOR_TABLES, METHODS};

/// Code names that must not reach the text of a page in `lang`: table, input, column
/// and vocabulary codes. On English pages, codes that are also plain English words
/// (`needs`, `online`, `classes`) are left out of the list.
pub(super) fn code_names(lang: Lang) -> Vec<String> {
    let mut codes: BTreeSet<String> = BTreeSet::new();
    codes.extend(INDICATOR_TABLES.iter().map(|d| d.name.to_string()));
    codes.extend(TableKind::all().into_iter().map(|t| t.name()));
    codes.extend(CATEGORIES.iter().chain(METHODS.iter()).map(|c| c.to_string()));
    codes.extend(
        [
            "competence",
            "needs",
            "topics",
            "regulation-2023",
            "seeds",
            "spreadsheet",
            "learning_z",
            "assessment_z",
            "transfer_z",
            "compliance_score",
            "not_equivalent",
            "attrition_ok",
            "few_classes",
            "too_few_classes",
            "class_ancova",
            "class_kruskal",
            "ancova_cr2_htz",
            "performance_score",
            "satisfaction_rate",
            "key_task_completion",
            "follow_3m",
            "follow_6m",
            "follow_12m",
            "pre_mean",
            "mean_diff",
            "p_bh",
        ]
        .map(String::from),
    );
    match lang {
        Lang::Zh => codes.into_iter().collect(),
        Lang::En => codes.into_iter().filter(|c| c.contains(['_', '-'])).chain(["spreadsheet".to_string()]).collect(),
    }
}

/// The text a reader sees: tags, styles and `<code>` literals removed, file paths and
/// file names dropped; chart text kept.
fn reader_text(html: &str) -> String {
    let mut s = html.to_string();
    for (open, close) in [("<style>", "</style>"), ("<code>", "</code>"), ("<title>", "</title>")] {
        while let Some(a) = s.find(open) {
            let b = s[a..].find(close).map_or(s.len(), |b| a + b + close.len());
            s.replace_range(a..b, " ");
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace()
        .filter(|w| !w.contains(['/', '\\']) && !w.contains(".csv") && !w.contains(".xlsx"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Code names found in the text of `html`.
fn codes_in(html: &str, lang: Lang) -> Vec<String> {
    let codes = code_names(lang);
    let text = reader_text(html);
    let mut found: BTreeSet<String> = BTreeSet::new();
    for w in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
        if codes.iter().any(|c| c == w) {
            found.insert(w.to_string());
        }
    }
    found.into_iter().collect()
}

#[test]
fn no_code_names_in_either_language() {
    for lang in [Lang::Zh, Lang::En] {
        for (path, html) in pages(&fixtures::sample(), lang) {
            let found = codes_in(&html, lang);
            assert!(found.is_empty(), "{lang:?} {}: code names {found:?}", path.display());
        }
    }
    // The check finds them where they are.
    let bad = "<p>no data in reaction_by_course (competence, regulation-2023)</p><code>survey_pre.csv</code>";
    assert_eq!(codes_in(bad, Lang::Zh), ["competence", "reaction_by_course", "regulation-2023"]);
    assert_eq!(codes_in(bad, Lang::En), ["reaction_by_course", "regulation-2023"]);
}

/// The fixture without course ratings: the input is absent from the manifest and the
/// tables it feeds were not written.
fn without_ratings() -> ReportData {
    let mut d = fixtures::sample();
    for t in ["reaction_by_course", "reaction_by_class", "rater_agreement", "course_series"] {
        d.indicators.remove(t);
    }
    d.manifest.as_mut().unwrap().tables.remove("course_ratings");
    d
}

#[test]
fn a_missing_input_is_said_in_words() {
    for lang in [Lang::Zh, Lang::En] {
        let cat = Catalogue::new(lang);
        let v = view::annual(&without_ratings(), &params(lang));
        let ratings = cat.code("table", "course_ratings");
        // Before the headline figures: what is missing and which parts it empties.
        assert_eq!(v.missing_inputs.len(), 1, "{:?}", v.missing_inputs);
        assert!(v.missing_inputs[0].contains(&ratings), "{}", v.missing_inputs[0]);
        assert!(v.missing_inputs[0].contains(&cat.get("part.reaction")), "{}", v.missing_inputs[0]);
        // The section says why it is empty, naming the input.
        let why = v.reaction.missing.as_deref().unwrap();
        assert!(why.contains(&ratings), "{why}");
        assert!(!why.contains('_'), "{why}");
        // The headline: the card says "—" with its reason; the summary leaves the figure
        // out and says it is not available, never "— points".
        let h = v.headline.data.as_ref().unwrap();
        let card = h.cards.iter().find(|c| c.label == cat.get("hl.reaction")).unwrap();
        assert_eq!((card.value.as_str(), card.mark), ("—", Some("c")));
        assert!(card.detail.contains(&ratings), "{}", card.detail);
        assert!(!h.summary.contains('—'), "{}", h.summary);
        assert!(h.summary.contains(&cat.get("hl.reaction")), "{}", h.summary);
        for (path, html) in pages(&without_ratings(), lang) {
            assert!(codes_in(&html, lang).is_empty(), "{lang:?} {}", path.display());
        }
    }
    // With every input present nothing is said to be missing.
    assert!(view::annual(&fixtures::sample(), &params(Lang::Zh)).missing_inputs.is_empty());
}

/// Every `<td>` that prints "—" carries a footnote mark, and the page explains each mark
/// it uses.
fn assert_dashes_footnoted(html: &str, what: &str) {
    let mut rest = html;
    let mut marks = BTreeSet::new();
    while let Some(at) = rest.find("—") {
        let after = &rest[at + "—".len()..];
        let before = &rest[..at];
        // Only cells: a "—" between a <td ...> and its </td>.
        let in_cell = before.rfind("<td").is_some_and(|o| before.rfind("</td>").is_none_or(|c| c < o));
        if in_cell {
            let cell_end = after.find("</td>").unwrap_or(after.len());
            let cell = &after[..cell_end];
            let Some(sup) = cell.find("<sup class=\"fn\">") else {
                panic!("{what}: a \"—\" without a footnote mark: …{}…", &before[before.len().saturating_sub(120)..]);
            };
            marks.insert(cell[sup + 16..sup + 17].to_string());
        }
        rest = after;
    }
    for m in marks {
        assert!(
            html.contains(&format!("<p class=\"tnote\"><sup class=\"fn\">{m}</sup>")),
            "{what}: mark {m} unexplained"
        );
    }
}

#[test]
fn every_dash_has_a_footnote() {
    for lang in [Lang::Zh, Lang::En] {
        for data in [fixtures::sample(), without_ratings()] {
            for (path, html) in pages(&data, lang) {
                assert_dashes_footnoted(&html, &format!("{lang:?} {}", path.display()));
            }
        }
    }
    // The marks say why: withheld in a withheld row, not computable elsewhere.
    let v = view::annual(&fixtures::sample(), &params(Lang::En));
    let rows: Vec<_> = tables(v.learning.data.as_ref().unwrap()).flat_map(|t| t.rows.clone()).collect();
    let withheld = rows.iter().find(|r| r.suppressed).unwrap();
    assert!(withheld.cells.iter().filter(|c| c.text == "—").all(|c| c.mark == Some("a")));
    // The needs scale's ω did not converge: "not computable".
    let rel = tables(v.learning.data.as_ref().unwrap()).last().unwrap();
    let needs = rel.rows.iter().find(|r| r.cells[0].text == "Training-needs items").unwrap();
    assert_eq!(needs.cells[6].mark, Some("b"));
}

fn tables(body: &view::Body) -> impl Iterator<Item = &view::TableView> {
    body.blocks.iter().filter_map(|b| match b {
        Block::Table(t) => Some(t),
        _ => None,
    })
}

#[test]
fn the_glossary_explains_every_term_the_report_links() {
    let keys: BTreeSet<&str> = i18n::keys().collect();
    for id in view::glossary::IDS {
        assert!(keys.contains(format!("gl.{id}.t").as_str()) && keys.contains(format!("gl.{id}.b").as_str()), "{id}");
    }
    for lang in [Lang::Zh, Lang::En] {
        let pages = pages(&fixtures::sample(), lang);
        let index = &pages[0].1;
        let mut linked = 0;
        for (_, html) in &pages {
            for part in html.split("#g-").skip(1) {
                let id = &part[..part.find('"').unwrap()];
                assert!(index.contains(&format!("id=\"g-{id}\"")), "{lang:?}: no glossary entry {id}");
                linked += 1;
            }
        }
        // The jargon of the issue is linked: d_z, Hake g, DiD, CI, BH, ICC, α.
        for id in ["dz", "hake", "did", "ci", "bh", "icc", "alpha", "withheld"] {
            assert!(index.contains(&format!("href=\"#g-{id}\"")), "{lang:?}: {id} not linked");
        }
        assert!(linked > 40, "{linked}");
        // Class pages link to the annual page's glossary.
        assert!(pages[1].1.contains("href=\"..&#x2f;index.html#g-"), "{lang:?}");
    }
}

#[test]
fn english_messages_use_ascii_quotes_and_latin_fonts_first() {
    let en = Catalogue::new(Lang::En).labels();
    for (key, text) in en {
        let wide: Vec<char> = text
            .chars()
            .filter(|c| "“”‘’「」（），。：；、".contains(*c) || ('\u{FF00}'..='\u{FF60}').contains(c))
            .collect();
        assert!(wide.is_empty(), "{key}: {wide:?} in {text:?}");
    }
    let html = &pages(&fixtures::sample(), Lang::En)[0].1;
    let css = &html[html.find(":root:lang(en)").expect("an English font stack")..];
    let sans = &css[css.find("--sans:").unwrap()..css.find(';').unwrap()];
    assert!(sans.find("Liberation Sans").unwrap() < sans.find("Noto Sans CJK SC").unwrap(), "{sans}");
}

#[test]
fn counts_are_grouped_in_both_languages() {
    // At a province's scale the hours and counts run into the thousands.
    let big = scaled(40);
    for lang in [Lang::Zh, Lang::En] {
        let v = view::annual(&big, &params(lang));
        let h = v.headline.data.as_ref().unwrap();
        let hours = h.cards.iter().find(|c| c.label == Catalogue::new(lang).get("hl.hours")).unwrap();
        assert!(hours.value.contains(','), "{}", hours.value);
        let text = reader_text(&render::Renderer::new().unwrap().annual(&v, lang).unwrap());
        // No bare number of five or more digits (counts and hours are grouped; years have
        // four; ids such as T00027 are not numbers).
        for w in text.split(|c: char| !c.is_ascii_alphanumeric()) {
            assert!(!(w.len() >= 5 && w.chars().all(|c| c.is_ascii_digit())), "{lang:?}: ungrouped number {w}");
        }
    }
}

/// The fixture's classes repeated `k` times (ids suffixed), the way the scale smoke test
/// grows it: `6k` classes.
fn scaled(k: usize) -> ReportData {
    let grow = |df: &DataFrame| -> DataFrame {
        let mut out = df.clone();
        for r in 1..k {
            let mut part = df.clone();
            for name in ["class_id", "course_id", "cadre_id"] {
                if let Ok(c) = part.column(name) {
                    let v: Vec<Option<String>> =
                        c.str().unwrap().iter().map(|s| s.map(|s| format!("{s}-{r}"))).collect();
                    part.replace(name, Column::new(name.into(), v)).unwrap();
                }
            }
            out.vstack_mut(&part).unwrap();
        }
        out
    };
    let mut data = fixtures::sample();
    for (name, df) in data.indicators.iter_mut() {
        if df.get_column_names().iter().any(|c| c.as_str() == "class_id") || name == "compliance" {
            *df = grow(df);
        }
    }
    for df in data.warehouse.values_mut() {
        *df = grow(df);
    }
    data
}

#[test]
fn per_class_tables_are_summarised_at_scale() {
    let cat = Catalogue::new(Lang::En);
    // Few classes: the full table.
    let small = view::annual(&fixtures::sample(), &params(Lang::En));
    let learning = small.learning.data.as_ref().unwrap();
    assert_eq!(tables(learning).next().unwrap().rows.len(), 6);
    // 60 classes: a distribution, the top and bottom ten published classes, and where
    // the full table is.
    let big = view::annual(&scaled(10), &params(Lang::En));
    let learning = big.learning.data.as_ref().unwrap();
    let t: Vec<&view::TableView> = tables(learning).collect();
    assert_eq!(t[0].caption, cat.fmt("doc.rank_top", &[("noun", &cat.get("le.noun")), ("k", &10)]));
    assert_eq!(t[1].caption, cat.fmt("doc.rank_bottom", &[("noun", &cat.get("le.noun")), ("k", &10)]));
    for list in &t[..2] {
        assert_eq!(list.rows.len(), 10);
        assert!(list.rows.iter().all(|r| !r.suppressed), "a withheld class in a ranking");
    }
    // Ranked by the gain: the top list is in descending order and above the bottom one.
    let gain = |r: &view::TableRow| r.cells[5].text.replace('−', "-").replace('+', "").parse::<f64>().unwrap();
    let top: Vec<f64> = t[0].rows.iter().map(gain).collect();
    assert!(top.windows(2).all(|w| w[0] >= w[1]), "{top:?}");
    assert!(gain(t[0].rows.last().unwrap()) >= gain(&t[1].rows[0]));
    assert!(learning.blocks.iter().any(|b| matches!(b, Block::Chart(c) if c.id == "learning-gain-classes")));
    assert!(learning.blocks.iter().any(|b| matches!(b, Block::Para { text } if text.contains("all 60 classes"))));
    // Every per-class section is summarised the same way; the class list too.
    for (name, body) in
        [("transfer", &big.transfer), ("raters", &big.raters), ("needs", &big.needs), ("classes", &big.classes)]
    {
        let body = body.data.as_ref().unwrap();
        assert!(tables(body).all(|t| t.rows.len() <= 10), "{name}: a table longer than the lists");
        assert!(
            body.blocks.iter().any(
                |b| matches!(b, Block::Chart(c) if matches!(c.spec, crate::report::charts::ChartSpec::Histogram(_)))
            ),
            "{name}"
        );
    }
    // The annual page stops growing with the classes: ten times the classes, about the
    // same page.
    let size = |k: usize| {
        let v = view::annual(&scaled(k), &params(Lang::Zh));
        render::Renderer::new().unwrap().annual(&v, Lang::Zh).unwrap().len()
    };
    let (a, b) = (size(5), size(50));
    assert!((b as f64) < 1.25 * a as f64, "30 classes: {a} bytes; 300 classes: {b} bytes");
}

#[test]
fn unit_results_are_worded_by_their_interval_never_as_a_cause() {
    for lang in [Lang::Zh, Lang::En] {
        let cat = Catalogue::new(lang);
        let v = view::annual(&fixtures::sample(), &params(lang));
        let body = v.results.data.as_ref().expect("a results section");
        let perf = cat.code("metric", "performance_score");
        let sat = cat.code("metric", "satisfaction_rate");
        // performance: the slope's interval [1.0, 7.2] per unit of share (+0.1 to +0.7 per
        // 10 points) excludes 0, so the two go together; satisfaction's does not.
        let ci = cat.fmt("hl.ci", &[("level", &"95"), ("lo", &"+0.1"), ("hi", &"+0.7")]);
        let related = cat.fmt(
            "rs.fit_related",
            &[("metric", &perf), ("slope", &"+0.4"), ("ci", &ci), ("p", &"p = 0.019"), ("n", &"7")],
        );
        assert!(body.findings.contains(&related), "{:?}", body.findings);
        let none = cat.fmt("rs.fit_none", &[("metric", &sat)]);
        let none_head = none.split('{').next().unwrap();
        assert!(body.findings.iter().any(|f| f.starts_with(none_head)), "{:?}", body.findings);
        // No causal word: the section never calls the relation an effect.
        let text = serde_json::to_string(body).unwrap();
        for word in ["effect", "效应", "导致"] {
            assert!(!text.contains(word), "{lang:?}: {word}");
        }
        // The withheld unit is in no table.
        assert!(tables(body).flat_map(|t| &t.rows).filter(|r| r.cells[0].text == "U8").all(|r| r.suppressed));
    }
}

#[test]
fn a_second_language_goes_beside_the_primary_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixtures::sample();
    let zh = write_reports(dir.path(), &data, &params(Lang::Zh), false).unwrap();
    let first = std::fs::read(&zh.index).unwrap();
    let en = write_reports_as(dir.path(), &data, &params(Lang::En), Lang::Zh, false).unwrap();
    let period = dir.path().join("reports/2025");
    assert_eq!(en.index, period.join("en/index.html"));
    assert_eq!(en.dir, period.join("en"));
    assert_eq!(en.class_pages, 6);
    assert!(period.join("en/class/K01.html").is_file());
    // The primary report is untouched.
    assert_eq!(std::fs::read(&zh.index).unwrap(), first, "the primary report was rewritten");
    let en_html = std::fs::read_to_string(&en.index).unwrap();
    assert!(en_html.contains("<html lang=\"en\">"));
    // The English class page's link back goes to the English annual page.
    let k01 = std::fs::read_to_string(period.join("en/class/K01.html")).unwrap();
    assert!(k01.contains("<a href=\"../index.html\">"));
    // Rewriting English again replaces only en/.
    std::fs::write(period.join("en/class/OLD.html"), "x").unwrap();
    write_reports_as(dir.path(), &data, &params(Lang::En), Lang::Zh, false).unwrap();
    assert!(!period.join("en/class/OLD.html").exists());
    assert_eq!(std::fs::read(&zh.index).unwrap(), first);
    // Rewriting the primary replaces the period's directory whole: a language not
    // rendered with it could describe older data, so it goes too.
    write_reports(dir.path(), &data, &params(Lang::Zh), false).unwrap();
    assert!(!period.join("en").exists());
    let left: Vec<_> = std::fs::read_dir(&period).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left.len(), 2, "index.html and class/ only: {left:?}");
    assert!(Path::new(&zh.index).is_file());
}
