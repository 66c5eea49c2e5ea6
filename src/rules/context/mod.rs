//! 3xx: context — `ConfigureAwait` and the SynchronizationContext.

pub mod configure_await_false_in_ui;
pub mod missing_configure_await;

use crate::diagnostic::Edit;
use crate::syntax::{Node, SyntaxKind};

/// The edits that append `.Member(..)` to an expression: parenthesized first unless it is
/// already a primary expression (`(a ?? b).ConfigureAwait(false)`).
pub(crate) fn append_member(expr: Node<'_>, suffix: &str) -> Vec<Edit> {
    let primary = matches!(
        expr.kind(),
        SyntaxKind::Identifier
            | SyntaxKind::InvocationExpression
            | SyntaxKind::MemberAccessExpression
            | SyntaxKind::ElementAccessExpression
            | SyntaxKind::ParenthesizedExpression
            | SyntaxKind::ThisExpression
            | SyntaxKind::GenericName
    );
    if primary {
        vec![Edit::insert(expr.end(), suffix)]
    } else {
        vec![
            Edit::insert(expr.start(), "("),
            Edit::insert(expr.end(), format!("){suffix}")),
        ]
    }
}

/// The anonymous `await` token of an `await foreach` / `await using` statement.
pub(crate) fn await_keyword<'t>(stmt: Node<'t>) -> Option<Node<'t>> {
    stmt.children()
        .take_while(|c| !c.is_named() || c.is(SyntaxKind::Comment))
        .find(|c| !c.is_named() && c.text() == "await")
}

/// Whether an awaited or disposed expression is a `ConfigureAwait(..)` result: a call of it,
/// or a local (or a call or member read on one, down the receivers) initialized with one —
/// `var e = source.ConfigureAwait(false).GetAsyncEnumerator(); await e.MoveNextAsync();`.
/// Awaiting a configured task gives a plain value: the walk does not enter `await`.
pub(crate) fn configured_origin<'t>(
    model: &crate::semantic::FileModel<'t>,
    expr: Node<'t>,
) -> bool {
    use crate::syntax::views::{Invocation, MemberAccess};
    let mut e = expr.unparenthesized();
    for _ in 0..16 {
        if let Some(inv) = Invocation::cast(e) {
            if inv.name_text() == "ConfigureAwait" {
                return true;
            }
        }
        e = match e.kind() {
            SyntaxKind::Identifier => match local_initializer(model, e) {
                Some(init) => init.unparenthesized(),
                None => return false,
            },
            SyntaxKind::InvocationExpression => {
                match Invocation::cast(e).and_then(|i| i.receiver()) {
                    Some(r) => r.unparenthesized(),
                    None => return false,
                }
            }
            SyntaxKind::MemberAccessExpression => match MemberAccess::cast(e) {
                Some(m) => m.receiver.unparenthesized(),
                None => return false,
            },
            _ => return false,
        };
    }
    false
}

/// The initializer of the nearest local declared before `ident` with its name, in the
/// functions around it.
pub(crate) fn local_initializer<'t>(
    model: &crate::semantic::FileModel<'t>,
    ident: Node<'t>,
) -> Option<Node<'t>> {
    let name = ident.text();
    let mut f = model.function_of(ident);
    while let Some(func) = f {
        let body = func.body()?;
        let found = body
            .descendants()
            .filter(|d| {
                d.is(SyntaxKind::VariableDeclarator)
                    && d.end() <= ident.start()
                    && d.child_by_field(crate::syntax::Field::Name)
                        .map(|n| n.text())
                        == Some(name)
            })
            .last();
        if let Some(d) = found {
            return crate::semantic::declarator_value(d);
        }
        f = model.outer_function(func);
    }
    None
}
