//! `traineval init DIR`: a pipeline file proposed for a folder of office files, and the
//! same inference for the directory mode (`traineval run DIR`).
//!
//! In: a directory of CSV (UTF-8 or GBK, CRLF or LF), XLSX and Parquet files as an
//! office has them: Chinese headers, a title row above the header, the data on a
//! second sheet, 问卷星 exports of surveys and of course evaluations.
//! Out: a [`Proposal`] — one [`InputProposal`] per input table found, each with the
//! section it needs (`path`, `sheet`, `header_row`, `encoding`, `format`, column map,
//! value maps, date formats, platform mapping) and what could not be mapped — rendered
//! as a commented TOML file ([`render`]) or turned into a pipeline directly ([`infer`]).
//!
//! How a file is recognised, in order: a stem that names a table (`cadres.csv`); words
//! in the file name ([`aliases::TABLE_WORDS`], e.g. 花名册, 课程评估, 培训前); the
//! headers (the table whose required columns they name). How a column is mapped: a
//! header that is the canonical name, then one that is a known word for it, then one that
//! contains such a word ([`aliases::COLUMN_WORDS`]); each header maps to one column.
//!
//! Guarantees: a file whose headers are already canonical gets an empty mapping and no
//! option beyond its path (the canonical directory reads exactly as before); nothing is
//! written here (the caller writes the rendered text); every file of the folder is
//! either used or listed in [`Proposal::skipped`] with the reason; reading a file is
//! bounded (a preview of its first rows, and at most [`SCAN_ROWS`] rows to collect the
//! values of mapped columns).

mod aliases;
mod render;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use render::render;

use crate::config::platform::{ColumnRef, PlatformConfig};
use crate::config::{InputFormat, InputSpec, InstrumentSettings, Job, PipelineFile};
use crate::error::ConfigError;
use crate::error::IngestError;
use crate::ingest::platform::{self, CourseRatingAdapter};
use crate::ingest::sniff::{self, Preview};
use crate::ingest::{self, Row};
use crate::schema::{col, TableKind, Wave};
use crate::validate::coverage::{missing_inputs_of, MissingInput};

/// Rows previewed per file or sheet to find the header and the layout.
const PREVIEW_ROWS: usize = 30;
/// Rows read at most from a mapped file to collect the values of its choice and date
/// columns (a roster's categories, a class list's methods).
pub const SCAN_ROWS: usize = 50_000;

/// A proposed pipeline for a folder.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub dir: PathBuf,
    pub inputs: Vec<InputProposal>,
    /// Files not used, each with the reason (`name: why`).
    pub skipped: Vec<String>,
    /// Inputs the folder lacks and what each leaves empty.
    pub missing: Vec<MissingInput>,
}

/// One input table as proposed.
#[derive(Debug, Clone)]
pub struct InputProposal {
    /// `[inputs.<name>]`.
    pub name: String,
    pub table: TableKind,
    /// The files (names relative to the folder); several when a glob reads them all.
    pub files: Vec<String>,
    /// The section: path, options, column and value maps, platform mapping.
    pub spec: InputSpec,
    /// How the table was recognised (`file name`, `headers`).
    pub why: String,
    /// A workbook's sheets.
    pub sheets: Vec<String>,
    /// Text above the header row (a title), when the header is not the first row.
    pub title: Option<String>,
    /// The header cells as read.
    pub headers: Vec<String>,
    /// Headers used for nothing.
    pub unmapped: Vec<String>,
    /// Required columns no header was found for.
    pub missing_required: Vec<String>,
    /// Values of a choice column that are neither canonical nor a known label.
    pub unknown_values: BTreeMap<String, Vec<String>>,
    /// Things to check, one sentence each.
    pub notes: Vec<String>,
    /// The line endings are CRLF (shown in the comment; nothing to configure).
    pub crlf: bool,
    /// The previewed rows below the header.
    rows: Vec<Vec<String>>,
}

/// A pipeline inferred for the directory mode.
#[derive(Debug, Clone)]
pub struct Inferred {
    pub file: PipelineFile,
    /// Files not used, with the reason.
    pub skipped: Vec<String>,
}

/// Load a pipeline file, a folder holding one, or a folder of files without one (the
/// directory mode: the layout inferred by [`infer`], canonical files by their names,
/// others by their headers). As [`Job::load_lenient`]: the problems of single inputs and
/// settings come back beside the job.
pub fn load_job_lenient(path: &Path, out: Option<&Path>) -> Result<(Job, Vec<ConfigError>), ConfigError> {
    if !path.is_dir() || path.join(crate::config::PIPELINE_FILE_NAME).is_file() {
        return Job::load_lenient(path, out);
    }
    let inferred =
        infer(path).map_err(|e| ConfigError::Invalid { path: path.to_path_buf(), message: e.to_string() })?;
    for note in &inferred.skipped {
        tracing::warn!("{}", crate::error::display_safe(note));
    }
    if inferred.file.inputs.is_empty() {
        return Err(ConfigError::Invalid {
            path: path.to_path_buf(),
            message: "no input files found (expected units.csv, cadres.csv, classes.csv, …, \
                      or office files that `traineval init` can map)"
                .into(),
        });
    }
    Ok(Job::of_inferred_folder(path, inferred.file, out))
}

/// [`load_job_lenient`], every problem reported at once.
pub fn load_job(path: &Path, out: Option<&Path>) -> Result<Job, ConfigError> {
    let (job, problems) = load_job_lenient(path, out)?;
    match ConfigError::several(problems) {
        Some(e) => Err(e),
        None => Ok(job),
    }
}

/// Infer the pipeline of a directory (the directory mode): [`propose`], taken as is.
pub fn infer(dir: &Path) -> Result<Inferred, IngestError> {
    let p = propose(dir)?;
    Ok(Inferred { file: p.pipeline(), skipped: p.skipped })
}

impl Proposal {
    /// The pipeline file these sections make (every other setting at its default).
    pub fn pipeline(&self) -> PipelineFile {
        let inputs = self.inputs.iter().map(|i| (i.name.clone(), i.spec.clone())).collect();
        PipelineFile { inputs, ..PipelineFile::default() }
    }
}

/// What a first look at one file found.
struct Look {
    file: String,
    path: PathBuf,
    sheets: Vec<String>,
    sheet: Option<String>,
    preview: Preview,
    header_line: Option<usize>,
    /// The header row is not the first non-blank row (a title above it).
    header_row: Option<usize>,
    headers: Vec<String>,
    export: bool,
}

/// Look at every file of `dir` and propose the inputs.
pub fn propose(dir: &Path) -> Result<Proposal, IngestError> {
    let instrument = InstrumentSettings::default();
    let entries = std::fs::read_dir(dir).map_err(|e| ingest::io_error(dir, e))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    paths.sort();
    let mut skipped = Vec::new();
    let mut found: Vec<(TableKind, String, Look)> = Vec::new();
    for path in paths {
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if file.starts_with('.')
            || file.starts_with("~$")
            || file.starts_with('_')
            || file == crate::config::PIPELINE_FILE_NAME
        {
            continue;
        }
        if ingest::kind_of(&path).is_err() {
            let ext = path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
            skipped.push(format!("{file}: not a table file (.{ext}); inputs are .csv, .xlsx, .xls or .parquet"));
            continue;
        }
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let named = TableKind::from_name(&stem);
        let look = match (look_at(&path, &file), named) {
            (Ok(l), _) => l,
            // A file named after its table is that table's even when it cannot be read
            // here: reading it reports why, as it would without `init`.
            (Err(_), Some(_)) => Look::unread(&path, &file),
            (Err(e), None) => {
                skipped.push(format!("{file}: cannot be read ({e})"));
                continue;
            }
        };
        match (named, recognise(&look, &instrument)) {
            (Some(t), _) => found.push((t, "its name".into(), look)),
            (None, Ok((table, why))) => found.push((table, why, look)),
            (None, Err(why)) => skipped.push(format!("{file}: {why}")),
        }
    }
    // One input per table: files of the same layout are read together through a glob.
    let mut inputs: Vec<InputProposal> = Vec::new();
    let mut by_table: BTreeMap<usize, Vec<(String, Look)>> = BTreeMap::new();
    let mut order: Vec<TableKind> = Vec::new();
    for (table, why, look) in found {
        if !order.contains(&table) {
            order.push(table);
        }
        by_table.entry(table.order()).or_default().push((why, look));
    }
    order.sort_by_key(|t| t.order());
    for table in order {
        let Some(mut group) = by_table.remove(&table.order()) else { continue };
        // Files named after the table are its files; others found for it are not read.
        let named = |l: &Look| {
            Path::new(&l.file).file_stem().is_some_and(|s| TableKind::from_name(&s.to_string_lossy()) == Some(table))
        };
        if group.iter().any(|(_, l)| named(l)) {
            let (keep, other): (Vec<_>, Vec<_>) = group.into_iter().partition(|(_, l)| named(l));
            for (_, l) in other {
                skipped.push(format!(
                    "{}: file name does not name a table; its headers are those of `{}`, which {} gives",
                    l.file,
                    table.name(),
                    keep[0].1.file
                ));
            }
            group = keep;
        }
        let (why, first) = &group[0];
        let same: Vec<&Look> = group
            .iter()
            .map(|(_, l)| l)
            // Course evaluations differ in their courses from class to class; each file's
            // columns are mapped by its own header, so one section reads them all.
            .filter(|l| {
                let evaluations = table == TableKind::CourseRatings && l.export && first.export;
                let unread = l.headers.is_empty() && first.headers.is_empty();
                evaluations
                    || unread
                    || (l.headers == first.headers && l.sheet == first.sheet && l.header_row == first.header_row)
            })
            .collect();
        let names: Vec<String> = same.iter().map(|l| l.file.clone()).collect();
        let pattern = if names.len() > 1 { glob_for(dir, &names) } else { None };
        let files = if pattern.is_some() { names.clone() } else { vec![first.file.clone()] };
        for (_, l) in &group {
            if !files.contains(&l.file) {
                skipped.push(format!(
                    "{}: a second file for `{}` (its layout differs from {}); merge the two or give it a section of its own",
                    l.file,
                    table.name(),
                    first.file
                ));
            }
        }
        let mut p = base_proposal(table, why, first, &instrument);
        p.files = files;
        if let Some(pat) = pattern {
            p.spec.path = pat;
        }
        inputs.push(p);
    }
    // Surveys and course evaluations need what the other inputs hold (item texts,
    // course titles), so their platform mappings are proposed last.
    let items = read_items(dir, &inputs);
    let titles = read_course_titles(dir, &inputs);
    for p in inputs.iter_mut() {
        if p.spec.format == InputFormat::Platform {
            match p.table {
                TableKind::Survey(w) => propose_survey(p, &items, w),
                TableKind::CourseRatings => propose_course_ratings(p, &titles, &instrument),
                _ => {}
            }
        }
    }
    let present: Vec<TableKind> = inputs.iter().map(|i| i.table).collect();
    Ok(Proposal { dir: dir.to_path_buf(), inputs, skipped, missing: missing_inputs_of(&present) })
}

impl Look {
    /// A file that could not be previewed: read as it is, with no option.
    fn unread(path: &Path, file: &str) -> Look {
        Look {
            file: file.to_string(),
            path: path.to_path_buf(),
            sheets: Vec::new(),
            sheet: None,
            preview: Preview::default(),
            header_line: None,
            header_row: None,
            headers: Vec::new(),
            export: false,
        }
    }
}

/// Preview a file (each sheet of a workbook, taking the one that holds a table) and
/// find its header row.
fn look_at(path: &Path, file: &str) -> Result<Look, IngestError> {
    let sheets = sniff::sheet_names(path)?;
    let candidates: Vec<Option<String>> =
        if sheets.is_empty() { vec![None] } else { sheets.iter().cloned().map(Some).collect() };
    let mut best: Option<(usize, Look)> = None;
    for sheet in candidates {
        let preview = sniff::preview(path, sheet.as_deref(), None, PREVIEW_ROWS)?;
        let clean = |l: usize| -> Vec<String> {
            sniff::row_at(&preview, l).iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_string()).collect()
        };
        let first_line = preview.rows.first().map(|(l, _)| *l);
        // The first row is the header unless a later one names more columns: a file
        // already laid out canonically keeps reading from its first row.
        let header_line = match (first_line, sniff::guess_header_row(&preview.rows)) {
            (Some(f), Some(g))
                if g != f
                    && layout_score(&clean(g)) + usize::from(platform::looks_like_export(&clean(g))) * 100
                        <= layout_score(&clean(f)) + usize::from(platform::looks_like_export(&clean(f))) * 100 =>
            {
                Some(f)
            }
            (f, g) => g.or(f),
        };
        let headers = header_line.map(clean).unwrap_or_default();
        let header_row = header_line.filter(|l| Some(*l) != first_line);
        let export = platform::looks_like_export(&headers);
        let score = layout_score(&headers) + if export { 100 } else { 0 };
        let look = Look {
            file: file.to_string(),
            path: path.to_path_buf(),
            sheets: sheets.clone(),
            sheet,
            preview,
            header_line,
            header_row,
            headers,
            export,
        };
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, look));
        }
    }
    best.map(|(_, l)| l).ok_or_else(|| IngestError::Format { path: path.to_path_buf(), message: "no sheet".into() })
}

/// How many headers name a canonical column of some table (to pick a workbook's data sheet).
fn layout_score(headers: &[String]) -> usize {
    let instrument = InstrumentSettings::default();
    TableKind::all()
        .into_iter()
        .filter(|t| !matches!(t, TableKind::Survey(_)))
        .map(|t| map_columns(t, headers, &instrument).0.len())
        .max()
        .unwrap_or(0)
}

/// Which table a file holds, and how that was told; `Err(why)` when none.
fn recognise(look: &Look, instrument: &InstrumentSettings) -> Result<(TableKind, String), String> {
    if look.headers.is_empty() {
        return Err("no header row found".into());
    }
    let stem = Path::new(&look.file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if let Some(t) = TableKind::from_name(&stem) {
        return Ok((t, "its name".into()));
    }
    let by_name = aliases::table_of_name(&stem);
    if look.export {
        let course_eval =
            CourseRatingAdapter::new(&look.headers, &course_platform(&look.headers), &instrument.course_indicators)
                .is_ok();
        return match by_name {
            Some(t @ TableKind::Survey(_)) if !course_eval => {
                Ok((t, format!("its name: {} (a 问卷星 export)", name_word(&stem))))
            }
            _ if course_eval => {
                Ok((TableKind::CourseRatings, "its columns (a 问卷星 export of course × indicator scores)".into()))
            }
            _ => Err("looks like a 问卷星 survey export, but its file name does not say which wave \
                      (培训前, 培训后, 需求, 3个月, 6个月, 12个月); rename it or add its section by hand"
                .into()),
        };
    }
    let fits = |t: TableKind| {
        let (req, _) = crate::validate::input_columns(t, instrument);
        let (mapped, _) = map_columns(t, &look.headers, instrument);
        req.iter().all(|r| mapped.contains_key(*r))
    };
    if let Some(t) = by_name {
        if fits(t) || !matches!(t, TableKind::Survey(_)) {
            return Ok((t, format!("its name: {}", name_word(&stem))));
        }
    }
    let fitting: Vec<TableKind> =
        TableKind::all().into_iter().filter(|t| !matches!(t, TableKind::Survey(_)) && fits(*t)).collect();
    match fitting.as_slice() {
        [t] => Ok((*t, "its headers".into())),
        [] => Err("file name does not name a table, and its headers fit none".into()),
        many => Err(format!(
            "file name does not name a table, and its headers fit several ({}); name it after one",
            many.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The word of a file name that named its table.
fn name_word(stem: &str) -> String {
    aliases::TABLE_WORDS
        .iter()
        .filter(|(w, _)| stem.contains(w))
        .max_by_key(|(w, _)| w.chars().count())
        .map(|(w, _)| w.to_string())
        .unwrap_or_else(|| stem.to_string())
}

/// Canonical column → header, for the columns of `t` the headers name, and the headers
/// left over. Pass 1: a header that is the canonical name; pass 2: one equal to a known
/// word; pass 3: one containing a known word of two characters or more.
fn map_columns(
    t: TableKind,
    headers: &[String],
    instrument: &InstrumentSettings,
) -> (BTreeMap<&'static str, String>, Vec<String>) {
    let (req, opt) = crate::validate::input_columns(t, instrument);
    let wanted: Vec<&'static str> = req.iter().chain(&opt).copied().collect();
    let keys: Vec<String> = headers.iter().map(|h| platform::course_key(h)).collect();
    let mut used = vec![false; headers.len()];
    let mut out: BTreeMap<&'static str, String> = BTreeMap::new();
    for w in &wanted {
        if let Some(i) = headers.iter().position(|h| h == w) {
            used[i] = true;
            out.insert(w, headers[i].clone());
        }
    }
    let words: Vec<(&'static str, &'static [&'static str])> = aliases::COLUMN_WORDS
        .iter()
        .filter(|(table, c, _)| table.is_none_or(|x| x == t) && wanted.contains(c))
        .map(|(_, c, w)| (*c, *w))
        .collect();
    for contains in [false, true] {
        for (c, ws) in &words {
            if out.contains_key(c) {
                continue;
            }
            let hit = ws.iter().find_map(|w| {
                let wk = platform::course_key(w);
                (0..headers.len()).find(|&i| {
                    !used[i] && if contains { wk.chars().count() >= 2 && keys[i].contains(&wk) } else { keys[i] == wk }
                })
            });
            if let Some(i) = hit {
                used[i] = true;
                // `wanted` holds the interned name; keep that one as the key.
                let key = wanted.iter().copied().find(|x| x == c).unwrap_or(c);
                out.insert(key, headers[i].clone());
            }
        }
    }
    let rest = headers.iter().zip(&used).filter(|(h, u)| !**u && !h.is_empty()).map(|(h, _)| h.clone()).collect();
    (out, rest)
}

/// A glob (`课程评估_*.csv`) that matches exactly `names` among the folder's files.
fn glob_for(dir: &Path, names: &[String]) -> Option<String> {
    let first: Vec<char> = names[0].chars().collect();
    let prefix = names
        .iter()
        .skip(1)
        .fold(first.len(), |n, s| first.iter().zip(s.chars()).take(n).take_while(|(a, b)| **a == *b).count());
    let suffix = names.iter().skip(1).fold(first.len() - prefix, |n, s| {
        first.iter().rev().zip(s.chars().rev()).take(n).take_while(|(a, b)| **a == *b).count()
    });
    // The pattern's fixed parts end at a separator (`课程评估_*.csv`, not `课程评估_K2500*.csv`),
    // so next year's files match too.
    let prefix = first[..prefix].iter().rposition(|c| !c.is_alphanumeric() || !c.is_ascii()).map_or(0, |i| i + 1);
    let tail = &first[first.len() - suffix..];
    let suffix = tail.iter().position(|c| !c.is_ascii_alphanumeric()).map_or(0, |i| tail.len() - i);
    let pat: String = first[..prefix].iter().chain(['*'].iter()).chain(first[first.len() - suffix..].iter()).collect();
    if pat.contains('?') || first[..prefix].contains(&'*') {
        return None;
    }
    let (head, tail) = pat.split_once('*')?;
    let matched: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(head) && n.ends_with(tail) && n.chars().count() >= prefix + suffix)
        .collect();
    (matched.len() == names.len()).then_some(pat)
}

/// The section for a recognised file: where to read it, and for a canonical layout its
/// column map, value maps and date formats.
fn base_proposal(table: TableKind, why: &str, look: &Look, instrument: &InstrumentSettings) -> InputProposal {
    let mut spec = InputSpec { path: look.file.clone(), ..InputSpec::default() };
    if look.sheets.len() > 1 {
        spec.sheet = look.sheet.clone();
    }
    spec.header_row = look.header_row;
    if look.preview.encoding == "gb18030" {
        spec.encoding = Some("gbk".into());
    } else if look.preview.encoding.starts_with("utf-16") {
        spec.encoding = Some(look.preview.encoding.clone());
    }
    let title = look.header_line.and_then(|h| {
        let above: Vec<String> = look
            .preview
            .rows
            .iter()
            .filter(|(l, _)| *l < h)
            .map(|(_, c)| c.iter().filter(|x| !x.is_empty()).cloned().collect::<Vec<_>>().join(" "))
            .collect();
        (!above.is_empty()).then(|| above.join(" / "))
    });
    let mut p = InputProposal {
        name: table.name(),
        table,
        files: vec![look.file.clone()],
        spec,
        why: why.to_string(),
        sheets: look.sheets.clone(),
        title,
        headers: look.headers.clone(),
        unmapped: Vec::new(),
        missing_required: Vec::new(),
        unknown_values: BTreeMap::new(),
        notes: Vec::new(),
        crlf: look.preview.crlf,
        rows: look.header_line.map(|h| sniff::rows_below(&look.preview, h).cloned().collect()).unwrap_or_default(),
    };
    if look.export {
        p.spec.format = InputFormat::Platform;
        p.spec.platform = Some(PlatformConfig::default());
        return p;
    }
    let (mapped, rest) = map_columns(table, &look.headers, instrument);
    let (req, _) = crate::validate::input_columns(table, instrument);
    p.missing_required = req.iter().filter(|r| !mapped.contains_key(**r)).map(|r| r.to_string()).collect();
    p.unmapped = rest;
    if matches!(table, TableKind::Survey(_)) {
        // Item columns are named by their item ids; the rest is read as items or ignored.
        p.unmapped.clear();
    }
    p.spec.columns =
        mapped.iter().filter(|(c, h)| **c != h.as_str()).map(|(c, h)| (c.to_string(), h.clone())).collect();
    if !p.spec.columns.is_empty() {
        scan_values(&look.path, &mut p, &mapped);
    }
    p
}

/// Columns whose values come from a fixed vocabulary.
const CHOICE_COLUMNS: [&str; 5] = [col::CATEGORY, col::TARGET_CATEGORY, col::METHOD, col::KIND, col::RATER_ROLE];
/// Date columns of the canonical tables.
const DATE_COLUMNS: [&str; 5] = [col::JOIN_DATE, col::PROMOTED_ON, col::START_DATE, col::END_DATE, col::REVIEW_DATE];
/// Source date formats tried, most common first.
const DATE_FORMATS: [&str; 6] =
    ["%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"];

/// Read up to [`SCAN_ROWS`] rows of a mapped file, as validation will, to propose value
/// maps for its choice columns and a `date_format` for its dates.
fn scan_values(path: &Path, p: &mut InputProposal, mapped: &BTreeMap<&'static str, String>) {
    let watch: Vec<(&str, usize)> = mapped
        .iter()
        .filter(|(c, _)| CHOICE_COLUMNS.contains(c) || DATE_COLUMNS.contains(c))
        .filter_map(|(c, h)| p.headers.iter().position(|x| x == h).map(|i| (*c, i)))
        .collect();
    if watch.is_empty() {
        return;
    }
    let Ok(mut src) = ingest::open(path, &p.spec) else { return };
    let mut seen: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut row = Row::new();
    let mut n = 0;
    while let Ok(Some(_)) = src.next_row(&mut row) {
        for (c, i) in &watch {
            let v = row.get(*i).unwrap_or("").trim();
            let list = seen.entry(c).or_default();
            if !v.is_empty() && list.len() < 500 && !list.iter().any(|x| x == v) {
                list.push(v.to_string());
            }
        }
        n += 1;
        if n >= SCAN_ROWS {
            break;
        }
    }
    let vocab = |c: &str| -> &'static [&'static str] {
        use crate::schema::{CATEGORIES, METHODS, RATER_ROLES, UNIT_KINDS};
        match c {
            col::CATEGORY | col::TARGET_CATEGORY => CATEGORIES,
            col::METHOD => METHODS,
            col::KIND if p.table == TableKind::Units => UNIT_KINDS,
            col::RATER_ROLE => RATER_ROLES,
            _ => &[],
        }
    };
    let mut dates: Vec<&String> = Vec::new();
    for (c, values) in &seen {
        if CHOICE_COLUMNS.contains(c) {
            let known = vocab(c);
            if known.is_empty() {
                continue;
            }
            let words = aliases::value_words(c);
            for v in values {
                if known.contains(&v.as_str()) {
                    continue;
                }
                let key = platform::course_key(v);
                match words.iter().find(|(label, _)| platform::course_key(label) == key) {
                    Some((_, canonical)) => {
                        p.spec.values.entry(c.to_string()).or_default().insert(v.clone(), canonical.to_string());
                    }
                    None => p.unknown_values.entry(c.to_string()).or_default().push(v.clone()),
                }
            }
        } else {
            dates.extend(values.iter().take(200));
        }
    }
    if let Some(f) = date_format_of(&dates) {
        p.spec.date_format = Some(f.to_string());
    }
}

/// The date format that reads the most samples, when ISO (`YYYY-MM-DD`) reads fewer.
fn date_format_of(samples: &[&String]) -> Option<&'static str> {
    let count = |f: Option<&str>| samples.iter().filter(|s| crate::validate::parse_date(s, f).is_ok()).count();
    let iso = count(None);
    let (best, n) = DATE_FORMATS.iter().map(|f| (*f, count(Some(f)))).max_by_key(|(_, n)| *n)?;
    (n > iso).then_some(best)
}

/// (item id, wave, text) of the folder's `items` input, read through its mapping.
fn read_items(dir: &Path, inputs: &[InputProposal]) -> Vec<(String, Option<Wave>, String)> {
    let Some(p) = inputs.iter().find(|i| i.table == TableKind::Items) else { return Vec::new() };
    read_columns(dir, p, &[col::ITEM_ID, col::WAVE, col::TEXT])
        .into_iter()
        .map(|r| (r[0].clone(), Wave::from_name(&r[1]), r[2].clone()))
        .filter(|(id, _, _)| !id.is_empty())
        .collect()
}

/// (class id, course id, title) of the folder's `courses` input.
fn read_course_titles(dir: &Path, inputs: &[InputProposal]) -> Vec<(String, String, String)> {
    let Some(p) = inputs.iter().find(|i| i.table == TableKind::Courses) else { return Vec::new() };
    read_columns(dir, p, &[col::CLASS_ID, col::COURSE_ID, col::TITLE])
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect()
}

/// The cells of `columns` (canonical names, through the proposal's column map) of the
/// first [`SCAN_ROWS`] rows of an input's first file ("" where absent).
fn read_columns(dir: &Path, p: &InputProposal, columns: &[&str]) -> Vec<Vec<String>> {
    let Some(file) = p.files.first() else { return Vec::new() };
    let Ok(mut src) = ingest::open(&dir.join(file), &p.spec) else { return Vec::new() };
    let idx: Vec<Option<usize>> = columns
        .iter()
        .map(|c| {
            let h = p.spec.columns.get(*c).map(String::as_str).unwrap_or(c);
            src.headers.iter().position(|x| x == h)
        })
        .collect();
    let mut out = Vec::new();
    let mut row = Row::new();
    while let Ok(Some(_)) = src.next_row(&mut row) {
        out.push(idx.iter().map(|i| i.and_then(|i| row.get(i)).unwrap_or("").trim().to_string()).collect());
        if out.len() >= SCAN_ROWS {
            break;
        }
    }
    out
}

/// The question (number) of an export holding the class id and the cadre id.
fn id_questions(headers: &[String]) -> (Option<ColumnRef>, Option<ColumnRef>) {
    let find = |words: &[&str], skip: Option<usize>| -> Option<(usize, ColumnRef)> {
        headers.iter().enumerate().filter(|(i, _)| Some(*i) != skip).find_map(|(i, h)| {
            let text = platform::question_text(h);
            words.iter().any(|w| text.contains(w)).then(|| {
                let r = match platform::question_of(h) {
                    Some(q) => ColumnRef::Question(q),
                    None => ColumnRef::Header(h.clone()),
                };
                (i, r)
            })
        })
    };
    let class = find(aliases::CLASS_QUESTION_WORDS, None);
    let cadre = find(aliases::CADRE_QUESTION_WORDS, class.as_ref().map(|(i, _)| *i));
    (class.map(|c| c.1), cadre.map(|c| c.1))
}

/// A platform config with the id questions found in `headers` (defaults otherwise).
fn course_platform(headers: &[String]) -> PlatformConfig {
    let (class, cadre) = id_questions(headers);
    let mut cfg = PlatformConfig::default();
    if let Some(c) = class {
        cfg.class_id = c;
    }
    if let Some(c) = cadre {
        cfg.cadre_id = c;
    }
    cfg
}

/// Fill in the platform mapping of a survey export: the id questions, the items (by
/// their texts in `items` where they can be found, else in order), the time format.
fn propose_survey(p: &mut InputProposal, items: &[(String, Option<Wave>, String)], wave: Wave) {
    let mut cfg = course_platform(&p.headers);
    let (class, cadre) = id_questions(&p.headers);
    if class.is_none() {
        p.notes.push("no question names the class (班次); class_id is taken from question 1 — check".into());
    }
    if cadre.is_none() {
        p.notes.push("no question names the trainee (学员编号); cadre_id is taken from question 2 — check".into());
    }
    let id_q: Vec<u32> = [&cfg.class_id, &cfg.cadre_id]
        .iter()
        .filter_map(|r| if let ColumnRef::Question(q) = r { Some(*q) } else { None })
        .collect();
    let questions: Vec<(u32, String)> = p
        .headers
        .iter()
        .filter_map(|h| platform::question_of(h).map(|q| (q, platform::question_text(h))))
        .filter(|(q, _)| !id_q.contains(q))
        .collect();
    let wave_items: Vec<&(String, Option<Wave>, String)> =
        items.iter().filter(|(_, w, _)| w.is_none() || *w == Some(wave)).collect();
    if wave_items.is_empty() {
        p.notes.push(format!(
            "no item of wave `{}` is declared: an `items` file must list the questions (see docs/guide.md)",
            wave.as_str()
        ));
    }
    let first = questions.first().map(|(q, _)| *q).unwrap_or(3);
    // Each item's question, by its text.
    let by_text: Vec<Option<u32>> = wave_items
        .iter()
        .map(|(_, _, text)| {
            let t = platform::course_key(text);
            let hits: Vec<u32> = questions
                .iter()
                .filter(|(_, q)| {
                    !t.is_empty() && {
                        let k = platform::course_key(q);
                        k == t || k.contains(&t) || t.contains(&k)
                    }
                })
                .map(|(q, _)| *q)
                .collect();
            (hits.len() == 1).then(|| hits[0])
        })
        .collect();
    if !wave_items.is_empty() && by_text.iter().all(Option::is_some) {
        let qs: Vec<u32> = by_text.iter().flatten().copied().collect();
        let sequential = qs.iter().enumerate().all(|(k, q)| *q == qs[0] + k as u32);
        if sequential {
            cfg.first_item_question = qs[0];
        } else {
            cfg.items =
                wave_items.iter().zip(&qs).map(|((id, _, _), q)| (id.clone(), ColumnRef::Question(*q))).collect();
        }
    } else if !wave_items.is_empty() {
        cfg.first_item_question = first;
        let unmatched: Vec<&str> = wave_items
            .iter()
            .zip(&by_text)
            .filter(|(_, q)| q.is_none())
            .map(|((id, _, _), _)| id.as_str())
            .take(5)
            .collect();
        p.notes.push(format!(
            "item texts not found in the questions ({}): items are read in the order of `items` from question {first} — check",
            unmatched.join(", ")
        ));
        let n = questions.iter().filter(|(q, _)| *q >= first).count();
        if n != wave_items.len() {
            p.notes.push(format!(
                "the export has {n} questions from question {first} on, but `items` declares {} for wave `{}`",
                wave_items.len(),
                wave.as_str()
            ));
        }
    }
    propose_times(p, &mut cfg);
    p.unmapped = p
        .headers
        .iter()
        .filter(|h| {
            let q = platform::question_of(h);
            let used = q.is_some_and(|q| {
                id_q.contains(&q)
                    || (cfg.items.is_empty()
                        && q >= cfg.first_item_question
                        && q < cfg.first_item_question + wave_items.len() as u32)
                    || cfg.items.values().any(|r| *r == ColumnRef::Question(q))
            });
            !used && !platform::EXPORT_META.contains(&h.as_str()) && !h.is_empty()
        })
        .cloned()
        .collect();
    p.spec.platform = Some(cfg);
}

/// Time formats of platform exports, the default first.
const TIME_FORMATS: [&str; 6] = [
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
];

/// The submission-time format and the time columns of an export, from its first rows.
fn propose_times(p: &mut InputProposal, cfg: &mut PlatformConfig) {
    let default = PlatformConfig::default();
    if !p.headers.contains(&default.submitted_column) {
        cfg.submitted_column =
            p.headers.iter().find(|h| h.contains("提交") && h.contains("时间")).cloned().unwrap_or_default();
        if cfg.submitted_column.is_empty() {
            p.notes.push(
                "no submission-time column (提交答卷时间): duplicate answers cannot be told apart by time".into(),
            );
        }
    }
    if !p.headers.contains(&default.duration_column) {
        cfg.duration_column =
            p.headers.iter().find(|h| h.contains("用时") || h.contains("答题时长")).cloned().unwrap_or_default();
    }
    let Some(i) = p.headers.iter().position(|h| !cfg.submitted_column.is_empty() && *h == cfg.submitted_column) else {
        return;
    };
    let samples: Vec<&str> =
        p.rows.iter().filter_map(|r| r.get(i)).map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    if samples.is_empty() {
        return;
    }
    let reads = |f: &str| samples.iter().filter(|s| platform::time_matches(f, s)).count();
    if let Some((f, n)) = TIME_FORMATS.iter().map(|f| (*f, reads(f))).max_by_key(|(_, n)| *n) {
        if n > reads(&cfg.time_format) {
            cfg.time_format = f.to_string();
        }
        if n < samples.len() {
            p.notes
                .push(format!("some submission times ({}) match no known format: set time_format — check", samples[0]));
        }
    }
}

/// Fill in the platform mapping of a course-evaluation export and check its course
/// labels against the titles and ids of `courses`.
fn propose_course_ratings(p: &mut InputProposal, titles: &[(String, String, String)], instrument: &InstrumentSettings) {
    let mut cfg = course_platform(&p.headers);
    propose_times(p, &mut cfg);
    match CourseRatingAdapter::new(&p.headers, &cfg, &instrument.course_indicators) {
        Ok(a) => {
            p.unmapped = a.ignored().to_vec();
            let known: Vec<String> =
                titles.iter().flat_map(|(_, id, t)| [platform::course_key(id), platform::course_key(t)]).collect();
            let unknown: Vec<&str> = a
                .courses()
                .iter()
                .map(|c| c.label.as_str())
                .filter(|l| !titles.is_empty() && !known.iter().any(|k| k == l))
                .collect();
            if !unknown.is_empty() {
                p.notes.push(format!(
                    "courses named in the headers but found in no course title or id of `courses`: {} — their ratings will be rejected as unknown courses",
                    unknown.join(", ")
                ));
            }
            let missing: Vec<&str> = instrument
                .course_indicators
                .iter()
                .enumerate()
                .filter(|(k, _)| a.courses().iter().all(|c| c.scores[*k].is_none()))
                .map(|(_, i)| i.as_str())
                .collect();
            if !missing.is_empty() {
                p.notes.push(format!(
                    "no column scores the indicator(s) {}: name them under [inputs.course_ratings.platform.indicators]",
                    missing.join(", ")
                ));
            }
        }
        Err(e) => p.notes.push(format!("the course × indicator columns could not be read: {e}")),
    }
    p.spec.platform = Some(cfg);
}

#[cfg(test)]
mod tests;
