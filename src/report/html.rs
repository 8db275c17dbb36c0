//! Class pages written from their view in Rust, without the template interpreter.
//!
//! In: a [`ClassView`], the labels of its language ([`ClassLabels`]), the minified
//! stylesheet, and the page buffer of a rendering worker.
//! Out: the bytes `class.html` (with `base.html` and the `section`, `body`, `chart`,
//! `table` and `footnotes` macros of `macros.html`) renders for the same view,
//! appended to the buffer.
//! Guarantees: the templates stay the reviewed source of the markup and the reference:
//! `report::tests::class_pages_written_in_rust_match_the_templates` renders the class
//! views of the fixtures both ways and requires the same bytes. Every text is escaped
//! as minijinja's HTML auto-escaping does (`<`, `>`, `&`, `"`, `'`, `/`); only the
//! chart SVGs and the stylesheet are written as they are, as the templates mark them
//! safe. A class page is 10⁴ times the same markup around different data, which is why
//! it is not interpreted page after page.

use std::collections::BTreeMap;

use super::charts::Chart;
use super::css::ClassPageVocab;
use super::view::{Block, Body, ClassView, Section, TableView};
use crate::error::ReportError;

/// The catalogue labels `class.html` and its macros print, in one language.
#[derive(Debug, Clone)]
pub(crate) struct ClassLabels {
    back: &'static str,
    facts: &'static str,
    learning: &'static str,
    reaction: &'static str,
    transfer: &'static str,
    raters: &'static str,
    needs: &'static str,
    table: &'static str,
    figure: &'static str,
    terms: &'static str,
    list_sep: &'static str,
}

impl ClassLabels {
    /// The labels from a language's catalogue; a key it lacks is an error, as printing
    /// an undefined label is in the templates.
    pub(crate) fn new(labels: &BTreeMap<&'static str, &'static str>) -> Result<ClassLabels, ReportError> {
        let get = |key: &str| {
            labels.get(key).copied().ok_or_else(|| ReportError::Render {
                what: "template class.html".into(),
                message: format!("label `{key}` is not in the catalogue"),
            })
        };
        Ok(ClassLabels {
            back: get("doc.back")?,
            facts: get("cls.facts")?,
            learning: get("cls.learning")?,
            reaction: get("cls.reaction")?,
            transfer: get("cls.transfer")?,
            raters: get("cls.raters")?,
            needs: get("cls.needs")?,
            table: get("doc.table")?,
            figure: get("doc.figure")?,
            terms: get("doc.terms")?,
            list_sep: get("doc.list_sep")?,
        })
    }
}

/// Append `s` HTML-escaped as minijinja's auto-escaping does.
pub(crate) fn escape_into(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep: &[u8] = match b {
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'&' => b"&amp;",
            b'"' => b"&quot;",
            b'\'' => b"&#x27;",
            b'/' => b"&#x2f;",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(rep);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// A page being written: raw markup and escaped text.
struct Page<'o> {
    out: &'o mut Vec<u8>,
}

impl Page<'_> {
    fn raw(&mut self, s: &str) -> &mut Self {
        self.out.extend_from_slice(s.as_bytes());
        self
    }
    fn text(&mut self, s: &str) -> &mut Self {
        escape_into(self.out, s);
        self
    }
}

/// Every element name and class a class page can hold: what this writer prints (the
/// markup of `class.html` and its macros) and what the chart backend draws
/// ([`super::charts::svg`]). The class page's stylesheet is the report's less the rules
/// that need anything else ([`super::css::trim`]);
/// `report::tests::class_pages_hold_only_the_vocabulary_their_stylesheet_is_trimmed_to`
/// checks rendered pages against it.
pub(crate) const CLASS_PAGE_VOCAB: ClassPageVocab = ClassPageVocab {
    tags: &[
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "p",
        "a",
        "header",
        "div",
        "h1",
        "h2",
        "section",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "table",
        "caption",
        "span",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "strong",
        "code",
        "sup",
        "footer",
        "svg",
        "rect",
        "path",
        "polyline",
        "polygon",
        "circle",
        "text",
    ],
    classes: &[
        "back",
        "muted",
        "facts",
        "na",
        "intro",
        "terms",
        "gloss",
        "findings",
        "para",
        "fig-no",
        "table-wrap",
        "keep",
        "no",
        "num",
        "suppressed",
        "total",
        "fn",
        "tnote",
        "chart",
    ],
};

/// The glossary's address from a class page (`g` in the macros).
const GLOSSARY: &str = "../index.html";

/// Append the class page of `view` to `out`: the bytes of `class.html`.
pub(crate) fn class_page(
    view: &ClassView,
    labels: &ClassLabels,
    css: &str,
    out: &mut Vec<u8>,
) -> Result<(), ReportError> {
    // The SVG of each chart by id, as the template's `svg` map: a repeated id prints the
    // chart drawn last under it.
    let charts = view.charts();
    let svgs: Vec<(&str, String)> =
        charts.iter().map(|c| Ok((c.id.as_str(), c.spec.render()?))).collect::<Result<_, ReportError>>()?;
    let p = &mut Page { out };
    p.raw("<!DOCTYPE html>\n<html lang=\"").text(view.lang).raw("\">\n<head>\n<meta charset=\"utf-8\">\n");
    p.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    p.raw("<meta name=\"generator\" content=\"traineval\">\n<title>").text(&view.title).raw("</title>\n<style>");
    p.raw(css).raw("</style>\n</head>\n<body>\n<main>\n");
    p.raw("\n<p class=\"back\"><a href=\"../index.html\">← ").text(labels.back).raw("</a></p>\n<header>\n");
    p.raw("<div class=\"muted\">").text(&view.subtitle).raw("</div>\n<h1>").text(&view.class_title);
    p.raw("</h1>\n</header>\n<section id=\"facts\">\n<h2>").text(labels.facts).raw("</h2>\n<dl class=\"facts\">\n");
    for f in &view.facts {
        p.raw("<div><dt>").text(&f.label).raw("</dt><dd>").text(&f.value).raw("</dd></div>\n");
    }
    p.raw("\n</dl>\n</section>\n");
    for (s, id, title) in [
        (&view.learning, "learning", labels.learning),
        (&view.reaction, "reaction", labels.reaction),
        (&view.transfer, "transfer", labels.transfer),
        (&view.raters, "raters", labels.raters),
        (&view.needs, "needs", labels.needs),
    ] {
        section(p, view, labels, &svgs, s, id, title);
        p.raw("\n");
    }
    p.raw("<footer>").text(&view.class_title).raw(" · ").text(&view.generated_by).raw("</footer>\n");
    p.raw("\n</main>\n</body>\n</html>");
    Ok(())
}

/// The `section` macro, with `g` the glossary, `level` "h2" and `class` "".
fn section(
    p: &mut Page<'_>,
    r: &ClassView,
    l: &ClassLabels,
    svgs: &[(&str, String)],
    s: &Section<Body>,
    id: &str,
    title: &str,
) {
    p.raw("<section id=\"").text(id).raw("\" class=\"\">\n<h2>").text(title).raw("</h2>\n");
    match (s.available, s.data()) {
        (true, Some(b)) => body(p, r, l, svgs, b),
        // The template prints the reason of an unavailable section (always set with it).
        _ => {
            p.raw("<p class=\"na\">").text(s.missing.as_deref().unwrap_or("none")).raw("</p>");
        }
    }
    p.raw("\n</section>");
}

/// The `body` macro.
fn body(p: &mut Page<'_>, r: &ClassView, l: &ClassLabels, svgs: &[(&str, String)], b: &Body) {
    for i in &b.intro {
        p.raw("<p class=\"intro\">").text(i).raw("</p>\n");
    }
    if !b.terms.is_empty() {
        p.raw("<p class=\"terms\">").text(l.terms);
        for (k, term) in b.terms.iter().enumerate() {
            p.raw("<a class=\"gloss\" href=\"").text(GLOSSARY).raw("#g-").text(term.id).raw("\">");
            p.text(&term.label).raw("</a>");
            if k + 1 < b.terms.len() {
                p.text(l.list_sep);
            }
        }
        p.raw("</p>\n");
    }
    if !b.findings.is_empty() {
        p.raw("\n<div class=\"findings\">");
        for f in &b.findings {
            p.raw("<p>").text(f).raw("</p>");
        }
        p.raw("</div>");
    }
    p.raw("\n");
    for block in &b.blocks {
        match block {
            Block::Chart(c) => chart(p, l, svgs, c),
            Block::Table(tv) => table(p, r, l, tv),
            Block::Para { text } => {
                p.raw("<p class=\"para\">").text(text).raw("</p>");
            }
        }
        p.raw("\n");
    }
}

/// The `chart` macro.
fn chart(p: &mut Page<'_>, l: &ClassLabels, svgs: &[(&str, String)], c: &Chart) {
    p.raw("<figure id=\"fig-").text(&c.id).raw("\">\n<div class=\"fig-no\">").text(l.figure).raw(" </div>\n");
    if let Some((_, svg)) = svgs.iter().rev().find(|(id, _)| *id == c.id) {
        p.raw(svg);
    }
    p.raw("\n");
    for n in &c.notes {
        p.raw("<figcaption>").text(n).raw("</figcaption>");
    }
    p.raw("\n</figure>");
}

/// The `table` macro (with the `footnotes` macro inside).
fn table(p: &mut Page<'_>, r: &ClassView, l: &ClassLabels, tv: &TableView) {
    p.raw(if tv.rows.len() <= 12 {
        "<div class=\"table-wrap keep\">\n<table>\n"
    } else {
        "<div class=\"table-wrap\">\n<table>\n"
    });
    p.raw("<caption><span class=\"no\">")
        .text(l.table)
        .raw(" </span>")
        .text(&tv.caption)
        .raw("</caption>\n<thead><tr>");
    for h in &tv.headers {
        p.raw(if h.num { "<th class=\"num\" scope=\"col\">" } else { "<th scope=\"col\">" });
        match h.gloss.filter(|g| !g.is_empty()) {
            Some(g) => {
                p.raw("<a class=\"gloss\" href=\"").text(GLOSSARY).raw("#g-").text(g).raw("\">");
                p.text(&h.text).raw("</a>");
            }
            None => {
                p.text(&h.text);
            }
        }
        p.raw("</th>");
    }
    p.raw("</tr></thead>\n<tbody>");
    for row in &tv.rows {
        p.raw(if row.suppressed {
            "\n<tr class=\"suppressed\">"
        } else if row.total {
            "\n<tr class=\"total\">"
        } else {
            "\n<tr>"
        });
        for c in &row.cells {
            p.raw(if c.num { "<td class=\"num\">" } else { "<td>" });
            if c.strong {
                p.raw("<strong>");
            }
            match c.href.as_deref().filter(|h| !h.is_empty()) {
                Some(href) => {
                    p.raw("<a href=\"").text(href).raw("\">").text(&c.text).raw("</a>");
                }
                None if c.code => {
                    p.raw("<code>").text(&c.text).raw("</code>");
                }
                None => {
                    p.text(&c.text);
                }
            }
            if c.strong {
                p.raw("</strong>");
            }
            if let Some(m) = c.mark.filter(|m| !m.is_empty()) {
                p.raw("<sup class=\"fn\">").text(m).raw("</sup>");
            }
            p.raw("</td>");
        }
        p.raw("</tr>");
    }
    p.raw("\n</tbody>\n</table>\n");
    if let Some(note) = tv.note.as_deref().filter(|n| !n.is_empty()) {
        p.raw("<p class=\"tnote\">").text(note).raw("</p>");
    }
    p.raw("\n");
    if tv.has_suppressed {
        p.raw("<p class=\"tnote\">").text(&r.suppressed_note).raw("</p>");
    }
    p.raw("\n");
    for k in &tv.marks {
        p.raw("<p class=\"tnote\"><sup class=\"fn\">").text(k).raw("</sup> ");
        // Every mark is a `Why`'s, and `footnotes` holds the sentence of each.
        if let Some(s) = r.footnotes.get(k) {
            p.text(s);
        }
        p.raw("</p>");
    }
    p.raw("\n</div>");
}
