//! Helpers that several rules share: where `await` may be written, and how to write it.

use crate::semantic::FileModel;
use crate::syntax::{Field, Node, SyntaxKind};

/// Whether an `await` may stand at `node`: not inside a `lock`, an `unsafe` block, a query
/// expression or a catch filter, up to the enclosing function.
pub fn await_allowed_at(model: &FileModel<'_>, node: Node<'_>) -> bool {
    let Some(ctx) = model.context_of(node) else {
        return false;
    };
    if !ctx.is_async {
        return false;
    }
    for a in node.ancestors() {
        if a == ctx.function.node {
            return true;
        }
        if a.is(SyntaxKind::LockStatement)
            || a.is(SyntaxKind::UnsafeStatement)
            || a.is(SyntaxKind::QueryExpression)
            || a.text().starts_with("when")
                && a.parent().is_some_and(|p| p.is(SyntaxKind::CatchClause))
        {
            return false;
        }
    }
    true
}

/// `await <operand>`, parenthesized when the expression being replaced is the receiver of
/// a member access, an element access, a call, or a conditional access.
pub fn await_text(replaced: Node<'_>, operand: &str) -> String {
    let needs_parens = replaced.parent().is_some_and(|p| match p.kind() {
        SyntaxKind::MemberAccessExpression => p.child_by_field(Field::Expression) == Some(replaced),
        SyntaxKind::ElementAccessExpression => {
            p.child_by_field(Field::Expression) == Some(replaced)
        }
        SyntaxKind::InvocationExpression => p.child_by_field(Field::Function) == Some(replaced),
        SyntaxKind::ConditionalAccessExpression => {
            p.child_by_field(Field::Condition) == Some(replaced)
        }
        _ => false,
    });
    if needs_parens {
        format!("(await {operand})")
    } else {
        format!("await {operand}")
    }
}

/// Whether the node is the whole expression of an expression statement.
pub fn is_statement_expression(node: Node<'_>) -> bool {
    node.parent()
        .is_some_and(|p| p.is(SyntaxKind::ExpressionStatement))
}

/// Whether the node sits inside a `try` whose catch clauses catch `AggregateException`
/// (replacing a blocking wait by `await` changes which exception arrives there).
pub fn inside_aggregate_catch(node: Node<'_>) -> bool {
    node.ancestors().any(|a| {
        a.is(SyntaxKind::TryStatement)
            && a.children()
                .filter(|c| c.is(SyntaxKind::CatchClause))
                .any(|c| c.text().contains("AggregateException"))
    })
}

/// Whether a node is on the synchronous path of code that chooses between sync and async
/// with a flag named like `async` (`if (async) await ReadAsync(); else Read();`,
/// `async ? await X() : Y()`, `if (async) { await X(); return; } Y();`) — the pattern of
/// Npgsql and EF Core, where the sync path runs only for sync callers.
pub fn in_sync_branch(node: Node<'_>) -> bool {
    let mut child = node;
    for a in node.ancestors() {
        if crate::syntax::views::is_function(a) {
            return false;
        }
        match a.kind() {
            SyntaxKind::IfStatement | SyntaxKind::ConditionalExpression => {
                if let Some(positive) = a.child_by_field(Field::Condition).and_then(async_flag) {
                    let branch = if positive {
                        Field::Alternative
                    } else {
                        Field::Consequence
                    };
                    if a.child_by_field(branch) == Some(child) {
                        return true;
                    }
                }
            }
            SyntaxKind::Block => {
                // An earlier `if (async) { ...; return; }` leaves only sync callers here.
                let earlier_exit = a.named_children().take_while(|c| *c != child).any(|s| {
                    s.is(SyntaxKind::IfStatement)
                        && s.child_by_field(Field::Alternative).is_none()
                        && s.child_by_field(Field::Condition).and_then(async_flag) == Some(true)
                        && s.child_by_field(Field::Consequence).is_some_and(|c| {
                            c.is(SyntaxKind::ReturnStatement)
                                || c.is(SyntaxKind::ThrowStatement)
                                || c.named_children().last().is_some_and(|l| {
                                    l.is(SyntaxKind::ReturnStatement)
                                        || l.is(SyntaxKind::ThrowStatement)
                                })
                        })
                });
                if earlier_exit {
                    return true;
                }
            }
            _ => {}
        }
        child = a;
    }
    false
}

/// `async`, `isAsync`, `_async`, `this.IsAsync` → `Some(true)`; their negation → `Some(false)`.
fn async_flag(cond: Node<'_>) -> Option<bool> {
    let c = cond.unparenthesized();
    if c.is(SyntaxKind::PrefixUnaryExpression) && c.text().starts_with('!') {
        return async_flag(c.first_named_child()?).map(|p| !p);
    }
    let name = match c.kind() {
        SyntaxKind::Identifier => c.text(),
        SyntaxKind::MemberAccessExpression => c.child_by_field(Field::Name)?.text(),
        _ => return None,
    };
    name.to_ascii_lowercase().contains("async").then_some(true)
}

/// A call that passes `false` for a parameter named like `async` (`Read(async: false)`,
/// `Flush(false)` when the declaration says `bool async`): its task completes
/// synchronously, so blocking on it cannot deadlock.
pub fn runs_synchronously(model: &FileModel<'_>, task: Node<'_>) -> bool {
    let Some(inv) = crate::syntax::views::Invocation::cast(task.unparenthesized()) else {
        return false;
    };
    let args = inv.args();
    let is_false = |a: &crate::syntax::views::Argument<'_>| a.value.text().trim() == "false";
    if args.iter().any(|a| {
        is_false(a)
            && a.name
                .is_some_and(|n| n.text().to_ascii_lowercase().contains("async"))
    }) {
        return true;
    }
    let candidates = model.callee_candidates(&inv);
    args.iter().enumerate().any(|(i, a)| {
        a.name.is_none()
            && is_false(a)
            && !candidates.is_empty()
            && candidates.iter().all(|m| {
                m.param_names
                    .get(i)
                    .is_some_and(|n| n.to_ascii_lowercase().contains("async"))
            })
    })
}
