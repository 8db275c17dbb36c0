//! The transfer claims in the report (SPEC §7.2): a DiD is an effect only when its
//! checks pass, an association with its reasons otherwise, in both languages; the flow
//! diagram and the event study are drawn; the limitations section closes the report
//! and speaks no code names.

use polars::prelude::*;

use super::{fixtures, pages, params};
use crate::report::i18n::{Catalogue, Lang};
use crate::report::view::{self, ReportData};

/// The fixture with the pooled DiD failing the pre-trend and attrition checks.
fn failing() -> ReportData {
    let mut d = fixtures::sample();
    let s = d.indicators.get_mut("transfer_summary").unwrap();
    let set_f = |s: &mut DataFrame, c: &str, v: f64| {
        let mut col: Vec<Option<f64>> = s.column(c).unwrap().f64().unwrap().iter().collect();
        col[0] = Some(v);
        s.replace(c, Column::new(c.into(), col)).unwrap();
    };
    let set_b = |s: &mut DataFrame, c: &str, v: bool| {
        let mut col: Vec<Option<bool>> = s.column(c).unwrap().bool().unwrap().iter().collect();
        col[0] = Some(v);
        s.replace(c, Column::new(c.into(), col)).unwrap();
    };
    set_f(s, "pretrend_p", 0.004);
    set_b(s, "pretrend_ok", false);
    set_f(s, "attrition", 0.35);
    set_f(s, "control_attrition", 0.05);
    set_b(s, "attrition_ok", false);
    let mut claim: Vec<Option<String>> =
        s.column("claim").unwrap().str().unwrap().iter().map(|x| x.map(str::to_string)).collect();
    claim[0] = Some("association".into());
    s.replace("claim", Column::new("claim".into(), claim)).unwrap();
    d
}

/// The transfer card of the headline (label, detail) and the transfer findings.
fn wording(data: &ReportData, lang: Lang) -> (String, String, String) {
    let v = view::annual(data, &params(lang));
    let cat = Catalogue::new(lang);
    let labels = [cat.get("hl.transfer"), cat.get("tr.hl_association")];
    let cards = &v.headline.data.as_ref().unwrap().cards;
    let card = cards.iter().find(|c| labels.contains(&c.label)).expect("a transfer card");
    (card.label.clone(), card.detail.clone(), v.transfer.data.as_ref().unwrap().findings.join(" "))
}

#[test]
fn a_did_is_an_effect_only_when_its_checks_pass() {
    for lang in [Lang::Zh, Lang::En] {
        let cat = Catalogue::new(lang);
        // The fixture's pooled DiD passes every check.
        let (label, detail, findings) = wording(&fixtures::sample(), lang);
        assert_eq!(label, cat.get("hl.transfer"), "{lang:?}");
        assert!(detail.contains("+1.1") && detail.contains("+3.7"), "the clustered interval: {detail}");
        let ci = cat.fmt("hl.ci", &[("level", &"95"), ("lo", &"+1.1"), ("hi", &"+3.7")]);
        let effect = cat.fmt("tr.claim_effect", &[("did", &"+2.4"), ("ci", &ci)]);
        assert!(findings.contains(&effect), "{lang:?}: {findings}");
        // Failing the pre-trend and attrition checks: an association, and why.
        let (label, _, findings) = wording(&failing(), lang);
        assert_eq!(label, cat.get("tr.hl_association"), "{lang:?}");
        let why_trend = cat.fmt("tr.why_pretrend", &[("p", &"p = 0.004")]);
        let why_lost = cat.fmt("tr.why_attrition", &[("trained", &"35.0%"), ("control", &"5.0%")]);
        assert!(findings.contains(&why_trend) && findings.contains(&why_lost), "{lang:?}: {findings}");
        assert!(!findings.contains(&effect), "no effect wording: {findings}");
        let association = cat.fmt(
            "tr.claim_association",
            &[("did", &"+2.4"), ("ci", &ci), ("reasons", &[why_trend, why_lost].join(&cat.get("tr.why_join")))],
        );
        assert!(findings.contains(&association), "{lang:?}: {findings}");
    }
}

#[test]
fn class_pages_word_their_own_checks() {
    for lang in [Lang::Zh, Lang::En] {
        let cat = Catalogue::new(lang);
        let classes = view::class_views(&fixtures::sample(), &params(lang));
        let findings = |id: &str| {
            classes.iter().find(|c| c.class_id == id).unwrap().transfer.data.as_ref().unwrap().findings.join(" ")
        };
        // K03 passes its checks; K04's baseline is not equivalent; K02 lost too many.
        assert!(findings("K03").contains(&cat.get("tr.class_claim_effect")), "{lang:?}");
        let k04 = findings("K04");
        assert!(k04.contains(&cat.fmt("tr.why_baseline", &[("g", &"−0.31")])), "{lang:?}: {k04}");
        let k02 = findings("K02");
        assert!(k02.contains(&cat.fmt("tr.why_attrition", &[("trained", &"23.1%"), ("control", &"8.0%")])), "{k02}");
    }
}

#[test]
fn the_flow_and_the_event_study_are_drawn() {
    for lang in [Lang::Zh, Lang::En] {
        let pages = pages(&fixtures::sample(), lang);
        let index = &pages[0].1;
        for id in ["fig-transfer-flow", "fig-transfer-event"] {
            assert!(index.contains(&format!("<figure id=\"{id}\"")), "{lang:?}: {id}");
        }
        let page = |name: &str| &pages.iter().find(|(p, _)| p.ends_with(name)).unwrap().1;
        // A class with published stages has its flow; K06 (every stage withheld) has none,
        // and no page is made for the pooled rows' `all` key.
        assert!(page("K01.html").contains("<figure id=\"fig-class-flow\""));
        assert!(!page("K06.html").contains("fig-class-flow"));
        assert!(!pages.iter().any(|(p, _)| p.ends_with("all.html")));
        // The event chart: six ticks, the reference hollow, the class marked.
        let cat = Catalogue::new(lang);
        assert!(index.contains(&cat.get("tr.event_class")));
        assert!(index.contains(&cat.get("stage.review_after")));
    }
}

/// The section's text between `<section id="limitations"` and its end.
fn limitations_html(html: &str) -> &str {
    let start = html.find("<section id=\"limitations\"").expect("a limitations section");
    let end = html[start..].find("</section>").map_or(html.len(), |e| start + e);
    &html[start..end]
}

#[test]
fn the_report_ends_with_its_limitations_in_words() {
    for lang in [Lang::Zh, Lang::En] {
        let cat = Catalogue::new(lang);
        let pages = pages(&failing(), lang);
        let index = &pages[0].1;
        let at = index.find("<section id=\"limitations\"").unwrap();
        assert!(index.find("<section id=\"quality\"").unwrap() < at, "after the appendices");
        assert!(!index[at + 1..].contains("<section id="), "the last section");
        let lim = limitations_html(index);
        assert!(lim.contains(&html(&cat.get("lim.self_rated"))), "{lang:?}");
        assert!(lim.contains(&html(&cat.fmt("lim.pretrend", &[("p", &"p = 0.004")]))), "{lang:?}");
        assert!(lim.contains(&html(&cat.code("method", "on_site"))), "few classes of a method: {lang:?}");
        for code in ["not_equivalent", "pretrend", "attrition_ok", "few_classes", "too_few_classes", "on_site", "_"] {
            assert!(!lim.contains(code), "{lang:?}: code name {code} in the limitations");
        }
        // The passing fixture states no pre-trend limitation.
        let clean = pages_of(&fixtures::sample(), lang);
        assert!(!limitations_html(&clean).contains(&html(&cat.fmt("lim.pretrend", &[("p", &"p = 0.410")]))));
    }
}

/// `s` as the templates escape it.
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

fn pages_of(data: &ReportData, lang: Lang) -> String {
    pages(data, lang).swap_remove(0).1
}
