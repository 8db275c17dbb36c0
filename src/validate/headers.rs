//! Header checks: does each file have the columns its input needs and its mapping names?
//!
//! In: a job (inputs, their column mappings) and each file's header row.
//! Out: nothing, or one error listing every problem of the run (exit 2):
//! - a mapping (`[inputs.<t>.columns] birth_year = "出生年月"`) that names a header the
//!   file does not have — without this check an optional column would read as all
//!   nulls and the build would pass;
//! - a mapping key that is not a column of the table (a misspelt key leaves the real
//!   column unmapped, so null);
//! - a required column the file lacks, or a column it has twice.
//!
//! Columns a file has beyond its table's are fine, and so is a missing optional column
//! that no mapping names. The same rules guard [`Layout`](super::tables::Layout) when a
//! file is read; [`check_headers`] applies them to every file first, reading headers only.

use std::path::Path;

use crate::config::{InputFormat, InputSpec, Job};
use crate::error::{Error, IngestError};
use crate::ingest;
use crate::warehouse::schema::{col, TableKind};

/// Check the header of every input file against its table and mapping before any row
/// is read, and report every problem at once. A file that cannot be read at all is
/// reported as it is (its own error and exit code). Survey-platform exports are mapped
/// by their own settings, checked when the export is read.
pub fn check_headers(job: &Job) -> Result<(), Error> {
    let mut problems = Vec::new();
    for input in &job.inputs {
        if input.spec.format == InputFormat::Platform {
            continue;
        }
        let (required, optional, complete) = match input.table {
            // Item columns are known only once `items` is read.
            TableKind::Survey(_) => (vec![col::CLASS_ID, col::CADRE_ID], vec![col::SUBMITTED_AT, col::DURATION_S], false),
            t => {
                let (r, o) = super::tables::columns_of(t, job);
                (r, o, true)
            }
        };
        for path in &input.files {
            let headers = ingest::read_headers(path, &input.spec)?;
            let cols = Columns { required: &required, optional: &optional, complete };
            problems.extend(header_problems(job, &input.name, path, &headers, &input.spec, &cols));
        }
    }
    match IngestError::headers(problems) {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
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
    let found = || {
        let shown: Vec<&str> = headers.iter().map(String::as_str).filter(|h| !h.is_empty()).take(40).collect();
        let more = headers.iter().filter(|h| !h.is_empty()).count().saturating_sub(shown.len());
        if more > 0 {
            format!("{}, … {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
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
        Job::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/canonical")), None).unwrap()
    }

    fn spec(map: &[(&str, &str)]) -> InputSpec {
        InputSpec { columns: map.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), ..InputSpec::default() }
    }

    fn problems(headers: &[&str], map: &[(&str, &str)]) -> Vec<String> {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let (r, o) = super::super::tables::columns_of(TableKind::Cadres, &job());
        let cols = Columns { required: &r, optional: &o, complete: true };
        header_problems(&job(), "cadres", Path::new("c.csv"), &headers, &spec(map), &cols).iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn every_mapped_header_must_be_in_the_file() {
        let h = ["干部编号", "干部类别", "出生年份"];
        let map = [("cadre_id", "干部编号"), ("category", "干部类别"), ("birth_year", "出生年月"), ("promoted_on", "任职时间")];
        let p = problems(&h, &map);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("birth_year = \"出生年月\"") && p[0].contains("its headers: 干部编号, 干部类别, 出生年份"), "{p:?}");
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
