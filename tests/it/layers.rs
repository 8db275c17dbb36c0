//! The stages depend downward only: each top-level module of `src/` may name (as
//! `crate::<module>`) only modules of lower layers. Test code is not counted (it may
//! build whole pipelines), nor comments.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Bottom first. A module may use the modules of the layers below its own.
const LAYERS: &[&[&str]] = &[
    &["error", "layout", "stats", "schema", "alloc", "cli", "pseudonym"],
    &["cells", "generate"],
    &["config"],
    &["ingest"],
    &["validate"],
    &["init", "warehouse"],
    &["indicators"],
    &["report"],
    &["export"],
    &["pipeline"],
    &["app"],
];

/// Upward uses not yet removed (none today). Nothing may be added here.
const KNOWN: &[(&str, &str)] = &[];

fn uses(dir: &Path, top: &str, out: &mut BTreeMap<String, BTreeSet<String>>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        if p.is_dir() {
            if name != "tests" {
                uses(&p, top, out);
            }
            continue;
        }
        if !name.ends_with(".rs") || name == "tests.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let rest = &line[i + "crate::".len()..];
                let m: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                if !m.is_empty() && m != top {
                    out.entry(top.to_string()).or_default().insert(m);
                }
            }
        }
    }
}

#[test]
fn stages_depend_downward_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        let p = e.path();
        let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
        if stem == "lib" || stem == "main" {
            continue;
        }
        if p.is_dir() {
            uses(&p, &stem, &mut deps);
        } else {
            let dir = tempfile::tempdir().unwrap();
            std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
            uses(dir.path(), &stem, &mut deps);
        }
    }
    let layer: BTreeMap<&str, usize> =
        LAYERS.iter().enumerate().flat_map(|(k, ms)| ms.iter().map(move |m| (*m, k))).collect();
    let mut wrong = Vec::new();
    for (m, used) in &deps {
        let Some(&lm) = layer.get(m.as_str()) else {
            wrong.push(format!("{m} is in no layer"));
            continue;
        };
        for u in used {
            let Some(&lu) = layer.get(u.as_str()) else {
                wrong.push(format!("{m} uses {u}, which is in no layer"));
                continue;
            };
            if lu >= lm && !KNOWN.contains(&(m.as_str(), u.as_str())) {
                wrong.push(format!("{m} (layer {lm}) uses {u} (layer {lu})"));
            }
        }
    }
    assert!(wrong.is_empty(), "upward or sideways uses:\n{}", wrong.join("\n"));
    // The known exceptions are still real (remove them from KNOWN when they go).
    for (m, u) in KNOWN {
        assert!(deps.get(*m).is_some_and(|d| d.contains(*u)), "{m} no longer uses {u}: remove it from KNOWN");
    }
}

/// The non-test code of every `.rs` file under `dir` (comment lines dropped), by path.
fn code_under(dir: &Path, out: &mut Vec<(std::path::PathBuf, String)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            code_under(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&p).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            let code: Vec<&str> = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
            out.push((p, code.join("\n")));
        }
    }
}

/// Whether `word` occurs in `text` as a whole identifier.
fn names(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(ident) && !text[i + word.len()..].chars().next().is_some_and(ident)
    })
}

/// The indicator families reach the engine through its narrow surface only: no file of
/// `src/indicators` outside `engine/` names the columnar machinery.
#[test]
fn families_do_not_reach_engine_internals() {
    const INTERNAL: &[&str] =
        &["StrCol", "ValueId", "ViewMemo", "Interner", "Scoped", "Dict", "Chunk", "columnar", "for_each_chunk"];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/indicators");
    let mut files = Vec::new();
    code_under(&root, &mut files);
    let engine = root.join("engine");
    let mut wrong = Vec::new();
    for (path, code) in files.iter().filter(|(p, _)| !p.starts_with(&engine)) {
        for w in INTERNAL.iter().filter(|w| names(code, w)) {
            wrong.push(format!("{} names {w}", path.display()));
        }
    }
    assert!(files.iter().any(|(p, _)| p.starts_with(&engine)), "no engine module found");
    assert!(wrong.is_empty(), "engine internals outside the engine:\n{}", wrong.join("\n"));
}

/// No two types of `src/indicators` share a name (a reader meeting `View` should find
/// one).
#[test]
fn indicator_type_names_are_unique() {
    let seen = type_names(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/indicators"), false);
    assert!(seen.contains_key("LongTable"), "the scan found no types");
    assert_declared_once(&seen);
}

/// Where each type under `root` is declared (only `pub` ones when `visible`).
fn type_names(root: &Path, visible: bool) -> BTreeMap<String, Vec<String>> {
    let mut files = Vec::new();
    code_under(root, &mut files);
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, code) in &files {
        for line in code.lines().map(str::trim_start).filter(|l| !visible || l.starts_with("pub")) {
            let mut words = line.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty());
            while let Some(w) = words.next() {
                if matches!(w, "struct" | "enum" | "type" | "trait") {
                    if let Some(name) = words.next().filter(|n| n.starts_with(|c: char| c.is_ascii_uppercase())) {
                        seen.entry(name.to_string()).or_default().push(path.display().to_string());
                    }
                    break;
                }
            }
        }
    }
    seen
}

fn assert_declared_once(seen: &BTreeMap<String, Vec<String>>) {
    let dup: Vec<String> =
        seen.iter().filter(|(_, at)| at.len() > 1).map(|(n, at)| format!("{n}: {}", at.join(", "))).collect();
    assert!(dup.is_empty(), "type names declared more than once:\n{}", dup.join("\n"));
}

/// A type other modules can name has one name in the whole crate, so a reader who meets
/// `Row` or `Params` in a signature knows which one it is without the path.
#[test]
fn visible_type_names_are_unique_in_the_crate() {
    let seen = type_names(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), true);
    assert!(seen.contains_key("LongTable") && seen.contains_key("Staging"), "the scan found too few types");
    assert_declared_once(&seen);
}
