//! Parquet sources, read with polars; every column is cast to text so that the
//! same validation applies as for CSV. Row numbers are 1-based row indices.

use std::path::Path;

use polars::prelude::*;

use super::{read_bytes, sha256_hex, Source};
use crate::error::IngestError;

pub(super) fn open(path: &Path) -> Result<Source, IngestError> {
    let bytes = read_bytes(path)?;
    let sha256 = sha256_hex(&bytes);
    let err = |e: PolarsError| IngestError::Parquet { path: path.to_path_buf(), message: e.to_string() };
    let df = ParquetReader::new(std::io::Cursor::new(bytes)).finish().map_err(err)?;
    let headers: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    let mut cols: Vec<Vec<String>> = Vec::with_capacity(headers.len());
    for c in df.columns() {
        let s = c.cast(&DataType::String).map_err(err)?;
        let ca = s.str().map_err(err)?;
        cols.push(ca.iter().map(|v| v.unwrap_or("").to_string()).collect());
    }
    let n = df.height();
    let rows: Vec<_> = (0..n)
        .map(|i| Ok((i + 1, cols.iter().map(|c| c[i].clone()).collect::<Vec<String>>())))
        .collect();
    Ok(Source { headers, rows: Box::new(rows.into_iter()), sha256, encoding: "parquet".into() })
}
