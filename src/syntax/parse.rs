//! Parsing: one tree-sitter parser per thread, the `async`-identifier workaround, and the
//! conversion of the tree-sitter tree into the flat [`SyntaxTree`].

use super::kinds::table;
use super::{NodeData, SyntaxTree, NO_NODE};
use std::cell::RefCell;

thread_local! {
    static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
}

/// Parses C# source. Never panics; a file the parser gives up on yields a tree with errors.
pub fn parse(source: &str) -> SyntaxTree {
    let masked = mask_async_identifiers(source);
    parse_text(source, masked.as_deref().unwrap_or(source))
}

/// Parses C# source without the contents of some member bodies: each range in `elide`
/// (sorted, not overlapping) must be the body of a method, constructor, destructor or
/// operator: a block, `{` to `}`, or the expression of an expression body (from its first
/// byte, which must be ASCII, to its end, before the `;`). The parser never reads a block's
/// inside (tree-sitter's included ranges: byte offsets stay those of the file), so the tree
/// holds an empty block there and costs nothing for it; of an expression it reads the first
/// byte only, as `0` (the tree holds an integer literal one byte long there). `masked` is
/// what [`mask_async_identifiers`] returned for `source`. If the result has a syntax error
/// or a range is not such a body in the tree, the file is parsed whole instead: eliding
/// never changes what the rest of the tree looks like.
pub fn parse_eliding(source: &str, masked: Option<String>, elide: &[(u32, u32)]) -> SyntaxTree {
    let text = masked.as_deref().unwrap_or(source);
    if elide.is_empty() {
        return parse_text(source, text);
    }
    // An expression body is read as `0`: the first byte replaced in a copy (ASCII for
    // ASCII, so the copy stays UTF-8 and offsets stay those of the file).
    let placeheld: Option<String> = elide
        .iter()
        .any(|&(s, _)| !is_block_range(text, s))
        .then(|| {
            let mut bytes = text.as_bytes().to_vec();
            for &(s, _) in elide {
                if !is_block_range(text, s) && bytes[s as usize].is_ascii() {
                    bytes[s as usize] = b'0';
                }
            }
            String::from_utf8(bytes).ok()
        })
        .flatten();
    let read = placeheld.as_deref().unwrap_or(text);
    // The parser reads only what lies outside the bodies' insides (tree-sitter's included
    // ranges: offsets stay those of the file).
    let ranges = outside(read, elide);
    let mut tree = parse_ranges(source, read, &ranges);
    // A body the skim misread would leave code outside any block: errors. Fall back then.
    if tree.error_count == 0
        && elide
            .iter()
            .all(|&(s, e)| is_elided_body(&tree, read, s, e))
    {
        tree.elided = elide.to_vec();
        return tree;
    }
    drop(tree);
    FALLBACKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    parse(source)
}

/// How many files [`parse_eliding`] parsed twice (the blanked parse did not check out).
pub static FALLBACKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Whether an elided range starting at `start` is a block (`{`), not an expression.
pub(crate) fn is_block_range(text: &str, start: u32) -> bool {
    text.as_bytes().get(start as usize) == Some(&b'{')
}

/// Whether the tree has, exactly where the elided range `start..end` lies, the body of a
/// method-like member: a block `start..end`, or the `0` read for an expression body as the
/// whole expression of the member's `=>` clause.
fn is_elided_body(tree: &SyntaxTree, read: &str, start: u32, end: u32) -> bool {
    use super::SyntaxKind as K;
    let block = is_block_range(read, start);
    if !block && read.as_bytes().get(start as usize) != Some(&b'0') {
        return false;
    }
    let method_like = |id: u32| {
        tree.nodes.get(id as usize).is_some_and(|p| {
            matches!(
                p.kind,
                K::MethodDeclaration
                    | K::ConstructorDeclaration
                    | K::DestructorDeclaration
                    | K::OperatorDeclaration
                    | K::ConversionOperatorDeclaration
            )
        })
    };
    let first = tree.nodes.partition_point(|n| n.start < start);
    tree.nodes[first..]
        .iter()
        .take_while(|n| n.start == start)
        .any(|n| {
            if n.has_error {
                return false;
            }
            if block {
                return n.kind == K::Block && n.end == end && method_like(n.parent);
            }
            n.kind == K::IntegerLiteral
                && n.end == start + 1
                && tree.nodes.get(n.parent as usize).is_some_and(|clause| {
                    clause.kind == K::ArrowExpressionClause
                        && clause.end == start + 1
                        && method_like(clause.parent)
                })
        })
}

/// The byte ranges of `text` outside the insides of `elide` (a block's `{` and `}` kept,
/// an expression's first byte kept), with their row/column points.
fn outside(text: &str, elide: &[(u32, u32)]) -> Vec<tree_sitter::Range> {
    let bytes = text.as_bytes();
    let mut cuts: Vec<usize> = Vec::with_capacity(elide.len() * 2 + 2);
    cuts.push(0);
    for &(s, e) in elide {
        cuts.push(s as usize + 1);
        cuts.push(if is_block_range(text, s) {
            e as usize - 1
        } else {
            e as usize
        });
    }
    cuts.push(bytes.len());
    // Points for every cut, in one pass over the text.
    let mut points = Vec::with_capacity(cuts.len());
    let (mut row, mut line_start, mut at) = (0usize, 0usize, 0usize);
    for &c in &cuts {
        for (i, &b) in bytes[at..c].iter().enumerate() {
            if b == b'\n' {
                row += 1;
                line_start = at + i + 1;
            }
        }
        at = c;
        points.push(tree_sitter::Point::new(row, c - line_start));
    }
    cuts.chunks(2)
        .zip(points.chunks(2))
        .map(|(c, p)| tree_sitter::Range {
            start_byte: c[0],
            end_byte: c[1],
            start_point: p[0],
            end_point: p[1],
        })
        .collect()
}

fn parse_text(source: &str, text: &str) -> SyntaxTree {
    parse_ranges(source, text, &[])
}

/// Parses `text` (the source, possibly masked), only `ranges` of it when given.
fn parse_ranges(source: &str, text: &str, ranges: &[tree_sitter::Range]) -> SyntaxTree {
    let ts_tree = PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let parser = slot.get_or_insert_with(|| {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&tree_sitter_c_sharp::LANGUAGE.into())
                .expect("the C# grammar matches the tree-sitter version");
            p
        });
        if ranges.is_empty() {
            return parser.parse(text, None);
        }
        if parser.set_included_ranges(ranges).is_err() {
            let _ = parser.set_included_ranges(&[]);
            return parser.parse(text, None);
        }
        let tree = parser.parse(text, None);
        let _ = parser.set_included_ranges(&[]);
        tree
    });
    let mut tree = SyntaxTree {
        source: source.to_owned(),
        nodes: Vec::new(),
        error_count: 0,
        elided: Vec::new(),
    };
    if let Some(ts_tree) = ts_tree {
        flatten(&ts_tree, &mut tree);
    }
    tree
}

/// tree-sitter-c-sharp cannot parse `async` used as an identifier (`bool async` parameters,
/// `async: true` arguments, `if (async)`), which EF Core and Npgsql do in hundreds of files.
/// Every `async` word that cannot be the modifier (the modifier is always followed by a
/// type, an identifier, `(`, `delegate` or another modifier) is replaced by a placeholder
/// of the same length, so byte offsets stay valid. Returns `None` when nothing changed.
pub fn mask_async_identifiers(source: &str) -> Option<String> {
    let bytes = source.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    for pos in memchr::memmem::find_iter(bytes, b"async") {
        let before = pos.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(pos + 5).copied();
        let is_word_char = super::is_ident_byte;
        if before.is_some_and(is_word_char) || after.is_some_and(is_word_char) {
            continue;
        }
        if before == Some(b'@') {
            continue; // `@async` parses already
        }
        let next = bytes[pos + 5..]
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace());
        let prev = bytes[..pos]
            .iter()
            .rev()
            .copied()
            .find(|b| !b.is_ascii_whitespace());
        let identifier_next = matches!(
            next,
            Some(
                b')' | b','
                    | b';'
                    | b':'
                    | b'?'
                    | b'='
                    | b'&'
                    | b'|'
                    | b'.'
                    | b']'
                    | b'}'
                    | b'^'
                    | b'!'
                    | b'+'
                    | b'-'
                    | b'*'
                    | b'/'
                    | b'%'
                    | b'<'
                    | b'>'
            )
        );
        // `async =>` is a lambda whose parameter is named async; `async ==` a comparison.
        let identifier_prev = matches!(prev, Some(b'!' | b'.'));
        if identifier_next || identifier_prev {
            let buf = out.get_or_insert_with(|| bytes.to_vec());
            buf[pos..pos + 5].copy_from_slice(b"_sync");
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes, so the result is valid UTF-8.
    out.map(|b| String::from_utf8(b).expect("ASCII-for-ASCII replacement keeps UTF-8"))
}

fn flatten(ts_tree: &tree_sitter::Tree, tree: &mut SyntaxTree) {
    let table = table();
    let mut cursor = ts_tree.walk();
    let mut stack: Vec<u32> = Vec::new();
    let nodes = &mut tree.nodes;
    loop {
        let node = cursor.node();
        let field = cursor
            .field_id()
            .map(|f| {
                table
                    .fields
                    .get(f.get() as usize)
                    .copied()
                    .unwrap_or(super::Field::Other)
            })
            .unwrap_or(super::Field::None);
        let kind = table
            .kinds
            .get(node.kind_id() as usize)
            .copied()
            .unwrap_or(super::SyntaxKind::Other);
        let is_error = node.is_error() || node.is_missing();
        if is_error {
            tree.error_count += 1;
        }
        let id = nodes.len() as u32;
        nodes.push(NodeData {
            kind: if node.is_missing() {
                super::SyntaxKind::Error
            } else {
                kind
            },
            field,
            named: node.is_named(),
            has_error: node.has_error() || is_error,
            start: node.start_byte() as u32,
            end: node.end_byte() as u32,
            parent: stack.last().copied().unwrap_or(NO_NODE),
            subtree_end: id + 1,
        });
        if cursor.goto_first_child() {
            stack.push(id);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                let total = nodes.len() as u32;
                for &open in &stack {
                    nodes[open as usize].subtree_end = total;
                }
                return;
            }
            let closed = stack.pop().expect("parent on the stack");
            nodes[closed as usize].subtree_end = nodes.len() as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::SyntaxKind;

    #[test]
    fn masks_async_identifiers_only() {
        let src = "async Task F(bool async) { if (async) G(async: true); var f = async () => 1; }";
        let masked = mask_async_identifiers(src).unwrap();
        assert_eq!(
            masked,
            "async Task F(bool _sync) { if (_sync) G(_sync: true); var f = async () => 1; }"
        );
        assert!(mask_async_identifiers("async Task F() {}").is_none());
    }

    #[test]
    fn async_parameters_parse_cleanly() {
        let src = "class C { Task F(bool async, CancellationToken ct) => G(async, ct); void H() { F(async: true, default); } }";
        let tree = parse(src);
        assert!(!tree.has_errors());
        // The source text is the original.
        assert!(tree.root().text().contains("bool async"));
    }

    #[test]
    fn flat_tree_links_parents_and_subtrees() {
        let tree = parse("class C { void M() { F(1 + 2); } }");
        for n in tree.iter().skip(1) {
            let p = n.parent().unwrap();
            assert!(p.contains(n));
            assert!(p.children().any(|c| c == n));
        }
        let inv = tree
            .iter()
            .find(|n| n.is(SyntaxKind::InvocationExpression))
            .unwrap();
        assert_eq!(inv.text(), "F(1 + 2)");
    }

    #[test]
    fn elided_bodies_parse_as_empty_blocks_at_the_same_offsets() {
        let src =
            "class C {\r\n  void A() { var s = \"é}\"; F(1);\r\n }\r\n  void B() { G(); }\r\n}";
        let open = src.find("{ var").unwrap() as u32;
        let close = src.find(" }\r\n  void B").unwrap() as u32 + 2;
        let tree = parse_eliding(src, mask_async_identifiers(src), &[(open, close)]);
        assert_eq!(tree.elided(), &[(open, close)]);
        assert!(!tree.has_errors());
        assert!(!tree.iter().any(|n| n.text() == "F(1)"), "not parsed");
        // What follows is where a full parse puts it, and the text is the original.
        let full = parse(src);
        let g = |t: &SyntaxTree| {
            t.iter()
                .find(|n| n.is(SyntaxKind::InvocationExpression) && n.text() == "G()")
                .map(|n| n.range())
        };
        assert!(g(&tree).is_some());
        assert_eq!(g(&tree), g(&full));
        assert_eq!(tree.elided_mentions("F").count(), 1);
        assert!(!tree.elided_mentions_besides_calls("F"));
    }

    #[test]
    fn elided_expression_bodies_parse_as_one_literal() {
        let src = "class C {\n  int A(int x) => F(x,\n    \"é\") + 1;\n  void B() => G();\n}";
        let start = src.find("F(x").unwrap() as u32;
        let end = src.find(";\n  void").unwrap() as u32;
        let tree = parse_eliding(src, mask_async_identifiers(src), &[(start, end)]);
        assert_eq!(tree.elided(), &[(start, end)]);
        assert!(!tree.has_errors());
        assert!(!tree
            .iter()
            .any(|n| n.is(SyntaxKind::InvocationExpression) && n.text().starts_with('F')));
        let literal = tree
            .iter()
            .find(|n| n.start() == start as usize && n.is(SyntaxKind::IntegerLiteral));
        assert!(literal.is_some_and(|n| n.end() == start as usize + 1));
        let g = |t: &SyntaxTree| {
            t.iter()
                .find(|n| n.is(SyntaxKind::InvocationExpression) && n.text() == "G()")
                .map(|n| n.range())
        };
        assert!(g(&tree).is_some());
        assert_eq!(g(&tree), g(&parse(src)));
        assert_eq!(tree.elided_mentions("F").count(), 1);
        // A property's expression is not a method body: parsed whole.
        let src = "class C { int P => F(); void M() => G(); }";
        let start = src.find("F()").unwrap() as u32;
        let tree = parse_eliding(src, None, &[(start, start + 3)]);
        assert!(tree.elided().is_empty());
        assert!(tree.iter().any(|n| n.text() == "F()"));
    }

    #[test]
    fn a_range_that_is_not_a_method_body_falls_back_to_a_full_parse() {
        let src = "class C { int[] a = { 1, 2 }; void M() { F(); } }";
        let open = src.find("{ 1").unwrap() as u32;
        let end = src.find(" void").unwrap() as u32 - 1;
        let tree = parse_eliding(src, None, &[(open, end)]);
        assert!(tree.elided().is_empty());
        assert!(tree.iter().any(|n| n.text() == "1"));
        // A range the skim misread (ends early): the blanked text has errors, so the file
        // is parsed whole.
        let src = "class C { void M() { if (x) { F(); } G(); } }";
        let open = src.find("{ if").unwrap() as u32;
        let early = src.find("} G").unwrap() as u32 + 1;
        let tree = parse_eliding(src, None, &[(open, early)]);
        assert!(tree.elided().is_empty());
        assert!(tree.iter().any(|n| n.text() == "G()"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 5000;
        let src = format!(
            "class C {{ int M() => {}1{}; }}",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let tree = parse(&src);
        let deepest = tree.iter().map(|n| n.ancestors().count()).max().unwrap();
        assert!(deepest > depth, "{deepest}");
    }
}
