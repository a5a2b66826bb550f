//! The module graph: every import points down, and nothing imports back.
//!
//! Reads the sources of the library (crates/safetywashing/src) and of the
//! CLI (src), collects each module's `crate::…`, `super::…` and `self::…`
//! references (comments, strings and `#[cfg(test)]` code left out), and
//! fails on
//! - a top-level module missing from the declared layer order, or one that
//!   imports a module of a higher layer;
//! - a cycle among the modules of one parent (top-level modules, or the
//!   submodules of one module, such as `output::text` and
//!   `output::uncertainty`). A parent re-exporting its children, and a
//!   child using its parent's items, are not edges.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The library's layers, lowest first: a module may import its own layer
/// and those below, never one above. A new top-level module must be placed
/// here (and in the list in lib.rs's documentation).
const LIBRARY_LAYERS: &[&[&str]] = &[
    &[
        "escape", "numbers", "words", "atomic", "matrix", "records", "verdict", "memory", "random",
        "interval",
    ],
    &["load"],
    &[
        "names",
        "stats",
        "linalg",
        "calibration",
        "validate",
        "merge",
        "data",
        "suite",
    ],
    &["paired", "capabilities"],
    &["analysis", "add", "import"],
    &["simulate", "evaluate"],
    &["uncertainty"],
    &["check"],
    &["output"],
    &["score"],
    &["plot"],
    &["report"],
];

/// The CLI's layers: each command's code and flags, then the parser that
/// puts them together and dispatches.
const CLI_LAYERS: &[&[&str]] = &[&["errors"], &["commands"], &["cli"]];

type Module = Vec<String>;

/// Source text without comments, string/char literals and `#[cfg(test)]`
/// code (which by this project's convention ends a file).
fn code_only(source: &str) -> String {
    let source = match source.find("\n#[cfg(test)]") {
        Some(i) => &source[..i],
        None => source,
    };
    let b = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &source[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            i += rest.find("*/").map_or(rest.len(), |e| e + 2);
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") {
            let hashes = rest[1..].bytes().take_while(|&c| c == b'#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let body = 2 + hashes;
            i += rest[body..]
                .find(&close)
                .map_or(rest.len(), |e| body + e + close.len());
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' {
            // A char literal ('x', '\n', '"'), or a lifetime ('a).
            let mut chars = rest[1..].chars();
            let len = match (chars.next(), chars.next()) {
                (Some('\\'), _) => rest.get(3..).and_then(|r| r.find('\'')).map(|e| e + 4),
                (Some(c), Some('\'')) => Some(1 + c.len_utf8() + 1),
                _ => None,
            };
            match len {
                Some(n) => i += n,
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The module paths a path expression starting at `s` (just after
/// `crate::`, `super::` or `self::`) names, as lists of identifiers; a
/// brace group names several.
fn paths_from(s: &str) -> Vec<Vec<String>> {
    let s = s.trim_start();
    if let Some(group) = s.strip_prefix('{') {
        let mut depth = 0;
        let mut items = Vec::new();
        let mut start = 0;
        for (k, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    items.push(&group[start..k]);
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(&group[start..k]);
                    start = k + 1;
                }
                _ => {}
            }
        }
        return items.into_iter().flat_map(paths_from).collect();
    }
    let first = ident_at(s);
    if first.is_empty() || first == "self" {
        return vec![Vec::new()];
    }
    let mut path = vec![first.to_string()];
    let mut rest = &s[first.len()..];
    while let Some(r) = rest.strip_prefix("::") {
        if r.starts_with('{') {
            // Every path of a `{a, b::c}` group, not only the first.
            let tails = paths_from(r);
            if !tails.is_empty() {
                return tails
                    .into_iter()
                    .map(|tail| {
                        let mut p = path.clone();
                        p.extend(tail);
                        p
                    })
                    .collect();
            }
        }
        let next = ident_at(r);
        if next.is_empty() {
            break;
        }
        path.push(next.to_string());
        rest = &r[next.len()..];
    }
    vec![path]
}

/// Every module `code` of module `me` refers to (the longest known prefix
/// of each path).
fn references(me: &Module, code: &str, known: &BTreeSet<Module>) -> BTreeSet<Module> {
    let mut found = BTreeSet::new();
    for (anchor, base) in [
        ("crate::", Vec::new()),
        ("super::", me[..me.len().saturating_sub(1)].to_vec()),
        ("self::", me.clone()),
    ] {
        let mut from = 0;
        while let Some(k) = code[from..].find(anchor) {
            let at = from + k;
            from = at + anchor.len();
            let before = code[..at].chars().next_back().unwrap_or(' ');
            if before.is_alphanumeric() || before == '_' || (before == ':' && anchor != "crate::") {
                continue;
            }
            for tail in paths_from(&code[from..]) {
                let mut full = base.clone();
                full.extend(tail);
                let module = (0..=full.len())
                    .rev()
                    .map(|n| full[..n].to_vec())
                    .find(|p| known.contains(p))
                    .unwrap_or_default();
                found.insert(module);
            }
        }
    }
    found
}

/// Module path of a source file relative to the crate's `src`.
fn module_of(relative: &Path) -> Module {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" && stem != "lib" && stem != "main" {
            parts.push(stem.to_string());
        }
    }
    parts
}

fn read_crate(src: &Path) -> BTreeMap<Module, String> {
    fn walk(dir: &Path, src: &Path, out: &mut BTreeMap<Module, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, src, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                let module = module_of(p.strip_prefix(src).unwrap());
                out.entry(module).or_default().push_str(&code_only(&text));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, src, &mut out);
    out
}

/// Edges between sibling modules (children of one parent): `from → to`.
type Edges = BTreeSet<(Module, Module)>;

fn sibling_edges(files: &BTreeMap<Module, String>) -> Edges {
    let known: BTreeSet<Module> = files.keys().cloned().collect();
    let mut edges = Edges::new();
    for (me, code) in files {
        for target in references(me, code, &known) {
            let common = me.iter().zip(&target).take_while(|(a, b)| a == b).count();
            // One is the other's ancestor: a parent's re-export or a
            // child's use of its parent, not a dependency between layers.
            if common == me.len() || common == target.len() {
                continue;
            }
            edges.insert((me[..=common].to_vec(), target[..=common].to_vec()));
        }
    }
    edges
}

/// Every violation: unplaced modules, upward imports, cycles.
fn violations(files: &BTreeMap<Module, String>, layers: &[&[&str]]) -> Vec<String> {
    let edges = sibling_edges(files);
    let rank = |m: &str| layers.iter().position(|l| l.contains(&m));
    let mut problems = Vec::new();
    for top in files.keys().filter(|m| m.len() == 1) {
        if rank(&top[0]).is_none() {
            problems.push(format!(
                "module '{}' is in no declared layer: place it in tests/layers.rs",
                top[0]
            ));
        }
    }
    for (from, to) in &edges {
        if let ([a], [b]) = (from.as_slice(), to.as_slice())
            && let (Some(ra), Some(rb)) = (rank(a), rank(b))
            && rb > ra
        {
            problems.push(format!(
                "upward import: {a} (layer {ra}) uses {b} (layer {rb})"
            ));
        }
    }
    // Cycles: depth-first search over the sibling edges.
    let mut next: BTreeMap<&Module, Vec<&Module>> = BTreeMap::new();
    for (from, to) in &edges {
        next.entry(from).or_default().push(to);
    }
    fn visit<'a>(
        m: &'a Module,
        next: &BTreeMap<&'a Module, Vec<&'a Module>>,
        stack: &mut Vec<&'a Module>,
        done: &mut BTreeSet<&'a Module>,
        problems: &mut Vec<String>,
    ) {
        if let Some(at) = stack.iter().position(|s| *s == m) {
            let cycle: Vec<String> = stack[at..]
                .iter()
                .chain([&m])
                .map(|p| p.join("::"))
                .collect();
            problems.push(format!("import cycle: {}", cycle.join(" → ")));
            return;
        }
        if !done.insert(m) {
            return;
        }
        stack.push(m);
        for n in next.get(m).into_iter().flatten() {
            visit(n, next, stack, done, problems);
        }
        stack.pop();
    }
    let mut done = BTreeSet::new();
    for m in next.keys() {
        visit(m, &next, &mut Vec::new(), &mut done, &mut problems);
    }
    problems
}

fn check_crate(src: &Path, layers: &[&[&str]], min_edges: usize) {
    let files = read_crate(src);
    let edges = sibling_edges(&files);
    assert!(
        edges.len() >= min_edges,
        "{}: only {} import edges found; is the parser reading the sources?",
        src.display(),
        edges.len()
    );
    let problems = violations(&files, layers);
    assert!(
        problems.is_empty(),
        "{}:\n{}",
        src.display(),
        problems.join("\n")
    );
}

#[test]
fn library_imports_point_down_without_cycles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    check_crate(&root.join("crates/safetywashing/src"), LIBRARY_LAYERS, 40);
}

#[test]
fn cli_imports_point_down_without_cycles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    check_crate(&root.join("src"), CLI_LAYERS, 10);
}

/// The checker itself finds what it must (so the tests above cannot pass
/// by reading nothing).
#[test]
fn the_checker_finds_cycles_and_upward_imports() {
    let file = |m: &[&str], code: &str| {
        (
            m.iter().map(|s| s.to_string()).collect::<Module>(),
            code_only(code),
        )
    };
    let files: BTreeMap<Module, String> = [
        file(&["low"], "use crate::high::Thing;\n"),
        file(&["high"], "use crate::low::{self, Other};\n"),
        file(&["high", "a"], "use super::b::X; // crate::low\n"),
        file(
            &["high", "b"],
            "fn f() { super::a::y(); let s = \"crate::nowhere\"; }\n",
        ),
        file(
            &["high", "c"],
            "use super::Parent;\n#[cfg(test)]\nmod tests { use super::super::a::Z; }\n",
        ),
    ]
    .into_iter()
    .collect();
    let problems = violations(&files, &[&["low"], &["high"]]);
    let text = problems.join("\n");
    assert!(
        text.contains("upward import: low (layer 0) uses high (layer 1)"),
        "{text}"
    );
    assert!(
        text.contains("import cycle: high → low → high")
            || text.contains("import cycle: low → high → low"),
        "{text}"
    );
    assert!(
        text.contains("import cycle: high::a → high::b → high::a"),
        "{text}"
    );
    assert!(
        !text.contains("nowhere") && !text.contains("high::c"),
        "{text}"
    );
    let clean: BTreeMap<Module, String> = [
        file(&["low"], "pub struct Other;\n"),
        file(&["high"], "pub use self::a::X; use crate::low::Other;\n"),
        file(&["high", "a"], "use super::Parent; use crate::low;\n"),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        violations(&clean, &[&["low"], &["high"]]),
        Vec::<String>::new()
    );
}
