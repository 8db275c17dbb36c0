//! HTML from the templates: the view model, the labels of the report's language,
//! the SVG of each chart and the address of the stylesheet go into a minijinja context.
//!
//! Guarantees: HTML auto-escaping is on for every template (set explicitly, not
//! left to the file-name default); only the chart SVGs (escaped by the SVG backend)
//! are inserted unescaped; printing an undefined value is an error, so a misspelt
//! label cannot vanish silently. Every page links the one stylesheet of its report
//! directory ([`STYLE_FILE`], written beside `index.html`) by a relative address, so a
//! copied directory keeps its layout and 10⁴ class pages do not each carry it.

use std::collections::BTreeMap;

use minijinja::{context, AutoEscape, Environment, UndefinedBehavior, Value};

use super::charts::Chart;
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

/// The stylesheet of every page of a report.
pub const STYLESHEET: &str = include_str!("templates/style.css");
/// Its file name in the report directory (beside `index.html`; the templates address it
/// relatively, `../style.css` from a class page).
pub const STYLE_FILE: &str = "style.css";

/// The template environment, with what every page shares converted once.
pub struct Renderer {
    env: Environment<'static>,
    /// The catalogue of each language as a template value (Chinese, English): thousands
    /// of pages share it, so it is not rebuilt per page.
    labels: [Value; 2],
}

impl Renderer {
    pub fn new() -> Result<Renderer, ReportError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        for (name, source) in TEMPLATES {
            env.add_template(name, source).map_err(|e| template_err(name, e))?;
        }
        let labels = [Lang::Zh, Lang::En].map(|lang| Value::from_serialize(Catalogue::new(lang).labels()));
        Ok(Renderer { env, labels })
    }

    /// `index.html` of the annual report.
    pub fn annual(&self, view: &AnnualView, lang: Lang) -> Result<String, ReportError> {
        self.render("index.html", view, &view.charts(), lang)
    }

    /// One class page.
    pub fn class_page(&self, view: &ClassView, lang: Lang) -> Result<String, ReportError> {
        self.render("class.html", view, &view.charts(), lang)
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
        let labels = &self.labels[match lang {
            Lang::Zh => 0,
            Lang::En => 1,
        }];
        tmpl.render(context! { r => view, t => labels, svg => svg }).map_err(|e| template_err(name, e))
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
