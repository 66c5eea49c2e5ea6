//! ASYNC103 task-run-wraps-async: `Task.Run` whose delegate does nothing but start one
//! awaitable call.

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::project::ProjectKind;
use crate::rules::util::names_bcl_type;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{known, strip_configure_await, FileModel, Tri};
use crate::syntax::views::{Function, Invocation, MemberAccess};
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC103",
    name: "task-run-wraps-async",
    family: Family::Blocking,
    summary: "Task.Run around a delegate that only calls an async method",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: true,
    kinds: &[SyntaxKind::InvocationExpression],
    tokens: &["Run("],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags `Task.Run(..)` whose delegate is nothing but one awaitable call: \
`Task.Run(() => FooAsync(x))`, `Task.Run(async () => await FooAsync(x))`, and the block \
forms `() => { return FooAsync(x); }` and `async () => { await FooAsync(x); }`, awaited or \
not.",
        why: "An async method already returns as soon as it starts waiting for I/O; while it \
waits, no thread is used at all. Wrapping it in `Task.Run` borrows a thread-pool thread only \
to start it, adds a scheduling hop and an extra task, and tells readers the work is CPU-bound \
when it is not. Under load the needless hops compete with real CPU-bound work for the pool.",
        example: r#"
using System.Net.Http;
using System.Threading.Tasks;

class Downloader
{
    private readonly HttpClient _http = new HttpClient();

    public async Task<string> GetAsync(string url)
    {
        return await Task.Run(() => FetchAsync(url));
    }

    private Task<string> FetchAsync(string url) => _http.GetStringAsync(url);
}
"#,
        use_instead: r#"
using System.Net.Http;
using System.Threading.Tasks;

class Downloader
{
    private readonly HttpClient _http = new HttpClient();

    public async Task<string> GetAsync(string url)
    {
        return await FetchAsync(url);
    }

    private Task<string> FetchAsync(string url) => _http.GetStringAsync(url);
}
"#,
        silent_when: "The delegate does anything besides the one call: other statements, \
CPU work in the call's arguments or receiver (`FooAsync(Compute(x))`, \
`GetClient().FooAsync()`), a call whose result the tool cannot tell is a task, a \
non-async delegate whose call returns a `ValueTask` (that `Task.Run` returns the ValueTask \
itself, unawaited), a non-async block that drops the task (`() => { FooAsync(); }`), or a \
method group (`Task.Run(FooAsync)`). Also silent when the caller blocks on the result \
(`Task.Run(() => FooAsync()).Result`, `.Wait()`, `.GetAwaiter().GetResult()`, \
`Task.WaitAll(..)`, also through a local: `var t = Task.Run(..); .. t.Wait();`): there the \
hop to the pool is the known workaround that keeps the awaits inside `FooAsync` off a \
blocked SynchronizationContext, and removing it would deadlock. Silent on a \
`Task.Run(..);` statement that drops its task (ASYNC203's finding), on a task kept in a \
field or property (`_loop = Task.Run(() => LoopAsync(ct))`: background work its owner \
starts on the pool on purpose, so that the constructor or `StartAsync` returns at once), \
and, in test projects, on a task that is stored or collected rather than awaited or \
returned on the spot (tests start work on pool threads on purpose, to race it).",
        fix: "Replace `Task.Run(..)` by the call itself: `Task.Run(() => FooAsync(x))` and \
`Task.Run(async () => await FooAsync(x))` become `FooAsync(x)`. Offered only when `Task.Run` \
gets no other argument (a `CancellationToken` changes what happens when it is already \
cancelled), when the call is declared in the project (or is a `Task` API) to return a \
`Task` or `Task<T>` — so the expression keeps its type — and, for `async () => { await \
FooAsync(x); }`, only when `FooAsync` returns a non-generic `Task`. Unsafe: the synchronous \
start of `FooAsync` now runs on the calling thread, an exception it throws before its first \
await is thrown at the call instead of stored in the task, and under a \
SynchronizationContext (UI) its continuations come back to that context.",
    },
};

/// The one call a `Task.Run` delegate makes, and how the delegate is written.
struct Wrapped<'t> {
    /// The awaitable call (without a `ConfigureAwait` the async lambda applied to it).
    call: Node<'t>,
    /// `async () => { await X; }`: the delegate returns a plain `Task` whatever `X` yields.
    drops_result: bool,
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(run) = Invocation::cast(node) else {
        return;
    };
    if run.name_text() != "Run" || run.is_conditional() {
        return;
    }
    let Some(recv) = run.receiver() else { return };
    // A project type named `Task` makes a bare `Task.Run` ambiguous: stay silent.
    if !names_bcl_type(model, recv, "Task") {
        return;
    }
    let args = run.args();
    let Some(first) = args.first() else { return };
    if first.name.is_some_and(|n| n.text() != "function") {
        return;
    }
    let Some(wrapped) = sole_call(first.value, model) else {
        return;
    };
    if result_is_blocked_on(node) || stored_then_blocked_on(node, model) {
        return;
    }
    // `Task.Run(..);` drops its task: that span is ASYNC203's finding (one construct, one
    // finding), and removing the wrapper would leave the task dropped all the same.
    if crate::rules::util::is_statement_expression(node) {
        return;
    }
    // Kept in a field or property: background work (a loop, a refresh) that its owner starts
    // on the pool on purpose, so that the constructor or `StartAsync` returns at once however
    // the method is written.
    if stored_in_member(node, model) {
        return;
    }
    // Tests start work on pool threads on purpose, to race it against other work: there only
    // a `Task.Run` whose task is awaited or returned on the spot is needless.
    if ctx.project.kind == ProjectKind::Test && !awaited_or_returned(node) {
        return;
    }
    let inv = Invocation::cast(wrapped.call).expect("checked in sole_call");
    let name = inv.name_text();
    let message = format!(
        "`Task.Run` only starts `{name}`, which is already asynchronous: the thread-pool hop \
buys nothing while it waits; call `{name}(..)` directly"
    );
    let generic_run = run
        .name()
        .and_then(|n| n.parent())
        .is_some_and(|p| p.is(SyntaxKind::GenericName));
    let keeps_type = returns_declared_task(&inv, model)
        .is_some_and(|generic| !(wrapped.drops_result && generic));
    let fix = (args.len() == 1 && !generic_run && keeps_type).then(|| Fix {
        message: format!("Call `{name}` directly instead of through `Task.Run`"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit::replace(node.range(), wrapped.call.text())],
    });
    let help = if args.len() > 1 {
        format!(
            "call `{name}(..)` directly and pass it the token; `Task.Run` here also receives another argument, so no automatic fix is offered"
        )
    } else if matches!(ctx.project.kind, ProjectKind::Ui) {
        format!(
            "in a UI app `Task.Run` also keeps the continuations inside `{name}` off the UI thread: if it does CPU work before or between its awaits without `ConfigureAwait(false)`, keep `Task.Run` and say so in a comment"
        )
    } else {
        format!(
            "if `{name}` does heavy synchronous work before its first await and must stay off this thread, keep `Task.Run` and say so in a comment"
        )
    };
    if let Some(d) = ctx.report(node, message) {
        d.with_fix(fix).with_help(help);
    }
}

/// The delegate `() => X`, `async () => await X`, `() => { return X; }`,
/// `async () => { await X; }` or `async () => { return await X; }` (or the same as an
/// anonymous method) where `X` is one cheap awaitable call.
fn sole_call<'t>(delegate: Node<'t>, model: &FileModel<'t>) -> Option<Wrapped<'t>> {
    let f = Function::cast(delegate.unparenthesized()).filter(|f| f.is_lambda_like())?;
    if !f.parameters().is_empty() {
        return None;
    }
    let is_async = f.is_async();
    let body = f.body()?;
    let (expr, drops_result) = if body.is(SyntaxKind::Block) {
        let mut statements = body.named_children();
        let only = statements.next()?;
        if statements.next().is_some() {
            return None;
        }
        match only.kind() {
            SyntaxKind::ReturnStatement => (only.first_named_child()?, false),
            // `() => { FooAsync(); }` is an Action that drops the task: another problem.
            SyntaxKind::ExpressionStatement if is_async => (only.first_named_child()?, true),
            _ => return None,
        }
    } else {
        (body, false)
    };
    let expr = expr.unparenthesized();
    let call = if is_async {
        if !expr.is(SyntaxKind::AwaitExpression) {
            return None;
        }
        strip_configure_await(expr.first_named_child()?.unparenthesized())
    } else {
        expr
    };
    let inv = Invocation::cast(call)?;
    if model.is_awaitable(call) != Tri::Yes {
        return None;
    }
    // Without `async`, `Task.Run(() => vt)` takes a `Func<ValueTask>` and returns the
    // ValueTask itself: not a wrapper of the work.
    if !is_async && model.type_of(call).is_none_or(|t| t.name != "Task") {
        return None;
    }
    if !is_cheap(&inv) {
        return None;
    }
    Some(Wrapped { call, drops_result })
}

/// The call does no work of its own before it starts: its receiver and arguments are
/// names, member reads, literals and operators on them — no calls, no allocations, no awaits.
fn is_cheap(inv: &Invocation<'_>) -> bool {
    let mut parts: Vec<Node<'_>> = Vec::new();
    if let Some(r) = inv.receiver() {
        parts.push(r);
    }
    if let Some(a) = inv.arguments {
        parts.push(a);
    }
    parts.iter().all(|p| {
        std::iter::once(*p)
            .chain(p.descendants())
            .all(|n| match n.kind() {
                SyntaxKind::InvocationExpression => {
                    Invocation::cast(n).is_some_and(|i| i.name_text() == "nameof")
                }
                SyntaxKind::ObjectCreationExpression
                | SyntaxKind::ArrayCreationExpression
                | SyntaxKind::ImplicitArrayCreationExpression
                | SyntaxKind::CollectionExpression
                | SyntaxKind::AwaitExpression
                | SyntaxKind::LambdaExpression
                | SyntaxKind::AnonymousMethodExpression
                | SyntaxKind::QueryExpression
                | SyntaxKind::Error => false,
                _ => true,
            })
    })
}

/// `Task.Run(..).Result`, `.Wait()`, `.GetAwaiter().GetResult()` (through `ConfigureAwait`),
/// or an argument of `Task.WaitAll`/`WaitAny`: the pool hop protects a blocking caller.
fn result_is_blocked_on(run: Node<'_>) -> bool {
    let mut e = run;
    loop {
        let Some(p) = e.parent() else { return false };
        match p.kind() {
            SyntaxKind::ParenthesizedExpression => e = p,
            SyntaxKind::MemberAccessExpression
                if p.child_by_field(Field::Expression) == Some(e) =>
            {
                let Some(ma) = MemberAccess::cast(p) else {
                    return false;
                };
                match ma.name_text() {
                    "Result" | "Wait" | "GetAwaiter" => return true,
                    "ConfigureAwait" => match p
                        .parent()
                        .filter(|g| g.is(SyntaxKind::InvocationExpression))
                    {
                        Some(g) => e = g,
                        None => return false,
                    },
                    _ => return false,
                }
            }
            // `Task.WaitAll(new[] { Task.Run(..), .. })`
            SyntaxKind::InitializerExpression
            | SyntaxKind::ImplicitArrayCreationExpression
            | SyntaxKind::ArrayCreationExpression
            | SyntaxKind::CollectionExpression => e = p,
            SyntaxKind::Argument => {
                return p
                    .parent()
                    .and_then(|l| l.parent())
                    .and_then(Invocation::cast)
                    .is_some_and(|i| matches!(i.name_text(), "WaitAll" | "WaitAny"));
            }
            _ => return false,
        }
    }
}

/// `_loop = Task.Run(..)`, `this.Pending = Task.Run(..)`, a field initializer.
fn stored_in_member<'t>(run: Node<'t>, model: &FileModel<'t>) -> bool {
    let Some(p) = run.parent() else { return false };
    match p.kind() {
        SyntaxKind::VariableDeclarator => p
            .parent()
            .and_then(|d| d.parent())
            .is_some_and(|f| f.is(SyntaxKind::FieldDeclaration)),
        SyntaxKind::AssignmentExpression if p.child_by_field(Field::Right) == Some(run) => {
            let Some(left) = p.child_by_field(Field::Left) else {
                return false;
            };
            match left.kind() {
                SyntaxKind::MemberAccessExpression => true,
                SyntaxKind::Identifier => {
                    let name = left.text();
                    let is_member = model
                        .enclosing_type(left)
                        .is_some_and(|t| model.member_in_hierarchy(t, name).is_some());
                    let declared_here = model.function_of(run).is_some_and(|f| {
                        f.node.descendants().any(|d| {
                            (d.is(SyntaxKind::VariableDeclarator) || d.is(SyntaxKind::Parameter))
                                && d.child_by_field(Field::Name)
                                    .is_some_and(|n| n.text() == name)
                        })
                    });
                    is_member && !declared_here
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// `var t = Task.Run(..); .. t.Wait();`: the local is blocked on later in the same function.
fn stored_then_blocked_on<'t>(run: Node<'t>, model: &FileModel<'t>) -> bool {
    let Some(p) = run.parent() else { return false };
    let name = match p.kind() {
        SyntaxKind::VariableDeclarator => p.child_by_field(Field::Name),
        SyntaxKind::AssignmentExpression if p.child_by_field(Field::Right) == Some(run) => p
            .child_by_field(Field::Left)
            .filter(|l| l.is(SyntaxKind::Identifier)),
        _ => None,
    };
    let (Some(name), Some(function)) = (name, model.function_of(run)) else {
        return false;
    };
    let Some(body) = function.body() else {
        return false;
    };
    body.descendants()
        .filter(|n| {
            n.start() > run.end() && n.is(SyntaxKind::Identifier) && n.text() == name.text()
        })
        .any(result_is_blocked_on)
}

/// `await Task.Run(..)` (through `ConfigureAwait`), `return Task.Run(..)`, `=> Task.Run(..)`.
fn awaited_or_returned(run: Node<'_>) -> bool {
    let mut e = run;
    loop {
        let Some(p) = e.parent() else { return false };
        match p.kind() {
            SyntaxKind::ParenthesizedExpression => e = p,
            SyntaxKind::MemberAccessExpression
                if MemberAccess::cast(p).is_some_and(|m| m.name_text() == "ConfigureAwait") =>
            {
                match p
                    .parent()
                    .filter(|g| g.is(SyntaxKind::InvocationExpression))
                {
                    Some(g) => e = g,
                    None => return false,
                }
            }
            SyntaxKind::AwaitExpression
            | SyntaxKind::ReturnStatement
            | SyntaxKind::ArrowExpressionClause => return true,
            SyntaxKind::LambdaExpression => return p.child_by_field(Field::Body) == Some(e),
            _ => return false,
        }
    }
}

/// `Some(generic)` when the call is declared (in the project, or in the `Task` table) to
/// return `Task` (`false`) or `Task<T>` (`true`) — so replacing `Task.Run(..)` by it keeps
/// the expression's type. `None` for a type known only from the `…Async` name (it may be a
/// `ValueTask`) or anything else.
fn returns_declared_task(inv: &Invocation<'_>, model: &FileModel<'_>) -> Option<bool> {
    let is_task = |t: &Ty| t.name == "Task" && t.arrays == 0 && !t.nullable;
    let candidates = model.callee_candidates(inv);
    if !candidates.is_empty() {
        let tys: Vec<&Ty> = candidates.iter().filter_map(|m| m.ty.as_ref()).collect();
        if tys.len() != candidates.len() || !tys.iter().all(|t| is_task(t)) {
            return None;
        }
        let generic = !tys[0].args.is_empty();
        return tys
            .iter()
            .all(|t| t.args.is_empty() != generic)
            .then_some(generic);
    }
    let recv = inv.receiver()?.unparenthesized();
    let type_name = model.static_type_name(recv)?;
    let s = known::task_static(type_name, inv.name_text())?;
    match s.returns {
        "Task" => Some(false),
        "Task?" => Some(true),
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
    fn flags_task_run_around_one_async_call() {
        assert_marked(
            &RULE,
            r#"
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
class C {
    HttpClient _http;
    Task<int> CountAsync(int x) => Task.FromResult(x);
    Task SaveAsync() => Task.CompletedTask;
    ValueTask<int> PeekAsync() => default;
    async Task M(int x, CancellationToken ct) {
        await Task.Run(() => CountAsync(x)); // ~ASYNC103
        await Task.Run(async () => await CountAsync(x)); // ~ASYNC103
        await Task.Run(async () => await CountAsync(x).ConfigureAwait(false)); // ~ASYNC103
        var t = Task.Run(() => SaveAsync()); // ~ASYNC103
        await Task.Run(() => { return CountAsync(x); }); // ~ASYNC103
        await Task.Run(async () => { await SaveAsync(); }); // ~ASYNC103
        await Task.Run(async () => { return await CountAsync(x); }); // ~ASYNC103
        await Task.Run(async delegate { await SaveAsync(); }); // ~ASYNC103
        await Task.Run(async () => await PeekAsync()); // ~ASYNC103
        await Task.Run(() => _http.GetStringAsync("https://example.org/" + x)); // ~ASYNC103
        await Task.Run(() => Task.Delay(100, ct), ct); // ~ASYNC103
        await Task.Run(() => this.CountAsync(x)).ConfigureAwait(false); // ~ASYNC103
        Task _loop;
        _loop = Task.Run(() => SaveAsync()); // ~ASYNC103
        await System.Threading.Tasks.Task.Run(() => SaveAsync()); // ~ASYNC103
    }
    Task Sync() => Task.Run(() => SaveAsync()); // ~ASYNC103
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_the_delegate_does_more_than_the_call() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.IO;
using System.Threading.Tasks;
class C {
    Task<int> CountAsync(int x) => Task.FromResult(x);
    Task SaveAsync() => Task.CompletedTask;
    ValueTask<int> PeekAsync() => default;
    int Compute(int x) => x * x;
    C Make() => this;
    int Sum(int[] xs) { int s = 0; foreach (var x in xs) s += x; return s; }
    async Task M(int x, int[] data, Func<Task> callback) {
        await Task.Run(() => Sum(data));
        await Task.Run(() => { Compute(x); return SaveAsync(); });
        await Task.Run(async () => { var y = Compute(x); await CountAsync(y); });
        await Task.Run(async () => { await SaveAsync(); await SaveAsync(); });
        await Task.Run(() => CountAsync(Compute(x)));
        await Task.Run(() => Make().SaveAsync());
        await Task.Run(() => CountAsync(new Random().Next()));
        await Task.Run(() => { SaveAsync(); });
        await Task.Run(() => PeekAsync());
        await Task.Run(SaveAsync);
        await Task.Run(() => callback());
        await Task.Run(() => File.ReadAllText("x"));
        await Task.Run(() => unknown.Load());
        await Task.Run(async () => await CountAsync(await CountAsync(x)));
        await Task.Run(async () => CountAsync(x));
        await Task.Run(() => 42);
        Task.Run(() => SaveAsync());
    }
    void Blocking(int x) {
        var a = Task.Run(() => CountAsync(x)).Result;
        Task.Run(() => SaveAsync()).Wait();
        Task.Run(() => SaveAsync()).GetAwaiter().GetResult();
        Task.Run(async () => await CountAsync(x)).ConfigureAwait(false).GetAwaiter().GetResult();
        Task.WaitAll(Task.Run(() => SaveAsync()), Task.Run(() => SaveAsync()));
        Task.WaitAll(new[] { Task.Run(() => SaveAsync()) });
        var t = Task.Run(() => CountAsync(x));
        Console.WriteLine(t.Result);
        Task u;
        u = Task.Run(() => SaveAsync());
        u.Wait();
        var v = Task.Run(() => SaveAsync());
        Task.WaitAny(new[] { v }, 1000);
    }
    Task _loop;
    Task Pending { get; set; }
    static Task LoopAsync() => Task.CompletedTask;
    static readonly Task Started = Task.Run(() => LoopAsync());
    void Start() {
        _loop = Task.Run(() => LoopAsync());
        this.Pending = Task.Run(async () => await LoopAsync());
        Pending = Task.Run(() => LoopAsync());
    }
}
class NotTask {
    class Task { public static void Run(Func<System.Threading.Tasks.Task> f) { } }
    System.Threading.Tasks.Task SaveAsync() => null;
    void M() { Task.Run(() => SaveAsync()); }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn tests_may_start_concurrent_work_on_the_pool() {
        assert_marked(
            &RULE,
            r#"
using System.Collections.Generic;
using System.Threading.Tasks;
public class PoolTests {
    Task QueryAsync(int i) => Task.CompletedTask;
    public async Task Concurrent() {
        var tasks = new List<Task>();
        for (var i = 0; i < 5; i++)
            tasks.Add(Task.Run(() => QueryAsync(i)));
        var first = Task.Run(async () => await QueryAsync(0));
        await Task.WhenAll(Task.Run(() => QueryAsync(1)), first);
        await Task.Run(() => QueryAsync(2)); // ~ASYNC103
    }
    Task Helper() => Task.Run(() => QueryAsync(3)); // ~ASYNC103
}
"#,
            ProjectKind::Test,
        );
    }

    #[test]
    fn fix_calls_the_method_directly() {
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { Task<int> FooAsync(int x) => null; async Task M(int x) { var a = await Task.Run(() => FooAsync(x)); var b = await Task.Run(async () => await FooAsync(x)); var c = await Task.Run(async () => await FooAsync(x).ConfigureAwait(false)).ConfigureAwait(false); } }",
            "using System.Threading.Tasks;\nclass C { Task<int> FooAsync(int x) => null; async Task M(int x) { var a = await FooAsync(x); var b = await FooAsync(x); var c = await FooAsync(x).ConfigureAwait(false); } }",
            Applicability::Unsafe,
        );
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { Task SaveAsync() => null; Task M() { return Task.Run(async () => { await SaveAsync(); }); } Task N() => Task.Run(() => Task.Delay(10)); }",
            "using System.Threading.Tasks;\nclass C { Task SaveAsync() => null; Task M() { return SaveAsync(); } Task N() => Task.Delay(10); }",
            Applicability::Unsafe,
        );
    }

    #[test]
    fn no_fix_where_the_type_or_the_arguments_would_change() {
        let src = r#"
using System.IO;
using System.Threading;
using System.Threading.Tasks;
class C {
    Task<int> CountAsync() => null;
    ValueTask<int> PeekAsync() => default;
    async Task M(Stream s, byte[] buf, CancellationToken ct) {
        await Task.Run(() => CountAsync(), ct);
        await Task.Run(async () => { await CountAsync(); });
        await Task.Run(async () => await PeekAsync());
        await Task.Run(async () => await s.ReadAsync(buf, 0, 1));
        await Task.Run<int>(() => CountAsync());
    }
}
"#;
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(d.len(), 5, "{d:#?}");
        assert!(d.iter().all(|d| d.fix.is_none()), "{d:#?}");
        assert!(d[0].help.as_deref().unwrap().contains("token"));
    }
}
