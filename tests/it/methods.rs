//! The method tables against R: `tests/data/r/method_tables.R` (R 4.2, clubSandwich
//! 0.5.8) on the four data sets of `tests/data/r` — the ORACLES ANCOVA set (3 methods
//! × 3 classes), a balanced set (4 × 4), a set with a method in 2 classes, and an
//! unbalanced set (classes of 3 to 40, methods in 2 to 7 classes, three categories) —
//! through [`methods::method_tables`], the function the indicators stage calls.

// R prints `%.17g`; the values are pasted as printed so they can be diffed against the
// `.out` file.
#![allow(clippy::excessive_precision)]

use polars::prelude::*;
use traineval::config::{IndicatorSettings, MethodSettings, PipelineFile};
use traineval::indicators::{methods, Params};

use crate::common::data;

/// One data set as `trainee_outcomes` and `classes` frames (`hours` of a class is
/// 20 + 3 × (its number mod 7), as the R script sets it).
fn frames(file: &str) -> (DataFrame, DataFrame) {
    let mut rdr = csv::Reader::from_path(data(&format!("r/{file}"))).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name);
    let (ci, mi, pi, qi, gi) =
        (at("class_id").unwrap(), at("method").unwrap(), at("pre").unwrap(), at("post").unwrap(), at("category"));
    let (mut class, mut method, mut cat, mut pre, mut post) = (vec![], vec![], vec![], vec![], vec![]);
    for r in rdr.records() {
        let r = r.unwrap();
        class.push(r[ci].to_string());
        method.push(r[mi].to_string());
        cat.push(gi.map_or("A".to_string(), |g| r[g].to_string()));
        pre.push(r[pi].parse::<f64>().unwrap());
        post.push(r[qi].parse::<f64>().unwrap());
    }
    let mut ids = class.clone();
    ids.sort();
    ids.dedup();
    let hours: Vec<f64> = ids
        .iter()
        .map(|c| {
            20.0 + 3.0 * (c.chars().filter(char::is_ascii_digit).collect::<String>().parse::<u64>().unwrap() % 7) as f64
        })
        .collect();
    let outcomes = df!(
        "class_id" => class, "method" => method, "category" => cat, "pre_score" => pre, "post_score" => post
    )
    .unwrap();
    (outcomes, df!("class_id" => ids, "hours" => hours).unwrap())
}

/// R's values of one block of `method_tables.out`.
struct Want {
    /// F, df1, df2, p, partial η², classes.
    ancova: [f64; 6],
    pair_est: &'static [f64],
    pair_se: &'static [f64],
    pair_p: &'static [f64],
    pair_ci_low: &'static [f64],
    pair_ci_high: &'static [f64],
    pair_holm: &'static [f64],
    pair_bh: &'static [f64],
    /// H, df, p.
    kruskal: [f64; 3],
    /// F, df1, df2, p, trainees.
    htz: [f64; 5],
}

fn close(got: Option<f64>, want: f64, what: &str) {
    let g = got.unwrap_or_else(|| panic!("{what}: null, want {want}"));
    assert!((g - want).abs() <= 1e-8 * want.abs().max(1e-2), "{what}: got {g:.17e}, want {want:.17e}");
}

fn col(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect()
}

fn check(file: &str, settings: MethodSettings, want: &Want, levels: &[&str]) {
    let (outcomes, classes) = frames(file);
    let settings = PipelineFile {
        indicators: IndicatorSettings { min_cell: 1, ..Default::default() },
        methods: settings,
        ..Default::default()
    };
    let ctx = Params::new(&settings, "2025");
    let m = methods::method_tables(&outcomes, &classes, &Default::default(), &ctx).unwrap();
    let t = &m.tests;
    let tests: Vec<Option<&str>> = t.column("test").unwrap().str().unwrap().iter().collect();
    assert_eq!(tests, [Some("class_ancova"), Some("class_kruskal"), Some("ancova_cr2_htz")]);
    let (stat, df1, df2, p, effect) =
        (col(t, "statistic"), col(t, "df1"), col(t, "df2"), col(t, "p_value"), col(t, "effect"));
    let what = |s: &str| format!("{file} {s}");
    for (i, (f, a, b, pv)) in [
        (want.ancova[0], want.ancova[1], want.ancova[2], want.ancova[3]),
        (want.kruskal[0], want.kruskal[1], f64::NAN, want.kruskal[2]),
        (want.htz[0], want.htz[1], want.htz[2], want.htz[3]),
    ]
    .into_iter()
    .enumerate()
    {
        close(stat[i], f, &what(&format!("{} statistic", tests[i].unwrap())));
        close(df1[i], a, &what("df1"));
        if b.is_nan() {
            assert_eq!(df2[i], None);
        } else {
            close(df2[i], b, &what("df2"));
        }
        close(p[i], pv, &what(&format!("{} p", tests[i].unwrap())));
    }
    close(effect[0], want.ancova[4], &what("partial eta squared"));
    assert_eq!(col(t, "n_classes")[0], Some(want.ancova[5]), "{file} classes in the test");
    assert_eq!(col(t, "n")[2], Some(want.htz[4]), "{file} trainees in the test");

    let pw = &m.pairwise;
    let names: Vec<(String, String)> = pw
        .column("method_a")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .zip(pw.column("method_b").unwrap().str().unwrap().iter())
        .map(|(a, b)| (a.unwrap().to_string(), b.unwrap().to_string()))
        .collect();
    let mut expected = Vec::new();
    for b in 0..levels.len() {
        for a in b + 1..levels.len() {
            expected.push((levels[a].to_string(), levels[b].to_string()));
        }
    }
    assert_eq!(names, expected, "{file}: pairs, later level first");
    let df = col(pw, "df");
    for (name, values) in [
        ("diff", want.pair_est),
        ("se", want.pair_se),
        ("p_raw", want.pair_p),
        ("ci_low", want.pair_ci_low),
        ("ci_high", want.pair_ci_high),
        ("p_holm", want.pair_holm),
        ("p_bh", want.pair_bh),
    ] {
        let got = col(pw, name);
        assert_eq!(got.len(), values.len(), "{file} {name}");
        for (i, w) in values.iter().enumerate() {
            close(got[i], *w, &what(&format!("pair {i} {name}")));
            close(df[i], want.ancova[2], &what("pair df"));
        }
    }
}

const ORACLE: Want = Want {
    ancova: [0.93835391736073825, 2.0, 5.0, 0.45078927800073143, 0.27290789136710325, 9.0],
    pair_est: &[7.8720643494598441, -0.32444809769844829, -8.1965124471582929],
    pair_se: &[6.0885261607895442, 5.0558125970883907, 6.7101894771336079],
    pair_p: &[0.25254937180178416, 0.95131887338327759, 0.27634228764172186],
    pair_ci_low: &[-7.7789904052622596, -13.320828124155122, -25.445603630755876],
    pair_ci_high: &[23.523119104181948, 12.671931928758225, 9.0525787364392922],
    pair_holm: &[0.75764811540535248, 0.95131887338327759, 0.75764811540535248],
    pair_bh: &[0.41451343146258279, 0.95131887338327759, 0.41451343146258279],
    kruskal: [3.2888888888888914, 2.0, 0.19311982178671955],
    htz: [1.8134530459227358, 2.0, 3.6167347734527109, 0.28478926336814803, 54.0],
};

#[test]
fn the_oracles_set_matches_r() {
    // ../oracles/ancova.csv is ORACLES.md's cluster-robust ANCOVA set (9 classes).
    let (outcomes, classes) = {
        let mut rdr = csv::Reader::from_path(data("oracles/ancova.csv")).unwrap();
        let (mut c, mut m, mut p, mut q) = (vec![], vec![], vec![], vec![]);
        for r in rdr.records() {
            let r = r.unwrap();
            c.push(r[0].to_string());
            m.push(r[1].to_string());
            p.push(r[3].parse::<f64>().unwrap());
            q.push(r[4].parse::<f64>().unwrap());
        }
        let mut ids = c.clone();
        ids.sort();
        ids.dedup();
        (
            df!("class_id" => c, "method" => m, "pre_score" => p, "post_score" => q).unwrap(),
            df!("class_id" => ids).unwrap(),
        )
    };
    let settings =
        PipelineFile { indicators: IndicatorSettings { min_cell: 1, ..Default::default() }, ..Default::default() };
    let ctx = Params::new(&settings, "2025");
    let m = methods::method_tables(&outcomes, &classes, &Default::default(), &ctx).unwrap();
    let t = col(&m.tests, "statistic");
    close(t[0], ORACLE.ancova[0], "oracle class_ancova F");
    close(t[1], ORACLE.kruskal[0], "oracle class_kruskal H");
    close(t[2], ORACLE.htz[0], "oracle HTZ F");
    close(col(&m.tests, "p_value")[2], ORACLE.htz[3], "oracle HTZ p");
    close(col(&m.pairwise, "diff")[2], ORACLE.pair_est[2], "oracle online − case");
    // The summary keeps every method, each with its 3 classes, all tested.
    let s = &m.summary;
    assert_eq!(col(s, "n_classes"), vec![Some(3.0); 3]);
    let in_tests: Vec<Option<bool>> = s.column("in_tests").unwrap().bool().unwrap().iter().collect();
    assert_eq!(in_tests, vec![Some(true); 3]);
    let note: Vec<Option<&str>> = s.column("note").unwrap().str().unwrap().iter().collect();
    assert_eq!(note, vec![Some("few_classes"); 3], "3 classes < 5");
}

#[test]
fn a_balanced_set_matches_r() {
    let want = Want {
        ancova: [1.0617000292999887, 3.0, 11.0, 0.40457942503574512, 0.2245384289263414, 16.0],
        pair_est: &[
            6.2301056196657987,
            -0.63760575996680813,
            4.0262548740788233,
            -6.867711379632607,
            -2.2038507455869754,
            4.6638606340456317,
        ],
        pair_se: &[
            4.7322108865317905,
            4.1217969678062936,
            4.4605641087795842,
            4.1295095383356335,
            3.9365549481754525,
            3.9906461312368582,
        ],
        pair_p: &[
            0.21476664485266106,
            0.87986658637541271,
            0.38605946941150582,
            0.12449510876083227,
            0.58680622349820588,
            0.26722927788674611,
        ],
        pair_ci_low: &[
            -4.1854203160147696,
            -9.7096197190191749,
            -5.7913805349824283,
            -15.956700591966211,
            -10.868149768406457,
            -4.1194922799838043,
        ],
        pair_ci_high: &[
            16.645631555346366,
            8.4344081990855582,
            13.843890283140075,
            2.2212778327009959,
            6.4604482772325058,
            13.447213548075068,
        ],
        pair_holm: &[1.0, 1.0, 1.0, 0.74697065256499362, 1.0, 1.0],
        pair_bh: &[
            0.53445855577349222,
            0.87986658637541271,
            0.57908920411725873,
            0.53445855577349222,
            0.70416746819784704,
            0.53445855577349222,
        ],
        kruskal: [3.110294117647058, 3.0, 0.3749306219794134],
        htz: [0.93688181839385065, 3.0, 6.0357062422029379, 0.47882197124863091, 192.0],
    };
    check("balanced.csv", MethodSettings::default(), &want, &["centralized", "case", "online", "scenario"]);
}

#[test]
fn a_method_in_two_classes_matches_r() {
    let want = Want {
        ancova: [0.073158513620605256, 2.0, 5.0, 0.93042992457792728, 0.028431405695899536, 9.0],
        pair_est: &[1.3426856552137754, 0.75297316133468073, -0.58971249387909463],
        pair_se: &[3.5233348663799977, 4.346259878334509, 4.4546155463271315],
        pair_p: &[0.71879642532210841, 0.86925305328507529, 0.89984434668693325],
        pair_ci_low: &[-7.7143349531667456, -10.419443534866902, -12.040666302010752],
        pair_ci_high: &[10.399706263594297, 11.925389857536265, 10.861241314252563],
        pair_holm: &[1.0, 1.0, 1.0],
        pair_bh: &[0.89984434668693325, 0.89984434668693325, 0.89984434668693325],
        kruskal: [0.344444444444445, 2.0, 0.84179208747364265],
        htz: [0.066182671995064335, 2.0, 2.2440012823033779, 0.9377196533727733, 90.0],
    };
    let levels = levels_of("two_classes.csv");
    check("two_classes.csv", MethodSettings::default(), &want, &levels.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn the_gate_leaves_out_a_method_of_too_few_classes_and_matches_r() {
    let want = Want {
        ancova: [0.14129569412043574, 1.0, 4.0, 0.72608229084090015, 0.034118716594190301, 7.0],
        pair_est: &[1.2856108821658399],
        pair_se: &[3.4201493906617659],
        pair_p: &[0.72608229084090015],
        pair_ci_low: &[-8.2102461525822363],
        pair_ci_high: &[10.781467916913915],
        pair_holm: &[0.72608229084090015],
        pair_bh: &[0.72608229084090015],
        kruskal: [0.0, 1.0, 1.0],
        htz: [0.00011414377120973661, 1.0, 4.5561372277672225, 0.99192751080139763, 70.0],
    };
    let (outcomes, _) = frames("two_classes.csv");
    let all = levels_of("two_classes.csv");
    let settings = MethodSettings { min_classes: 3, ..Default::default() };
    // The method taught in two classes is the one left out.
    let counts: Vec<usize> = all
        .iter()
        .map(|m| {
            let rows = outcomes
                .column("method")
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .zip(outcomes.column("class_id").unwrap().str().unwrap().iter());
            let mut cl: Vec<&str> = rows.filter(|(x, _)| *x == Some(m.as_str())).filter_map(|(_, c)| c).collect();
            cl.sort();
            cl.dedup();
            cl.len()
        })
        .collect();
    let tested: Vec<&str> = all.iter().zip(&counts).filter(|(_, &n)| n >= 3).map(|(m, _)| m.as_str()).collect();
    assert_eq!(tested.len(), 2, "{counts:?}");
    check("two_classes.csv", settings.clone(), &want, &tested);
    let (outcomes, classes) = frames("two_classes.csv");
    let ps = PipelineFile {
        indicators: IndicatorSettings { min_cell: 1, ..Default::default() },
        methods: settings,
        ..Default::default()
    };
    let m = methods::method_tables(&outcomes, &classes, &Default::default(), &Params::new(&ps, "2025")).unwrap();
    let s = &m.summary;
    let left: Vec<(Option<&str>, Option<bool>, Option<&str>)> = s
        .column("method")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .zip(s.column("in_tests").unwrap().bool().unwrap().iter())
        .zip(s.column("note").unwrap().str().unwrap().iter())
        .map(|((m, t), n)| (m, t, n))
        .filter(|r| r.1 == Some(false))
        .collect();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].2, Some("too_few_classes"));
    assert!(col(s, "mean_gain").iter().all(Option::is_some), "left-out methods keep their summary");
}

#[test]
fn an_unbalanced_set_matches_r_with_and_without_a_covariate() {
    let plain = Want {
        ancova: [2.6965304111928523, 3.0, 12.0, 0.092805136897957677, 0.40267575081653662, 17.0],
        pair_est: &[
            2.1790230862244857,
            -1.5304647677086303,
            6.8318869017512585,
            -3.709487853933116,
            4.6528638155267732,
            8.3623516694598887,
        ],
        pair_se: &[
            2.7396797839696392,
            2.2065483898028422,
            3.1646196301735454,
            2.601627141970543,
            3.4427223900327628,
            3.0708146619526167,
        ],
        pair_p: &[
            0.44185460923698305,
            0.50113807711810054,
            0.051819203469123873,
            0.17940814310295453,
            0.20146109057032013,
            0.018498919281493838,
        ],
        pair_ci_low: &[
            -3.7902263762685053,
            -6.3381207086926272,
            -0.063226949487622086,
            -9.3779464488690198,
            -2.8481838968592346,
            1.6716212864672944,
        ],
        pair_ci_high: &[
            8.1482725487174772,
            3.2771911732753667,
            13.72700075299014,
            1.9589707410027875,
            12.153911527912781,
            15.053082052452483,
        ],
        pair_holm: &[
            0.88370921847396611,
            0.88370921847396611,
            0.25909601734561938,
            0.7176325724118181,
            0.7176325724118181,
            0.11099351568896303,
        ],
        pair_bh: &[
            0.50113807711810054,
            0.50113807711810054,
            0.1554576104073716,
            0.3021916358554802,
            0.3021916358554802,
            0.11099351568896303,
        ],
        kruskal: [6.8422035480858909, 3.0, 0.077101020179562094],
        htz: [2.4340612332798215, 3.0, 2.2887678207311053, 0.28248852053215323, 386.0],
    };
    let levels = levels_of("unbalanced.csv");
    let levels: Vec<&str> = levels.iter().map(String::as_str).collect();
    check("unbalanced.csv", MethodSettings::default(), &plain, &levels);
    let hours = Want {
        ancova: [2.5895039660926633, 3.0, 11.0, 0.10578548174717289, 0.4139119787643234, 17.0],
        pair_est: &[
            2.3407788084732251,
            -1.5258249259949039,
            6.9451188361839771,
            -3.866603734468129,
            4.6043400277107516,
            8.4709437621788801,
        ],
        pair_se: &[
            2.8511196781570778,
            2.2805071765259703,
            3.279010658055312,
            2.7083106698898329,
            3.5594945051002176,
            3.1816270178347241,
        ],
        pair_p: &[
            0.42907857892794488,
            0.51724528106365919,
            0.057764738153493964,
            0.18115209983206931,
            0.22232803814661972,
            0.022089588503202435,
        ],
        pair_ci_low: &[
            -3.9344932927957523,
            -6.5451873790110477,
            -0.27193496197808376,
            -9.8275553278134957,
            -3.2300545554425595,
            1.4682299109780361,
        ],
        pair_ci_high: &[
            8.6160509097422029,
            3.4935375270212399,
            14.162172634346039,
            2.0943478588772382,
            12.438734610864064,
            15.473657613379725,
        ],
        pair_holm: &[
            0.85815715785588975,
            0.85815715785588975,
            0.28882369076746983,
            0.72460839932827725,
            0.72460839932827725,
            0.13253753101921462,
        ],
        pair_bh: &[
            0.51489429471353387,
            0.51724528106365919,
            0.17329421446048188,
            0.33349205721992958,
            0.33349205721992958,
            0.13253753101921462,
        ],
        ..plain
    };
    check("unbalanced.csv", MethodSettings { covariates: vec!["hours".into()], ..Default::default() }, &hours, &levels);
}

/// The methods of a data set in level order: `centralized` first, then alphabetical.
fn levels_of(file: &str) -> Vec<String> {
    let (outcomes, _) = frames(file);
    let mut m: Vec<String> =
        outcomes.column("method").unwrap().str().unwrap().iter().flatten().map(str::to_string).collect();
    m.sort();
    m.dedup();
    let (first, rest): (Vec<String>, Vec<String>) = m.into_iter().partition(|x| x == "centralized");
    first.into_iter().chain(rest).collect()
}

#[test]
fn a_single_class_per_method_is_not_tested_and_says_why() {
    // Two methods of one class each: both fail the gate; every test is null with its
    // reason and no contrast is published (the impossible F of a collapsed CR1 model
    // is gone).
    let outcomes = df!(
        "class_id" => ["A", "A", "A", "B", "B", "B"],
        "method" => ["case", "case", "case", "online", "online", "online"],
        "pre_score" => [40.0, 50.0, 60.0, 45.0, 55.0, 65.0],
        "post_score" => [50.0, 58.0, 71.0, 47.0, 60.0, 66.0]
    )
    .unwrap();
    let classes = df!("class_id" => ["A", "B"]).unwrap();
    let settings =
        PipelineFile { indicators: IndicatorSettings { min_cell: 1, ..Default::default() }, ..Default::default() };
    let m = methods::method_tables(&outcomes, &classes, &Default::default(), &Params::new(&settings, "2025")).unwrap();
    assert!(col(&m.tests, "statistic").iter().all(Option::is_none));
    let notes: Vec<Option<&str>> = m.tests.column("note").unwrap().str().unwrap().iter().collect();
    assert_eq!(notes, vec![Some("fewer_than_two_methods"); 3]);
    assert_eq!(m.pairwise.height(), 0);
    let in_tests: Vec<Option<bool>> = m.summary.column("in_tests").unwrap().bool().unwrap().iter().collect();
    assert_eq!(in_tests, vec![Some(false), Some(false)]);
}
