//! `traineval validate --explain`: how each input file will be read, before any row is.
//!
//! In: a job. Out: plain text, per input: its files, how each is read (format,
//! encoding, sheet, header row), every header with the canonical column it feeds (or
//! that it is not used), the canonical columns no header feeds; then the inputs the job
//! lacks and the indicator tables each leaves empty ([`super::coverage`]).
//!
//! Guarantees: reads headers only (a platform export's mapping is compiled from its
//! header, as validation will); a file that cannot be read is listed with its error
//! instead of stopping the explanation; user text is escaped for the terminal.

use std::fmt::Write;

use crate::config::platform::{ColumnRef, PlatformConfig};
use crate::config::{InputFormat, Job, ResolvedInput};
use crate::error::display_safe;
use crate::ingest::platform::CourseRatingAdapter;
use crate::ingest::{self, sniff};
use crate::schema::{col, TableKind};

/// The explanation of every input of `job`, and of the inputs it lacks.
pub fn explain(job: &Job) -> String {
    let mut s = String::new();
    for input in &job.inputs {
        for path in &input.files {
            explain_file(&mut s, job, input, path);
        }
    }
    let missing = super::coverage::missing_inputs(job);
    if !missing.is_empty() {
        let _ = writeln!(s, "missing inputs:");
        for m in &missing {
            let _ = writeln!(s, "  {}", m.describe());
        }
    }
    s
}

fn explain_file(s: &mut String, job: &Job, input: &ResolvedInput, path: &std::path::Path) {
    let spec = &input.spec;
    let shown = crate::error::display_path(path);
    let _ = writeln!(s, "[inputs.{}] {shown}", display_safe(&input.name));
    let mut how: Vec<String> = Vec::new();
    if spec.format == InputFormat::Platform {
        how.push("a 问卷星 export".into());
    }
    match sniff::preview(path, spec.sheet.as_deref(), spec.encoding.as_deref(), 1) {
        Ok(p) if p.encoding != "spreadsheet" && p.encoding != "parquet" => {
            how.push(format!("{}{}", p.encoding, if p.crlf { ", CRLF" } else { "" }))
        }
        _ => {}
    }
    let sheets = sniff::sheet_names(path).unwrap_or_default();
    if !sheets.is_empty() {
        let sheet = spec.sheet.clone().or_else(|| sheets.first().cloned()).unwrap_or_default();
        how.push(format!("sheet \"{}\" of {}", display_safe(&sheet), display_safe(&sheets.join(", "))));
    }
    how.push(match spec.header_row {
        Some(h) => format!("header on row {h}"),
        None => "header on the first non-blank row".into(),
    });
    let _ = writeln!(s, "  read as: {}", how.join("; "));
    let headers = match ingest::read_headers(path, spec) {
        Ok(h) => h,
        Err(e) => {
            let _ = writeln!(s, "  cannot read its header: {e}");
            return;
        }
    };
    let lines = match (spec.format, input.table) {
        (InputFormat::Platform, TableKind::CourseRatings) => course_lines(job, &headers, spec.platform.as_ref()),
        (InputFormat::Platform, _) => survey_lines(&headers, spec.platform.as_ref()),
        _ => canonical_lines(job, input, &headers),
    };
    for l in lines {
        let _ = writeln!(s, "  {l}");
    }
}

/// `header → column` for a canonical (or mapped) layout, then the columns not found.
fn canonical_lines(job: &Job, input: &ResolvedInput, headers: &[String]) -> Vec<String> {
    let (req, opt) = match input.table {
        TableKind::Survey(_) => (vec![col::CLASS_ID, col::CADRE_ID], vec![col::SUBMITTED_AT, col::DURATION_S]),
        t => super::tables::columns_of(t, job),
    };
    let items: Vec<String> = match input.table {
        TableKind::Survey(_) => {
            headers.iter().filter(|h| !req.contains(&h.as_str()) && !opt.contains(&h.as_str())).cloned().collect()
        }
        _ => Vec::new(),
    };
    let source = |c: &str| input.spec.columns.get(c).cloned().unwrap_or_else(|| c.to_string());
    let mut out = Vec::new();
    for h in headers.iter().filter(|h| !h.is_empty()) {
        let column = req.iter().chain(&opt).find(|c| source(c) == *h);
        let line = match column {
            Some(c) if *c == h.as_str() => format!("{} → {c}", display_safe(h)),
            Some(c) => format!("{} → {c} (mapped)", display_safe(h)),
            None if items.contains(h) => {
                format!("{} → item `{}` (if `items` declares it)", display_safe(h), display_safe(h))
            }
            None => format!("{} → not used", display_safe(h)),
        };
        out.push(line);
    }
    let absent = |list: &[&str]| -> Vec<String> {
        list.iter().filter(|c| !headers.contains(&source(c))).map(|c| c.to_string()).collect()
    };
    let (r, o) = (absent(&req), absent(&opt));
    if !r.is_empty() {
        out.push(format!("required but not found: {}", r.join(", ")));
    }
    if !o.is_empty() {
        out.push(format!("optional, not in the file (left empty): {}", o.join(", ")));
    }
    out
}

fn question_header(headers: &[String], r: &ColumnRef) -> String {
    let hit = match r {
        ColumnRef::Question(n) => headers.iter().find(|h| crate::ingest::platform::question_of(h) == Some(*n)),
        ColumnRef::Header(x) => headers.iter().find(|h| h.contains(x.as_str())),
    };
    hit.map(|h| display_safe(h).into_owned()).unwrap_or_else(|| format!("({r}: not found)"))
}

fn survey_lines(headers: &[String], cfg: Option<&PlatformConfig>) -> Vec<String> {
    let d = PlatformConfig::default();
    let cfg = cfg.unwrap_or(&d);
    let mut out = vec![
        format!("{} → class_id", question_header(headers, &cfg.class_id)),
        format!("{} → cadre_id", question_header(headers, &cfg.cadre_id)),
    ];
    if !cfg.submitted_column.is_empty() {
        out.push(format!("{} → submitted_at (time format {})", display_safe(&cfg.submitted_column), cfg.time_format));
    }
    if !cfg.duration_column.is_empty() {
        out.push(format!("{} → duration_s", display_safe(&cfg.duration_column)));
    }
    for (id, r) in &cfg.items {
        out.push(format!("{} → item `{}`", question_header(headers, r), display_safe(id)));
    }
    out.push(format!("the other items: in the order of `items`, from question {} on", cfg.first_item_question));
    out
}

fn course_lines(job: &Job, headers: &[String], cfg: Option<&PlatformConfig>) -> Vec<String> {
    let d = PlatformConfig::default();
    let cfg = cfg.unwrap_or(&d);
    let mut out = vec![
        format!("{} → class_id", question_header(headers, &cfg.class_id)),
        format!("{} → rater_id (the trainee)", question_header(headers, &cfg.cadre_id)),
    ];
    let indicators = &job.settings.instrument.course_indicators;
    match CourseRatingAdapter::new(headers, cfg, indicators) {
        Ok(a) => {
            for c in a.courses() {
                for (k, at) in c.scores.iter().enumerate() {
                    if let Some(i) = at {
                        out.push(format!(
                            "{} → course \"{}\", {}",
                            display_safe(&headers[*i]),
                            display_safe(&c.label),
                            indicators[k]
                        ));
                    }
                }
            }
            for h in a.ignored() {
                out.push(format!("{} → not used", display_safe(h)));
            }
        }
        Err(e) => out.push(format!("cannot be mapped: {e}")),
    }
    out
}
