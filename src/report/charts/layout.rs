//! The shared frame of the horizontal charts: one row per category with its label on
//! the left, a numeric x axis with gridlines and its description below, an optional
//! value column on the right, and the category axis named above the labels.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{
    anchored, desc_style, fit_middle, label_style, muted, render_err, text_width, tick, Area, GRID, INK, LABEL_PX,
};
use crate::error::ReportError;

/// Pixel height of one row.
pub(crate) const ROW_H: u32 = 26;
/// Space below the plot for tick labels and the axis description.
const X_AXIS_H: u32 = 52;
/// Space above the plot for the category-axis description.
const TOP: u32 = 22;

pub(crate) type RowChart<'a, 'b> =
    ChartContext<'a, super::svg::LeanSvg<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Height of a row chart body with `rows` rows of `row_h` pixels.
pub(crate) fn body_height(rows: usize, row_h: u32) -> u32 {
    TOP + rows.max(1) as u32 * row_h + X_AXIS_H
}

/// Width of the label column for these labels (bounded).
pub(crate) fn label_width(labels: &[String]) -> u32 {
    let widest = labels.iter().map(|l| text_width(l, LABEL_PX as f64)).fold(0.0, f64::max);
    (widest + 18.0).clamp(70.0, 220.0).ceil() as u32
}

/// The y coordinate of row `i` of `n` (first row on top).
pub(crate) fn row_y(i: usize, n: usize) -> f64 {
    (n - 1 - i) as f64
}

/// Build the chart on `body`: x from `x.0` to `x.1`, rows labelled `labels` (top to
/// bottom), room on the right for the value texts `values` (see [`value_text`]).
pub(crate) fn rows_chart<'a, 'b>(
    body: &'a Area<'b>,
    labels: &[String],
    x: (f64, f64),
    x_desc: &str,
    category_desc: &str,
    values: &[String],
) -> Result<RowChart<'a, 'b>, ReportError> {
    let n = labels.len().max(1);
    let right_w = values.iter().map(|v| text_width(v, LABEL_PX as f64)).fold(0.0, f64::max).ceil() as u32 + 12;
    let label_w = label_width(labels);
    let e = |e| render_err(x_desc, e);
    let mut chart = ChartBuilder::on(body)
        .margin_top(TOP)
        .margin_right(right_w + 8)
        .margin_left(8)
        .x_label_area_size(X_AXIS_H - 8)
        .y_label_area_size(label_w)
        .build_cartesian_2d(x.0..x.1, -0.5f64..(n as f64 - 0.5))
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(7)
        .x_label_formatter(&tick)
        .x_desc(x_desc)
        .label_style(label_style())
        .axis_desc_style(desc_style())
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(INK.stroke_width(1))
        .draw()
        .map_err(e)?;
    let (left, top) = super::local(body, chart.backend_coord(&(x.0, n as f64 - 0.5)));
    body.draw(&Text::new(
        category_desc.to_string(),
        (left - 8, top - 6),
        anchored(muted(12), HPos::Right, VPos::Bottom),
    ))
    .map_err(e)?;
    for (i, label) in labels.iter().enumerate() {
        let (px, py) = super::local(body, chart.backend_coord(&(x.0, row_y(i, n))));
        let text = fit_middle(label, LABEL_PX as f64, label_w as f64 - 14.0);
        body.draw(&Text::new(text, (px - 8, py), anchored(label_style(), HPos::Right, VPos::Center))).map_err(e)?;
    }
    Ok(chart)
}

/// Write `text` in the right-hand value column at row `i` of `n`.
pub(crate) fn value_text(
    body: &Area<'_>,
    chart: &RowChart<'_, '_>,
    x_max: f64,
    i: usize,
    n: usize,
    text: &str,
) -> Result<(), ReportError> {
    let (px, py) = super::local(body, chart.backend_coord(&(x_max, row_y(i, n))));
    body.draw(&Text::new(text.to_string(), (px + 10, py), anchored(label_style(), HPos::Left, VPos::Center)))
        .map_err(|e| render_err("value", e))
}
