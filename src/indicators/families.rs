//! The indicator families, declared: each one's name, the tables it writes, what it
//! reads and how it computes them from its definition module. The executor
//! ([`super::compute_with`]) owns the order, the threads and when inputs are freed; a
//! family only says what it needs (its [`Run`] variant) and hands its tables over.
//!
//! Adding an indicator: its definition (a pure function of frames, in its own module),
//! its [`TableDef`](crate::schema::TableDef), and one entry here.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use polars::prelude::DataFrame;

use super::engine::{Cadres, Trainees};
use super::scope::Period;
use super::{
    compliance, learning, methods, needs, reaction, reliability, results, scorecard, timed, trajectory, transfer,
    trends, Emitted, Inputs, LongTable, Params, StreamInputs,
};
use crate::error::IndicatorError;

/// What the streaming families read: the small tables, the long tables' files, the
/// period.
pub struct StreamEnv<'a> {
    pub ctx: Params<'a>,
    pub streams: &'a StreamInputs,
    pub scope: &'a Period,
    /// The period's survey answers (its `year=` partition).
    pub responses: &'a LongTable,
    /// The α of every (scale, wave), from the reliability family to the scorecard.
    pub scale_alpha: OnceLock<BTreeMap<(String, String), f64>>,
}

/// What the other families read besides the streaming families' inputs.
pub struct FrameEnv<'a> {
    pub base: &'a StreamEnv<'a>,
    pub inputs: &'a Inputs,
    /// Read by one family each, which frees them as soon as it is done with them.
    choices: Mutex<Option<DataFrame>>,
    reviews: Mutex<Option<DataFrame>>,
    assessment: Mutex<Option<Trainees<scorecard::Welford>>>,
}

impl<'a> FrameEnv<'a> {
    /// `choices`, `reviews` and the assessment moments are taken out of `inputs` by the
    /// caller (they are freed early, see [`FrameEnv::take_choices`]).
    pub(super) fn new(
        base: &'a StreamEnv<'a>,
        inputs: &'a Inputs,
        choices: DataFrame,
        reviews: DataFrame,
        assessment: Option<Trainees<scorecard::Welford>>,
    ) -> Self {
        FrameEnv {
            base,
            inputs,
            choices: Mutex::new(Some(choices)),
            reviews: Mutex::new(Some(reviews)),
            assessment: Mutex::new(assessment),
        }
    }

    /// The survey choices, for the one family that reads them (`needs`): freed when it
    /// is done instead of at the stage's end.
    fn take_choices(&self) -> DataFrame {
        take(&self.choices)
    }

    /// The reviews, for the one family that reads them (`transfer`): freed as soon as
    /// the review histories are built, before the per-cadre tables take their memory.
    fn take_reviews(&self) -> DataFrame {
        take(&self.reviews)
    }

    /// The folded scores others gave each trainee, for the scorecard alone: freed once
    /// it is built, before the compliance table.
    fn take_assessment(&self) -> Option<Trainees<scorecard::Welford>> {
        self.assessment.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

fn take(slot: &Mutex<Option<DataFrame>>) -> DataFrame {
    slot.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default()
}

type Done = Result<(), IndicatorError>;

/// How a family runs, by what it needs.
pub enum Run {
    /// Streams a long table row group by row group; the streaming families run first,
    /// side by side, before the other inputs are read.
    Stream(fn(&StreamEnv<'_>, &mut Emitted<'_>) -> Done),
    /// Reads the frames of [`Inputs`].
    Frames(fn(&FrameEnv<'_>, &mut Emitted<'_>) -> Done),
    /// Also works per cadre: the executor numbers the cadres once for all of these.
    PerCadre(fn(&FrameEnv<'_>, &Cadres<'_>, &mut Emitted<'_>) -> Done),
}

pub struct Family {
    pub name: &'static str,
    /// Exactly the tables the family writes (checked by the executor).
    pub tables: &'static [&'static str],
    pub run: Run,
}

/// Every family. The executor starts them in this order within their kind: the
/// per-cadre families run one after another in this order (transfer first, so the
/// reviews are freed early; compliance and the scorecard, the largest, last).
pub const FAMILIES: &[Family] = &[
    Family {
        name: "reaction",
        tables: &["course_series", "reaction_by_course", "reaction_by_class", "rater_agreement"],
        run: Run::Stream(reaction_family),
    },
    Family { name: "reliability", tables: &["reliability"], run: Run::Stream(reliability_family) },
    Family {
        name: "transfer",
        tables: &["transfer_by_class", "participant_flow", "transfer_event_study", "transfer_summary"],
        run: Run::PerCadre(transfer_family),
    },
    Family { name: "results", tables: &["unit_results", "unit_results_fit"], run: Run::PerCadre(results_family) },
    Family { name: "compliance", tables: &["cadre_scorecard", "compliance"], run: Run::PerCadre(compliance_family) },
    Family { name: "follow_up", tables: &["follow_up", "assessment_by_class"], run: Run::Frames(follow_up_family) },
    Family {
        name: "learning",
        tables: &[
            "learning_by_class",
            "learning_by_category",
            "learning_by_method",
            "learning_by_year",
            "trajectory",
            "trends",
            "method_summary",
            "method_tests",
            "method_pairwise",
        ],
        run: Run::Frames(learning_family),
    },
    Family { name: "needs", tables: &["needs_match", "needs_by_category"], run: Run::Frames(needs_family) },
];

/// L1: every class's courses (all years: the course series need them), then the
/// period's rows.
fn reaction_family(env: &StreamEnv<'_>, out: &mut Emitted<'_>) -> Done {
    let st = env.streams;
    let r = reaction::reaction_tables(&st.course_ratings, &st.courses, &st.classes, &env.ctx)?;
    let series = timed("course_series", || trends::course_series(&r.by_course, &st.courses, &st.classes))?;
    out.add("course_series", series)?;
    out.add("reaction_by_course", env.scope.class_rows(&r.by_course, "reaction_by_course")?)?;
    out.add("reaction_by_class", env.scope.class_rows(&r.by_class, "reaction_by_class")?)?;
    out.add("rater_agreement", env.scope.class_rows(&r.agreement, "rater_agreement")?)
}

fn reliability_family(env: &StreamEnv<'_>, out: &mut Emitted<'_>) -> Done {
    let r = reliability::reliability(&env.streams.items, env.responses, &env.ctx)?;
    let _ = env.scale_alpha.set(r.alpha);
    out.add("reliability", r.frame)
}

/// L3: the review histories first, so the reviews are freed before the classes' rows.
fn transfer_family(env: &FrameEnv<'_>, numbers: &Cadres<'_>, out: &mut Emitted<'_>) -> Done {
    let (i, st) = (env.inputs, env.base.streams);
    let reviews = env.take_reviews();
    let hist = timed("histories", || transfer::Histories::new(&reviews, numbers))?;
    drop(reviews);
    let t = transfer::transfer_tables(&i.outcomes, &st.classes, &i.cadres, &hist, numbers, &env.base.ctx)?;
    out.add("transfer_by_class", t.by_class)?;
    out.add("participant_flow", t.flow)?;
    out.add("transfer_event_study", t.event_study)?;
    out.add("transfer_summary", t.summary)
}

/// L4.
fn results_family(env: &FrameEnv<'_>, numbers: &Cadres<'_>, out: &mut Emitted<'_>) -> Done {
    let i = env.inputs;
    let u = results::unit_results(&i.unit_outcomes, &i.units, &i.cadres, numbers, &env.base.ctx)?;
    out.add("unit_results", u.units)?;
    out.add("unit_results_fit", u.fit)
}

/// The per-cadre tables: the compliance rows of every cadre and year, then the
/// scorecard (which reads the rows' scores) built and written, then the compliance
/// table built from the rows and written. One at a time: built side by side and
/// written side by side, the rows, both tables and both writers' buffers were held at
/// once.
fn compliance_family(env: &FrameEnv<'_>, numbers: &Cadres<'_>, out: &mut Emitted<'_>) -> Done {
    let (i, st, ctx) = (env.inputs, env.base.streams, &env.base.ctx);
    let settings = ctx.settings;
    let rules = compliance::RuleSet::new(&settings.compliance);
    let rows = compliance::compliance_rows(&i.cadres, &i.outcomes, &st.courses, &st.classes, numbers, &rules, ctx)?;
    let outcome_alpha = |wave: &str| -> Option<f64> {
        let alpha = env.base.scale_alpha.get()?;
        alpha.get(&(settings.instrument.outcome_scale.clone(), wave.to_string())).copied()
    };
    let rel = scorecard::Reliabilities {
        scale_pre: outcome_alpha("pre"),
        scale_post: outcome_alpha("post"),
        review: i.review_alpha,
    };
    let assessment = env.take_assessment();
    let card = timed("scorecard", || {
        let moments = |class: &str, cadre: &str| {
            let (n, var) = assessment.as_ref()?.get(class, cadre)?.moments();
            Some((n, var.unwrap_or(f64::NAN)))
        };
        scorecard::cadre_scorecard(&i.outcomes, &moments, &rows, numbers, &rel, ctx)
    })?;
    drop(assessment);
    out.add("cadre_scorecard", card)?;
    let frame = compliance::compliance_frame(&rows, numbers)?;
    drop(rows);
    out.add("compliance", frame)
}

/// Follow-ups and the two-way assessment: no cadre numbers needed, so a task of their
/// own (not queued behind transfer).
fn follow_up_family(env: &FrameEnv<'_>, out: &mut Emitted<'_>) -> Done {
    let (i, st, ctx) = (env.inputs, env.base.streams, &env.base.ctx);
    out.add("follow_up", transfer::follow_up(&i.outcomes, &st.classes, ctx)?)?;
    out.add("assessment_by_class", transfer::assessment_by_class(&i.outcomes, &st.classes, ctx)?)
}

/// L2 over the period's classes, the method tables (withholding the same method rows
/// as learning_by_method), the trajectory, and the trends over every year.
fn learning_family(env: &FrameEnv<'_>, out: &mut Emitted<'_>) -> Done {
    let (i, ctx, scope) = (env.inputs, &env.base.ctx, env.base.scope);
    let (outcomes, classes) = (&scope.rows(&i.outcomes, crate::schema::wh::TRAINEE_OUTCOMES)?, &scope.classes);
    let l = timed("learning", || learning::learning_tables(outcomes, classes, ctx))?;
    let m = timed("methods", || methods::method_tables(outcomes, classes, &l.method_status, ctx))?;
    out.add("learning_by_class", l.by_class)?;
    out.add("learning_by_category", l.by_category)?;
    out.add("learning_by_method", l.by_method)?;
    out.add("learning_by_year", l.by_year)?;
    out.add("trajectory", timed("trajectory", || trajectory::trajectory(outcomes, classes, ctx))?)?;
    out.add("trends", timed("trends", || trends::trends(&i.outcomes, ctx))?)?;
    out.add("method_summary", m.summary)?;
    out.add("method_tests", m.tests)?;
    out.add("method_pairwise", m.pairwise)
}

fn needs_family(env: &FrameEnv<'_>, out: &mut Emitted<'_>) -> Done {
    let choices = env.take_choices();
    let n = needs::needs_match(&choices, &env.base.streams.courses, &env.base.scope.classes, &env.base.ctx)?;
    drop(choices);
    out.add("needs_match", n.by_class)?;
    out.add("needs_by_category", n.by_category)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::INDICATOR_TABLES;

    #[test]
    fn every_declared_table_has_exactly_one_family() {
        let mut written: Vec<&str> = FAMILIES.iter().flat_map(|f| f.tables.iter().copied()).collect();
        written.sort_unstable();
        let mut declared: Vec<&str> = INDICATOR_TABLES.iter().map(|t| t.name).collect();
        declared.sort_unstable();
        assert_eq!(written, declared);
    }
}
