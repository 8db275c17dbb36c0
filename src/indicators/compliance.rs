//! Compliance with the training requirements, per cadre and year.
//!
//! In: `cadres` (category, rank, promoted_on), `trainee_outcomes` (every enrollment with
//! its class's year, start, method, days and hours, attendance, leave, discipline,
//! completion), `courses` (topics), `classes` (the years), `[compliance]` settings.
//! Out: `compliance` (SPEC App. B, plus window_years, days_in_window, hours_in_window,
//! window_complete) — a per-person table, never suppressed and never published below
//! the cell size (App. C.7, C.22).
//!
//! Conventions (SPEC §4, App. C.14):
//! - rows = every cadre × every calendar year in which a class starts;
//! - days_trained / hours_trained = class days / hours of *completed* enrollments in
//!   classes starting that year;
//! - a rule is a minimum of days *or* class hours (either satisfies; hours default to
//!   days × `hours_per_day`) over a window of `window_years` ending with the year,
//!   counting only off-job classes (every method but `online`) when `off_job_only`;
//!   the rule is the one of the cadre's rank level (`rank_levels`), else of its
//!   category, else `none`;
//! - shortfall_days = 0 when met, else the smaller of the missing days and the missing
//!   hours in days; window_complete = the window starts no earlier than the data's
//!   first year; makeup_required = short, window complete, and not promoted during the
//!   year (one year of grace after a promotion, only when `promoted_on` is given);
//! - rotation_overdue (categories in `rotation_categories`): no off-job class within
//!   the last `rotation_years` years — true only when that window is complete, null
//!   (unknown) when it reaches before the data and no class was found, false for
//!   cadres who need no rotation;
//! - repeated_topics = distinct course topics of the year's classes already taught to
//!   the cadre in an earlier class within `repeat_window_years` (all enrollments);
//! - attendance_rate = Σ attended / Σ class hours of the year's enrollments (null
//!   without enrollment); leave_over_limit = any enrollment with leave above
//!   `max_leave_share` of its hours (1/7); discipline_flags = Σ.
//!
//! Presets: `regulation-2023` (default; 2023 Regulations on Cadre Education and
//! Training, art. 14–15) — county/division level: 90 days (3 months) or 550 hours of
//! off-job training in every rolling 5 years; township/section level and civil
//! servants at or below first-grade principal staff member: 12 days or 90 hours of
//! off-job training a year; department_level cadres without a mapped rank fall back to
//! the county rule, middle_level, civil_servant, young_reserve, women and non_party to
//! the township rule; rural secretaries, business leaders and professionals have no
//! rule. `seeds` (the seed articles): department_level ≥ 12 days a year;
//! middle_level, civil_servant and rural_secretary ≥ 5 days a year (any class).
//! `none`: only the rules of the pipeline file.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::engine::{bools, day_view, days, f64s, i64s, str_view, strs, Bools, Nums, Out, Texts};
use super::engine::{positions, Cadres};
use super::suppress::not_suppressed;
use super::Params;
use crate::config::{ComplianceRule, ComplianceSettings};
use crate::error::IndicatorError;
use crate::schema::col;
use crate::stats::round_for_ties;

const T: &str = "compliance";
/// The rule name of cadres no rule applies to.
pub const NO_RULE: &str = "none";
/// The method that is not off-job (SPEC App. C.14).
const ONLINE: &str = "online";

/// Rank level of county/division-level leaders and above.
pub const COUNTY: &str = "county";
/// Rank level of township/section-level leaders, civil servants and below.
pub const TOWNSHIP: &str = "township";

fn rule(
    name: &str,
    categories: &[&str],
    level: Option<&str>,
    min_days: f64,
    min_hours: Option<f64>,
    window_years: i32,
    off_job_only: bool,
) -> ComplianceRule {
    ComplianceRule {
        name: name.to_string(),
        categories: categories.iter().map(|s| s.to_string()).collect(),
        level: level.map(str::to_string),
        min_days,
        min_hours,
        window_years,
        off_job_only,
    }
}

/// The rules of a preset.
pub fn preset_rules(preset: &str) -> Vec<ComplianceRule> {
    match preset {
        "regulation-2023" => vec![
            rule("county_5y_3m_or_550h", &["department_level"], Some(COUNTY), 90.0, Some(550.0), 5, true),
            rule(
                "township_12d_or_90h",
                &["middle_level", "civil_servant", "young_reserve", "women", "non_party"],
                Some(TOWNSHIP),
                12.0,
                Some(90.0),
                1,
                true,
            ),
        ],
        "seeds" => vec![
            rule("department_level_12d", &["department_level"], None, 12.0, None, 1, false),
            rule("leaders_5d", &["middle_level", "civil_servant", "rural_secretary"], None, 5.0, None, 1, false),
        ],
        _ => Vec::new(),
    }
}

/// The rank → level mapping of a preset (SPEC App. C.14).
pub fn preset_rank_levels(preset: &str) -> BTreeMap<String, String> {
    if preset != "regulation-2023" {
        return BTreeMap::new();
    }
    let county = [
        "正处",
        "副处",
        "正厅",
        "副厅",
        "正部",
        "副部",
        "县处级",
        "厅局级",
        "省部级",
        "division_chief",
        "deputy_division_chief",
        "bureau_director",
        "deputy_bureau_director",
        "county_level",
    ];
    let township = [
        "正科",
        "副科",
        "科员",
        "办事员",
        "乡科级",
        "一级主任科员",
        "二级主任科员",
        "三级主任科员",
        "四级主任科员",
        "一级科员",
        "二级科员",
        "section_chief",
        "deputy_section_chief",
        "section_member",
        "clerk",
        "township_level",
    ];
    county
        .iter()
        .map(|r| (r.to_string(), COUNTY.to_string()))
        .chain(township.iter().map(|r| (r.to_string(), TOWNSHIP.to_string())))
        .collect()
}

/// The resolved rule table of a job.
pub struct RuleSet {
    rules: Vec<ComplianceRule>,
    levels: BTreeMap<String, String>,
}

impl RuleSet {
    /// The preset's rules (replaced by the file's `rules` when given) and rank levels
    /// (the file's `rank_levels` merged over the preset's).
    pub fn new(s: &ComplianceSettings) -> Self {
        let rules = if s.rules.is_empty() { preset_rules(&s.preset) } else { s.rules.clone() };
        let mut levels = preset_rank_levels(&s.preset);
        levels.extend(s.rank_levels.iter().map(|(k, v)| (k.clone(), v.clone())));
        RuleSet { rules, levels }
    }

    /// The rule of a cadre: by rank level first, else by category.
    pub fn resolve(&self, category: Option<&str>, rank: Option<&str>) -> Option<&ComplianceRule> {
        let level = rank.map(str::trim).and_then(|r| self.levels.get(r));
        level
            .and_then(|l| self.rules.iter().find(|r| r.level.as_deref() == Some(l.as_str())))
            .or_else(|| category.and_then(|c| self.rules.iter().find(|r| r.categories.iter().any(|x| x == c))))
    }
}

/// One enrollment as compliance sees it.
#[derive(Debug, Clone)]
struct Enrollment<'a> {
    /// The class's number ([`ClassTopics`]: byte order of the class ids).
    class: u32,
    /// The topics of the class as ids, ascending and distinct (empty when it has none).
    topics: &'a [u32],
    year: i64,
    start: i32,
    off_job: bool,
    days: f64,
    hours: f64,
    attended: f64,
    leave: f64,
    flags: i64,
    completed: bool,
}

/// One row of `compliance`, also used by the scorecard. Kept small (10⁶ of them at
/// 10⁶ cadres, written once into fresh memory): what the rule gives (its name, the days
/// required, the window) is read from the rule, the values that exist only under a
/// rule are NaN without one, and the flags are bits.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplianceRow<'a> {
    /// The cadre's number in [`Cadres`] (its id is `Cadres::ids[cadre]`).
    pub cadre: u32,
    pub repeated_topics: u32,
    pub year: i32,
    bits: u8,
    pub category: Option<&'a str>,
    rule: Option<&'a ComplianceRule>,
    pub days_trained: f64,
    pub hours_trained: f64,
    pub discipline_flags: i64,
    /// Under a rule (NaN without one).
    shortfall_days: f64,
    days_in_window: f64,
    hours_in_window: f64,
    score: f64,
    /// NaN when the cadre had no enrollment that year (see `ATTENDED`).
    attendance_rate: f64,
}

// Bits of `ComplianceRow::bits`.
const MAKEUP: u8 = 1;
const LEAVE_OVER: u8 = 2;
const ROTATION_KNOWN: u8 = 4;
const ROTATION_OVERDUE: u8 = 8;
const WINDOW_COMPLETE: u8 = 16;
const ATTENDED: u8 = 32;

impl ComplianceRow<'_> {
    fn bit(&self, b: u8) -> bool {
        self.bits & b != 0
    }

    fn set(&mut self, b: u8, on: bool) {
        if on {
            self.bits |= b;
        } else {
            self.bits &= !b;
        }
    }

    /// A value that exists only under a rule.
    fn ruled(&self, x: f64) -> Option<f64> {
        self.rule.map(|_| x)
    }

    /// The name of the rule applied ([`NO_RULE`] when none applies).
    pub fn rule(&self) -> &str {
        self.rule.map_or(NO_RULE, |r| r.name.as_str())
    }

    pub fn days_required(&self) -> Option<f64> {
        self.rule.map(|r| r.min_days)
    }

    pub fn shortfall_days(&self) -> Option<f64> {
        self.ruled(self.shortfall_days)
    }

    pub fn makeup_required(&self) -> bool {
        self.bit(MAKEUP)
    }

    /// `None` when the rotation window reaches before the data and no class was seen.
    pub fn rotation_overdue(&self) -> Option<bool> {
        self.bit(ROTATION_KNOWN).then(|| self.bit(ROTATION_OVERDUE))
    }

    pub fn attendance_rate(&self) -> Option<f64> {
        self.bit(ATTENDED).then_some(self.attendance_rate)
    }

    pub fn leave_over_limit(&self) -> bool {
        self.bit(LEAVE_OVER)
    }

    pub fn window_years(&self) -> Option<i64> {
        self.rule.map(|r| i64::from(r.window_years.max(1)))
    }

    pub fn days_in_window(&self) -> Option<f64> {
        self.ruled(self.days_in_window)
    }

    pub fn hours_in_window(&self) -> Option<f64> {
        self.ruled(self.hours_in_window)
    }

    pub fn window_complete(&self) -> Option<bool> {
        self.rule.map(|_| self.bit(WINDOW_COMPLETE))
    }

    /// Share of the requirement met over the window, capped at 1 (the better of days
    /// and hours); `None` without a rule. The scorecard's compliance component.
    pub fn score(&self) -> Option<f64> {
        self.ruled(self.score)
    }
}

/// Compliance rows of every cadre × year, sorted by (cadre_id, year).
pub fn compliance_rows<'a>(
    cadres: &'a DataFrame,
    outcomes: &'a DataFrame,
    courses: &'a DataFrame,
    classes: &DataFrame,
    keys: &Cadres<'a>,
    rules: &'a RuleSet,
    ctx: &Params,
) -> Result<Vec<ComplianceRow<'a>>, IndicatorError> {
    let s = &ctx.settings.compliance;
    let years: Vec<i64> =
        i64s(classes, col::YEAR, T)?.into_iter().flatten().collect::<BTreeSet<_>>().into_iter().collect();
    let Some(&first_year) = years.first() else { return Ok(Vec::new()) };

    // Read in place: one row per cadre, so vectors of them would be as long as the roster.
    let (k_cat, k_rank) = (str_view(cadres, col::CATEGORY, T)?, str_view(cadres, col::RANK, T)?);
    let promoted =
        if cadres.schema().contains(col::PROMOTED_ON) { Some(day_view(cadres, col::PROMOTED_ON, T)?) } else { None };
    let k_promoted = |i: usize| promoted.as_ref().and_then(|v| v.get(i));
    // The rule of every cadre row, and whether its category must rotate, resolved once
    // per distinct (category, rank).
    type Resolved<'r> = (Option<&'r ComplianceRule>, bool);
    let mut memo: FxHashMap<(Option<&str>, Option<&str>), Resolved> = FxHashMap::default();
    let rule_of: Vec<Resolved> = (0..cadres.height())
        .map(|i| {
            let (cat, rank) = (k_cat.get(i), k_rank.get(i));
            *memo.entry((cat, rank)).or_insert_with(|| {
                let rotates = cat.is_some_and(|c| s.rotation_categories.iter().any(|x| x == c));
                (rules.resolve(cat, rank), rotates)
            })
        })
        .collect();

    let topics = {
        let o_class = strs(outcomes, col::CLASS_ID, T)?;
        ClassTopics::new(&o_class, &strs(courses, col::CLASS_ID, T)?, &strs(courses, col::TOPIC, T)?)
    };
    let by_row = enrollments_by_row(outcomes, &topics)?;
    // Every cadre row with an id, in id order (the numbers are in byte order of the ids),
    // then one row per (cadre, year), collected straight into the result; the
    // enrollments of a batch of cadres are gathered first, so that their cache misses
    // overlap.
    let order: Vec<(usize, u32)> =
        keys.cadre_rows.rows().iter().filter_map(|&i| keys.of_cadre_row[i as usize].map(|c| (i as usize, c))).collect();
    const BATCH: usize = 64;
    let rows: Vec<ComplianceRow> = order
        .par_chunks(BATCH)
        .flat_map_iter(|batch| {
            let mut enr = keys.outcome_rows.gather(batch.iter().map(|&(_, c)| c), |j| by_row[j as usize].clone());
            let mut out = Vec::with_capacity(batch.len() * years.len());
            for (&(i, cadre), mine) in batch.iter().zip(enr.each_mut()) {
                mine.sort_by_key(|e| (e.start, e.class));
                let who = Cadre {
                    number: cadre,
                    category: k_cat.get(i),
                    promoted_on: k_promoted(i),
                    rule: rule_of[i].0,
                    rotates: rule_of[i].1,
                };
                out.extend(years.iter().map(|&y| cadre_year(&who, mine, y, first_year, s)));
            }
            out
        })
        .collect();
    Ok(rows)
}

/// The enrollment of every outcome row, in row order (`None` for a row without a
/// class or a year), read column after column. A cadre's rows lie scattered over the
/// table (it comes by class): gathered from one value per row here, a cadre's
/// enrollment costs one cache and TLB miss, where gathered from the columns it cost one
/// per column.
fn enrollments_by_row<'t>(
    outcomes: &DataFrame,
    topics: &'t ClassTopics,
) -> Result<Vec<Option<Enrollment<'t>>>, IndicatorError> {
    let (o_year, o_start, o_method) =
        (i64s(outcomes, col::YEAR, T)?, days(outcomes, col::START_DATE, T)?, strs(outcomes, col::METHOD, T)?);
    let (o_days, o_hours, o_att, o_leave) = (
        f64s(outcomes, col::DAYS, T)?,
        f64s(outcomes, col::HOURS, T)?,
        f64s(outcomes, col::ATTENDED_HOURS, T)?,
        f64s(outcomes, col::LEAVE_HOURS, T)?,
    );
    let (o_flags, o_done) = (i64s(outcomes, col::DISCIPLINE_FLAGS, T)?, bools(outcomes, col::COMPLETED, T)?);
    Ok((0..topics.of_outcome.len())
        .into_par_iter()
        .with_min_len(4096)
        .map(|j| {
            let class = topics.of_outcome[j]?;
            Some(Enrollment {
                class,
                topics: &topics.of_class[class as usize],
                year: o_year[j]?,
                start: o_start[j].unwrap_or_default(),
                off_job: o_method[j] != Some(ONLINE),
                days: o_days[j].unwrap_or(0.0),
                hours: o_hours[j].unwrap_or(0.0),
                attended: o_att[j].unwrap_or(0.0),
                leave: o_leave[j].unwrap_or(0.0),
                flags: o_flags[j].unwrap_or(0),
                completed: o_done[j].unwrap_or(false),
            })
        })
        .collect())
}

/// The cadre a compliance row is about.
struct Cadre<'a> {
    number: u32,
    category: Option<&'a str>,
    promoted_on: Option<i32>,
    rule: Option<&'a ComplianceRule>,
    /// Whether the category is one of `rotation_categories`.
    rotates: bool,
}

fn cadre_year<'a>(
    who: &Cadre<'a>,
    enr: &[Enrollment<'_>],
    y: i64,
    first_year: i64,
    s: &ComplianceSettings,
) -> ComplianceRow<'a> {
    let (category, promoted_on, rule) = (who.category, who.promoted_on, who.rule);
    let this_year = || enr.iter().filter(move |e| e.year == y);
    let done = || this_year().filter(|e| e.completed);
    let days_trained = total(done().map(|e| e.days));
    let hours_trained = total(done().map(|e| e.hours));

    let mut row = ComplianceRow {
        cadre: who.number,
        repeated_topics: 0,
        year: y as i32,
        bits: ROTATION_KNOWN,
        category,
        rule,
        days_trained,
        hours_trained,
        discipline_flags: this_year().map(|e| e.flags).sum(),
        shortfall_days: f64::NAN,
        days_in_window: f64::NAN,
        hours_in_window: f64::NAN,
        score: f64::NAN,
        attendance_rate: f64::NAN,
    };

    if let Some(r) = rule {
        let w = i64::from(r.window_years.max(1));
        let from = y - w + 1;
        let counted =
            || enr.iter().filter(|e| e.completed && e.year >= from && e.year <= y && (!r.off_job_only || e.off_job));
        let (dw, hw) = (total(counted().map(|e| e.days)), total(counted().map(|e| e.hours)));
        let min_hours = r.min_hours.unwrap_or(r.min_days * s.hours_per_day);
        let met = round_for_ties(dw) >= round_for_ties(r.min_days) || round_for_ties(hw) >= round_for_ties(min_hours);
        let shortfall = if met { 0.0 } else { (r.min_days - dw).min((min_hours - hw) / s.hours_per_day).max(0.0) };
        let complete = from >= first_year;
        let promoted_this_year = promoted_on.is_some_and(|d| i64::from(crate::schema::year_of_day(d)) == y);
        let ratio = |have: f64, need: f64| if need > 0.0 { have / need } else { 1.0 };
        row.shortfall_days = shortfall;
        row.set(MAKEUP, round_for_ties(shortfall) > 0.0 && complete && !promoted_this_year);
        row.days_in_window = dw;
        row.hours_in_window = hw;
        row.set(WINDOW_COMPLETE, complete);
        row.score = ratio(dw, r.min_days).max(ratio(hw, min_hours)).min(1.0);
    }

    if who.rotates {
        let from = y - i64::from(s.rotation_years.max(1)) + 1;
        let rotated = enr.iter().any(|e| e.off_job && e.year >= from && e.year <= y);
        // Overdue when no off-job class in a window that lies within the data; unknown
        // when the window reaches before the data.
        row.set(ROTATION_KNOWN, rotated || from >= first_year);
        row.set(ROTATION_OVERDUE, !rotated && from >= first_year);
    }

    // Topics of this year's classes already taught in an earlier class of the window.
    let from = y - i64::from(s.repeat_window_years.max(1)) + 1;
    let mut repeated: Vec<u32> = Vec::new();
    for (k, e) in enr.iter().enumerate() {
        if e.year != y || e.topics.is_empty() {
            continue;
        }
        for earlier in enr[..k].iter().filter(|p| p.year >= from && p.class != e.class) {
            shared(e.topics, earlier.topics, &mut repeated);
        }
    }
    repeated.sort_unstable();
    repeated.dedup();
    row.repeated_topics = repeated.len() as u32;

    let (att, hrs) = (total(this_year().map(|e| e.attended)), total(this_year().map(|e| e.hours)));
    if this_year().next().is_some() && hrs > 0.0 {
        row.attendance_rate = att / hrs;
        row.set(ATTENDED, true);
    }
    row.set(LEAVE_OVER, this_year().any(|e| round_for_ties(e.leave) > round_for_ties(e.hours * s.max_leave_share)));
    row
}

/// Push the ids found in both `a` and `b` (each ascending) onto `out`.
fn shared(a: &[u32], b: &[u32], out: &mut Vec<u32>) {
    let (mut i, mut j) = (0, 0);
    while let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
        match x.cmp(&y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(x);
                i += 1;
                j += 1;
            }
        }
    }
}

/// Classes numbered in byte order of their ids, with each class's course topics as
/// ids: the per-cadre rows compare and intersect integers, not strings.
struct ClassTopics {
    /// The class number of each outcome row.
    of_outcome: Vec<Option<u32>>,
    /// The topic ids of each class, ascending and distinct (blank topics left out).
    of_class: Vec<Vec<u32>>,
}

impl ClassTopics {
    fn new(o_class: &[Option<&str>], c_class: &[Option<&str>], c_topic: &[Option<&str>]) -> ClassTopics {
        // Distinct ids of both tables (their rows come in runs of one class), sorted.
        let mut ids: Vec<&str> = o_class.iter().chain(c_class).flatten().copied().collect();
        ids.dedup();
        ids.sort_unstable();
        ids.dedup();
        let mut topic_ids: FxHashMap<&str, u32> = FxHashMap::default();
        let mut of_class: Vec<Vec<u32>> = vec![Vec::new(); ids.len()];
        for (c, t) in positions(&ids, c_class).into_iter().zip(c_topic) {
            if let (Some(c), Some(t)) = (c, t) {
                if !t.trim().is_empty() {
                    let next = topic_ids.len() as u32;
                    of_class[c as usize].push(*topic_ids.entry(t).or_insert(next));
                }
            }
        }
        for t in &mut of_class {
            t.sort_unstable();
            t.dedup();
        }
        ClassTopics { of_outcome: positions(&ids, o_class), of_class }
    }
}

/// Σ starting from +0.0 (`Iterator::sum` of no floats is −0.0, which would print as "-0").
fn total(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |a, b| a + b)
}

/// The `compliance` table from its rows. The columns are gathered in one pass over the
/// rows (a row is read once, not once per column: at 10⁶ rows the 18 strided passes
/// cost more than the table's Parquet encoding).
pub fn compliance_frame(rows: &[ComplianceRow], keys: &Cadres) -> Result<DataFrame, IndicatorError> {
    let n = rows.len();
    let (mut id, mut category, mut rule) = (Texts::with_capacity(n), Texts::with_capacity(n), Texts::with_capacity(n));
    let [mut year, mut repeated, mut flags, mut window] = std::array::from_fn(|_| Nums::<i64>::with_capacity(n));
    let [mut days, mut hours, mut required, mut shortfall, mut attendance, mut days_w, mut hours_w] =
        std::array::from_fn(|_| Nums::<f64>::with_capacity(n));
    let [mut makeup, mut rotation, mut leave, mut complete] = std::array::from_fn(|_| Bools::with_capacity(n));
    for r in rows {
        id.push(keys.ids.get(r.cadre as usize).copied());
        year.push(Some(i64::from(r.year)));
        category.push(r.category);
        rule.push(Some(r.rule()));
        days.push(Some(r.days_trained));
        hours.push(Some(r.hours_trained));
        required.push(r.days_required());
        shortfall.push(r.shortfall_days());
        makeup.push(Some(r.makeup_required()));
        rotation.push(r.rotation_overdue());
        repeated.push(Some(i64::from(r.repeated_topics)));
        attendance.push(r.attendance_rate());
        leave.push(Some(r.leave_over_limit()));
        flags.push(Some(r.discipline_flags));
        window.push(r.window_years());
        days_w.push(r.days_in_window());
        hours_w.push(r.hours_in_window());
        complete.push(r.window_complete());
    }
    let df = Out::new(n)
        .texts(col::CADRE_ID, id)
        .ints(col::YEAR, year)
        .texts(col::CATEGORY, category)
        .texts(col::RULE, rule)
        .f64s(col::DAYS_TRAINED, days)
        .f64s(col::HOURS_TRAINED, hours)
        .f64s(col::DAYS_REQUIRED, required)
        .f64s(col::SHORTFALL_DAYS, shortfall)
        .bools(col::MAKEUP_REQUIRED, makeup)
        .bools(col::ROTATION_OVERDUE, rotation)
        .ints(col::REPEATED_TOPICS, repeated)
        .f64s(col::ATTENDANCE_RATE, attendance)
        .bools(col::LEAVE_OVER_LIMIT, leave)
        .ints(col::DISCIPLINE_FLAGS, flags)
        .ints(col::WINDOW_YEARS, window)
        .f64s(col::DAYS_IN_WINDOW, days_w)
        .f64s(col::HOURS_IN_WINDOW, hours_w)
        .bools(col::WINDOW_COMPLETE, complete)
        .finish(T)?;
    not_suppressed(df, T)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(name: &str, days: Vec<Option<i32>>) -> Column {
        Column::new(name.into(), days).cast(&DataType::Date).unwrap()
    }

    #[test]
    fn a_year_of_four_cadres() {
        // 2025-03-01 = day 20148, 2025-06-01 = 20240.
        let cadres = DataFrame::new(
            4,
            vec![
                Column::new("cadre_id".into(), ["P1", "P2", "P3", "P4"]),
                Column::new("category".into(), ["middle_level", "department_level", "civil_servant", "professional"]),
                Column::new("rank".into(), ["科员", "正处", "科员", "高级职称"]),
                date("promoted_on", vec![None, None, Some(20240), None]),
            ],
        )
        .unwrap();
        let outcomes = DataFrame::new(
            2,
            vec![
                Column::new("class_id".into(), ["K1", "K2"]),
                Column::new("cadre_id".into(), ["P1", "P1"]),
                Column::new("year".into(), [2025i32, 2025]),
                date("start_date", vec![Some(20148), Some(20240)]),
                Column::new("method".into(), ["online", "case"]),
                Column::new("days".into(), [5.0, 10.0]),
                Column::new("hours".into(), [37.5, 75.0]),
                Column::new("attended_hours".into(), [37.5, 70.0]),
                Column::new("leave_hours".into(), [0.0, 11.0]),
                Column::new("discipline_flags".into(), [0i64, 1]),
                Column::new("completed".into(), [true, true]),
            ],
        )
        .unwrap();
        let courses = df!("class_id" => ["K1", "K1", "K2", "K2"], "topic" => ["甲", "乙", "乙", "丙"]).unwrap();
        let classes = df!("year" => [2025i32, 2025]).unwrap();
        let settings = crate::config::PipelineFile::default();
        let keys = Cadres::from_frames(&cadres, &outcomes, T).unwrap();
        let rules = RuleSet::new(&settings.compliance);
        let ctx = Params::new(&settings, "2025");
        let rows = compliance_rows(&cadres, &outcomes, &courses, &classes, &keys, &rules, &ctx).unwrap();
        assert_eq!(rows.len(), 4);
        let p1 = &rows[0];
        assert_eq!((p1.rule(), p1.days_trained, p1.hours_trained), ("township_12d_or_90h", 15.0, 112.5));
        // Off-job only: 10 days / 75 hours count; short of 12 days or 90 hours by 2 days.
        assert_eq!(
            (p1.days_in_window(), p1.hours_in_window(), p1.shortfall_days()),
            (Some(10.0), Some(75.0), Some(2.0))
        );
        assert!(p1.makeup_required());
        assert_eq!(p1.repeated_topics, 1, "乙 again in K2");
        assert!(p1.leave_over_limit(), "11 h > 75/7 h");
        assert_eq!(p1.discipline_flags, 1);
        assert_eq!(p1.attendance_rate(), Some(107.5 / 112.5));
        assert_eq!(p1.rotation_overdue(), Some(false));
        assert_eq!(p1.score(), Some(10.0 / 12.0));
        let p2 = &rows[1];
        assert_eq!(
            (p2.rule(), p2.window_years(), p2.window_complete()),
            ("county_5y_3m_or_550h", Some(5), Some(false))
        );
        // Short of 90 days or 550 hours: the hours are closer (550 / 7.5 days).
        assert_eq!((p2.shortfall_days(), p2.makeup_required()), (Some(550.0 / 7.5), false));
        assert_eq!(p2.rotation_overdue(), None, "no class seen, window reaches before the data");
        assert_eq!(p2.attendance_rate(), None);
        let p3 = &rows[2];
        assert_eq!(
            (p3.shortfall_days(), p3.window_complete(), p3.makeup_required()),
            (Some(12.0), Some(true), false),
            "promotion grace"
        );
        let p4 = &rows[3];
        assert_eq!((p4.rule(), p4.days_required(), p4.score(), p4.makeup_required()), (NO_RULE, None, None, false));
        let df = compliance_frame(&rows, &keys).unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
        let def = crate::schema::indicator_def("compliance").unwrap();
        assert_eq!(names, def.columns.iter().map(|c| c.name).collect::<Vec<_>>());
    }

    #[test]
    fn rules_resolve_by_level_then_category() {
        let s = ComplianceSettings::default();
        let r = RuleSet::new(&s);
        assert_eq!(
            r.resolve(Some("middle_level"), Some("副处")).map(|r| r.name.as_str()),
            Some("county_5y_3m_or_550h")
        );
        assert_eq!(
            r.resolve(Some("department_level"), Some("科员")).map(|r| r.name.as_str()),
            Some("township_12d_or_90h")
        );
        assert_eq!(
            r.resolve(Some("department_level"), Some("unknown")).map(|r| r.name.as_str()),
            Some("county_5y_3m_or_550h")
        );
        assert_eq!(r.resolve(Some("rural_secretary"), Some("村党组织书记")), None);
        let seeds = RuleSet::new(&ComplianceSettings { preset: "seeds".into(), ..Default::default() });
        assert_eq!(seeds.resolve(Some("rural_secretary"), Some("村党组织书记")).map(|r| r.min_days), Some(5.0));
        assert_eq!(seeds.resolve(Some("department_level"), Some("正处")).map(|r| r.min_days), Some(12.0));
        assert_eq!(seeds.resolve(Some("professional"), None), None);
    }
}
