use super::*;

fn h(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn headers_map_by_name_then_word_then_containing_word() {
    let ins = InstrumentSettings::default();
    let (m, rest) = map_columns(
        TableKind::Cadres,
        &h(&["序号", "干部编号（必填）", "姓名", "性别", "干部类别", "单位编号", "联系电话"]),
        &ins,
    );
    assert_eq!(m.get(col::CADRE_ID).map(String::as_str), Some("干部编号（必填）"));
    assert_eq!(m.get(col::UNIT_ID).map(String::as_str), Some("单位编号"));
    assert_eq!(m.get(col::CATEGORY).map(String::as_str), Some("干部类别"));
    assert_eq!(rest, h(&["序号", "联系电话"]));
    // Canonical names map to themselves.
    let (m, rest) = map_columns(TableKind::Units, &h(&["unit_id", "name", "kind", "region"]), &ins);
    assert_eq!(m.len(), 4);
    assert!(rest.is_empty());
    // One-character words only match whole headers: 德 is not 品德表现.
    let (m, _) =
        map_columns(TableKind::Reviews, &h(&["干部编号", "考核日期", "德", "能", "勤", "绩", "廉", "品德表现"]), &ins);
    assert_eq!(m.get(col::MORALITY).map(String::as_str), Some("德"));
}

#[test]
fn dates_get_the_format_that_reads_them() {
    let s: Vec<String> = ["2001/7/1", "1998/12/20"].map(String::from).to_vec();
    assert_eq!(date_format_of(&s.iter().collect::<Vec<_>>()), Some("%Y/%m/%d"));
    let iso: Vec<String> = ["2001-07-01"].map(String::from).to_vec();
    assert_eq!(date_format_of(&iso.iter().collect::<Vec<_>>()), None);
}

fn office() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/office")
}

fn input<'a>(p: &'a Proposal, name: &str) -> &'a InputProposal {
    p.inputs.iter().find(|i| i.name == name).unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn the_office_folder_is_mapped() {
    let p = propose(&office()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = p.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "units",
            "cadres",
            "classes",
            "courses",
            "enrollments",
            "items",
            "survey_pre",
            "survey_post",
            "course_ratings",
            "reviews"
        ]
    );
    // The roster: second sheet, a title above the header, text dates, one unknown label.
    let c = input(&p, "cadres");
    assert_eq!((c.spec.sheet.as_deref(), c.spec.header_row), (Some("花名册"), Some(2)));
    assert_eq!(c.title.as_deref(), Some("2025年度干部花名册"));
    assert_eq!(c.spec.date_format.as_deref(), Some("%Y/%m/%d"));
    assert_eq!(c.spec.columns.get("cadre_id").map(String::as_str), Some("干部编号"));
    assert_eq!(c.spec.values["category"].get("县处级领导干部").map(String::as_str), Some("department_level"));
    assert_eq!(c.unknown_values["category"], ["其他"]);
    assert_eq!(c.unmapped, ["序号", "联系电话"]);
    // GBK exports: encoding, platform, the post items found by their texts.
    let pre = input(&p, "survey_pre");
    assert_eq!((pre.spec.encoding.as_deref(), pre.spec.format, pre.crlf), (Some("gbk"), InputFormat::Platform, true));
    let cfg = pre.spec.platform.clone().unwrap_or_default();
    assert_eq!((cfg.first_item_question, cfg.items.len()), (3, 0));
    let post = input(&p, "survey_post").spec.platform.clone().unwrap_or_default();
    assert_eq!(post.items.get("COMP1"), Some(&ColumnRef::Question(4)));
    assert_eq!(post.items.get("COMP2"), Some(&ColumnRef::Question(3)));
    // One section reads the four course evaluations.
    let cr = input(&p, "course_ratings");
    assert_eq!((cr.spec.path.as_str(), cr.files.len()), ("课程评估_*.csv", 4));
    assert!(cr.notes.is_empty(), "{:?}", cr.notes);
    // Methods and unit kinds in Chinese.
    assert_eq!(input(&p, "classes").spec.values["method"].get("案例教学").map(String::as_str), Some("case"));
    assert_eq!(input(&p, "units").spec.values["kind"].get("事业单位").map(String::as_str), Some("institution"));
    // What is missing and what was not used.
    let missing: Vec<&str> = p.missing.iter().map(|m| m.input.as_str()).collect();
    assert!(missing.contains(&"trainee_ratings") && missing.contains(&"unit_outcomes"), "{missing:?}");
    assert_eq!(p.skipped, ["make.py: not a table file (.py); inputs are .csv, .xlsx, .xls or .parquet"]);
}

#[test]
fn the_rendered_file_reads_back_as_proposed() {
    let p = propose(&office()).unwrap_or_else(|e| panic!("{e}"));
    let text = render(&p, "office");
    let file: PipelineFile = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let want = p.pipeline();
    assert_eq!(file.inputs.keys().collect::<Vec<_>>(), want.inputs.keys().collect::<Vec<_>>());
    for (name, spec) in &want.inputs {
        let got = &file.inputs[name];
        assert_eq!(
            (
                &got.path,
                &got.sheet,
                got.header_row,
                &got.encoding,
                got.format,
                &got.columns,
                &got.values,
                &got.date_format,
                &got.platform
            ),
            (
                &spec.path,
                &spec.sheet,
                spec.header_row,
                &spec.encoding,
                spec.format,
                &spec.columns,
                &spec.values,
                &spec.date_format,
                &spec.platform
            ),
            "{name}"
        );
    }
    // Every check and every gap is in the text.
    assert!(text.contains("# \"其他\" = \"\""), "{text}");
    assert!(text.contains("# no `trainee_ratings` input: assessment_by_class will be empty"), "{text}");
    assert!(text.contains("# above the header (row 2): 2025年度干部花名册"), "{text}");
}

#[test]
fn a_canonical_directory_needs_no_mapping() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/canonical");
    let inferred = infer(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(inferred.skipped.is_empty(), "{:?}", inferred.skipped);
    for (name, spec) in &inferred.file.inputs {
        let bare = InputSpec { path: spec.path.clone(), ..InputSpec::default() };
        assert_eq!(
            (
                &spec.path,
                &spec.sheet,
                spec.header_row,
                spec.format,
                spec.columns.len(),
                spec.values.len(),
                &spec.date_format
            ),
            (&bare.path, &bare.sheet, bare.header_row, bare.format, 0, 0, &bare.date_format),
            "{name}"
        );
    }
}

#[test]
fn file_names_shared_by_several_files_become_one_glob() {
    let dir = tempfile::tempdir().unwrap();
    for n in ["课程评估_1.csv", "课程评估_22.csv", "课程安排.csv"] {
        std::fs::write(dir.path().join(n), "a\n").unwrap();
    }
    let names = h(&["课程评估_1.csv", "课程评估_22.csv"]);
    assert_eq!(glob_for(dir.path(), &names).as_deref(), Some("课程评估_*.csv"));
    // A pattern that would catch another file is not proposed.
    std::fs::write(dir.path().join("课程评估_3.csv"), "a\n").unwrap();
    assert_eq!(glob_for(dir.path(), &names), None);
}
