//! Rule tokens: the words a finding needs ([`crate::rules::Rule::tokens`]), looked for in a
//! file's text before anything is parsed.
//!
//! A token is one word, or several joined by ` & ` that must all be present; a part
//! written `~word` may be anywhere in the file, the others must be in the member that holds
//! the finding (see `elide.rs`). A word (letters, digits, `_`) matches a whole identifier
//! unless a `*` says it may be part of a longer one: `*Async` (`SaveAsync`), `Map*`
//! (`MapGet`), `*Enter*`; parts with punctuation (`.Result`, `_ =`) match anywhere. Three
//! parts name what the project index knows instead of a word: [`AWAITABLE_CALL`],
//! [`AWAITABLE_STATEMENT`] and [`VALUETASK_CALL`] (possible calls of the project's own
//! awaitable methods, `semantic::names`).

use crate::diagnostic::Severity;
use crate::rules::Rule;
use crate::semantic::{NameHit, ProjectIndex};
use std::cell::OnceCell;

/// A call of a method the project declares to return a task.
pub const AWAITABLE_CALL: &str = "@index:awaitable-call";
/// A call of a method the project declares to return a task that may be a whole
/// statement (ASYNC203's dropped tasks).
pub const AWAITABLE_STATEMENT: &str = "@index:awaitable-call-statement";
/// A call of a method the project declares to return a `ValueTask`.
pub const VALUETASK_CALL: &str = "@index:valuetask-call";

/// One file's text, with what the index says about it computed on first use.
pub struct FileText<'s> {
    pub source: &'s str,
    /// The code the words are looked for in: the source with comments, preprocessor lines
    /// and plain string literals blanked and `async` identifiers masked (same offsets).
    pub code: &'s str,
    pub index: &'s ProjectIndex,
    hits: OnceCell<Vec<NameHit>>,
    /// The raw text stands in for the code (a first, cheaper test that may only say yes
    /// more often): index parts ask for any possible call, statement or not.
    relaxed: bool,
}

impl<'s> FileText<'s> {
    pub fn new(source: &'s str, code: &'s str, index: &'s ProjectIndex) -> Self {
        FileText {
            source,
            code,
            index,
            hits: OnceCell::new(),
            relaxed: false,
        }
    }

    /// The source standing in for its code: every word of the code is in the source, and
    /// index parts are relaxed, so a file this says no to has nothing for the rules.
    pub fn raw(source: &'s str, index: &'s ProjectIndex) -> Self {
        FileText {
            relaxed: true,
            ..FileText::new(source, source, index)
        }
    }

    /// Without an index (one file on its own) the project's methods are unknown.
    pub fn names_known(&self) -> bool {
        self.index.file_count() > 0
    }

    /// The possible calls of the project's awaitable methods.
    pub fn hits(&self) -> &[NameHit] {
        self.hits.get_or_init(|| {
            if self.index.has_awaitable_methods() {
                self.index.awaitable_calls(self.code)
            } else {
                Vec::new()
            }
        })
    }

    /// Whether one token part (without `~`) is in the file.
    pub fn has(&self, part: &str) -> bool {
        match index_part(part) {
            Some(kind) => {
                !self.names_known()
                    || self
                        .hits()
                        .iter()
                        .any(|h| kind.matches(h) || (self.relaxed && kind == IndexPart::Statement))
            }
            None => {
                let (word, bounds) = pattern(part);
                let text = self.code.as_bytes();
                memchr::memmem::find_iter(text, word.as_bytes())
                    .any(|at| bounds.hold(text, at, word.len()))
            }
        }
    }
}

/// Where a word-like part may touch other identifier characters: `Task` is a whole word,
/// `*Async` ends a word (`SaveAsync`), `Map*` starts one (`MapGet`), `*Enter*` is anywhere.
/// Parts with punctuation or spaces (`.Result`, `_ =`, `Run(`) match anywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    pub start: bool,
    pub end: bool,
}

impl Bounds {
    /// Whether the match of `len` bytes at `at` in `text` respects the bounds.
    pub fn hold(self, text: &[u8], at: usize, len: usize) -> bool {
        let ident = crate::syntax::is_ident_byte;
        (!self.start || !at.checked_sub(1).is_some_and(|i| ident(text[i])))
            && (!self.end || !text.get(at + len).copied().is_some_and(ident))
    }
}

/// A token part's text to look for and its bounds.
pub fn pattern(part: &str) -> (&str, Bounds) {
    let open = part.strip_prefix('*');
    let word = open.unwrap_or(part);
    let close = word.strip_suffix('*');
    let word = close.unwrap_or(word);
    let word_like =
        !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let bounds = Bounds {
        start: word_like && open.is_none(),
        end: word_like && close.is_none(),
    };
    (word, bounds)
}

/// Every index-backed token part.
pub const INDEX_PARTS: [IndexPart; 3] =
    [IndexPart::Call, IndexPart::Statement, IndexPart::ValueTask];

/// The index-backed token parts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum IndexPart {
    Call,
    Statement,
    ValueTask,
}

impl IndexPart {
    pub fn matches(self, hit: &NameHit) -> bool {
        match self {
            IndexPart::Call => true,
            IndexPart::Statement => hit.statement,
            IndexPart::ValueTask => hit.value_task,
        }
    }
}

pub fn index_part(part: &str) -> Option<IndexPart> {
    match part {
        AWAITABLE_CALL => Some(IndexPart::Call),
        AWAITABLE_STATEMENT => Some(IndexPart::Statement),
        VALUETASK_CALL => Some(IndexPart::ValueTask),
        _ => None,
    }
}

/// A token's parts, each with whether it must be in the member (not `~`).
pub fn parts(token: &str) -> impl Iterator<Item = (&str, bool)> {
    token.split(" & ").map(|p| match p.strip_prefix('~') {
        Some(word) => (word, false),
        None => (p, true),
    })
}

/// A file whose text contains none of the active rules' tokens has no finding to give.
pub fn prefilter(text: &FileText<'_>, active: &[(&'static Rule, Severity)]) -> bool {
    active.iter().any(|(r, _)| {
        r.tokens
            .iter()
            .any(|t| parts(t).all(|(word, _)| text.has(word)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_index_part_of_a_rule_token_is_known() {
        for rule in crate::rules::ALL {
            for token in rule.tokens {
                for (word, _) in parts(token) {
                    if word.starts_with('@') {
                        assert!(index_part(word).is_some(), "{}: {word}", rule.id);
                    }
                }
            }
        }
    }
}
