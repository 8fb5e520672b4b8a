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
//!   pattern), and in the token streams of macro calls (`format!("{}", crate::query::x())`);
//! - paths through another module's names: every file (the crate root `lib.rs` included) is read
//!   into one table of what each module binds, so a path through a re-export of the root
//!   (`crate::Catalog` is `catalog::Catalog`), through a glob (`use crate::*;`, `use super::*;`,
//!   then `query::x()` or `Catalog`), or through `extern crate self as x;` (which in the root puts
//!   `x` in every module's scope) is followed to the module it ends in.
//!
//! - raw identifiers (`crate::r#query`) as their plain names;
//! - paths written as strings in attributes (`#[serde(serialize_with = "crate::output::x")]`,
//!   `with`, `default`, `skip_serializing_if`, ...: any string that parses as a path);
//! - macros: a `macro_rules!` macro named from another module (`crate::m!()` for a
//!   `#[macro_export]` one, `m!()` in textual scope) is an edge to the module that defines it;
//! - `#[path = "..."]` on a module is refused outright: it would put another directory's file
//!   in this module's place, past the rule that a file's module is where it lies.
//!
//! Each is mapped to the top-level module it names; the test fails on one that reaches up (or
//! sideways into another module of the same stage).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::cell::RefCell;
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

/// How deep a chain of `use`s, globs and re-exports is followed (a cycle stops there).
const DEPTH: usize = 24;

/// An absolute path of the crate, as segments.
type Path_ = Vec<String>;

/// (module, name) -> what `Table::lookup` found there.
type Memo = HashMap<(Path_, String), Option<Path_>>;

/// What the crate's modules bind, read from every file before any path is resolved, so that a
/// path through another module's `use` is followed to what it names: a re-export of the crate
/// root (`crate::Catalog`), a glob (`use crate::*;`, `use super::*;`), an alias, and
/// `extern crate self as x;` (in the crate root it puts `x` in every module's scope).
#[derive(Default)]
struct Table {
    /// Every module: the files, their `mod` items, the crate root and the table's modules.
    modules: BTreeSet<Vec<String>>,
    /// module -> name -> the path its `use` names, as written in that module.
    bindings: HashMap<Vec<String>, HashMap<String, Vec<String>>>,
    /// module -> the paths of its glob imports, as written in that module.
    globs: HashMap<Vec<String>, Vec<Vec<String>>>,
    /// Names the crate root's `extern crate self as x;` puts in scope everywhere.
    extern_prelude: HashMap<String, Vec<String>>,
    /// `macro_rules!` name -> the module that defines it.
    macros: HashMap<String, Vec<String>>,
    /// (module, name) -> what `lookup` found; a pair being looked up is `None` until it is
    /// known, so a cycle (`use Scan::*;` inside a function, two globs of each other) ends there.
    memo: RefCell<Memo>,
}

/// Files of the binary (`main.rs`, `cli/`) are read as the module `cli`: there `crate::` is the
/// binary's own, and the library is `frontline::`.
fn in_binary(module: &[String]) -> bool {
    module.first().is_some_and(|m| m == "cli")
}

impl Table {
    fn new() -> Self {
        let mut t = Table::default();
        t.modules.insert(Vec::new());
        for name in STAGES.iter().flat_map(|s| s.iter()) {
            t.modules.insert(vec![(*name).to_string()]);
        }
        t
    }

    /// Reads what one file (the module `module`) declares: modules, `use` names, globs.
    fn add(&mut self, module: &[String], file: &syn::File) {
        for i in 1..=module.len() {
            self.modules.insert(module[..i].to_vec());
        }
        let mut binder = Binder {
            table: self,
            module: module.to_vec(),
        };
        binder.visit_file(file);
    }

    /// The absolute path a path written in `module` names, through every `use` it passes; None
    /// when it does not start in the crate (std, a dependency, a local name).
    fn resolve(&self, module: &[String], segments: &[String], depth: usize) -> Option<Vec<String>> {
        if depth > DEPTH {
            return None;
        }
        let (first, mut rest) = segments.split_first()?;
        let binary = in_binary(module);
        let mut at = match first.as_str() {
            "crate" if binary => return None,
            "crate" => Vec::new(),
            "frontline" if binary => Vec::new(),
            "self" => module.to_vec(),
            "super" => {
                let mut m = module.to_vec();
                m.pop();
                m
            }
            name => self.lookup(module, name, depth + 1)?,
        };
        while let Some((s, tail)) = rest.split_first() {
            if s != "super" {
                break;
            }
            at.pop();
            rest = tail;
        }
        Some(self.follow(at, rest, depth + 1))
    }

    /// Walks `rest` down from `at`: into submodules, and through the names a module binds.
    fn follow(&self, mut at: Vec<String>, rest: &[String], depth: usize) -> Vec<String> {
        for (i, s) in rest.iter().enumerate() {
            let next = if self.modules.contains(&at) {
                self.lookup(&at, s, depth + 1)
            } else {
                None
            };
            match next {
                Some(next) => at = next,
                None => {
                    at.extend(rest[i..].iter().cloned());
                    break;
                }
            }
        }
        at
    }

    /// What `name` means inside `module`: a submodule, a name the module binds (`use`,
    /// `extern crate self as`), a name one of its globs brings in, or the extern prelude.
    fn lookup(&self, module: &[String], name: &str, depth: usize) -> Option<Vec<String>> {
        if depth > DEPTH {
            return None;
        }
        let key = (module.to_vec(), name.to_string());
        if let Some(known) = self.memo.borrow().get(&key) {
            return known.clone();
        }
        self.memo.borrow_mut().insert(key.clone(), None);
        let found = self.lookup_uncached(module, name, depth);
        self.memo.borrow_mut().insert(key, found.clone());
        found
    }

    fn lookup_uncached(&self, module: &[String], name: &str, depth: usize) -> Option<Vec<String>> {
        let mut sub = module.to_vec();
        sub.push(name.to_string());
        if self.modules.contains(&sub) && !in_binary(&sub) {
            return Some(sub);
        }
        if let Some(path) = self.bindings.get(module).and_then(|b| b.get(name)) {
            return self.resolve(module, path, depth + 1);
        }
        for glob in self.globs.get(module).into_iter().flatten() {
            let Some(from) = self.resolve(module, glob, depth + 1) else {
                continue;
            };
            if from != module
                && let Some(found) = self.lookup(&from, name, depth + 1)
            {
                return Some(found);
            }
        }
        if in_binary(module) {
            return None;
        }
        self.extern_prelude.get(name).cloned()
    }
}

/// Fills the table from one file, inline modules included.
struct Binder<'a> {
    table: &'a mut Table,
    module: Vec<String>,
}

impl<'ast> Visit<'ast> for Binder<'_> {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut out = Vec::new();
        use_paths(&u.tree, &mut Vec::new(), &mut out);
        for p in out {
            if p.glob {
                self.table.globs.entry(self.module.clone()).or_default().push(p.path);
                continue;
            }
            let name = match p.rename {
                Some(r) => r,
                None => match p.path.last() {
                    Some(last) if !matches!(last.as_str(), "crate" | "super" | "self") => last.clone(),
                    _ => continue,
                },
            };
            if name != "_" {
                self.table
                    .bindings
                    .entry(self.module.clone())
                    .or_default()
                    .insert(name, p.path);
            }
        }
    }

    fn visit_item_extern_crate(&mut self, e: &'ast syn::ItemExternCrate) {
        if e.ident != "self" {
            return;
        }
        let Some((_, rename)) = &e.rename else { return };
        let name = rename.to_string();
        if self.module.is_empty() {
            self.table.extern_prelude.insert(name.clone(), Vec::new());
        }
        self.table
            .bindings
            .entry(self.module.clone())
            .or_default()
            .insert(name, vec!["crate".to_string()]);
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.module.push(plain(&m.ident));
        self.table.modules.insert(self.module.clone());
        syn::visit::visit_item_mod(self, m);
        self.module.pop();
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        let Some(name) = m.ident.as_ref().map(plain) else {
            return;
        };
        self.table.macros.insert(name.clone(), self.module.clone());
        // `#[macro_export]` puts the macro at the crate root: `crate::name!` is the module's.
        if m.attrs.iter().any(|a| a.path().is_ident("macro_export")) {
            let mut path = vec!["crate".to_string()];
            path.extend(self.module.iter().cloned());
            path.push(name.clone());
            self.table.bindings.entry(Vec::new()).or_default().insert(name, path);
        }
    }
}

/// An identifier as the compiler names it: `r#query` is `query`.
fn plain(i: &proc_macro2::Ident) -> String {
    use syn::ext::IdentExt;
    i.unraw().to_string()
}

/// Collects the modules named by the paths of one file.
struct Reader<'a> {
    table: &'a Table,
    /// The module the code being read is in (the file's, plus inline `mod`s).
    module: Vec<String>,
    /// (line, absolute path) of every path into the crate.
    found: Vec<(usize, Vec<String>)>,
}

impl Reader<'_> {
    fn record(&mut self, line: usize, segments: &[String]) {
        let Some(abs) = self.table.resolve(&self.module, segments, 0) else {
            return;
        };
        // A one-segment path counts when it names an item inside a module (`Catalog` brought in
        // by `use crate::*;`); one that names a top-level module may be a local variable.
        if segments.len() > 1 || abs.len() > 1 {
            self.found.push((line, abs));
        }
    }
}

/// One path of a `use` tree.
struct UsePath {
    /// The line of its last segment.
    line: usize,
    path: Vec<String>,
    /// `as x`.
    rename: Option<String>,
    /// `path::*`.
    glob: bool,
}

/// Every path of a `use` tree.
fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<UsePath>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(plain(&p.ident));
            use_paths(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix.clone();
            let name = plain(&n.ident);
            // `use crate::a::{self, b}`: `self` is the group's own path.
            if name != "self" || path.is_empty() {
                path.push(name);
            }
            out.push(UsePath {
                line: n.ident.span().start().line,
                path,
                rename: None,
                glob: false,
            });
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            if r.ident != "self" || path.is_empty() {
                path.push(plain(&r.ident));
            }
            out.push(UsePath {
                line: r.ident.span().start().line,
                path,
                rename: Some(plain(&r.rename)),
                glob: false,
            });
        }
        syn::UseTree::Glob(g) => out.push(UsePath {
            line: g.star_token.spans[0].start().line,
            path: prefix.clone(),
            rename: None,
            glob: true,
        }),
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
                let mut path = vec![plain(id)];
                let mut j = i + 1;
                // `::` is two `:` puncts.
                while let (Some(Punct(a)), Some(Punct(b)), Some(Ident(next))) =
                    (tokens.get(j), tokens.get(j + 1), tokens.get(j + 2))
                {
                    if a.as_char() != ':' || b.as_char() != ':' {
                        break;
                    }
                    path.push(plain(next));
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

/// What a `#[path]` attribute is reported as (it is in no stage, so it is always refused).
const PATH_ATTRIBUTE: &str = "#[path] attribute";

/// (line, text) of every string literal in some tokens.
fn string_literals(tokens: proc_macro2::TokenStream, out: &mut Vec<(usize, String)>) {
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Group(g) => string_literals(g.stream(), out),
            proc_macro2::TokenTree::Literal(l) => {
                if let Ok(syn::Lit::Str(s)) = syn::parse_str::<syn::Lit>(&l.to_string()) {
                    out.push((l.span().start().line, s.value()));
                }
            }
            _ => {}
        }
    }
}

impl<'ast> Visit<'ast> for Reader<'_> {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut out = Vec::new();
        use_paths(&u.tree, &mut Vec::new(), &mut out);
        for p in out {
            self.record(p.line, &p.path);
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if m.attrs.iter().any(|a| a.path().is_ident("path")) {
            self.found
                .push((m.ident.span().start().line, vec![PATH_ATTRIBUTE.to_string()]));
        }
        self.module.push(plain(&m.ident));
        syn::visit::visit_item_mod(self, m);
        self.module.pop();
    }

    fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
        // Doc comments are prose; any other attribute's string that parses as a path with more
        // than one segment (serde's `with = "crate::x"`) is a path.
        if !a.path().is_ident("doc") {
            let mut strings = Vec::new();
            match &a.meta {
                syn::Meta::List(l) => string_literals(l.tokens.clone(), &mut strings),
                syn::Meta::NameValue(syn::MetaNameValue {
                    value:
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(v), ..
                        }),
                    ..
                }) => strings.push((v.span().start().line, v.value())),
                _ => {}
            }
            for (line, text) in strings {
                if let Ok(path) = syn::parse_str::<syn::Path>(&text) {
                    let segments: Vec<String> = path.segments.iter().map(|s| plain(&s.ident)).collect();
                    self.record(line, &segments);
                }
            }
        }
        syn::visit::visit_attribute(self, a);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| plain(&s.ident)).collect();
        let line = p.segments.first().map_or(0, |s| s.ident.span().start().line);
        self.record(line, &segments);
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // `name!()` in textual scope of a `macro_rules!` defined in another module.
        if let Some(name) = m.path.get_ident().map(plain)
            && let Some(defined) = self.table.macros.get(&name)
            && !defined.is_empty()
        {
            let mut abs = defined.clone();
            abs.push(name);
            self.found.push((m.path.segments[0].ident.span().start().line, abs));
        }
        let mut out = Vec::new();
        macro_paths(m.tokens.clone(), &mut out);
        for (line, path) in out {
            self.record(line, &path);
        }
        syn::visit::visit_macro(self, m);
    }
}

/// For each (module, source) given, every (line, top-level module named) of its source; all the
/// sources are read into one table first (a path may go through another file's `use`).
fn edges_of_sources(files: &[(Vec<String>, &str)]) -> Result<Vec<Vec<(usize, String)>>, String> {
    let parsed: Vec<syn::File> = files
        .iter()
        .map(|(m, s)| syn::parse_file(s).map_err(|e| format!("{m:?}: {e}")))
        .collect::<Result<_, _>>()?;
    let mut table = Table::new();
    for ((module, _), file) in files.iter().zip(&parsed) {
        table.add(module, file);
    }
    Ok(files
        .iter()
        .zip(&parsed)
        .map(|((module, _), file)| {
            let mut reader = Reader {
                table: &table,
                module: module.clone(),
                found: Vec::new(),
            };
            reader.visit_file(file);
            let mut out: Vec<(usize, String)> = reader
                .found
                .into_iter()
                .filter_map(|(line, abs)| abs.first().cloned().map(|top| (line, top)))
                .collect();
            out.sort();
            out.dedup();
            out
        })
        .collect())
}

/// Every (line, top-level module named) of one file's source, read alone.
fn edges_of_source(module: &[String], source: &str) -> Result<Vec<(usize, String)>, String> {
    Ok(edges_of_sources(&[(module.to_vec(), source)])?.remove(0))
}

/// Every (file, line number, from-module, to-module) edge between top-level modules in `src`.
fn edges(src: &Path) -> Vec<(String, usize, String, String)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .collect();
    // In the binary the module path is the binary's own: `crate::` is not the library.
    let modules: Vec<Vec<String>> = files
        .iter()
        .map(|f| {
            let path = module_path(src, f);
            if path.first().is_some_and(|p| p == "cli") {
                vec!["cli".to_string()]
            } else {
                path
            }
        })
        .collect();
    let sources: Vec<(Vec<String>, &str)> = modules.iter().cloned().zip(texts.iter().map(String::as_str)).collect();
    let found = edges_of_sources(&sources).unwrap_or_else(|e| panic!("{}: does not parse: {e}", src.display()));
    let mut out = Vec::new();
    for ((file, module), found) in files.iter().zip(&modules).zip(found) {
        // The crate root (`lib.rs`) is the module map: it names every module (its `use`s are
        // read into the table, so paths through its re-exports are followed).
        let Some(own) = module.first().cloned() else { continue };
        for (line, to) in found {
            // Names that are not modules of the crate (items of lib.rs, `self`, `*`).
            if to != PATH_ATTRIBUTE && (to == own || stage(&to).is_none()) {
                continue;
            }
            out.push((file.display().to_string(), line, own.clone(), to));
        }
    }
    out
}

/// The crate root (`lib.rs`) is the module map and has no stage of its own: it declares modules
/// and re-exports them, nothing else. Any other item there (a type alias, a function, a
/// constant, a struct, an impl...) would be a channel through which every module could reach
/// what that item names, past the stages (`pub type A = crate::catalog::Catalog;` used as
/// `crate::A` from `geodesy`), so each one is refused, as messages.
fn items_of_the_root(src: &Path) -> Vec<String> {
    let file = src.join("lib.rs");
    // A tree without a root (the reader's own fixtures) has no items there.
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Vec::new();
    };
    // A root that does not parse is reported by `edges`.
    let Ok(parsed) = syn::parse_file(&text) else {
        return Vec::new();
    };
    parsed
        .items
        .iter()
        .filter(|i| !matches!(i, syn::Item::Mod(_) | syn::Item::Use(_) | syn::Item::ExternCrate(_)))
        .map(|i| {
            format!(
                "{}:{}: the crate root defines an item; it may only declare and re-export modules (an item there would let any module reach what it names)",
                file.display(),
                item_line(i)
            )
        })
        .collect()
}

/// The line an item starts on, from the span of its name or keyword (syn is built here without
/// its `printing` feature, so items have no span of their own).
fn item_line(item: &syn::Item) -> usize {
    let span = match item {
        syn::Item::Const(i) => i.ident.span(),
        syn::Item::Enum(i) => i.ident.span(),
        syn::Item::Fn(i) => i.sig.ident.span(),
        syn::Item::Macro(i) => match i.mac.path.segments.first() {
            Some(s) => s.ident.span(),
            None => return 0,
        },
        syn::Item::Static(i) => i.ident.span(),
        syn::Item::Struct(i) => i.ident.span(),
        syn::Item::Trait(i) => i.ident.span(),
        syn::Item::TraitAlias(i) => i.ident.span(),
        syn::Item::Type(i) => i.ident.span(),
        syn::Item::Union(i) => i.ident.span(),
        syn::Item::Impl(i) => i.impl_token.span,
        syn::Item::ForeignMod(i) => i.abi.extern_token.span,
        _ => return 0,
    };
    span.start().line
}

/// The edges that reach up or sideways, and the items of the crate root, as messages.
fn back_edges(src: &Path) -> Vec<String> {
    let mut found = items_of_the_root(src);
    found.extend(edges(src)
        .into_iter()
        .filter_map(|(file, line, from, to)| {
            if to == PATH_ATTRIBUTE {
                return Some(format!(
                    "{file}:{line}: a module loaded with #[path]: every module's file lies where its path says"
                ));
            }
            let (Some(a), Some(b)) = (stage(&from), stage(&to)) else {
                return Some(format!("{file}:{line}: module `{from}` is in no stage of the table"));
            };
            (b >= a).then(|| {
                format!(
                    "{file}:{line}: `{from}` (stage {a}) uses `{to}` (stage {b}): a module may use only the stages before its own"
                )
            })
        }));
    found
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
    edges_of_source(&m, source)
        .unwrap()
        .into_iter()
        .filter(|(_, to)| *to == PATH_ATTRIBUTE || (*to != own && stage(to).is_some()))
        .collect()
}

#[test]
fn the_reader_sees_every_shape_of_a_back_edge() {
    // Raw identifiers are their plain names.
    assert_eq!(
        named(
            "catalog",
            "fn f() { crate::r#query::layers::x(); }\nuse crate::r#http::problem;\n"
        ),
        [(1, "query".into()), (2, "http".into())]
    );
    // A path written as a string in an attribute (serde's `with`, `serialize_with`, ...).
    assert_eq!(
        named(
            "model",
            "#[derive(Serialize)]\nstruct S {\n    #[serde(serialize_with = \"crate::output::provenance::ser\", default)]\n    a: u8,\n}\n"
        ),
        [(3, "output".into())]
    );
    // Doc strings are prose, not paths.
    assert_eq!(named("model", "#[doc = \"crate::query::x\"]\nfn f() {}\n"), []);
    // A module loaded from another file with #[path].
    assert_eq!(
        named("store", "#[path = \"../http/problem.rs\"]\nmod hp;\n"),
        [(2, PATH_ATTRIBUTE.into())]
    );
    // A macro of another module: through `$crate` at the crate root, and in textual scope.
    let up = "#[macro_export]\nmacro_rules! up_macro {\n    () => { $crate::query::layers::x() };\n}\nmacro_rules! local_up {\n    () => {};\n}\n";
    assert_eq!(
        named_with(
            &[
                ("query", up),
                ("catalog", "fn f() {\n    crate::up_macro!();\n    local_up!();\n}\n")
            ],
            "catalog"
        ),
        [(2, "query".into()), (3, "query".into())]
    );
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

/// The top-level modules other than its own that the file `which` names, read with the others.
fn named_with(files: &[(&str, &str)], which: &str) -> Vec<(usize, String)> {
    let sources: Vec<(Vec<String>, &str)> = files.iter().map(|(m, s)| (module(m), *s)).collect();
    let found = edges_of_sources(&sources).unwrap();
    let i = files.iter().position(|(m, _)| *m == which).unwrap();
    let own = module(which).first().cloned().unwrap_or_default();
    found[i]
        .iter()
        .filter(|(_, to)| *to != own && stage(to).is_some())
        .cloned()
        .collect()
}

/// The crate root of the made-up trees below: the real one's shape (modules, re-exports).
const LIB: &str = "pub mod catalog;\npub mod coverage;\npub mod query;\npub use catalog::{Catalog, CatalogError};\npub use model::Status;\n";

#[test]
fn the_reader_follows_globs() {
    // `use crate::*;` brings every top-level module and every re-export of the root.
    assert_eq!(
        named_with(
            &[
                ("", LIB),
                ("coverage", "use crate::*;\nfn f() {\n    query::point();\n}\n")
            ],
            "coverage"
        ),
        [(3, "query".into())]
    );
    assert_eq!(
        named_with(
            &[("", LIB), ("coverage", "use crate::*;\nfn f(c: &Catalog) {}\n")],
            "coverage"
        ),
        [(2, "catalog".into())]
    );
    // `use super::*;` from a top-level file is the same glob of the root.
    assert_eq!(
        named_with(
            &[
                ("", LIB),
                ("coverage", "use super::*;\nfn f() -> Option<Catalog> { None }\n")
            ],
            "coverage"
        ),
        [(2, "catalog".into())]
    );
    // `use super::*;` from a nested file brings what its parent's file binds...
    assert_eq!(
        named_with(
            &[
                ("", LIB),
                ("index", "pub mod line;\npub use crate::catalog::Catalog as C;\n"),
                ("index/line", "use super::*;\nfn f() {\n    C::load();\n}\n"),
            ],
            "index/line"
        ),
        [(3, "catalog".into())]
    );
    // ... and a glob of a module whose own glob reaches the root.
    assert_eq!(
        named_with(
            &[
                ("", LIB),
                ("index", "pub mod line;\npub use crate::*;\n"),
                ("index/line", "use super::*;\nfn f() { query::point(); }\n"),
            ],
            "index/line"
        ),
        [(2, "query".into())]
    );
    // From an inline module: `use super::*;` in `mod tests` sees the file's glob of the root.
    assert_eq!(
        named_with(
            &[
                ("", LIB),
                (
                    "coverage",
                    "use crate::*;\nmod tests {\n    use super::*;\n    fn f() { query::x(); }\n}\n"
                )
            ],
            "coverage"
        ),
        [(4, "query".into())]
    );
    // A local variable named like a module is not an edge; a glob of std is not the crate.
    assert_eq!(
        named_with(
            &[
                ("", LIB),
                (
                    "coverage",
                    "use crate::*;\nuse std::*;\nfn f(query: u8) -> u8 { query }\n"
                )
            ],
            "coverage"
        ),
        []
    );
}

#[test]
fn the_reader_follows_the_crate_roots_re_exports() {
    // `crate::Catalog` is `catalog::Catalog` through lib.rs's `pub use`: inline, in a `use`, in
    // a group with a rename, in a type, and in a macro's tokens.
    assert_eq!(
        named_with(
            &[("", LIB), ("coverage", "fn f() {\n    crate::Catalog::load();\n}\n")],
            "coverage"
        ),
        [(2, "catalog".into())]
    );
    assert_eq!(
        named_with(
            &[("", LIB), ("index", "use crate::{model::Status, CatalogError as E};\n")],
            "index"
        ),
        [(1, "catalog".into()), (1, "model".into())]
    );
    assert_eq!(
        named_with(
            &[("", LIB), ("model", "struct S {\n    c: Vec<crate::Catalog>,\n}\n")],
            "model"
        ),
        [(2, "catalog".into())]
    );
    assert_eq!(
        named_with(
            &[
                ("", LIB),
                (
                    "model",
                    "fn f() -> String {\n    format!(\"{:?}\", crate::CatalogError::X)\n}\n"
                )
            ],
            "model"
        ),
        [(2, "catalog".into())]
    );
    // A re-export of a re-export: the root re-exports a module's own re-export.
    assert_eq!(
        named_with(
            &[
                ("", "pub mod query;\npub use query::Answer;\n"),
                ("query", "pub mod point;\npub use self::point::Answer;\n"),
                ("index", "use crate::Answer;\n"),
            ],
            "index"
        ),
        [(1, "query".into())]
    );
    // A re-export of something lower is allowed.
    assert_eq!(
        named_with(&[("", LIB), ("coverage", "use crate::Status;\n")], "coverage"),
        [(1, "model".into())]
    );
}

#[test]
fn the_reader_follows_extern_crate_self() {
    // In the crate root it puts the name in every module's scope.
    assert_eq!(
        named_with(
            &[
                ("", "extern crate self as fl;\npub mod query;\n"),
                ("coverage", "fn f() {\n    fl::query::point();\n}\n"),
            ],
            "coverage"
        ),
        [(2, "query".into())]
    );
    assert_eq!(
        named_with(
            &[
                ("", "extern crate self as fl;\npub use catalog::Catalog;\n"),
                ("index", "use fl::Catalog;\n")
            ],
            "index"
        ),
        [(1, "catalog".into())]
    );
    // In a module it binds the name there.
    assert_eq!(
        named_with(
            &[("", LIB), ("model", "extern crate self as me;\nuse me::live::State;\n")],
            "model"
        ),
        [(2, "live".into())]
    );
}

#[test]
fn the_checker_fails_on_a_back_edge_of_every_shape() {
    // Each shape added to a copy-like tree (the real lib.rs, a lower module reaching up) is a
    // back-edge; the same tree without it has none.
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let shapes: &[(&str, &str)] = &[
        ("glob of the root", "use crate::*;\nfn f() { live::x(); }\n"),
        (
            "glob through super",
            "use super::*;\nfn f() -> Option<Catalog> { None }\n",
        ),
        ("re-export of the root", "fn f() { let _ = crate::Catalog::load; }\n"),
        ("re-export in a use", "use crate::CatalogError;\n"),
        (
            "extern crate self",
            "extern crate self as me;\nfn f() { me::http::x(); }\n",
        ),
        ("raw identifier", "fn f() { crate::r#query::x(); }\n"),
        (
            "path in an attribute's string",
            "#[derive(serde::Serialize)]\nstruct S {\n    #[serde(with = \"crate::http::x\")]\n    a: u8,\n}\n",
        ),
        ("#[path] module", "#[path = \"../http/problem.rs\"]\nmod hp;\n"),
    ];
    for (what, shape) in shapes {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lib.rs"), &lib).unwrap();
        std::fs::write(dir.path().join("coverage.rs"), "use crate::model::Status;\n").unwrap();
        assert_eq!(back_edges(dir.path()), Vec::<String>::new(), "{what}: clean tree");
        std::fs::write(
            dir.path().join("coverage.rs"),
            format!("use crate::model::Status;\n{shape}"),
        )
        .unwrap();
        let found = back_edges(dir.path());
        assert_eq!(found.len(), 1, "{what}: {found:#?}");
        assert!(
            found[0].contains("`coverage` (stage 2) uses") || found[0].contains("loaded with #[path]"),
            "{what}: {found:#?}"
        );
    }
    // An item of the crate root through which a lower module names a higher one: a type alias
    // (the fresh tester's evasion), a function, a constant. The alias is not followed as a
    // binding; the root may not define it at all.
    for (what, item, used) in [
        (
            "type alias",
            "pub type Alias = crate::catalog::Catalog;\n",
            "fn f(_c: Option<&crate::Alias>) {}\n",
        ),
        (
            "function",
            "pub fn up() { crate::query::x(); }\n",
            "fn f() { crate::up(); }\n",
        ),
        (
            "constant",
            "pub const N: usize = crate::query::N;\n",
            "fn f() -> usize { crate::N }\n",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lib.rs"), format!("{lib}{item}")).unwrap();
        std::fs::write(dir.path().join("coverage.rs"), used).unwrap();
        let found = back_edges(dir.path());
        assert!(
            found.iter().any(|m| m.contains("the crate root defines an item")),
            "{what}: {found:#?}"
        );
    }
    // A `#[macro_export]` macro of a higher module called from a lower one.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lib.rs"), &lib).unwrap();
    std::fs::create_dir_all(dir.path().join("query")).unwrap();
    std::fs::write(
        dir.path().join("query/mod.rs"),
        "#[macro_export]\nmacro_rules! up {\n    () => { $crate::query::x() };\n}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("coverage.rs"), "fn f() { crate::up!(); }\n").unwrap();
    let found = back_edges(dir.path());
    assert_eq!(found.len(), 1, "macro: {found:#?}");
    assert!(
        found[0].contains("`coverage` (stage 2) uses `query`"),
        "macro: {found:#?}"
    );
}
