//! Validation: typed parsing of source cells and the declared rules of every table.
//!
//! In: [`Source`](crate::ingest::Source) rows and the input spec (column and value maps).
//! Out: accepted rows as typed [`Value`]s handed to a sink, and a [`ValidationReport`]
//! with one [`Reject`] per rejected source row.
//! Guarantees (SPEC App. C.1–C.3, C.16–C.20): a row with any invalid cell is rejected
//! whole with its first failing reason in the order
//! truncated row → bad shape → missing → unknown id → not enrolled → bad date →
//! bad number/value → out of range → speeder, then duplicates among the rows that passed;
//! read = accepted + rejected + superseded. Before any row is read, [`check_headers`]
//! holds every input's header against its column mapping and required columns, and
//! reports every problem of the run at once (exit 2). Messages quote user text only
//! through [`display_safe`](crate::error::display_safe); the rejects keep the value as given.

mod cells;
pub mod coverage;
mod explain;
mod headers;
mod registry;
mod stats;
mod survey;
mod tables;

use std::collections::BTreeMap;

use serde::Serialize;

pub use cells::{parse_bool, parse_date, parse_datetime, CellRef, Value};
pub use explain::explain;
pub use headers::{check_headers, preflight};
pub use registry::Registry;
pub use stats::{MeanAcc, PerTrainee, RatingStats};
pub use survey::{ItemDef, SurveyOutput};
pub use tables::{input_columns, validate_input, ColumnRun, InputFile, InputOutcome, RegistryUpdates, RowSink};

/// Why a source row was rejected. The order of the variants is the order in which
/// failures are reported (the first failing reason wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The file ends inside a quoted field of the row: the row is cut off.
    TruncatedRow,
    /// The row has another number of fields than the header (more, or fewer).
    BadShape,
    /// A required cell is blank.
    MissingValue,
    /// A reference to a unit, cadre, class, course or teacher that does not exist.
    UnknownId,
    /// A survey or rating row for a cadre not enrolled in that class.
    NotEnrolled,
    /// A date that does not parse or is not on the calendar.
    BadDate,
    /// A number that does not parse (including NaN and infinities).
    BadNumber,
    /// A value outside the accepted vocabulary (category, method, boolean, …).
    BadValue,
    /// A number outside its allowed range, or an end before its start.
    OutOfRange,
    /// A survey completed faster than `speeder_seconds`.
    Speeder,
    /// A repeated key; the first row wins.
    DuplicateKey,
}

impl Reason {
    /// Every reason, in reporting order.
    pub const ALL: [Reason; 11] = [
        Reason::TruncatedRow,
        Reason::BadShape,
        Reason::MissingValue,
        Reason::UnknownId,
        Reason::NotEnrolled,
        Reason::BadDate,
        Reason::BadNumber,
        Reason::BadValue,
        Reason::OutOfRange,
        Reason::Speeder,
        Reason::DuplicateKey,
    ];

    /// Stable code used in `_rejects` and the manifest.
    pub fn code(self) -> &'static str {
        match self {
            Reason::TruncatedRow => "truncated_row",
            Reason::BadShape => "bad_shape",
            Reason::MissingValue => "missing_value",
            Reason::UnknownId => "unknown_id",
            Reason::NotEnrolled => "not_enrolled",
            Reason::BadDate => "bad_date",
            Reason::BadNumber => "bad_number",
            Reason::BadValue => "bad_value",
            Reason::OutOfRange => "out_of_range",
            Reason::Speeder => "speeder",
            Reason::DuplicateKey => "duplicate_key",
        }
    }
}

/// One rejected source row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reject {
    /// Input table name (`cadres`, `survey_pre`, …).
    pub table: String,
    /// Source file, relative to the pipeline file.
    pub file: String,
    /// 1-based source row number (CSV header = line 1).
    pub row: u64,
    /// Canonical name of the failing column.
    pub column: String,
    /// The failing cell as given (ids pseudonymised when a key is set); empty for a
    /// row-level reason (`truncated_row`, `bad_shape`), whose fields are not kept.
    pub value: String,
    pub reason: Reason,
    /// A sentence for people, user text in it escaped ([`crate::error::display_safe`]).
    pub message: String,
}

/// Counts for one input table (SPEC App. C.18).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TableCounts {
    /// Source rows read (blank rows excluded).
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Survey submissions replaced by a later one from the same cadre.
    pub superseded: u64,
    /// Rows written to the warehouse table(s) fed by this input.
    pub written: u64,
    /// Rejected rows by reason code.
    pub by_reason: BTreeMap<String, u64>,
}

impl TableCounts {
    /// Share of read rows that were rejected.
    pub fn reject_share(&self) -> f64 {
        if self.read == 0 {
            0.0
        } else {
            self.rejected as f64 / self.read as f64
        }
    }
}

/// The validation result of a whole job.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ValidationReport {
    /// Counts per input table.
    pub tables: BTreeMap<String, TableCounts>,
    /// Every rejected row, in input order.
    #[serde(skip)]
    pub rejects: Vec<Reject>,
    /// Problems that are not row rejects (ignored columns, skipped reference checks).
    pub warnings: Vec<String>,
}

impl ValidationReport {
    /// Append another input's report (inputs are disjoint tables).
    pub fn merge(&mut self, other: ValidationReport) {
        for (t, c) in other.tables {
            let mine = self.tables.entry(t).or_default();
            mine.read += c.read;
            mine.accepted += c.accepted;
            mine.rejected += c.rejected;
            mine.superseded += c.superseded;
            mine.written += c.written;
            for (r, n) in c.by_reason {
                *mine.by_reason.entry(r).or_default() += n;
            }
        }
        self.rejects.extend(other.rejects);
        self.warnings.extend(other.warnings);
    }

    /// Tables whose reject share exceeds `max_share`.
    pub fn over_tolerance(&self, max_share: f64) -> Vec<(String, f64)> {
        self.tables
            .iter()
            .filter(|(_, c)| c.reject_share() > max_share)
            .map(|(t, c)| (t.clone(), c.reject_share()))
            .collect()
    }

    /// Add a warning; user text in it is escaped ([`crate::error::display_safe`]).
    pub fn warn(&mut self, message: String) {
        self.warnings.push(crate::error::display_safe(&message).into_owned());
    }

    /// Record a reject and count it.
    pub fn reject(&mut self, r: Reject) {
        let c = self.tables.entry(r.table.clone()).or_default();
        c.rejected += 1;
        *c.by_reason.entry(r.reason.code().to_string()).or_default() += 1;
        self.rejects.push(r);
    }

    /// The report as plain text for the terminal; file names, columns and messages
    /// are escaped, so no cell or file name reaches the terminal as control codes.
    pub fn render_text(&self) -> String {
        self.render_text_shown(&|f: &str| f.to_string())
    }

    /// [`ValidationReport::render_text`] with each file (as recorded: relative to the
    /// pipeline file) shown as `shown` gives it — the path as the user would type it from
    /// where the command ran. A warning that starts with a recorded file is shown so too.
    pub fn render_text_shown(&self, shown: &dyn Fn(&str) -> String) -> String {
        use std::fmt::Write;
        let safe = crate::error::display_safe;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<20} {:>10} {:>10} {:>10} {:>10}  reasons",
            "input", "read", "accepted", "rejected", "superseded"
        );
        for (t, c) in &self.tables {
            let reasons: Vec<String> = c.by_reason.iter().map(|(r, n)| format!("{r}={n}")).collect();
            let _ = writeln!(
                s,
                "{:<20} {:>10} {:>10} {:>10} {:>10}  {}",
                t,
                c.read,
                c.accepted,
                c.rejected,
                c.superseded,
                reasons.join(" ")
            );
        }
        for w in &self.warnings {
            let w = match w.split_once(": ") {
                Some((file, rest)) if !file.contains(' ') && file.contains('.') => format!("{}: {rest}", shown(file)),
                _ => w.clone(),
            };
            let _ = writeln!(s, "warning: {}", safe(&w));
        }
        const SHOWN: usize = 20;
        if !self.rejects.is_empty() {
            let _ = writeln!(s, "first rejected rows:");
            for r in self.rejects.iter().take(SHOWN) {
                let file = shown(&r.file);
                let (file, message) = (safe(&file), safe(&r.message));
                // Row-level reasons (a cut row, a row of another width) have no column.
                let column = if r.column.is_empty() { String::new() } else { format!(" [{}]", safe(&r.column)) };
                let _ = writeln!(s, "  {file}:{}{column} {}: {message}", r.row, r.reason.code());
            }
            if self.rejects.len() > SHOWN {
                let _ = writeln!(s, "  … and {} more (see _rejects/)", self.rejects.len() - SHOWN);
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_listed_once_in_reporting_order() {
        // A new reason fails to compile here until it has its place in `ALL`.
        let place = |r: Reason| match r {
            Reason::TruncatedRow => 0,
            Reason::BadShape => 1,
            Reason::MissingValue => 2,
            Reason::UnknownId => 3,
            Reason::NotEnrolled => 4,
            Reason::BadDate => 5,
            Reason::BadNumber => 6,
            Reason::BadValue => 7,
            Reason::OutOfRange => 8,
            Reason::Speeder => 9,
            Reason::DuplicateKey => 10,
        };
        assert!(Reason::ALL.iter().enumerate().all(|(i, r)| place(*r) == i));
        assert!(Reason::ALL.windows(2).all(|w| w[0] < w[1]));
        let codes: Vec<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes[..2], ["truncated_row", "bad_shape"]);
        assert_eq!(codes.last(), Some(&"duplicate_key"));
    }

    #[test]
    fn the_text_report_escapes_what_it_quotes() {
        let mut r = ValidationReport::default();
        r.reject(Reject {
            table: "units".into(),
            file: "u\u{1b}[2J.csv".into(),
            row: 4,
            column: "kind".into(),
            value: "\u{1b}]0;x\u{7}".into(),
            reason: Reason::BadValue,
            message: "`kind` = \"\u{1b}]0;x\u{7}\"".into(),
        });
        r.reject(Reject {
            table: "units".into(),
            file: "u.csv".into(),
            row: 5,
            column: String::new(),
            value: String::new(),
            reason: Reason::BadShape,
            message: "row has 5 fields but the header has 4".into(),
        });
        r.warn("file\u{1b}[2J.csv: odd".into());
        let text = r.render_text();
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text}");
        assert!(text.contains("u\\u{1b}[2J.csv:4 [kind] bad_value: `kind` = \"\\u{1b}]0;x\\u{7}\""), "{text}");
        assert!(text.contains("warning: file\\u{1b}[2J.csv: odd"), "{text}");
        assert!(text.contains("  u.csv:5 bad_shape: row has 5 fields"), "{text}");
        // The reject itself keeps the value as given.
        assert_eq!(r.rejects[0].value, "\u{1b}]0;x\u{7}");
    }
}
