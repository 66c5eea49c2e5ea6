//! ASYNC405 cancellation-source-not-disposed: a `CancellationTokenSource` created into a
//! local that is never disposed.

use crate::diagnostic::Severity;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{declarator_value, FileModel};
use crate::syntax::views::{Invocation, MemberAccess};
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC405",
    name: "cancellation-source-not-disposed",
    family: Family::Cancellation,
    summary: "A CancellationTokenSource stored in a local that is never disposed",
    default_severity: Severity::Info,
    severity: severity::info,
    fixable: false,
    kinds: &[
        SyntaxKind::VariableDeclarator,
        SyntaxKind::AssignmentExpression,
    ],
    tokens: &["CancellationTokenSource"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags `new CancellationTokenSource(..)` and \
`CancellationTokenSource.CreateLinkedTokenSource(..)` stored in a local variable that the \
method never disposes — no `using`, no `Dispose()` — and never hands to anyone else.",
        why: "A linked source registers a callback on each parent token; until it is \
disposed, that registration (and the source with everything it references) lives as long \
as the parent, which for an application-lifetime token means forever: a leak per call. A \
source with a timeout (`new CancellationTokenSource(delay)`, `CancelAfter`) holds a timer \
until it is disposed.",
        example: r#"
using System;
using System.Threading;
using System.Threading.Tasks;

class Poller
{
    public async Task PollAsync(CancellationToken shutdown)
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        linked.CancelAfter(TimeSpan.FromSeconds(5));
        await Task.Delay(1000, linked.Token);
    }
}
"#,
        use_instead: r#"
using System;
using System.Threading;
using System.Threading.Tasks;

class Poller
{
    public async Task PollAsync(CancellationToken shutdown)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        linked.CancelAfter(TimeSpan.FromSeconds(5));
        await Task.Delay(1000, linked.Token);
    }
}
"#,
        silent_when: "The local is declared with `using` (or later given to a `using`), \
disposed anywhere in the method (`cts.Dispose()`, `cts?.Dispose()`, also inside a callback \
or `finally`), or escapes: returned, stored in a field, property or collection, passed to a \
method or constructor, assigned to another variable, captured as a whole. Sources stored \
directly in fields and properties (their owner disposes them).",
        fix: "None offered: where the source's lifetime ends is a design decision. Declare it \
with `using var` when it lives for the method, or dispose it where its work ends.",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let (name, value, declared_ty) = match node.kind() {
        SyntaxKind::VariableDeclarator => {
            let Some(decl) = node
                .parent()
                .filter(|p| p.is(SyntaxKind::VariableDeclaration))
            else {
                return;
            };
            let Some(stmt) = decl.parent() else { return };
            // `using var x = ..` and `using (var x = ..)` dispose it; fields are not locals.
            if !stmt.is(SyntaxKind::LocalDeclarationStatement)
                || stmt
                    .children()
                    .any(|c| !c.is_named() && c.text() == "using")
            {
                return;
            }
            let Some(name) = node.child_by_field(Field::Name) else {
                return;
            };
            let Some(value) = declarator_value(node) else {
                return;
            };
            let ty = decl
                .child_by_field(Field::Type)
                .and_then(|t| Ty::parse(t.text()));
            (name, value, ty)
        }
        SyntaxKind::AssignmentExpression => {
            if node.child_by_field(Field::Operator).map(|o| o.text()) != Some("=") {
                return;
            }
            let Some(left) = node
                .child_by_field(Field::Left)
                .filter(|l| l.is(SyntaxKind::Identifier))
            else {
                return;
            };
            let Some(value) = node.child_by_field(Field::Right) else {
                return;
            };
            // Cheap test first: most assignments create no token source.
            if creation(value.unparenthesized(), None).is_none() {
                return;
            }
            if !is_local_declared_before(model, left) {
                return;
            }
            (left, value, None)
        }
        _ => return,
    };
    let value = value.unparenthesized();
    let Some(what) = creation(value, declared_ty.as_ref()) else {
        return;
    };
    let Some(body) = model.function_of(node).and_then(|f| f.body()) else {
        return;
    };
    if disposed_or_escapes(body, name) {
        return;
    }
    let message = format!(
        "`{}` holds {what} that is never disposed: declare it with `using var` or call `Dispose()` when its work ends",
        name.text()
    );
    ctx.report(value, message);
}

/// `new CancellationTokenSource(..)`, `new()` into a `CancellationTokenSource` variable, or
/// `CancellationTokenSource.CreateLinkedTokenSource(..)`: what the message calls it.
fn creation(value: Node<'_>, declared: Option<&Ty>) -> Option<&'static str> {
    let is_cts = |t: &Ty| t.name == "CancellationTokenSource" && t.arrays == 0;
    match value.kind() {
        SyntaxKind::ObjectCreationExpression => value
            .child_by_field(Field::Type)
            .and_then(|t| Ty::parse(t.text()))
            .filter(is_cts)
            .map(|_| "a CancellationTokenSource"),
        SyntaxKind::ImplicitObjectCreationExpression => declared
            .filter(|t| is_cts(t))
            .map(|_| "a CancellationTokenSource"),
        SyntaxKind::InvocationExpression => {
            let inv = Invocation::cast(value)?;
            let recv = inv.receiver()?;
            (inv.name_text() == "CreateLinkedTokenSource"
                && recv.text().rsplit('.').next() == Some("CancellationTokenSource"))
            .then_some("a linked CancellationTokenSource")
        }
        _ => None,
    }
}

/// A local of the enclosing function, declared before the assignment.
fn is_local_declared_before<'t>(model: &FileModel<'t>, ident: Node<'t>) -> bool {
    let Some(body) = model.function_of(ident).and_then(|f| f.body()) else {
        return false;
    };
    body.descendants().any(|d| {
        d.is(SyntaxKind::VariableDeclarator)
            && d.start() < ident.start()
            && d.child_by_field(Field::Name).map(|n| n.text()) == Some(ident.text())
            && d.parent()
                .and_then(|p| p.parent())
                .is_some_and(|s| s.is(SyntaxKind::LocalDeclarationStatement))
    })
}

/// Whether any use of the variable in the function disposes it or lets it escape. A use that
/// only reads a member (`cts.Token`, `cts.Cancel()`, `cts.CancelAfter(..)`) or assigns it a
/// new value does neither.
fn disposed_or_escapes(body: Node<'_>, name: Node<'_>) -> bool {
    let text = name.text();
    for d in body.descendants() {
        if !d.is(SyntaxKind::Identifier) || d.text() != text || d == name {
            continue;
        }
        let Some(parent) = d.parent() else {
            return true;
        };
        match parent.kind() {
            SyntaxKind::MemberAccessExpression => {
                let Some(ma) = MemberAccess::cast(parent) else {
                    return true;
                };
                if ma.receiver != d {
                    continue; // `other.cts`: another variable's member
                }
                if matches!(ma.name_text(), "Dispose" | "DisposeAsync") {
                    return true;
                }
            }
            SyntaxKind::ConditionalAccessExpression => {
                if parent.child_by_field(Field::Condition) != Some(d) {
                    return true;
                }
                if parent.text().contains("Dispose") {
                    return true;
                }
            }
            SyntaxKind::AssignmentExpression
                if parent.child_by_field(Field::Left) == Some(d)
                    && parent.child_by_field(Field::Operator).map(|o| o.text()) == Some("=") => {}
            SyntaxKind::VariableDeclarator if parent.child_by_field(Field::Name) == Some(d) => {
                // Another declaration of the same name (a sibling scope): not a use.
            }
            SyntaxKind::Argument
                if parent
                    .parent()
                    .and_then(|l| l.parent())
                    .is_some_and(|c| c.text().starts_with("nameof")) => {}
            _ => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::project::ProjectKind;
    use crate::rules::harness::*;

    #[test]
    fn docs() {
        assert_docs(&RULE, ProjectKind::Library);
    }

    #[test]
    fn flags_sources_never_disposed() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.Threading;
using System.Threading.Tasks;
class C {
    async Task M(CancellationToken ct) {
        var cts = new CancellationTokenSource(); // ~ASYNC405
        cts.CancelAfter(1000);
        await Task.Delay(1, cts.Token);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, cts.Token); // ~ASYNC405
        await Task.Delay(1, linked.Token);
        CancellationTokenSource typed = new(TimeSpan.FromSeconds(1)); // ~ASYNC405
        typed.Cancel();
        CancellationTokenSource later;
        later = new CancellationTokenSource(); // ~ASYNC405
        Register(() => later.Cancel());
    }
    void Register(Action a) { }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_disposed_or_handed_over() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
class C {
    private CancellationTokenSource _field = new CancellationTokenSource();
    private CancellationTokenSource Prop { get; set; } = new CancellationTokenSource();
    private readonly List<CancellationTokenSource> _all = new();
    async Task M(CancellationToken ct) {
        using var a = new CancellationTokenSource();
        using (var b = CancellationTokenSource.CreateLinkedTokenSource(ct)) { }
        var c = new CancellationTokenSource();
        try { await Task.Delay(1, c.Token); } finally { c.Dispose(); }
        var d = new CancellationTokenSource();
        d?.Dispose();
        var e = new CancellationTokenSource();
        _field = e;
        var f = new CancellationTokenSource();
        _all.Add(f);
        var g = new CancellationTokenSource();
        using (g) { }
        var h = new CancellationTokenSource();
        _ = Task.Delay(1).ContinueWith(_ => h.Dispose());
        var i = new CancellationTokenSource();
        Prop = i;
        _field = new CancellationTokenSource();
        var k = new CancellationTokenSource();
        var alias = k;
        alias.Dispose();
        var unrelated = new System.Threading.CancellationTokenSource();
        Keep(unrelated);
    }
    CancellationTokenSource Make() { var s = new CancellationTokenSource(); return s; }
    (CancellationTokenSource, int) Pair() { var s = new CancellationTokenSource(); return (s, 1); }
    void Keep(CancellationTokenSource s) { }
}
"#,
            ProjectKind::Library,
        );
    }
}
