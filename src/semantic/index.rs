//! The project index: every file's declaration summary, merged, shared read-only by all
//! rule runs. Trees are dropped after summarizing, so the index stays small.

use super::decls::{FileSummary, TypeDecl};
use rustc_hash::{FxHashMap, FxHashSet};

#[derive(Debug, Default)]
pub struct ProjectIndex {
    by_name: FxHashMap<String, Vec<TypeDecl>>,
    subscriptions: FxHashSet<String>,
    files: usize,
    heap_bytes: usize,
    /// Calls of methods declared to return an awaitable, for the prefilter.
    awaitable: super::names::AwaitableNames,
}

impl ProjectIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_summaries(summaries: impl IntoIterator<Item = FileSummary>) -> Self {
        let mut index = ProjectIndex::new();
        for s in summaries {
            index.add(s);
        }
        index.build_name_matcher();
        index
    }

    /// [`Self::from_summaries`] with the awaitable names built already (from the same
    /// types: [`super::names::AwaitableNames::build`]), as a caller may build them while it
    /// copies the summaries.
    pub fn from_summaries_and_names(
        summaries: impl IntoIterator<Item = FileSummary>,
        awaitable: super::names::AwaitableNames,
    ) -> Self {
        let mut index = ProjectIndex::new();
        for s in summaries {
            index.add(s);
        }
        index.awaitable = awaitable;
        index
    }

    fn build_name_matcher(&mut self) {
        self.awaitable = super::names::AwaitableNames::build(self.by_name.values().flatten());
    }

    /// Whether some file declares a method that returns an awaitable.
    pub fn has_awaitable_methods(&self) -> bool {
        !self.awaitable.is_empty()
    }

    /// Whether some type declares an awaitable, not obsolete `{name}Async`.
    pub fn has_async_twin(&self, name: &str) -> bool {
        self.awaitable.has_async_twin(name)
    }

    /// The places in `text` that may call a method some file declares to return an
    /// awaitable (see [`super::names`]), in order.
    pub fn awaitable_calls(&self, text: &str) -> Vec<super::names::NameHit> {
        self.awaitable.hits(text)
    }

    pub(crate) fn add(&mut self, summary: FileSummary) {
        self.files += 1;
        self.heap_bytes += summary.heap_bytes();
        for t in summary.types {
            self.by_name.entry(t.name.clone()).or_default().push(t);
        }
        self.subscriptions.extend(summary.subscriptions);
    }

    /// Every type of that simple name, from every file (partial classes give several).
    pub fn types_named<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s TypeDecl> + 's {
        self.by_name.get(name).into_iter().flatten()
    }

    pub fn has_type(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    pub fn is_subscribed(&self, method: &str) -> bool {
        self.subscriptions.contains(method)
    }

    pub fn file_count(&self) -> usize {
        self.files
    }

    pub fn type_count(&self) -> usize {
        self.by_name.values().map(Vec::len).sum()
    }

    /// Approximate heap size in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.heap_bytes + self.by_name.len() * 48 + self.subscriptions.len() * 32
    }
}
