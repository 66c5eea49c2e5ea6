//! ASYNC202 async-void-lambda: an async lambda or anonymous method converted to a
//! void-returning delegate.

use crate::diagnostic::Severity;
use crate::rules::util::names_bcl_type;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{declarator_value, FileModel};
use crate::syntax::views::{Argument, Function, FunctionKind, Invocation};
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC202",
    name: "async-void-lambda",
    family: Family::Lifetime,
    summary: "An async lambda passed or assigned as a void-returning delegate",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: false,
    kinds: &[
        SyntaxKind::LambdaExpression,
        SyntaxKind::AnonymousMethodExpression,
    ],
    tokens: &["async"],
    may_flag_member: Some(has_async_lambda),
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags an `async` lambda or anonymous method that becomes a void-returning \
delegate: passed to `List<T>.ForEach`, `Array.ForEach`, `Parallel.For`/`ForEach`/`Invoke`, \
`ThreadPool.QueueUserWorkItem`, `new Thread(..)`, `new Timer(..)` (System.Threading), \
`new Task(..)`, to an `Action`/`Action<T>` parameter of a method the project declares, \
wrapped in `new Action(..)` or cast to `(Action)`, or assigned to an `Action` variable, field \
or property (also `ThreadStart`, `TimerCallback`, `WaitCallback`, `MethodInvoker` and the \
other void delegates of the BCL).",
        why: "The delegate returns nothing, so the lambda compiles as `async void`: the code \
that calls it cannot wait for it and moves on at the lambda's first `await` — `ForEach` and \
`Parallel.ForEach` return while the work is still running, in any order and all at once; \
`new Task(..)` completes before its body does. An exception thrown after the first await \
reaches no `catch` of the caller: it is raised on the thread pool or the \
SynchronizationContext and crashes the process.",
        example: r#"
using System.Collections.Generic;
using System.Threading.Tasks;

class Mailer
{
    public void SendAll(List<string> addresses)
    {
        addresses.ForEach(async address => await SendAsync(address));
    }

    private Task SendAsync(string address) => Task.CompletedTask;
}
"#,
        use_instead: r#"
using System.Collections.Generic;
using System.Threading.Tasks;

class Mailer
{
    public async Task SendAllAsync(List<string> addresses)
    {
        foreach (var address in addresses)
        {
            await SendAsync(address);
        }
    }

    private Task SendAsync(string address) => Task.CompletedTask;
}
"#,
        silent_when: "Event subscriptions with `+=` (event handlers are the one place \
`async void` belongs), parameters of type `Func<Task>` (or any delegate that returns a \
task), `Task.Run`, overloads where a task-returning delegate is also offered (the compiler \
picks it), `Parallel.ForEachAsync`, and calls the tool cannot resolve: a `ForEach` on a \
receiver not shown to be a `List<T>`, methods of libraries it does not see. \
`Task.Factory.StartNew` is ASYNC208's.",
        fix: "None automatic, since the caller has to change: replace `ForEach` by a \
`foreach` loop that awaits (sequential) or `await Task.WhenAll(items.Select(async x => ..))` \
(concurrent); `Parallel.ForEach` by `Parallel.ForEachAsync` (.NET 6+); `new Thread(..)` and \
`new Task(..)` by `Task.Run(async () => ..)`; declare your own parameters and variables as \
`Func<Task>` and await them; in a timer callback catch every exception inside the lambda (or \
use `PeriodicTimer`).",
    },
};

/// Void-returning delegate types of the BCL (simple names).
const VOID_DELEGATES: &[&str] = &[
    "Action",
    "MethodInvoker",
    "ParameterizedThreadStart",
    "SendOrPostCallback",
    "ThreadStart",
    "TimerCallback",
    "WaitCallback",
];

fn is_void_delegate(ty: &Ty, model: &FileModel<'_>) -> bool {
    ty.arrays == 0
        && VOID_DELEGATES.contains(&ty.name.as_str())
        && !model.is_declared_type(&ty.name)
}

/// Where the lambda becomes a void delegate: what to call it, and what to do instead.
struct Target {
    shown: String,
    help: &'static str,
}

const HELP_FOREACH: &str = "use a `foreach` loop that awaits each item, or `await Task.WhenAll(items.Select(async x => ..))` to run them concurrently";
const HELP_PARALLEL: &str = "use `await Parallel.ForEachAsync(..)` (.NET 6+) or `await Task.WhenAll(..)`; `Parallel` does not wait for async delegates";
const HELP_THREAD: &str =
    "start the work with `Task.Run(async () => ..)` and keep the task to await or observe it";
const HELP_TIMER: &str = "catch every exception inside the callback, or loop over a `PeriodicTimer` (.NET 6+) with `await timer.WaitForNextTickAsync()`";
const HELP_PARAM: &str = "change the parameter to `Func<Task>` (or `Func<T, Task>`) and await the delegate where it is called";
const HELP_VARIABLE: &str =
    "declare it as `Func<Task>` (or `Func<T, Task>`) and await it where it is invoked";

fn target<'t>(lambda: Node<'t>, model: &FileModel<'t>) -> Option<Target> {
    let mut e = lambda;
    while let Some(p) = e
        .parent()
        .filter(|p| p.is(SyntaxKind::ParenthesizedExpression))
    {
        e = p;
    }
    let p = e.parent()?;
    match p.kind() {
        SyntaxKind::CastExpression if p.child_by_field(Field::Value) == Some(e) => {
            let ty = Ty::parse(p.child_by_field(Field::Type)?.text())?;
            is_void_delegate(&ty, model).then(|| Target {
                shown: format!("cast to `{}`", ty.name),
                help: HELP_VARIABLE,
            })
        }
        SyntaxKind::Argument => {
            let list = p.parent().filter(|l| l.is(SyntaxKind::ArgumentList))?;
            let arg = Argument::cast(p)?;
            let index = list
                .named_children()
                .filter(|c| c.is(SyntaxKind::Argument))
                .position(|c| c == p)?;
            let owner = list.parent()?;
            match owner.kind() {
                SyntaxKind::InvocationExpression => {
                    invocation_target(&Invocation::cast(owner)?, index, &arg, model)
                }
                SyntaxKind::ObjectCreationExpression => creation_target(owner, index, model),
                _ => None,
            }
        }
        SyntaxKind::VariableDeclarator if declarator_value(p) == Some(e) => {
            let decl = p
                .parent()
                .filter(|d| d.is(SyntaxKind::VariableDeclaration))?;
            let ty = Ty::parse(decl.child_by_field(Field::Type)?.text())?;
            is_void_delegate(&ty, model).then(|| Target {
                shown: format!("assigned to an `{}`", ty.name),
                help: HELP_VARIABLE,
            })
        }
        SyntaxKind::AssignmentExpression if p.child_by_field(Field::Right) == Some(e) => {
            // `+=` subscribes an event handler: async void is the one fitting form there.
            if p.child_by_field(Field::Operator).map(|o| o.text()) != Some("=") {
                return None;
            }
            // `new Foo { OnDone = async () => .. }`: the name is Foo's member, which the
            // model does not resolve from here.
            if p.parent()
                .is_some_and(|i| i.is(SyntaxKind::InitializerExpression))
            {
                return None;
            }
            let ty = model.type_of(p.child_by_field(Field::Left)?)?;
            is_void_delegate(&ty, model).then(|| Target {
                shown: format!("assigned to an `{}`", ty.name),
                help: HELP_VARIABLE,
            })
        }
        _ => None,
    }
}

fn invocation_target<'t>(
    inv: &Invocation<'t>,
    index: usize,
    arg: &Argument<'t>,
    model: &FileModel<'t>,
) -> Option<Target> {
    let name = inv.name_text();
    if inv.is_conditional() {
        return None;
    }
    if let Some(recv) = inv.receiver() {
        let recv = recv.unparenthesized();
        if names_bcl_type(model, recv, "Parallel") && matches!(name, "For" | "ForEach" | "Invoke") {
            return Some(Target {
                shown: format!("`Parallel.{name}`"),
                help: HELP_PARALLEL,
            });
        }
        if name == "ForEach" {
            if names_bcl_type(model, recv, "Array") {
                return Some(Target {
                    shown: "`Array.ForEach`".to_owned(),
                    help: HELP_FOREACH,
                });
            }
            if is_list(recv, model) {
                return Some(Target {
                    shown: "`List<T>.ForEach`".to_owned(),
                    help: HELP_FOREACH,
                });
            }
            return None;
        }
        if names_bcl_type(model, recv, "ThreadPool")
            && matches!(name, "QueueUserWorkItem" | "UnsafeQueueUserWorkItem")
        {
            return Some(Target {
                shown: format!("`ThreadPool.{name}`"),
                help: HELP_THREAD,
            });
        }
    }
    // A method of the project whose every overload that fits takes a void delegate there.
    let candidates = model.callee_candidates(inv);
    if candidates.is_empty() {
        return None;
    }
    let mut shown_ty = None;
    for m in &candidates {
        let position = match arg.name {
            Some(n) => m.param_names.iter().position(|p| p == n.text())?,
            None => index,
        };
        let ty = m.params.get(position)?.as_ref()?;
        if !is_void_delegate(ty, model) {
            return None;
        }
        shown_ty.get_or_insert_with(|| ty.name.clone());
    }
    Some(Target {
        shown: format!("the `{}` parameter of `{name}`", shown_ty?),
        help: HELP_PARAM,
    })
}

fn creation_target(creation: Node<'_>, index: usize, model: &FileModel<'_>) -> Option<Target> {
    let ty = Ty::parse(creation.child_by_field(Field::Type)?.text())?;
    if ty.arrays > 0 || model.is_declared_type(&ty.name) {
        return None;
    }
    let (shown, help) = match ty.name.as_str() {
        "Thread" => ("`new Thread(..)`".to_owned(), HELP_THREAD),
        // Of the BCL timers only System.Threading.Timer takes a callback; it comes first.
        "Timer" if index == 0 => ("the `Timer` callback".to_owned(), HELP_TIMER),
        // `new Task(Action)`; `new Task<Task>(..)` takes a `Func<Task>`.
        "Task" if ty.args.is_empty() => ("`new Task(..)`".to_owned(), HELP_THREAD),
        _ if is_void_delegate(&ty, model) => (format!("`new {}(..)`", ty.name), HELP_VARIABLE),
        _ => return None,
    };
    Some(Target { shown, help })
}

/// A `List<T>`: typed so in the file, or made by `.ToList()`.
fn is_list<'t>(recv: Node<'t>, model: &FileModel<'t>) -> bool {
    if let Some(inv) = Invocation::cast(recv) {
        if inv.name_text() == "ToList" && inv.arg_count() == 0 && !inv.is_conditional() {
            return true;
        }
    }
    model
        .type_of(recv)
        .is_some_and(|t| t.name == "List" && t.arrays == 0 && t.args.len() == 1)
}

/// `async (`, `async x =>`, `async delegate`, `async static`: an async lambda or anonymous
/// method (an async method's modifier is followed by its return type and name).
fn has_async_lambda(m: &crate::rules::MemberText<'_>) -> bool {
    let b = m.code.as_bytes();
    let skip_ws = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    m.positions("async").any(|at| {
        let i = skip_ws(at + 5);
        let rest = &m.code[i..];
        if rest.starts_with('(') || rest.starts_with("delegate") || rest.starts_with("static") {
            return true;
        }
        let ident_end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        ident_end > 0 && m.code[skip_ws(i + ident_end)..].starts_with("=>")
    })
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let Some(f) = Function::cast(node) else {
        return;
    };
    if !f.is_lambda_like() || !f.is_async() {
        return;
    }
    let Some(target) = target(node, ctx.model) else {
        return;
    };
    let what = if f.kind == FunctionKind::AnonymousMethod {
        "async anonymous method"
    } else {
        "async lambda"
    };
    let message = format!(
        "this {what} becomes `async void` ({}): nothing awaits it, the caller moves on at its first `await`, and an exception in it crashes the process",
        target.shown
    );
    if let Some(d) = ctx.report_range(node, head_range(&f), message) {
        d.with_help(target.help);
    }
}

/// The lambda's head: `async x =>`, `async (a, b) =>`, `async delegate (int a)`.
fn head_range(f: &Function<'_>) -> std::ops::Range<usize> {
    let node = f.node;
    let end = node
        .children()
        .find(|c| !c.is_named() && c.text() == "=>")
        .map(|c| c.end())
        .or_else(|| f.parameter_list().map(|p| p.end()))
        .or_else(|| {
            node.children()
                .find(|c| !c.is_named() && c.text() == "delegate")
                .map(|c| c.end())
        })
        .unwrap_or(node.end());
    node.start()..end
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
    fn flags_async_lambdas_that_become_void() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
class C {
    List<int> _ids = new List<int>();
    Action _callback;
    Action<int> Handler { get; set; }
    Task SaveAsync(int id) => Task.CompletedTask;
    void Run(Action a) { a(); }
    void RunWith(Action<int> a, int x) { a(x); }
    void Named(int x, Action then = null) { }
    void Invoke(Delegate d) { }
    async Task M(int[] arr, IEnumerable<int> seq) {
        _ids.ForEach(async id => await SaveAsync(id)); // ~ASYNC202
        seq.ToList().ForEach(async id => { await SaveAsync(id); }); // ~ASYNC202
        new List<int> { 1 }.ForEach(async (id) => await SaveAsync(id)); // ~ASYNC202
        Array.ForEach(arr, async id => await SaveAsync(id)); // ~ASYNC202
        Parallel.ForEach(seq, async id => await SaveAsync(id)); // ~ASYNC202
        Parallel.For(0, 10, async i => await SaveAsync(i)); // ~ASYNC202
        Parallel.Invoke(async () => await SaveAsync(1)); // ~ASYNC202
        new Thread(async () => await SaveAsync(1)).Start(); // ~ASYNC202
        var timer = new Timer(async _ => await SaveAsync(2), null, 0, 1000); // ~ASYNC202
        var other = new System.Threading.Timer(async state => // ~ASYNC202
        {
            await SaveAsync(2);
        }, null, 0, 1000);
        ThreadPool.QueueUserWorkItem(async _ => await SaveAsync(3)); // ~ASYNC202
        Run(async () => await SaveAsync(4)); // ~ASYNC202
        RunWith(async x => await SaveAsync(x), 5); // ~ASYNC202
        Named(1, then: async () => await SaveAsync(5)); // ~ASYNC202
        Action a = async () => await SaveAsync(6); // ~ASYNC202
        Action<int> b = async delegate (int x) { await SaveAsync(x); }; // ~ASYNC202
        _callback = async () => await SaveAsync(7); // ~ASYNC202
        Handler = async x => await SaveAsync(x); // ~ASYNC202
        var t = new Task(async () => await SaveAsync(8)); // ~ASYNC202
        Invoke((Action)(async () => await SaveAsync(9))); // ~ASYNC202
        Invoke(new Action(async () => await SaveAsync(10))); // ~ASYNC202
        Invoke(new ThreadStart(async delegate { await SaveAsync(11); })); // ~ASYNC202
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_events_task_delegates_and_unknown_targets() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
class D {
    event EventHandler Changed;
    Action _callback;
    Action Run;
    Task SaveAsync(int id) => Task.CompletedTask;
    void RunAsync(Func<Task> f) { }
    void Over(Action a) { }
    void Over(Func<Task> f) { }
    async Task M(List<int> ids, IEnumerable<int> seq, Button button, CancellationToken ct) {
        Changed += async (s, e) => await SaveAsync(1);
        button.Click += async delegate { await SaveAsync(2); };
        _callback += async () => await SaveAsync(2);
        RunAsync(async () => await SaveAsync(3));
        Over(async () => await SaveAsync(4));
        await Task.Run(async () => await SaveAsync(5));
        Func<Task> f = async () => await SaveAsync(6);
        Func<int, Task> g = async x => await SaveAsync(x);
        var h = async () => await SaveAsync(7);
        await Task.WhenAll(ids.Select(async id => await SaveAsync(id)));
        await Parallel.ForEachAsync(seq, ct, async (id, token) => await SaveAsync(id));
        seq.ForEach(async id => await SaveAsync(id));
        ids.ForEach(id => SaveAsync(id).Wait());
        unknown.Subscribe(async x => await SaveAsync(x));
        var n = new Lazy<Task>(async () => await SaveAsync(8));
        var st = new Task<Task>(async () => await SaveAsync(9));
        var timer = new System.Timers.Timer(1000);
        ids?.ForEach(id => { });
        var job = new Job { Run = async () => await SaveAsync(10) };
    }
}
class Job { public Func<Task> Run { get; set; } }
static class Ext { public static void ForEach<T>(this IEnumerable<T> s, Func<T, Task> f) { } }
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_project_types_named_like_the_bcl_ones() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading.Tasks;
class Thread { public Thread(Func<Task> start) { } }
class Timer { public Timer(Func<object, Task> tick, object s, int a, int b) { } }
class Parallel { public static void ForEach<T>(T[] items, Func<T, Task> body) { } }
class E {
    Task SaveAsync() => Task.CompletedTask;
    void M(int[] items) {
        new Thread(async () => await SaveAsync());
        new Timer(async _ => await SaveAsync(), null, 0, 1);
        Parallel.ForEach(items, async i => await SaveAsync());
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn reports_at_the_lambda_head() {
        let src = "using System;\nusing System.Threading.Tasks;\nclass C { void M() { Action a = async () => { await Task.Yield(); }; } }";
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(d.len(), 1);
        assert_eq!(&src[d[0].range.clone()], "async () =>");
    }
}
