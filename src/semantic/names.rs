//! Calls of the project's awaitable methods, found in text without a parse (for the
//! prefilter and body elision).
//!
//! A method that returns a task but is not named `…Async` can only be found by name, and
//! test suites name such methods after what they test (`Task Where(bool async)`,
//! `Task Count()`), so the bare name is everywhere. A mention of such a name counts as a
//! possible call only when:
//! - it is a whole word followed by `(` or `<`;
//! - it is not called on a type the project does not declare (`Assert.Equal(..)`,
//!   `string.Join(..)`): the receiver is an instance (lower-case, `_field`, a call or
//!   index result), or a name the project declares as a type or member;
//! - the file can see a type the method could be called on: it names a declaring type or
//!   one derived from it, or a member whose type (or a parameter type) names one, which is
//!   how a value of that type reaches code that never spells it (`var c = CreateContext();`).
//!   Static methods (extension methods among them) are exempt: they are always possible.
//!
//! ASYNC203 also needs the call to be a statement: [`NameHit::statement`] says whether the
//! text before the call could be the start of one (not `await`, `return`, `=`, `(`, `,`,
//! `=>`, a return type). Every test here errs towards "possible": a wrong "possible" costs a
//! parse, a wrong "impossible" a finding.

use super::decls::{MemberKind, TypeDecl};
use super::{ty_is_awaitable, ty_is_value_task};
use crate::syntax::is_ident_byte as is_ident;
use crate::syntax::Ty;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;

/// A possible call of an awaitable method the project declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameHit {
    /// Byte offset of the name.
    pub at: u32,
    /// The call may be a whole expression statement (what ASYNC203 flags).
    pub statement: bool,
    /// Some declaration of the name returns a `ValueTask`.
    pub value_task: bool,
}

/// Which files may call which of the project's awaitable methods.
#[derive(Debug, Default)]
pub struct AwaitableNames {
    /// Name → pattern index (into `decls` and `witnesses`).
    patterns: FxHashMap<String, u32>,
    /// Per pattern: the declarations' types (`None`: a static declaration, always possible)
    /// and whether one returns a `ValueTask`.
    decls: Vec<NameDecls>,
    /// Per pattern, computed on first use: the words whose mention makes a call possible.
    witnesses: Vec<OnceLock<Option<Box<[u32]>>>>,
    /// Type and member names, interned.
    words: Vec<String>,
    word_ids: FxHashMap<String, u32>,
    /// Base type → the types that list it.
    derived: FxHashMap<u32, Vec<u32>>,
    /// Type → the members whose type or parameter types name it.
    mentioned_by: FxHashMap<u32, Vec<u32>>,
    /// Every member name (for receivers like `Context.Add(..)`).
    member_names: FxHashSet<u32>,
    /// Every declared type name.
    type_names: FxHashSet<u32>,
    /// `Foo` for every awaitable `FooAsync` some type declares (not obsolete).
    twins: FxHashSet<String>,
}

#[derive(Debug, Default)]
struct NameDecls {
    /// Declaring types; `None` when some declaration is static.
    types: Option<Vec<u32>>,
    value_task: bool,
}

impl AwaitableNames {
    pub fn build<'a>(types: impl Iterator<Item = &'a TypeDecl> + Clone) -> Self {
        let mut this = AwaitableNames::default();
        let mut by_name: FxHashMap<&str, NameDecls> = FxHashMap::default();
        for t in types.clone() {
            let tid = this.intern(&t.name);
            this.type_names.insert(tid);
            for b in &t.bases {
                let bid = this.intern(&b.name);
                this.derived.entry(bid).or_default().push(tid);
            }
            for m in &t.members {
                let mid = this.intern(&m.name);
                this.member_names.insert(mid);
                let mut named = Vec::new();
                let tys = m.ty.iter().chain(m.params.iter().flatten());
                for ty in tys {
                    ty_names(ty, &mut named);
                }
                for n in named {
                    let nid = this.intern(n);
                    this.mentioned_by.entry(nid).or_default().push(mid);
                }
                let Some(ty) = m.ty.as_ref() else { continue };
                if m.kind != MemberKind::Method || !ty_is_awaitable(ty) {
                    continue;
                }
                if let Some(sync) = m.name.strip_suffix("Async").filter(|s| !s.is_empty()) {
                    if !m.obsolete {
                        this.twins.insert(sync.to_owned());
                    }
                }
                let d = by_name.entry(m.name.as_str()).or_insert_with(|| NameDecls {
                    types: Some(Vec::new()),
                    value_task: false,
                });
                d.value_task |= ty_is_value_task(ty);
                if m.is_static {
                    d.types = None;
                } else if let Some(list) = d.types.as_mut() {
                    list.push(tid);
                }
            }
        }
        for list in this
            .derived
            .values_mut()
            .chain(this.mentioned_by.values_mut())
        {
            list.sort_unstable();
            list.dedup();
        }
        let mut names: Vec<(&str, NameDecls)> = by_name.into_iter().collect();
        names.sort_unstable_by(|a, b| a.0.cmp(b.0));
        if names.is_empty() {
            return this;
        }
        this.patterns = names
            .iter()
            .enumerate()
            .map(|(i, (n, _))| (n.to_string(), i as u32))
            .collect();
        this.witnesses = names.iter().map(|_| OnceLock::new()).collect();
        this.decls = names.into_iter().map(|(_, d)| d).collect();
        this
    }

    fn intern(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.word_ids.get(word) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(word.to_owned());
        self.word_ids.insert(word.to_owned(), id);
        id
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether some type declares an awaitable `{name}Async`.
    pub fn has_async_twin(&self, name: &str) -> bool {
        self.twins.contains(name)
    }

    /// The words that make a call of pattern `p` possible; `None`: always possible.
    fn witnesses(&self, p: usize) -> Option<&[u32]> {
        self.witnesses[p]
            .get_or_init(|| {
                let types = self.decls[p].types.as_ref()?;
                // The declaring types and everything derived from them.
                let mut seen: FxHashSet<u32> = types.iter().copied().collect();
                let mut stack: Vec<u32> = types.clone();
                while let Some(t) = stack.pop() {
                    for &d in self.derived.get(&t).into_iter().flatten() {
                        if seen.insert(d) {
                            stack.push(d);
                        }
                    }
                }
                let mut words: Vec<u32> = seen.iter().copied().collect();
                for t in &seen {
                    words.extend(self.mentioned_by.get(t).into_iter().flatten());
                }
                words.sort_unstable();
                words.dedup();
                Some(words.into_boxed_slice())
            })
            .as_deref()
    }

    /// The possible calls in `text`, in order.
    pub fn hits(&self, text: &str) -> Vec<NameHit> {
        if self.patterns.is_empty() {
            return Vec::new();
        }
        let bytes = text.as_bytes();
        let mut file_words: Option<FxHashSet<&str>> = None;
        let mut out = Vec::new();
        // Every identifier followed by `(` or `<`, looked up by name: found from the
        // brackets back.
        for open in memchr::memchr2_iter(b'(', b'<', bytes) {
            let end = bytes[..open]
                .iter()
                .rposition(|b| !b.is_ascii_whitespace())
                .map_or(0, |i| i + 1);
            let start = bytes[..end]
                .iter()
                .rposition(|&b| !is_ident(b))
                .map_or(0, |i| i + 1);
            if start == end || bytes[start].is_ascii_digit() {
                continue;
            }
            let Some(&p) = text.get(start..end).and_then(|w| self.patterns.get(w)) else {
                continue;
            };
            if !self.receiver_may_be_declared(bytes, start) {
                continue;
            }
            let p = p as usize;
            if let Some(words) = self.witnesses(p) {
                let seen = file_words.get_or_insert_with(|| identifiers(text));
                if !words
                    .iter()
                    .any(|w| seen.contains(self.words[*w as usize].as_str()))
                {
                    continue;
                }
            }
            out.push(NameHit {
                at: start as u32,
                statement: may_start_statement(bytes, start),
                value_task: self.decls[p].value_task,
            });
        }
        out
    }

    /// `x.F()`, `_f.F()`, `a()?.F()`, `xs[0].F()`, `F()`: possible. `Upper.F()`: only when
    /// `Upper` is a type or member the project declares.
    fn receiver_may_be_declared(&self, bytes: &[u8], start: usize) -> bool {
        let Some(dot) = last_non_ws(bytes, start).filter(|&i| bytes[i] == b'.') else {
            return true;
        };
        let Some(receiver_last) = last_non_ws(bytes, dot) else {
            return true;
        };
        let receiver_start = bytes[..=receiver_last]
            .iter()
            .rposition(|&b| !is_ident(b))
            .map_or(0, |i| i + 1);
        let receiver = &bytes[receiver_start..=receiver_last];
        if receiver.is_empty() || !receiver[0].is_ascii_uppercase() {
            // An instance, or a keyword type: `string.Join(..)` cannot bind to the project.
            return !is_keyword_type(receiver);
        }
        std::str::from_utf8(receiver)
            .ok()
            .and_then(|r| self.word_ids.get(r))
            .is_some_and(|id| self.member_names.contains(id) || self.type_names.contains(id))
    }
}

/// Simple type names mentioned by a type reference, generic arguments included.
fn ty_names<'t>(ty: &'t Ty, out: &mut Vec<&'t str>) {
    let mut stack = vec![ty];
    while let Some(t) = stack.pop() {
        out.push(&t.name);
        stack.extend(t.args.iter());
    }
}

fn is_keyword_type(word: &[u8]) -> bool {
    matches!(
        word,
        b"string"
            | b"object"
            | b"int"
            | b"long"
            | b"bool"
            | b"char"
            | b"byte"
            | b"double"
            | b"float"
            | b"decimal"
            | b"short"
            | b"uint"
            | b"ulong"
    )
}

/// Every identifier-like word of the text (comments and strings included: more words only
/// make more calls possible).
fn identifiers(text: &str) -> FxHashSet<&str> {
    crate::syntax::words(text.as_bytes())
        .filter(|w| !text.as_bytes()[w.start].is_ascii_digit())
        .filter_map(|w| text.get(w))
        .collect()
}

/// The index of the last non-whitespace byte before `at`.
fn last_non_ws(bytes: &[u8], at: usize) -> Option<usize> {
    bytes[..at].iter().rposition(|b| !b.is_ascii_whitespace())
}

/// What comes before the receiver chain of a name (`a.b(c)[d]?.Name`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Before<'a> {
    /// The walk gave up (a string or comment in the way, too far back).
    Unknown,
    /// The start of the text.
    Start,
    /// A word (`await`, `return`, a type name), ending at byte `end`.
    Word(&'a [u8], usize),
    /// A punctuation character at `at`.
    Punct(u8, usize),
}

/// Walks back from the name starting at `start` over its receiver chain (`x.`, `f(a).`,
/// `xs[0]?.`, `G<T>.`, `new T().`) and says what precedes it.
pub fn before_chain(bytes: &[u8], start: usize) -> Before<'_> {
    const LIMIT: usize = 4096;
    let floor = start.saturating_sub(LIMIT);
    let mut i = start; // the start of what has been walked so far
    loop {
        let Some(j) = last_non_ws(&bytes[floor..], i - floor).map(|j| j + floor) else {
            return if floor == 0 {
                Before::Start
            } else {
                Before::Unknown
            };
        };
        let c = bytes[j];
        if c == b'.' {
            // A member access: step over the receiver.
            let mut k = j;
            if k > 0 && matches!(bytes[k - 1], b'?' | b'!') {
                k -= 1;
            }
            let Some(r) = last_non_ws(&bytes[floor..], k - floor).map(|r| r + floor) else {
                return Before::Unknown;
            };
            let mut r_end = r + 1;
            // Closing groups: `f(x).`, `a[0].`, `G<T>.`
            loop {
                let Some(r) = r_end.checked_sub(1) else {
                    return Before::Unknown;
                };
                let (open, close) = match bytes[r] {
                    b')' => (b'(', b')'),
                    b']' => (b'[', b']'),
                    b'>' => (b'<', b'>'),
                    _ => break,
                };
                let mut depth = 0usize;
                let mut q = r + 1;
                loop {
                    if q == floor {
                        return Before::Unknown;
                    }
                    q -= 1;
                    match bytes[q] {
                        b if b == close => depth += 1,
                        b if b == open => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        b'"' | b'\'' | b'/' => return Before::Unknown,
                        _ => {}
                    }
                }
                r_end = last_non_ws(&bytes[floor..], q - floor).map_or(floor, |x| x + floor + 1);
                if r_end == floor {
                    return Before::Unknown;
                }
            }
            let w_start = bytes[floor..r_end]
                .iter()
                .rposition(|&b| !is_ident(b))
                .map_or(floor, |x| x + floor + 1);
            if w_start == r_end {
                return Before::Unknown; // something else: a literal, a cast
            }
            i = w_start;
            continue;
        }
        if is_ident(c) {
            let w_start = bytes[floor..=j]
                .iter()
                .rposition(|&b| !is_ident(b))
                .map_or(floor, |x| x + floor + 1);
            let word = &bytes[w_start..=j];
            if word == b"new" {
                i = w_start; // `new Foo().Bar();`
                continue;
            }
            return Before::Word(word, j + 1);
        }
        return Before::Punct(c, j);
    }
}

/// Whether the call whose name starts at `start` may begin an expression statement.
pub fn may_start_statement(bytes: &[u8], start: usize) -> bool {
    match before_chain(bytes, start) {
        Before::Unknown | Before::Start => true,
        Before::Word(b"else" | b"do", _) => true,
        // A word ending the previous line may end a comment or a directive.
        Before::Word(_, end) => starts_earlier_line_with_comment(bytes, end - 1, start),
        Before::Punct(c, j) => match c {
            b';' | b'{' | b'}' | b')' | b':' | b']' => true,
            b'/' => j > 0 && bytes[j - 1] == b'*', // `/* .. */ F();`
            b'(' | b',' | b'=' | b'+' | b'-' | b'*' | b'%' | b'&' | b'|' | b'^' | b'!' | b'~'
            | b'?' | b'<' | b'>' | b'[' => false,
            _ => true,
        },
    }
}

/// Whether the word ending at `j` is on an earlier line than `start` and that line holds a
/// comment or is a directive.
fn starts_earlier_line_with_comment(bytes: &[u8], j: usize, start: usize) -> bool {
    if !bytes[j..start].contains(&b'\n') {
        return false;
    }
    let line_start = bytes[..j]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = &bytes[line_start..=j];
    memchr::memmem::find(line, b"//").is_some()
        || line
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b == b'#')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::skim;

    fn names(src: &str) -> AwaitableNames {
        let summary = skim(src, 0);
        AwaitableNames::build(summary.types.iter())
    }

    fn hit_words(n: &AwaitableNames, text: &str) -> Vec<(String, bool)> {
        n.hits(text)
            .iter()
            .map(|h| {
                let rest = &text[h.at as usize..];
                let end = rest
                    .find(|c: char| !c.is_alphanumeric())
                    .unwrap_or(rest.len());
                (rest[..end].to_owned(), h.statement)
            })
            .collect()
    }

    const DECLS: &str = "class Tests { public virtual Task Count() => null; }
        class Store { public Task Save() => null; public static Task Flush() => null; }
        class Repo { public Store Current { get; } public Store Make(int x) => null; }";

    #[test]
    fn a_name_counts_only_where_a_declaring_type_is_in_sight() {
        let n = names(DECLS);
        // Neither `Tests` nor anything typed `Tests` is named: LINQ's Count.
        assert!(n
            .hits("class A { void F(int[] xs) { xs.Count(); } }")
            .is_empty());
        // Derived from the declaring type.
        let derived = "class B : Tests { void F() { Count(); } }";
        assert_eq!(hit_words(&n, derived), vec![("Count".into(), true)]);
        // Reached through a member whose type is `Store`.
        let via_member = "class C { void F(Repo r) { var s = r.Make(1); s.Save(); } }";
        assert_eq!(hit_words(&n, via_member), vec![("Save".into(), true)]);
        // Static: always possible.
        assert_eq!(
            hit_words(&n, "class D { void F() { Flusher.Go(); x.Flush(); } }"),
            vec![("Flush".into(), true)]
        );
    }

    #[test]
    fn external_receivers_and_non_calls_do_not_count() {
        let n = names(DECLS);
        let text = "class E : Tests { int Count; void F() { Assert.Count(1); string.Count(); var c = Count; } }";
        assert!(n.hits(text).is_empty(), "{:?}", hit_words(&n, text));
        // A receiver the project declares (a member) counts.
        let text = "class G : Repo { void F() { Current.Save(); } }";
        assert_eq!(hit_words(&n, text), vec![("Save".into(), true)]);
    }

    #[test]
    fn tells_statements_from_other_uses() {
        let n = names(DECLS);
        let text = "class H : Tests {
            async Task F() {
                await Count();
                var t = Count();
                G(Count());
                return Count();
            }
            Task K() => Count();
            void L() {
                // calls it
                Count();
                if (x) this.Count();
                else new Tests().Count();
                a.b(c)[0]?.Count();
            }
        }";
        let got: Vec<bool> = hit_words(&n, text).into_iter().map(|(_, s)| s).collect();
        assert_eq!(
            got,
            vec![false, false, false, false, false, true, true, true, true]
        );
    }
}
