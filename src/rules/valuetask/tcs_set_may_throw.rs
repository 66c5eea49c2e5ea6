//! ASYNC504 tcs-set-may-throw: `tcs.SetResult/SetException/SetCanceled` in a callback
//! while another path can complete the same source.

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rules::util::{has_catch_all, is_statement_expression, variable_key};
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::FileModel;
use crate::syntax::views::{is_function, Function, FunctionKind, Invocation, MemberAccess};
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC504",
    name: "tcs-set-may-throw",
    family: Family::ValueTask,
    summary: "TaskCompletionSource.SetResult/SetException/SetCanceled in a callback that races another completion",
    default_severity: Severity::Info,
    severity: severity::info,
    fixable: true,
    kinds: &[SyntaxKind::InvocationExpression],
    tokens: &["SetResult", "SetException", "SetCanceled"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags `tcs.SetResult(..)`, `tcs.SetException(..)` and `tcs.SetCanceled(..)` on \
a `TaskCompletionSource` when the call stands in a callback — a lambda, an anonymous method, \
a local function, an event handler, or a method passed as a delegate — and another function \
(another callback, the method that set them up, another method of the type for a field) \
also completes the same source.",
        why: "A `TaskCompletionSource` completes once. `Set…` throws \
`InvalidOperationException` when the source is already complete; `TrySet…` returns `false`. \
When a timeout, a cancellation registration and an event all race to complete the same \
source, the loser's `Set…` throws — on a timer or I/O thread, inside an event raised by \
someone else's code, where nobody catches it and the process may go down.",
        example: r#"
using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

static class ProcessExtensions
{
    public static Task<int> WaitForExitCodeAsync(this Process process, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.EnableRaisingEvents = true;
        process.Exited += (sender, e) => tcs.SetResult(process.ExitCode);
        ct.Register(() => tcs.SetCanceled());
        return tcs.Task;
    }
}
"#,
        use_instead: r#"
using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

static class ProcessExtensions
{
    public static Task<int> WaitForExitCodeAsync(this Process process, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.EnableRaisingEvents = true;
        process.Exited += (sender, e) => tcs.TrySetResult(process.ExitCode);
        ct.Register(() => tcs.TrySetCanceled());
        return tcs.Task;
    }
}
"#,
        silent_when: "The `TrySet…` forms; a source completed from one place only (a single \
callback may use `Set…`: it cannot lose a race with itself); completions on exclusive \
branches of the same callback; calls outside callbacks (a plain method body runs once, in \
order); receivers the tool cannot show to be a `TaskCompletionSource` (an \
`AsyncTaskMethodBuilder`, a `ManualResetValueTaskSourceCore`, a project type with a \
`SetResult` method).",
        fix: "`SetResult` → `TrySetResult`, `SetException` → `TrySetException`, `SetCanceled` \
→ `TrySetCanceled` (same arguments). Offered only when the call is an expression statement: \
the `TrySet…` forms return `bool`, which a statement discards, while an expression-bodied \
lambda could change which delegate overload is chosen. Safe, unless a `try` around the call \
inside the callback catches the exception `Set…` threw, which the `TrySet…` form no longer \
throws: there it is unsafe.",
    },
};

const SETTERS: &[&str] = &["SetCanceled", "SetException", "SetResult"];
const COMPLETERS: &[&str] = &[
    "SetCanceled",
    "SetException",
    "SetResult",
    "TrySetCanceled",
    "TrySetException",
    "TrySetResult",
];

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let Some(inv) = Invocation::cast(node) else {
        return;
    };
    let method = inv.name_text();
    if !SETTERS.contains(&method) {
        return;
    }
    let model = ctx.model;
    let Some(recv) = inv.receiver() else { return };
    if !is_tcs(model, recv) {
        return;
    }
    let Some(context) = model.context_of(node) else {
        return;
    };
    let f = context.function;
    let Some(what) = callback_kind(&f, model) else {
        return;
    };
    let key = variable_key(recv);
    let Some(scope) = source_scope(node, recv, model) else {
        return;
    };
    let other_path = scope.descendants().any(|n| {
        n.is(SyntaxKind::InvocationExpression)
            && n != node
            && Invocation::cast(n).is_some_and(|o| {
                COMPLETERS.contains(&o.name_text())
                    && o.receiver().is_some_and(|r| variable_key(r) == key)
            })
            && model.function_of(n).map(|g| g.node) != Some(f.node)
    });
    if !other_path {
        return;
    }
    let source = recv.text();
    let message = format!(
        "`{source}.{method}` in {what} while another path also completes `{source}`: if that path wins, `{method}` throws InvalidOperationException here; use `Try{method}`"
    );
    let fix = if is_statement_expression(node) {
        inv.name().map(|name| Fix {
            message: format!("Use `Try{method}`"),
            applicability: if caught_inside(node, f) {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            },
            edits: vec![Edit::replace(name.range(), format!("Try{method}"))],
        })
    } else {
        None
    };
    if let Some(d) = ctx.report(node, message) {
        d.with_fix(fix);
    }
}

/// Whether the receiver is a BCL `TaskCompletionSource` / `TaskCompletionSource<T>`.
fn is_tcs<'t>(model: &FileModel<'t>, recv: Node<'t>) -> bool {
    !model.is_declared_type("TaskCompletionSource")
        && model
            .type_of(recv.unparenthesized())
            .is_some_and(|t| t.name == "TaskCompletionSource" && t.arrays == 0)
}

/// What kind of callback the function is, for the message; `None` for code that runs in
/// order (a method body that is not a handler, a constructor, an accessor).
fn callback_kind(f: &Function<'_>, model: &FileModel<'_>) -> Option<&'static str> {
    match f.kind {
        FunctionKind::Lambda => Some("a lambda"),
        FunctionKind::AnonymousMethod => Some("an anonymous method"),
        FunctionKind::LocalFunction => Some("a local function"),
        FunctionKind::Method => {
            let name = f.name_text();
            let params = f.parameters();
            let handler_signature = params.len() == 2
                && params[1]
                    .1
                    .and_then(|t| Ty::parse(t.text()))
                    .is_some_and(|t| t.name.ends_with("EventArgs"));
            if handler_signature || model.is_subscribed(name) {
                Some("an event handler")
            } else if passed_as_delegate(f, model) {
                Some("a callback")
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The method's name used as a method group argument in this file: `new Timer(OnTick)`,
/// `token.Register(this.OnCancel)`.
fn passed_as_delegate(f: &Function<'_>, model: &FileModel<'_>) -> bool {
    let name = f.name_text();
    model.tree().iter().any(|n| {
        n.is(SyntaxKind::Argument)
            && n.named_children().last().is_some_and(|v| {
                let v = v.unparenthesized();
                match v.kind() {
                    SyntaxKind::Identifier => v.text() == name,
                    SyntaxKind::MemberAccessExpression => MemberAccess::cast(v).is_some_and(|m| {
                        m.receiver.is(SyntaxKind::ThisExpression) && m.name_text() == name
                    }),
                    _ => false,
                }
            })
    })
}

/// Where other completions of the same source can be: the member that declares a local
/// source (its lambdas included), or the type for a field.
fn source_scope<'t>(node: Node<'t>, recv: Node<'t>, model: &FileModel<'t>) -> Option<Node<'t>> {
    let key = variable_key(recv);
    let root_name = key.split(['.', '[', '?']).next().unwrap_or("");
    let member = node.ancestors().filter(|a| is_function(*a)).last();
    if let Some(m) = member {
        let declared_here = m.descendants().any(|d| {
            (d.is(SyntaxKind::Parameter)
                || (d.is(SyntaxKind::VariableDeclarator)
                    && d.parent()
                        .and_then(|p| p.parent())
                        .is_some_and(|s| !s.is(SyntaxKind::FieldDeclaration))))
                && d.child_by_field(Field::Name)
                    .is_some_and(|n| n.text() == root_name)
        }) || Function::cast(m)
            .is_some_and(|f| f.parameters().iter().any(|(n, _)| n.text() == root_name));
        if declared_here {
            return Some(m);
        }
    }
    let ty = model.enclosing_type(node)?;
    Some(model.tree().node(ty.node))
}

/// A `try` inside the callback, around the call, that catches what `Set…` throws.
fn caught_inside(node: Node<'_>, f: Function<'_>) -> bool {
    for a in node.ancestors() {
        if a == f.node {
            return false;
        }
        if a.is(SyntaxKind::TryStatement)
            && (has_catch_all(a)
                || a.children()
                    .filter(|c| c.is(SyntaxKind::CatchClause))
                    .any(|c| c.text().contains("InvalidOperationException")))
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::diagnostic::Applicability;
    use crate::project::ProjectKind;
    use crate::rules::harness::*;

    #[test]
    fn docs() {
        assert_docs(&RULE, ProjectKind::Library);
    }

    #[test]
    fn flags_racing_completions_in_callbacks() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
class C {
    private TaskCompletionSource<bool> _done = new TaskCompletionSource<bool>();
    private Timer _timer;
    Task<int> Run(Process p, CancellationToken ct) {
        var tcs = new TaskCompletionSource<int>();
        p.Exited += (s, e) => tcs.SetResult(p.ExitCode); // ~ASYNC504
        ct.Register(() => tcs.SetCanceled()); // ~ASYNC504
        p.ErrorDataReceived += delegate { tcs.SetException(new IOException()); }; // ~ASYNC504
        return tcs.Task;
    }
    Task Local(Process p) {
        var tcs = new TaskCompletionSource<bool>();
        void Done() { tcs.SetResult(true); } // ~ASYNC504
        p.Exited += (s, e) => Done();
        if (p.HasExited) tcs.TrySetResult(true);
        return tcs.Task;
    }
    void Start() {
        _timer = new Timer(OnTimeout);
    }
    void OnTimeout(object state) { _done.SetCanceled(); } // ~ASYNC504
    void OnCompleted(object sender, EventArgs e) { _done.SetResult(true); } // ~ASYNC504
    void OnFailed(object sender, ErrorEventArgs e) {
        this._done.SetException(e.GetException()); // ~ASYNC504
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_single_completions_try_forms_and_other_types() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
class C {
    private TaskCompletionSource<bool> _done = new TaskCompletionSource<bool>();
    private ManualResetValueTaskSourceCore<int> _core;
    private AsyncTaskMethodBuilder<int> _builder;
    Task<int> One(Process p) {
        var tcs = new TaskCompletionSource<int>();
        p.Exited += (s, e) => tcs.SetResult(p.ExitCode);
        return tcs.Task;
    }
    Task<int> Branches(Process p) {
        var tcs = new TaskCompletionSource<int>();
        p.Exited += (s, e) => {
            if (p.ExitCode != 0) tcs.SetException(new Exception("failed"));
            else tcs.SetResult(0);
        };
        return tcs.Task;
    }
    Task<int> TryForms(Process p, CancellationToken ct) {
        var tcs = new TaskCompletionSource<int>();
        p.Exited += (s, e) => tcs.TrySetResult(p.ExitCode);
        ct.Register(() => tcs.TrySetCanceled());
        return tcs.Task;
    }
    Task<int> Separate(Process p, Process q) {
        var a = new TaskCompletionSource<int>();
        var b = new TaskCompletionSource<int>();
        p.Exited += (s, e) => a.SetResult(1);
        q.Exited += (s, e) => b.SetResult(2);
        return a.Task;
    }
    public void Complete() { _done.SetResult(true); }
    public void Fail(Exception e) { _done.SetException(e); }
    void Core(Process p) {
        p.Exited += (s, e) => _core.SetResult(1);
        p.Exited += (s, e) => _core.SetException(new Exception());
        p.Exited += (s, e) => _builder.SetResult(1);
        p.Exited += (s, e) => _builder.SetException(new Exception());
        p.Exited += (s, e) => unknown.SetResult(1);
        p.Exited += (s, e) => unknown.SetException(new Exception());
    }
}
"#,
            ProjectKind::Library,
        );
        assert_silent(
            &RULE,
            r#"
namespace N {
    class TaskCompletionSource<T> { public void SetResult(T v) { } }
    class C {
        TaskCompletionSource<int> _t;
        void A(object s, System.EventArgs e) { _t.SetResult(1); }
        void B(object s, System.EventArgs e) { _t.SetResult(2); }
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn fixes_use_the_try_forms() {
        assert_fix(
            &RULE,
            "using System.Threading;\nusing System.Threading.Tasks;\nclass C { Task M(CancellationToken ct, System.Diagnostics.Process p) { var tcs = new TaskCompletionSource<bool>(); ct.Register(() => { tcs.SetCanceled(); }); p.Exited += (s, e) => { tcs.SetResult(true); }; return tcs.Task; } }",
            "using System.Threading;\nusing System.Threading.Tasks;\nclass C { Task M(CancellationToken ct, System.Diagnostics.Process p) { var tcs = new TaskCompletionSource<bool>(); ct.Register(() => { tcs.TrySetCanceled(); }); p.Exited += (s, e) => { tcs.TrySetResult(true); }; return tcs.Task; } }",
            Applicability::Safe,
        );
    }

    #[test]
    fn no_fix_for_expression_bodies_and_unsafe_under_a_catch() {
        let src = "using System;\nusing System.Threading;\nusing System.Threading.Tasks;\nclass C { Task M(CancellationToken ct, System.Diagnostics.Process p) { var tcs = new TaskCompletionSource<bool>(); ct.Register(() => tcs.SetCanceled()); p.Exited += (s, e) => { try { tcs.SetResult(true); } catch (InvalidOperationException) { } }; return tcs.Task; } }";
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(d.len(), 2);
        assert!(d[0].fix.is_none());
        assert_eq!(
            d[1].fix.as_ref().unwrap().applicability,
            Applicability::Unsafe
        );
        assert_fixes_reparse(src, &d);
    }
}
