//! The reporting period's share of a warehouse that holds several years.
//!
//! The per-class and pooled tables of a period (learning, methods, reaction, needs,
//! reliability, trajectory) describe the classes that started in the period's year,
//! as the transfer family always has; a comparison of methods pooled over several
//! years would mix cohorts the report does not describe. The families that look across
//! years (trends, course series, compliance windows, the transfer controls' washout)
//! read the whole warehouse.
//!
//! In: the `classes` frame and the period (a year, else the latest year held). Out:
//! the period's classes and the rows of other frames that belong to them. A frame
//! whose rows all belong is returned as it is (no copy: a one-year warehouse, the
//! common case, costs nothing).

use polars::prelude::*;
use rustc_hash::FxHashSet;

use super::engine::{optional_i64s, perr, strs};
use super::scorecard::period_year;
use crate::error::IndicatorError;
use crate::schema::col;

/// The period's year and its classes.
pub struct Period {
    pub year: Option<i64>,
    pub classes: DataFrame,
}

impl Period {
    /// The classes of `classes` that started in the period's year (those without a
    /// year count as the period's).
    pub fn new(classes: &DataFrame, period: &str) -> Result<Period, IndicatorError> {
        let years = optional_i64s(classes, col::YEAR, crate::schema::wh::CLASSES)?;
        let year = period_year(period, &years);
        Ok(Period { year, classes: of_year(classes, &years, year)? })
    }

    /// The rows of `df` (with a `year` column, else kept whole) of the period's year or
    /// without one.
    pub fn rows(&self, df: &DataFrame, table: &str) -> Result<DataFrame, IndicatorError> {
        of_year(df, &optional_i64s(df, col::YEAR, table)?, self.year)
    }

    /// The rows of `df` whose `class_id` is one of the period's classes.
    pub fn class_rows(&self, df: &DataFrame, table: &str) -> Result<DataFrame, IndicatorError> {
        let ids: FxHashSet<&str> = strs(&self.classes, col::CLASS_ID, table)?.into_iter().flatten().collect();
        let keep: Vec<bool> =
            strs(df, col::CLASS_ID, table)?.iter().map(|c| c.is_some_and(|c| ids.contains(c))).collect();
        keep_rows(df, keep, table)
    }
}

fn of_year(df: &DataFrame, years: &[Option<i64>], year: Option<i64>) -> Result<DataFrame, IndicatorError> {
    let keep: Vec<bool> = years.iter().map(|y| y.is_none() || *y == year).collect();
    keep_rows(df, keep, "period")
}

fn keep_rows(df: &DataFrame, keep: Vec<bool>, table: &str) -> Result<DataFrame, IndicatorError> {
    if keep.iter().all(|&k| k) {
        return Ok(df.clone());
    }
    df.filter(&BooleanChunked::from_slice("keep".into(), &keep)).map_err(perr(table))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes() -> DataFrame {
        df!("class_id" => ["a", "b", "c", "d"], "year" => [Some(2024i32), Some(2025), Some(2025), None]).unwrap()
    }

    #[test]
    fn the_period_is_its_year_and_the_classes_without_one() {
        let p = Period::new(&classes(), "2025").unwrap();
        assert_eq!(p.year, Some(2025));
        let ids: Vec<_> = strs(&p.classes, col::CLASS_ID, "t").unwrap();
        assert_eq!(ids, [Some("b"), Some("c"), Some("d")]);
        // Not a year: the latest year held.
        assert_eq!(Period::new(&classes(), "all").unwrap().year, Some(2025));
        assert_eq!(Period::new(&classes(), "2024").unwrap().classes.height(), 2);
    }

    #[test]
    fn rows_are_filtered_by_year_and_by_class() {
        let p = Period::new(&classes(), "2024").unwrap();
        let rows = df!("class_id" => ["a", "b", "x"], "year" => [2024i32, 2025, 2024]).unwrap();
        assert_eq!(strs(&p.rows(&rows, "t").unwrap(), col::CLASS_ID, "t").unwrap(), [Some("a"), Some("x")]);
        assert_eq!(strs(&p.class_rows(&rows, "t").unwrap(), col::CLASS_ID, "t").unwrap(), [Some("a")]);
        // A frame without a year column is the period's as it is.
        let plain = df!("class_id" => ["a", "b"]).unwrap();
        assert_eq!(p.rows(&plain, "t").unwrap().height(), 2);
    }
}
