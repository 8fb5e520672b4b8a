//! Data flows one way (see `../shared/STYLE.md`): every module of `src/` may use only the stages
//! below its own. This test reads every `crate::…`, `super::…` and `frontline::…` path in the
//! code of `src/` (comments left out), maps it to the top-level module it names, and fails on an
//! import that reaches up (or sideways into another module of the same stage).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The stages, lowest first. A module may use the modules of the stages before its own, and
/// itself; nothing else.
const STAGES: &[&[&str]] = &[
    // plain domain types; number formatting
    &["model", "num"],
    // WGS84 measures; the on-disk layout and durable writes of the geodata directory
    &["geodesy", "store"],
    // control layers of one snapshot (overlay, areas)
    &["coverage"],
    // point location, line of contact, change index
    &["index"],
    // reading and validating the canonical format and the archives
    &["geodata"],
    // the waters of a border indexed, their statuses and areas on a state
    &["waters"],
    // the immutable loaded state
    &["catalog"],
    // the shapes answers are written in (provenance, GeoJSON)
    &["output"],
    // diffs, histories, breakdowns by region
    &["analytics"],
    // questions asked of the catalog; writing archives into the geodata directory; ceasefire
    // scenarios
    &["query", "import", "scenario"],
    // fetching archives from the network into the geodata directory
    &["sync"],
    // the live state: reload, watcher, sync scheduler
    &["live"],
    // the edges
    &["http"],
    &["cli"],
];

fn stage(module: &str) -> Option<usize> {
    STAGES.iter().position(|s| s.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path (from the crate root) of a file: `src/query/csv.rs` is `["query", "csv"]`,
/// `src/query/mod.rs` is `["query"]`; files of the binary (`main.rs`, `cli/`) are in `cli`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" && stem != "lib" {
            parts.push(stem.to_string());
        }
    }
    if parts.first().is_some_and(|p| p == "main") {
        parts = vec!["cli".to_string()];
    }
    parts
}

/// The first identifiers after each `prefix` in a line of code, with `{a, b::c}` groups opened.
fn targets_after(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        // Only a path start: not the tail of a longer identifier (`my_crate::`).
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                    _ => {}
                }
                if !(c == ',' && depth == 0) {
                    item.push(c);
                }
            }
            items.push(item);
            for it in items {
                let id: String = it
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !id.is_empty() {
                    out.push(id);
                }
            }
        } else {
            let id: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !id.is_empty() {
                out.push(id);
            }
        }
    }
    out
}

/// Every (file, line number, from-module, to-module) edge between top-level modules in `src`.
fn edges(src: &Path) -> Vec<(String, usize, String, String)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let path = module_path(src, &file);
        let Some(own) = path.first().cloned() else { continue };
        let in_binary = own == "cli";
        let is_mod_file = file.file_name().is_some_and(|n| n == "mod.rs");
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            let code = code.split(" //").next().unwrap_or(code);
            // In the binary, `crate::` names the binary's own modules (all under `cli`).
            let mut named = if in_binary {
                Vec::new()
            } else {
                targets_after(code, "crate::")
            };
            named.extend(targets_after(code, "frontline::"));
            // `super::x` from `a/b.rs` is `a::x`; from `a/mod.rs` or a top-level file it is the
            // crate's `x`.
            let parent_is_root = path.len() == 1 && !is_mod_file || path.is_empty();
            for id in targets_after(code, "super::") {
                if parent_is_root {
                    named.push(id);
                } else {
                    named.push(own.clone());
                }
            }
            for to in named {
                // Names that are not modules of the crate (items of lib.rs, `self`, `*`).
                if to == own || stage(&to).is_none() {
                    continue;
                }
                out.push((file.display().to_string(), n + 1, own.clone(), to));
            }
        }
    }
    out
}

/// The edges that reach up or sideways, as messages.
fn back_edges(src: &Path) -> Vec<String> {
    edges(src)
        .into_iter()
        .filter_map(|(file, line, from, to)| {
            let (Some(a), Some(b)) = (stage(&from), stage(&to)) else {
                return Some(format!("{file}:{line}: module `{from}` is in no stage of the table"));
            };
            (b >= a).then(|| {
                format!(
                    "{file}:{line}: `{from}` (stage {a}) uses `{to}` (stage {b}): a module may use only the stages before its own"
                )
            })
        })
        .collect()
}

#[test]
fn every_module_uses_only_the_stages_before_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // The reader must see the crate's edges at all (a reader that finds none passes vacuously).
    assert!(
        edges(&src).len() > 50,
        "only {} edges read from src/",
        edges(&src).len()
    );
    let found = back_edges(&src);
    assert!(found.is_empty(), "{} back-edge(s):\n{}", found.len(), found.join("\n"));
}

#[test]
fn every_top_level_module_has_a_stage() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| module_path(&src, f).first().cloned())
        .collect();
    let missing: Vec<&String> = modules.iter().filter(|m| stage(m).is_none()).collect();
    assert!(missing.is_empty(), "modules missing from the stage table: {missing:?}");
}

#[test]
fn the_reader_finds_back_edges() {
    // The checker itself, on a made-up tree: catalog reaching up into analytics, a grouped
    // import, and a `super::` path from a nested file.
    let dir = std::env::temp_dir().join(format!("frontline-arch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("analytics")).unwrap();
    std::fs::create_dir_all(dir.join("index")).unwrap();
    std::fs::write(
        dir.join("catalog.rs"),
        "use crate::analytics::history::X;\n// crate::query in a comment\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("index/mod.rs"),
        "pub mod line;\nuse crate::{model::Status, catalog::Catalog};\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("analytics/diff.rs"),
        "use super::regions;\nfn f() { crate::query::x(); }\n",
    )
    .unwrap();
    let found = back_edges(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains("`analytics` (stage 8) uses `query`"), "{found:#?}");
    assert!(found[1].contains("`catalog` (stage 6) uses `analytics`"), "{found:#?}");
    assert!(found[2].contains("`index` (stage 3) uses `catalog`"), "{found:#?}");
}
