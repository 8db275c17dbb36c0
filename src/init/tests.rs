use super::*;

fn h(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn headers_map_by_name_then_word_then_containing_word() {
    let ins = InstrumentSettings::default();
    let (m, rest) = map_columns(TableKind::Cadres, &h(&["序号", "干部编号（必填）", "姓名", "性别", "干部类别", "单位编号", "联系电话"]), &ins);
    assert_eq!(m.get(col::CADRE_ID).map(String::as_str), Some("干部编号（必填）"));
    assert_eq!(m.get(col::UNIT_ID).map(String::as_str), Some("单位编号"));
    assert_eq!(m.get(col::CATEGORY).map(String::as_str), Some("干部类别"));
    assert_eq!(rest, h(&["序号", "联系电话"]));
    // Canonical names map to themselves.
    let (m, rest) = map_columns(TableKind::Units, &h(&["unit_id", "name", "kind", "region"]), &ins);
    assert_eq!(m.len(), 4);
    assert!(rest.is_empty());
    // One-character words only match whole headers: 德 is not 品德表现.
    let (m, _) = map_columns(TableKind::Reviews, &h(&["干部编号", "考核日期", "德", "能", "勤", "绩", "廉", "品德表现"]), &ins);
    assert_eq!(m.get(col::MORALITY).map(String::as_str), Some("德"));
}

#[test]
fn dates_get_the_format_that_reads_them() {
    let s: Vec<String> = ["2001/7/1", "1998/12/20"].map(String::from).to_vec();
    assert_eq!(date_format_of(&s.iter().collect::<Vec<_>>()), Some("%Y/%m/%d"));
    let iso: Vec<String> = ["2001-07-01"].map(String::from).to_vec();
    assert_eq!(date_format_of(&iso.iter().collect::<Vec<_>>()), None);
}
