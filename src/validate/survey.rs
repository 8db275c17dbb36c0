//! Survey inputs (`survey_<wave>`): wide rows as platforms export them → the long
//! `survey_responses`, `survey_choices` and per-scale `scale_scores`.
//!
//! Rules (SPEC App. A, C.3): a row needs a known class, a known cadre and an enrollment
//! of that cadre in that class; answers must lie in the item's [min, max]; rows faster
//! than `speeder_seconds` are rejected as `speeder`. Among valid rows, the latest
//! `submitted_at` per (class, cadre) wins (equal times: the later row) and the others
//! are counted as superseded. A scale score is the mean of the scale's items after
//! reverse-coding, rescaled to 0–100; more than half the items missing → no score.

use std::collections::BTreeMap;
use std::path::Path;

use super::cells::{parse_datetime, parse_f64, CellRef, RowCheck, Value};
use super::registry::Registry;
use super::tables::{ColumnRun, InputFile, Layout, RowSink, Slot};
use super::{Reason, ValidationReport};
use crate::config::{InputFormat, Job, ResolvedInput};
use crate::error::{ConfigError, Error, IngestError};
use crate::ingest::{self, platform::PlatformAdapter, Pass, Row};
use crate::schema::{col, TableKind, Wave};

/// A survey item as declared in `items`.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemDef {
    pub id: String,
    pub scale: String,
    /// `None` = every wave.
    pub wave: Option<Wave>,
    pub min: f64,
    pub max: f64,
    pub reverse: bool,
    pub kind: String,
}

impl ItemDef {
    pub fn is_topics(&self) -> bool {
        self.kind == "topics"
    }
    /// The answer on a 0–1 scale after reverse-coding.
    pub fn unit_score(&self, x: f64) -> f64 {
        let x = if self.reverse { self.min + self.max - x } else { x };
        (x - self.min) / (self.max - self.min)
    }
}

/// Summary of a survey input, for reports and tests.
#[derive(Debug, Default, Clone)]
pub struct SurveyOutput {
    pub respondents: u64,
}

/// A valid respondent row, kept compact until duplicates are resolved.
struct Rec {
    class: u32,
    cadre: u32,
    submitted: Option<i64>,
    duration: Option<f64>,
    /// Offset into the value array (one per item) and the topic array (one per
    /// multiple-choice item).
    at: usize,
    topics_at: usize,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn validate_survey_file(
    job: &Job,
    input: &ResolvedInput,
    (path, pass): (&Path, Pass),
    wave: Wave,
    reg: &Registry,
    report: &mut ValidationReport,
    sink: &mut dyn RowSink,
    progress: &dyn Fn(u64),
) -> Result<InputFile, Error> {
    let table = input.table.name();
    let display = job.display_path(path);
    let items: Vec<&ItemDef> = reg.items.iter().filter(|i| i.wave.is_none() || i.wave == Some(wave)).collect();
    if items.is_empty() {
        return Err(ConfigError::Invalid {
            path: job.source.clone(),
            message: format!("{display}: the `items` input declares no items for wave `{}`", wave.as_str()),
        }
        .into());
    }
    let item_ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
    let mut src = ingest::open_with(path, &input.spec, pass)?;
    let adapter = match (input.spec.format, &input.spec.platform) {
        (InputFormat::Platform, Some(cfg)) => Some(
            PlatformAdapter::new(&src.headers, cfg, &item_ids)
                .map_err(|e| IngestError::Format { path: path.to_path_buf(), message: e.to_string() })?,
        ),
        _ => None,
    };
    let headers = adapter.as_ref().map(|a| a.canonical_headers()).unwrap_or_else(|| src.headers.clone());
    let item_refs: Vec<&str> = item_ids.iter().map(String::as_str).collect();
    let mut optional = vec![col::SUBMITTED_AT, col::DURATION_S];
    optional.extend(item_refs.iter().copied());
    let layout =
        Layout::new(job, &input.name, path, &headers, &input.spec, &[col::CLASS_ID, col::CADRE_ID], &optional)?;
    let missing: Vec<&str> = item_refs.iter().copied().filter(|i| !layout.has(i)).collect();
    if !missing.is_empty() {
        report.warn(format!("{display}: item columns absent, answers taken as missing: {}", missing.join(", ")));
    }
    let known: Vec<&str> = [col::CLASS_ID, col::CADRE_ID, col::SUBMITTED_AT, col::DURATION_S]
        .into_iter()
        .chain(item_refs.iter().copied())
        .chain(input.spec.columns.values().map(String::as_str))
        .collect();
    let extra: Vec<&String> = headers.iter().filter(|h| !h.is_empty() && !known.contains(&h.as_str())).collect();
    if !extra.is_empty() && adapter.is_none() {
        let shown: Vec<&str> = extra.iter().take(10).map(|s| s.as_str()).collect();
        report.warn(format!("{display}: {} column(s) not in `items` ignored: {}", extra.len(), shown.join(", ")));
    }
    let speeder = job.settings.validation.speeder_seconds;
    let dt_format = input.spec.datetime_format.as_deref();

    let mut recs: Vec<Rec> = Vec::new();
    let mut values: Vec<f64> = Vec::new();
    // Only multiple-choice items have topics: a slot per answer of every item took
    // 24 bytes per answer of the wave, held until duplicates are resolved.
    let mut topics: Vec<Option<String>> = Vec::new();
    let topic_rank: Vec<Option<usize>> = items
        .iter()
        .scan(0usize, |n, it| {
            Some(it.is_topics().then(|| {
                *n += 1;
                *n - 1
            }))
        })
        .collect();
    // Item columns are resolved once, not looked up per cell.
    let item_slots: Vec<Slot<'_>> = items.iter().map(|i| layout.slot(&i.id)).collect();
    let [class_slot, cadre_slot, sub_slot, dur_slot] =
        [col::CLASS_ID, col::CADRE_ID, col::SUBMITTED_AT, col::DURATION_S].map(|c| layout.slot(c));
    let mut rows_read = 0u64;
    let (mut source_row, mut mapped_row) = (Row::new(), Row::new());
    while let Some(info) = src.next_row(&mut source_row)? {
        let cells = match &adapter {
            Some(a) => {
                let refs: Vec<&str> = source_row.iter().collect();
                mapped_row.clear();
                a.map_row(&refs).iter().for_each(|c| mapped_row.push_field(c));
                &mapped_row
            }
            None => &source_row,
        };
        rows_read += 1;
        if rows_read.is_multiple_of(super::tables::PROGRESS_EVERY) {
            progress(rows_read);
        }
        let mut rc = RowCheck::default();
        // The shape is the source row's, against the source header (before any mapping).
        rc.shape(info);
        let class_raw = Layout::cell(cells, &class_slot);
        let cadre_raw = Layout::cell(cells, &cadre_slot);
        let class = reg.class(&class_raw);
        // Found in the class's roster, the cadre is known and enrolled.
        let enrolled = class.and_then(|ci| reg.enrolled_cadre(ci, &cadre_raw));
        let cadre = enrolled.or_else(|| reg.cadre(&cadre_raw));
        for (c, raw, found, what) in [
            (col::CLASS_ID, &class_raw, class.is_some(), "class"),
            (col::CADRE_ID, &cadre_raw, cadre.is_some(), "cadre"),
        ] {
            if raw.is_empty() {
                rc.fail(Reason::MissingValue, c, "", || format!("`{c}` is required"));
            } else if !found {
                rc.fail(Reason::UnknownId, c, raw, || format!("unknown {what} `{raw}`"));
            }
        }
        if let (Some(ci), Some(di)) = (class, cadre) {
            if reg.has(TableKind::Enrollments) && enrolled.is_none() && !reg.is_enrolled(ci, di) {
                rc.fail(Reason::NotEnrolled, col::CADRE_ID, &cadre_raw, || {
                    format!("cadre `{cadre_raw}` is not enrolled in class `{class_raw}`")
                });
            }
        }
        let sub_raw = Layout::cell(cells, &sub_slot);
        let submitted = match parse_datetime(&sub_raw, dt_format) {
            Ok(v) => v,
            Err(r) => {
                rc.fail(r, col::SUBMITTED_AT, &sub_raw, || {
                    format!("`submitted_at` = \"{sub_raw}\" is not a date-time")
                });
                None
            }
        };
        let dur_raw = Layout::cell(cells, &dur_slot);
        let duration = match parse_f64(&dur_raw) {
            Ok(Some(d)) if d < 0.0 => {
                rc.fail(Reason::OutOfRange, col::DURATION_S, &dur_raw, || "`duration_s` is negative".into());
                None
            }
            Ok(v) => v,
            Err(r) => {
                rc.fail(r, col::DURATION_S, &dur_raw, || {
                    format!("`duration_s` = \"{dur_raw}\" is not a number of seconds")
                });
                None
            }
        };
        let (at, topics_at) = (values.len(), topics.len());
        for (item, slot) in items.iter().zip(&item_slots) {
            let raw = Layout::cell(cells, slot);
            if item.is_topics() {
                values.push(f64::NAN);
                topics.push((!raw.is_empty()).then(|| raw.into_owned()));
                continue;
            }
            match parse_f64(&raw) {
                Ok(None) => values.push(f64::NAN),
                Ok(Some(x)) if x < item.min || x > item.max => {
                    rc.fail(Reason::OutOfRange, &item.id, &raw, || {
                        format!("item `{}` = {x} is outside [{}, {}]", item.id, item.min, item.max)
                    });
                    values.push(f64::NAN);
                }
                Ok(Some(x)) => values.push(x),
                Err(r) => {
                    rc.fail(r, &item.id, &raw, || format!("item `{}` = \"{raw}\" is not a number", item.id));
                    values.push(f64::NAN);
                }
            }
        }
        if let Some(d) = duration {
            if speeder > 0.0 && d < speeder {
                rc.fail(Reason::Speeder, col::DURATION_S, &dur_raw, || {
                    format!("completed in {d} s, faster than the {speeder} s threshold")
                });
            }
        }
        match (rc.failure, class, cadre) {
            (None, Some(class), Some(cadre)) => recs.push(Rec { class, cadre, submitted, duration, at, topics_at }),
            (failure, _, _) => {
                values.truncate(at);
                topics.truncate(topics_at);
                let f = failure.unwrap_or(super::cells::Failure {
                    reason: Reason::MissingValue,
                    column: col::CLASS_ID.into(),
                    value: String::new(),
                    message: "row without class or cadre".into(),
                });
                super::tables::record_reject(report, reg, &table, &display, info.line, f);
            }
        }
    }
    progress(rows_read);
    // Read once, the file is known to be UTF-8 only at its end: before any of its rows
    // goes to the sink.
    let sha256 = src.sha256()?;

    // Latest submission per (class, cadre) wins; equal times: the later row.
    let mut winner: rustc_hash::FxHashMap<(u32, u32), usize> = Default::default();
    winner.reserve(recs.len());
    let mut superseded = 0u64;
    for (i, r) in recs.iter().enumerate() {
        match winner.get_mut(&(r.class, r.cadre)) {
            None => {
                winner.insert((r.class, r.cadre), i);
            }
            Some(w) => {
                superseded += 1;
                if r.submitted >= recs[*w].submitted {
                    *w = i;
                }
            }
        }
    }
    let mut keep: Vec<usize> = winner.into_values().collect();
    keep.sort_unstable();
    let counts = report.tables.entry(table.clone()).or_default();
    counts.read += rows_read;
    counts.superseded += superseded;
    counts.accepted += keep.len() as u64;
    if superseded > 0 {
        report.warn(format!("{display}: {superseded} earlier submission(s) superseded by a later one"));
    }

    // Scale names interned once here, not per respondent.
    let scales: BTreeMap<&'static str, Vec<usize>> =
        items.iter().enumerate().filter(|(_, it)| !it.is_topics()).fold(BTreeMap::new(), |mut m, (j, it)| {
            m.entry(super::tables::intern(&it.scale)).or_insert_with(Vec::new).push(j);
            m
        });
    let wave_s = wave.as_str();
    let mut written = 0u64;
    let item_syms: Vec<&'static str> = items.iter().map(|i| super::tables::intern(&i.id)).collect();
    // Row templates: ids are set once per respondent, then only the varying cells change.
    let mut choice_row = vec![Value::Null; 5];
    let mut score_row = vec![Value::Null; 6];
    // A respondent's answers, written as one run of rows (see `RowSink::push_rows`).
    let (mut answered_items, mut answers): (Vec<&'static str>, Vec<f64>) = (Vec::new(), Vec::new());
    // Respondents come class by class, but their cadres lie anywhere in the registry: each
    // output id is a cache miss (its `String`, then its bytes). A batch's ids are gathered,
    // and their first bytes read, in loops that do nothing else, so that the misses
    // overlap instead of each waiting for the one before.
    const BATCH: usize = 64;
    let mut cadre_ids: Vec<&str> = Vec::with_capacity(BATCH);
    for batch in keep.chunks(BATCH) {
        cadre_ids.clear();
        cadre_ids.extend(batch.iter().map(|&i| reg.cadre_out(recs[i].cadre)));
        std::hint::black_box(cadre_ids.iter().fold(0u8, |x, id| x ^ id.as_bytes().first().copied().unwrap_or(0)));
        for (&i, &cadre_id) in batch.iter().zip(&cadre_ids) {
            let r = &recs[i];
            let info = reg.class_info(r.class);
            let year = Some(info.year);
            for row in [&mut choice_row, &mut score_row] {
                set_str(&mut row[0], &info.id);
                set_str(&mut row[1], cadre_id);
                row[2] = Value::Sym(wave_s);
            }
            answered_items.clear();
            answers.clear();
            for j in 0..items.len() {
                let x = values[r.at + j];
                if !x.is_nan() {
                    answered_items.push(item_syms[j]);
                    answers.push(x);
                }
            }
            let runs = [
                ColumnRun::Same(CellRef::Str(&info.id)),
                ColumnRun::Same(CellRef::Str(cadre_id)),
                ColumnRun::Same(CellRef::Sym(wave_s)),
                ColumnRun::Syms(&answered_items),
                ColumnRun::Floats(&answers),
                ColumnRun::Same(r.submitted.map_or(CellRef::Null, CellRef::Datetime)),
                ColumnRun::Same(r.duration.map_or(CellRef::Null, CellRef::Float)),
            ];
            sink.push_rows(crate::schema::wh::SURVEY_RESPONSES, year, answers.len(), &runs)?;
            written += answers.len() as u64;
            for j in 0..items.len() {
                let topic = topic_rank[j].and_then(|k| topics.get(r.topics_at + k));
                if let Some(Some(t)) = topic {
                    choice_row[3] = Value::Sym(item_syms[j]);
                    for choice in t.split(['┋', '|']).map(str::trim).filter(|c| !c.is_empty()) {
                        choice_row[4] = Value::Str(choice.to_string());
                        sink.push(crate::schema::wh::SURVEY_CHOICES, year, &choice_row)?;
                    }
                }
            }
            for (scale, idx) in &scales {
                // Summed as they come, in item order, as the collected answers were: the same
                // bits, without a vector per scale and respondent.
                let mut answered = 0usize;
                let sum: f64 = idx
                    .iter()
                    .filter_map(|j| {
                        let x = values[r.at + j];
                        (!x.is_nan()).then(|| items[*j].unit_score(x))
                    })
                    .inspect(|_| answered += 1)
                    .sum();
                let score = (answered * 2 >= idx.len() && answered > 0).then(|| 100.0 * sum / answered as f64);
                score_row[3] = Value::Sym(scale);
                score_row[4] = score.map(Value::Float).unwrap_or(Value::Null);
                score_row[5] = Value::Int(answered as i64);
                sink.push(crate::schema::wh::SCALE_SCORES, year, &score_row)?;
            }
        }
    }
    report.tables.entry(table.clone()).or_default().written += written;
    Ok(InputFile { path: display, sha256, table, rows: rows_read, encoding: src.encoding })
}

/// Set a template cell to the string `s`, reusing its buffer (no allocation per
/// respondent once the templates have grown).
fn set_str(cell: &mut Value, s: &str) {
    match cell {
        Value::Str(buf) => {
            buf.clear();
            buf.push_str(s);
        }
        other => *other = Value::Str(s.to_string()),
    }
}
