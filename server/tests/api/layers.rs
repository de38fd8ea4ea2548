//! The shape of `app/src`, checked: no module depends on one that depends back
//! on it (directly or around a circle), the domain names no I/O crate and knows
//! nothing of the server, the server side never reaches up into the views, SQL
//! is written in the storage modules only, and a ticket's history and version
//! only in `TicketWork`.
//!
//! Dependencies are read from the source as the compiler would resolve names:
//! every `crate::…`, `super::…` and `self::…` path (in `use` lines and inline),
//! followed through `pub use` re-exports to the module that defines the item.
//! Test modules (`#[cfg(test)] mod tests`) are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module, as `crate::a::b`.
type Module = String;

struct Source {
    module: Module,
    /// Lines of code, comments and test modules removed, with their numbers.
    lines: Vec<(usize, String)>,
}

fn app_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src")
}

fn module_of(root: &Path, file: &Path) -> Module {
    let relative = file.strip_prefix(root).expect("under app/src");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    std::iter::once("crate".to_string())
        .chain(parts)
        .collect::<Vec<_>>()
        .join("::")
}

fn read_sources() -> Vec<Source> {
    let root = app_src();
    let mut files = Vec::new();
    let mut folders = vec![root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).expect("a source file");
            let end = text.find("#[cfg(test)]\nmod tests").unwrap_or(text.len());
            let lines = text[..end]
                .lines()
                .enumerate()
                .map(|(n, line)| (n + 1, strip_comment(line)))
                .collect();
            Source {
                module: module_of(&root, file),
                lines,
            }
        })
        .collect()
}

/// The line without a `//` comment (outside a string literal).
fn strip_comment(line: &str) -> String {
    let mut in_string = false;
    let mut previous = ' ';
    for (at, c) in line.char_indices() {
        if c == '"' && previous != '\\' {
            in_string = !in_string;
        }
        if !in_string && c == '/' && line[at + 1..].starts_with('/') {
            return line[..at].to_string();
        }
        previous = c;
    }
    line.to_string()
}

/// The `use` declarations of a source, joined over lines, and whether public.
fn use_declarations(source: &Source) -> Vec<(usize, bool, String)> {
    let mut found = Vec::new();
    let mut current: Option<(usize, bool, String)> = None;
    for (number, line) in &source.lines {
        let trimmed = line.trim();
        if let Some((_, _, text)) = current.as_mut() {
            text.push_str(trimmed);
        } else if let Some(rest) = trimmed.strip_prefix("pub use ") {
            current = Some((*number, true, rest.to_string()));
        } else if let Some(rest) = trimmed.strip_prefix("use ") {
            current = Some((*number, false, rest.to_string()));
        } else if let Some(rest) = trimmed.strip_prefix("pub(crate) use ") {
            current = Some((*number, true, rest.to_string()));
        }
        if current.as_ref().is_some_and(|(_, _, t)| t.ends_with(';')) {
            let (number, public, text) = current.take().expect("a declaration");
            found.push((number, public, text.trim_end_matches(';').to_string()));
        }
    }
    found
}

/// `a::{b, c::{d, e}}` as its leaf paths `a::b`, `a::c::d`, `a::c::e` (with an
/// `as` rename: the original path and the new name).
fn expand(tree: &str) -> Vec<(String, String)> {
    let tree: String = tree
        .chars()
        .filter(|c| !c.is_whitespace() || *c == ' ')
        .collect();
    let Some(open) = tree.find('{') else {
        let (path, alias) = match tree.split_once(" as ") {
            Some((path, alias)) => (path.trim(), alias.trim()),
            None => (tree.trim(), tree.trim().rsplit("::").next().unwrap_or("")),
        };
        return vec![(path.replace(' ', ""), alias.to_string())];
    };
    let prefix = tree[..open].trim().trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (at, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .flat_map(|part| {
            expand(part).into_iter().map(move |(path, alias)| {
                let joined = if path == "self" {
                    prefix.to_string()
                } else {
                    format!("{prefix}::{path}")
                };
                let alias = if alias == "self" {
                    prefix.rsplit("::").next().unwrap_or("").to_string()
                } else {
                    alias
                };
                (joined, alias)
            })
        })
        .collect()
}

/// Paths written inline (`crate::a::b(...)`, `super::x::Y`), outside `use` lines.
fn inline_paths(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(at) = line[from..].find(start) {
            let at = from + at;
            let before = line[..at].chars().last();
            let boundary = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':'));
            let end = line[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(line.len(), |e| at + e);
            if boundary {
                found.push(line[at..end].trim_end_matches(':').to_string());
            }
            from = end.max(at + start.len());
        }
    }
    found
}

/// `path` made absolute from `module` (`super`, `self`).
fn absolute(module: &str, is_mod_file: bool, path: &str) -> Option<String> {
    let mut segments: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = module.split("::").collect();
    let _ = is_mod_file;
    match segments.first().copied() {
        Some("crate") => return Some(path.to_string()),
        Some("self") => {
            segments.remove(0);
        }
        Some("super") => {
            while segments.first() == Some(&"super") {
                segments.remove(0);
                base.pop()?;
            }
        }
        _ => return None,
    }
    base.extend(segments);
    Some(base.join("::"))
}

struct Crate {
    modules: BTreeSet<Module>,
    /// (module, name) → the path it re-exports.
    reexports: BTreeMap<(Module, String), String>,
}

impl Crate {
    /// The module that defines what `path` names, through re-exports.
    fn defining_module(&self, path: &str, depth: usize) -> Option<Module> {
        if depth > 16 {
            return None;
        }
        let segments: Vec<&str> = path.split("::").collect();
        for cut in (1..=segments.len()).rev() {
            let module = segments[..cut].join("::");
            if !self.modules.contains(&module) {
                continue;
            }
            if cut == segments.len() {
                return Some(module);
            }
            let name = segments[cut].to_string();
            if let Some(target) = self.reexports.get(&(module.clone(), name)) {
                let rest = segments[cut + 1..].join("::");
                let next = if rest.is_empty() {
                    target.clone()
                } else {
                    format!("{target}::{rest}")
                };
                return self.defining_module(&next, depth + 1).or(Some(module));
            }
            return Some(module);
        }
        None
    }
}

/// Every dependency between modules: (from, to) → where it is written.
fn dependencies(sources: &[Source]) -> BTreeMap<(Module, Module), Vec<String>> {
    let mut krate = Crate {
        modules: sources.iter().map(|s| s.module.clone()).collect(),
        reexports: BTreeMap::new(),
    };
    let is_mod_file = |_: &Source| false;
    for source in sources {
        for (_, public, tree) in use_declarations(source) {
            if !public {
                continue;
            }
            for (path, alias) in expand(&tree) {
                if let Some(path) = absolute(&source.module, is_mod_file(source), &path) {
                    krate.reexports.insert((source.module.clone(), alias), path);
                } else if !path.starts_with("crate") {
                    // `pub use child::X` in a parent module.
                    let path = format!("{}::{path}", source.module);
                    krate.reexports.insert((source.module.clone(), alias), path);
                }
            }
        }
    }
    let mut edges: BTreeMap<(Module, Module), Vec<String>> = BTreeMap::new();
    for source in sources {
        let mut add = |path: String, line: usize| {
            if let Some(target) = krate.defining_module(&path, 0) {
                let own = &source.module;
                let inside = target == *own || own.starts_with(&format!("{target}::"));
                if !inside {
                    edges
                        .entry((own.clone(), target))
                        .or_default()
                        .push(format!("{own} line {line}: {path}"));
                }
            }
        };
        let declarations = use_declarations(source);
        let use_lines: BTreeSet<usize> = declarations.iter().map(|(n, _, _)| *n).collect();
        for (line, public, tree) in &declarations {
            if *public {
                continue;
            }
            for (path, _) in expand(tree) {
                let path = absolute(&source.module, false, &path).unwrap_or_else(|| {
                    // A child module declared here: `use child::X`.
                    format!("{}::{path}", source.module)
                });
                add(path, *line);
            }
        }
        for (number, line) in &source.lines {
            let trimmed = line.trim_start();
            if use_lines.contains(number)
                || trimmed.starts_with("use ")
                || trimmed.starts_with("pub use ")
            {
                continue;
            }
            for path in inline_paths(line) {
                if let Some(path) = absolute(&source.module, false, &path) {
                    add(path, *number);
                }
            }
        }
    }
    edges
}

/// The groups of modules that depend on each other around a circle (Tarjan).
fn cycles(edges: &BTreeMap<(Module, Module), Vec<String>>) -> Vec<Vec<Module>> {
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        graph.entry(from).or_default().push(to);
        graph.entry(to).or_default();
    }
    struct Walk<'a> {
        graph: &'a BTreeMap<&'a str, Vec<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<Module>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a str) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            self.on_stack.insert(node);
            for &next in &self.graph[node] {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut group = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    group.push(top.to_string());
                    if top == node {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    self.found.push(group);
                }
            }
        }
    }
    let mut walk = Walk {
        graph: &graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for &node in graph.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.found
}

#[test]
fn no_module_of_the_app_depends_on_one_that_depends_back_on_it() {
    let edges = dependencies(&read_sources());
    let circles = cycles(&edges);
    let report: Vec<String> = circles
        .iter()
        .map(|group| {
            let inside: Vec<String> = edges
                .iter()
                .filter(|((from, to), _)| group.contains(from) && group.contains(to))
                .map(|(_, places)| places[0].clone())
                .collect();
            format!("{}:\n    {}", group.join(" ↔ "), inside.join("\n    "))
        })
        .collect();
    assert!(
        circles.is_empty(),
        "{} import cycles:\n{}",
        circles.len(),
        report.join("\n")
    );
}

#[test]
fn the_domain_knows_nothing_of_the_server_and_the_server_nothing_of_the_views() {
    let edges = dependencies(&read_sources());
    let views = [
        "crate::accounts",
        "crate::agent",
        "crate::components",
        "crate::knowledge",
        "crate::notices",
        "crate::settings",
        "crate::tickets",
    ];
    let under =
        |module: &str, root: &str| module == root || module.starts_with(&format!("{root}::"));
    let wrong: Vec<&String> = edges
        .iter()
        .filter(|((from, to), _)| {
            (under(from, "crate::domain") && under(to, "crate::server"))
                || (under(from, "crate::server")
                    && (to == "crate" || views.iter().any(|v| under(to, v))))
        })
        .map(|(_, places)| &places[0])
        .collect();
    assert!(
        wrong.is_empty(),
        "dependencies pointing upwards: {wrong:#?}"
    );
}

/// Where each line of code containing `needle` is, as `module:line`.
fn places_of<'a>(sources: &'a [Source], needle: &'a str) -> impl Iterator<Item = String> + 'a {
    sources.iter().flat_map(move |source| {
        source
            .lines
            .iter()
            .filter(move |(_, line)| line.contains(needle))
            .map(move |(number, _)| format!("{}:{number}", source.module))
    })
}

#[test]
fn sql_is_written_in_the_store_and_a_tickets_history_in_ticket_work_alone() {
    let sources = read_sources();
    let outside_store: Vec<String> = ["sqlx::query", "query_as", "query_scalar", "QueryBuilder"]
        .iter()
        .flat_map(|needle| places_of(&sources, needle))
        .filter(|place| !place.starts_with("crate::server::store"))
        .collect();
    assert!(
        outside_store.is_empty(),
        "SQL outside app/src/server/store: {outside_store:#?}"
    );
    for needle in ["INSERT INTO ticket_events", "version = version + 1"] {
        let places: Vec<String> = places_of(&sources, needle).collect();
        assert!(
            places.len() == 1 && places[0].starts_with("crate::server::store::tickets::work:"),
            "{needle:?} must be written once, in TicketWork: {places:#?}"
        );
    }
}

#[test]
fn the_domain_names_no_io_crate() {
    let sources: Vec<Source> = read_sources()
        .into_iter()
        .filter(|source| source.module.starts_with("crate::domain"))
        .collect();
    let io: Vec<String> = ["sqlx", "tokio", "axum", "std::fs", "std::net", "tantivy"]
        .iter()
        .flat_map(|needle| places_of(&sources, needle))
        .collect();
    assert!(io.is_empty(), "I/O in the domain: {io:#?}");
}

#[test]
fn the_reader_of_dependencies_resolves_re_exports_and_relative_paths() {
    assert_eq!(
        expand("crate::domain::{a, b::{c, d as e}, self}"),
        [
            ("crate::domain::a".to_string(), "a".to_string()),
            ("crate::domain::b::c".to_string(), "c".to_string()),
            ("crate::domain::b::d".to_string(), "e".to_string()),
            ("crate::domain".to_string(), "domain".to_string()),
        ]
    );
    assert_eq!(
        absolute("crate::server::web::page", false, "super::state::AppState").as_deref(),
        Some("crate::server::web::state::AppState")
    );
    assert_eq!(
        inline_paths("let x = crate::server::tickets::create(&db, super::hub::X);"),
        ["crate::server::tickets::create", "super::hub::X"]
    );
    // A circle a → b → a is found; a → c is not one.
    let mut edges = BTreeMap::new();
    for (from, to) in [("a", "b"), ("b", "a"), ("a", "c")] {
        edges.insert((from.to_string(), to.to_string()), vec![String::new()]);
    }
    assert_eq!(cycles(&edges), [vec!["a".to_string(), "b".to_string()]]);
}
