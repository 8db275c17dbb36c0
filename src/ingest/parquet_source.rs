//! Parquet sources, read with polars; every column is cast to text so that the
//! same validation applies as for CSV. Row numbers are 1-based row indices; every row
//! has the file's columns, so every row fits.

use std::path::Path;

use polars::prelude::*;

use super::{io_error, read_bytes, sha256_hex, Row, RowInfo, RowReader, Source};
use crate::error::IngestError;

pub(super) fn open(path: &Path) -> Result<Source, IngestError> {
    let bytes = read_bytes(path)?;
    let sha256 = sha256_hex(&bytes);
    let err = |e: PolarsError| IngestError::Parquet { path: path.to_path_buf(), message: e.to_string() };
    let df = ParquetReader::new(std::io::Cursor::new(bytes)).finish().map_err(err)?;
    let headers: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    let mut cols: Vec<StringChunked> = Vec::with_capacity(headers.len());
    for c in df.columns() {
        let s = c.cast(&DataType::String).map_err(err)?;
        cols.push(s.str().map_err(err)?.rechunk().into_owned());
    }
    let rows = ParquetRows { cols, next: 0, len: df.height() };
    Ok(Source { headers, rows: Box::new(rows), sha256: Some(sha256), encoding: "parquet".into() })
}

/// The column names of a Parquet file, from its footer alone.
pub(super) fn read_headers(path: &Path) -> Result<Vec<String>, IngestError> {
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let schema = ParquetReader::new(file)
        .schema()
        .map_err(|e| IngestError::Parquet { path: path.to_path_buf(), message: e.to_string() })?;
    Ok(schema.iter_names().map(|n| n.to_string()).collect())
}

/// The rows of a Parquet file, read from its columns cast to text (nulls as blanks).
struct ParquetRows {
    cols: Vec<StringChunked>,
    next: usize,
    len: usize,
}

impl RowReader for ParquetRows {
    fn next_row(&mut self, row: &mut Row) -> Result<Option<RowInfo>, IngestError> {
        if self.next >= self.len {
            return Ok(None);
        }
        let i = self.next;
        self.next += 1;
        row.clear();
        self.cols.iter().for_each(|c| row.push_field(c.get(i).unwrap_or("")));
        Ok(Some(RowInfo::fits(i + 1)))
    }
}
