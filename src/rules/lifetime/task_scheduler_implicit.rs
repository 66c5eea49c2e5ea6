//! ASYNC209 task-scheduler-implicit: `ContinueWith(..)` or `Task.Factory.StartNew(..)`
//! without an explicit `TaskScheduler` runs on `TaskScheduler.Current`.

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rules::lifetime::startnew_async_delegate::{
    analyze as startnew_async, is_default_factory,
};
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::FileModel;
use crate::syntax::views::{callee_name, Argument, Invocation, MemberAccess};
use crate::syntax::{Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC209",
    name: "task-scheduler-implicit",
    family: Family::Lifetime,
    summary: "ContinueWith or Task.Factory.StartNew without an explicit TaskScheduler",
    default_severity: Severity::Info,
    severity: severity::info,
    fixable: true,
    kinds: &[SyntaxKind::InvocationExpression],
    tokens: &["ContinueWith", "StartNew"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags `task.ContinueWith(..)` on a task and `Task.Factory.StartNew(..)` when \
no `TaskScheduler` is passed.",
        why: "Both default to `TaskScheduler.Current`, not to the thread pool. \
`TaskScheduler.Current` is whatever scheduler runs the code that makes the call: inside a \
task started with `TaskScheduler.FromCurrentSynchronizationContext()` it is the UI thread, \
inside a limited-concurrency scheduler it is that scheduler. The same line then runs its \
delegate somewhere else depending on who called it — on the UI thread it can freeze the \
window or deadlock. Naming the scheduler makes the choice explicit (CA2008).",
        example: r#"
using System;
using System.Threading.Tasks;

class Reporter
{
    public Task Report(Task<int> count)
    {
        return count.ContinueWith(t => Console.WriteLine(t.Result));
    }
}
"#,
        use_instead: r#"
using System;
using System.Threading.Tasks;

class Reporter
{
    public Task Report(Task<int> count)
    {
        return count.ContinueWith(t => Console.WriteLine(t.Result), TaskScheduler.Default);
    }
}
"#,
        silent_when: "A scheduler is passed (`TaskScheduler.Default`, \
`TaskScheduler.FromCurrentSynchronizationContext()`, a scheduler variable, the \
`scheduler:` argument, the four- and five-argument overloads); `StartNew` on a \
`TaskFactory` instance (it carries its own scheduler); a `ContinueWith` on something the \
tool cannot show to be a task; a call whose extra argument may be a scheduler (an \
untyped variable); `Task.Factory.StartNew` with an async delegate, which is ASYNC208's \
finding. `Task.Run` always uses the thread pool and is never flagged.",
        fix: "For `task.ContinueWith(handler)` with no other argument: append \
`, TaskScheduler.Default`. Unsafe: a continuation that relied on running on the UI \
scheduler now runs on the thread pool. For other shapes, pass the scheduler yourself, or \
replace `Task.Factory.StartNew(work)` by `Task.Run(work)`.",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(inv) = Invocation::cast(node) else {
        return;
    };
    let name = inv.name_text();
    let Some(receiver) = inv.receiver().map(|r| r.unparenthesized()) else {
        return;
    };
    let continue_with = match name {
        "ContinueWith" => {
            // On a `Task`/`Task<T>` the file shows (not a ValueTask, not a user type).
            let Some(t) = model.type_of(receiver) else {
                return;
            };
            if t.name != "Task" || t.arrays > 0 || model.is_declared_type("Task") {
                return;
            }
            true
        }
        "StartNew" => {
            if !is_default_factory(receiver, model) || startnew_async(node, model).is_some() {
                return;
            }
            false
        }
        _ => return,
    };
    if inv.arg_count() == 0 || may_pass_scheduler(&inv, continue_with, model) {
        return;
    }
    let message = if continue_with {
        "`ContinueWith` without a `TaskScheduler` runs the continuation on `TaskScheduler.Current`, which may be a UI or custom scheduler; pass `TaskScheduler.Default` (or the scheduler you mean)"
    } else {
        "`Task.Factory.StartNew` without a `TaskScheduler` runs the work on `TaskScheduler.Current`, which may be a UI or custom scheduler; use `Task.Run`, or pass `TaskScheduler.Default`"
    };
    let fix = if continue_with {
        append_default_scheduler(&inv, ctx)
    } else {
        None
    };
    let Some(name_node) = inv.name() else { return };
    if let Some(d) = ctx.report_range(node, name_node.start()..node.end(), message) {
        if fix.is_none() {
            d.with_help(
                "Pass the scheduler explicitly: `TaskScheduler.Default` for the thread pool, \
`TaskScheduler.FromCurrentSynchronizationContext()` for the UI thread; for \
`Task.Factory.StartNew(work)`, `Task.Run(work)` is the thread-pool form.",
            );
        }
        d.with_fix(fix);
    }
}

/// Whether some argument is, or may be, a `TaskScheduler`.
fn may_pass_scheduler<'t>(
    inv: &Invocation<'t>,
    continue_with: bool,
    model: &FileModel<'t>,
) -> bool {
    let args = inv.args();
    if args
        .iter()
        .any(|a| a.name.is_some_and(|n| n.text() == "scheduler") || mentions_scheduler(a, model))
    {
        return true;
    }
    // Every overload with four or more arguments takes a scheduler.
    if args.len() >= 4 {
        return true;
    }
    if !continue_with {
        // `StartNew` has no overload of fewer than four arguments with a scheduler.
        return false;
    }
    // `ContinueWith(handler, x)` / `(handler, state, x)`: `x` may be the scheduler unless
    // the file shows it is something else.
    args.iter().skip(1).any(|a| !surely_not_scheduler(a, model))
}

fn mentions_scheduler<'t>(arg: &Argument<'t>, model: &FileModel<'t>) -> bool {
    arg.value.text().to_ascii_lowercase().contains("scheduler")
        || model
            .type_of(arg.value)
            .is_some_and(|t| is_scheduler_type(&t.name, model))
}

/// `TaskScheduler`, a type named like one, or a project type deriving from one.
fn is_scheduler_type(name: &str, model: &FileModel<'_>) -> bool {
    let mut queue = vec![name.to_owned()];
    let mut seen = 0;
    while let Some(n) = queue.pop() {
        seen += 1;
        if n.contains("Scheduler") {
            return true;
        }
        if seen > 16 {
            return true; // too deep to tell: count it as one
        }
        for decl in model.types_named(&n) {
            queue.extend(decl.bases.iter().map(|b| b.name.clone()));
        }
    }
    false
}

/// Options, tokens, literals and values of a known non-scheduler type.
fn surely_not_scheduler<'t>(arg: &Argument<'t>, model: &FileModel<'t>) -> bool {
    let v = arg.value.unparenthesized();
    let text = v.text().trim();
    if text.contains("TaskContinuationOptions")
        || text.contains("TaskCreationOptions")
        || text.contains("CancellationToken")
    {
        return true;
    }
    if v.is(SyntaxKind::NullLiteral)
        || v.is(SyntaxKind::IntegerLiteral)
        || matches!(text, "true" | "false" | "default")
        || text.starts_with('"')
        || text.starts_with("$\"")
        || text.starts_with("@\"")
        || text.starts_with('\'')
    {
        return true;
    }
    // `ct`, `cancellationToken`, `cts.Token`
    let last = match v.kind() {
        SyntaxKind::Identifier => Some(v.text()),
        SyntaxKind::MemberAccessExpression => MemberAccess::cast(v).map(|m| m.name_text()),
        _ => callee_name(v).map(|n| n.text()),
    };
    if last.is_some_and(|n| n == "ct" || n.to_ascii_lowercase().contains("token")) {
        return true;
    }
    // The static type picks the overload: only a `TaskScheduler` binds to the scheduler
    // parameter (an `object` is the state).
    model
        .type_of(v)
        .is_some_and(|t| !t.is_unknown() && !is_scheduler_type(&t.name, model))
}

/// `t.ContinueWith(handler)` → `t.ContinueWith(handler, TaskScheduler.Default)`.
fn append_default_scheduler(inv: &Invocation<'_>, ctx: &RuleCtx<'_, '_>) -> Option<Fix> {
    let args = inv.args();
    if args.len() != 1 || args[0].name.is_some() {
        return None;
    }
    let list = inv.arguments?;
    let close = list.children().last().filter(|c| c.text() == ")")?;
    let model = ctx.model;
    let shadowed = model.tree().iter().any(|n| {
        n.is(SyntaxKind::Identifier)
            && n.text() == "TaskScheduler"
            && n.parent().is_some_and(|p| {
                matches!(
                    p.kind(),
                    SyntaxKind::VariableDeclarator
                        | SyntaxKind::Parameter
                        | SyntaxKind::PropertyDeclaration
                        | SyntaxKind::MethodDeclaration
                        | SyntaxKind::ClassDeclaration
                )
            })
    });
    let scheduler = if (model.imports_tasks || ctx.project.implicit_usings) && !shadowed {
        "TaskScheduler.Default"
    } else {
        "System.Threading.Tasks.TaskScheduler.Default"
    };
    Some(Fix {
        message: format!("Pass `{scheduler}`"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit::insert(args[0].node.end(), format!(", {scheduler}"))],
    })
    .filter(|_| close.start() >= args[0].node.end())
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
    fn flags_implicit_schedulers() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.Threading;
using System.Threading.Tasks;
class C {
    Task Work() => Task.CompletedTask;
    void Run() { }
    void M(Task t, Task<int> n, CancellationToken ct, CancellationTokenSource cts, object state) {
        t.ContinueWith(x => Console.WriteLine()); // ~ASYNC209
        n.ContinueWith(x => x.Result + 1); // ~ASYNC209
        t.ContinueWith(x => Console.WriteLine(x.Exception), TaskContinuationOptions.OnlyOnFaulted); // ~ASYNC209
        t.ContinueWith(x => { }, ct); // ~ASYNC209
        t.ContinueWith(x => { }, cts.Token); // ~ASYNC209
        t.ContinueWith((x, s) => { }, "state"); // ~ASYNC209
        t.ContinueWith((x, s) => { }, state); // ~ASYNC209
        Work().ContinueWith(x => { }); // ~ASYNC209
        Task.Factory.StartNew(() => Run()); // ~ASYNC209
        Task.Factory.StartNew(Run, TaskCreationOptions.LongRunning); // ~ASYNC209
        Task.Factory.StartNew(s => Run(), null, ct); // ~ASYNC209
        Task.Factory.StartNew(async () => await Work()).Unwrap(); // ~ASYNC209
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn chained_continuations_are_two_findings() {
        let src = "using System.Threading.Tasks;\nclass C { void M(Task t) { t.ContinueWith(x => { }).ContinueWith(y => { }); } }";
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(d.len(), 2);
        assert_ne!(d[0].range.start, d[1].range.start);
    }

    #[test]
    fn silent_with_a_scheduler_or_unknown_receivers() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading;
using System.Threading.Tasks;
class Promise { public Promise ContinueWith(Action a) => this; }
class UiQueue : TaskScheduler { }
class C {
    TaskScheduler _ui;
    UiQueue _queue;
    TaskFactory _factory = new TaskFactory(TaskScheduler.Default);
    Task Work() => Task.CompletedTask;
    void Run() { }
    void M(Task t, CancellationToken ct, Promise p, object state, ValueTask v) {
        t.ContinueWith(x => { }, TaskScheduler.Default);
        t.ContinueWith(x => { }, TaskScheduler.FromCurrentSynchronizationContext());
        t.ContinueWith(x => { }, _ui);
        t.ContinueWith(x => { }, scheduler: _ui);
        t.ContinueWith(x => { }, ct, TaskContinuationOptions.None, _ui);
        t.ContinueWith((x, s) => { }, state, ct, TaskContinuationOptions.None, TaskScheduler.Current);
        t.ContinueWith(x => { }, unknownThing);
        t.ContinueWith((x, s) => { }, null, mystery);
        t.ContinueWith(x => { }, _queue);
        t.ContinueWith(x => { }, new UiQueue());
        Task.Factory.StartNew(() => Run(), ct, TaskCreationOptions.None, TaskScheduler.Default);
        Task.Factory.StartNew(s => Run(), state, ct, TaskCreationOptions.None, _ui);
        Task.Factory.StartNew(async () => await Work());
        _factory.StartNew(() => Run());
        Task.Run(() => Run());
        p.ContinueWith(() => { });
        unknown.ContinueWith(x => { });
        unknown.Factory.StartNew(() => Run());
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn fix_appends_the_default_scheduler() {
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { void M(Task t) { t.ContinueWith(x => { }); } }",
            "using System.Threading.Tasks;\nclass C { void M(Task t) { t.ContinueWith(x => { }, TaskScheduler.Default); } }",
            Applicability::Unsafe,
        );
        assert_fix(
            &RULE,
            "class C { void M(System.Threading.Tasks.Task t) { t.ContinueWith(x => { } ); } }",
            "class C { void M(System.Threading.Tasks.Task t) { t.ContinueWith(x => { }, System.Threading.Tasks.TaskScheduler.Default ); } }",
            Applicability::Unsafe,
        );
        let src = "using System.Threading.Tasks;\nclass C { void Run() { } void M(Task t) { t.ContinueWith(x => { }, TaskContinuationOptions.OnlyOnFaulted); Task.Factory.StartNew(Run); } }";
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|d| d.fix.is_none() && d.help.is_some()));
    }
}
