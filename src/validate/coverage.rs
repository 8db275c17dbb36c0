//! Which indicator tables each input feeds, so that a job with an input missing can say
//! what that leaves empty.
//!
//! In: the input tables a job has (or the table names of a manifest). Out: one
//! [`MissingInput`] per input the job lacks whose absence empties or thins an indicator
//! table, in input order. Inputs that every job needs (classes, cadres, enrollments) are
//! listed too: without them nearly every table is empty.
//!
//! Guarantees: table names are those of the indicator schema (a test holds every name
//! here to `INDICATOR_TABLES`); nothing is read.

use crate::config::Job;
use crate::schema::{indicator_def, TableKind, Wave, INDICATOR_TABLES};

/// An input the job lacks, and what its absence does to the indicators.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingInput {
    /// The input's name (`course_ratings`, `survey_pre`, …).
    pub input: String,
    /// Indicator tables left without rows or with every statistic empty.
    pub empties: Vec<&'static str>,
    /// Indicator tables that keep their rows but lose a column or a component.
    pub thins: Vec<&'static str>,
}

/// What an input feeds: (tables it alone fills, tables it adds to).
fn feeds(t: TableKind) -> (&'static [&'static str], &'static [&'static str]) {
    const LEARNING: &[&str] = &[
        "learning_by_class",
        "learning_by_category",
        "learning_by_method",
        "learning_by_year",
        "trajectory",
        "method_summary",
        "method_tests",
        "method_pairwise",
    ];
    match t {
        TableKind::Classes | TableKind::Enrollments => (ALL, &[]),
        TableKind::Cadres => {
            (&["compliance", "cadre_scorecard", "learning_by_category"], &["transfer_by_class", "unit_results"])
        }
        TableKind::Units => (&[], &["unit_results"]),
        TableKind::Courses => (&["reaction_by_course", "needs_match", "needs_by_category"], &["compliance"]),
        TableKind::Items => (&["learning_by_class", "reliability", "trajectory", "follow_up", "needs_match"], &[]),
        TableKind::Survey(Wave::Pre) | TableKind::Survey(Wave::Post) => {
            (LEARNING, &["reliability", "cadre_scorecard", "follow_up", "trends"])
        }
        TableKind::Survey(Wave::Needs) => (&["needs_match", "needs_by_category"], &[]),
        TableKind::Survey(_) => (&[], &["follow_up", "trajectory", "reliability"]),
        TableKind::CourseRatings => {
            (&["reaction_by_course", "reaction_by_class", "rater_agreement", "course_series"], &["trends"])
        }
        TableKind::TraineeRatings => (&["assessment_by_class"], &["cadre_scorecard"]),
        TableKind::Reviews => (
            &["transfer_by_class", "transfer_event_study", "transfer_summary"],
            &["cadre_scorecard", "trends", "participant_flow"],
        ),
        TableKind::UnitOutcomes => (&["unit_results", "unit_results_fit"], &[]),
    }
}

/// Stands for "every indicator table" in [`feeds`].
const ALL: &[&str] = &["*"];

/// The inputs missing from `present` and what each leaves empty, in input order. The
/// follow-up waves are listed only when some survey wave is given (a job without
/// surveys is short of pre and post first), and `items` only then too.
pub fn missing_inputs_of(present: &[TableKind]) -> Vec<MissingInput> {
    let has_survey = present.iter().any(|t| matches!(t, TableKind::Survey(_)));
    let mut out = Vec::new();
    for t in TableKind::all() {
        if present.contains(&t) {
            continue;
        }
        let optional_wave = matches!(t, TableKind::Survey(Wave::Follow3m | Wave::Follow6m | Wave::Follow12m));
        if (optional_wave || t == TableKind::Items) && !has_survey {
            continue;
        }
        let (empties, thins) = feeds(t);
        let empties: Vec<&'static str> = if empties == ALL {
            INDICATOR_TABLES.iter().map(|d| d.name).collect()
        } else {
            empties.iter().copied().filter(|n| indicator_def(n).is_some()).collect()
        };
        let thins: Vec<&'static str> =
            thins.iter().copied().filter(|n| indicator_def(n).is_some() && !empties.contains(n)).collect();
        if empties.is_empty() && thins.is_empty() {
            continue;
        }
        out.push(MissingInput { input: t.name(), empties, thins });
    }
    out
}

/// The inputs `job` lacks and what each leaves empty.
pub fn missing_inputs(job: &Job) -> Vec<MissingInput> {
    let present: Vec<TableKind> = job.inputs.iter().map(|i| i.table).collect();
    missing_inputs_of(&present)
}

/// The same from input names (a manifest's `tables` keys); unknown names are ignored.
pub fn missing_inputs_named<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<MissingInput> {
    let present: Vec<TableKind> = names.into_iter().filter_map(TableKind::from_name).collect();
    missing_inputs_of(&present)
}

impl MissingInput {
    /// One line for a terminal or a log: the input, then what it leaves empty.
    pub fn describe(&self) -> String {
        let mut s = format!("no `{}` input", self.input);
        if self.empties.len() == INDICATOR_TABLES.len() {
            s.push_str(": nearly every indicator table will be empty");
            return s;
        }
        if !self.empties.is_empty() {
            s.push_str(&format!(": {} will be empty", self.empties.join(", ")));
        }
        if !self.thins.is_empty() {
            s.push_str(&format!(
                "{} {} will be incomplete",
                if self.empties.is_empty() { ":" } else { ";" },
                self.thins.join(", ")
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_named_here_exists() {
        for t in TableKind::all() {
            let (e, th) = feeds(t);
            for n in e.iter().chain(th) {
                assert!(*n == "*" || indicator_def(n).is_some(), "{} feeds unknown table {n}", t.name());
            }
        }
    }

    #[test]
    fn a_missing_rating_input_names_the_reaction_tables() {
        let present =
            [TableKind::Units, TableKind::Cadres, TableKind::Classes, TableKind::Courses, TableKind::Enrollments];
        let m = missing_inputs_of(&present);
        let names: Vec<&str> = m.iter().map(|x| x.input.as_str()).collect();
        assert_eq!(
            names,
            [
                "survey_needs",
                "survey_pre",
                "survey_post",
                "course_ratings",
                "trainee_ratings",
                "reviews",
                "unit_outcomes"
            ]
        );
        let cr = m.iter().find(|x| x.input == "course_ratings").unwrap();
        assert_eq!(cr.empties, ["reaction_by_course", "reaction_by_class", "rater_agreement", "course_series"]);
        assert_eq!(
            cr.describe(),
            "no `course_ratings` input: reaction_by_course, reaction_by_class, rater_agreement, course_series will be empty; trends will be incomplete"
        );
        let tr = m.iter().find(|x| x.input == "trainee_ratings").unwrap();
        assert!(tr.describe().ends_with("; cadre_scorecard will be incomplete"), "{}", tr.describe());
        // With surveys, the follow-up waves and items are missed too.
        let mut with = present.to_vec();
        with.push(TableKind::Survey(Wave::Pre));
        let m = missing_inputs_of(&with);
        assert!(m.iter().any(|x| x.input == "items") && m.iter().any(|x| x.input == "survey_follow_3m"));
        // Nothing missing, nothing said.
        assert!(missing_inputs_of(&TableKind::all()).is_empty());
        assert!(missing_inputs_named(["classes"])
            .iter()
            .any(|x| x.input == "enrollments" && x.empties.len() == INDICATOR_TABLES.len()));
    }
}
