//! Suppressions, applied after the rules ran, by byte range:
//!
//! - `#pragma warning disable ASYNC101, ASYNC102` … `#pragma warning restore ASYNC101`; no
//!   ID disables (or restores) every rule. As in C#, a finding is hidden when the last
//!   `disable`/`restore` before it that names its rule (or no rule) is a `disable`.
//! - `// asynclint-disable-next-line ASYNC101` (IDs or names; none = every rule): findings
//!   that start on the next line.
//! - `[SuppressMessage("asynclint", "ASYNC101")]` / `[SuppressMessage("Usage",
//!   "ASYNC101:Title")]` (also `SuppressMessageAttribute`, namespace-qualified): findings
//!   inside the member, type or parameter the attribute is on. The category is not checked,
//!   as the C# compiler does not check it.
//! - `<NoWarn>` of the project: the whole project.
//!
//! Pragmas and comments are found by a small lexer over the text (strings, verbatim and raw
//! strings and block comments are skipped, so a `#pragma` inside a string is not one;
//! CRLF is fine); attributes need the tree. A suppression that names a rule that ran and
//! hides nothing is reported as ASYNC001 unused-suppression, with a fix that removes it.

use crate::diagnostic::{
    Applicability, Diagnostic, Edit, Fix, Severity, Suppressed, SuppressionKind,
};
use crate::rules::suppression::unused_suppression::RULE as UNUSED;
use crate::rules::{Rule, ALL};
use crate::syntax::{Field, SyntaxKind, SyntaxTree};
use std::ops::Range;

/// Whether the text may hold a suppression (cheap; decides whether to look further).
pub(crate) fn may_suppress(source: &str) -> bool {
    let b = source.as_bytes();
    ["pragma", "asynclint-disable", "SuppressMessage"]
        .iter()
        .any(|t| memchr::memmem::find(b, t.as_bytes()).is_some())
}

/// Whether a tree is needed to see the suppressions of this text.
pub(crate) fn needs_tree(source: &str) -> bool {
    memchr::memmem::find(source.as_bytes(), b"SuppressMessage").is_some()
}

/// A rule ID a suppression names.
#[derive(Debug)]
struct IdRef {
    /// The asynclint rule, `None` for other tools' IDs (`CS4014`, `CA2007`).
    rule: Option<&'static str>,
    range: Range<usize>,
    used: bool,
}

#[derive(Debug)]
enum Scope {
    /// From the directive on, until a `restore` (pragmas).
    Pragma { disable: bool },
    /// Findings starting in this range.
    Range(Range<usize>),
}

#[derive(Debug)]
struct Suppression {
    kind: SuppressionKind,
    scope: Scope,
    /// The suppression's own text.
    origin: Range<usize>,
    /// What to delete to remove the whole suppression (its line, or the trailing comment).
    removal: Option<Range<usize>>,
    /// Empty: every rule.
    ids: Vec<IdRef>,
    used_all: bool,
}

impl Suppression {
    fn names(&self, rule: &str) -> Option<usize> {
        self.ids.iter().position(|i| i.rule == Some(rule))
    }
    fn covers(&self, rule: &str) -> bool {
        self.ids.is_empty() || self.names(rule).is_some()
    }
    fn mark(&mut self, rule: &str) {
        match self.names(rule) {
            Some(i) => self.ids[i].used = true,
            None => self.used_all = true,
        }
    }
}

/// Splits the findings into kept and suppressed, and adds an ASYNC001 finding for each
/// suppression that hides nothing (when ASYNC001 is among the rules that ran, and
/// `report_unused` — the file parsed without errors, so the rules saw all of it).
pub(crate) fn apply(
    source: &str,
    tree: Option<&SyntaxTree>,
    diagnostics: Vec<Diagnostic>,
    ran: &[(&'static Rule, Severity)],
    no_warn: &[String],
    report_unused: bool,
) -> (Vec<Diagnostic>, Vec<Suppressed>) {
    let mut sups = scan_text(source);
    if let Some(tree) = tree {
        sups.extend(scan_attributes(tree));
    }
    sups.sort_by_key(|s| s.origin.start);
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for d in diagnostics {
        match check(&mut sups, &d, no_warn, true) {
            Some((kind, by)) => suppressed.push(Suppressed {
                diagnostic: d,
                kind,
                by,
            }),
            None => kept.push(d),
        }
    }
    let unused_sev = ran.iter().find(|(r, _)| r.id == UNUSED.id).map(|(_, s)| *s);
    if let (Some(severity), true) = (unused_sev, report_unused) {
        let ran_ids: Vec<&str> = ran.iter().map(|(r, _)| r.id).collect();
        let unused = unused_findings(&sups, &ran_ids, severity);
        for d in unused {
            // Only a suppression that names ASYNC001 (or `<NoWarn>`) hides these.
            match check(&mut sups, &d, no_warn, false) {
                Some((kind, by)) => suppressed.push(Suppressed {
                    diagnostic: d,
                    kind,
                    by,
                }),
                None => kept.push(d),
            }
        }
    }
    (kept, suppressed)
}

/// The suppression that hides `d`, if any (every one that covers it is marked used; the
/// most local one is returned). `all_ok`: whether suppressions naming no rule count.
fn check(
    sups: &mut [Suppression],
    d: &Diagnostic,
    no_warn: &[String],
    all_ok: bool,
) -> Option<(SuppressionKind, Range<usize>)> {
    let at = d.range.start;
    let mut found: Vec<(SuppressionKind, Range<usize>)> = Vec::new();
    // The last pragma before the finding that names its rule decides.
    let last_pragma = sups.iter().rposition(|s| {
        matches!(s.scope, Scope::Pragma { .. })
            && s.origin.end <= at
            && if all_ok {
                s.covers(d.rule)
            } else {
                s.names(d.rule).is_some()
            }
    });
    if let Some(i) = last_pragma {
        if matches!(sups[i].scope, Scope::Pragma { disable: true }) {
            sups[i].mark(d.rule);
            found.push((sups[i].kind, sups[i].origin.clone()));
        }
    }
    for s in sups.iter_mut() {
        let Scope::Range(r) = &s.scope else { continue };
        let applies = r.contains(&at)
            && if all_ok {
                s.covers(d.rule)
            } else {
                s.names(d.rule).is_some()
            };
        if applies {
            s.mark(d.rule);
            found.push((s.kind, s.origin.clone()));
        }
    }
    if no_warn.iter().any(|w| w.eq_ignore_ascii_case(d.rule)) {
        found.push((SuppressionKind::NoWarn, 0..0));
    }
    // The most local first: a comment, then a pragma, then an attribute, then the project.
    found.into_iter().min_by_key(|(k, _)| match k {
        SuppressionKind::Comment => 0,
        SuppressionKind::Pragma => 1,
        SuppressionKind::SuppressMessage => 2,
        SuppressionKind::NoWarn => 3,
    })
}

fn unused_findings(sups: &[Suppression], ran: &[&str], severity: Severity) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let finding = |range: Range<usize>, message: String, fix: Option<Fix>| Diagnostic {
        rule: UNUSED.id,
        name: UNUSED.name,
        severity,
        range,
        message,
        help: None,
        fix,
    };
    for s in sups {
        if matches!(s.scope, Scope::Pragma { disable: false }) {
            continue;
        }
        if s.ids.is_empty() {
            // A bare `#pragma warning disable` is meant for the compiler's warnings too.
            if s.kind == SuppressionKind::Comment && !s.used_all {
                out.push(finding(
                    s.origin.clone(),
                    "unused suppression: `asynclint-disable-next-line` hides no finding on the next line".into(),
                    s.removal.clone().map(|r| remove_fix(r, "Remove the unused suppression")),
                ));
            }
            continue;
        }
        let unused: Vec<usize> = (0..s.ids.len())
            .filter(|&i| {
                let id = &s.ids[i];
                !id.used && id.rule.is_some_and(|r| r != UNUSED.id && ran.contains(&r))
            })
            .collect();
        for &i in &unused {
            let id = &s.ids[i];
            let rule = id.rule.unwrap_or_default();
            let name = Rule::find(rule).map(|r| r.name).unwrap_or("");
            let whole = unused.len() == s.ids.len();
            let fix = if whole {
                s.removal
                    .clone()
                    .map(|r| remove_fix(r, "Remove the unused suppression"))
            } else if s.kind != SuppressionKind::SuppressMessage {
                // Remove the ID and the separator next to it.
                let r = if i > 0 {
                    s.ids[i - 1].range.end..id.range.end
                } else {
                    id.range.start..s.ids[1].range.start
                };
                Some(remove_fix(
                    r,
                    &format!("Remove `{rule}` from the suppression"),
                ))
            } else {
                None
            };
            let mut d = finding(
                id.range.clone(),
                format!("unused suppression: `{rule}` ({name}) reports nothing here"),
                fix,
            );
            if s.kind == SuppressionKind::SuppressMessage {
                d.help = Some("Remove the `SuppressMessage` attribute.".into());
            }
            out.push(d);
        }
    }
    out
}

fn remove_fix(range: Range<usize>, message: &str) -> Fix {
    Fix {
        message: message.to_owned(),
        applicability: Applicability::Safe,
        edits: vec![Edit::replace(range, "")],
    }
}

/// The rule a pragma or comment word names: an ID, or (`names`) a rule name.
fn rule_named(word: &str, names: bool) -> Option<&'static str> {
    ALL.iter()
        .find(|r| r.id.eq_ignore_ascii_case(word) || (names && r.name.eq_ignore_ascii_case(word)))
        .map(|r| r.id)
}

fn line_end(b: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &b[from..])
        .map(|i| from + i)
        .unwrap_or(b.len())
}

fn line_start(b: &[u8], at: usize) -> usize {
    memchr::memrchr(b'\n', &b[..at]).map(|i| i + 1).unwrap_or(0)
}

/// `at..eol` without a trailing `\r`.
fn trim_cr(b: &[u8], at: usize, eol: usize) -> usize {
    if eol > at && b[eol - 1] == b'\r' {
        eol - 1
    } else {
        eol
    }
}

/// Pragmas and `asynclint-disable-next-line` comments, found by a lexer that skips
/// strings, characters and block comments.
fn scan_text(src: &str) -> Vec<Suppression> {
    let b = src.as_bytes();
    let n = b.len();
    let mut out = Vec::new();
    let mut i = 0;
    let mut at_line_start = true;
    while i < n {
        let c = b[i];
        if at_line_start {
            if matches!(c, b' ' | b'\t' | b'\r' | b'\x0c') {
                i += 1;
                continue;
            }
            at_line_start = false;
            if c == b'#' {
                let eol = line_end(b, i);
                out.extend(parse_pragma(src, i, eol));
                i = eol;
                continue;
            }
        }
        match c {
            b'\n' => {
                at_line_start = true;
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let eol = line_end(b, i);
                out.extend(parse_comment(src, i, eol));
                i = eol;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&b[i + 2..], b"*/")
                    .map(|j| i + 2 + j + 2)
                    .unwrap_or(n);
            }
            b'"' => i = skip_string(b, i),
            b'\'' => i = skip_char(b, i),
            _ => i += 1,
        }
    }
    out
}

/// The end of the string literal starting at the quote at `i`.
fn skip_string(b: &[u8], i: usize) -> usize {
    let n = b.len();
    let verbatim = (i >= 1 && b[i - 1] == b'@') || (i >= 2 && b[i - 1] == b'$' && b[i - 2] == b'@');
    if verbatim {
        let mut j = i + 1;
        while j < n {
            if b[j] == b'"' {
                if b.get(j + 1) == Some(&b'"') {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            j += 1;
        }
        return n;
    }
    let quotes = b[i..].iter().take_while(|&&c| c == b'"').count();
    if quotes >= 3 {
        // A raw string literal: it ends at the next run of as many quotes.
        let closing = vec![b'"'; quotes];
        return memchr::memmem::find(&b[i + quotes..], &closing)
            .map(|j| i + quotes + j + quotes)
            .unwrap_or(n);
    }
    if quotes == 2 {
        return i + 2;
    }
    let mut j = i + 1;
    while j < n {
        match b[j] {
            b'\\' if b.get(j + 1) != Some(&b'\n') => j += 2,
            b'"' => return j + 1,
            b'\n' => return j,
            _ => j += 1,
        }
    }
    n
}

/// The end of the character literal starting at `i` (`'a'`, `'\''`, `'\u0041'`).
fn skip_char(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if b.get(j) == Some(&b'\\') {
        j += 2;
    } else {
        j += 1;
    }
    let limit = (i + 12).min(b.len());
    while j < limit {
        match b[j] {
            b'\'' => return j + 1,
            b'\n' => break,
            _ => j += 1,
        }
    }
    i + 1
}

/// Words of `text` (starting at absolute offset `base`), split at whitespace and the
/// given separators, with their absolute ranges.
fn words<'s>(text: &'s str, base: usize, seps: &[char]) -> Vec<(&'s str, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let sep = c.is_whitespace() || seps.contains(&c);
        match (start, sep) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                out.push((&text[s..i], base + s..base + i));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// `#pragma warning disable|restore [ID, …] [// comment]` on the line `at..eol`.
fn parse_pragma(src: &str, at: usize, eol: usize) -> Option<Suppression> {
    let b = src.as_bytes();
    let end = trim_cr(b, at, eol);
    let line = &src[at + 1..end];
    let body_len = line.find("//").unwrap_or(line.len());
    let body = &line[..body_len];
    let mut ws = words(body, at + 1, &[]);
    if ws.len() < 3 || ws[0].0 != "pragma" || ws[1].0 != "warning" {
        return None;
    }
    let disable = match ws[2].0 {
        "disable" => true,
        "restore" => false,
        _ => return None,
    };
    let ids_start = ws[2].1.end;
    ws.clear();
    let ids = words(&src[ids_start..at + 1 + body_len], ids_start, &[','])
        .into_iter()
        .map(|(w, range)| IdRef {
            rule: rule_named(w, false),
            range,
            used: false,
        })
        .collect();
    let ls = line_start(b, at);
    Some(Suppression {
        kind: SuppressionKind::Pragma,
        scope: Scope::Pragma { disable },
        origin: at..end,
        removal: Some(ls..(eol + 1).min(b.len())),
        ids,
        used_all: false,
    })
}

const DISABLE_NEXT_LINE: &str = "asynclint-disable-next-line";

/// `// asynclint-disable-next-line [ID|name, …] [-- why]` at `at..eol`.
fn parse_comment(src: &str, at: usize, eol: usize) -> Option<Suppression> {
    let b = src.as_bytes();
    let end = trim_cr(b, at, eol);
    let text = &src[at..end];
    let inner = text.trim_start_matches('/');
    let lead = text.len() - inner.len() + (inner.len() - inner.trim_start().len());
    let inner = inner.trim_start();
    let rest = inner.strip_prefix(DISABLE_NEXT_LINE)?;
    if rest
        .chars()
        .next()
        .is_some_and(|c| !(c.is_whitespace() || c == ',' || c == ':'))
    {
        return None;
    }
    let rest_at = at + lead + DISABLE_NEXT_LINE.len();
    let mut ids = Vec::new();
    for (w, range) in words(rest, rest_at, &[',', ':']) {
        if let Some(rule) = rule_named(w, true) {
            ids.push(IdRef {
                rule: Some(rule),
                range,
                used: false,
            });
        } else if w.len() > 5 && w[..5].eq_ignore_ascii_case("ASYNC") {
            ids.push(IdRef {
                rule: None,
                range,
                used: false,
            });
        } else {
            break; // `-- why` or free text
        }
    }
    let next_start = (eol + 1).min(b.len());
    let next_end = if next_start < b.len() {
        (line_end(b, next_start) + 1).min(b.len())
    } else {
        next_start
    };
    let ls = line_start(b, at);
    let alone = src[ls..at].trim().is_empty();
    let removal = if alone {
        ls..(eol + 1).min(b.len())
    } else {
        ls + src[ls..at].trim_end().len()..end
    };
    Some(Suppression {
        kind: SuppressionKind::Comment,
        scope: Scope::Range(next_start..next_end),
        origin: at..end,
        removal: Some(removal),
        ids,
        used_all: false,
    })
}

/// `[SuppressMessage("category", "ASYNC101[:title]")]` on declarations.
fn scan_attributes(tree: &SyntaxTree) -> Vec<Suppression> {
    let src = tree.source();
    let mut out = Vec::new();
    for node in tree.iter() {
        if !node.is(SyntaxKind::Attribute) {
            continue;
        }
        let Some(name) = node.child_by_field(Field::Name) else {
            continue;
        };
        let name_text: String = name.text().chars().filter(|c| !c.is_whitespace()).collect();
        let name_text = name_text.trim_start_matches("global::");
        let qualifier_ok = match name_text.rsplit_once('.') {
            Some((q, _)) => q == "System.Diagnostics.CodeAnalysis",
            None => true,
        };
        let simple = name_text.rsplit('.').next().unwrap_or("");
        if !qualifier_ok || !matches!(simple, "SuppressMessage" | "SuppressMessageAttribute") {
            continue;
        }
        let Some(list) = node.parent().filter(|p| p.is(SyntaxKind::AttributeList)) else {
            continue;
        };
        // `[assembly: SuppressMessage(..)]` in GlobalSuppressions.cs needs the whole
        // compilation's symbols; not supported.
        let target = list.text().trim_start_matches('[').trim_start();
        if target.starts_with("assembly") || target.starts_with("module") {
            continue;
        }
        let Some(decl) = list.parent() else { continue };
        let Some((_, id_lit, id_text)) = two_string_args(src, name.end(), node.end()) else {
            continue;
        };
        let id = id_text.split(':').next().unwrap_or("").trim();
        let rule = rule_named(id, true);
        if rule.is_none() && !(id.len() > 5 && id[..5].eq_ignore_ascii_case("ASYNC")) {
            continue; // another analyzer's ID
        }
        out.push(Suppression {
            kind: SuppressionKind::SuppressMessage,
            scope: Scope::Range(decl.range()),
            origin: node.range(),
            removal: None,
            ids: vec![IdRef {
                rule,
                range: id_lit,
                used: false,
            }],
            used_all: false,
        });
    }
    out
}

/// The first two positional arguments of an attribute when both are string literals:
/// the first literal's range, the second's range and its contents.
fn two_string_args(
    src: &str,
    from: usize,
    to: usize,
) -> Option<(Range<usize>, Range<usize>, &str)> {
    let b = src.as_bytes();
    let skip_ws = |mut i: usize| {
        while i < to && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let literal = |i: usize| -> Option<(Range<usize>, Range<usize>)> {
        let (open, verbatim) = match b.get(i)? {
            b'"' => (i, false),
            b'@' if b.get(i + 1) == Some(&b'"') => (i + 1, true),
            _ => return None,
        };
        let mut j = open + 1;
        while j < to {
            match b[j] {
                b'\\' if !verbatim => j += 2,
                b'"' if verbatim && b.get(j + 1) == Some(&b'"') => j += 2,
                b'"' => return Some((i..j + 1, open + 1..j)),
                _ => j += 1,
            }
        }
        None
    };
    let mut i = skip_ws(from);
    if b.get(i) != Some(&b'(') {
        return None;
    }
    i = skip_ws(i + 1);
    let (first, _) = literal(i)?;
    i = skip_ws(first.end);
    if b.get(i) != Some(&b',') {
        return None;
    }
    i = skip_ws(i + 1);
    let (second, inner) = literal(i)?;
    Some((first, second, &src[inner]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{lint_source, Settings};
    use crate::project::ProjectInfo;

    fn diag(rule: &'static str, at: usize) -> Diagnostic {
        Diagnostic {
            rule,
            name: "",
            severity: Severity::Warning,
            range: at..at + 1,
            message: String::new(),
            help: None,
            fix: None,
        }
    }

    fn ran() -> Vec<(&'static Rule, Severity)> {
        ALL.iter().map(|r| (*r, Severity::Warning)).collect()
    }

    fn run(src: &str, at: &[(&'static str, &str)]) -> (Vec<Diagnostic>, Vec<Suppressed>) {
        let ds = at
            .iter()
            .map(|(rule, needle)| diag(rule, src.find(needle).expect(needle)))
            .collect();
        let tree = crate::syntax::parse(src);
        apply(src, Some(&tree), ds, &ran(), &[], true)
    }

    fn kept_rules(ds: &[Diagnostic]) -> Vec<&str> {
        ds.iter().map(|d| d.rule).collect()
    }

    #[test]
    fn pragmas_disable_and_restore_by_id_and_all() {
        let src = "class C {\r\n#pragma warning disable ASYNC101, CS4014 // legacy\r\n void A() { x1(); }\r\n#pragma warning restore ASYNC101\r\n void B() { x2(); }\r\n#pragma warning disable\r\n void D() { x3(); x4(); }\r\n#pragma warning restore ASYNC201\r\n void E() { x5(); }\r\n}\r\n";
        let (kept, sup) = run(
            src,
            &[
                ("ASYNC101", "x1"),
                ("ASYNC101", "x2"),
                ("ASYNC101", "x3"),
                ("ASYNC201", "x4"),
                ("ASYNC201", "x5"),
                ("ASYNC101", "x5"),
            ],
        );
        assert_eq!(kept_rules(&kept), vec!["ASYNC101", "ASYNC201"], "{kept:#?}");
        assert_eq!(kept[0].range.start, src.find("x2").unwrap());
        assert_eq!(kept[1].range.start, src.find("x5").unwrap());
        assert_eq!(sup.len(), 4);
        assert!(sup.iter().all(|s| s.kind == SuppressionKind::Pragma));
    }

    #[test]
    fn pragma_in_a_string_or_comment_is_not_one() {
        let src = "class C {\n string s = @\"\n#pragma warning disable ASYNC101\n\";\n /*\n#pragma warning disable ASYNC101\n */\n string r = \"\"\"\n#pragma warning disable ASYNC101\n\"\"\";\n void A() { x1(); }\n}\n";
        let (kept, sup) = run(src, &[("ASYNC101", "x1")]);
        assert_eq!(kept.len(), 1);
        assert!(sup.is_empty());
    }

    #[test]
    fn next_line_comments() {
        let src = "class C {\n  // asynclint-disable-next-line ASYNC101, async-void -- legacy\n  void A() { x1(); x2(); x3(); }\n  void B() { x4(); } // asynclint-disable-next-line\n  void D() { x5(); }\n  void E() { x6(); }\n}\n";
        let (kept, sup) = run(
            src,
            &[
                ("ASYNC101", "x1"),
                ("ASYNC201", "x2"),
                ("ASYNC102", "x3"),
                ("ASYNC101", "x4"),
                ("ASYNC203", "x5"),
                ("ASYNC101", "x6"),
            ],
        );
        let kept_at: Vec<usize> = kept.iter().map(|d| d.range.start).collect();
        assert_eq!(
            kept_at,
            vec![
                src.find("x3").unwrap(),
                src.find("x4").unwrap(),
                src.find("x6").unwrap()
            ]
        );
        assert_eq!(sup.len(), 3);
        assert!(sup.iter().all(|s| s.kind == SuppressionKind::Comment));
    }

    #[test]
    fn suppress_message_on_members_and_types() {
        let src = r#"using System.Diagnostics.CodeAnalysis;
[assembly: SuppressMessage("asynclint", "ASYNC203")]
class C {
    [SuppressMessage("asynclint", "ASYNC101")]
    void A() { x1(); x2(); }
    [System.Diagnostics.CodeAnalysis.SuppressMessageAttribute("Usage", "ASYNC201:Async void", Justification = "event")]
    void B() { x3(); }
    void D() { x4(); }
}
[SuppressMessage("Reliability", "CA2007"), SuppressMessage("asynclint", "blocking-wait")]
class E { void F() { x5(); } }
"#;
        let (kept, sup) = run(
            src,
            &[
                ("ASYNC101", "x1"),
                ("ASYNC102", "x2"),
                ("ASYNC201", "x3"),
                ("ASYNC101", "x4"),
                ("ASYNC101", "x5"),
            ],
        );
        let kept_at: Vec<usize> = kept
            .iter()
            .filter(|d| d.rule != UNUSED.id)
            .map(|d| d.range.start)
            .collect();
        assert_eq!(
            kept_at,
            vec![src.find("x2").unwrap(), src.find("x4").unwrap()]
        );
        assert_eq!(sup.len(), 3);
        assert!(sup
            .iter()
            .all(|s| s.kind == SuppressionKind::SuppressMessage));
    }

    #[test]
    fn unused_suppressions_are_reported_with_a_fix() {
        let src = "class C {\n#pragma warning disable ASYNC101, ASYNC102, CS4014\n  void A() { x1(); }\n  // asynclint-disable-next-line ASYNC201\n  void B() { }\n  // asynclint-disable-next-line\n  void D() { }\n#pragma warning disable\n}\n";
        let (kept, _) = run(src, &[("ASYNC101", "x1")]);
        let unused: Vec<&Diagnostic> = kept.iter().filter(|d| d.rule == UNUSED.id).collect();
        assert_eq!(unused.len(), 3, "{unused:#?}");
        assert_eq!(&src[unused[0].range.clone()], "ASYNC102");
        let fixed = crate::fix::apply_edits(src, &unused[0].fix.as_ref().unwrap().edits).unwrap();
        assert!(fixed.contains("disable ASYNC101, CS4014\n"), "{fixed}");
        assert_eq!(&src[unused[1].range.clone()], "ASYNC201");
        let fixed = crate::fix::apply_edits(src, &unused[1].fix.as_ref().unwrap().edits).unwrap();
        assert!(!fixed.contains("ASYNC201"), "{fixed}");
        assert!(fixed.contains("\n  void B() { }\n"), "{fixed}");
        assert!(unused[2].message.contains("next line"));
    }

    #[test]
    fn unused_only_for_rules_that_ran() {
        let src = "class C {\n#pragma warning disable ASYNC101\n}\n";
        let tree = crate::syntax::parse(src);
        let only_unused: Vec<(&'static Rule, Severity)> = vec![(&UNUSED, Severity::Info)];
        let (kept, _) = apply(src, Some(&tree), vec![], &only_unused, &[], true);
        assert!(kept.is_empty(), "ASYNC101 did not run: {kept:#?}");
        let (kept, _) = apply(src, Some(&tree), vec![], &ran(), &[], true);
        assert_eq!(kept.len(), 1);
        let (kept, _) = apply(src, Some(&tree), vec![], &ran(), &[], false);
        assert!(kept.is_empty(), "not in a file with syntax errors");
    }

    #[test]
    fn no_warn_hides_and_is_never_unused() {
        let src = "class C { void A() { x1(); } }";
        let tree = crate::syntax::parse(src);
        let (kept, sup) = apply(
            src,
            Some(&tree),
            vec![diag("ASYNC101", src.find("x1").unwrap())],
            &ran(),
            &["ASYNC101".to_owned()],
            true,
        );
        assert!(kept.is_empty());
        assert_eq!(sup[0].kind, SuppressionKind::NoWarn);
    }

    #[test]
    fn through_the_engine() {
        let src = "using System.Threading.Tasks;\nclass C {\n    int M(Task<int> t)\n    {\n#pragma warning disable ASYNC101\n        return t.Result;\n#pragma warning restore ASYNC101\n    }\n    int N(Task<int> t) => t.Result;\n}\n";
        let report = lint_source(src, &ProjectInfo::standalone(), &Settings::default());
        let count = |id: &str| report.diagnostics.iter().filter(|d| d.rule == id).count();
        assert_eq!(count("ASYNC101"), 1, "{:#?}", report.diagnostics);
        assert_eq!(count(UNUSED.id), 0, "{:#?}", report.diagnostics);
        assert_eq!(report.suppressed.len(), 1);
        assert_eq!(report.suppressed[0].diagnostic.rule, "ASYNC101");
    }
}
