//! `cadre_scorecard` against an independent recomputation: `tests/data/scorecard/reference.py`
//! (statsmodels OLS for the residual gain, scipy's normal cdf for band_probability, its
//! own Cronbach's α of the review dimensions, the assessment moments regrouped from
//! `trainee_ratings`) on a generated training year of 2000 cadres, seed 2025. That
//! script agrees with every column to < 2e-14 on this set, on the 5000-cadre set and on
//! the bundled sample; the figures below are its output, baked in.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use polars::prelude::*;
use traineval::pipeline::{self, Silent};

/// The generated set, built and with indicators computed, once per test run (the
/// same library calls as `traineval generate --cadres 2000 --seed 2025`, `build`,
/// `indicators`).
fn generated() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scorecard-generated");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        let input = dir.join("in");
        traineval::generate::generate(&traineval::generate::GenerateOptions::new(&input, 2000, 2025)).unwrap();
        let out = dir.join("out");
        let job = traineval::init::load_job(&input, Some(&out)).unwrap();
        pipeline::build(&job, &Silent).unwrap();
        pipeline::indicators(&job, &Silent).unwrap();
        out
    })
}

/// Equal to 1e-9, relative above 1 and absolute below (Σ learning_z is 0 by
/// construction, a relative test of its rounding noise would be meaningless).
fn close(got: Option<f64>, want: Option<f64>, what: &str) {
    match (got, want) {
        (Some(g), Some(w)) => assert!((g - w).abs() <= 1e-9 * w.abs().max(1.0), "{what}: got {g}, want {w}"),
        _ => assert_eq!(got, want, "{what}"),
    }
}

const SUMMED: [&str; 6] =
    ["learning_z", "index", "index_se", "learning_reliability", "transfer_reliability", "band_probability"];
const REASONS: [&str; 3] = ["fewer_than_two_components", "reliability_unknown", "low_reliability"];
const NUMERIC: [&str; 12] = [
    "learning_z",
    "assessment_z",
    "transfer_z",
    "compliance_score",
    "index",
    "percentile_in_category",
    "learning_reliability",
    "assessment_reliability",
    "transfer_reliability",
    "index_se",
    "index_reliability",
    "band_probability",
];

/// Per category: cadres, the sums of `SUMMED` (nulls left out) and Σ|learning_z|, the
/// counts of bands A–D and withheld, and the counts of `REASONS`.
type CategoryFigures = (&'static str, usize, [f64; 7], [usize; 5], [usize; 3]);
/// Per cadre: id, category, the `NUMERIC` columns, band, band_reason.
type CadreRow = (&'static str, &'static str, [Option<f64>; 12], Option<&'static str>, Option<&'static str>);

// `python tests/data/scorecard/reference.py OUT --baked C0000007 C0000027 C0000003 C0000800 C0000014`
// with OUT from `traineval generate --out IN --cadres 2000 --seed 2025`, `traineval build IN
// --out OUT`, `traineval indicators IN --out OUT` (python 3 with polars, numpy, scipy 1.17,
// statsmodels 0.15). One entry a line.
#[rustfmt::skip]
const CATEGORIES: [CategoryFigures; 9] = [
    ("business_leader", 75, [-1.315059172668498e-13, -0.6737938110923225, 22.79839060583694, 25.88128027317483, 24.44480586830737, 40.125382480627685, 19.97837393826641], [9, 25, 24, 7, 10], [2, 0, 8]),
    ("civil_servant", 418, [-1.8185453143360064e-13, -0.07527905773923904, 101.08584999065971, 185.49651753389713, 185.34487146577962, 249.0866337407947, 147.74745608442188], [55, 138, 134, 53, 38], [0, 0, 38]),
    ("department_level", 48, [-6.039613253960852e-14, -0.47747440764468174, 11.675919175502845, 23.21195558918023, 20.937774790352698, 1.6562180300809108, 18.445984416633422], [0, 1, 2, 0, 45], [0, 0, 45]),
    ("middle_level", 167, [-1.4299672557172016e-13, -0.37081452601950704, 42.73734590730733, 86.9766497529221, 55.749225353419206, 97.36523069490505, 67.87879409989145], [22, 57, 54, 22, 12], [0, 0, 12]),
    ("non_party", 39, [-6.118716644465394e-14, 0.88960278576328, 10.575711789478227, 17.16269511340617, 9.039729252913325, 22.183751005247895, 13.601497212742105], [5, 12, 12, 6, 4], [0, 0, 4]),
    ("professional", 113, [7.105427357601002e-15, 1.2404779719860097, 34.80108863160321, 49.81291334233376, 35.02351413481822, 5.167052607525593, 40.04882494857995], [2, 4, 2, 0, 105], [1, 0, 104]),
    ("rural_secretary", 147, [3.7969627442180354e-14, -1.535883050232448, 46.26842356457254, 59.88606841200661, 42.40077974373284, 7.563967202326356, 48.40134175310323], [0, 4, 4, 3, 136], [0, 0, 136]),
    ("women", 82, [6.628031457012185e-14, 0.48937716851159385, 20.937811983176246, 26.504149149138726, 22.768958090620117, 5.035186760044545, 22.458062761176624], [2, 0, 5, 0, 75], [0, 0, 75]),
    ("young_reserve", 126, [-2.2315482794965646e-14, -0.9198423169636465, 32.225493937123225, 48.92719562862252, 42.515094595070764, 5.57846407213332, 38.59517520553921], [0, 4, 4, 0, 118], [0, 0, 118]),
];

/// An A, a D, a band withheld for low reliability, one for a single component, and a B
/// without a compliance rule.
#[rustfmt::skip]
const CADRES: [CadreRow; 5] = [
    ("C0000007", "civil_servant", [Some(0.5045756494641962), Some(2.295892060141689), Some(-0.5192543274208279), Some(0.5833333333333334), Some(0.7578198511789389), Some(94.85645933014354), Some(0.4920332030076847), Some(0.9597315914317707), Some(0.4801680607921751), Some(0.24209076951577727), Some(0.7463989283450512), Some(0.8554935336246177)], Some("A"), None),
    ("C0000027", "civil_servant", [Some(0.2189813934036992), Some(-1.3491821687887957), Some(-0.8118560360112548), Some(0.0), Some(-0.7659468823367921), Some(4.186602870813397), Some(0.4920332030076847), Some(0.9597315914317707), Some(0.4801680607921751), Some(0.24209076951577727), Some(0.7463989283450512), Some(0.88543599001844)], Some("D"), None),
    ("C0000003", "young_reserve", [Some(0.20684388231663103), Some(2.141905024418248), Some(-0.4896615403964053), Some(1.0), Some(0.6337172546637426), Some(91.66666666666667), Some(0.41115290444220665), Some(0.9560715141285794), Some(0.3602974118226334), Some(0.25636796390051986), Some(0.6905378584849335), None], None, Some("low_reliability")),
    ("C0000800", "business_leader", [None, Some(-0.791516307581744), None, None, Some(-0.791516307581744), Some(11.333333333333334), None, Some(0.9624436123742512), None, Some(0.1937947048444533), Some(0.8877409694401236), None], None, Some("fewer_than_two_components")),
    ("C0000014", "business_leader", [Some(0.022926661621710316), Some(1.103915171206029), Some(-0.571572396200277), None, Some(0.2295993538802971), Some(71.33333333333333), Some(0.3981735426642282), Some(0.9812218061871256), Some(0.35427254881604936), Some(0.29672917451826625), Some(0.7368169161802479), Some(0.709550797517208)], Some("B"), None),
];

fn f64_col(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name).unwrap().f64().unwrap().iter().collect()
}

fn str_col(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name).unwrap().str().unwrap().iter().map(|s| s.map(str::to_string)).collect()
}

#[test]
fn scorecard_matches_the_independent_reference() {
    let path = generated().join("indicators/cadre_scorecard.parquet");
    let df = ParquetReader::new(std::fs::File::open(&path).unwrap()).finish().unwrap();
    let (ids, cats, bands, reasons) =
        (str_col(&df, "cadre_id"), str_col(&df, "category"), str_col(&df, "band"), str_col(&df, "band_reason"));
    let num: Vec<Vec<Option<f64>>> = NUMERIC.iter().map(|c| f64_col(&df, c)).collect();
    let col = |name: &str| &num[NUMERIC.iter().position(|c| *c == name).unwrap()];
    assert_eq!(df.height(), CATEGORIES.iter().map(|c| c.1).sum::<usize>(), "cadres");

    for (cat, n, sums, band_counts, reason_counts) in CATEGORIES {
        let rows: Vec<usize> = (0..df.height()).filter(|&i| cats[i].as_deref() == Some(cat)).collect();
        assert_eq!(rows.len(), n, "{cat}: cadres");
        for (k, name) in SUMMED.iter().enumerate() {
            let s: f64 = rows.iter().filter_map(|&i| col(name)[i]).sum();
            close(Some(s), Some(sums[k]), &format!("{cat}: sum of {name}"));
        }
        let abs: f64 = rows.iter().filter_map(|&i| col("learning_z")[i]).map(f64::abs).sum();
        close(Some(abs), Some(sums[6]), &format!("{cat}: sum of |learning_z|"));
        let count =
            |v: &[Option<String>], want: Option<&str>| rows.iter().filter(|&&i| v[i].as_deref() == want).count();
        let got: Vec<usize> =
            ["A", "B", "C", "D"].iter().map(|b| count(&bands, Some(b))).chain([count(&bands, None)]).collect();
        assert_eq!(got, band_counts, "{cat}: bands A, B, C, D, withheld");
        let got: Vec<usize> = REASONS.iter().map(|r| count(&reasons, Some(r))).collect();
        assert_eq!(got, reason_counts, "{cat}: band reasons");
    }

    for (id, cat, values, band, reason) in CADRES {
        let i = ids.iter().position(|x| x.as_deref() == Some(id)).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(cats[i].as_deref(), Some(cat), "{id}: category");
        for (k, name) in NUMERIC.iter().enumerate() {
            close(num[k][i], values[k], &format!("{id}: {name}"));
        }
        assert_eq!(bands[i].as_deref(), band, "{id}: band");
        assert_eq!(reasons[i].as_deref(), reason, "{id}: band_reason");
    }
}
