//! Tests of the report stage on the hand-made fixture: view-model snapshots,
//! rendering (escaping, i18n, determinism, self-containment), missing data,
//! hostile input, the assessment export, and an end-to-end run on a built warehouse.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::fixtures;
use super::i18n::{self, Lang};
use super::view::{self, RenderOptions, ReportData};
use super::*;

fn params(lang: Lang) -> RenderOptions {
    RenderOptions { lang, ..RenderOptions::default() }
}

fn pages(data: &ReportData, lang: Lang) -> Vec<(PathBuf, String)> {
    render_pages(data, &params(lang)).expect("render")
}

/// The tool's version out of the snapshots, so a release does not rewrite them.
fn unversioned(s: &str) -> String {
    s.replace(crate::VERSION, "<version>")
}

#[test]
fn annual_view_model_snapshot() {
    let mut v = view::annual(&fixtures::sample(), &params(Lang::Zh));
    v.generated_by = unversioned(&v.generated_by);
    insta::assert_yaml_snapshot!("annual_zh", v);
}

#[test]
fn annual_view_model_snapshot_en() {
    let mut v = view::annual(&fixtures::sample(), &params(Lang::En));
    v.generated_by = unversioned(&v.generated_by);
    insta::assert_yaml_snapshot!("annual_en", v);
}

#[test]
fn class_view_model_snapshots() {
    let mut classes = view::class_views(&fixtures::sample(), &params(Lang::Zh));
    for c in &mut classes {
        c.generated_by = unversioned(&c.generated_by);
    }
    let ids: Vec<&str> = classes.iter().map(|c| c.class_id.as_str()).collect();
    assert_eq!(ids, ["K01", "K02", "K03", "K04", "K05", "K06"]);
    insta::assert_yaml_snapshot!("class_k01", &classes[0]);
    insta::assert_yaml_snapshot!("class_k06_suppressed", &classes[5]);
}

/// Every page: complete, self-contained, no unknown label, no script.
fn assert_page(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(!html.contains('⟦'), "a label is missing from the catalogue");
    assert!(!html.to_lowercase().contains("<script"), "reports need no script");
    for external in ["<link", " src=", "@import", "url(", "https://"] {
        assert!(!html.contains(external), "external reference {external:?}");
    }
    // Links stay inside the report; the SVG namespace URL loads nothing.
    assert!(!html.contains("href=\"http"), "links leave the report");
    assert!(html.contains("Noto Sans CJK SC"), "CJK font stack");
    // The annual page inlines the whole stylesheet, a class page the rules it can use.
    let css = if html.contains("<p class=\"back\">") {
        crate::report::render::class_page_css()
    } else {
        crate::report::render::minify_css(crate::report::render::CSS)
    };
    assert!(html.contains(&format!("<style>{css}</style>")), "the page's stylesheet, inline");
}

/// The element names and classes in a page's markup (the stylesheet and the text are not
/// markup: text is escaped, so every `<` opens a tag).
fn tags_and_classes(html: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let body = match (html.find("<style>"), html.find("</style>")) {
        (Some(a), Some(b)) => format!("{}{}", &html[..a + "<style>".len()], &html[b..]),
        _ => html.to_string(),
    };
    let mut tags = BTreeSet::new();
    for part in body.split('<').skip(1) {
        let name: String = part.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if !name.is_empty() {
            tags.insert(name.to_ascii_lowercase());
        }
    }
    let mut classes = BTreeSet::new();
    for part in body.split(" class=\"").skip(1) {
        let value = &part[..part.find('"').expect("a closed class attribute")];
        classes.extend(value.split_ascii_whitespace().map(str::to_string));
    }
    (tags, classes)
}

/// Every class page of the fixtures (both languages, three `min_cell`s) and the
/// synthetic page with every piece the writer can print, as the Rust writer writes them.
fn every_class_page() -> Vec<String> {
    let r = render::Renderer::new().unwrap();
    let mut out = Vec::new();
    for data in [fixtures::sample(), fixtures::hostile()] {
        for lang in [Lang::Zh, Lang::En] {
            for min_cell in [1, 5, 30] {
                let p = RenderOptions { min_cell, ..params(lang) };
                for v in view::class_views(&data, &p) {
                    out.push(r.class_page(&v, lang).unwrap());
                }
            }
        }
    }
    let v = every_piece_view();
    for lang in [Lang::Zh, Lang::En] {
        out.push(r.class_page(&v, lang).unwrap());
    }
    out
}

#[test]
fn class_pages_hold_only_the_vocabulary_their_stylesheet_is_trimmed_to() {
    let vocab = &html::CLASS_PAGE_VOCAB;
    let (mut tags, mut classes) = (BTreeSet::new(), BTreeSet::new());
    let pages = every_class_page();
    assert!(pages.len() >= 60, "{} pages", pages.len());
    for page in &pages {
        let (t, c) = tags_and_classes(page);
        tags.extend(t);
        classes.extend(c);
    }
    // What the pages hold is in the vocabulary, so no rule that can match in them is
    // trimmed away (trimming only drops selectors needing a name or class outside it).
    for t in &tags {
        assert!(vocab.tags.contains(&t.as_str()), "element <{t}> is not in CLASS_PAGE_VOCAB");
    }
    for c in &classes {
        assert!(vocab.classes.contains(&c.as_str()), "class {c:?} is not in CLASS_PAGE_VOCAB");
    }
    // And the vocabulary is what the pages hold, less chart elements these charts do not
    // draw: a stale entry would keep rules for nothing.
    for t in vocab.tags {
        assert!(tags.contains(*t) || ["polygon", "circle", "polyline"].contains(t), "<{t}> is in no class page");
    }
    for c in vocab.classes {
        assert!(classes.contains(*c), "class {c:?} is in no class page");
    }
}

#[test]
fn the_class_page_stylesheet_keeps_every_rule_a_class_page_can_match() {
    use crate::report::render::{class_page_css, minify_css, CSS};
    let whole = minify_css(CSS);
    let class = class_page_css();
    // Trimmed: the annual page's cover, contents, cards, glossary, methodology and
    // missing-input boxes, and `h3`, which class pages do not have.
    assert!(class.len() + 2000 < whole.len(), "{} of {} bytes", class.len(), whole.len());
    for gone in [".cover", "nav", ".card", ".glossary", ".method", ".missing", "section.page", "h3", "h4"] {
        assert!(!class.contains(gone), "{gone} is kept");
    }
    // Every rule some class page's element matches is there, with its declarations:
    // spot checks of each kind of selector the sheet has.
    for kept in [
        ":root{",
        ":root:lang(en){",
        "*{box-sizing:border-box}",
        "h1, h2, table, figure, .facts, .findings{font-family:var(--sans)}",
        "svg text:not([fill=\"#FFFFFF\"]){",
        ".fig-no, caption .no{",
        ":lang(en) td, :lang(en) .facts dd{",
        "td:first-child:not(.num){",
        ".terms a.gloss + a.gloss{",
        "@page{size:A4;margin:14mm 14mm 16mm}",
        "@media print{html{background:none}main{",
        "footer{display:none}}",
    ] {
        assert!(class.contains(kept), "{kept:?} is missing");
    }
    // The rules kept, one a line as in the checked-in sheet, for a reviewer to read; the
    // page carries them compacted.
    let trimmed = crate::report::css::trim(&whole, &html::CLASS_PAGE_VOCAB);
    assert_eq!(class, crate::report::css::compact(&trimmed));
    insta::assert_snapshot!("class_page_css", trimmed);
}

#[test]
fn the_inline_stylesheet_is_the_checked_in_one_less_comments_and_indentation() {
    use crate::report::render::{minify_css, CSS};
    assert_eq!(minify_css("a { b: c; } /* x */ d {\n  e: f; /* y\n z */ }\n\n"), "a { b: c; }  d {\ne: f;  }");
    assert_eq!(minify_css("a { b: c; } /* never closed\n d { }"), "a { b: c; }");
    // The checked-in stylesheet's comments take whole lines, so the minified one is its
    // other lines, trimmed, in order.
    let mut in_comment = false;
    let mut rules = Vec::new();
    for line in CSS.lines().map(str::trim) {
        let starts = line.starts_with("/*");
        if !(in_comment || starts || line.is_empty()) {
            rules.push(line);
        }
        in_comment = (in_comment || starts) && !line.ends_with("*/");
    }
    let min = minify_css(CSS);
    assert_eq!(min.lines().collect::<Vec<_>>(), rules);
    assert!(!min.contains("/*") && min.len() + 500 < CSS.len(), "{} of {} bytes", min.len(), CSS.len());
}

#[test]
fn renders_every_page_in_both_languages() {
    for lang in [Lang::Zh, Lang::En] {
        let pages = pages(&fixtures::sample(), lang);
        assert_eq!(pages.len(), 7, "index + 6 classes");
        for (path, html) in &pages {
            assert_page(html);
            assert!(html.contains(&format!("lang=\"{}\"", lang.html_lang())), "{}", path.display());
        }
        let index = &pages[0].1;
        for id in [
            "headline",
            "reaction",
            "learning",
            "methods",
            "transfer",
            "raters",
            "compliance",
            "needs",
            "methodology",
            "quality",
        ] {
            assert!(index.contains(&format!("<section id=\"{id}\"")), "section {id}");
        }
        assert!(index.matches("<svg ").count() >= 9, "charts: {}", index.matches("<svg ").count());
        // minijinja escapes "/" in attributes as &#x2f;, which browsers decode.
        assert!(index.contains("href=\"class&#x2f;K01.html\""));
        let label = |k: &str| i18n::Catalogue::new(lang).get(k);
        assert!(index.contains(&label("sec.methodology")));
        assert!(index.contains(&label("hl.gain")));
    }
}

#[test]
fn without_class_pages_there_are_no_class_links() {
    let p = RenderOptions { class_pages: false, ..params(Lang::Zh) };
    let pages = render_pages(&fixtures::sample(), &p).unwrap();
    assert_eq!(pages.len(), 1);
    assert!(!pages[0].1.contains("href=\"class&#x2f;"));
}

#[test]
fn rendering_is_deterministic() {
    let a = pages(&fixtures::sample(), Lang::Zh);
    let b = pages(&fixtures::sample(), Lang::Zh);
    assert_eq!(a, b);
}

#[test]
fn template_labels_all_exist() {
    let keys: std::collections::BTreeSet<&str> = i18n::keys().collect();
    for (name, source) in render::TEMPLATES {
        let mut rest = *source;
        while let Some(start) = rest.find("t[\"") {
            let after = &rest[start + 3..];
            let end = after.find('"').expect("closing quote");
            assert!(keys.contains(&after[..end]), "{name}: unknown label {}", &after[..end]);
            rest = &after[end..];
        }
    }
}

#[test]
fn auto_escaping_is_on_for_the_templates() {
    // The renderer escapes whatever reaches {{ }}, whatever the template's name.
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("t.html", "{{ x }}").unwrap();
    let out = env.get_template("t.html").unwrap().render(minijinja::context! { x => "<b>&\"" }).unwrap();
    assert_eq!(out, "&lt;b&gt;&amp;&quot;");
    for (name, _) in render::TEMPLATES {
        assert!(name.ends_with(".html"));
    }
}

#[test]
fn hostile_titles_are_escaped_and_ids_stay_inside() {
    let data = fixtures::hostile();
    let pages = pages(&data, Lang::Zh);
    for (path, html) in &pages {
        assert_page(html);
        assert!(!html.contains("<script>alert(1)</script>"), "{}", path.display());
        let rel = path.to_string_lossy();
        assert!(!rel.contains(".."), "{rel}");
        assert!(path.components().count() <= 2, "{rel}");
    }
    let index = &pages[0].1;
    assert!(index.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The formula-like course title is text: quotes escaped, nothing to click.
    assert!(index.contains("=HYPERLINK(&quot;http:&#x2f;&#x2f;x&quot;"), "escaped in tables");
    assert!(!index.contains("HYPERLINK(\"http"), "raw quotes");
    let evil: Vec<&PathBuf> = pages.iter().map(|(p, _)| p).filter(|p| p.to_string_lossy().contains("evil")).collect();
    assert_eq!(evil.len(), 1);
    assert_eq!(evil[0], &Path::new(CLASS_DIR).join("%2E%2E%2F%2E%2E%2Fevil%2FK03.html"));
    // The link to it encodes the percent signs.
    assert!(index.contains("href=\"class&#x2f;%252E%252E%252F%252E%252E%252Fevil%252FK03.html\""));
}

#[test]
fn missing_tables_and_columns_say_so() {
    let mut data = fixtures::sample();
    data.indicators.remove("method_summary");
    data.indicators.remove("needs_match");
    let lt = data.indicators.get_mut("learning_by_class").unwrap();
    let _ = lt.drop_in_place("pre_mean").unwrap();
    data.warehouse.remove("trainee_outcomes");
    data.manifest = None;
    let v = view::annual(&data, &params(Lang::En));
    // Each says in words what is missing, never a table or column name.
    assert!(!v.methods.available);
    assert_eq!(
        v.methods.missing.as_deref(),
        Some("The learning gains by method have not been computed, so there is nothing to show here.")
    );
    assert!(!v.needs.available);
    assert!(!v.learning.available);
    let why = v.learning.missing.as_deref().unwrap();
    assert!(why.starts_with("The learning results by class come from an older version"), "{why}");
    for section in [&v.methods.missing, &v.needs.missing, &v.learning.missing] {
        let text = section.as_deref().unwrap();
        assert!(!text.contains('_'), "a code name in {text:?}");
    }
    assert!(!v.quality.available);
    assert!(v.transfer.available, "transfer does not need the trainee outcomes");
    for (_, html) in pages(&data, Lang::En) {
        assert_page(&html);
    }
    // Nothing at all still renders.
    let empty = ReportData { period: "2025".into(), ..ReportData::default() };
    for (_, html) in pages(&empty, Lang::Zh) {
        assert_page(&html);
    }
}

#[test]
fn suppressed_cells_never_reach_charts() {
    let v = view::annual(&fixtures::sample(), &params(Lang::Zh));
    let yaml = serde_json::to_string(&v).unwrap();
    // K06 (3 pairs) and the seminar method are suppressed: their titles appear in
    // tables but never as a chart label.
    for chart in v.charts() {
        let spec = serde_json::to_string(&chart.spec).unwrap();
        assert!(!spec.contains("党外干部专题研讨班"), "{}", chart.id);
        if chart.id == "methods-gain" {
            assert!(!spec.contains("\"label\":\"专题研讨\""), "the suppressed method is plotted");
        }
    }
    assert!(yaml.contains("党外干部专题研讨班"));
    // The compliance category below the cell size shows its n and nothing else.
    let c = v.compliance.data.as_ref().unwrap();
    let table = c.blocks.iter().find_map(|b| match b {
        view::Block::Table(t) => Some(t),
        _ => None,
    });
    let row = table.unwrap().rows.iter().find(|r| r.cells[0].text == "党外干部").unwrap();
    assert!(row.suppressed);
    assert_eq!(row.cells[1].text, "3");
    assert!(row.cells[2..].iter().all(|c| c.text == "—"));
}

#[test]
fn writes_the_report_directory_and_replaces_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixtures::sample();
    let s = write_reports(dir.path(), &data, &params(Lang::Zh), false).unwrap();
    assert_eq!(s.dir, dir.path().join("reports").join("2025"));
    assert_eq!(s.class_pages, 6);
    assert!(s.index.is_file());
    let stale = s.dir.join(CLASS_DIR).join("OLD.html");
    std::fs::write(&stale, "x").unwrap();
    let first = std::fs::read(&s.index).unwrap();
    let s2 = write_reports(dir.path(), &data, &params(Lang::Zh), false).unwrap();
    assert!(!stale.exists(), "a re-run leaves no stale page");
    assert_eq!(first, std::fs::read(&s2.index).unwrap(), "same data, same bytes");
    let listing = || {
        let mut v: Vec<String> = std::fs::read_dir(dir.path().join("reports"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    // The replaced report is kept aside, whole, until the next run removes it.
    let left = listing();
    assert_eq!(left.len(), 2, "{left:?}");
    assert_eq!(left[1], "2025");
    assert!(left[0].starts_with(".2025.old-"), "{left:?}");
    let aside = dir.path().join("reports").join(&left[0]);
    assert!(aside.join(CLASS_DIR).join("OLD.html").is_file(), "the previous report, intact");
    write_reports(dir.path(), &data, &params(Lang::Zh), false).unwrap();
    let again = listing();
    assert_eq!(again.len(), 2, "{again:?}");
    assert!(!aside.exists(), "the next run removed what the previous one kept aside");
    assert!(!again.iter().any(|n| n.contains(".tmp-")), "no staging directory left: {again:?}");
}

#[test]
fn export_writes_guarded_csv_and_xlsx() {
    use crate::export::labels::Labels;
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let ind = dir.path().join("indicators");
    std::fs::create_dir_all(&ind).unwrap();
    let mut df = fixtures::hostile().indicators.remove("cadre_scorecard").unwrap();
    let f = std::fs::File::create(ind.join("cadre_scorecard.parquet")).unwrap();
    polars::prelude::ParquetWriter::new(f).finish(&mut df).unwrap();
    let mut settings = crate::config::ScorecardSettings::default();
    settings.weights.compliance = 0.4;
    let labels = Labels::plain(Lang::Zh);
    let s = crate::export::assessment::export_assessment(dir.path(), &settings, &labels).unwrap();
    assert_eq!(s.rows, 150);

    // The CSV is for tools: canonical names and codes, guarded.
    let csv = std::fs::read_to_string(&s.csv).unwrap();
    assert!(csv.trim_start_matches('\u{feff}').starts_with("cadre_id,period,category,learning_z"), "{}", &csv[..100]);
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{}", &csv[..300]);
    assert!(csv.contains("'@SUM(A1)"));
    assert!(!csv.lines().any(|l| l.starts_with('=')));

    let mut wb: Xlsx<_> = open_workbook(&s.xlsx).unwrap();
    assert_eq!(wb.sheet_names(), ["评分表", "权重", "说明", "codes"]);
    let range = wb.worksheet_range("评分表").unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[..5], ["干部编号", "评估期", "干部类别", "学习成效（标准分）", "培训考核（标准分）"]);
    assert!(!header.iter().any(|h| h.contains('_')), "no code name heads a column: {header:?}");
    let mut guarded = 0;
    for row in range.rows().skip(1) {
        for cell in row {
            match cell {
                Data::String(s) if s.starts_with('\'') => guarded += 1,
                Data::String(s) => assert!(!crate::cells::needs_guard(s), "unguarded {s:?}"),
                Data::Float(_) | Data::Empty => {}
                other => panic!("unexpected cell {other:?}"),
            }
        }
    }
    assert_eq!(guarded, 2);
    let first = range.rows().nth(1).unwrap();
    assert_eq!(
        first[0],
        Data::String("'=HYPERLINK(\"http://x\")".into()),
        "sorted by cadre_id: the formula sorts first"
    );
    assert!(matches!(first[3], Data::Float(_) | Data::Empty));
    // Categories in words; numbers stay numbers, shown by an Excel format.
    let cats: std::collections::BTreeSet<String> = range.rows().skip(1).map(|r| r[2].to_string()).collect();
    assert!(cats.iter().all(|c| !c.contains('_')), "{cats:?}");
    let styles = wb.worksheet_style("评分表").unwrap();
    let format = |col: usize| {
        (1..=150).find_map(|r| {
            let v = range.get_value((r, col as u32))?;
            matches!(v, Data::Float(_))
                .then(|| styles.get((r, col as u32)).and_then(|s| s.number_format.clone()).map(|f| f.format_code))
        })
    };
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(format(at("学习成效（标准分）")), Some(Some("0.00".into())));
    assert_eq!(format(at("学时完成度")), Some(Some("0.0%".into())));
    assert_eq!(format(at("类别内百分位")), Some(Some("0".into())));
    // The weights travel with the scores, as configured, in both files.
    let w = wb.worksheet_range("权重").unwrap();
    let rows: Vec<Vec<String>> = w.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0], ["成分", "权重", "权重占比", "定义"]);
    let names: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["学习成效", "培训考核", "训后转化", "学时完成度", "分档", "不定档"]);
    assert_eq!(rows[4][1], "0.4");
    let share: f64 = rows[4][2].parse().unwrap();
    assert!((share - 0.4 / 1.25).abs() < 1e-12, "{share}");
    assert!(rows[5][3].contains("85、50、15"), "{}", rows[5][3]);
    assert_eq!(rows[6][1], "0.7");
    let wcsv = std::fs::read_to_string(&s.weights_csv).unwrap();
    assert!(wcsv.trim_start_matches('\u{feff}').starts_with("component,weight,weight_share,definition"), "{wcsv}");
    assert!(wcsv.contains("compliance,0.4,0.32,"), "{wcsv}");
    // The legend: every column of the scorecard sheet, the bands as configured, z-scores.
    let legend = wb.worksheet_range("说明").unwrap();
    let text: Vec<Vec<String>> = legend.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    for h in &header {
        assert!(text.iter().any(|r| &r[0] == h && !r[2].is_empty()), "{h} has no meaning in the legend");
    }
    assert!(text.iter().any(|r| r[0] == "档次 A" && r[2] == "类别内百分位 ≥ 85"), "{text:?}");
    assert!(text.iter().any(|r| r[0] == "档次 D" && r[2] == "类别内百分位 < 15"), "{text:?}");
    assert!(text.iter().any(|r| r[1] == "band_reason=low_reliability" && r[2].contains("0.7")), "{text:?}");
    assert!(text.iter().any(|r| r[0] == "标准分"));
    // The last sheet keeps the canonical names and codes, guarded as in the CSV.
    let codes = wb.worksheet_range("codes").unwrap();
    let head: Vec<String> = codes.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(head, df.get_column_names().iter().map(|c| c.to_string()).collect::<Vec<_>>());
    assert_eq!(codes.rows().nth(1).unwrap()[0], Data::String("'=HYPERLINK(\"http://x\")".into()));
    // Deterministic bytes.
    let again = crate::export::assessment::export_assessment(dir.path(), &settings, &labels).unwrap();
    assert_eq!(std::fs::read(&again.xlsx).unwrap(), std::fs::read(&s.xlsx).unwrap());
}

#[test]
fn export_without_scorecard_says_what_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let labels = crate::export::labels::Labels::plain(Lang::En);
    let e =
        crate::export::assessment::export_assessment(dir.path(), &Default::default(), &labels).unwrap_err().to_string();
    assert!(e.contains("run `traineval indicators` first"), "{e}");
}

/// Write the fixture's indicator tables as `OUT/indicators/<table>.parquet`.
pub(crate) fn write_indicators(out: &Path, data: &ReportData) {
    let ind = out.join(crate::layout::INDICATORS_DIR);
    std::fs::create_dir_all(&ind).unwrap();
    for (name, df) in &data.indicators {
        let mut df = df.clone();
        let f = std::fs::File::create(ind.join(format!("{name}.parquet"))).unwrap();
        polars::prelude::ParquetWriter::new(f).finish(&mut df).unwrap();
    }
}

#[test]
fn end_to_end_on_a_built_warehouse() {
    // generate → build → (fixture indicators) → report, through the public API.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let out = dir.path().join("out");
    let opts = crate::generate::GenerateOptions {
        out: input.clone(),
        cadres: 150,
        seed: 7,
        dirty: 0.0,
        format: crate::generate::OutputFormat::Canonical,
        year: 2025,
        ..crate::generate::GenerateOptions::new(&input, 150, 7)
    };
    crate::generate::generate(&opts).unwrap();
    let job = crate::init::load_job(&input, Some(&out)).unwrap();
    crate::pipeline::build(&job, &crate::pipeline::Silent).unwrap();
    write_indicators(&out, &fixtures::sample());
    let written = render_reports(&out, &job, &[Lang::En], false).unwrap();
    let s = &written[0];
    // English is not the pipeline's language: it goes beside the primary report.
    assert_eq!(s.index, out.join("reports/2025/en/index.html"));
    let html = std::fs::read_to_string(&s.index).unwrap();
    assert_page(&html);
    // Titles of the generated classes come from the warehouse.
    assert!(html.contains("培训班"), "class titles from the warehouse");
    assert!(html.contains("Rows by input"), "data quality from the manifest");
    assert!(s.class_pages >= 6);
    // Without indicators the command says what to run.
    std::fs::remove_dir_all(out.join("indicators")).unwrap();
    let e = render_reports(&out, &job, &[Lang::Zh], false).unwrap_err().to_string();
    assert!(e.contains("run `traineval indicators` first"), "{e}");
}

/// Render the fixture report into `$REPORT_DUMP` for a look in a browser.
#[test]
#[ignore]
fn dump_fixture_report() {
    let dir = std::env::var("REPORT_DUMP").expect("REPORT_DUMP");
    let lang = if std::env::var("REPORT_LANG").as_deref() == Ok("en") { Lang::En } else { Lang::Zh };
    let s = write_reports(Path::new(&dir), &fixtures::sample(), &params(lang), false).unwrap();
    eprintln!("{}", s.index.display());
    if let Ok(out) = std::env::var("REPORT_INDICATORS_OUT") {
        write_indicators(Path::new(&out), &fixtures::sample());
    }
}

mod browser;
mod reading;
mod transfer;

/// Rough timing at a province's scale: the fixture's classes repeated `REPEAT` times.
#[test]
#[ignore]
fn scale_smoke() {
    use polars::prelude::*;
    const REPEAT: usize = 400;
    let base = fixtures::sample();
    let grow = |df: &DataFrame| -> DataFrame {
        let mut out = df.clone();
        for k in 1..REPEAT {
            let mut part = df.clone();
            for name in ["class_id", "course_id", "cadre_id"] {
                if let Ok(c) = part.column(name) {
                    let v: Vec<Option<String>> =
                        c.str().unwrap().iter().map(|s| s.map(|s| format!("{s}-{k}"))).collect();
                    part.replace(name, Column::new(name.into(), v)).unwrap();
                }
            }
            out.vstack_mut(&part).unwrap();
        }
        out
    };
    let mut data = base.clone();
    for df in data.indicators.values_mut() {
        *df = grow(df);
    }
    for df in data.warehouse.values_mut() {
        *df = grow(df);
    }
    let t = std::time::Instant::now();
    let pages = render_pages(&data, &params(Lang::Zh)).unwrap();
    let bytes: usize = pages.iter().map(|(_, h)| h.len()).sum();
    eprintln!(
        "{} classes, {} outcome rows: {} pages, {} MB (index {} MB) in {:.1} s",
        6 * REPEAT,
        data.warehouse["trainee_outcomes"].height(),
        pages.len(),
        bytes / 1_000_000,
        pages[0].1.len() / 1_000_000,
        t.elapsed().as_secs_f64()
    );
}

#[test]
fn compliance_leaves_out_cadres_without_a_rule_or_a_complete_window() {
    use polars::prelude::*;
    let mut data = fixtures::sample();
    let df = data.indicators.get_mut("compliance").unwrap();
    let n = df.height();
    // The first 10 cadres have no rule; the next 20 a rolling window reaching before the data.
    let rule: Vec<String> = (0..n).map(|i| if i < 10 { "none".into() } else { "annual_5d".into() }).collect();
    let complete: Vec<bool> = (0..n).map(|i| !(10..30).contains(&i)).collect();
    let makeup: Vec<bool> = df
        .column("makeup_required")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, m)| m.unwrap_or(false) && !(10..30).contains(&i))
        .collect();
    df.replace("rule", Column::new("rule".into(), rule)).unwrap();
    df.replace("makeup_required", Column::new("makeup_required".into(), makeup)).unwrap();
    df.with_column(Column::new("window_complete".into(), complete)).unwrap();
    let v = view::annual(&data, &params(Lang::En));
    let body = v.compliance.data.as_ref().unwrap();
    assert!(
        body.findings.iter().any(|f| f.starts_with("10 more cadres have no hour requirement")),
        "{:?}",
        body.findings
    );
    assert!(body.findings.iter().any(|f| f.starts_with("20 more cadres fall under")), "{:?}", body.findings);
    let table = body.blocks.iter().find_map(|b| match b {
        view::Block::Table(t) => Some(t),
        _ => None,
    });
    let total = table.unwrap().rows.iter().find(|r| r.total).unwrap();
    // 150 cadres − 30 left out − 3 in the withheld category.
    assert_eq!(total.cells[1].text, "117");
}

/// Both renderings of `view` in `lang`: the Rust writer's and the template's.
fn class_page_both_ways(r: &render::Renderer, view: &view::ClassView, lang: Lang) -> (String, String) {
    let mut rust = Vec::new();
    r.class_page_into(view, lang, &mut rust).expect("rust");
    let mut tmpl = Vec::new();
    r.class_page_template_into(view, lang, &mut tmpl).expect("template");
    (String::from_utf8(rust).unwrap(), String::from_utf8(tmpl).unwrap())
}

/// A body with every piece the macros can print: terms, findings, a paragraph, a table
/// of more than 12 rows with glossed and numeric headers, links, code, strong and marked
/// cells, withheld and total rows, a note, and text that needs escaping.
fn every_piece(base: &view::Body) -> view::Body {
    use view::{Block, Cell, TableRow, TableView};
    let mut b = base.clone();
    b.intro.push("<b>a & b</b> 'x' / \"y\"".into());
    b.terms.push(view::glossary::Term { id: "effect_size", label: "d's <size>".into() });
    b.terms.push(view::glossary::Term { id: "ci", label: "CI".into() });
    b.findings.push("p < 0.05 & \"more\"".into());
    b.findings.push("second".into());
    let mut tv = TableView::new(
        "cap <&>".into(),
        &[("col.class_id", false), ("col.n_trained", true)],
        &i18n::Catalogue::new(Lang::En),
    );
    tv.headers[1].gloss = Some("n");
    for i in 0..14 {
        let mut row = TableRow {
            cells: vec![
                Cell::link(format!("c{i}/<x>"), (i % 3 == 0).then(|| format!("class/K{i}.html?a=1&b='2'"))),
                Cell::num(if i % 4 == 0 { "—".to_string() } else { format!("{i}.5") }).strong(i % 5 == 0),
            ],
            suppressed: i % 6 == 1,
            total: i == 12,
        };
        if i == 2 {
            row.cells[0] = Cell::code("path/to/file's.csv");
        }
        tv.push_row(row);
    }
    tv.has_suppressed = true;
    tv.note = Some("note: a/b".into());
    b.blocks.push(Block::Table(tv));
    let mut short = TableView::new("short".into(), &[("col.title", false)], &i18n::Catalogue::new(Lang::Zh));
    short.push(vec![Cell::text("only")], false);
    short.note = Some(String::new());
    b.blocks.push(Block::Table(short));
    b.blocks.push(Block::Para { text: "para <p>".into() });
    b
}

/// A class view with the pieces the fixtures' class pages may not use, in every section,
/// and one unavailable section.
fn every_piece_view() -> view::ClassView {
    let mut v = view::class_views(&fixtures::sample(), &params(Lang::En)).remove(0);
    v.title = "t </title> & 'q'".into();
    v.facts.push(view::Fact { label: "a/b".into(), value: "<1>".into() });
    for s in [&mut v.learning, &mut v.reaction, &mut v.transfer, &mut v.raters, &mut v.needs] {
        let b = every_piece(s.data.as_ref().unwrap_or(&view::Body::default()));
        *s = view::Section { available: true, missing: None, data: Some(b) };
    }
    v.needs = view::Section { available: false, missing: Some("none <here>".into()), data: None };
    v
}

#[test]
fn class_pages_written_in_rust_match_the_templates() {
    let r = render::Renderer::new().unwrap();
    let mut compared = 0;
    for data in [fixtures::sample(), fixtures::hostile()] {
        for lang in [Lang::Zh, Lang::En] {
            for min_cell in [1, 5, 30] {
                let p = RenderOptions { min_cell, ..params(lang) };
                for v in view::class_views(&data, &p) {
                    let (rust, tmpl) = class_page_both_ways(&r, &v, lang);
                    assert_eq!(rust, tmpl, "class {} in {lang:?}, min_cell {min_cell}", v.class_id);
                    compared += 1;
                }
            }
        }
    }
    assert!(compared >= 60, "{compared} pages compared");
    let v = every_piece_view();
    for lang in [Lang::Zh, Lang::En] {
        let (rust, tmpl) = class_page_both_ways(&r, &v, lang);
        assert!(rust.contains("<code>path&#x2f;to&#x2f;file&#x27;s.csv</code>"), "the synthetic table is drawn");
        assert_eq!(rust, tmpl);
    }
}

#[test]
fn escaping_matches_minijinja() {
    for s in ["", "plain", "<>&\"'/", "a<b>c&d\"e'f/g", "中文 / «»", "&amp;", "end/"] {
        let mut out = Vec::new();
        html::escape_into(&mut out, s);
        assert_eq!(String::from_utf8(out).unwrap(), minijinja::HtmlEscape(s).to_string(), "{s:?}");
    }
}
