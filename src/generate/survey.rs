//! Survey files in the canonical layout or as a survey-platform (问卷星/wjx) export.
//!
//! In: one respondent row at a time — class id, cadre id, submission stamp, duration,
//! answers. Out: `survey_<wave>.csv` (canonical: class_id, cadre_id, submitted_at,
//! duration_s, one column per item) or, in platform format, the same rows as wjx writes
//! them: `survey_needs.xlsx` and GBK `survey_<wave>.csv` with the metadata columns
//! 序号, 提交答卷时间 (`2025/3/15 14:23:05`), 所用时间 (`125秒`), 来源, 来源详情, 来自IP,
//! then `1、您的班次编号：`, `2、您的学员编号：`, `3、<item text>` …; a skipped answer is
//! `(跳过)` or `-3`, topic choices are joined by `┋`.
//! Guarantees: both layouts carry identical values for identical input (platform-only
//! decorations are derived from the row number, never from the generator's random
//! streams), so mapping a platform file back gives the canonical file cell for cell.

use std::path::Path;

use super::dates::Stamp;
use super::domain::{ItemSpec, COMPETENCE_ITEMS, NEEDS_ITEMS};
use super::writers::{Field, FileKind, FileSummary, InputWriter};
use super::{GenerateError, OutputFormat};

pub use crate::schema::Wave;

/// What the generator needs to know of a wave beyond its name (the schema's [`Wave`]).
pub trait WaveDesign {
    /// Input table name (`survey_<wave>`).
    fn table(self) -> &'static str;
    /// Items asked in this wave, in column order.
    fn items(self) -> &'static [ItemSpec];
    /// Days after the class ends at which a follow-up is sent.
    fn follow_up_days(self) -> Option<i64>;
}

impl WaveDesign for Wave {
    fn table(self) -> &'static str {
        match self {
            Wave::Needs => "survey_needs",
            Wave::Pre => "survey_pre",
            Wave::Post => "survey_post",
            Wave::Follow3m => "survey_follow_3m",
            Wave::Follow6m => "survey_follow_6m",
            Wave::Follow12m => "survey_follow_12m",
        }
    }

    fn items(self) -> &'static [ItemSpec] {
        match self {
            Wave::Needs => &NEEDS_ITEMS,
            _ => &COMPETENCE_ITEMS,
        }
    }

    fn follow_up_days(self) -> Option<i64> {
        match self {
            Wave::Follow3m => Some(91),
            Wave::Follow6m => Some(182),
            Wave::Follow12m => Some(365),
            _ => None,
        }
    }
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Skipped (canonical blank; platform `(跳过)` or `-3`).
    Skipped,
    Int(i64),
    /// Free text, e.g. `┋`-joined topic choices.
    Text(String),
}

/// Metadata headers of a wjx export.
pub const PLATFORM_META: [&str; 6] = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"];
/// Question texts of the two identifying questions.
pub const CLASS_QUESTION: &str = "您的班次编号：";
pub const CADRE_QUESTION: &str = "您的学员编号：";

const SOURCES: [&str; 3] = ["手机提交", "微信", "链接"];
const PLACES: [&str; 6] = ["北京-北京", "湖南-长沙", "四川-成都", "广东-广州", "浙江-杭州", "河南-郑州"];

/// Writes one survey wave.
pub struct SurveyWriter {
    w: InputWriter,
    platform: bool,
    scratch: Vec<String>,
}

impl SurveyWriter {
    /// Create the wave's file in `dir`.
    pub fn create(dir: &Path, wave: Wave, format: OutputFormat) -> Result<Self, GenerateError> {
        let items = wave.items();
        let (file, kind, header): (String, FileKind, Vec<String>) = match format {
            OutputFormat::Canonical => {
                let mut h: Vec<String> =
                    ["class_id", "cadre_id", "submitted_at", "duration_s"].iter().map(|s| s.to_string()).collect();
                h.extend(items.iter().map(|i| i.item_id.to_string()));
                (format!("{}.csv", wave.table()), FileKind::Csv, h)
            }
            OutputFormat::Platform => {
                let mut h: Vec<String> = PLATFORM_META.iter().map(|s| s.to_string()).collect();
                h.push(format!("1、{CLASS_QUESTION}"));
                h.push(format!("2、{CADRE_QUESTION}"));
                h.extend(items.iter().enumerate().map(|(k, i)| format!("{}、{}", k + 3, i.text)));
                if wave == Wave::Needs {
                    (format!("{}.xlsx", wave.table()), FileKind::Xlsx, h)
                } else {
                    (format!("{}.csv", wave.table()), FileKind::CsvGbk, h)
                }
            }
        };
        let refs: Vec<&str> = header.iter().map(String::as_str).collect();
        let w = InputWriter::create(dir, &file, wave.table(), kind, &refs)?;
        Ok(SurveyWriter { w, platform: format == OutputFormat::Platform, scratch: Vec::new() })
    }

    /// Write one respondent row.
    pub fn write(
        &mut self,
        class_id: &str,
        cadre_id: &str,
        stamp: &Stamp,
        duration_s: i64,
        answers: &[Answer],
    ) -> Result<(), GenerateError> {
        if !self.platform {
            let submitted = stamp.iso();
            let mut cells =
                vec![Field::Str(class_id), Field::Str(cadre_id), Field::Str(&submitted), Field::Int(duration_s)];
            cells.extend(answers.iter().map(|a| match a {
                Answer::Skipped => Field::Empty,
                Answer::Int(v) => Field::Int(*v),
                Answer::Text(t) => Field::Str(t),
            }));
            return self.w.row(&cells);
        }
        let seq = self.w.rows() + 1;
        let h = splitmix(seq);
        self.scratch.clear();
        self.scratch.push(stamp.platform());
        self.scratch.push(format!("{duration_s}秒"));
        self.scratch.push(format!(
            "10.{}.{}.{}({})",
            h % 200 + 1,
            (h >> 8) % 250 + 1,
            (h >> 16) % 250 + 1,
            PLACES[((h >> 24) % PLACES.len() as u64) as usize]
        ));
        let mut cells = vec![
            Field::Int(seq as i64),
            Field::Str(&self.scratch[0]),
            Field::Str(&self.scratch[1]),
            Field::Str(SOURCES[((h >> 32) % SOURCES.len() as u64) as usize]),
            Field::Str("直接访问"),
            Field::Str(&self.scratch[2]),
            Field::Str(class_id),
            Field::Str(cadre_id),
        ];
        cells.extend(answers.iter().enumerate().map(|(k, a)| match a {
            // wjx writes -3 for a question skipped by logic and (跳过) for a skipped one.
            Answer::Skipped if splitmix(h ^ k as u64).is_multiple_of(4) => Field::Int(-3),
            Answer::Skipped => Field::Str("(跳过)"),
            Answer::Int(v) => Field::Int(*v),
            Answer::Text(t) => Field::Str(t),
        }));
        self.w.row(&cells)
    }

    pub fn finish(self) -> Result<FileSummary, GenerateError> {
        self.w.finish()
    }
}

/// A 64-bit mixer (SplitMix64) for decorations that must not touch the random streams.
pub fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
