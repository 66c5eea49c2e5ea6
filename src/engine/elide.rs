//! Which member bodies the rules pass need not parse.
//!
//! The prefilter decides per file; this decides per member. A rule's [`Rule::tokens`] name
//! what a finding needs in the code of the member it lies in (signature and body): a
//! method, constructor, destructor or operator whose code holds no whole token group of any
//! active rule — or only groups of rules whose [`Rule::may_flag_member`] says no — cannot
//! contain a finding, and its body — a block, or the expression of `=> expr` — is not
//! parsed ([`crate::syntax::parse_eliding`]). A
//! token part written `~word` may be anywhere in the file (a `[ThreadStatic]` field is
//! declared outside the method that reads it). Bodies other members' checks read are kept
//! ([`keep_related`]); rules that read other members' text otherwise ask the tree whether
//! it was elided and stay conservative when it was.
//!
//! Bodies holding a conditional directive (`#if`, `#else`, ...) are kept: conditional code
//! may not balance its braces the way the skim reads them.

use super::tokens::{index_part, parts, pattern, FileText, INDEX_PARTS};
use crate::diagnostic::Severity;
use crate::rules::{MemberText, Rule};
use crate::semantic::MemberBody;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

static DISABLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    static DISABLED_HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with body elision off on this thread (tests compare both ways).
pub fn without_elision<R>(f: impl FnOnce() -> R) -> R {
    let before = DISABLED_HERE.with(|d| d.replace(true));
    let r = f();
    DISABLED_HERE.with(|d| d.set(before));
    r
}

/// Turns body elision off for the process (`ASYNCLINT_FULL_PARSE=1`): every file that passes
/// the prefilter is parsed whole. For comparing results; they must not differ.
pub fn set_disabled(disabled: bool) {
    DISABLED.store(disabled, Ordering::Relaxed);
}

pub fn disabled() -> bool {
    DISABLED.load(Ordering::Relaxed) || DISABLED_HERE.with(|d| d.get())
}

/// A word a member must hold: text, or possible calls of the project's methods.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Word<'r> {
    Text(&'r str),
    Index(u8),
}

/// The token groups that can still match in this file: for each active rule, each group
/// whose parts are all in the file, as the words a member must hold itself. `None` when
/// some group needs every member (it has no part a member must hold, or it names methods
/// the index does not know).
fn member_groups<'r>(
    text: &FileText<'_>,
    active: &[(&'r Rule, Severity)],
) -> Option<Vec<(&'r Rule, Vec<Word<'r>>)>> {
    let mut groups = Vec::new();
    for (rule, _) in active {
        for token in rule.tokens {
            if !parts(token).all(|(word, _)| text.has(word)) {
                continue;
            }
            let mut member = Vec::new();
            for (word, in_member) in parts(token) {
                if !in_member {
                    continue;
                }
                match index_part(word) {
                    Some(_) if !text.names_known() => return None,
                    Some(kind) => member.push(Word::Index(kind as u8)),
                    None => member.push(Word::Text(word)),
                }
            }
            if member.is_empty() {
                return None;
            }
            groups.push((*rule, member));
        }
    }
    Some(groups)
}

thread_local! {
    /// Matchers for the sets of words seen on this thread (the set depends on the rules
    /// active in the file, which configuration may vary by folder: few distinct sets).
    static MATCHERS: RefCell<Vec<(u64, aho_corasick::AhoCorasick)>> =
        const { RefCell::new(Vec::new()) };
}

/// The bodies (`{` to `}`) to elide, from the skim's `bodies`. `scan` is the text the words
/// are looked for in: the code (comments and plain strings blanked) with `async`
/// identifiers masked, so that `bool async` parameters do not count as the modifier.
pub fn quiet_bodies(
    text: &FileText<'_>,
    scan: &str,
    bodies: &[MemberBody],
    active: &[(&'static Rule, Severity)],
    config: &crate::config::RuleConfig,
) -> Vec<Quiet> {
    if bodies.is_empty() || disabled() {
        return Vec::new();
    }
    let Some(groups) = member_groups(text, active) else {
        return Vec::new();
    };
    // Every word of every active rule (not only the groups present in this file): the
    // matcher then depends on the rule set alone, and one per thread serves every file.
    let mut words: Vec<&str> = active
        .iter()
        .flat_map(|(r, _)| r.tokens.iter())
        .flat_map(|t| parts(t))
        .filter(|(w, in_member)| *in_member && index_part(w).is_none())
        .map(|(w, _)| w)
        .collect();
    words.sort_unstable();
    words.dedup();
    // Bits: one per word, then the index parts.
    let index_bit = |k: u8| 1u64 << (words.len() + k as usize);
    if words.len() + INDEX_PARTS.len() > 64 {
        return Vec::new(); // more words than a mask holds: parse whole
    }
    let masks: Vec<u64> = groups
        .iter()
        .map(|(_, g)| {
            g.iter().fold(0u64, |m, w| {
                m | match w {
                    Word::Index(k) => index_bit(*k),
                    Word::Text(t) => 1 << words.binary_search(t).unwrap(),
                }
            })
        })
        .collect();
    // Every place a word starts, with its bit, in text order.
    let mut hits: Vec<(u32, u64)> = Vec::new();
    if !words.is_empty() {
        let key = crate::workspace::cache::hash_of(&words);
        MATCHERS.with(|cell| {
            let mut cache = cell.borrow_mut();
            let at = match cache.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    let Ok(m) = aho_corasick::AhoCorasick::new(words.iter().map(|w| pattern(w).0))
                    else {
                        return;
                    };
                    cache.push((key, m));
                    cache.len() - 1
                }
            };
            let matcher = &cache[at].1;
            let scan_bytes = scan.as_bytes();
            for m in matcher.find_overlapping_iter(scan) {
                let (_, bounds) = pattern(words[m.pattern().as_usize()]);
                if bounds.hold(scan_bytes, m.start(), m.len()) {
                    hits.push((m.start() as u32, 1 << m.pattern().as_usize()));
                }
            }
        });
    }
    // A group with an index part is precise already (possible calls the index checked).
    let index_bits = INDEX_PARTS.iter().fold(0, |m, &k| m | index_bit(k as u8));
    if masks.iter().any(|m| m & index_bits != 0) {
        for h in text.hits() {
            let bits = INDEX_PARTS
                .iter()
                .filter(|k| k.matches(h))
                .fold(0, |m, &k| m | index_bit(k as u8));
            hits.push((h.at, bits));
        }
        hits.sort_unstable_by_key(|h| h.0);
    }
    let source = text.source.as_bytes();
    let mut loud = vec![true; bodies.len()];
    // Loud for a rule that reads the callers of what it flags.
    let mut callers_read = vec![false; bodies.len()];
    // Loud for a rule that reads the bodies of what it calls.
    let mut callees_read = vec![false; bodies.len()];
    // Per body, what the parser would skip (set for those that may be elided).
    let mut elided = vec![(0u32, 0u32); bodies.len()];
    let mut h = 0;
    for (i, body) in bodies.iter().enumerate() {
        // Hits before this member belong to text between members.
        while h < hits.len() && hits[h].0 < body.member {
            h += 1;
        }
        let mut present = 0u64;
        while h < hits.len() && hits[h].0 < body.end {
            present |= hits[h].1;
            h += 1;
        }
        let member = MemberText {
            code: &scan[body.member as usize..body.end as usize],
            index: text.index,
            index_known: text.names_known(),
            config,
        };
        let mut has_tokens = false;
        // A rule's groups are consecutive: its member test runs once per body.
        let mut tested: Option<(*const Rule, bool)> = None;
        for ((rule, _), m) in groups.iter().zip(&masks) {
            if present & m != *m {
                continue;
            }
            let may_flag = m & index_bits != 0
                || match tested {
                    Some((r, answer)) if std::ptr::eq(r, *rule) => answer,
                    _ => {
                        let answer = rule.may_flag_member.is_none_or(|f| f(&member));
                        tested = Some((*rule, answer));
                        answer
                    }
                };
            if may_flag {
                has_tokens = true;
                callers_read[i] |= rule.reads_callers;
                callees_read[i] |= rule.reads_callees;
            }
        }
        let Some((from, to)) = elidable(source, body) else {
            continue; // parsed
        };
        // What the parser skips: a block with its braces, an expression from its first byte.
        elided[i] = if body.block {
            (body.open, body.end)
        } else {
            (from, to)
        };
        let inside = &source[from as usize..to as usize];
        // `[SuppressMessage]` on a local function: the suppression pass reads it in the tree.
        loud[i] = has_tokens
            || has_conditional_directive(inside)
            || memchr::memmem::find(inside, b"SuppressMessage").is_some()
            || inside.iter().all(u8::is_ascii_whitespace);
    }
    keep_related(text.source, bodies, &mut loud, &callers_read, &callees_read);
    bodies
        .iter()
        .zip(&loud)
        .zip(&elided)
        .filter(|((_, loud), _)| !**loud)
        .map(|((b, _), &body)| Quiet {
            member: b.member,
            body,
        })
        .collect()
}

/// Whether a line of `text` is a conditional directive (`#if`, `#elif`, `#else`,
/// `#endif`): conditional code may not balance its braces the way the skim reads them.
/// Other directives (`#region`, `#pragma`) and `#` elsewhere (in strings) do not matter.
fn has_conditional_directive(text: &[u8]) -> bool {
    memchr::memchr_iter(b'#', text).any(|at| {
        let line = text[..at]
            .iter()
            .rposition(|&b| b == b'\n' || b == b'\r')
            .map_or(0, |i| i + 1);
        if !text[line..at].iter().all(|b| *b == b' ' || *b == b'\t') {
            return false;
        }
        let rest = &text[at + 1..];
        let word = &rest[rest
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count()..];
        let ident = word.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        matches!(&word[..ident], b"if" | b"elif" | b"else" | b"endif")
    })
}

/// What of a body the parser may skip, as the text the tokens are checked in: a block's
/// inside, an expression body's expression (from its first token, which must be ASCII and
/// not follow a comment, to its end). `None`: always parsed.
fn elidable(source: &[u8], body: &MemberBody) -> Option<(u32, u32)> {
    if body.block {
        return Some((body.open + 1, body.end - 1));
    }
    // `open` is the `=>`.
    let after = body.open as usize + 2;
    let skip = source
        .get(after..body.end as usize)?
        .iter()
        .position(|b| !b.is_ascii_whitespace())?;
    let first = after + skip;
    let b = source[first];
    (b.is_ascii() && b != b'/' && b != b'#' && b != b'{').then_some((first as u32, body.end))
}

/// A member whose body is not parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quiet {
    /// Where the member starts.
    pub member: u32,
    /// Its body, `{` to `}`.
    pub body: (u32, u32),
}

/// Drops what a rule reported inside a member whose body the tree does not hold: no rule
/// can flag there (the tokens say so), and what it sees is an empty body (an async method
/// "without await").
pub fn drop_in_quiet(
    diagnostics: &mut Vec<crate::diagnostic::Diagnostic>,
    quiet: &[Quiet],
    elided: &[(u32, u32)],
) {
    if elided.is_empty() {
        return;
    }
    diagnostics.retain(|d| {
        let at = d.range.start as u32;
        let i = quiet.partition_point(|q| q.body.1 <= at);
        !quiet
            .get(i)
            .is_some_and(|q| q.member <= at && elided.binary_search(&q.body).is_ok())
    });
}

/// Keeps the bodies that code the rules read may depend on: a quiet method that names a
/// loud one other than to call it (it may pass it as a continuation), a quiet method that a
/// method loud for a rule with [`Rule::reads_callees`] mentions (does the callee catch
/// everything?), and a quiet method that calls one loud for a rule with
/// [`Rule::reads_callers`].
/// Expression bodies the parser must read count as loud. One round: a body kept this way
/// has no finding of its own.
fn keep_related(
    source: &str,
    bodies: &[MemberBody],
    loud: &mut [bool],
    callers_read: &[bool],
    callees_read: &[bool],
) {
    use rustc_hash::{FxHashMap, FxHashSet};
    let name = |b: &MemberBody| &source[b.name.0 as usize..b.name.1 as usize];
    let mut loud_names: FxHashSet<&str> = FxHashSet::default();
    let mut called_names: FxHashSet<&str> = FxHashSet::default();
    let mut quiet_by_name: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, b) in bodies.iter().enumerate() {
        if b.name.0 == b.name.1 {
            continue;
        }
        if loud[i] {
            loud_names.insert(name(b));
            if callers_read[i] {
                called_names.insert(name(b));
            }
        } else {
            quiet_by_name.entry(name(b)).or_default().push(i);
        }
    }
    if quiet_by_name.is_empty() {
        return;
    }
    let was_loud = loud.to_vec();
    let bytes = source.as_bytes();
    let mut b = 0;
    for w in crate::syntax::words(bytes) {
        let (start, i) = (w.start, w.end);
        let Some(word) = source.get(w) else {
            continue;
        };
        while b < bodies.len() && (bodies[b].end as usize) <= start {
            b += 1;
        }
        let region = (b < bodies.len() && bodies[b].member as usize <= start).then_some(b);
        if region.is_some_and(|r| bodies[r].name.0 as usize == start) {
            continue; // the method's own name
        }
        match region {
            Some(r) if !was_loud[r] => {
                // A method group (`ContinueWith(OnDone)`, `MapGet("/", Handler)`), not a
                // call: what the rules learn about a method from its uses.
                let called = bytes[i..]
                    .iter()
                    .find(|b| !b.is_ascii_whitespace())
                    .is_some_and(|&b| b == b'(');
                if (!called && loud_names.contains(word)) || called_names.contains(word) {
                    loud[r] = true;
                }
            }
            Some(r) if callees_read[r] => {
                if let Some(list) = quiet_by_name.get(word) {
                    for &q in list {
                        loud[q] = true;
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::{member_bodies_and_code, skim, ProjectIndex};

    /// The names of the methods whose bodies would not be parsed.
    fn quiet(src: &str, rules: &[&str]) -> Vec<String> {
        let index = ProjectIndex::from_summaries([skim(src, 0)]);
        let masked = crate::syntax::mask_async_identifiers(src);
        let (bodies, code) = member_bodies_and_code(src, masked.as_deref().unwrap_or(src));
        let text = FileText::new(src, &code, &index);
        let active: Vec<(&'static Rule, Severity)> = rules
            .iter()
            .map(|id| (Rule::find(id).unwrap(), Severity::Warning))
            .collect();
        let config = crate::config::RuleConfig::default();
        let quiet = quiet_bodies(&text, &code, &bodies, &active, &config);
        bodies
            .iter()
            .filter(|b| quiet.iter().any(|q| q.member == b.member))
            .map(|b| src[b.name.0 as usize..b.name.1 as usize].to_owned())
            .collect()
    }

    #[test]
    fn bodies_without_tokens_are_quiet() {
        let src = "class C {
            void Loud(Task<int> t) { var x = t.Result; }
            void Quiet() { F(); }
            void Directive() {
#if DEBUG
                F();
#endif
            }
            void Empty() { }
            void Region() {
                #region Setup
                F(\"#if\");
                #endregion
            }
            void Else() {
                F();
              # else
            }
        }";
        assert_eq!(quiet(src, &["ASYNC101"]), ["Quiet", "Region"]);
        // `bool async` is not the modifier.
        let src = "class C { void M(bool async) { if (async) F(); } async Task N() { G(); } }";
        assert_eq!(quiet(src, &["ASYNC205"]), ["M"]);
        // A group must be whole in the member: `Task` here, `null` there.
        let src = "class C { Task<int> A() { return G(); } void B() { H(null); } }";
        assert_eq!(quiet(src, &["ASYNC206"]), ["A", "B"]);
        // Expression bodies too, unless a comment comes first.
        let src = "class C { int A() => G() + 1; int B(Task<int> t) => t.Result; int D() => /* x */ G(); }";
        assert_eq!(quiet(src, &["ASYNC101"]), ["A"]);
    }

    #[test]
    fn rules_may_say_a_member_with_their_tokens_cannot_be_flagged() {
        let src = r#"class C {
            async Task Awaits() { await G(); }
            async Task Lambda() { await G(); Func<Task> f = async () => H(); }
            async Task Commented() { /* await */ G(); var s = "await"; }
            async Task Interpolated() { var s = $"{await G()}"; }
        }"#;
        assert_eq!(quiet(src, &["ASYNC205"]), ["Awaits", "Interpolated"]);
        assert_eq!(
            quiet(src, &["ASYNC603"]),
            ["Awaits", "Lambda", "Commented", "Interpolated"]
        );
        assert_eq!(
            quiet(src, &["ASYNC202"]),
            ["Awaits", "Commented", "Interpolated"]
        );
        assert_eq!(
            quiet(src, &["ASYNC201"]),
            ["Awaits", "Lambda", "Commented", "Interpolated"]
        );
        // ASYNC102: only members that call a table API, an EF operator or a method with an
        // awaitable twin may block.
        let src = "class C {
            Task SaveAsync() => null;
            async Task A() { await G(); Save(); }
            async Task B() { await G(); Thread.Sleep(1); }
            async Task D() { await G(); H(); }
        }";
        assert_eq!(quiet(src, &["ASYNC102"]), ["SaveAsync", "D"]);
    }

    #[test]
    fn bodies_the_rules_may_read_are_kept() {
        // Passed as a continuation: the loud method's `.Result` reads a completed task.
        let src = "class C {
            void Registers(Task<int> t) { t.ContinueWith(OnDone); }
            void OnDone(Task<int> t) { var r = t.Result; }
            void Calls() { OnDone(null); }
        }";
        assert_eq!(quiet(src, &["ASYNC101"]), ["Calls"]);
        // A callee of loud code: does it catch everything?
        let src = "class C {
            void Caller() { _ = Helper(); }
            Task Helper() { try { return G(); } catch { return null; } }
            void Other() { G(); }
        }";
        assert_eq!(quiet(src, &["ASYNC204"]), ["Other"]);
    }

    #[test]
    fn whole_file_tokens_keep_every_body() {
        let src = "class C {
            [ThreadStatic] static int t_depth;
            static void Reset() { t_depth = 0; }
            async Task M() { await G(); var d = t_depth; }
        }";
        assert!(quiet(src, &["ASYNC604"]).is_empty());
        // Without the attribute in the file, the rule's tokens are absent: nothing to keep.
        let src = "class C { static void Reset() { F(); } async Task M() { await G(); } }";
        assert_eq!(quiet(src, &["ASYNC604", "ASYNC101"]), ["Reset", "M"]);
    }
}
