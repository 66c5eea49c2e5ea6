//! The syntax layer: the only module that touches tree-sitter.
//!
//! A file is parsed once into a [`SyntaxTree`]: a flat, pre-order list of nodes with parent
//! indices and subtree ends. The tree-sitter tree is dropped as soon as the list is built,
//! so nothing above this layer depends on the parser, and every walk is a loop over indices
//! (deep input cannot overflow the stack).

mod kinds;
mod parse;
mod ty;
pub mod views;

pub use kinds::{Field, SyntaxKind};
pub use parse::{mask_async_identifiers, parse, parse_eliding};

/// The counter of files [`parse_eliding`] parsed twice.
pub fn parse_fallbacks() -> &'static std::sync::atomic::AtomicU64 {
    &parse::FALLBACKS
}
pub use ty::Ty;

/// Whether a byte may be part of a C# identifier (non-ASCII bytes count: identifiers may
/// hold any letter).
pub fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The identifier-like words of a text (runs of [`is_ident_byte`], numbers included), as
/// byte ranges, in order.
pub fn words(text: &[u8]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < text.len() && !is_ident_byte(text[i]) {
            i += 1;
        }
        let start = i;
        while i < text.len() && is_ident_byte(text[i]) {
            i += 1;
        }
        (start < i).then_some(start..i)
    })
}

/// Index of a node in [`SyntaxTree::nodes`].
pub type NodeId = u32;

/// Sentinel for "no node".
pub const NO_NODE: NodeId = u32::MAX;

#[derive(Clone, Copy, Debug)]
pub struct NodeData {
    pub kind: SyntaxKind,
    pub field: Field,
    pub named: bool,
    /// The subtree contains an ERROR or MISSING node.
    pub has_error: bool,
    pub start: u32,
    pub end: u32,
    pub parent: NodeId,
    /// One past the last descendant in pre-order.
    pub subtree_end: NodeId,
}

/// A parsed file: the source text and its flat node list.
pub struct SyntaxTree {
    pub(crate) source: String,
    pub(crate) nodes: Vec<NodeData>,
    /// Count of ERROR / MISSING nodes in the file.
    pub error_count: usize,
    /// Member bodies whose contents were not parsed: blocks (`{` to `}`; the tree holds an
    /// empty block there) and expressions of expression bodies (the tree holds a one-byte
    /// literal there). Sorted, not overlapping. See [`parse_eliding`].
    pub(crate) elided: Vec<(u32, u32)>,
}

impl SyntaxTree {
    pub fn source(&self) -> &str {
        &self.source
    }
    /// The member bodies whose contents this tree does not hold.
    pub fn elided(&self) -> &[(u32, u32)] {
        &self.elided
    }
    /// Where `word` (a whole identifier) occurs in bodies the tree does not hold (byte
    /// offsets; comments and strings included).
    pub fn elided_mentions<'s>(&'s self, word: &'s str) -> impl Iterator<Item = usize> + 's {
        let src = self.source.as_bytes();
        let ident = is_ident_byte;
        self.elided
            .iter()
            .filter(move |_| !word.is_empty())
            .flat_map(move |&(s, e)| {
                memchr::memmem::find_iter(&src[s as usize..e as usize], word.as_bytes())
                    .map(move |at| at + s as usize)
            })
            .filter(move |&at| {
                let before = at.checked_sub(1).map(|i| src[i]);
                let after = src.get(at + word.len()).copied();
                !before.is_some_and(ident) && !after.is_some_and(ident)
            })
    }

    /// Whether `word` occurs in a body the tree does not hold other than as the name of a
    /// call (`word(`, `x.word(`).
    pub fn elided_mentions_besides_calls(&self, word: &str) -> bool {
        let src = self.source.as_bytes();
        self.elided_mentions(word).any(|at| {
            src[at + word.len()..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_none_or(|&b| b != b'(')
        })
    }
    pub fn len(&self) -> usize {
        self.nodes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
    pub fn root(&self) -> Node<'_> {
        Node { tree: self, id: 0 }
    }
    pub fn node(&self, id: NodeId) -> Node<'_> {
        Node { tree: self, id }
    }
    /// Every node in pre-order.
    pub fn iter(&self) -> impl Iterator<Item = Node<'_>> + '_ {
        (0..self.nodes.len() as u32).map(move |id| Node { tree: self, id })
    }
    pub fn has_errors(&self) -> bool {
        self.error_count > 0
    }
}

/// A cheap handle to one node. Every accessor returns `Option`: trees of real code are
/// incomplete by design.
#[derive(Clone, Copy)]
pub struct Node<'t> {
    tree: &'t SyntaxTree,
    id: NodeId,
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && std::ptr::eq(self.tree, other.tree)
    }
}
impl Eq for Node<'_> {}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}@{}..{}", self.kind(), self.start(), self.end())
    }
}

impl<'t> Node<'t> {
    #[inline]
    fn data(&self) -> &'t NodeData {
        &self.tree.nodes[self.id as usize]
    }
    pub fn id(&self) -> NodeId {
        self.id
    }
    pub fn tree(&self) -> &'t SyntaxTree {
        self.tree
    }
    pub fn kind(&self) -> SyntaxKind {
        self.data().kind
    }
    pub fn is(&self, kind: SyntaxKind) -> bool {
        self.data().kind == kind
    }
    pub fn field(&self) -> Field {
        self.data().field
    }
    pub fn is_named(&self) -> bool {
        self.data().named
    }
    pub fn has_error(&self) -> bool {
        self.data().has_error
    }
    pub fn start(&self) -> usize {
        self.data().start as usize
    }
    pub fn end(&self) -> usize {
        self.data().end as usize
    }
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start()..self.end()
    }
    pub fn text(&self) -> &'t str {
        &self.tree.source[self.range()]
    }
    /// One past the last descendant's id.
    pub fn subtree_end(&self) -> NodeId {
        self.data().subtree_end
    }
    pub fn parent(&self) -> Option<Node<'t>> {
        let p = self.data().parent;
        (p != NO_NODE).then(|| Node {
            tree: self.tree,
            id: p,
        })
    }
    /// Ancestors, nearest first (not including `self`).
    pub fn ancestors(&self) -> impl Iterator<Item = Node<'t>> + 't {
        let tree = self.tree;
        let mut cur = self.data().parent;
        std::iter::from_fn(move || {
            if cur == NO_NODE {
                return None;
            }
            let n = Node { tree, id: cur };
            cur = tree.nodes[cur as usize].parent;
            Some(n)
        })
    }
    /// Direct children, named and anonymous.
    pub fn children(&self) -> impl Iterator<Item = Node<'t>> + 't {
        let tree = self.tree;
        let end = self.data().subtree_end;
        let mut cur = self.id + 1;
        std::iter::from_fn(move || {
            if cur >= end {
                return None;
            }
            let n = Node { tree, id: cur };
            cur = tree.nodes[cur as usize].subtree_end;
            Some(n)
        })
    }
    pub fn named_children(&self) -> impl Iterator<Item = Node<'t>> + 't {
        self.children()
            .filter(|c| c.is_named() && !c.is(SyntaxKind::Comment))
    }
    /// All descendants in pre-order (not including `self`).
    pub fn descendants(&self) -> impl Iterator<Item = Node<'t>> + 't {
        let tree = self.tree;
        let end = self.data().subtree_end;
        (self.id + 1..end).map(move |id| Node { tree, id })
    }
    /// Descendants, skipping the subtrees for which `skip` says true (the skipped node
    /// itself is not yielded).
    pub fn descendants_pruned<F>(&self, skip: F) -> impl Iterator<Item = Node<'t>> + 't
    where
        F: Fn(Node<'t>) -> bool + 't,
    {
        let tree = self.tree;
        let end = self.data().subtree_end;
        let mut cur = self.id + 1;
        std::iter::from_fn(move || {
            while cur < end {
                let n = Node { tree, id: cur };
                if skip(n) {
                    cur = tree.nodes[cur as usize].subtree_end;
                    continue;
                }
                cur += 1;
                return Some(n);
            }
            None
        })
    }
    pub fn child_by_field(&self, field: Field) -> Option<Node<'t>> {
        self.children().find(|c| c.field() == field)
    }
    pub fn children_by_field(&self, field: Field) -> impl Iterator<Item = Node<'t>> + 't {
        self.children().filter(move |c| c.field() == field)
    }
    pub fn first_named_child(&self) -> Option<Node<'t>> {
        self.named_children().next()
    }
    pub fn child_of_kind(&self, kind: SyntaxKind) -> Option<Node<'t>> {
        self.children().find(|c| c.is(kind))
    }
    pub fn next_named_sibling(&self) -> Option<Node<'t>> {
        let parent = self.parent()?;
        let end = parent.data().subtree_end;
        let mut cur = self.data().subtree_end;
        while cur < end {
            let n = Node {
                tree: self.tree,
                id: cur,
            };
            if n.is_named() && !n.is(SyntaxKind::Comment) {
                return Some(n);
            }
            cur = n.data().subtree_end;
        }
        None
    }
    pub fn prev_named_sibling(&self) -> Option<Node<'t>> {
        let parent = self.parent()?;
        parent
            .named_children()
            .take_while(|c| c.id != self.id)
            .last()
    }
    /// Whether `other` lies inside this node's subtree (or is this node).
    pub fn contains(&self, other: Node<'_>) -> bool {
        other.id >= self.id && other.id < self.data().subtree_end
    }
    /// Strips parentheses.
    pub fn unparenthesized(self) -> Node<'t> {
        let mut n = self;
        while n.is(SyntaxKind::ParenthesizedExpression) {
            match n.first_named_child() {
                Some(c) => n = c,
                None => break,
            }
        }
        n
    }
}
