//! ASYNC208 startnew-async-delegate: `Task.Factory.StartNew(async ..)` returns `Task<Task>`;
//! awaiting it waits only for the delegate's first await.

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{strip_configure_await, FileModel, Tri};
use crate::syntax::views::{is_function, Function, FunctionKind, Invocation, MemberAccess};
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC208",
    name: "startnew-async-delegate",
    family: Family::Lifetime,
    summary: "Task.Factory.StartNew with an async delegate returns Task<Task>",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: true,
    kinds: &[SyntaxKind::InvocationExpression],
    tokens: &["StartNew"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags `TaskFactory.StartNew(..)` (`Task.Factory.StartNew`, or a `TaskFactory` \
instance) whose delegate is `async`, or otherwise returns a task (`() => FooAsync()`, a \
method group of a task-returning method). With `TaskCreationOptions.LongRunning` the \
message says why that option is wasted.",
        why: "`StartNew` knows nothing of async delegates: it runs the delegate until its \
first `await`, and its own task completes there, holding the delegate's real task inside — \
a `Task<Task>`. `await Task.Factory.StartNew(async ..)` therefore continues before the work \
is done, and the work's exceptions stay in the inner task where nobody looks. \
`TaskCreationOptions.LongRunning` buys a dedicated thread that is given up at the first \
`await`; the rest runs on the thread pool anyway. `Task.Run` understands async delegates \
and returns a task of the whole operation.",
        example: r#"
using System.Threading.Tasks;

class Importer
{
    public async Task ImportAsync()
    {
        await Task.Factory.StartNew(async () =>
        {
            await Task.Delay(100);
            Save();
        });
    }

    private void Save() { }
}
"#,
        use_instead: r#"
using System.Threading.Tasks;

class Importer
{
    public async Task ImportAsync()
    {
        await Task.Run(async () =>
        {
            await Task.Delay(100);
            Save();
        });
    }

    private void Save() { }
}
"#,
        silent_when: "The nested task is unwrapped: `.Unwrap()` on the call, \
`await await Task.Factory.StartNew(..)`, or a local that is later unwrapped or awaited \
twice; the result is declared `Task<Task>` on purpose (a variable or a method return type); \
delegates that return no task (`StartNew(() => Compute())`); `StartNew` on receivers the \
tool cannot show to be a `TaskFactory`. A `LongRunning` call whose result is unwrapped is \
not flagged either: it waits correctly, the thread is only wasted.",
        fix: "`Task.Factory.StartNew(async ..)` with no other argument becomes \
`Task.Run(async ..)`, where the result is used as a plain `Task` (a statement, `_ =`, \
`await ..;`, returned as `Task`, stored in a `Task` variable) so the program still \
compiles. Safe when nothing waits on the result (a statement or a discard); unsafe when \
it is awaited or returned, since the caller now waits for the whole operation and sees its \
exceptions. With options, a state argument, a scheduler or a `TaskFactory` instance there \
is no automatic fix: use `Task.Run`, or append `.Unwrap()`.",
    },
};

/// What makes the delegate return a task.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DelegateKind {
    /// `async () => ..`, `async delegate { .. }`.
    Async,
    /// `() => FooAsync()`, `{ return FooAsync(); }`, a method group returning a task.
    ReturnsTask,
}

/// A `StartNew` call that returns a `Task<Task>` nobody unwraps.
pub(crate) struct StartNew<'t> {
    pub call: Invocation<'t>,
    delegate: Node<'t>,
    kind: DelegateKind,
    long_running: bool,
    /// The receiver is `Task.Factory` (the default factory) as written.
    default_factory: bool,
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(found) = analyze(node, model) else {
        return;
    };
    let call = found.call;
    let what = match found.kind {
        DelegateKind::Async => "an async delegate",
        DelegateKind::ReturnsTask => "a delegate that returns a task",
    };
    let message = if found.long_running {
        format!(
            "`StartNew` with `TaskCreationOptions.LongRunning` and {what}: the dedicated thread is released at the delegate's first await, and the returned `Task<Task>` completes there; use `Task.Run`"
        )
    } else {
        format!(
            "`StartNew` with {what} returns `Task<Task>`: it completes at the delegate's first await, so waiting on it does not wait for the work and its exceptions stay in the inner task; use `Task.Run`, or `.Unwrap()`"
        )
    };
    let fix = task_run_fix(&found, model);
    let Some(name) = call.name() else { return };
    if let Some(d) = ctx.report_range(node, name.start()..node.end(), message) {
        if fix.is_none() {
            d.with_help(
                "Replace `Task.Factory.StartNew(..)` by `Task.Run(..)` (it unwraps async \
delegates and always uses the thread pool), or append `.Unwrap()` to get the task of the \
whole operation. No automatic fix here: the call passes options, state or a scheduler, or \
its `Task<Task>` result is used as such.",
            );
        }
        d.with_fix(fix);
    }
}

/// The `StartNew` call at `node` when it returns a `Task<Task>` that is not unwrapped.
pub(crate) fn analyze<'t>(node: Node<'t>, model: &FileModel<'t>) -> Option<StartNew<'t>> {
    let call = Invocation::cast(node)?;
    if call.name_text() != "StartNew" {
        return None;
    }
    let receiver = call.receiver()?.unparenthesized();
    let default_factory = is_default_factory(receiver, model);
    if !default_factory
        && model
            .type_of(receiver)
            .is_none_or(|t| t.name != "TaskFactory" || model.is_declared_type("TaskFactory"))
    {
        return None;
    }
    let args = call.args();
    let first = args
        .iter()
        .find(|a| {
            a.name
                .is_none_or(|n| matches!(n.text(), "function" | "action"))
        })?
        .value
        .unparenthesized();
    let kind = delegate_kind(first, model)?;
    if is_unwrapped(node, model) {
        return None;
    }
    let long_running = args.iter().any(|a| a.value.text().contains("LongRunning"));
    Some(StartNew {
        call,
        delegate: first,
        kind,
        long_running,
        default_factory,
    })
}

/// `Task.Factory`, `System.Threading.Tasks.Task.Factory`, `Task<T>.Factory`.
pub(crate) fn is_default_factory<'t>(receiver: Node<'t>, model: &FileModel<'t>) -> bool {
    let Some(ma) = MemberAccess::cast(receiver) else {
        return false;
    };
    if ma.name_text() != "Factory" {
        return false;
    }
    let owner = ma.receiver;
    let text = owner.text().trim_start_matches("global::");
    let head = text.split('<').next().unwrap_or("").trim();
    let is_task = head == "Task" || head == "System.Threading.Tasks.Task";
    is_task
        && !model.is_declared_type("Task")
        && !(owner.is(SyntaxKind::Identifier) && model.is_local_name(owner, owner.text()))
}

/// Whether a delegate returns a task, and how.
fn delegate_kind<'t>(delegate: Node<'t>, model: &FileModel<'t>) -> Option<DelegateKind> {
    if let Some(f) = Function::cast(delegate).filter(|f| f.is_lambda_like()) {
        if f.is_async() {
            return Some(DelegateKind::Async);
        }
        let body = f.body()?;
        if !body.is(SyntaxKind::Block) {
            return (model.is_awaitable(body) == Tri::Yes).then_some(DelegateKind::ReturnsTask);
        }
        let returns: Vec<Node<'t>> = body
            .descendants_pruned(is_function)
            .filter(|n| n.is(SyntaxKind::ReturnStatement))
            .collect();
        let all_tasks = !returns.is_empty()
            && returns.iter().all(|r| {
                r.first_named_child()
                    .is_some_and(|e| model.is_awaitable(e) == Tri::Yes)
            });
        return all_tasks.then_some(DelegateKind::ReturnsTask);
    }
    // A method group: every method of that name in the enclosing type returns a task.
    let name = match delegate.kind() {
        SyntaxKind::Identifier if !is_variable(delegate, model) => delegate.text(),
        SyntaxKind::MemberAccessExpression => {
            let ma = MemberAccess::cast(delegate)?;
            if !ma.receiver.is(SyntaxKind::ThisExpression) {
                return None;
            }
            ma.name_text()
        }
        _ => return None,
    };
    let ty = model.enclosing_type(delegate)?;
    let type_node = model.tree().node(ty.node);
    let methods: Vec<Function<'t>> = type_node
        .child_by_field(Field::Body)
        .into_iter()
        .flat_map(|b| b.named_children())
        .filter_map(Function::cast)
        .filter(|f| f.kind == FunctionKind::Method && f.name_text() == name)
        .collect();
    let all_tasks = !methods.is_empty()
        && methods.iter().all(|m| {
            m.return_type()
                .and_then(|r| Ty::parse(r.text()))
                .is_some_and(|t| crate::semantic::ty_is_awaitable(&t))
        });
    all_tasks.then_some(DelegateKind::ReturnsTask)
}

/// A local, parameter or lambda parameter of that name in the functions around `ident`
/// (then it is a delegate variable, not a method group).
fn is_variable<'t>(ident: Node<'t>, model: &FileModel<'t>) -> bool {
    let name = ident.text();
    let mut f = model.function_of(ident);
    while let Some(func) = f {
        let declares = func.node.descendants().any(|d| match d.kind() {
            SyntaxKind::VariableDeclarator | SyntaxKind::Parameter => d
                .child_by_field(Field::Name)
                .is_some_and(|n| n.text() == name),
            SyntaxKind::ImplicitParameter => d.text() == name,
            _ => false,
        });
        if declares {
            return true;
        }
        f = model.outer_function(func);
    }
    false
}

/// The parent of `node` seen through parentheses.
fn outer(node: Node<'_>) -> (Node<'_>, Option<Node<'_>>) {
    let mut n = node;
    while let Some(p) = n.parent() {
        if p.is(SyntaxKind::ParenthesizedExpression) {
            n = p;
        } else {
            return (n, Some(p));
        }
    }
    (n, None)
}

/// The parent of `node` seen through parentheses and `.ConfigureAwait(..)` calls.
fn outer_configured(node: Node<'_>) -> (Node<'_>, Option<Node<'_>>) {
    let (mut top, mut parent) = outer(node);
    while let Some(p) = parent {
        let configure = p.is(SyntaxKind::MemberAccessExpression)
            && p.child_by_field(Field::Expression) == Some(top)
            && MemberAccess::cast(p).is_some_and(|m| m.name_text() == "ConfigureAwait");
        let Some(inv) = p.parent().filter(|_| configure) else {
            break;
        };
        (top, parent) = outer(inv);
    }
    (top, parent)
}

/// `.Unwrap()`, `await await ..`, `Task<Task>` on purpose, or a local that is unwrapped.
fn is_unwrapped<'t>(call: Node<'t>, model: &FileModel<'t>) -> bool {
    let (top, parent) = outer_configured(call);
    let Some(parent) = parent else { return false };
    if unwraps_at(top, parent) {
        return true;
    }
    match parent.kind() {
        // `var t = StartNew(..)`, `Task<Task> t = StartNew(..)`
        SyntaxKind::VariableDeclarator => {
            let Some(name) = parent.child_by_field(Field::Name) else {
                return false;
            };
            let declared = parent
                .parent()
                .and_then(|d| d.child_by_field(Field::Type))
                .and_then(|t| Ty::parse(t.text()));
            if declared.is_some_and(|t| is_nested_task(&t)) {
                return true;
            }
            local_is_unwrapped(name.text(), parent, model)
        }
        // `t = StartNew(..)`
        SyntaxKind::AssignmentExpression => parent
            .child_by_field(Field::Left)
            .filter(|l| l.is(SyntaxKind::Identifier) && l.text() != "_")
            .is_some_and(|l| {
                model.type_of(l).is_some_and(|t| is_nested_task(&t))
                    || local_is_unwrapped(l.text(), parent, model)
            }),
        // `return StartNew(..)` from a method declared to return `Task<Task>`.
        SyntaxKind::ReturnStatement | SyntaxKind::ArrowExpressionClause => model
            .function_of(parent)
            .and_then(|f| f.return_type())
            .and_then(|r| Ty::parse(r.text()))
            .is_some_and(|t| is_nested_task(&t)),
        _ => false,
    }
}

/// At `expr` (its parent `parent`): `expr.Unwrap()`, `await await expr`, `(await expr).X`.
fn unwraps_at(expr: Node<'_>, parent: Node<'_>) -> bool {
    if parent.is(SyntaxKind::MemberAccessExpression)
        && parent.child_by_field(Field::Expression) == Some(expr)
    {
        let member = MemberAccess::cast(parent).map(|m| m.name_text());
        // `.Unwrap()`, or `.Result` to reach the inner task.
        return matches!(member, Some("Unwrap" | "Result"));
    }
    if parent.is(SyntaxKind::AwaitExpression) {
        // `await await x`, `await (await x)`, `await (await x).ConfigureAwait(false)`.
        let (awaited, outer_parent) = outer(parent);
        return outer_parent.is_some_and(|p| {
            p.is(SyntaxKind::AwaitExpression)
                || (p.is(SyntaxKind::MemberAccessExpression)
                    && p.child_by_field(Field::Expression) == Some(awaited)
                    && p.parent()
                        .and_then(Invocation::cast)
                        .is_some_and(|i| i.name_text() == "ConfigureAwait")
                    && p.parent()
                        .map(outer)
                        .and_then(|(_, gp)| gp)
                        .is_some_and(|gp| gp.is(SyntaxKind::AwaitExpression)))
        });
    }
    false
}

/// `Task<Task>`, `Task<Task<T>>`.
fn is_nested_task(t: &Ty) -> bool {
    t.name == "Task" && t.args.first().is_some_and(|a| a.name == "Task")
}

/// The local assigned at `at` is later unwrapped in the same function.
fn local_is_unwrapped<'t>(name: &str, at: Node<'t>, model: &FileModel<'t>) -> bool {
    let Some(f) = model.function_of(at) else {
        return false;
    };
    let Some(body) = f.body() else { return false };
    body.descendants()
        .filter(|d| d.is(SyntaxKind::Identifier) && d.text() == name && d.start() > at.start())
        .any(|d| {
            let (top, parent) = outer_configured(d);
            parent.is_some_and(|p| unwraps_at(top, p))
        })
}

/// `Task.Factory.StartNew(lambda)` → `Task.Run(lambda)`, where the result is used as a plain
/// `Task` and nothing else is passed.
fn task_run_fix<'t>(found: &StartNew<'t>, model: &FileModel<'t>) -> Option<Fix> {
    let call = found.call;
    if !found.default_factory || call.arg_count() != 1 {
        return None;
    }
    if !Function::cast(found.delegate).is_some_and(|f| f.is_lambda_like()) {
        return None;
    }
    if call.args().first().is_some_and(|a| a.name.is_some()) {
        return None;
    }
    // `Task.Factory` → `Task`, `System.Threading.Tasks.Task.Factory` → the same prefix.
    let receiver = MemberAccess::cast(call.receiver()?.unparenthesized())?;
    let owner = receiver.receiver.text();
    if owner.contains('<') {
        return None;
    }
    let applicability = plain_task_use(call.node, model)?;
    let args = call.arguments?;
    Some(Fix {
        message: format!("Use `{owner}.Run`"),
        applicability,
        edits: vec![Edit::replace(
            call.function.start()..args.start(),
            format!("{owner}.Run"),
        )],
    })
}

/// How the call's result is used, when `Task.Run`'s result fits there too: as a statement
/// or discard (safe), awaited as a statement, returned as `Task`, stored in a `Task`
/// variable (unsafe: the waiter now waits for the whole operation).
fn plain_task_use<'t>(call: Node<'t>, model: &FileModel<'t>) -> Option<Applicability> {
    let (top, parent) = outer(call);
    let parent = parent?;
    match parent.kind() {
        SyntaxKind::ExpressionStatement => Some(Applicability::Safe),
        SyntaxKind::AssignmentExpression
            if parent.child_by_field(Field::Right) == Some(top)
                && parent
                    .child_by_field(Field::Left)
                    .is_some_and(|l| l.text() == "_" && !model.is_local_name(l, "_"))
                && parent
                    .parent()
                    .is_some_and(|s| s.is(SyntaxKind::ExpressionStatement)) =>
        {
            Some(Applicability::Safe)
        }
        SyntaxKind::AwaitExpression => {
            let (_, p) = outer(parent);
            p.filter(|p| p.is(SyntaxKind::ExpressionStatement))
                .map(|_| Applicability::Unsafe)
        }
        SyntaxKind::MemberAccessExpression => {
            // `await StartNew(..).ConfigureAwait(false);`
            let inv = parent.parent().and_then(Invocation::cast)?;
            if inv.name_text() != "ConfigureAwait" || strip_configure_await(inv.node) != call {
                return None;
            }
            let (_, p) = outer(inv.node);
            let p = p.filter(|p| p.is(SyntaxKind::AwaitExpression))?;
            let (_, s) = outer(p);
            s.filter(|s| s.is(SyntaxKind::ExpressionStatement))
                .map(|_| Applicability::Unsafe)
        }
        SyntaxKind::ReturnStatement | SyntaxKind::ArrowExpressionClause => {
            let f = model.function_of(parent)?;
            if f.is_async() {
                return None;
            }
            let ret = Ty::parse(f.return_type()?.text())?;
            (ret.name == "Task" && ret.args.is_empty() && !ret.nullable)
                .then_some(Applicability::Unsafe)
        }
        SyntaxKind::VariableDeclarator => {
            let ty = parent
                .parent()
                .and_then(|d| d.child_by_field(Field::Type))
                .and_then(|t| Ty::parse(t.text()))?;
            (ty.name == "Task" && ty.args.is_empty()).then_some(Applicability::Unsafe)
        }
        _ => None,
    }
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
    fn flags_async_delegates() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.Threading;
using System.Threading.Tasks;
class C {
    TaskFactory _factory = new TaskFactory();
    Task Work() => Task.CompletedTask;
    async Task Process(object state) { await Task.Yield(); }
    async Task M(CancellationToken ct) {
        await Task.Factory.StartNew(async () => await Work()); // ~ASYNC208
        Task.Factory.StartNew(async delegate { await Work(); }); // ~ASYNC208
        var t = Task.Factory.StartNew(async () => { await Work(); }, TaskCreationOptions.LongRunning); // ~ASYNC208
        await t;
        _ = Task.Factory.StartNew(() => Work()); // ~ASYNC208
        Task.Factory.StartNew(() => { Console.WriteLine(); return Work(); }); // ~ASYNC208
        Task.Factory.StartNew(Process, null); // ~ASYNC208
        _factory.StartNew(async () => await Work()); // ~ASYNC208
        System.Threading.Tasks.Task.Factory.StartNew(async () => await Work(), ct); // ~ASYNC208
        Task pending = null;
        pending = Task.Factory.StartNew(async () => await Work()); // ~ASYNC208
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_unwrapped_or_not_async() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading;
using System.Threading.Tasks;
class C {
    Task Work() => Task.CompletedTask;
    int Compute() => 1;
    void Plain(object state) { }
    async Task M(CancellationToken ct) {
        await Task.Factory.StartNew(async () => await Work()).Unwrap();
        await Task.Factory.StartNew(async () => await Work(), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        await await Task.Factory.StartNew(async () => await Work());
        await (await Task.Factory.StartNew(async () => await Work()));
        await (await Task.Factory.StartNew(async () => await Work()).ConfigureAwait(false)).ConfigureAwait(false);
        var t = Task.Factory.StartNew(async () => await Work());
        await t.Unwrap();
        var u = Task.Factory.StartNew(async () => await Work());
        await await u;
        Task<Task> explicitly = Task.Factory.StartNew(async () => await Work());
        Task<Task> kept = null;
        kept = Task.Factory.StartNew(async () => await Work());
        await Task.Factory.StartNew(() => Compute());
        await Task.Factory.StartNew(() => { Thread.Sleep(1); });
        await Task.Factory.StartNew(Plain, null);
        await Task.Run(async () => await Work());
        unknown.StartNew(async () => await Work());
        Task.Factory.StartNew(() => { Func<Task> f = () => Work(); f(); });
    }
    Task<Task> Outer() => Task.Factory.StartNew(async () => await Work());
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn fix_uses_task_run() {
        // A statement: nothing waits on the result.
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { void M() { Task.Factory.StartNew(async () => await Task.Delay(1)); } }",
            "using System.Threading.Tasks;\nclass C { void M() { Task.Run(async () => await Task.Delay(1)); } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { void M() { _ = Task.Factory.StartNew(async () => { await Task.Delay(1); }); } }",
            "using System.Threading.Tasks;\nclass C { void M() { _ = Task.Run(async () => { await Task.Delay(1); }); } }",
            Applicability::Safe,
        );
        // Awaited: the caller now waits for the whole operation.
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { async Task M() { await Task.Factory.StartNew(async () => await Task.Delay(1)).ConfigureAwait(false); } }",
            "using System.Threading.Tasks;\nclass C { async Task M() { await Task.Run(async () => await Task.Delay(1)).ConfigureAwait(false); } }",
            Applicability::Unsafe,
        );
        assert_fix(
            &RULE,
            "class C { System.Threading.Tasks.Task M() => System.Threading.Tasks.Task.Factory.StartNew(async () => await System.Threading.Tasks.Task.Delay(1)); }",
            "class C { System.Threading.Tasks.Task M() => System.Threading.Tasks.Task.Run(async () => await System.Threading.Tasks.Task.Delay(1)); }",
            Applicability::Unsafe,
        );
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { void M() { Task t = Task.Factory.StartNew(async () => await Task.Delay(1)); } }",
            "using System.Threading.Tasks;\nclass C { void M() { Task t = Task.Run(async () => await Task.Delay(1)); } }",
            Applicability::Unsafe,
        );
    }

    #[test]
    fn no_fix_where_task_run_would_not_compile_or_differs() {
        let p = project(ProjectKind::Library);
        for src in [
            // `var`: its type would change from Task<Task<int>> to Task<int>.
            "using System.Threading.Tasks;\nclass C { async Task M() { var t = Task.Factory.StartNew(async () => 1); await t; } }",
            // Options: Task.Run takes none.
            "using System.Threading.Tasks;\nclass C { void M() { Task.Factory.StartNew(async () => await Task.Delay(1), TaskCreationOptions.LongRunning); } }",
            // A factory instance may carry its own scheduler and options.
            "using System.Threading.Tasks;\nclass C { TaskFactory f = new TaskFactory(); void M() { f.StartNew(async () => await Task.Delay(1)); } }",
            // Used as a value of its own type.
            "using System.Threading.Tasks;\nclass C { async Task<int> M() { return await await Task.Factory.StartNew(async () => 1).ContinueWith(t => t); } }",
            // A method group.
            "using System.Threading.Tasks;\nclass C { async Task Work() { await Task.Yield(); } void M() { Task.Factory.StartNew(Work); } }",
        ] {
            let d = lint_with(&RULE, src, &p);
            assert!(d.iter().all(|d| d.fix.is_none()), "{src}");
            assert!(d.iter().all(|d| d.help.is_some()), "{src}");
            assert_fixes_reparse(src, &d);
        }
    }
}
