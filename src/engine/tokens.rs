//! Rule tokens: the words a finding needs ([`crate::rules::Rule::tokens`]), looked for in a
//! file's text before anything is parsed.
//!
//! A token is one word, or several joined by ` & ` that must all be present; a part
//! written `~word` may be anywhere in the file, the others must be in the member that holds
//! the finding (see `elide.rs`). Two parts name what the project index knows instead of a
//! word: [`AWAITABLE_STATEMENT`] and [`VALUETASK_CALL`] (possible calls of the project's
//! own awaitable methods, `semantic::names`).

use crate::diagnostic::Severity;
use crate::rules::Rule;
use crate::semantic::{NameHit, ProjectIndex};
use std::cell::OnceCell;

/// A call of a method the project declares to return a task that may be a whole
/// statement (ASYNC203's dropped tasks).
pub const AWAITABLE_STATEMENT: &str = "@index:awaitable-call-statement";
/// A call of a method the project declares to return a `ValueTask`.
pub const VALUETASK_CALL: &str = "@index:valuetask-call";

/// One file's text, with what the index says about it computed on first use.
pub struct FileText<'s> {
    pub source: &'s str,
    pub index: &'s ProjectIndex,
    hits: OnceCell<Vec<NameHit>>,
}

impl<'s> FileText<'s> {
    pub fn new(source: &'s str, index: &'s ProjectIndex) -> Self {
        FileText {
            source,
            index,
            hits: OnceCell::new(),
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
                self.index.awaitable_calls(self.source)
            } else {
                Vec::new()
            }
        })
    }

    /// Whether one token part (without `~`) is in the file.
    pub fn has(&self, part: &str) -> bool {
        match index_part(part) {
            Some(kind) => !self.names_known() || self.hits().iter().any(|h| kind.matches(h)),
            None => memchr::memmem::find(self.source.as_bytes(), part.as_bytes()).is_some(),
        }
    }
}

/// The index-backed token parts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum IndexPart {
    Statement,
    ValueTask,
}

impl IndexPart {
    pub fn matches(self, hit: &NameHit) -> bool {
        match self {
            IndexPart::Statement => hit.statement,
            IndexPart::ValueTask => hit.value_task,
        }
    }
}

pub fn index_part(part: &str) -> Option<IndexPart> {
    match part {
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
