//! The plotters drawing backend of every chart: SVG written lean as it is drawn.
//!
//! In: the primitives plotters draws (lines, rectangles, polylines, polygons, circles,
//! texts), in drawing order, written into a string; [`wrap`] then adds the root.
//! Guarantees: the same drawing, in the same order, with the same coordinates as
//! plotters' own `SVGBackend` writes, in fewer bytes (every class page carries four
//! charts, and writing the pages' bytes is the report's largest cost):
//! - what the root says once: the ink fill and the label size (13 px), which texts and
//!   shapes inherit; no font stack, which the stylesheet sets on every chart text
//!   (`svg text { font-family: … }` overrides any attribute);
//! - no SVG defaults (`opacity="1"`, `text-anchor="start"`, `stroke="none"`,
//!   `stroke-width="1"`), font sizes rounded to 0.01 px, text content without the
//!   newlines around it, `points` without a trailing space;
//! - a straight segment (a line, a two-point polyline) is a `<path>` (`d="M x y V y"`,
//!   `H x` or `L x y`) with no `fill="none"` when it is opaque: a segment encloses no
//!   area, so its fill paints nothing (a translucent one keeps it, see `segment`).
//!
//! Each segment stays its own element: segments of one stroke drawn in one `<path>`
//! are the same drawing, but Chromium then draws the edge pixels of some of them
//! differently (at stroke width 2, and at device scale 2 for the hatching).
//! `benches/screens.py` checks pages drawn this way pixel-identical in Chromium to
//! pages drawn the former way.

use std::fmt::Write as _;

use plotters::prelude::{DrawingBackend, RGBColor};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle, FontTransform,
};

use super::{FONT, INK};

/// A drawing backend writing lean SVG into a string (see the module doc).
pub struct LeanSvg<'a> {
    size: (u32, u32),
    /// The elements drawn so far (the root tag is written by [`wrap`], which knows the
    /// number of data marks).
    body: &'a mut String,
    /// The points of the polyline being drawn (reused).
    points: Vec<BackendCoord>,
}

/// What writing into a `String` can fail with (nothing; the backend trait wants a type).
#[derive(Debug)]
pub struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("svg")
    }
}

impl std::error::Error for Never {}

type Res = Result<(), DrawingErrorKind<Never>>;

/// The font size of the root, which a text of that size inherits instead of stating
/// it: the axis labels' (most texts are tick labels).
const ROOT_PX: u32 = super::LABEL_PX;

/// The whole `<svg>` of a canvas `size` pixels large: the root with the accessibility
/// title, role, class and the data-mark count, the shared fill and font size, then
/// `body`, the elements a [`LeanSvg`] drew.
pub fn wrap(body: &str, size: (u32, u32), title: &str, marks: usize) -> String {
    let (w, h) = size;
    let mut out = String::with_capacity(body.len() + 512);
    out.push_str("<svg role=\"img\" aria-label=\"");
    escape_into(&mut out, title);
    let _ = write!(
        out,
        "\" class=\"chart\" data-marks=\"{marks}\" fill=\"{}\" font-size=\"{ROOT_PX}\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\">\n<title>",
        hex(INK)
    );
    escape_into(&mut out, title);
    out.push_str("</title>\n");
    out.push_str(body);
    out.push_str("</svg>\n");
    out
}

impl<'a> LeanSvg<'a> {
    /// A canvas `size` pixels large drawing into `body`.
    pub fn new(body: &'a mut String, size: (u32, u32)) -> LeanSvg<'a> {
        LeanSvg { size, body, points: Vec::new() }
    }

    /// A straight segment from `from` to `to` stroked in `c`, `width` wide, as a `<path>`.
    fn segment(&mut self, from: BackendCoord, to: BackendCoord, c: BackendColor, width: u32) {
        self.body.push_str("<path");
        if c.alpha != 1.0 {
            // Chromium draws a translucent element with a fill and a stroke through a
            // layer, with other edge pixels than the stroke alone.
            self.body.push_str(" fill=\"none\"");
        }
        self.opacity(c);
        self.colour("stroke", c);
        if width != 1 {
            attr_int(self.body, " stroke-width=\"", width.into());
        }
        let ((x1, y1), (x2, y2)) = (from, to);
        self.body.push_str(" d=\"M");
        push_int(self.body, x1.into());
        self.body.push(' ');
        push_int(self.body, y1.into());
        if x1 == x2 {
            self.body.push('V');
            push_int(self.body, y2.into());
        } else if y1 == y2 {
            self.body.push('H');
            push_int(self.body, x2.into());
        } else {
            self.body.push('L');
            push_int(self.body, x2.into());
            self.body.push(' ');
            push_int(self.body, y2.into());
        }
        self.body.push_str("\"/>\n");
    }

    /// ` opacity="a"` unless it is the default 1.
    fn opacity(&mut self, c: BackendColor) {
        if c.alpha != 1.0 {
            let _ = write!(self.body, " opacity=\"{}\"", c.alpha);
        }
    }

    /// ` <key>="#RRGGBB"`, except a fill of the ink colour (the root's fill).
    fn colour(&mut self, key: &str, c: BackendColor) {
        if key == "fill" && c.rgb == (INK.0, INK.1, INK.2) {
            return;
        }
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let (r, g, b) = c.rgb;
        self.body.push(' ');
        self.body.push_str(key);
        self.body.push_str("=\"#");
        for byte in [r, g, b] {
            self.body.push(char::from(HEX[usize::from(byte >> 4)]));
            self.body.push(char::from(HEX[usize::from(byte & 15)]));
        }
        self.body.push('"');
    }

    /// The opacity and paint of a shape that is either filled or only outlined.
    fn paint(&mut self, c: BackendColor, fill: bool) {
        self.opacity(c);
        if fill {
            self.colour("fill", c);
        } else {
            self.body.push_str(" fill=\"none\"");
            self.colour("stroke", c);
        }
    }
}

fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// Text escaped for XML as plotters escapes it: the runs between the five escaped
/// characters are copied whole, not char by char (every label of every chart passes
/// here). The five are ASCII, so a byte equal to one of them is that character, never
/// part of another's UTF-8 encoding.
pub(crate) fn escape_into(buf: &mut String, value: &str) {
    let mut start = 0;
    for (i, b) in value.bytes().enumerate() {
        let rep = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            _ => continue,
        };
        buf.push_str(&value[start..i]);
        buf.push_str(rep);
        start = i + 1;
    }
    buf.push_str(&value[start..]);
}

fn points(buf: &mut String, path: impl IntoIterator<Item = BackendCoord>) {
    buf.push_str(" points=\"");
    for (i, (x, y)) in path.into_iter().enumerate() {
        if i > 0 {
            buf.push(' ');
        }
        push_int(buf, x.into());
        buf.push(',');
        push_int(buf, y.into());
    }
    buf.push('"');
}

/// Append `v` as `Display` writes it: a chart writes thousands of coordinates, and
/// `write!` costs more than the digits.
pub(crate) fn push_int(buf: &mut String, v: i64) {
    buf.push_str(itoa::Buffer::new().format(v));
}

/// ` key="v"` for a whole number, given its opening ` key="` whole: every shape writes
/// several, and one copy of a literal costs less than three pushes.
fn attr_int(buf: &mut String, open: &str, v: i64) {
    buf.push_str(open);
    push_int(buf, v);
    buf.push('"');
}

impl DrawingBackend for LeanSvg<'_> {
    type ErrorType = Never;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Res {
        Ok(())
    }

    fn present(&mut self) -> Res {
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Res {
        if color.alpha == 0.0 {
            return Ok(());
        }
        self.body.push_str("<rect");
        attr_int(self.body, " x=\"", point.0.into());
        attr_int(self.body, " y=\"", point.1.into());
        self.body.push_str(" width=\"1\" height=\"1\"");
        self.opacity(color);
        self.colour("fill", color);
        self.body.push_str("/>\n");
        Ok(())
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Res {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        self.segment(from, to, c, style.stroke_width());
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(&mut self, ul: BackendCoord, br: BackendCoord, style: &S, fill: bool) -> Res {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        self.body.push_str("<rect");
        attr_int(self.body, " x=\"", ul.0.into());
        attr_int(self.body, " y=\"", ul.1.into());
        attr_int(self.body, " width=\"", i64::from(br.0) - i64::from(ul.0));
        attr_int(self.body, " height=\"", i64::from(br.1) - i64::from(ul.1));
        self.paint(c, fill);
        self.body.push_str("/>\n");
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Res {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        let mut pts = std::mem::take(&mut self.points);
        pts.clear();
        pts.extend(path);
        if let [from, to] = pts[..] {
            self.segment(from, to, c, style.stroke_width());
        } else {
            self.body.push_str("<polyline fill=\"none\"");
            self.opacity(c);
            self.colour("stroke", c);
            if style.stroke_width() != 1 {
                attr_int(self.body, " stroke-width=\"", style.stroke_width().into());
            }
            points(self.body, pts.iter().copied());
            self.body.push_str("/>\n");
        }
        self.points = pts;
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Res {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        self.body.push_str("<polygon");
        self.opacity(c);
        self.colour("fill", c);
        points(self.body, path);
        self.body.push_str("/>\n");
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(&mut self, center: BackendCoord, radius: u32, style: &S, fill: bool) -> Res {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        self.body.push_str("<circle");
        attr_int(self.body, " cx=\"", center.0.into());
        attr_int(self.body, " cy=\"", center.1.into());
        attr_int(self.body, " r=\"", radius.into());
        self.paint(c, fill);
        if style.stroke_width() != 1 {
            attr_int(self.body, " stroke-width=\"", style.stroke_width().into());
        }
        self.body.push_str("/>\n");
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(&mut self, text: &str, style: &S, pos: BackendCoord) -> Res {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        let (x0, y0) = pos;
        let dy = match style.anchor().v_pos {
            VPos::Top => "0.76em",
            VPos::Center => "0.5ex",
            VPos::Bottom => "-0.5ex",
        };
        self.body.push_str("<text");
        attr_int(self.body, " x=\"", x0.into());
        attr_int(self.body, " y=\"", y0.into());
        self.body.push_str(" dy=\"");
        self.body.push_str(dy);
        self.body.push('"');
        match style.anchor().h_pos {
            HPos::Left => {}
            HPos::Right => self.body.push_str(" text-anchor=\"end\""),
            HPos::Center => self.body.push_str(" text-anchor=\"middle\""),
        }
        let family = style.family();
        if family.as_str() != FONT {
            self.body.push_str(" font-family=\"");
            escape_into(self.body, family.as_str());
            self.body.push('"');
        }
        // The size plotters is given is the pixel size × 1.24 (see `svg_size`).
        let size = style.size() / 1.24;
        let size = (size * 100.0).round() / 100.0;
        // Whole sizes (most of them) as `Display` prints a whole f64: no ".0".
        if size == f64::from(ROOT_PX) {
            // Inherited from the root.
        } else if size.fract() == 0.0 && size > 0.0 && size < 1e15 {
            attr_int(self.body, " font-size=\"", size as i64);
        } else {
            let _ = write!(self.body, " font-size=\"{}\"", size);
        }
        self.opacity(c);
        self.colour("fill", c);
        match style.style() {
            FontStyle::Normal => {}
            FontStyle::Bold => self.body.push_str(" font-weight=\"bold\""),
            other => {
                let _ = write!(self.body, " font-style=\"{}\"", other.as_str());
            }
        }
        match style.transform() {
            FontTransform::Rotate90 => {
                let _ = write!(self.body, " transform=\"rotate(90, {x0}, {y0})\"");
            }
            FontTransform::Rotate180 => {
                let _ = write!(self.body, " transform=\"rotate(180, {x0}, {y0})\"");
            }
            FontTransform::Rotate270 => {
                let _ = write!(self.body, " transform=\"rotate(270, {x0}, {y0})\"");
            }
            _ => {}
        }
        self.body.push('>');
        escape_into(self.body, text);
        self.body.push_str("</text>\n");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The lean backend against what the charts were before it: plotters' `SVGBackend`
    //! and the rewrite that stripped its repeated attributes afterwards.

    use plotters::coord::Shift;
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    use plotters::style::FontTransform;

    use super::super::{FONT, INK, MUTED};
    use super::{escape_into, hex, push_int, wrap, LeanSvg};

    /// The former `charts::finish`: root attributes and the title added to plotters' SVG
    /// (with `lean`, the chart markup up to round 9).
    fn finish(svg: String, title: &str, marks: usize) -> String {
        let mut t = String::new();
        escape_into(&mut t, title);
        let head = format!(
            "<svg role=\"img\" aria-label=\"{t}\" class=\"chart\" data-marks=\"{marks}\" font-family=\"{FONT}\" fill=\"{}\" ",
            hex(INK)
        );
        let mut out = lean(&svg).replacen("<svg ", &head, 1);
        if let Some(end) = out.find('>') {
            out.insert_str(end + 1, &format!("\n<title>{t}</title>"));
        }
        out
    }

    /// The former `charts::lean`: shared attributes, defaults and long sizes dropped.
    fn lean(svg: &str) -> String {
        let mut out = String::with_capacity(svg.len() / 2);
        let font = format!(" font-family=\"{FONT}\"");
        let ink = format!(" fill=\"{}\"", hex(INK));
        let drop: [&str; 5] = [&font, &ink, " opacity=\"1\"", " text-anchor=\"start\"", " stroke=\"none\""];
        let mut rest = svg;
        while let Some(i) = rest.find(' ') {
            out.push_str(&rest[..i]);
            rest = &rest[i..];
            if let Some(d) = drop.iter().find(|d| rest.starts_with(**d)) {
                rest = &rest[d.len()..];
            } else if let Some(size) = rest.strip_prefix(" font-size=\"") {
                let end = size.find('"').unwrap_or(size.len());
                match size[..end].parse::<f64>() {
                    Ok(v) => out.push_str(&format!(" font-size=\"{}", (v * 100.0).round() / 100.0)),
                    Err(_) => out.push_str(&rest[..end + 12]),
                }
                rest = &size[end..];
            } else {
                out.push(' ');
                rest = &rest[1..];
            }
        }
        out.push_str(rest);
        out
    }

    /// Every primitive the charts use, in each variant: fills and strokes in the ink and
    /// other colours, translucent, texts anchored every way, bold, rotated, escaped.
    fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>) {
        let font = |px: f64| TextStyle::from((FONT, px * 1.24).into_font());
        root.fill(&WHITE).unwrap();
        let (head, body) = root.split_vertically(60);
        let bold = TextStyle::from((FONT, 17.0 * 1.24).into_font().style(FontStyle::Bold)).color(&INK);
        head.draw(&Text::new("Title <&> \"'\" 标题", (12, 10), bold.pos(Pos::new(HPos::Left, VPos::Top)))).unwrap();
        for (i, (h, v)) in
            [(HPos::Left, VPos::Center), (HPos::Center, VPos::Bottom), (HPos::Right, VPos::Top)].into_iter().enumerate()
        {
            let s = font(13.0).color(&MUTED).pos(Pos::new(h, v));
            head.draw(&Text::new(format!("n = {i}"), (100 * i as i32, 34), s)).unwrap();
        }
        let rotated = font(13.0).color(&INK).transform(FontTransform::Rotate270);
        body.draw(&Text::new("axis", (5, 50), rotated)).unwrap();
        body.draw(&Text::new("faint", (5, 60), font(12.0).color(&INK.mix(0.5)))).unwrap();
        body.draw(&Rectangle::new([(10, 10), (30, 40)], INK.filled())).unwrap();
        body.draw(&Rectangle::new([(10, 10), (30, 40)], INK.stroke_width(1))).unwrap();
        body.draw(&Rectangle::new([(40, 10), (60, 40)], RGBColor(31, 58, 95).mix(0.3).filled())).unwrap();
        body.draw(&Circle::new((80, 20), 5, WHITE.filled())).unwrap();
        body.draw(&Circle::new((80, 20), 5, RGBColor(31, 58, 95).stroke_width(2))).unwrap();
        body.draw(&Circle::new((90, 20), 5, INK.filled())).unwrap();
        body.draw(&PathElement::new(vec![(1, 2), (3, 4), (5, 9)], INK.mix(0.55).stroke_width(1))).unwrap();
        body.draw(&PathElement::new(vec![(11, 12), (17, 6)], INK.mix(0.55).stroke_width(1))).unwrap();
        body.draw(&PathElement::new(vec![(20, 30), (60, 30)], INK.stroke_width(2))).unwrap();
        body.draw(&PathElement::new(vec![(20, 36), (20, 24)], WHITE.stroke_width(3))).unwrap();
        body.draw(&PathElement::new(vec![(5, 5), (5, 5)], INK.stroke_width(1))).unwrap();
        body.draw(&Polygon::new(vec![(100, 100), (106, 111), (94, 111)], RGBColor(201, 116, 30).filled())).unwrap();
        body.draw(&Pixel::new((7, 7), INK)).unwrap();
        body.draw(&Rectangle::new([(1, 1), (2, 2)], TRANSPARENT.filled())).unwrap();
        let mut chart = ChartBuilder::on(&body)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(-0.5f64..3.5, -1.0f64..1.0)
            .unwrap();
        chart
            .configure_mesh()
            .x_desc("x")
            .y_desc("y")
            .label_style(font(13.0))
            .bold_line_style(RGBColor(226, 226, 226).stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(INK.stroke_width(1))
            .draw()
            .unwrap();
        chart.draw_series(LineSeries::new([(0.0, 0.2), (1.0, -0.4), (3.0, 0.9)], INK.stroke_width(2))).unwrap();
        root.present().unwrap();
    }

    /// The chart markup of round 9 made leaner, element by element, as the module doc
    /// says: the reference of what [`LeanSvg`] and [`wrap`] write now.
    fn leaner(svg: &str) -> String {
        let attrs = |tag: &str| -> Vec<(String, String)> {
            let (mut out, mut rest) = (Vec::new(), tag);
            while let Some(eq) = rest.find("=\"") {
                let key = rest[..eq].rsplit(' ').next().unwrap_or_default().to_string();
                let value = &rest[eq + 2..];
                let end = value.find('"').unwrap();
                out.push((key, value[..end].to_string()));
                rest = &value[end + 1..];
            }
            out
        };
        let get = |a: &[(String, String)], k: &str| a.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let path = |a: &[(String, String)], (x1, y1, x2, y2): (&str, &str, &str, &str)| {
            let mut p = String::from("<path");
            if get(a, "opacity").is_some() {
                p.push_str(" fill=\"none\"");
            }
            for k in ["opacity", "stroke"] {
                if let Some(v) = get(a, k) {
                    p.push_str(&format!(" {k}=\"{v}\""));
                }
            }
            match get(a, "stroke-width").as_deref() {
                Some("1") | None => {}
                Some(w) => p.push_str(&format!(" stroke-width=\"{w}\"")),
            }
            let to = if x1 == x2 {
                format!("V{y2}")
            } else if y1 == y2 {
                format!("H{x2}")
            } else {
                format!("L{x2} {y2}")
            };
            p + &format!(" d=\"M{x1} {y1}{to}\"/>")
        };
        let mut out = String::new();
        let mut lines = svg.lines();
        while let Some(line) = lines.next() {
            let line = if line.starts_with("<svg ") {
                line.replacen(&format!(" font-family=\"{FONT}\""), "", 1).replacen(
                    &format!(" fill=\"{}\"", hex(INK)),
                    &format!(" fill=\"{}\" font-size=\"13\"", hex(INK)),
                    1,
                )
            } else if line.starts_with("<line ") {
                let a = attrs(line);
                let g = |k| get(&a, k).unwrap();
                path(&a, (&g("x1"), &g("y1"), &g("x2"), &g("y2")))
            } else if line.starts_with("<polyline ") {
                let a = attrs(line);
                let pts = get(&a, "points").unwrap();
                let pts: Vec<&str> = pts.split_whitespace().collect();
                if let [p, q] = pts[..] {
                    let (x1, y1) = p.split_once(',').unwrap();
                    let (x2, y2) = q.split_once(',').unwrap();
                    path(&a, (x1, y1, x2, y2))
                } else {
                    let l = line.replacen(" stroke-width=\"1\"", "", 1);
                    l.replacen(&format!("\"{}\"", get(&a, "points").unwrap()), &format!("\"{}\"", pts.join(" ")), 1)
                }
            } else if line.starts_with("<polygon ") {
                let pts = get(&attrs(line), "points").unwrap();
                line.replacen(&format!("\"{pts}\""), &format!("\"{}\"", pts.trim_end()), 1)
            } else if line.starts_with("<circle ") {
                line.replacen(" stroke-width=\"1\"", "", 1)
            } else if line.starts_with("<text ") {
                let content = lines.next().unwrap();
                assert_eq!(lines.next(), Some("</text>"));
                format!("{}{content}</text>", line.replacen(" font-size=\"13\"", "", 1))
            } else {
                line.to_string()
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    #[test]
    fn draws_what_plotters_svg_drew_less_the_stripped_attributes() {
        let size = (680, 300);
        let mut before = String::new();
        draw(&SVGBackend::with_string(&mut before, size).into_drawing_area());
        let mut elements = String::new();
        draw(&LeanSvg::new(&mut elements, size).into_drawing_area());
        let title = "A <title> & \"quotes\"";
        let after = wrap(&elements, size, title, 7);
        let round9 = finish(before.clone(), title, 7);
        assert_eq!(after, leaner(&round9));
        // What the comparison relies on: the old output had every kind of element,
        // and the lean one drops what it should.
        for tag in ["<rect", "<circle", "<polyline", "<polygon", "<line", "<text", "transform=", "font-weight"] {
            assert!(round9.contains(tag), "{tag} not drawn");
        }
        for tag in ["<rect", "<circle", "<polyline", "<polygon", "<path", "<text", "transform=", "font-weight"] {
            assert!(after.contains(tag), "{tag} not drawn");
        }
        assert!(round9.contains(" stroke-width=\"2\"") && after.contains(" stroke-width=\"2\""));
        assert!(round9.contains(" font-size=\"13\"") && after.contains(" font-size=\"12\""));
        assert!(!after.contains("<line") && !after.contains(" stroke-width=\"1\""));
        assert_eq!(after.matches(FONT).count(), 0, "{after}");
        assert_eq!(after.matches(" font-size=\"13\"").count(), 1, "{after}");
        assert!(before.contains(" opacity=\"1\"") && !after.contains(" opacity=\"1\""));
        assert!(after.contains(" opacity=\"0.55\"") && after.contains(" fill=\"#606060\""));
        assert!(after.starts_with("<svg role=\"img\" aria-label=\"A &lt;title&gt; &amp; &quot;quotes&quot;\""));
        assert!(after.contains("\n<title>A &lt;title&gt; &amp; &quot;quotes&quot;</title>\n"));
        assert!(after.ends_with("</svg>\n"));
    }

    /// The escaping as plotters writes it, char by char: the reference of `escape_into`.
    fn escape_plain(buf: &mut String, value: &str) {
        for c in value.chars() {
            match c {
                '<' => buf.push_str("&lt;"),
                '>' => buf.push_str("&gt;"),
                '&' => buf.push_str("&amp;"),
                '"' => buf.push_str("&quot;"),
                '\'' => buf.push_str("&apos;"),
                other => buf.push(other),
            }
        }
    }

    #[test]
    fn escaping_in_runs_matches_escaping_char_by_char() {
        let pieces = ["", "a", "<", ">", "&", "\"", "'", "标题", "é", "&amp;", " ", "—", "𝄞", "/"];
        let mut cases: Vec<String> = pieces.iter().map(|p| p.to_string()).collect();
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    cases.push(format!("{a}{b}{c}"));
                }
            }
        }
        cases.push("Title <&> \"'\" 标题 n = 31；箱体为四分位距 & more's".to_string());
        for case in cases {
            let (mut ours, mut theirs) = (String::from("x"), String::from("x"));
            escape_into(&mut ours, &case);
            escape_plain(&mut theirs, &case);
            assert_eq!(ours, theirs, "{case:?}");
        }
    }

    #[test]
    fn whole_numbers_are_written_as_display_writes_them() {
        let mut values =
            vec![0, 1, -1, 9, 10, -10, 99, 100, 12_345, i64::from(i32::MIN), i64::from(i32::MAX), i64::MIN, i64::MAX];
        values.extend((-2_000..2_000).map(|k| k * 37));
        for v in values {
            let mut s = String::from("x");
            push_int(&mut s, v);
            assert_eq!(s, format!("x{v}"));
        }
    }
}
