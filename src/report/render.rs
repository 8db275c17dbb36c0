//! HTML from the templates: the view model, the labels of the report's language,
//! the SVG of each chart and the stylesheet go into a minijinja context.
//!
//! Guarantees: HTML auto-escaping is on for every template (set explicitly, not
//! left to the file-name default); only the chart SVGs (escaped by the SVG backend)
//! and the stylesheet are inserted unescaped; printing an undefined value is an
//! error, so a misspelt label cannot vanish silently.

use std::collections::BTreeMap;

use minijinja::{context, AutoEscape, Environment, UndefinedBehavior, Value};

use super::charts::Chart;
use super::html::{self, ClassLabels};
use super::i18n::{Catalogue, Lang};
use super::view::{AnnualView, ClassView};
use crate::error::ReportError;

/// Templates as (name, source); the names end in `.html`.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("index.html", include_str!("templates/index.html")),
    ("class.html", include_str!("templates/class.html")),
];

/// The stylesheet inlined in every page (SPEC §5: pages are self-contained).
pub(crate) const CSS: &str = include_str!("templates/style.css");

/// The stylesheet without its comments and indentation: every page carries it, and its
/// comments are for the people who edit it. Only whole `/* … */` comments and the
/// whitespace at line ends go (lines stay separate), so every rule reads as before; the
/// stylesheet has no string or `url()` that could hold a `/*`.
pub(crate) fn minify_css(css: &str) -> String {
    let mut bare = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        bare.push_str(&rest[..start]);
        rest = match rest[start + 2..].find("*/") {
            Some(end) => &rest[start + 2 + end + 2..],
            // An unclosed comment runs to the end of the stylesheet, as in a browser.
            None => "",
        };
    }
    bare.push_str(rest);
    bare.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

/// The stylesheet a class page inlines: the minified one less the rules that can match
/// nothing in a class page (the annual page inlines the whole of it), without the
/// whitespace a browser does not read ([`super::css::compact`]). Class pages are 10⁴
/// files of the same sheet, so every byte of it is written 10⁴ times; it is built once
/// per run.
pub(crate) fn class_page_css() -> String {
    super::css::compact(&super::css::trim(&minify_css(CSS), &html::CLASS_PAGE_VOCAB))
}

/// The template environment, with what every page shares converted once.
pub struct Renderer {
    env: Environment<'static>,
    /// The catalogue of each language as a template value (Chinese, English): thousands
    /// of pages share it, so it is not rebuilt per page.
    labels: [Value; 2],
    css: Value,
    /// What the class pages, written in Rust ([`super::html`]), print: the labels of
    /// each language (Chinese, English) and the minified stylesheet trimmed to the rules
    /// a class page can use ([`class_page_css`]).
    class_labels: [ClassLabels; 2],
    class_css: String,
}

impl Renderer {
    pub fn new() -> Result<Renderer, ReportError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        for (name, source) in TEMPLATES {
            env.add_template(name, source).map_err(|e| template_err(name, e))?;
        }
        let catalogues = [Lang::Zh, Lang::En].map(|lang| Catalogue::new(lang).labels());
        let labels = [Value::from_serialize(&catalogues[0]), Value::from_serialize(&catalogues[1])];
        let class_labels = [ClassLabels::new(&catalogues[0])?, ClassLabels::new(&catalogues[1])?];
        let css = Value::from(minify_css(CSS));
        Ok(Renderer { env, labels, css, class_labels, class_css: class_page_css() })
    }

    /// `index.html` of the annual report.
    pub fn annual(&self, view: &AnnualView, lang: Lang) -> Result<String, ReportError> {
        self.render("index.html", view, &view.charts(), lang)
    }

    /// One class page.
    pub fn class_page(&self, view: &ClassView, lang: Lang) -> Result<String, ReportError> {
        let mut out = Vec::new();
        self.class_page_into(view, lang, &mut out)?;
        String::from_utf8(out)
            .map_err(|e| ReportError::Render { what: "template class.html".into(), message: e.to_string() })
    }

    /// One class page, appended to `out`: a worker renders page after page into the
    /// same buffer instead of growing a new string for each. Written in Rust
    /// ([`super::html`]) with the bytes `class.html` gives.
    pub fn class_page_into(&self, view: &ClassView, lang: Lang, out: &mut Vec<u8>) -> Result<(), ReportError> {
        let labels = &self.class_labels[match lang {
            Lang::Zh => 0,
            Lang::En => 1,
        }];
        html::class_page(view, labels, &self.class_css, out)
    }

    /// One class page from the `class.html` template: the reference the Rust writer is
    /// tested against.
    #[cfg(test)]
    pub(crate) fn class_page_template_into(
        &self,
        view: &ClassView,
        lang: Lang,
        out: &mut Vec<u8>,
    ) -> Result<(), ReportError> {
        let name = "class.html";
        let svg = svgs(&view.charts())?;
        let tmpl = self.env.get_template(name).map_err(|e| template_err(name, e))?;
        let css = Value::from(self.class_css.as_str());
        tmpl.render_captured_to(context! { r => view, t => self.labels(lang), svg => svg, css => css }, out)
            .map(|_| ())
            .map_err(|e| template_err(name, e))
    }

    fn labels(&self, lang: Lang) -> &Value {
        &self.labels[match lang {
            Lang::Zh => 0,
            Lang::En => 1,
        }]
    }

    fn render<T: serde::Serialize>(
        &self,
        name: &str,
        view: &T,
        charts: &[&Chart],
        lang: Lang,
    ) -> Result<String, ReportError> {
        let svg = svgs(charts)?;
        let tmpl = self.env.get_template(name).map_err(|e| template_err(name, e))?;
        tmpl.render(context! { r => view, t => self.labels(lang), svg => svg, css => &self.css })
            .map_err(|e| template_err(name, e))
    }
}

fn svgs(charts: &[&Chart]) -> Result<BTreeMap<String, String>, ReportError> {
    charts.iter().map(|c| Ok((c.id.clone(), c.spec.render()?))).collect()
}

fn template_err(name: &str, e: minijinja::Error) -> ReportError {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    ReportError::Render { what: format!("template {name}"), message }
}
