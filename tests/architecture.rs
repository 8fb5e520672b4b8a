//! Data flows one way (see `../shared/STYLE.md`): every module of `src/` may use only the stages
//! below its own. This test parses every file of `src/` with `syn` (a real Rust parser, so that
//! comments and strings are not code and every path is seen whatever its layout) and collects
//! every path that names a module of the crate:
//! - `use` trees, grouped over any number of lines (`use crate::{a, b::{c, d}};`), with
//!   `crate::`, `super::` (any number of them, also from inline modules), `self::` and
//!   `frontline::` (from the binary);
//! - aliases (`use crate as x;`, `use crate::query as q;`, `use super::super as up;`), followed
//!   where the alias is used;
//! - paths written inline without a `use` (`crate::query::x()` in an expression, a type, a
//!   pattern), and in the token streams of macro calls (`format!("{}", crate::query::x())`).
//!
//! Each is mapped to the top-level module it names; the test fails on one that reaches up (or
//! sideways into another module of the same stage).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

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
/// `src/query/mod.rs` is `["query"]`, `src/lib.rs` is `[]`; files of the binary (`main.rs`,
/// `cli/`) are in `cli`.
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

/// Collects the modules named by the paths of one file.
struct Reader<'a> {
    /// The module the code being read is in (the file's, plus inline `mod`s).
    module: Vec<String>,
    /// Whether the file belongs to the binary (where `crate::` names the binary's own modules).
    in_binary: bool,
    /// Names bound by `use ... as x` (and plain `use crate::a::b;`) in this file.
    aliases: &'a HashMap<String, Vec<String>>,
    /// (line, absolute module path) of every path into the crate.
    found: Vec<(usize, Vec<String>)>,
}

impl Reader<'_> {
    /// Resolves the segments of a path: its first segments decide where it starts.
    fn resolve(&self, segments: &[String]) -> Option<Vec<String>> {
        let first = segments.first()?;
        let mut at: Vec<String> = match first.as_str() {
            "crate" if self.in_binary => return None,
            "crate" => Vec::new(),
            "frontline" if self.in_binary => Vec::new(),
            "self" => self.module.clone(),
            "super" => self.module.clone(),
            other => match self.aliases.get(other) {
                Some(target) => target.clone(),
                // A relative path from the crate root names a top-level module.
                None if self.module.is_empty() && !self.in_binary => vec![other.to_string()],
                None => return None,
            },
        };
        let mut rest = &segments[1..];
        if first == "super" {
            at.pop();
        }
        while let Some(s) = rest.first() {
            if s == "super" {
                at.pop();
                rest = &rest[1..];
            } else {
                break;
            }
        }
        at.extend(rest.iter().cloned());
        Some(at)
    }

    fn record(&mut self, line: usize, segments: &[String]) {
        if let Some(abs) = self.resolve(segments) {
            self.found.push((line, abs));
        }
    }
}

/// Every path of a `use` tree, with the line of its last segment; `as` renames returned apart.
fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(usize, Vec<String>, Option<String>)>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix.clone();
            let name = n.ident.to_string();
            // `use crate::a::{self, b}`: `self` is the group's own path.
            if name != "self" {
                path.push(name);
            }
            out.push((n.ident.span().start().line, path, None));
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            if r.ident != "self" {
                path.push(r.ident.to_string());
            }
            out.push((r.ident.span().start().line, path, Some(r.rename.to_string())));
        }
        syn::UseTree::Glob(g) => out.push((g.star_token.spans[0].start().line, prefix.clone(), None)),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_paths(t, prefix, out);
            }
        }
    }
}

/// The paths written in a macro call's tokens: `a::b::c` sequences starting with an identifier.
fn macro_paths(tokens: proc_macro2::TokenStream, out: &mut Vec<(usize, Vec<String>)>) {
    use proc_macro2::{TokenTree, TokenTree::Ident, TokenTree::Punct};
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => macro_paths(g.stream(), out),
            Ident(id) => {
                let line = id.span().start().line;
                let mut path = vec![id.to_string()];
                let mut j = i + 1;
                // `::` is two `:` puncts.
                while let (Some(Punct(a)), Some(Punct(b)), Some(Ident(next))) =
                    (tokens.get(j), tokens.get(j + 1), tokens.get(j + 2))
                {
                    if a.as_char() != ':' || b.as_char() != ':' {
                        break;
                    }
                    path.push(next.to_string());
                    j += 3;
                }
                if path.len() > 1 {
                    out.push((line, path));
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

impl<'ast> Visit<'ast> for Reader<'_> {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut out = Vec::new();
        use_paths(&u.tree, &mut Vec::new(), &mut out);
        for (line, path, _) in out {
            self.record(line, &path);
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.module.push(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
        self.module.pop();
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() > 1 {
            let line = p.segments.first().map_or(0, |s| s.ident.span().start().line);
            self.record(line, &segments);
        }
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let mut out = Vec::new();
        macro_paths(m.tokens.clone(), &mut out);
        for (line, path) in out {
            self.record(line, &path);
        }
        syn::visit::visit_macro(self, m);
    }
}

/// The names a file binds to crate paths with `use` (`use crate as x;` binds `x` to the root,
/// `use crate::query as q;` and `use crate::query;` bind `q` and `query`), resolved from the
/// file's own module (aliases of inline modules are taken as the file's: close enough for
/// module-level edges).
fn aliases(file: &syn::File, module: &[String], in_binary: bool) -> HashMap<String, Vec<String>> {
    let empty = HashMap::new();
    let reader = Reader {
        module: module.to_vec(),
        in_binary,
        aliases: &empty,
        found: Vec::new(),
    };
    let mut out = HashMap::new();
    struct Uses<'b>(&'b mut Vec<syn::UseTree>);
    impl<'ast> Visit<'ast> for Uses<'_> {
        fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
            self.0.push(u.tree.clone());
        }
    }
    let mut trees = Vec::new();
    Uses(&mut trees).visit_file(file);
    for tree in &trees {
        let mut paths = Vec::new();
        use_paths(tree, &mut Vec::new(), &mut paths);
        for (_, path, rename) in paths {
            let Some(abs) = reader.resolve(&path) else { continue };
            let name = match rename {
                Some(r) => r,
                None => match path.last() {
                    Some(last) if !matches!(last.as_str(), "crate" | "super" | "self") => last.clone(),
                    _ => continue,
                },
            };
            if name != "_" {
                out.insert(name, abs);
            }
        }
    }
    out
}

/// Every (line, top-level module named) of one file's source.
fn edges_of_source(module: &[String], in_binary: bool, source: &str) -> Result<Vec<(usize, String)>, String> {
    let file = syn::parse_file(source).map_err(|e| e.to_string())?;
    let aliases = aliases(&file, module, in_binary);
    let mut reader = Reader {
        module: module.to_vec(),
        in_binary,
        aliases: &aliases,
        found: Vec::new(),
    };
    reader.visit_file(&file);
    let mut out: Vec<(usize, String)> = reader
        .found
        .into_iter()
        .filter_map(|(line, abs)| abs.first().cloned().map(|top| (line, top)))
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
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
        // The crate root (`lib.rs`) is the module map: it names every module.
        let Some(own) = path.first().cloned() else { continue };
        let in_binary = own == "cli";
        // In the binary the module path is the binary's own: `crate::` is not the library.
        let module = if in_binary {
            vec!["cli".to_string()]
        } else {
            path.clone()
        };
        let found = edges_of_source(&module, in_binary, &text)
            .unwrap_or_else(|e| panic!("{}: does not parse: {e}", file.display()));
        for (line, to) in found {
            // Names that are not modules of the crate (items of lib.rs, `self`, `*`).
            if to == own || stage(&to).is_none() {
                continue;
            }
            out.push((file.display().to_string(), line, own.clone(), to));
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
    let n = edges(&src).len();
    assert!(n > 50, "only {n} edges read from src/");
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

fn module(p: &str) -> Vec<String> {
    p.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// The top-level modules other than its own that a source in `module` names.
fn named(module_path: &str, source: &str) -> Vec<(usize, String)> {
    let m = module(module_path);
    let own = m.first().cloned().unwrap_or_default();
    edges_of_source(&m, false, source)
        .unwrap()
        .into_iter()
        .filter(|(_, to)| *to != own && stage(to).is_some())
        .collect()
}

#[test]
fn the_reader_sees_every_shape_of_a_back_edge() {
    // A multi-line grouped import, nested groups.
    let grouped =
        "use crate::{\n    model::Status,\n    analytics::{\n        diff,\n        history::X,\n    },\n};\n";
    assert_eq!(
        named("catalog", grouped),
        [(2, "model".into()), (4, "analytics".into()), (5, "analytics".into())]
    );
    // The crate under another name, then a path through the alias.
    let alias = "use crate as fl;\nfn f() {\n    fl::query::point();\n}\n";
    assert_eq!(named("catalog", alias), [(3, "query".into())]);
    let alias_module = "use crate::query as q;\nfn f() { q::point(); }\n";
    assert_eq!(
        named("index/line", alias_module),
        [(1, "query".into()), (2, "query".into())]
    );
    // `super::super::` from a nested file, and `super` from an inline module.
    assert_eq!(
        named("index/line", "fn f() { super::super::catalog::Catalog::load(); }\n"),
        [(1, "catalog".into())]
    );
    assert_eq!(
        named(
            "index/line",
            "mod inner {\n    use super::super::super::http::App;\n}\n"
        ),
        [(2, "http".into())]
    );
    assert_eq!(named("index/line", "use super::locate::X;\n"), []);
    // A path used inline without a `use`, in an expression, a type, and a macro's tokens.
    assert_eq!(
        named("geodata", "fn f() -> usize { crate::query::x() }\n"),
        [(1, "query".into())]
    );
    assert_eq!(
        named("coverage", "struct S {\n    c: Option<crate::catalog::Catalog>,\n}\n"),
        [(2, "catalog".into())]
    );
    assert_eq!(
        named(
            "model",
            "fn f() -> String {\n    format!(\"{}\", crate::live::now())\n}\n"
        ),
        [(2, "live".into())]
    );
    // Comments and strings are not code.
    assert_eq!(
        named(
            "model",
            "// crate::query::x\n/// crate::http\nfn f() -> &'static str { \"crate::cli::x\" }\n"
        ),
        []
    );
    // In the crate root a relative path names a top-level module; in a module it does not.
    assert_eq!(named("", "pub use query::point;\n"), [(1, "query".into())]);
    assert_eq!(named("catalog", "use query::point;\n"), []);
    // From the binary, the library is `frontline::`; `crate::` is the binary's own.
    assert_eq!(
        edges_of_source(
            &module("cli"),
            true,
            "use crate::serve;\nuse frontline::{\n    http::App,\n};\n"
        )
        .unwrap(),
        [(3, "http".into())]
    );
}

#[test]
fn the_reader_finds_back_edges() {
    // The checker itself, on a made-up tree: catalog reaching up into analytics, a grouped
    // import, and a `super::` path from a nested file.
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
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
    let found = back_edges(dir);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains("`analytics` (stage 8) uses `query`"), "{found:#?}");
    assert!(found[1].contains("`catalog` (stage 6) uses `analytics`"), "{found:#?}");
    assert!(found[2].contains("`index` (stage 3) uses `catalog`"), "{found:#?}");
}
