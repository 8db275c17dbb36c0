//! Header checks: does each file have the columns its input needs and its mapping names?
//!
//! In: a job (inputs, their column mappings) and each file's header row.
//! Out: every problem of the run, each naming its file (exit 2):
//! - a mapping (`[inputs.<t>.columns] birth_year = "出生年月"`) that names a header the
//!   file does not have — without this check an optional column would read as all
//!   nulls and the build would pass;
//! - a mapping key that is not a column of the table (a misspelt key leaves the real
//!   column unmapped, so null);
//! - a required column the file lacks, or a column it has twice;
//! - a survey-platform export whose mapping does not fit it (a question that is not
//!   there, a course evaluation without course × indicator columns);
//! - a configured sheet the workbook does not have.
//!
//! A problem says how to fix it where the file shows how: a header further down than
//! the first row (a title above it: set `header_row`), the data on another sheet of
//! the workbook (set `sheet`, the sheets listed), a 问卷星 export read as canonical
//! columns (set `format = "platform"`).
//!
//! Columns a file has beyond its table's are fine, and so is a missing optional column
//! that no mapping names. The same rules guard [`Layout`](super::tables::Layout) when a
//! file is read; [`preflight`] applies them to every file first, reading headers only.

use std::path::Path;

use crate::config::{InputFormat, InputSpec, Job, ResolvedInput};
use crate::error::{ConfigError, Error, IngestError};
use crate::ingest::platform::{looks_like_export, CourseRatingAdapter, PlatformAdapter};
use crate::ingest::{self, sniff, Row};
use crate::schema::{col, TableKind, Wave};

/// Check the header of every input file against its table and mapping before any row
/// is read, and report every problem at once.
pub fn check_headers(job: &Job) -> Result<(), Error> {
    match Error::several(preflight(job)) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Every problem of the job's inputs that shows before a row is read: the items input
/// that surveys need, each file's header against its table and mapping, each platform
/// export against its mapping. A file that cannot be read at all is listed with its own
/// error (exit 3).
pub fn preflight(job: &Job) -> Vec<Error> {
    let mut problems: Vec<Error> = Vec::new();
    let has_surveys = job.inputs.iter().any(|i| matches!(i.table, TableKind::Survey(_)));
    if has_surveys && job.input(TableKind::Items).is_none() {
        problems.push(
            ConfigError::Invalid {
                path: job.source.clone(),
                message: "survey inputs need an `items` input that declares the items, scales and ranges \
                          (one row per question: item_id, scale, wave, text, min, max, reverse, kind)"
                    .into(),
            }
            .into(),
        );
    }
    let items = declared_items(job);
    for input in &job.inputs {
        for path in &input.files {
            let headers = match ingest::read_headers(path, &input.spec) {
                Ok(h) => h,
                Err(e) => {
                    problems.push(e.into());
                    continue;
                }
            };
            let found = file_problems(job, input, path, &headers, items.as_deref());
            problems.extend(found.into_iter().map(Error::from));
        }
    }
    problems
}

/// The problems of one file's header, the first carrying the fix when the file shows it.
fn file_problems(
    job: &Job,
    input: &ResolvedInput,
    path: &Path,
    headers: &[String],
    items: Option<&[(String, Option<Wave>)]>,
) -> Vec<IngestError> {
    let format_error =
        |e: &dyn std::fmt::Display| IngestError::Format { path: path.to_path_buf(), message: e.to_string() };
    if input.spec.format == InputFormat::Platform {
        let Some(cfg) = &input.spec.platform else { return Vec::new() };
        return match input.table {
            TableKind::CourseRatings => {
                CourseRatingAdapter::new(headers, cfg, &job.settings.instrument.course_indicators)
                    .err()
                    .map(|e| format_error(&e))
                    .into_iter()
                    .collect()
            }
            TableKind::Survey(wave) => {
                // Without `items` the adapter is checked when the export is read.
                let Some(items) = items else { return Vec::new() };
                let ids: Vec<String> =
                    items.iter().filter(|(_, w)| w.is_none() || *w == Some(wave)).map(|(id, _)| id.clone()).collect();
                PlatformAdapter::new(headers, cfg, &ids).err().map(|e| format_error(&e)).into_iter().collect()
            }
            _ => Vec::new(),
        };
    }
    let (required, optional, complete) = match input.table {
        // Item columns are known only once `items` is read.
        TableKind::Survey(_) => (vec![col::CLASS_ID, col::CADRE_ID], vec![col::SUBMITTED_AT, col::DURATION_S], false),
        t => {
            let (r, o) = super::tables::columns_of(t, job);
            (r, o, true)
        }
    };
    let cols = Columns { required: &required, optional: &optional, complete };
    let mut found = header_problems(job, &input.name, path, headers, &input.spec, &cols);
    if found.is_empty() {
        return found;
    }
    if matches!(input.table, TableKind::Survey(_) | TableKind::CourseRatings) && looks_like_export(headers) {
        // One problem, not one per missing column: the whole file is read the wrong way.
        let name = &input.name;
        let e = IngestError::Format {
            path: path.to_path_buf(),
            message: format!(
                "this looks like a 问卷星 export (its headers: {}), but [inputs.{name}] reads it as canonical columns",
                shown_headers(headers)
            ),
        };
        return vec![e.with_hint(format!(
            "add format = \"platform\" and an empty [inputs.{name}.platform] section (question 1 = class id, \
             question 2 = cadre id; `traineval init` proposes the mapping)"
        ))];
    }
    if let Some(hint) = layout_hint(job, input, path, &cols) {
        // The file is read at the wrong sheet or row: its other problems are the same
        // one, so they are folded into the first rather than listed each.
        let more = found.len() - 1;
        let first = found.remove(0);
        let hint = if more > 0 {
            format!("{hint} ({more} more mapped or required column(s) of this file are missing for the same reason)")
        } else {
            hint
        };
        return vec![first.with_hint(hint)];
    }
    found
}

/// Where the columns are when not where the input reads them: further down the sheet
/// or file (a title above the header), or on another sheet of the workbook.
fn layout_hint(job: &Job, input: &ResolvedInput, path: &Path, cols: &Columns<'_>) -> Option<String> {
    let fits = |spec: &InputSpec| -> bool {
        ingest::read_headers(path, spec)
            .is_ok_and(|h| header_problems(job, &input.name, path, &h, spec, cols).is_empty())
    };
    let sheets = sniff::sheet_names(path).unwrap_or_default();
    let current = input.spec.sheet.clone().or_else(|| sheets.first().cloned());
    // The configured sheet first, then the others.
    let mut order: Vec<Option<String>> = vec![current.clone()];
    order.extend(sheets.iter().filter(|s| Some(*s) != current.as_ref()).cloned().map(Some));
    for sheet in order {
        let preview = sniff::preview(path, sheet.as_deref(), input.spec.encoding.as_deref(), 20).ok()?;
        let Some(line) = sniff::guess_header_row(&preview.rows) else { continue };
        let mut spec = input.spec.clone();
        spec.sheet = sheet.clone();
        let first = preview.rows.first().map(|(l, _)| *l);
        spec.header_row = if Some(line) == first { None } else { Some(line) };
        if spec.header_row == input.spec.header_row && sheet == current {
            continue;
        }
        if !fits(&spec) {
            continue;
        }
        let unit = if sheets.is_empty() { "line" } else { "row" };
        let above = preview
            .rows
            .iter()
            .filter(|(l, _)| *l < line)
            .map(|(_, c)| c.iter().filter(|x| !x.is_empty()).cloned().collect::<Vec<_>>().join(" "))
            .next();
        let row_hint = spec.header_row.map(|h| match &above {
            Some(t) => format!("set header_row = {h} (the header is on {unit} {h}; above it: \"{t}\")"),
            None => format!("set header_row = {h} (the header is on {unit} {h})"),
        });
        return Some(match (sheet != current, row_hint) {
            (true, row) => format!(
                "the data is on sheet \"{}\" (the workbook's sheets: {}): set sheet = \"{}\"{}",
                sheet.clone().unwrap_or_default(),
                sheets.join(", "),
                sheet.unwrap_or_default(),
                row.map(|r| format!(" and {r}")).unwrap_or_default()
            ),
            (false, Some(row)) => row,
            (false, None) => continue,
        });
    }
    (sheets.len() > 1)
        .then(|| format!("the workbook's sheets are {}; set `sheet` to the one with the data", sheets.join(", ")))
}

/// A header row for a message: the first 40 named cells.
fn shown_headers(headers: &[String]) -> String {
    let shown: Vec<&str> = headers.iter().map(String::as_str).filter(|h| !h.is_empty()).take(40).collect();
    let more = headers.iter().filter(|h| !h.is_empty()).count().saturating_sub(shown.len());
    if more > 0 {
        format!("{}, … {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// (item id, wave) of every row of the job's `items` input, read through its mapping;
/// `None` when there is none or it cannot be read (its own check reports why).
fn declared_items(job: &Job) -> Option<Vec<(String, Option<Wave>)>> {
    let input = job.input(TableKind::Items)?;
    let mut out = Vec::new();
    for path in &input.files {
        let mut src = ingest::open(path, &input.spec).ok()?;
        let at = |c: &str| {
            let h = input.spec.columns.get(c).map(String::as_str).unwrap_or(c);
            src.headers.iter().position(|x| x == h)
        };
        let (id, wave) = (at(col::ITEM_ID)?, at(col::WAVE));
        let mut row = Row::new();
        while let Ok(Some(_)) = src.next_row(&mut row) {
            let item = row.get(id).unwrap_or("").trim().to_string();
            let w = wave.and_then(|w| row.get(w)).map(str::trim).unwrap_or("");
            if !item.is_empty() {
                out.push((item, Wave::from_name(w)));
            }
        }
    }
    Some(out)
}

/// The canonical columns of an input.
pub(super) struct Columns<'a> {
    pub required: &'a [&'a str],
    pub optional: &'a [&'a str],
    /// Whether these are all its columns (survey items are not known before `items`).
    pub complete: bool,
}

/// Every problem of one file's header (see the module doc), in a stable order: the
/// mapping's entries, then the table's columns.
pub(super) fn header_problems(
    job: &Job,
    input: &str,
    path: &Path,
    headers: &[String],
    spec: &InputSpec,
    cols: &Columns<'_>,
) -> Vec<IngestError> {
    let mut out = Vec::new();
    let named = |h: &str| headers.iter().any(|x| x == h);
    let found = || shown_headers(headers);
    let is_column = |c: &str| cols.required.contains(&c) || cols.optional.contains(&c);
    for (column, header) in &spec.columns {
        if cols.complete && !is_column(column) {
            let known: Vec<&str> = cols.required.iter().chain(cols.optional).copied().collect();
            out.push(IngestError::UnknownColumn {
                path: job.source.clone(),
                input: input.to_string(),
                column: column.clone(),
                known: known.join(", "),
            });
        } else if !named(header) {
            out.push(IngestError::MappedColumnMissing {
                path: path.to_path_buf(),
                input: input.to_string(),
                column: column.clone(),
                header: header.clone(),
                found: found(),
            });
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, want) in cols.required.iter().chain(cols.optional).enumerate() {
        let source = spec.columns.get(*want).map(String::as_str).unwrap_or(want);
        if seen.contains(&source) {
            continue;
        }
        seen.push(source);
        match headers.iter().filter(|h| h.as_str() == source).count() {
            // A mapped header that is absent was reported with its mapping above.
            0 if i < cols.required.len() && !spec.columns.contains_key(*want) => out.push(IngestError::MissingColumn {
                path: path.to_path_buf(),
                column: want.to_string(),
                found: found(),
            }),
            0 | 1 => {}
            _ => out.push(IngestError::DuplicateColumn { path: path.to_path_buf(), column: source.to_string() }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> Job {
        crate::init::load_job(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/canonical")), None).unwrap()
    }

    fn spec(map: &[(&str, &str)]) -> InputSpec {
        InputSpec { columns: map.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), ..InputSpec::default() }
    }

    fn problems(headers: &[&str], map: &[(&str, &str)]) -> Vec<String> {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let (r, o) = super::super::tables::columns_of(TableKind::Cadres, &job());
        let cols = Columns { required: &r, optional: &o, complete: true };
        header_problems(&job(), "cadres", Path::new("c.csv"), &headers, &spec(map), &cols)
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn every_mapped_header_must_be_in_the_file() {
        let h = ["干部编号", "干部类别", "出生年份"];
        let map = [
            ("cadre_id", "干部编号"),
            ("category", "干部类别"),
            ("birth_year", "出生年月"),
            ("promoted_on", "任职时间"),
        ];
        let p = problems(&h, &map);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p[0].contains("birth_year = \"出生年月\"") && p[0].contains("its headers: 干部编号, 干部类别, 出生年份"),
            "{p:?}"
        );
        assert!(p[1].contains("promoted_on = \"任职时间\""), "{p:?}");
        // Mapped right, nothing to say; extra columns and unmapped optional ones are fine.
        assert!(problems(&["干部编号", "干部类别", "colour"], &map[..2]).is_empty());
    }

    #[test]
    fn unknown_keys_missing_and_duplicated_columns() {
        let p = problems(&["cadre_id", "category", "出生年份"], &[("birth_yaer", "出生年份")]);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("`cadres` has no column `birth_yaer`") && p[0].contains("birth_year"), "{p:?}");
        let p = problems(&["category", "rank", "rank"], &[]);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("required column `cadre_id`"), "{p:?}");
        assert!(p[1].contains("`rank` appears more than once"), "{p:?}");
        // A mapped required column that is absent is reported once, as a mapping.
        let p = problems(&["category"], &[("cadre_id", "编号")]);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("cadre_id = \"编号\""), "{p:?}");
    }
}
