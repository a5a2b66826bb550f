//! Matching model names across files.
//!
//! Benchmark results arrive with model names written many ways
//! (`meta-llama/Llama-2-7b-chat-hf`, `llama-2-7b-chat`, `Llama_2_7B_Chat`).
//! A [`Matcher`] holds the reference names (the models of a matrix) and an
//! optional alias table, and resolves a name in three steps:
//!
//! 1. **exact**: the name is a reference name, byte for byte (after trimming);
//! 2. **alias**: the name is a `from` entry of the alias table whose `to` is a
//!    reference name (an explicit statement by the user, so it wins over
//!    normalisation: an alias is how a user overrides or disambiguates it);
//! 3. **normalised**: both names agree after the rules of [`Rule`] (case, an
//!    `org/` prefix, a `-hf` suffix, the separators `_ - . space`, which also
//!    makes `v0.1` equal `v0_1`).
//!
//! Nothing is ever matched by similarity: a name whose normalised form fits
//! several reference names is [`MatchOutcome::Ambiguous`] and lists them, and
//! a name that fits none is [`MatchOutcome::Unmatched`] (with "did you mean"
//! suggestions that are only shown, never used). Callers list every match
//! that was not exact, so a user sees each decision made for them.
//!
//! [`Matcher::match_all`] resolves a whole list and also catches collisions:
//! two input names that resolve to the same reference model. An exact match
//! wins such a collision; otherwise none of the colliding names is used.

use crate::load::LoadError;
use crate::matrix::closest_names;
use crate::records::csv_reader;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// One normalisation rule, named in reports of non-exact matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// An `org/` prefix was ignored (`meta-llama/Llama-2-7b` → `Llama-2-7b`).
    OrgPrefix,
    /// Letter case was ignored.
    Case,
    /// The separators `_ - . space` were treated as equal (`v0.1` = `v0_1`).
    Separators,
    /// A trailing `-hf` (Hugging Face conversion) was ignored.
    HfSuffix,
}

impl Rule {
    /// All rules, in the order they are applied.
    pub const ALL: [Rule; 4] = [
        Rule::OrgPrefix,
        Rule::Case,
        Rule::Separators,
        Rule::HfSuffix,
    ];

    /// Short human description.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::OrgPrefix => "org/ prefix",
            Rule::Case => "case",
            Rule::Separators => "separators",
            Rule::HfSuffix => "-hf suffix",
        }
    }
}

/// How one name was resolved against the reference names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MatchOutcome {
    /// The name is a reference name.
    Exact {
        /// The reference name (equal to the input, trimmed).
        target: String,
    },
    /// The name equals a reference name after normalisation.
    Normalised {
        /// The reference name.
        target: String,
        /// The rules the match needed.
        rules: Vec<Rule>,
    },
    /// The alias table maps the name to a reference name.
    Alias {
        /// The reference name.
        target: String,
    },
    /// The normalised name fits several reference names; none is chosen.
    Ambiguous {
        /// Every reference name it fits, in reference order.
        candidates: Vec<String>,
    },
    /// The name fits no reference name.
    Unmatched {
        /// Closest reference names, for the message only (never used).
        suggestions: Vec<String>,
    },
}

impl MatchOutcome {
    /// The reference name matched, if any.
    pub fn target(&self) -> Option<&str> {
        match self {
            MatchOutcome::Exact { target }
            | MatchOutcome::Normalised { target, .. }
            | MatchOutcome::Alias { target } => Some(target),
            MatchOutcome::Ambiguous { .. } | MatchOutcome::Unmatched { .. } => None,
        }
    }

    /// Whether the match was exact.
    pub fn is_exact(&self) -> bool {
        matches!(self, MatchOutcome::Exact { .. })
    }

    /// One line for people, e.g. `→ Llama-2-7b-chat-hf (org/ prefix, case)`.
    pub fn describe(&self) -> String {
        match self {
            MatchOutcome::Exact { target } => format!("→ {target} (exact)"),
            MatchOutcome::Normalised { target, rules } => format!(
                "→ {target} ({})",
                rules
                    .iter()
                    .map(|r| r.describe())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            MatchOutcome::Alias { target } => format!("→ {target} (alias)"),
            MatchOutcome::Ambiguous { candidates } => {
                format!("ambiguous: could be {}", candidates.join(", "))
            }
            MatchOutcome::Unmatched { suggestions } if suggestions.is_empty() => {
                "no match".to_string()
            }
            MatchOutcome::Unmatched { suggestions } => {
                format!("no match (closest: {})", suggestions.join(", "))
            }
        }
    }
}

/// An explicit alias table: `from` name → reference `to` name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AliasTable {
    /// `(from, to)` pairs in file order.
    pub entries: Vec<(String, String)>,
}

impl AliasTable {
    /// Load a `from,to` CSV (the header row `from,to` is optional).
    pub fn load(path: &Path) -> Result<AliasTable, LoadError> {
        let bytes = crate::load::read_whole(path)?;
        AliasTable::parse(&bytes, &path.display().to_string())
    }

    /// Parse a `from,to` CSV held in memory; `source` names it in errors.
    pub fn parse(bytes: &[u8], source: &str) -> Result<AliasTable, LoadError> {
        let at = |line: u64, message: String| LoadError::AtLine {
            path: source.to_string(),
            line,
            message,
        };
        let mut reader = csv_reader(bytes);
        let mut table = AliasTable::default();
        let mut seen: HashMap<String, u64> = HashMap::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                at(line, format!("not valid UTF-8 CSV: {e}"))
            })?;
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            if record.len() == 1 && record[0].trim().is_empty() {
                continue;
            }
            if record.len() != 2 {
                return Err(at(
                    line,
                    format!(
                        "expected 2 fields (from,to: a name and the matrix's name for it), found {}",
                        record.len()
                    ),
                ));
            }
            let (from, to) = (record[0].trim(), record[1].trim());
            if i == 0 && from == "from" && to == "to" {
                continue;
            }
            if from.is_empty() || to.is_empty() {
                return Err(at(line, "expected two non-empty names (from,to)".into()));
            }
            if let Some(first) = seen.insert(from.to_string(), line) {
                return Err(at(
                    line,
                    format!("alias for '{from}' given twice (first on line {first})"),
                ));
            }
            table.entries.push((from.to_string(), to.to_string()));
        }
        Ok(table)
    }
}

/// Resolves names against a fixed list of reference names.
#[derive(Debug, Clone)]
pub struct Matcher {
    reference: Vec<String>,
    exact: HashMap<String, usize>,
    normalised: HashMap<String, Vec<usize>>,
    aliases: HashMap<String, usize>,
    normalised_aliases: HashMap<String, Vec<usize>>,
    unusable_aliases: Vec<(String, String)>,
}

/// The result of matching a list of names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameMatch {
    /// The name as given (trimmed).
    pub name: String,
    /// How it was resolved.
    pub outcome: MatchOutcome,
    /// Another input name took the same reference model, so this one is not
    /// used (see [`Matcher::match_all`]); names the winner, or `None` when
    /// every colliding name was set aside.
    pub collision: Option<Collision>,
}

/// Why a resolved name was set aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Collision {
    /// The other input names resolving to the same reference model.
    pub with: Vec<String>,
    /// The input name used for that model, if one matched it exactly.
    pub used: Option<String>,
}

impl NameMatch {
    /// One line on how the name was matched and whether it is used, e.g.
    /// `→ Llama-2-7b-chat-hf (org/ prefix)` or `ambiguous: could be A, B; not
    /// used (add an alias to choose)`.
    pub fn describe(&self) -> String {
        let mut s = self.outcome.describe();
        if let Some(c) = &self.collision {
            match &c.used {
                Some(u) => s.push_str(&format!("; not used: '{u}' matches it exactly")),
                None => s.push_str(&format!(
                    "; not used: {} match(es) the same model",
                    c.with.join(", ")
                )),
            }
        }
        if matches!(self.outcome, MatchOutcome::Ambiguous { .. }) {
            s.push_str("; not used (add an alias to choose)");
        }
        s
    }

    /// The reference name this input supplies, if it is used.
    pub fn used_target(&self) -> Option<&str> {
        if self.collision.is_some() {
            None
        } else {
            self.outcome.target()
        }
    }
}

impl Matcher {
    /// A matcher over `reference` names with an optional alias table. Aliases
    /// whose `to` is not a reference name are kept aside (an alias file may
    /// serve several matrices); see [`Matcher::unusable_aliases`].
    pub fn new<S: AsRef<str>>(reference: &[S], aliases: Option<&AliasTable>) -> Matcher {
        let reference: Vec<String> = reference.iter().map(|s| s.as_ref().to_string()).collect();
        let mut exact = HashMap::new();
        let mut normalised: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, name) in reference.iter().enumerate() {
            exact.entry(nfc(name.trim())).or_insert(i);
            normalised.entry(normalise(name)).or_default().push(i);
        }
        let mut alias_map = HashMap::new();
        let mut normalised_aliases: HashMap<String, Vec<usize>> = HashMap::new();
        let mut unusable_aliases = Vec::new();
        for (from, to) in aliases.map_or(&[][..], |a| a.entries.as_slice()) {
            match exact.get(&nfc(to.trim())) {
                Some(&i) => {
                    alias_map.insert(nfc(from.trim()), i);
                    let slot = normalised_aliases.entry(normalise(from)).or_default();
                    if !slot.contains(&i) {
                        slot.push(i);
                    }
                }
                None => unusable_aliases.push((from.clone(), to.clone())),
            }
        }
        Matcher {
            reference,
            exact,
            normalised,
            aliases: alias_map,
            normalised_aliases,
            unusable_aliases,
        }
    }

    /// The reference names, in the order given.
    pub fn reference(&self) -> &[String] {
        &self.reference
    }

    /// Alias entries whose `to` is not among the reference names.
    pub fn unusable_aliases(&self) -> &[(String, String)] {
        &self.unusable_aliases
    }

    /// Resolve one name.
    pub fn match_name(&self, name: &str) -> MatchOutcome {
        // Canonically equivalent spellings (NFC and NFD, e.g. a precomposed
        // é and e + combining accent) are the same name.
        let composed = nfc(name.trim());
        let name = composed.as_str();
        if let Some(&i) = self.exact.get(name) {
            return MatchOutcome::Exact {
                target: self.reference[i].clone(),
            };
        }
        let key = normalise(name);
        let by_alias = self
            .aliases
            .get(name)
            .map(|&i| vec![i])
            .or_else(|| self.normalised_aliases.get(&key).cloned());
        match by_alias.as_deref() {
            Some([i]) => {
                return MatchOutcome::Alias {
                    target: self.reference[*i].clone(),
                };
            }
            Some(many) if many.len() > 1 => {
                return MatchOutcome::Ambiguous {
                    candidates: many.iter().map(|&i| self.reference[i].clone()).collect(),
                };
            }
            _ => {}
        }
        match self.normalised.get(&key).map(Vec::as_slice) {
            Some([i]) => {
                let target = self.reference[*i].clone();
                MatchOutcome::Normalised {
                    rules: rules_needed(name, &target),
                    target,
                }
            }
            Some(many) if many.len() > 1 => MatchOutcome::Ambiguous {
                candidates: many.iter().map(|&i| self.reference[i].clone()).collect(),
            },
            _ => MatchOutcome::Unmatched {
                suggestions: closest_names(name, self.reference.iter().map(String::as_str), 3),
            },
        }
    }

    /// Resolve a list of names, setting aside collisions: when several names
    /// resolve to one reference model, an exact match among them is used and
    /// the others set aside; with no exact match, none of them is used.
    pub fn match_all<S: AsRef<str>>(&self, names: &[S]) -> Vec<NameMatch> {
        let mut matches: Vec<NameMatch> = names
            .iter()
            .map(|n| NameMatch {
                name: n.as_ref().trim().to_string(),
                outcome: self.match_name(n.as_ref()),
                collision: None,
            })
            .collect();
        let mut by_target: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, m) in matches.iter().enumerate() {
            if let Some(t) = m.outcome.target() {
                by_target.entry(t.to_string()).or_default().push(i);
            }
        }
        for group in by_target.values().filter(|g| g.len() > 1) {
            let used = group
                .iter()
                .copied()
                .find(|&i| matches[i].outcome.is_exact());
            let used_name = used.map(|i| matches[i].name.clone());
            for &i in group {
                if Some(i) == used {
                    continue;
                }
                let with = group
                    .iter()
                    .filter(|&&j| j != i)
                    .map(|&j| matches[j].name.clone())
                    .collect();
                matches[i].collision = Some(Collision {
                    with,
                    used: used_name.clone(),
                });
            }
        }
        matches
    }
}

/// The normalised key of a name: every rule applied.
pub fn normalise(name: &str) -> String {
    normalise_with(name, &Rule::ALL)
}

/// `s` in Unicode Normalization Form C (the one rule for ids).
fn nfc(s: &str) -> String {
    crate::records::id_key(s)
}

/// Apply only the given rules (in the fixed order of [`Rule::ALL`]), to the
/// NFC form of the name.
fn normalise_with(name: &str, rules: &[Rule]) -> String {
    let composed = nfc(name);
    let mut s = composed.trim();
    if rules.contains(&Rule::OrgPrefix)
        && let Some((_, rest)) = s.rsplit_once('/')
        && !rest.trim().is_empty()
    {
        s = rest.trim();
    }
    let mut out = if rules.contains(&Rule::Case) {
        s.to_lowercase()
    } else {
        s.to_string()
    };
    if rules.contains(&Rule::Separators) {
        let mut unified = String::with_capacity(out.len());
        for c in out.chars() {
            if matches!(c, '_' | '-' | '.' | ' ') {
                if !unified.ends_with('-') {
                    unified.push('-');
                }
            } else {
                unified.push(c);
            }
        }
        out = unified;
    }
    if rules.contains(&Rule::HfSuffix) {
        // Case-insensitive so that this rule stays independent of `Case`.
        let n = out.len();
        if n > 3 && out.is_char_boundary(n - 3) && out[n - 3..].eq_ignore_ascii_case("-hf") {
            out.truncate(n - 3);
        }
    }
    out
}

/// The rules a normalised match needed: those without which the two names
/// would differ. (If no single rule is necessary, every rule that changed
/// either name is listed.)
fn rules_needed(a: &str, b: &str) -> Vec<Rule> {
    let without =
        |skip: Rule| -> Vec<Rule> { Rule::ALL.iter().copied().filter(|&r| r != skip).collect() };
    let needed: Vec<Rule> = Rule::ALL
        .iter()
        .copied()
        .filter(|&r| normalise_with(a, &without(r)) != normalise_with(b, &without(r)))
        .collect();
    if !needed.is_empty() {
        return needed;
    }
    Rule::ALL
        .iter()
        .copied()
        .filter(|&r| normalise_with(a, &[r]) != a.trim() || normalise_with(b, &[r]) != b.trim())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: [&str; 5] = [
        "Llama-2-7b-chat-hf",
        "Mistral-7B-Instruct-v0.2",
        "Qwen1.5-7B-Chat",
        "gemma-1.1-2b-it",
        "Yi-6B-Chat",
    ];

    fn matcher() -> Matcher {
        Matcher::new(&REFERENCE, None)
    }

    fn normalised(target: &str, rules: &[Rule]) -> MatchOutcome {
        MatchOutcome::Normalised {
            target: target.into(),
            rules: rules.to_vec(),
        }
    }

    #[test]
    fn exact_first() {
        assert_eq!(
            matcher().match_name(" Yi-6B-Chat "),
            MatchOutcome::Exact {
                target: "Yi-6B-Chat".into()
            }
        );
    }

    #[test]
    fn each_rule_alone_and_reported() {
        let m = matcher();
        assert_eq!(
            m.match_name("meta-llama/Llama-2-7b-chat-hf"),
            normalised("Llama-2-7b-chat-hf", &[Rule::OrgPrefix])
        );
        assert_eq!(
            m.match_name("yi-6b-chat"),
            normalised("Yi-6B-Chat", &[Rule::Case])
        );
        assert_eq!(
            m.match_name("Mistral-7B-Instruct-v0_2"),
            normalised("Mistral-7B-Instruct-v0.2", &[Rule::Separators])
        );
        assert_eq!(
            m.match_name("Llama-2-7b-chat"),
            normalised("Llama-2-7b-chat-hf", &[Rule::HfSuffix])
        );
    }

    #[test]
    fn rules_combine() {
        assert_eq!(
            matcher().match_name("Qwen/QWEN1_5 7b chat"),
            normalised(
                "Qwen1.5-7B-Chat",
                &[Rule::OrgPrefix, Rule::Case, Rule::Separators]
            )
        );
        assert_eq!(
            matcher().match_name("google/Gemma_1.1_2B_IT-HF"),
            normalised(
                "gemma-1.1-2b-it",
                &[
                    Rule::OrgPrefix,
                    Rule::Case,
                    Rule::Separators,
                    Rule::HfSuffix
                ]
            )
        );
    }

    #[test]
    fn ambiguous_is_reported_with_candidates_never_guessed() {
        let m = Matcher::new(&["Foo-7B", "foo_7b", "Bar"], None);
        assert_eq!(
            m.match_name("FOO 7B"),
            MatchOutcome::Ambiguous {
                candidates: vec!["Foo-7B".into(), "foo_7b".into()]
            }
        );
        // An exact name still resolves.
        assert!(m.match_name("foo_7b").is_exact());
    }

    #[test]
    fn unmatched_is_reported_with_suggestions_only() {
        let outcome = matcher().match_name("Llama-3-8B");
        match &outcome {
            MatchOutcome::Unmatched { suggestions } => assert!(!suggestions.is_empty()),
            other => panic!("{other:?}"),
        }
        assert_eq!(outcome.target(), None);
        // Similar but not equal under the rules: no silent fuzzy match.
        assert_eq!(matcher().match_name("Llama2-7b-chat").target(), None);
        assert_eq!(matcher().match_name("Yi-6B-Chat-v2").target(), None);
    }

    #[test]
    fn aliases_resolve_and_disambiguate() {
        let table = AliasTable::parse(
            b"from,to\nmy-yi,Yi-6B-Chat\nFOO 7B,foo_7b\nghost,Not-In-Reference\n",
            "aliases.csv",
        )
        .unwrap();
        let m = Matcher::new(&["Foo-7B", "foo_7b", "Yi-6B-Chat"], Some(&table));
        assert_eq!(
            m.match_name("my-yi"),
            MatchOutcome::Alias {
                target: "Yi-6B-Chat".into()
            }
        );
        // The alias's `from` is also matched after normalisation.
        assert_eq!(m.match_name("MY_YI").target(), Some("Yi-6B-Chat"));
        assert_eq!(m.match_name("FOO 7B").target(), Some("foo_7b"));
        assert_eq!(
            m.unusable_aliases(),
            &[("ghost".to_string(), "Not-In-Reference".to_string())]
        );
    }

    #[test]
    fn alias_file_errors_name_the_line() {
        let e = AliasTable::parse(b"a,b\nc\n", "al.csv").unwrap_err();
        assert!(
            e.to_string().starts_with("al.csv:2: expected 2 fields"),
            "{e}"
        );
        let e = AliasTable::parse(b"a,b\na,c\n", "al.csv").unwrap_err();
        assert!(
            e.to_string()
                .contains("al.csv:2: alias for 'a' given twice"),
            "{e}"
        );
    }

    #[test]
    fn collisions_prefer_exact_else_use_none() {
        let m = matcher();
        let got = m.match_all(&[
            "Yi-6B-Chat",
            "yi-6b-chat",
            "gemma_1.1_2b_it",
            "GEMMA-1.1-2B-IT",
        ]);
        assert_eq!(got[0].used_target(), Some("Yi-6B-Chat"));
        assert_eq!(got[1].used_target(), None);
        assert_eq!(
            got[1].collision.as_ref().unwrap().used.as_deref(),
            Some("Yi-6B-Chat")
        );
        assert_eq!(got[2].used_target(), None);
        assert_eq!(got[3].used_target(), None);
        assert_eq!(got[3].collision.as_ref().unwrap().used, None);
        assert!(
            got[1]
                .describe()
                .ends_with("; not used: 'Yi-6B-Chat' matches it exactly"),
            "{}",
            got[1].describe()
        );
    }

    #[test]
    fn canonically_equivalent_names_match_exactly() {
        let m = Matcher::new(&["Caf\u{e9}-7b"], None);
        // e + combining acute accent (NFD) is the same name as é (NFC).
        match m.match_name("Cafe\u{301}-7b") {
            MatchOutcome::Exact { target } => assert_eq!(target, "Caf\u{e9}-7b"),
            other => panic!("{other:?}"),
        }
        assert_eq!(normalise("CAFE\u{301}"), normalise("caf\u{e9}"));
    }

    #[test]
    fn normalise_examples() {
        assert_eq!(normalise("org/Model_v0.1-HF"), "model-v0-1");
        assert_eq!(normalise("a  b"), "a-b");
        assert_eq!(normalise("x/"), "x/");
    }
}
