//! A [`Proposal`] as a commented pipeline file: every section with where its values
//! came from, what to check, and what could not be mapped. The text parses back to the
//! sections of the proposal (a test holds it to that).

use std::fmt::Write;

use super::{InputProposal, Proposal};
use crate::config::platform::{ColumnRef, PlatformConfig};
use crate::config::InputFormat;
use crate::schema::{col, TableKind, CATEGORIES, METHODS, RATER_ROLES, UNIT_KINDS};

/// A TOML string literal.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A TOML key: bare when it can be.
fn key(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        s.to_string()
    } else {
        q(s)
    }
}

fn column_ref(r: &ColumnRef) -> String {
    match r {
        ColumnRef::Question(n) => n.to_string(),
        ColumnRef::Header(h) => q(h),
    }
}

/// One-line text for a comment (no line breaks can end the comment early).
fn c(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// The pipeline file for `p`. `shown_dir` is the folder as the user typed it, for the
/// commands in the heading.
pub fn render(p: &Proposal, shown_dir: &str) -> String {
    let mut s = String::new();
    let dir = c(shown_dir);
    let _ = writeln!(s, "# traineval pipeline for the files of {dir}, proposed by `traineval init`.");
    let _ = writeln!(s, "# Check every line marked \"check\", then:");
    let _ = writeln!(s, "#   traineval validate --explain {dir}/pipeline.toml   (how each header is read)");
    let _ = writeln!(s, "#   traineval run {dir}/pipeline.toml");
    let _ = writeln!(s, "# Paths are relative to this file. Column maps read  canonical column = \"your header\";");
    let _ = writeln!(s, "# value maps read  \"your label\" = \"canonical value\". docs/guide.md explains every key.");
    let _ = writeln!(s);
    let _ = writeln!(s, "# period = \"2025\"            # default: the year of the latest class");
    let _ = writeln!(s, "out = \"out\"                  # warehouse/, indicators/ and reports/ go here");
    let _ = writeln!(s);
    let _ = writeln!(s, "[validation]");
    let _ = writeln!(
        s,
        "max_reject_share = 0.05      # share of an input's rows that may be rejected before a command stops (exit 1)"
    );
    for i in &p.inputs {
        let _ = writeln!(s);
        section(&mut s, i);
    }
    if !p.missing.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "# --- not found in this folder ---------------------------------------------");
        for m in &p.missing {
            let _ = writeln!(s, "# {}", c(&m.describe()));
        }
    }
    if !p.skipped.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "# --- files not used -------------------------------------------------------");
        for k in &p.skipped {
            let _ = writeln!(s, "# {}", c(k));
        }
    }
    s
}

fn section(s: &mut String, i: &InputProposal) {
    let name = &i.name;
    let _ = writeln!(s, "# --- {name} <- {} (recognised by {}) ---", c(&i.files.join(", ")), c(&i.why));
    if i.sheets.len() > 1 {
        let _ = writeln!(
            s,
            "# the workbook's sheets: {}; the data is on {}",
            c(&i.sheets.join(", ")),
            c(&q(i.spec.sheet.as_deref().unwrap_or("")))
        );
    }
    if let (Some(h), Some(t)) = (i.spec.header_row, &i.title) {
        let _ = writeln!(s, "# above the header (row {h}): {}", c(t));
    }
    for n in &i.notes {
        let _ = writeln!(s, "# check: {}", c(n));
    }
    if !i.missing_required.is_empty() {
        let _ = writeln!(
            s,
            "# check: no header found for the required column(s) {} — map them below (its headers: {})",
            i.missing_required.join(", "),
            c(&i.headers.join(", "))
        );
    }
    let _ = writeln!(s, "[inputs.{name}]");
    let _ = writeln!(s, "path = {}", q(&i.spec.path));
    if let Some(sh) = &i.spec.sheet {
        let _ = writeln!(s, "sheet = {}", q(sh));
    }
    if let Some(h) = i.spec.header_row {
        let _ = writeln!(s, "header_row = {h}");
    }
    if let Some(e) = &i.spec.encoding {
        let endings = if i.crlf { ", CRLF line endings" } else { "" };
        let _ = writeln!(s, "encoding = {}{}# detected{endings}", q(e), pad(e.len() + 2, 12));
    }
    if let Some(f) = &i.spec.date_format {
        let _ = writeln!(s, "date_format = {}{}# how the dates are written", q(f), pad(f.chars().count() + 2, 9));
    }
    if i.spec.format == InputFormat::Platform {
        let _ = writeln!(s, "format = \"platform\"          # a 问卷星 export");
        let _ = writeln!(s);
        platform(s, name, i);
        return;
    }
    if !i.spec.columns.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "[inputs.{name}.columns]");
        for (canonical, header) in &i.spec.columns {
            let note =
                if i.table == TableKind::Cadres && canonical == col::NAME { "    # dropped at ingest" } else { "" };
            let _ = writeln!(s, "{} = {}{note}", key(canonical), q(header));
        }
    }
    if !i.unmapped.is_empty() {
        let _ = writeln!(s, "# not used: {}", c(&i.unmapped.join(", ")));
    }
    let mut columns: Vec<&String> = i.spec.values.keys().chain(i.unknown_values.keys()).collect();
    columns.sort();
    columns.dedup();
    for column in columns {
        let _ = writeln!(s);
        let _ = writeln!(s, "[inputs.{name}.values.{}]", key(column));
        if let Some(map) = i.spec.values.get(column) {
            for (label, value) in map {
                let _ = writeln!(s, "{} = {}", q(label), q(value));
            }
        }
        if let Some(unknown) = i.unknown_values.get(column) {
            let vocab = match column.as_str() {
                col::CATEGORY | col::TARGET_CATEGORY => CATEGORIES,
                col::METHOD => METHODS,
                col::RATER_ROLE => RATER_ROLES,
                _ => UNIT_KINDS,
            };
            let _ = writeln!(s, "# check: these labels are not known; map each to one of {}", vocab.join(", "));
            for v in unknown {
                let _ = writeln!(s, "# {} = \"\"", c(&q(v)));
            }
        }
    }
}

fn pad(used: usize, width: usize) -> String {
    " ".repeat(width.saturating_sub(used).max(1) + 4)
}

fn platform(s: &mut String, name: &str, i: &InputProposal) {
    let cfg = i.spec.platform.clone().unwrap_or_default();
    let d = PlatformConfig::default();
    let header_of = |r: &ColumnRef| -> String {
        match r {
            ColumnRef::Question(n) => i
                .headers
                .iter()
                .find(|h| crate::ingest::platform::question_of(h) == Some(*n))
                .map(|h| format!("    # {}", c(h)))
                .unwrap_or_default(),
            ColumnRef::Header(_) => String::new(),
        }
    };
    let _ = writeln!(s, "[inputs.{name}.platform]");
    let _ = writeln!(s, "class_id = {}{}", column_ref(&cfg.class_id), header_of(&cfg.class_id));
    let mut rater = header_of(&cfg.cadre_id);
    if i.table == TableKind::CourseRatings {
        rater = if rater.is_empty() { "    # the rater".into() } else { format!("{rater} (the rater)") };
    }
    let _ = writeln!(s, "cadre_id = {}{rater}", column_ref(&cfg.cadre_id));
    if matches!(i.table, TableKind::Survey(_)) && cfg.items.is_empty() {
        let _ = writeln!(
            s,
            "first_item_question = {}{}    (the items follow in the order of `items`)",
            cfg.first_item_question,
            header_of(&ColumnRef::Question(cfg.first_item_question))
        );
    }
    if cfg.time_format != d.time_format {
        let _ = writeln!(s, "time_format = {}", q(&cfg.time_format));
    }
    if cfg.submitted_column != d.submitted_column {
        let _ = writeln!(s, "submitted_column = {}", q(&cfg.submitted_column));
    }
    if cfg.duration_column != d.duration_column {
        let _ = writeln!(s, "duration_column = {}", q(&cfg.duration_column));
    }
    if !cfg.items.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "[inputs.{name}.platform.items]    # item id = question number, found by the item's text");
        for (id, r) in &cfg.items {
            let _ = writeln!(s, "{} = {}{}", key(id), column_ref(r), header_of(r));
        }
    }
    if !i.unmapped.is_empty() {
        let _ = writeln!(s, "# not used: {}", c(&i.unmapped.join(", ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_strings_are_quoted_as_toml_needs() {
        assert_eq!(key("cadre_id"), "cadre_id");
        assert_eq!(key("县处级领导干部"), "\"县处级领导干部\"");
        let v: toml::Value = toml::from_str(&format!("{} = {}", key("键 a"), q("a\"b\\c'"))).unwrap();
        assert_eq!(v["键 a"].as_str(), Some("a\"b\\c'"));
        assert_eq!(c("a\nb"), "a b");
    }
}
