//! Settings sections of the pipeline file, with their defaults and range checks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::PipelineFile;

/// `[validation]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ValidationSettings {
    /// Share of a table's source rows that may be rejected before the command exits 1.
    pub max_reject_share: f64,
    /// Survey rows completed faster than this many seconds are rejected as `speeder` (0 = off).
    pub speeder_seconds: f64,
}

impl Default for ValidationSettings {
    fn default() -> Self {
        ValidationSettings { max_reject_share: 0.05, speeder_seconds: 30.0 }
    }
}

/// `[instrument]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct InstrumentSettings {
    /// The scale whose pre/post scores are the L2 outcome.
    pub outcome_scale: String,
    /// Course-rating indicators (columns of `course_ratings`), each scored 0..=`course_max`.
    pub course_indicators: Vec<String>,
    pub course_max: f64,
    /// Trainee-rating dimensions (columns of `trainee_ratings`), each 0–100.
    pub trainee_dimensions: Vec<String>,
}

impl Default for InstrumentSettings {
    fn default() -> Self {
        InstrumentSettings {
            outcome_scale: "competence".into(),
            course_indicators: crate::schema::COURSE_INDICATORS.map(String::from).to_vec(),
            course_max: 20.0,
            trainee_dimensions: ["attitude", "discipline", "participation", "assignment"].map(String::from).to_vec(),
        }
    }
}

/// Multiple-comparison methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PAdjust {
    Holm,
    Bh,
}

/// `[indicators]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct IndicatorSettings {
    /// Cells describing fewer people than this are suppressed in published tables.
    pub min_cell: usize,
    /// Significance level; CIs are (1 − alpha).
    pub alpha: f64,
    /// Days after a class ends before a review counts as "after".
    pub follow_up_lag_days: i64,
    /// Write CSV copies of the indicator tables (off by default: SPEC §1 writes them
    /// where configured; the Parquet files are the interface).
    pub csv: bool,
    /// Write one XLSX workbook of the indicator tables.
    pub xlsx: bool,
}

impl Default for IndicatorSettings {
    fn default() -> Self {
        IndicatorSettings { min_cell: 5, alpha: 0.05, follow_up_lag_days: 90, csv: false, xlsx: false }
    }
}

/// `[methods]`: the comparison of training methods across classes.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MethodSettings {
    /// A method enters the tests only when taught in at least this many classes (the
    /// class is the unit of inference: one class says nothing about its method).
    pub min_classes: usize,
    /// Class-level covariates of the class ANCOVA besides the class's mean pre score:
    /// numeric columns of `classes` (e.g. `hours`, `days`).
    pub covariates: Vec<String>,
}

impl Default for MethodSettings {
    fn default() -> Self {
        MethodSettings { min_classes: 2, covariates: Vec::new() }
    }
}

/// `[transfer]`: who counts as a control of the transfer indicators (SPEC §7.2).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct TransferSettings {
    /// A cadre trained in a class starting in any of this many calendar years before the
    /// period's is no control (its earlier training would still show in its reviews).
    pub washout_years: u32,
}

impl Default for TransferSettings {
    fn default() -> Self {
        TransferSettings { washout_years: 1 }
    }
}

/// One compliance rule: a minimum of days or hours, either satisfying it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ComplianceRule {
    /// Rule name shown in the `rule` column.
    pub name: String,
    /// Categories this rule applies to.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Rank level this rule applies to (from `rank_levels`); empty = any.
    #[serde(default)]
    pub level: Option<String>,
    /// Minimum days in the window.
    pub min_days: f64,
    /// Minimum class hours in the window (either satisfies).
    pub min_hours: Option<f64>,
    /// Window length in years (1 = annual; 5 = rolling five years).
    #[serde(default = "one")]
    pub window_years: i32,
    /// Count only off-job (non-online) classes.
    #[serde(default)]
    pub off_job_only: bool,
}

fn one() -> i32 {
    1
}

/// `[compliance]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ComplianceSettings {
    /// `regulation-2023` (default) or `seeds`; `rules` below replace the preset's.
    pub preset: String,
    pub rules: Vec<ComplianceRule>,
    /// Rank value → level (`county` or `township`), merged over the preset's mapping.
    pub rank_levels: BTreeMap<String, String>,
    pub hours_per_day: f64,
    /// A leader with no centralised class for this many years is overdue for rotation.
    pub rotation_years: i32,
    /// Categories that must rotate through centralised classes.
    pub rotation_categories: Vec<String>,
    /// The same topic twice within this many years is a repeat.
    pub repeat_window_years: i32,
    /// Leave beyond this share of a class's hours means withdrawal.
    pub max_leave_share: f64,
}

impl Default for ComplianceSettings {
    fn default() -> Self {
        ComplianceSettings {
            preset: "regulation-2023".into(),
            rules: Vec::new(),
            rank_levels: BTreeMap::new(),
            hours_per_day: 7.5,
            rotation_years: 5,
            rotation_categories: vec!["department_level".into(), "middle_level".into()],
            repeat_window_years: 3,
            max_leave_share: 1.0 / 7.0,
        }
    }
}

/// `[scorecard]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScorecardSettings {
    /// Weights of the standardised components; renormalised over the available ones.
    pub weights: ScorecardWeights,
    /// Percentile cut-offs for the bands A/B/C/D (descending).
    pub bands: Vec<f64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScorecardWeights {
    pub learning: f64,
    pub assessment: f64,
    pub transfer: f64,
    pub compliance: f64,
}

impl Default for ScorecardWeights {
    fn default() -> Self {
        ScorecardWeights { learning: 0.3, assessment: 0.3, transfer: 0.25, compliance: 0.15 }
    }
}

impl Default for ScorecardSettings {
    fn default() -> Self {
        ScorecardSettings { weights: ScorecardWeights::default(), bands: vec![85.0, 50.0, 15.0] }
    }
}

/// `[report]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSettings {
    /// `zh` (default) or `en`: the language of `reports/<period>/index.html`.
    pub lang: String,
    /// Languages `run` and `report` (without `--lang`) write: `lang` at
    /// `reports/<period>/`, each other one at `reports/<period>/<code>/`. Empty (the
    /// default) means `lang` alone.
    pub languages: Vec<String>,
    /// Title of the annual report (default from the message catalogue).
    pub title: Option<String>,
    /// Issuing institution shown on the cover.
    pub institution: Option<String>,
    /// Write one HTML page per class.
    pub class_pages: bool,
    /// Distributions (box plots, individual points) are drawn only for groups of at
    /// least this many people: a box plot of a handful of people shows each one's score.
    pub min_distribution_n: usize,
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings {
            lang: "zh".into(),
            languages: Vec::new(),
            title: None,
            institution: None,
            class_pages: true,
            min_distribution_n: 10,
        }
    }
}

/// What an export is for (`traineval export --for …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportKind {
    /// The per-cadre scorecard an assessment system imports (`exports/assessment.*`).
    Assessment,
    /// Each cadre's training file (`exports/cadre_file.*`).
    CadreFile,
}

/// `[exports]`
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExportSettings {
    /// Exports that `run` (and `indicators`) write afresh once the indicator tables are
    /// new; every other file under `OUT/exports/` belongs to an older warehouse and is
    /// removed then. Empty by default: `run` leaves no export behind.
    pub on_run: Vec<ExportKind>,
}

impl PipelineFile {
    /// Range checks on the settings: one message per problem, naming the key.
    pub(super) fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut bad = |message: String| out.push(message);
        let v = &self.validation;
        if !(0.0..=1.0).contains(&v.max_reject_share) {
            bad(format!("validation.max_reject_share = {} must be between 0 and 1", v.max_reject_share));
        }
        if v.speeder_seconds.is_nan() || v.speeder_seconds < 0.0 {
            bad("validation.speeder_seconds must be ≥ 0".into());
        }
        let i = &self.indicators;
        if i.alpha.is_nan() || i.alpha <= 0.0 || i.alpha >= 1.0 {
            bad(format!("indicators.alpha = {} must be in (0, 1)", i.alpha));
        }
        if i.min_cell < 1 {
            bad("indicators.min_cell must be ≥ 1".into());
        }
        if self.methods.min_classes < 2 {
            bad(format!("methods.min_classes = {} must be at least 2", self.methods.min_classes));
        }
        const CLASS_NUMBERS: [&str; 2] = ["days", "hours"];
        if let Some(c) = self.methods.covariates.iter().find(|c| !CLASS_NUMBERS.contains(&c.as_str())) {
            bad(format!(
                "methods.covariates: \"{c}\" is not a numeric column of classes (one of {})",
                CLASS_NUMBERS.join(", ")
            ));
        }
        if self.report.min_distribution_n < i.min_cell {
            bad(format!(
                "report.min_distribution_n = {} must be at least indicators.min_cell = {}",
                self.report.min_distribution_n, i.min_cell
            ));
        }
        if i.follow_up_lag_days < 0 {
            bad("indicators.follow_up_lag_days must be ≥ 0".into());
        }
        if self.transfer.washout_years > 50 {
            bad(format!("transfer.washout_years = {} must be at most 50", self.transfer.washout_years));
        }
        if !matches!(self.compliance.preset.as_str(), "regulation-2023" | "seeds" | "none") {
            bad(format!(
                "compliance.preset = \"{}\" is not one of \"regulation-2023\", \"seeds\", \"none\"",
                self.compliance.preset
            ));
        }
        if self.compliance.hours_per_day.is_nan() || self.compliance.hours_per_day <= 0.0 {
            bad("compliance.hours_per_day must be > 0".into());
        }
        let w = &self.scorecard.weights;
        let ws = [w.learning, w.assessment, w.transfer, w.compliance];
        if ws.iter().any(|x| x.is_nan() || *x < 0.0) || ws.iter().sum::<f64>() <= 0.0 {
            bad("scorecard.weights must be ≥ 0 and not all 0".into());
        }
        if !matches!(self.report.lang.as_str(), "zh" | "en") {
            bad(format!("report.lang = \"{}\" must be \"zh\" or \"en\"", self.report.lang));
        }
        if let Some(l) = self.report.languages.iter().find(|l| !matches!(l.as_str(), "zh" | "en")) {
            bad(format!("report.languages: \"{l}\" must be \"zh\" or \"en\""));
        }
        let ins = &self.instrument;
        if ins.course_indicators.is_empty() || ins.trainee_dimensions.is_empty() {
            bad("instrument.course_indicators and instrument.trainee_dimensions must not be empty".into());
        }
        if ins.course_max.is_nan() || ins.course_max <= 0.0 {
            bad(format!("instrument.course_max = {} must be > 0", ins.course_max));
        }
        out
    }
}
