//! Survey-platform exports (问卷星/wjx and look-alikes) → canonical survey columns.
//!
//! In: the header row of an export (metadata columns 序号, 提交答卷时间, 所用时间, 来源,
//! 来源详情, 来自IP, then questions headed `1、您的班次编号：`, `3、(课程名称)—理论深度`, …),
//! a [`PlatformConfig`] saying where the class id, the cadre id and each item are, and
//! the item ids the wave expects. Out: an adapter whose [`PlatformAdapter::map_row`]
//! turns one export row into the canonical row `class_id, cadre_id, submitted_at,
//! duration_s, <items…>`.
//!
//! Guarantees: a pure, streaming, string-level transformation — one row in, one row out,
//! no state between rows, no rejects. `2025/3/15 14:23:05` (per `time_format`) becomes
//! `2025-03-15 14:23:05`; `125秒`, `2分5秒`, `1小时2分5秒` become seconds; the missing
//! sentinels (`-3`, `(跳过)`, `-2` by default) become empty cells; everything else
//! (topic choices joined by `┋`, ranking answers joined by `→`) is passed through trimmed.
//! A cell that does not parse is passed through *raw*, so validation rejects the row with
//! a reason naming the canonical column. Header matching ignores a BOM, surrounding
//! spaces and the difference between full-width and ASCII punctuation (`：`/`:`, `（`/`(`).
//! Building the adapter fails, naming the question or header, when a column is missing
//! or a substring matches several headers.
//!
//! Course evaluations collected on a platform come one row per trainee with one column
//! per course × indicator (`3、(乡村振兴专题)—理论深度`); [`CourseRatingAdapter`] turns
//! such a row into one canonical `course_ratings` row per course the trainee scored.
//! [`looks_like_export`] tells an export from a canonical file by its headers, for the
//! hints of configuration errors and for `traineval init`.

use crate::config::platform::{default_indicator_words, ColumnRef, PlatformConfig};

/// Metadata columns a 问卷星-style export puts before the questions.
pub const EXPORT_META: [&str; 6] = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"];

/// Whether a header row looks like a survey-platform export rather than a file with
/// canonical (or mapped) column names: two or more of the platform's metadata columns
/// (序号, 提交答卷时间, 所用时间, …), or three or more numbered questions (`1、…`).
pub fn looks_like_export(headers: &[String]) -> bool {
    let folded: Vec<String> = headers.iter().map(|h| fold(h)).collect();
    let meta = EXPORT_META.iter().filter(|m| folded.iter().any(|h| h == &fold(m))).count();
    let questions = folded.iter().filter(|h| question_number(h).is_some_and(|_| h.contains('、'))).count();
    meta >= 2 || questions >= 3
}

/// The question number a header starts with (`3、…`, `3.…`, `Q3…`), if any.
pub fn question_of(header: &str) -> Option<u32> {
    question_number(&fold(header))
}

/// A header's text without its question number and separator (`3、您的班次编号：` →
/// `您的班次编号:`), folded as headers are compared.
pub fn question_text(header: &str) -> String {
    let f = fold(header);
    match question_number(&f) {
        Some(_) => {
            let s = f.strip_prefix(['Q', 'q']).unwrap_or(&f);
            let rest = s.trim_start_matches(|c: char| c.is_ascii_digit());
            rest.trim_start_matches(['、', '.', ':', ')', '-', '_']).to_string()
        }
        None => f,
    }
}

/// Whether `s` is a time in `format` (a platform `time_format`); false when the format
/// itself is not one.
pub fn time_matches(format: &str, s: &str) -> bool {
    compile_format(format).is_ok_and(|f| parse_time(&f, s).is_some())
}

/// A course title or header label as compared: folded, without book-title marks and
/// quotes, and without brackets, dashes and colons at its ends.
pub fn course_key(s: &str) -> String {
    let f: String =
        fold(s).chars().filter(|c| !matches!(c, '《' | '》' | '“' | '”' | '"' | '\'' | '‘' | '’')).collect();
    f.trim_matches(|c: char| "()[]【】<>〈〉—–-_:/|·.,，。".contains(c)).to_string()
}

/// Why an export cannot be mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    #[error("survey export has no column for {what} ({wanted}); its headers are: {headers}")]
    Missing { what: String, wanted: String, headers: String },
    #[error("survey export: {wanted} (for {what}) matches several columns: {matches}")]
    Ambiguous { what: String, wanted: String, matches: String },
    #[error("platform mapping: {0}")]
    Config(String),
}

/// The canonical columns the adapter produces before the items.
pub const CANONICAL_META: [&str; 4] = ["class_id", "cadre_id", "submitted_at", "duration_s"];

/// A compiled mapping from one export's columns to canonical columns.
#[derive(Debug, Clone)]
pub struct PlatformAdapter {
    class_col: usize,
    cadre_col: usize,
    submitted_col: Option<usize>,
    duration_col: Option<usize>,
    item_cols: Vec<usize>,
    items: Vec<String>,
    time_format: Vec<Token>,
    missing: Sentinels,
}

/// The answers that mean "not applicable / skipped", folded, and those that are numbers
/// (a spreadsheet's `-3.0` is the sentinel `-3`).
#[derive(Debug, Clone)]
struct Sentinels {
    folded: Vec<String>,
    numbers: Vec<f64>,
}

impl Sentinels {
    fn new(missing: &[String]) -> Self {
        Sentinels {
            folded: missing.iter().map(|m| fold(m)).collect(),
            numbers: missing.iter().filter_map(|m| m.trim().parse::<f64>().ok()).collect(),
        }
    }

    /// Whether a trimmed cell is blank or a sentinel.
    fn matches(&self, v: &str) -> bool {
        if v.is_empty() || self.folded.iter().any(|m| m == v) {
            return true;
        }
        if v.is_ascii() {
            return !self.numbers.is_empty() && v.parse::<f64>().is_ok_and(|x| self.numbers.contains(&x));
        }
        self.folded.contains(&fold(v))
    }
}

impl PlatformAdapter {
    /// Resolve every configured column against the export's header row.
    pub fn new(source_headers: &[String], cfg: &PlatformConfig, items: &[String]) -> Result<Self, PlatformError> {
        let folded: Vec<String> = source_headers.iter().map(|h| fold(h)).collect();
        let find = |what: &str, r: &ColumnRef| resolve(source_headers, &folded, what, r);
        let named = |what: &str, name: &str| -> Result<Option<usize>, PlatformError> {
            if name.trim().is_empty() {
                return Ok(None);
            }
            let f = fold(name);
            folded.iter().position(|h| *h == f).map(Some).ok_or_else(|| PlatformError::Missing {
                what: what.into(),
                wanted: format!("the header \"{name}\""),
                headers: source_headers.join(" | "),
            })
        };
        for k in cfg.items.keys() {
            if !items.contains(k) {
                return Err(PlatformError::Config(format!("`items.{k}` is not an item of this wave")));
            }
        }
        let mut item_cols = Vec::with_capacity(items.len());
        for (k, id) in items.iter().enumerate() {
            let r = match cfg.items.get(id) {
                Some(r) => r.clone(),
                None => ColumnRef::Question(cfg.first_item_question + k as u32),
            };
            item_cols.push(find(&format!("item `{id}`"), &r)?);
        }
        Ok(PlatformAdapter {
            class_col: find("class_id", &cfg.class_id)?,
            cadre_col: find("cadre_id", &cfg.cadre_id)?,
            submitted_col: named("submitted_at", &cfg.submitted_column)?,
            duration_col: named("duration_s", &cfg.duration_column)?,
            item_cols,
            items: items.to_vec(),
            time_format: compile_format(&cfg.time_format)?,
            missing: Sentinels::new(&cfg.missing),
        })
    }

    /// `class_id, cadre_id, submitted_at, duration_s`, then the item ids.
    pub fn canonical_headers(&self) -> Vec<String> {
        CANONICAL_META.iter().map(|s| s.to_string()).chain(self.items.iter().cloned()).collect()
    }

    /// Map one export row (cells missing at the end count as empty).
    pub fn map_row(&self, row: &[&str]) -> Vec<String> {
        let cell = |i: usize| row.get(i).map_or("", |c| clean(c));
        let value = |i: usize| {
            let v = cell(i);
            if self.is_missing(v) {
                String::new()
            } else {
                v.to_string()
            }
        };
        let mut out = Vec::with_capacity(4 + self.item_cols.len());
        out.push(value(self.class_col));
        out.push(value(self.cadre_col));
        out.push(self.submitted_col.map_or_else(String::new, |i| {
            let v = cell(i);
            parse_time(&self.time_format, v).unwrap_or_else(|| v.to_string())
        }));
        out.push(self.duration_col.map_or_else(String::new, |i| {
            let v = cell(i);
            parse_duration(v).map_or_else(|| v.to_string(), |s| s.to_string())
        }));
        out.extend(self.item_cols.iter().map(|&i| value(i)));
        out
    }
}

impl PlatformAdapter {
    fn is_missing(&self, v: &str) -> bool {
        self.missing.matches(v)
    }
}

/// Trim spaces (incl. the ideographic space) and a BOM.
fn clean(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// A header or value folded for comparison: BOM and whitespace removed, full-width ASCII
/// variants (`：（）１`) mapped to ASCII.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The question number a folded header starts with (`3、…`, `3.…`, `Q3…`).
fn question_number(folded: &str) -> Option<u32> {
    let s = folded.strip_prefix(['Q', 'q']).unwrap_or(folded);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    let rest = &s[digits.len()..];
    let sep_ok = rest.is_empty() || rest.starts_with(['、', '.', ':', ')', '-', '_']);
    if digits.is_empty() || !sep_ok {
        return None;
    }
    digits.parse().ok()
}

fn resolve(headers: &[String], folded: &[String], what: &str, r: &ColumnRef) -> Result<usize, PlatformError> {
    let hits: Vec<usize> = match r {
        ColumnRef::Question(0) => return Err(PlatformError::Config(format!("{what}: question numbers start at 1"))),
        ColumnRef::Question(n) => (0..folded.len()).filter(|&i| question_number(&folded[i]) == Some(*n)).collect(),
        ColumnRef::Header(h) => {
            let needle = fold(h);
            if needle.is_empty() {
                return Err(PlatformError::Config(format!("{what}: empty header pattern")));
            }
            (0..folded.len()).filter(|&i| folded[i].contains(&needle)).collect()
        }
    };
    match hits.as_slice() {
        [i] => Ok(*i),
        [] => Err(PlatformError::Missing { what: what.into(), wanted: r.to_string(), headers: headers.join(" | ") }),
        many => Err(PlatformError::Ambiguous {
            what: what.into(),
            wanted: r.to_string(),
            matches: many.iter().map(|&i| headers[i].as_str()).collect::<Vec<_>>().join(" | "),
        }),
    }
}

/// One piece of a time format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// A numeric field: index into (Y, m, d, H, M, S) and its maximum digits.
    Field(usize, usize),
    Space,
    Literal(char),
}

fn compile_format(f: &str) -> Result<Vec<Token>, PlatformError> {
    let mut out = Vec::new();
    let mut chars = f.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '%' => match chars.next() {
                Some('Y') => Token::Field(0, 4),
                Some('m') => Token::Field(1, 2),
                Some('d') => Token::Field(2, 2),
                Some('H') => Token::Field(3, 2),
                Some('M') => Token::Field(4, 2),
                Some('S') => Token::Field(5, 2),
                Some('%') => Token::Literal('%'),
                other => {
                    return Err(PlatformError::Config(format!(
                        "time_format \"{f}\": unsupported directive %{} (use %Y %m %d %H %M %S)",
                        other.map(String::from).unwrap_or_default()
                    )))
                }
            },
            c if c.is_whitespace() => Token::Space,
            c => Token::Literal(c),
        });
    }
    for (k, name) in ["%Y", "%m", "%d"].iter().enumerate() {
        if !out.contains(&Token::Field(k, if k == 0 { 4 } else { 2 })) {
            return Err(PlatformError::Config(format!("time_format \"{f}\" lacks {name}")));
        }
    }
    Ok(out)
}

/// `YYYY-MM-DD HH:MM:SS` from a platform time, or `None` when it does not match.
fn parse_time(format: &[Token], s: &str) -> Option<String> {
    let mut v = [0u32; 6];
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    for t in format {
        match *t {
            Token::Field(k, max) => {
                let start = i;
                while i < b.len() && i - start < max && b[i].is_ascii_digit() {
                    i += 1;
                }
                if i == start {
                    return None;
                }
                v[k] = b[start..i].iter().collect::<String>().parse().ok()?;
            }
            Token::Space => {
                let start = i;
                while i < b.len() && b[i].is_whitespace() {
                    i += 1;
                }
                if i == start {
                    return None;
                }
            }
            Token::Literal(c) => {
                if b.get(i) != Some(&c) {
                    return None;
                }
                i += 1;
            }
        }
    }
    let [y, mo, d, h, mi, sec] = v;
    let ok = i == b.len() && (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && sec < 60;
    ok.then(|| format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{sec:02}"))
}

/// Seconds from `125`, `125秒`, `2分5秒`, `2分钟5秒`, `1小时2分5秒`, `1时2分`.
fn parse_duration(s: &str) -> Option<u64> {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    let mut total = 0u64;
    let mut num = String::new();
    let mut seen = false;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            num.push(c);
            rest = &rest[1..];
            continue;
        }
        let (unit, len) = [("小时", 3600), ("分钟", 60), ("时", 3600), ("分", 60), ("秒", 1)]
            .iter()
            .find(|(u, _)| rest.starts_with(u))
            .map(|(u, f)| (*f, u.len()))?;
        if num.is_empty() {
            return None;
        }
        total = total.checked_add(num.parse::<u64>().ok()?.checked_mul(unit)?)?;
        num.clear();
        seen = true;
        rest = &rest[len..];
    }
    (seen && num.is_empty()).then_some(total)
}

/// One course's columns in a course-evaluation export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseColumns {
    /// The course as the export names it, compared by [`course_key`] with the titles and
    /// ids of the class's courses.
    pub label: String,
    /// The column of each indicator (in the instrument's order), `None` when absent.
    pub scores: Vec<Option<usize>>,
}

/// A compiled mapping from a course-evaluation export (one row per trainee, one column
/// per course × indicator) to canonical `course_ratings` rows.
#[derive(Debug, Clone)]
pub struct CourseRatingAdapter {
    class_col: usize,
    rater_col: usize,
    courses: Vec<CourseColumns>,
    indicators: Vec<String>,
    /// Headers that are neither an id nor a course × indicator (comments, metadata).
    ignored: Vec<String>,
    missing: Sentinels,
}

impl CourseRatingAdapter {
    /// Resolve the id columns and group the score columns by course. `indicators` are
    /// the instrument's (`[instrument] course_indicators`).
    pub fn new(source_headers: &[String], cfg: &PlatformConfig, indicators: &[String]) -> Result<Self, PlatformError> {
        let folded: Vec<String> = source_headers.iter().map(|h| fold(h)).collect();
        let class_col = resolve(source_headers, &folded, "class_id", &cfg.class_id)?;
        let rater_col = resolve(source_headers, &folded, "cadre_id (the rater)", &cfg.cadre_id)?;
        for k in cfg.indicators.keys() {
            if !indicators.contains(k) {
                return Err(PlatformError::Config(format!(
                    "`indicators.{k}` is not a course indicator (the instrument's: {})",
                    indicators.join(", ")
                )));
            }
        }
        // (folded word, indicator index), longest words first so `理论联系实际` wins over `联系实际`.
        let mut words: Vec<(String, usize)> = Vec::new();
        for (k, ind) in indicators.iter().enumerate() {
            match cfg.indicators.get(ind) {
                Some(list) => words.extend(list.iter().map(|w| (fold(w), k))),
                None if default_indicator_words(ind).is_empty() => words.push((fold(ind), k)),
                None => words.extend(default_indicator_words(ind).iter().map(|w| (fold(w), k))),
            }
        }
        words.retain(|(w, _)| !w.is_empty());
        words.sort_by(|a, b| b.0.chars().count().cmp(&a.0.chars().count()).then(a.1.cmp(&b.1)));
        let meta: Vec<String> = EXPORT_META.iter().map(|m| fold(m)).collect();
        let mut courses: Vec<CourseColumns> = Vec::new();
        let mut ignored = Vec::new();
        for (i, h) in source_headers.iter().enumerate() {
            if i == class_col || i == rater_col || h.trim().is_empty() || meta.contains(&folded[i]) {
                continue;
            }
            let text = question_text(h);
            let Some((word, k)) = words.iter().find(|(w, _)| text.contains(w.as_str())) else {
                ignored.push(h.clone());
                continue;
            };
            let rest = text.replacen(word.as_str(), "", 1);
            let mut label = course_key(&rest);
            if label.is_empty() {
                let q = question_number(&folded[i]).map(|q| q.to_string()).unwrap_or_default();
                match cfg.courses.get(&q) {
                    Some(c) => label = course_key(c),
                    None => {
                        return Err(PlatformError::Config(format!(
                            "column \"{h}\" names the indicator `{}` but no course; name the course of \
                             question {q} under [inputs.course_ratings.platform.courses], e.g. \"{q}\" = \"<course title or id>\"",
                            indicators[*k]
                        )))
                    }
                }
            }
            let pos = match courses.iter().position(|c| c.label == label) {
                Some(p) => p,
                None => {
                    courses.push(CourseColumns { label: label.clone(), scores: vec![None; indicators.len()] });
                    courses.len() - 1
                }
            };
            if let Some(prev) = courses[pos].scores[*k] {
                return Err(PlatformError::Ambiguous {
                    what: format!("course \"{label}\", indicator `{}`", indicators[*k]),
                    wanted: "one column".into(),
                    matches: format!("{} | {h}", source_headers[prev]),
                });
            }
            courses[pos].scores[*k] = Some(i);
        }
        if courses.is_empty() {
            return Err(PlatformError::Missing {
                what: "course scores".into(),
                wanted: format!(
                    "columns naming a course and an indicator, e.g. \"3、(课程名称)—{}\"",
                    words.iter().rev().map(|(w, _)| w.as_str()).next().unwrap_or("理论深度")
                ),
                headers: source_headers.join(" | "),
            });
        }
        Ok(CourseRatingAdapter {
            class_col,
            rater_col,
            courses,
            indicators: indicators.to_vec(),
            ignored,
            missing: Sentinels::new(&cfg.missing),
        })
    }

    /// `class_id, course_id, rater_id`, then the indicators.
    pub fn canonical_headers(&self) -> Vec<String> {
        ["class_id", "course_id", "rater_id"]
            .iter()
            .map(|s| s.to_string())
            .chain(self.indicators.iter().cloned())
            .collect()
    }

    /// The courses found in the headers, in header order.
    pub fn courses(&self) -> &[CourseColumns] {
        &self.courses
    }

    /// Headers used for nothing (open comments, other questions).
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }

    /// Expand one export row into canonical rows (`canonical_headers` order), one per
    /// course the trainee scored; `course_id(class, course)` names the course (its id
    /// when the class has it, else whatever validation should reject). A row with no
    /// score at all still gives one row, so that it is rejected and counted, not lost.
    pub fn map_row(
        &self,
        row: &[&str],
        mut course_id: impl FnMut(&str, &CourseColumns) -> String,
        out: &mut Vec<Vec<String>>,
    ) {
        out.clear();
        let cell = |i: usize| -> String {
            let v = row.get(i).map_or("", |c| clean(c));
            if self.is_missing(v) {
                String::new()
            } else {
                v.to_string()
            }
        };
        let class = cell(self.class_col);
        let rater = cell(self.rater_col);
        for c in &self.courses {
            let scores: Vec<String> = c.scores.iter().map(|s| s.map_or_else(String::new, cell)).collect();
            if scores.iter().all(String::is_empty) {
                continue;
            }
            let mut r = vec![class.clone(), course_id(&class, c), rater.clone()];
            r.extend(scores);
            out.push(r);
        }
        if out.is_empty() {
            let first = &self.courses[0];
            let mut r = vec![class.clone(), course_id(&class, first), rater];
            r.extend(std::iter::repeat_n(String::new(), self.indicators.len()));
            out.push(r);
        }
    }

    fn is_missing(&self, v: &str) -> bool {
        self.missing.matches(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    fn ids(v: &[&str]) -> Vec<String> {
        headers(v)
    }

    const WJX: [&str; 11] = [
        "\u{feff}序号",
        "提交答卷时间",
        "所用时间",
        "来源",
        "来源详情",
        "来自IP",
        "1、您的班次编号：",
        "2、您的学员编号：",
        "3、您所在的单位类型：",
        "4、(课程名称)—理论深度 ",
        "5、您最希望参加哪些专题的培训？（可多选）",
    ];

    #[test]
    fn default_config_maps_a_wjx_row() {
        let a = PlatformAdapter::new(&headers(&WJX), &PlatformConfig::default(), &ids(&["UNIT", "THEORY", "TOPICS"]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            a.canonical_headers(),
            ids(&["class_id", "cadre_id", "submitted_at", "duration_s", "UNIT", "THEORY", "TOPICS"])
        );
        let row = [
            "1",
            "2025/3/5 9:03:07",
            "125秒",
            "手机提交",
            "直接访问",
            "10.1.2.3(北京-北京)",
            " K202500001 ",
            "C0000007",
            "(跳过)",
            "-3",
            "乡村振兴┋基层治理",
        ];
        assert_eq!(
            a.map_row(&row),
            ids(&["K202500001", "C0000007", "2025-03-05 09:03:07", "125", "", "", "乡村振兴┋基层治理"])
        );
        // Short rows: missing trailing cells are empty.
        assert_eq!(a.map_row(&row[..8])[4..], ids(&["", "", ""])[..]);
        // Sentinels as a spreadsheet gives them, and with full-width brackets.
        let row2 = ["2", "2025/3/5 9:03:07", "60秒", "", "", "", "K1", "C1", "-3.0", "（跳过）", "-2"];
        assert_eq!(a.map_row(&row2)[4..], ids(&["", "", ""])[..]);
    }

    #[test]
    fn items_by_header_substring_and_full_width_punctuation() {
        let cfg = PlatformConfig {
            class_id: ColumnRef::Header("班次编号:".into()),
            cadre_id: ColumnRef::Header("学员编号".into()),
            items: [
                ("THEORY".to_string(), ColumnRef::Header("（课程名称）—理论深度".into())),
                ("UNIT".to_string(), ColumnRef::Question(3)),
            ]
            .into_iter()
            .collect(),
            ..PlatformConfig::default()
        };
        let a = PlatformAdapter::new(&headers(&WJX), &cfg, &ids(&["THEORY", "UNIT"])).unwrap_or_else(|e| panic!("{e}"));
        let row = ["1", "2025/12/31 23:59:59", "2分5秒", "", "", "", "K1", "C1", "2", "18", ""];
        assert_eq!(a.map_row(&row), ids(&["K1", "C1", "2025-12-31 23:59:59", "125", "18", "2"]));
    }

    #[test]
    fn unparseable_cells_pass_through_raw() {
        let a = PlatformAdapter::new(&headers(&WJX), &PlatformConfig::default(), &ids(&["A", "B", "C"]))
            .unwrap_or_else(|e| panic!("{e}"));
        let row = ["1", "2025/13/1 10:00:00", "about 2 min", "", "", "", "K1", "C1", "abc", "9", "x→y→z"];
        let out = a.map_row(&row);
        assert_eq!(out[2], "2025/13/1 10:00:00");
        assert_eq!(out[3], "about 2 min");
        assert_eq!(out[4..], ids(&["abc", "9", "x→y→z"])[..]);
        // Feb 30 is syntactically fine: it is converted and validation rejects the date.
        assert_eq!(a.map_row(&["1", "2025/2/30 8:00:00"])[2], "2025-02-30 08:00:00");
    }

    #[test]
    fn durations_and_times() {
        assert_eq!(parse_duration("125秒"), Some(125));
        assert_eq!(parse_duration("125"), Some(125));
        assert_eq!(parse_duration("2分5秒"), Some(125));
        assert_eq!(parse_duration("2分钟"), Some(120));
        assert_eq!(parse_duration("1小时2分5秒"), Some(3725));
        assert_eq!(parse_duration("1时"), Some(3600));
        for bad in ["", "秒", "5秒3", "12.5秒", "-3", "abc"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        let f = compile_format("%Y/%m/%d %H:%M:%S").unwrap_or_default();
        assert_eq!(parse_time(&f, "2025/3/15 14:23:05").as_deref(), Some("2025-03-15 14:23:05"));
        assert_eq!(parse_time(&f, "2025/03/15  4:03:05").as_deref(), Some("2025-03-15 04:03:05"));
        assert_eq!(parse_time(&f, "2025-03-15 14:23:05"), None);
        assert_eq!(parse_time(&f, "2025/3/15 14:23"), None);
        let g = compile_format("%Y年%m月%d日 %H:%M").unwrap_or_default();
        assert_eq!(parse_time(&g, "2025年3月5日 8:07").as_deref(), Some("2025-03-05 08:07:00"));
        assert!(compile_format("%Y-%m").is_err());
        assert!(compile_format("%Y-%m-%d %I").is_err());
    }

    #[test]
    fn errors_name_the_missing_or_ambiguous_column() {
        let h = headers(&WJX);
        let e = PlatformAdapter::new(&h, &PlatformConfig::default(), &ids(&["A", "B", "C", "D"])).err();
        let msg = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("question 6") && msg.contains("item `D`"), "{msg}");
        let cfg = PlatformConfig { cadre_id: ColumnRef::Header("编号".into()), ..PlatformConfig::default() };
        let msg = PlatformAdapter::new(&h, &cfg, &[]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("several") && msg.contains("班次编号"), "{msg}");
        let cfg = PlatformConfig { duration_column: "答题时长".into(), ..PlatformConfig::default() };
        let msg = PlatformAdapter::new(&h, &cfg, &[]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("答题时长"), "{msg}");
        let cfg = PlatformConfig {
            items: [("NOPE".to_string(), ColumnRef::Question(3))].into_iter().collect(),
            ..PlatformConfig::default()
        };
        assert!(matches!(PlatformAdapter::new(&h, &cfg, &[]), Err(PlatformError::Config(_))));
        // No duration column at all is allowed when configured so.
        let cfg = PlatformConfig { duration_column: String::new(), ..PlatformConfig::default() };
        let a = PlatformAdapter::new(&h, &cfg, &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.map_row(&["1", "2025/1/1 1:00:00", "99秒"])[3], "");
    }

    #[test]
    fn question_numbers_are_not_prefixes() {
        let h = headers(&["1、甲", "11、乙", "Q12. 丙", "12"]);
        assert_eq!(resolve(&h, &h.iter().map(|x| fold(x)).collect::<Vec<_>>(), "x", &ColumnRef::Question(1)), Ok(0));
        let f: Vec<String> = h.iter().map(|x| fold(x)).collect();
        assert_eq!(resolve(&h, &f, "x", &ColumnRef::Question(11)), Ok(1));
        assert!(matches!(resolve(&h, &f, "x", &ColumnRef::Question(12)), Err(PlatformError::Ambiguous { .. })));
    }

    #[test]
    fn config_deserialises_with_defaults_and_rejects_unknown_keys() {
        let cfg: PlatformConfig = serde_json::from_str("{}").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg, PlatformConfig::default());
        let cfg: PlatformConfig =
            serde_json::from_str(r#"{"cadre_id": "学员编号", "items": {"COMP1": 3, "THEORY": "理论深度"}}"#)
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.cadre_id, ColumnRef::Header("学员编号".into()));
        assert_eq!(cfg.items["COMP1"], ColumnRef::Question(3));
        assert!(serde_json::from_str::<PlatformConfig>(r#"{"cadre": 2}"#).is_err());
    }

    fn indicators() -> Vec<String> {
        ids(&crate::schema::COURSE_INDICATORS)
    }

    #[test]
    fn course_evaluation_headers_name_course_and_indicator_in_any_order() {
        let h = headers(&[
            "序号",
            "提交答卷时间",
            "1、您所在的班次编号：",
            "2、您的学员编号：",
            "3、(乡村振兴战略专题)—理论联系实际",
            "3、(乡村振兴战略专题)—理论深度",
            "4、理论深度（依法行政专题）",
            "5、K1-03 - 教学态度",
            "6、您对课程的意见",
        ]);
        let a =
            CourseRatingAdapter::new(&h, &PlatformConfig::default(), &indicators()).unwrap_or_else(|e| panic!("{e}"));
        let labels: Vec<&str> = a.courses().iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["乡村振兴战略专题", "依法行政专题", "K1-03"]);
        // 理论联系实际 is relevance, not theory: the longest word wins.
        assert_eq!(a.courses()[0].scores, [Some(4), Some(5), None, None, None]);
        assert_eq!(a.courses()[2].scores[4], Some(7));
        assert_eq!(a.ignored(), ["6、您对课程的意见"]);
        assert_eq!(a.canonical_headers()[..3], ids(&["class_id", "course_id", "rater_id"])[..]);
        let row = ["1", "2025/3/1 10:00:00", "K1", " C01 ", "18", "(跳过)", "", "19", "x"];
        let mut out = Vec::new();
        a.map_row(&row, |class, c| format!("{class}:{}", c.label), &mut out);
        // The second course has no score: no row for it.
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(out[0], ids(&["K1", "K1:乡村振兴战略专题", "C01", "18", "", "", "", ""]));
        assert_eq!(out[1], ids(&["K1", "K1:K1-03", "C01", "", "", "", "", "19"]));
        // A form with no score at all is still one row, to be rejected and counted.
        a.map_row(&["2", "", "K1", "C02"], |_, c| c.label.clone(), &mut out);
        assert_eq!(out.len(), 1);
        assert!(out[0][3..].iter().all(String::is_empty));
    }

    #[test]
    fn course_evaluation_mappings_that_cannot_work_say_why() {
        let ind = indicators();
        // A matrix question per course: the header names the indicator only.
        let h = headers(&["1、班次编号", "2、学员编号", "3、(理论深度)", "3、(教学态度)"]);
        let e = CourseRatingAdapter::new(&h, &PlatformConfig::default(), &ind)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("question 3") && e.contains("courses"), "{e}");
        let cfg = PlatformConfig {
            courses: [("3".to_string(), "《依法行政》专题".to_string())].into_iter().collect(),
            ..PlatformConfig::default()
        };
        let a = CourseRatingAdapter::new(&h, &cfg, &ind).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.courses()[0].label, "依法行政专题");
        // Two columns for one course and indicator.
        let h = headers(&["1、班次编号", "2、学员编号", "3、(甲)—理论深度", "4、(甲)—理论深度"]);
        assert!(matches!(
            CourseRatingAdapter::new(&h, &PlatformConfig::default(), &ind),
            Err(PlatformError::Ambiguous { .. })
        ));
        // No course column at all.
        let h = headers(&["1、班次编号", "2、学员编号", "3、您的意见"]);
        assert!(matches!(
            CourseRatingAdapter::new(&h, &PlatformConfig::default(), &ind),
            Err(PlatformError::Missing { .. })
        ));
        // Indicator words of one's own; an unknown indicator key is an error.
        let cfg = PlatformConfig {
            indicators: [("theory".to_string(), vec!["深度".to_string()])].into_iter().collect(),
            ..PlatformConfig::default()
        };
        let h = headers(&["1、班次编号", "2、学员编号", "3、(甲)—深度"]);
        assert!(CourseRatingAdapter::new(&h, &cfg, &ind).is_ok());
        let cfg = PlatformConfig {
            indicators: [("depth".to_string(), vec![])].into_iter().collect(),
            ..PlatformConfig::default()
        };
        assert!(matches!(CourseRatingAdapter::new(&h, &cfg, &ind), Err(PlatformError::Config(_))));
    }

    #[test]
    fn exports_are_told_from_canonical_files() {
        assert!(looks_like_export(&headers(&WJX)));
        assert!(looks_like_export(&headers(&["1、班次", "2、学员编号", "3、题目"])));
        assert!(!looks_like_export(&headers(&["class_id", "cadre_id", "COMP1"])));
        assert!(!looks_like_export(&headers(&["干部编号", "姓名", "1", "2", "3"])));
        assert_eq!(question_text("3、您的班次编号："), "您的班次编号:");
        assert_eq!(course_key("（《依法行政》专题）—"), "依法行政专题");
        assert!(time_matches("%Y-%m-%d %H:%M", "2025-3-5 8:07") && !time_matches("%Y/%m/%d %H:%M:%S", "2025-3-5 8:07"));
    }

    // ------------------------------------------------ round trip against the generator

    use crate::generate::{generate, GenerateOptions, OutputFormat, Wave, WaveDesign};
    use std::path::Path;

    fn read_canonical(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
        let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let h = r.headers().unwrap_or_else(|e| panic!("{e}")).iter().map(String::from).collect();
        (h, r.records().map(|x| x.unwrap_or_else(|e| panic!("{e}")).iter().map(String::from).collect()).collect())
    }

    fn read_gbk(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{e}"));
        let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
        assert!(!bad, "{} is not GBK", path.display());
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let h = r.headers().unwrap_or_else(|e| panic!("{e}")).iter().map(String::from).collect();
        (h, r.records().map(|x| x.unwrap_or_else(|e| panic!("{e}")).iter().map(String::from).collect()).collect())
    }

    fn read_xlsx(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
        use calamine::{open_workbook, Data, Reader, Xlsx};
        let mut wb: Xlsx<_> = open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let range = wb.worksheet_range_at(0).unwrap_or_else(|| panic!("no sheet")).unwrap_or_else(|e| panic!("{e}"));
        let text = |c: &Data| match c {
            Data::Empty => String::new(),
            Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Int(i) => i.to_string(),
            other => other.to_string(),
        };
        let mut rows = range.rows().map(|r| r.iter().map(text).collect::<Vec<_>>());
        let h = rows.next().unwrap_or_default();
        (h, rows.collect())
    }

    #[test]
    fn platform_files_map_back_to_the_canonical_files() {
        let base = std::env::temp_dir().join(format!("traineval-platform-rt-{}", std::process::id()));
        let (canon, plat) = (base.join("canonical"), base.join("platform"));
        for (dir, format) in [(&canon, OutputFormat::Canonical), (&plat, OutputFormat::Platform)] {
            let opts = GenerateOptions { dirty: 0.03, format, ..GenerateOptions::new(dir, 900, 77) };
            generate(&opts).unwrap_or_else(|e| panic!("{e}"));
        }
        for wave in Wave::ALL {
            let (ch, crows) = read_canonical(&canon.join(format!("{}.csv", wave.table())));
            let (ph, prows) = if wave == Wave::Needs {
                read_xlsx(&plat.join(format!("{}.xlsx", wave.table())))
            } else {
                read_gbk(&plat.join(format!("{}.csv", wave.table())))
            };
            assert_eq!(ph[..6], crate::generate::PLATFORM_META.map(String::from)[..]);
            let items: Vec<String> = ch[4..].to_vec();
            let a = PlatformAdapter::new(&ph, &PlatformConfig::default(), &items).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(a.canonical_headers(), ch);
            assert_eq!(prows.len(), crows.len(), "{}", wave.table());
            for (p, c) in prows.iter().zip(&crows) {
                let refs: Vec<&str> = p.iter().map(String::as_str).collect();
                assert_eq!(&a.map_row(&refs), c, "{}", wave.table());
            }
        }
        let (ch, crows) = read_canonical(&canon.join("cadres.csv"));
        let (ph, prows) = read_xlsx(&plat.join("cadres.xlsx"));
        assert_eq!(ph, crate::generate::CADRE_HEADERS_ZH.map(String::from));
        assert_eq!(ch, crate::generate::CADRE_HEADERS.map(String::from));
        assert_eq!(prows.len(), crows.len());
        assert!(prows.iter().all(|r| ["男", "女"].contains(&r[2].as_str()) && ["是", "否"].contains(&r[7].as_str())));
        let _ = std::fs::remove_dir_all(base);
    }
}
