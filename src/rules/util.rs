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
