//! `OUT/indicators/indicators.xlsx` (`[indicators] xlsx = true`): the indicator tables
//! as a workbook for people.
//!
//! In: the tables just computed (canonical columns), the warehouse they came from (for
//! class and course titles) and the export's [`Labels`]. Out: one workbook — a legend
//! sheet first (each table's title, each column's header, field name and meaning from
//! the data dictionary, and how numbers are shown), then one sheet per table, named as
//! its Parquet file.
//! Guarantees: the rows and numbers of each sheet are those of the table (p-values stay
//! numbers, shown `0.000` and `<0.001`); the class title follows every `class_id` and
//! the course title every `course_id` (these two columns exist only here); codes are in
//! the office's words; text is never a formula. The Parquet and CSV tables keep the
//! canonical names and codes: tools read those.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use super::labels::{Labels, CLASS_TITLE, COURSE_TITLE};
use super::workbook::{present, sheet, text_frame};
use super::{write_workbook, Sheet};
use crate::error::WarehouseError;
use crate::schema::{col, indicator_def, wh};

/// Titles of the warehouse's classes and courses, by id.
#[derive(Debug, Default)]
pub struct Titles {
    classes: HashMap<String, String>,
    courses: HashMap<String, String>,
}

impl Titles {
    /// Read the titles from the warehouse at `warehouse`.
    pub fn read(warehouse: &Path) -> Result<Titles, WarehouseError> {
        let pairs = |table: &str, key: &str| -> Result<HashMap<String, String>, WarehouseError> {
            let df = crate::warehouse::read::read_columns(warehouse, table, &[key, col::TITLE])?;
            let text =
                |c: &str| df.column(c).and_then(|s| s.str().cloned()).map_err(|e| WarehouseError::frame(table, e));
            let (ids, titles) = (text(key)?, text(col::TITLE)?);
            Ok(ids.iter().zip(titles.iter()).filter_map(|(i, t)| Some((i?.to_string(), t?.to_string()))).collect())
        };
        Ok(Titles { classes: pairs(wh::CLASSES, col::CLASS_ID)?, courses: pairs(wh::COURSES, col::COURSE_ID)? })
    }

    /// `df` with the class title after `class_id` and the course title after `course_id`
    /// (a table's own course `title` becomes the course title).
    pub fn add_to(&self, df: &DataFrame) -> Result<DataFrame, WarehouseError> {
        let err = |e: PolarsError| WarehouseError::frame("adding titles", e);
        let mut df = df.clone();
        let lookup =
            |df: &DataFrame, key: &str, map: &HashMap<String, String>| -> Result<Option<Column>, WarehouseError> {
                let Ok(ids) = df.column(key).and_then(|c| c.str().cloned()) else { return Ok(None) };
                let titles: StringChunked =
                    ids.iter().map(|id| id.and_then(|id| map.get(id).map(String::as_str))).collect();
                Ok(Some(titles.into_column()))
            };
        let has = |df: &DataFrame, c: &str| df.get_column_index(c);
        if let (Some(at), None) = (has(&df, col::CLASS_ID), has(&df, CLASS_TITLE)) {
            if let Some(c) = lookup(&df, col::CLASS_ID, &self.classes)? {
                df.insert_column(at + 1, c.with_name(CLASS_TITLE.into())).map_err(err)?;
            }
        }
        if let (Some(at), None) = (has(&df, col::COURSE_ID), has(&df, COURSE_TITLE)) {
            if has(&df, col::TITLE).is_some() {
                df.rename(col::TITLE, COURSE_TITLE.into()).map_err(err)?;
            } else if let Some(c) = lookup(&df, col::COURSE_ID, &self.courses)? {
                df.insert_column(at + 1, c.with_name(COURSE_TITLE.into())).map_err(err)?;
            }
        }
        Ok(df)
    }
}

/// Name of the legend sheet.
pub fn legend_name(labels: &Labels) -> &'static str {
    labels.pick("说明", "legend")
}

/// Write the workbook of `tables` (name, frame) to `path`.
pub fn write(
    tables: &[(&str, &DataFrame)],
    titles: &Titles,
    labels: &Labels,
    path: &Path,
) -> Result<(), WarehouseError> {
    let mut shown: Vec<(&str, DataFrame)> = Vec::with_capacity(tables.len());
    for (name, df) in tables {
        shown.push((name, present(&titles.add_to(df)?, labels, None)?));
    }
    let legend = legend(&shown, labels)?;
    let mut sheets: Vec<Sheet<'_>> = vec![legend_sheet(&legend, labels)];
    sheets.extend(shown.iter().map(|(name, df)| sheet(name, df, labels, None)));
    write_workbook(&sheets, Some(labels.pick("干部教育培训评估指标表", "Cadre training indicator tables")), path)
}

/// The legend sheet of a legend frame: its own headers, wide meaning column.
fn legend_sheet<'a>(legend: &'a DataFrame, labels: &Labels) -> Sheet<'a> {
    let mut s = Sheet::plain(legend_name(labels), legend);
    s.headers = [
        labels.pick("工作表", "Sheet"),
        labels.pick("表的内容", "Table"),
        labels.pick("列名", "Column"),
        labels.pick("字段名（Parquet/CSV）", "Field (Parquet/CSV)"),
        labels.pick("含义（数据字典）", "Meaning (data dictionary)"),
    ]
    .map(str::to_string)
    .to_vec();
    s.widths = vec![22.0, 30.0, 28.0, 24.0, 90.0];
    s
}

/// How numbers and withheld rows are shown, then every column of every sheet.
fn legend(shown: &[(&str, DataFrame)], labels: &Labels) -> Result<DataFrame, WarehouseError> {
    let mut rows: Vec<[String; 5]> = Vec::new();
    let all = labels.pick("（全部工作表）", "(every sheet)").to_string();
    for note in [
        labels.pick(
            "p 值保留三位小数，小于 0.001 显示为“<0.001”；单元格中仍是完整数值，可以排序和计算。",
            "p-values show three decimals, and “<0.001” below 0.001; the cell holds the full number, for sorting and sums.",
        ),
        labels.pick(
            "均值与得分保留 1 位小数，效应量、统计量与信度 2 位，比例以百分数显示，人数与排名为整数。",
            "Means and scores show 1 decimal, effect sizes, statistics and reliabilities 2, shares as percentages, counts and ranks none.",
        ),
        labels.pick(
            "“不予公布”为“是”的行描述的人数少于最小单元（或为保护这样的行而一并不予公布）：统计量和人数为空，编号与名称保留。",
            "A row “withheld” describes fewer people than the minimum cell (or protects such a row): its statistics and counts are empty, its ids and labels stay.",
        ),
        labels.pick(
            "班次名称、课程名称取自数据仓库的班次表和课程表，只在本工作簿中；类别、方式等代码按管道文件的取值对照显示为本单位的说法。Parquet 与 CSV 表保留字段名与代码，供其他工具读取。",
            "Class and course titles come from the warehouse's classes and courses and appear only in this workbook; categories, methods and other codes are shown in the office's words from the pipeline's value maps. The Parquet and CSV tables keep the field names and codes, for other tools.",
        ),
    ] {
        rows.push([all.clone(), String::new(), String::new(), String::new(), note.to_string()]);
    }
    for (name, df) in shown {
        let def = indicator_def(name);
        let title = labels
            .table_title(name)
            .map_or_else(|| def.map_or_else(String::new, |d| d.grain.to_string()), str::to_string);
        for c in df.get_column_names() {
            let meaning = match c.as_str() {
                CLASS_TITLE => {
                    labels.pick("班次名称（取自班次表）", "title of the class (from the classes table)").to_string()
                }
                COURSE_TITLE => {
                    labels.pick("课程名称（取自课程表）", "title of the course (from the courses table)").to_string()
                }
                c => def
                    .and_then(|d| d.columns.iter().find(|x| x.name == c))
                    .map_or_else(String::new, |x| x.doc.to_string()),
            };
            rows.push([name.to_string(), title.clone(), labels.header(None, c), c.to_string(), meaning]);
        }
    }
    let column = |k: usize| rows.iter().map(|r| r[k].clone()).collect::<Vec<_>>();
    text_frame(vec![
        ("sheet", column(0)),
        ("table", column(1)),
        ("column", column(2)),
        ("field", column(3)),
        ("meaning", column(4)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_follow_their_ids() {
        let t = Titles {
            classes: HashMap::from([("K1".to_string(), "乡村振兴专题班".to_string())]),
            courses: HashMap::from([("U1".to_string(), "公文写作".to_string())]),
        };
        let df = df!("class_id" => ["K1", "all"], "course_id" => ["U1", "U9"], "n" => [1i64, 2]).unwrap();
        let got = t.add_to(&df).unwrap();
        assert_eq!(got.get_column_names(), ["class_id", CLASS_TITLE, "course_id", COURSE_TITLE, "n"]);
        assert_eq!(got.column(CLASS_TITLE).unwrap().str().unwrap().get(0), Some("乡村振兴专题班"));
        assert_eq!(got.column(COURSE_TITLE).unwrap().str().unwrap().get(1), None);
        // course_series carries its own course title.
        let series = df!("class_id" => ["K1"], "course_id" => ["U1"], "title" => ["公文写作（二）"]).unwrap();
        let got = t.add_to(&series).unwrap();
        assert_eq!(got.get_column_names(), ["class_id", CLASS_TITLE, "course_id", COURSE_TITLE]);
        assert_eq!(got.column(COURSE_TITLE).unwrap().str().unwrap().get(0), Some("公文写作（二）"));
    }
}
