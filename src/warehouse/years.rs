//! A warehouse of several years: which years it holds, and a new warehouse composed of
//! an old one and a fresh build of one year (`build --replace-year Y`, SPEC §7.4).
//!
//! In: the directory of the warehouse in place (`old`, possibly absent), a complete
//! build of the new inputs in a scratch directory (`new`), the year Y, and the staging
//! directory of the result (`dest`). Out: `dest` holding
//! - of every partitioned table (classes, courses, enrollments, surveys, scale scores,
//!   ratings: by the year of the class's start; reviews: by the review's year): the
//!   old `year=X` partitions for every X ≠ Y, file for file (hard links, so the bytes
//!   are the old bytes), and the new build's `year=Y` partition — rows of other years
//!   in the new inputs are left out;
//! - master data (units, cadres, items) as the new inputs give it: it describes the
//!   cadres and units as they are now, so the new inputs must hold every cadre and unit
//!   the kept years refer to (the join of `trainee_outcomes` fails, naming the table,
//!   otherwise);
//! - `unit_outcomes` (keyed by its `period` text, not partitioned): the old rows of
//!   every period ≠ Y and the new rows of period Y;
//! - the new build's `_rejects/`.
//!
//! `trainee_outcomes` is not copied: the caller joins it again over `dest`, because a
//! kept year's "review after" may be a review of year Y. Its rating scores come from
//! the old `trainee_outcomes` for the kept years ([`kept_rating_scores`]) and from the
//! new build for year Y.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use polars::prelude::*;

use super::join::RatingScores;
use super::read::{parquet_files, partition_year};
use crate::error::WarehouseError;
use crate::schema::{col, table_def, wh, TABLES};
use crate::validate::Value;

/// Rows of a Parquet file, from its footer.
fn parquet_rows(path: &Path) -> Result<u64, WarehouseError> {
    let mut f = std::fs::File::open(path).map_err(|e| WarehouseError::io(path, e))?;
    let meta = polars_parquet::read::read_metadata(&mut f)
        .map_err(|e| WarehouseError::frame(format!("reading the footer of {}", path.display()), e))?;
    Ok(meta.num_rows as u64)
}

/// The `year=` partition directories of `table` under `wh`, by year.
fn partitions(wh: &Path, table: &str) -> Result<BTreeMap<i32, std::path::PathBuf>, WarehouseError> {
    let dir = wh.join(table);
    let mut out = BTreeMap::new();
    let rd = match std::fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(WarehouseError::io(&dir, e)),
    };
    for e in rd {
        let e = e.map_err(|e| WarehouseError::io(&dir, e))?;
        if let Some(y) = partition_year(&e.file_name().to_string_lossy()) {
            out.insert(y, e.path());
        }
    }
    Ok(out)
}

/// Every year held by the warehouse at `wh` (a `year=` partition of any table), with the
/// rows of that year per table (tables without rows in the year left out).
pub fn years_held(wh: &Path) -> Result<BTreeMap<i32, BTreeMap<String, u64>>, WarehouseError> {
    let mut out: BTreeMap<i32, BTreeMap<String, u64>> = BTreeMap::new();
    for def in TABLES.iter().filter(|t| t.partition.is_some()) {
        for (year, dir) in partitions(wh, def.name)? {
            let mut rows = 0;
            for f in parquet_files(&dir)? {
                rows += parquet_rows(&f)?;
            }
            if rows > 0 {
                out.entry(year).or_default().insert(def.name.to_string(), rows);
            }
        }
    }
    Ok(out)
}

/// The years in which `table` has rows, ascending.
pub fn years_held_by(held: &BTreeMap<i32, BTreeMap<String, u64>>, table: &str) -> Vec<i32> {
    held.iter().filter(|(_, rows)| rows.contains_key(table)).map(|(y, _)| *y).collect()
}

/// Rows per table of the whole warehouse at `wh` (every table of [`TABLES`]).
pub fn table_rows(wh: &Path) -> Result<BTreeMap<String, u64>, WarehouseError> {
    let mut out = BTreeMap::new();
    for def in TABLES {
        let mut rows = 0;
        for f in parquet_files(&wh.join(def.name))? {
            rows += parquet_rows(&f)?;
        }
        out.insert(def.name.to_string(), rows);
    }
    Ok(out)
}

/// Recreate the tree `from` under `to`: directories created, files hard-linked (copied
/// where the file system refuses links). Files are never rewritten in place, so a link
/// shares bytes that no later build changes.
fn link_tree(from: &Path, to: &Path) -> Result<(), WarehouseError> {
    std::fs::create_dir_all(to).map_err(|e| WarehouseError::io(to, e))?;
    for e in std::fs::read_dir(from).map_err(|e| WarehouseError::io(from, e))? {
        let e = e.map_err(|e| WarehouseError::io(from, e))?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            link_tree(&src, &dst)?;
        } else if std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst).map_err(|e| WarehouseError::io(&dst, e))?;
        }
    }
    Ok(())
}

/// Compose `dest` from `old` (may be absent) and `new` for year `year` (module doc).
pub fn compose(old: &Path, new: &Path, year: i32, dest: &Path) -> Result<(), WarehouseError> {
    for def in TABLES {
        if def.name == wh::TRAINEE_OUTCOMES {
            continue;
        }
        if def.partition.is_some() {
            for (y, dir) in partitions(old, def.name)? {
                if y != year {
                    link_tree(&dir, &dest.join(def.name).join(format!("year={y}")))?;
                }
            }
            if let Some(dir) = partitions(new, def.name)?.get(&year) {
                link_tree(dir, &dest.join(def.name).join(format!("year={year}")))?;
            }
        } else if def.name == wh::UNIT_OUTCOMES {
            merge_unit_outcomes(old, new, year, dest)?;
        } else if new.join(def.name).is_dir() {
            link_tree(&new.join(def.name), &dest.join(def.name))?;
        }
    }
    if new.join(super::REJECTS_DIR).is_dir() {
        link_tree(&new.join(super::REJECTS_DIR), &dest.join(super::REJECTS_DIR))?;
    }
    Ok(())
}

/// `unit_outcomes`: old rows of periods ≠ `year`, then new rows of period `year`.
fn merge_unit_outcomes(old: &Path, new: &Path, year: i32, dest: &Path) -> Result<(), WarehouseError> {
    let def = table_def(wh::UNIT_OUTCOMES).ok_or_else(|| WarehouseError::frame(wh::UNIT_OUTCOMES, "no definition"))?;
    let y = year.to_string();
    let read = |wh: &Path, keep_year: bool| -> Result<DataFrame, WarehouseError> {
        let df = super::read::read(wh, def.name)?;
        let period =
            df.column(col::PERIOD).and_then(|c| c.str().cloned()).map_err(|e| WarehouseError::frame(def.name, e))?;
        // A row with no period is neither of `year` nor of another period.
        let mask = if keep_year { period.equal(y.as_str()) } else { period.not_equal(y.as_str()) };
        df.filter(&mask).map_err(|e| WarehouseError::frame(format!("reading {}", def.name), e))
    };
    let kept = if old.join(def.name).is_dir() { Some(read(old, false)?) } else { None };
    let fresh = if new.join(def.name).is_dir() { Some(read(new, true)?) } else { None };
    let mut all = DataFrame::empty_with_schema(&super::write::polars_schema(def));
    for f in [kept, fresh].into_iter().flatten() {
        all.vstack_mut_owned(super::write::conform(def, &f)?).map_err(|e| WarehouseError::frame(def.name, e))?;
    }
    // Through the writer of every build, so that an unchanged table keeps its bytes.
    let mut w = super::write::TableWriter::new(def, dest, def.name);
    let columns = all.columns();
    let mut row: Vec<Value> = Vec::with_capacity(columns.len());
    for i in 0..all.height() {
        row.clear();
        for c in columns {
            let v = c.get(i).map_err(|e| WarehouseError::frame(def.name, e))?;
            row.push(match v {
                AnyValue::Null => Value::Null,
                AnyValue::String(s) => Value::Str(s.to_string()),
                AnyValue::StringOwned(s) => Value::Str(s.to_string()),
                AnyValue::Float64(x) => Value::Float(x),
                AnyValue::Int64(x) => Value::Int(x),
                AnyValue::Boolean(b) => Value::Bool(b),
                other => return Err(WarehouseError::frame(def.name, format!("unexpected value {other}"))),
            });
        }
        w.push(None, &row)?;
    }
    w.finish().map(|_| ())
}

/// Class ids of `year` in the warehouse at `wh`.
pub fn class_ids(wh: &Path, year: i32) -> Result<BTreeSet<String>, WarehouseError> {
    let Some(dir) = partitions(wh, wh::CLASSES)?.remove(&year) else { return Ok(BTreeSet::new()) };
    let mut out = BTreeSet::new();
    for f in parquet_files(&dir)? {
        let file = std::fs::File::open(&f).map_err(|e| WarehouseError::io(&f, e))?;
        let df = ParquetReader::new(file)
            .with_columns(Some(vec![col::CLASS_ID.into()]))
            .finish()
            .map_err(|e| WarehouseError::frame(format!("reading {}", f.display()), e))?;
        let ids = df
            .column(col::CLASS_ID)
            .and_then(|c| c.str().cloned())
            .map_err(|e| WarehouseError::frame(crate::schema::wh::CLASSES, e))?;
        out.extend(ids.iter().flatten().map(str::to_string));
    }
    Ok(out)
}

/// The rating scores of the kept years, from the old `trainee_outcomes` (every year but
/// `year`): one row per (class_id, cadre_id) with a non-null score in each frame.
pub fn kept_rating_scores(old: &Path, year: i32) -> Result<RatingScores, WarehouseError> {
    let empty = |name: &str| {
        DataFrame::new(
            0,
            vec![
                Column::new(col::CLASS_ID.into(), Vec::<String>::new()),
                Column::new(col::CADRE_ID.into(), Vec::<String>::new()),
                Column::new(name.into(), Vec::<f64>::new()),
            ],
        )
        .map_err(|e| WarehouseError::frame(crate::schema::wh::TRAINEE_OUTCOMES, e))
    };
    if !old.join(wh::TRAINEE_OUTCOMES).is_dir() {
        return Ok(RatingScores {
            reaction: empty(col::REACTION)?,
            by_others: empty(col::TRAINEE_ASSESSMENT)?,
            by_self: empty(col::SELF_ASSESSMENT)?,
        });
    }
    let names = [col::REACTION, col::TRAINEE_ASSESSMENT, col::SELF_ASSESSMENT];
    let all = super::read::read_columns(
        old,
        wh::TRAINEE_OUTCOMES,
        &[col::CLASS_ID, col::CADRE_ID, names[0], names[1], names[2], super::read::YEAR],
    )?;
    let failed =
        |name: &'static str| move |e: PolarsError| WarehouseError::frame(format!("trainee_outcomes: {name}"), e);
    let other_year = all
        .column(super::read::YEAR)
        .and_then(|c| c.i32().cloned())
        .map_err(failed(super::read::YEAR))?
        .not_equal(year);
    let frame = |name: &'static str| {
        let present = all.column(name).map_err(failed(name))?.is_not_null();
        all.select([col::CLASS_ID, col::CADRE_ID, name])
            .and_then(|df| df.filter(&(&other_year & &present)))
            .map_err(failed(name))
    };
    Ok(RatingScores { reaction: frame(names[0])?, by_others: frame(names[1])?, by_self: frame(names[2])? })
}

/// `kept` and the rows of `fresh` whose class is in `classes`, frame by frame.
pub fn combine_rating_scores(
    kept: RatingScores,
    fresh: RatingScores,
    classes: &BTreeSet<String>,
) -> Result<RatingScores, WarehouseError> {
    let join = |a: DataFrame, b: DataFrame, name: &str| -> Result<DataFrame, WarehouseError> {
        let failed = |e: PolarsError| WarehouseError::frame(format!("trainee_outcomes: {name}"), e);
        let ids = b.column(col::CLASS_ID).and_then(|c| c.str().cloned()).map_err(failed)?;
        let mask: BooleanChunked = ids.iter().map(|id| id.is_some_and(|id| classes.contains(id))).collect();
        let b = b.filter(&mask).map_err(failed)?;
        let mut a = a;
        a.vstack_mut(&b).map_err(failed)?;
        Ok(a)
    };
    Ok(RatingScores {
        reaction: join(kept.reaction, fresh.reaction, col::REACTION)?,
        by_others: join(kept.by_others, fresh.by_others, col::TRAINEE_ASSESSMENT)?,
        by_self: join(kept.by_self, fresh.by_self, col::SELF_ASSESSMENT)?,
    })
}
