//! The glossary appendix: every term of art the report uses (d_z, Hake g, DiD, CI,
//! p and its adjustments, ICC, α/ω, "withheld", …) in plain words, and which table
//! columns and sections link to which entry.
//!
//! In: the catalogue (`gl.<id>.t` is the term, `gl.<id>.b` its explanation).
//! Out: [`GlossItem`]s in reading order for the appendix; for a column header key the
//! entry it links to ([`of_column`]); for a section, the entries its text relies on
//! ([`terms_of`]).
//! Guarantees: every id here has both catalogue keys (tested), so a link never points
//! at a missing entry; the anchor of entry `x` is `g-x` on the annual page.

use serde::Serialize;

use super::{Body, Ctx};

/// Entries in the order the appendix lists them.
pub(crate) const IDS: &[&str] = &[
    "ci",
    "p",
    "holm",
    "bh",
    "cluster",
    "deff",
    "dz",
    "hake",
    "wilcoxon",
    "ancova",
    "kruskal",
    "htz",
    "eta",
    "did",
    "event",
    "pretrend",
    "baseline",
    "attrition",
    "retention",
    "icc",
    "leniency",
    "alpha",
    "slope",
    "withheld",
];

/// One glossary entry.
#[derive(Debug, Clone, Serialize)]
pub struct GlossItem {
    pub id: &'static str,
    pub term: String,
    pub text: String,
}

/// A link from a section's text to a glossary entry.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    pub id: &'static str,
    pub label: String,
}

/// The glossary of the report, in the catalogue's language.
pub(super) fn build(ctx: &Ctx<'_>) -> Vec<GlossItem> {
    let cat = &ctx.cat;
    IDS.iter()
        .map(|&id| GlossItem {
            id,
            term: cat.get(&format!("gl.{id}.t")),
            text: cat.fmt(
                &format!("gl.{id}.b"),
                &[("min_cell", &ctx.params.min_cell), ("level", &ctx.level), ("alpha", &ctx.params.alpha)],
            ),
        })
        .collect()
}

/// The entry a column header (its catalogue key) links to.
pub(crate) fn of_column(key: &str) -> Option<&'static str> {
    Some(match key {
        "col.ci" | "col.ci_clustered" => "ci",
        "col.p" | "col.p_t" | "col.p_raw" => "p",
        "col.p_holm" | "col.conclusion" => "holm",
        "col.p_bh" => "bh",
        "col.design_effect" => "deff",
        "col.d_z" => "dz",
        "col.hake" => "hake",
        "col.p_w" => "wilcoxon",
        "col.effect" => "eta",
        "col.did" | "col.claim" => "did",
        "col.pretrend_p" => "pretrend",
        "col.baseline_g" => "baseline",
        "col.attrition" | "col.attrition_pair" | "col.wwc" => "attrition",
        "col.retention" => "retention",
        "col.icc1" | "col.icc2k" => "icc",
        "col.leniency" => "leniency",
        "col.alpha" | "col.omega" => "alpha",
        "col.slope" => "slope",
        _ => return None,
    })
}

/// Entries a section's sentences rely on beyond its columns.
fn section_terms(section: &str) -> &'static [&'static str] {
    match section {
        "headline" => &["ci", "cluster", "did"],
        "learning" => &["cluster", "bh"],
        "methods" => &["ancova", "kruskal", "htz", "cluster", "holm", "bh"],
        "transfer" => &["did", "event", "pretrend", "baseline", "attrition", "cluster"],
        "raters" => &["icc"],
        "trends" => &["cluster"],
        "results" => &["slope"],
        _ => &[],
    }
}

/// The entries a section links to: those its text names, then those of its columns,
/// each once, in glossary order; "withheld" when a table withholds a row.
pub(super) fn terms_of(section: &str, body: &Body, glossary: &[GlossItem]) -> Vec<Term> {
    let mut ids: Vec<&'static str> = section_terms(section).to_vec();
    for b in &body.blocks {
        if let super::Block::Table(t) = b {
            ids.extend(t.glosses());
            if t.has_suppressed || t.marks.contains(&super::Why::Withheld.mark()) {
                ids.push("withheld");
            }
        }
    }
    glossary.iter().filter(|g| ids.contains(&g.id)).map(|g| Term { id: g.id, label: g.term.clone() }).collect()
}
