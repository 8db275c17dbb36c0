//! A CONSORT-style participant flow: the trainees' stages as a column of boxes joined
//! by arrows, the controls' stages beside them (eligible level with enrolled, their
//! review stages level with the trainees'), each box with its n and share.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::{
    anchored, canvas, fit_middle, font, label_style, muted, render_err, Area, ReportError, DARK, INK, LABEL_PX, LIGHT,
    MUTED, WHITE, WIDTH,
};

/// One stage.
#[derive(Debug, Clone, Serialize)]
pub struct FlowBox {
    /// What the stage is (e.g. "Review before").
    pub label: String,
    /// Its count as printed: `n = 1,234 (92.4 %)`, or `< 5` when withheld.
    pub text: String,
    /// Withheld: drawn hatched-free and muted.
    pub withheld: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowSpec {
    pub title: String,
    /// Carries the n and the attrition figures.
    pub subtitle: String,
    pub trained_title: String,
    pub control_title: String,
    /// The trainees' stages, in flow order.
    pub trained: Vec<FlowBox>,
    /// The controls' stages; the first level with the trainees' first, the others level
    /// with the trainees' last ones.
    pub control: Vec<FlowBox>,
}

const BOX_H: i32 = 38;
const GAP: i32 = 14;
const TOP: i32 = 30;
const LEFT: (i32, i32) = (16, 376);
const RIGHT: (i32, i32) = (420, WIDTH as i32 - 16);

/// Top of the box in row `r`.
fn row_top(r: usize) -> i32 {
    TOP + r as i32 * (BOX_H + GAP)
}

fn draw_box(area: &Area<'_>, (x0, x1): (i32, i32), row: usize, b: &FlowBox) -> Result<(), ReportError> {
    let e = |e| render_err("flow box", e);
    let (y0, y1) = (row_top(row), row_top(row) + BOX_H);
    let fill = if b.withheld { WHITE.mix(1.0) } else { LIGHT.mix(0.35) };
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled())).map_err(e)?;
    let stroke = if b.withheld { MUTED.stroke_width(1) } else { DARK.stroke_width(1) };
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], stroke)).map_err(e)?;
    let max = (x1 - x0 - 16) as f64;
    let label = fit_middle(&b.label, LABEL_PX as f64, max);
    area.draw(&Text::new(label, (x0 + 8, y0 + 11), anchored(label_style(), HPos::Left, VPos::Center))).map_err(e)?;
    let text = fit_middle(&b.text, 12.0, max);
    let style = if b.withheld { muted(12) } else { font(12) };
    area.draw(&Text::new(text, (x0 + 8, y0 + 28), anchored(style, HPos::Left, VPos::Center))).map_err(e)?;
    Ok(())
}

/// A downward arrow at `x` from the bottom of row `from` to the top of row `to`.
fn arrow(area: &Area<'_>, x: i32, from: usize, to: usize) -> Result<(), ReportError> {
    let e = |e| render_err("flow arrow", e);
    let (y0, y1) = (row_top(from) + BOX_H, row_top(to));
    area.draw(&PathElement::new(vec![(x, y0), (x, y1 - 5)], INK.stroke_width(1))).map_err(e)?;
    area.draw(&Polygon::new(vec![(x - 4, y1 - 6), (x + 4, y1 - 6), (x, y1)], INK.filled())).map_err(e)?;
    Ok(())
}

pub fn render(spec: &FlowSpec) -> Result<String, ReportError> {
    let rows = spec.trained.len().max(spec.control.len()).max(1);
    let body_h = (row_top(rows) + 8) as u32;
    let e = |e| render_err(&spec.title, e);
    canvas(&spec.title, &spec.subtitle, &[], body_h, |body| {
        let bold = TextStyle::from(super::font_desc(LABEL_PX).style(FontStyle::Bold)).color(&INK);
        let head = anchored(bold, HPos::Left, VPos::Center);
        body.draw(&Text::new(spec.trained_title.clone(), (LEFT.0, 12), head.clone())).map_err(e)?;
        body.draw(&Text::new(spec.control_title.clone(), (RIGHT.0, 12), head)).map_err(e)?;
        for (r, b) in spec.trained.iter().enumerate() {
            draw_box(body, LEFT, r, b)?;
            if r > 0 {
                arrow(body, (LEFT.0 + LEFT.1) / 2, r - 1, r)?;
            }
        }
        // Controls: the first box level with the first trainee box, the rest level with
        // the trainees' last boxes (the review stages).
        let n = spec.trained.len();
        let rows_c: Vec<usize> = (0..spec.control.len())
            .map(|j| if j == 0 { 0 } else { (n + j).saturating_sub(spec.control.len()).max(j) })
            .collect();
        for (j, b) in spec.control.iter().enumerate() {
            draw_box(body, RIGHT, rows_c[j], b)?;
            if j > 0 {
                arrow(body, (RIGHT.0 + RIGHT.1) / 2, rows_c[j - 1], rows_c[j])?;
            }
        }
        Ok(spec.trained.len() + spec.control.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::testing::assert_chart;

    fn b(label: &str, text: &str) -> FlowBox {
        FlowBox { label: label.into(), text: text.into(), withheld: false }
    }

    #[test]
    fn draws_both_columns_with_arrows() {
        let spec = FlowSpec {
            title: "参训与对照人员流向".into(),
            subtitle: "n = 373 人次；流失：参训 10.2%、对照 7.6%".into(),
            trained_title: "参训学员".into(),
            control_title: "对照干部".into(),
            trained: vec![
                b("报名参训", "n = 373（100.0%）"),
                b("结业", "n = 360（96.5%）"),
                b("<b>训前考核</b>", "n = 373"),
            ],
            control: vec![b("符合对照条件", "n = 237"), b("有训前训后考核", "n = 219（92.4%）")],
        };
        let svg = render(&spec).unwrap();
        assert_chart(&svg, &["参训与对照人员流向", "参训学员", "对照干部", "报名参训", "n = 219（92.4%）"], 5);
        assert!(svg.contains("&lt;b&gt;"), "labels are escaped");
        // Two arrows in the trained column, one for the controls.
        assert_eq!(svg.matches("<polygon").count(), 3);
    }
}
