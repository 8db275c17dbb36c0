//! Reading the warehouse back into frames, as `indicators`, `report`, `export` and the
//! tests do.
//!
//! In: a warehouse directory and a table name (or any directory of Parquet parts). Out:
//! one eager frame. A partitioned table's `year=YYYY/` directories become a `year`
//! column (`Int32`, last unless columns are asked for by name). Files are read in the
//! order of their paths, so rows come in partition order and, within one, in written
//! order. A table with no files yields an empty frame of its declared schema.
//! Only polars' eager Parquet reader is used: no query engine is needed to read a table.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::write::polars_schema;
use crate::error::WarehouseError;
use crate::schema::table_def;

/// The hive partition column of partitioned tables.
pub const YEAR: &str = "year";

/// A whole warehouse table.
pub fn read(warehouse: &Path, table: &str) -> Result<DataFrame, WarehouseError> {
    read_table(warehouse, table, None)
}

/// The named columns of a warehouse table, in the order asked (`year` is the partition).
pub fn read_columns(warehouse: &Path, table: &str, columns: &[&str]) -> Result<DataFrame, WarehouseError> {
    read_table(warehouse, table, Some(columns))
}

/// The column names of a warehouse table as [`read`] returns them.
pub fn column_names(warehouse: &Path, table: &str) -> Result<Vec<String>, WarehouseError> {
    let def = table_def(table).ok_or_else(|| WarehouseError::frame(table, "not a warehouse table"))?;
    let files = parts_with_years(&warehouse.join(def.name))?;
    let Some((path, year)) = files.first() else {
        let mut names: Vec<String> = def.columns.iter().map(|c| c.name.to_string()).collect();
        if def.partition.is_some() {
            names.push(YEAR.to_string());
        }
        return Ok(names);
    };
    let mut names: Vec<String> = file_schema(path)?.iter_names().map(|n| n.to_string()).collect();
    if year.is_some() && !names.iter().any(|n| n == YEAR) {
        names.push(YEAR.to_string());
    }
    Ok(names)
}

fn read_table(warehouse: &Path, table: &str, columns: Option<&[&str]>) -> Result<DataFrame, WarehouseError> {
    let def = table_def(table).ok_or_else(|| WarehouseError::frame(table, "not a warehouse table"))?;
    let files = parts_with_years(&warehouse.join(def.name))?;
    if files.is_empty() {
        let mut schema = polars_schema(def);
        if def.partition.is_some() {
            schema.with_column(YEAR.into(), DataType::Int32);
        }
        let df = DataFrame::empty_with_schema(&schema);
        return match columns {
            Some(cols) => df.select(cols.iter().copied()).map_err(|e| WarehouseError::frame(table, e)),
            None => Ok(df),
        };
    }
    read_files(&files, columns, table)
}

/// Every Parquet part under `dir` (a directory, possibly with `year=` partitions) or
/// the one file `dir`, read as one frame; `None` when there is none.
pub fn read_parts(path: &Path, columns: Option<&[&str]>) -> Result<Option<DataFrame>, WarehouseError> {
    let files = if path.is_file() { vec![(path.to_path_buf(), None)] } else { parts_with_years(path)? };
    if files.is_empty() {
        return Ok(None);
    }
    read_files(&files, columns, &path.display().to_string()).map(Some)
}

fn read_files(
    files: &[(PathBuf, Option<i32>)],
    columns: Option<&[&str]>,
    what: &str,
) -> Result<DataFrame, WarehouseError> {
    let frame = |e: PolarsError| WarehouseError::frame(format!("reading {what}"), e);
    let mut out: Option<DataFrame> = None;
    for (path, year) in files {
        let file = std::fs::File::open(path).map_err(|e| WarehouseError::io(path, e))?;
        let mut reader = ParquetReader::new(file);
        // The partition column is not in the files: it is added from the path.
        let hive = year.is_some() && !reader.schema().map_err(frame)?.contains(YEAR);
        if let Some(cols) = columns {
            let stored: Vec<String> = cols.iter().filter(|c| !(hive && **c == YEAR)).map(|c| c.to_string()).collect();
            // With no stored column asked for, the rows are still counted from the file.
            if !stored.is_empty() {
                reader = reader.with_columns(Some(stored));
            }
        }
        let mut df = reader.finish().map_err(frame)?;
        if let (true, Some(y)) = (hive, year) {
            let n = df.height();
            df.with_column(Int32Chunked::full(YEAR.into(), *y, n).into_column()).map_err(frame)?;
        }
        if let Some(cols) = columns {
            // The order asked, whatever the files' order.
            df = df.select(cols.iter().copied()).map_err(frame)?;
        }
        match &mut out {
            Some(all) => {
                all.vstack_mut_owned(df).map_err(frame)?;
            }
            None => out = Some(df),
        }
    }
    out.ok_or_else(|| WarehouseError::frame(what, "no Parquet file"))
}

fn file_schema(path: &Path) -> Result<ArrowSchema, WarehouseError> {
    let file = std::fs::File::open(path).map_err(|e| WarehouseError::io(path, e))?;
    let schema = ParquetReader::new(file)
        .schema()
        .map_err(|e| WarehouseError::frame(format!("reading {}", path.display()), e))?;
    Ok(schema.as_ref().clone())
}

/// Every Parquet file under `dir`, in path order (none when it does not exist).
pub(crate) fn parquet_files(dir: &Path) -> Result<Vec<PathBuf>, WarehouseError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = match std::fs::read_dir(&d) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(WarehouseError::io(&d, e)),
        };
        for entry in rd {
            let p = entry.map_err(|e| WarehouseError::io(&d, e))?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The year of a `year=YYYY` directory name.
pub(crate) fn partition_year(name: &str) -> Option<i32> {
    name.strip_prefix("year=").and_then(|y| y.parse().ok())
}

/// [`parquet_files`] of `dir`, each with the year of the innermost `year=` directory it
/// is in below `dir`, if any.
fn parts_with_years(dir: &Path) -> Result<Vec<(PathBuf, Option<i32>)>, WarehouseError> {
    Ok(parquet_files(dir)?
        .into_iter()
        .map(|file| {
            let below = file.strip_prefix(dir).unwrap_or(&file);
            let year = below.components().filter_map(|c| partition_year(c.as_os_str().to_str()?)).next_back();
            (file, year)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{col, wh};

    fn write(path: &Path, ids: &[&str]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut df = df!(col::CLASS_ID => ids).unwrap();
        ParquetWriter::new(std::fs::File::create(path).unwrap()).finish(&mut df).unwrap();
    }

    fn texts(df: &DataFrame, name: &str) -> Vec<String> {
        df.column(name).unwrap().str().unwrap().iter().flatten().map(str::to_string).collect()
    }

    /// Partitions in path order (not in the order written), rows in file order, the
    /// `year=` directory as an Int32 column last, or where the columns asked put it.
    #[test]
    fn partitions_become_a_year_column_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let table = dir.path().join(wh::CLASSES);
        write(&table.join("year=2025/part-a.parquet"), &["b1", "b2"]);
        write(&table.join("year=2023/part-a.parquet"), &["a1"]);
        write(&table.join("year=2025/part-b.parquet"), &["b3"]);
        let all = read(dir.path(), wh::CLASSES).unwrap();
        assert_eq!(all.get_column_names(), [col::CLASS_ID, YEAR]);
        assert_eq!(texts(&all, col::CLASS_ID), ["a1", "b1", "b2", "b3"]);
        let years: Vec<Option<i32>> = all.column(YEAR).unwrap().i32().unwrap().iter().collect();
        assert_eq!(years, [Some(2023), Some(2025), Some(2025), Some(2025)]);
        assert_eq!(column_names(dir.path(), wh::CLASSES).unwrap(), [col::CLASS_ID, YEAR]);
        let asked = read_columns(dir.path(), wh::CLASSES, &[YEAR, col::CLASS_ID]).unwrap();
        assert_eq!(asked.get_column_names(), [YEAR, col::CLASS_ID]);
        assert!(asked.select([col::CLASS_ID, YEAR]).unwrap().equals_missing(&all));
        // Only the partition asked for: the rows are still there.
        assert_eq!(read_columns(dir.path(), wh::CLASSES, &[YEAR]).unwrap().height(), 4);
        // A column no file has is an error naming the table, not a panic.
        let err = read_columns(dir.path(), wh::CLASSES, &["nope"]).unwrap_err();
        assert!(err.to_string().contains(wh::CLASSES), "{err}");
        // One file read alone, and a directory without Parquet.
        let one = read_parts(&table.join("year=2023/part-a.parquet"), None).unwrap().unwrap();
        assert_eq!(texts(&one, col::CLASS_ID), ["a1"]);
        assert!(read_parts(dir.path().join("nothing").as_path(), None).unwrap().is_none());
    }

    /// A table with no file reads as its declared columns (and the partition), no rows.
    #[test]
    fn a_table_never_written_is_empty_with_its_declared_schema() {
        let dir = tempfile::tempdir().unwrap();
        let def = table_def(wh::CLASSES).unwrap();
        let df = read(dir.path(), wh::CLASSES).unwrap();
        assert_eq!(df.height(), 0);
        let mut want: Vec<&str> = def.columns.iter().map(|c| c.name).collect();
        want.push(YEAR);
        assert_eq!(df.get_column_names(), want);
        assert_eq!(column_names(dir.path(), wh::CLASSES).unwrap(), want);
        assert_eq!(df.column(YEAR).unwrap().dtype(), &DataType::Int32);
        let some = read_columns(dir.path(), wh::CLASSES, &[YEAR, col::CLASS_ID]).unwrap();
        assert_eq!(some.height(), 0);
        assert_eq!(some.get_column_names(), [YEAR, col::CLASS_ID]);
        let units = read(dir.path(), wh::UNITS).unwrap();
        assert!(!units.get_column_names().iter().any(|n| n.as_str() == YEAR));
        assert!(read(dir.path(), "not_a_table").is_err());
    }
}
