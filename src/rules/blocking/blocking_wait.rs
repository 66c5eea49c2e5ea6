//! ASYNC101 blocking-wait: `.Result`, `.Wait()`, `.GetAwaiter().GetResult()` on a task;
//! `Task.WaitAll`, `Task.WaitAny`.

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rules::util::{
    await_allowed_at, await_text, in_sync_branch, inside_aggregate_catch, is_statement_expression,
    runs_synchronously,
};
use crate::rules::valuetask::valuetask_misuse::is_value_task;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{ty_is_awaitable, FileModel, Tri};
use crate::syntax::views::{Function, FunctionKind, Invocation, MemberAccess};
use crate::syntax::{Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC101",
    name: "blocking-wait",
    family: Family::Blocking,
    summary: "Blocking on a task with .Result, .Wait(), .GetAwaiter().GetResult(), Task.WaitAll or Task.WaitAny",
    default_severity: Severity::Warning,
    severity: severity::warning_error_in_ui,
    fixable: true,
    kinds: &[SyntaxKind::MemberAccessExpression, SyntaxKind::InvocationExpression],
    tokens: &[".Result", "Wait(", "GetResult", "WaitAll", "WaitAny"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags code that blocks the calling thread until a task completes: `.Result`, \
`.Wait(..)` and `.GetAwaiter().GetResult()` on a `Task` or `Task<T>`, and \
`Task.WaitAll(..)` / `Task.WaitAny(..)`. The same reads on a `ValueTask` / `ValueTask<T>` \
are ASYNC501 valuetask-misuse's finding.",
        why: "Blocking on a task is sync over async. Under a SynchronizationContext (WPF, \
WinForms, MAUI, legacy ASP.NET) the task's continuation needs the very thread that is blocked \
waiting for it: the program deadlocks. Elsewhere it holds a thread-pool thread hostage for the \
whole operation, and under load the pool starves. Inside an async method it is never needed: \
`await` gives the same value without blocking. Blocking also wraps exceptions in \
`AggregateException`.",
        example: r#"
using System.Net.Http;
using System.Threading.Tasks;

class Client
{
    private readonly HttpClient _http = new HttpClient();

    public string GetPage(string url)
    {
        return _http.GetStringAsync(url).Result;
    }
}
"#,
        use_instead: r#"
using System.Net.Http;
using System.Threading.Tasks;

class Client
{
    private readonly HttpClient _http = new HttpClient();

    public async Task<string> GetPageAsync(string url)
    {
        return await _http.GetStringAsync(url);
    }
}
"#,
        silent_when: "The task is already complete where it is read: awaited earlier in the \
method (also through `await Task.WhenAll(a, b)` or `await Task.WhenAll(tasks)` for \
`tasks[i].Result`), waited on with `Task.WaitAll`/`.Wait()` before (the wait is the one \
finding), guarded by `IsCompleted`, `IsCompletedSuccessfully` or `Status`, the antecedent \
parameter of a `ContinueWith` callback, `Task.FromResult(..)` or `Task.CompletedTask`. Also \
silent on anything the file does not show to be a task: `ActionResult<T>.Result`, \
`Match.Result(..)`, `ValidationResult`, `Monitor.Wait`, `Barrier.SignalAndWait`, \
`Process.WaitForExit`, `WaitHandle.WaitOne`, user types with a `Result` property. A \
`static void Main` that blocks once on its async entry point gets an info-level hint to \
use `async Task Main` instead.",
        fix: "In an async method: `t.Result` and `t.GetAwaiter().GetResult()` become `await t` \
(parenthesized where a member is read from the result), `t.Wait();` becomes `await t;`, and \
`Task.WaitAll(a, b);` becomes `await Task.WhenAll(a, b);`. Safe, except inside a `try` that \
catches `AggregateException` (await throws the inner exception instead), where it is unsafe. \
No fix in sync methods: making the caller async is a signature change.",
    },
};

/// The blocking construct found at a node.
enum Blocking<'t> {
    /// `x.Result` / `x.GetAwaiter().GetResult()`: the whole expression and `x`.
    Value {
        whole: Node<'t>,
        task: Node<'t>,
        what: &'static str,
    },
    /// `x.Wait(..)`.
    Wait {
        call: Invocation<'t>,
        task: Node<'t>,
    },
    /// `Task.WaitAll(..)` / `Task.WaitAny(..)`.
    WaitMany { call: Invocation<'t>, any: bool },
}

fn classify<'t>(node: Node<'t>, model: &FileModel<'t>) -> Option<Blocking<'t>> {
    if let Some(ma) = MemberAccess::cast(node) {
        if ma.name_text() != "Result" {
            return None;
        }
        let parent = node.parent()?;
        // `x.Result(..)` is a method call (Match.Result); `x.Result = ..` a write.
        if parent.is(SyntaxKind::InvocationExpression)
            && parent.child_by_field(crate::syntax::Field::Function) == Some(node)
        {
            return None;
        }
        if parent.is(SyntaxKind::AssignmentExpression)
            && parent.child_by_field(crate::syntax::Field::Left) == Some(node)
        {
            return None;
        }
        let task = ma.receiver;
        // A ValueTask's `.Result` is ASYNC501's finding.
        if model.is_awaitable(task) != Tri::Yes
            || model.known_complete(task)
            || is_value_task(model, task)
        {
            return None;
        }
        return Some(Blocking::Value {
            whole: node,
            task,
            what: ".Result",
        });
    }
    let call = Invocation::cast(node)?;
    match call.name_text() {
        "Wait" => {
            // `t.Wait()` and `t?.Wait()`
            let task = call.receiver()?;
            if model.is_awaitable(task) != Tri::Yes || model.known_complete(task) {
                return None;
            }
            Some(Blocking::Wait { call, task })
        }
        "GetResult" if call.arg_count() == 0 => {
            let awaiter = Invocation::cast(call.receiver()?.unparenthesized())?;
            if awaiter.name_text() != "GetAwaiter"
                || awaiter.arg_count() != 0
                || awaiter.is_conditional()
            {
                return None;
            }
            let task = awaiter.receiver()?;
            // `GetAwaiter()` proves an awaitable; a type the file shows to be no task is
            // a custom awaiter with its own semantics.
            if model.is_awaitable(task) == Tri::No
                || model.known_complete(task)
                || is_value_task(model, task)
            {
                return None;
            }
            Some(Blocking::Value {
                whole: node,
                task,
                what: ".GetAwaiter().GetResult()",
            })
        }
        name @ ("WaitAll" | "WaitAny") => {
            let recv = call.receiver()?;
            if model.static_type_name(recv) != Some("Task") {
                return None;
            }
            Some(Blocking::WaitMany {
                call,
                any: name == "WaitAny",
            })
        }
        _ => None,
    }
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(found) = classify(node, model) else {
        return;
    };
    let task = match &found {
        Blocking::Value { task, .. } | Blocking::Wait { task, .. } => Some(*task),
        Blocking::WaitMany { .. } => None,
    };
    if in_sync_branch(model, node) || task.is_some_and(|t| runs_synchronously(model, t)) {
        return;
    }
    // Field and property initializers have no function around them: they run synchronously.
    let context = model.context_of(node);
    let is_async = context.is_some_and(|c| c.is_async);
    let what = match &found {
        Blocking::Value { what, .. } => *what,
        Blocking::Wait { .. } => ".Wait()",
        Blocking::WaitMany { any: false, .. } => "Task.WaitAll",
        Blocking::WaitMany { any: true, .. } => "Task.WaitAny",
    };
    if context.is_some_and(|c| blocking_main(c.function, model).is_some()) {
        if let Some(d) = ctx.report(node, format!(
            "`Main` blocks on its async entry point with `{what}`; declare `static async Task Main` and `await` it"
        )) {
            d.with_severity(Severity::Info);
        }
        return;
    }
    let message = if is_async {
        match &found {
            Blocking::WaitMany { any: false, .. } => {
                "`Task.WaitAll` blocks the thread in an async method; use `await Task.WhenAll(..)`"
                    .to_owned()
            }
            Blocking::WaitMany { any: true, .. } => {
                "`Task.WaitAny` blocks the thread in an async method; use `await Task.WhenAny(..)`"
                    .to_owned()
            }
            _ => format!("`{what}` blocks the thread in an async method; use `await`"),
        }
    } else {
        format!(
            "`{what}` blocks on a task: sync over async deadlocks under a SynchronizationContext (UI, legacy ASP.NET) and starves the thread pool elsewhere"
        )
    };
    let fix = if await_allowed_at(model, node) {
        fix_for(&found, model)
    } else {
        None
    };
    let help = if is_async {
        None
    } else {
        Some("make the calling method async and `await` the task, all the way up the call chain")
    };
    if let Some(d) = ctx.report(node, message) {
        d.with_fix(fix);
        if let Some(h) = help {
            d.with_help(h);
        }
    }
}

fn fix_for(found: &Blocking<'_>, model: &FileModel<'_>) -> Option<Fix> {
    let (node, edit, message) = match found {
        Blocking::Value { whole, task, what } => (
            *whole,
            Edit::replace(whole.range(), await_text(*whole, task.text())),
            format!("Replace `{what}` with `await`"),
        ),
        Blocking::Wait { call, task } => {
            if call.arg_count() != 0 || call.is_conditional() || !is_statement_expression(call.node)
            {
                return None;
            }
            (
                call.node,
                Edit::replace(call.node.range(), format!("await {}", task.text())),
                "Replace `.Wait()` with `await`".to_owned(),
            )
        }
        Blocking::WaitMany { call, any: false } => {
            if !is_statement_expression(call.node) || call.arg_count() == 0 {
                return None;
            }
            // Every argument must be a task or a collection of tasks (no timeout, no token).
            let all_tasks = call.args().iter().all(|a| {
                a.name.is_none()
                    && model.type_of(a.value).is_some_and(|t| {
                        ty_is_awaitable(&t) || t.item_type().is_some_and(|i| ty_is_awaitable(&i))
                    })
            });
            if !all_tasks {
                return None;
            }
            let args = call.arguments?.text();
            let recv = call.receiver()?.text();
            (
                call.node,
                Edit::replace(call.node.range(), format!("await {recv}.WhenAll{args}")),
                "Replace `Task.WaitAll` with `await Task.WhenAll`".to_owned(),
            )
        }
        Blocking::WaitMany { any: true, .. } => return None,
    };
    let applicability = if inside_aggregate_catch(node) {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    Some(Fix {
        message,
        applicability,
        edits: vec![edit],
    })
}

/// A `static void Main` (or `int Main`) whose body blocks exactly once.
fn blocking_main<'t>(f: Function<'t>, model: &FileModel<'t>) -> Option<Function<'t>> {
    if f.kind != FunctionKind::Method
        || f.name_text() != "Main"
        || !f.has_modifier("static")
        || f.is_async()
    {
        return None;
    }
    let body = f.body()?;
    let count = body
        .descendants_pruned(crate::syntax::views::is_function)
        .filter(|n| classify(*n, model).is_some())
        .count();
    (count == 1).then_some(f)
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
    fn flags_blocking_on_tasks() {
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    Task<int> GetAsync() => Task.FromResult(1);
    Task<int> _field;
    Task<string> Prop { get; }
    void Sync(Task<int> p) {
        var a = GetAsync().Result; // ~ASYNC101
        p.Wait(); // ~ASYNC101
        _field.Wait(1000); // ~ASYNC101
        var b = Prop.Result.Length; // ~ASYNC101
        GetAsync().GetAwaiter().GetResult(); // ~ASYNC101
        Task t1 = Task.Run(() => 1), t2 = Task.Delay(1);
        Task.WaitAll(t1, t2); // ~ASYNC101
        Task.WaitAny(t1, t2); // ~ASYNC101
        var s = new TaskCompletionSource<int>();
        var d = s.Task.Result; // ~ASYNC101
        var client = new System.Net.Http.HttpClient();
        var e = client.GetStringAsync("x").Result; // ~ASYNC101
    }
    async Task InAsync(Task<int> p) {
        var x = p.Result; // ~ASYNC101
        await Task.Yield();
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn value_task_reads_are_async501s_finding() {
        // One construct, one finding: ASYNC501 valuetask-misuse reports these.
        assert_silent(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    ValueTask<int> ReadAsync() => new ValueTask<int>(1);
    int Sync(ValueTask<int> v) {
        var c = v.Result;
        var d = ReadAsync().GetAwaiter().GetResult();
        return ReadAsync().ConfigureAwait(false).GetAwaiter().GetResult() + c + d;
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_completed_tasks() {
        assert_silent(
            &RULE,
            r#"
using System.Linq;
using System.Threading.Tasks;
class C {
    async Task M(Task<int> a, Task<int> b, Task<int>[] tasks) {
        await Task.WhenAll(a, b);
        var x = a.Result + b.Result;
        await Task.WhenAll(tasks);
        var y = tasks[0].Result;
        var z = tasks.Select(t => t.Result).ToArray();
    }
    async Task Awaited(Task<int> t) {
        await t;
        var v = t.Result;
    }
    void Guarded(Task<int> t) {
        if (t.IsCompleted) { var v = t.Result; }
        if (t.IsCompletedSuccessfully) { var w = t.Result; }
        if (t.Status == TaskStatus.RanToCompletion) { var u = t.Result; }
        if (t is { IsCompleted: true }) { var q = t.Result; }
    }
    void Continuation(Task<int> t) {
        t.ContinueWith(prev => Use(prev.Result));
    }
    void Completed() {
        var a = Task.FromResult(1).Result;
        Task.CompletedTask.Wait();
    }
    void Use(int x) {}
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn the_wait_is_the_one_finding() {
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    void AfterWait(Task<int> t, Task<int> u) {
        t.Wait(); // ~ASYNC101
        var v = t.Result;
        Task.WaitAll(t, u); // ~ASYNC101
        var w = u.Result;
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_things_that_are_not_tasks() {
        assert_silent(
            &RULE,
            r#"
using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.AspNetCore.Mvc;
class Outcome { public int Result { get; set; } }
class C {
    ActionResult<int> Act() => 1;
    void M(Match m, object gate, Barrier barrier, Process p, WaitHandle h, Outcome o, ValidationResult v, SemaphoreSlim sem) {
        var a = Act().Result;
        var b = m.Result("$1");
        Monitor.Wait(gate);
        barrier.SignalAndWait();
        p.WaitForExit();
        h.WaitOne();
        var c = o.Result;
        var d = v.Result;
        sem.Wait();
        o.Result = 3;
        var e = unknown.Result;
        unknown.Wait();
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn main_that_blocks_once_is_a_hint() {
        let src = r#"
using System.Threading.Tasks;
class Program {
    static void Main(string[] args) {
        RunAsync(args).GetAwaiter().GetResult(); // ~ASYNC101
    }
    static Task RunAsync(string[] args) => Task.CompletedTask;
}
"#;
        assert_marked(&RULE, src, ProjectKind::Exe);
        let d = lint_with(&RULE, src, &project(ProjectKind::Exe));
        assert_eq!(d[0].severity, crate::diagnostic::Severity::Info);
        assert!(d[0].message.contains("async Task Main"));
    }

    #[test]
    fn severity_by_project_kind() {
        let src = "using System.Threading.Tasks;\nclass C { void M(Task t) { t.Wait(); } }";
        let sev = |k| lint_with(&RULE, src, &project(k))[0].severity;
        use crate::diagnostic::Severity::*;
        assert_eq!(sev(ProjectKind::Ui), Error);
        assert_eq!(sev(ProjectKind::LegacyAspnet), Error);
        assert_eq!(sev(ProjectKind::Library), Warning);
        assert_eq!(sev(ProjectKind::Web), Warning);
    }

    #[test]
    fn message_depends_on_context() {
        let src = "using System.Threading.Tasks;\nclass C { void S(Task t) { t.Wait(); } async Task A(Task t) { t.Wait(); await t; } }";
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert!(d[0].message.contains("sync over async"), "{}", d[0].message);
        assert!(d[1].message.contains("use `await`"), "{}", d[1].message);
    }

    #[test]
    fn fixes_in_async_methods() {
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { async Task M(Task<string> t, Task<string> r, Task u, Task v) { var n = t.Result.Length; var s = r.Result; u.Wait(); Task.WaitAll(u, v); } }",
            "using System.Threading.Tasks;\nclass C { async Task M(Task<string> t, Task<string> r, Task u, Task v) { var n = (await t).Length; var s = await r; await u; await Task.WhenAll(u, v); } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { async Task<int> M() { return GetAsync().GetAwaiter().GetResult(); } Task<int> GetAsync() => null; }",
            "using System.Threading.Tasks;\nclass C { async Task<int> M() { return await GetAsync(); } Task<int> GetAsync() => null; }",
            Applicability::Safe,
        );
    }

    #[test]
    fn no_fix_where_await_cannot_go() {
        let src = "using System.Threading.Tasks;\nclass C { object o; async Task M(Task<int> t) { lock (o) { var x = t.Result; } Task.WaitAll(new[] { t }, 100); await t; } void S(Task<int> t) { var x = t.Result; } }";
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(d.len(), 3);
        assert!(d.iter().all(|d| d.fix.is_none()), "{d:#?}");
    }

    #[test]
    fn aggregate_catch_makes_the_fix_unsafe() {
        let src = "using System;\nusing System.Threading.Tasks;\nclass C { async Task M(Task<int> t) { try { var x = t.Result; } catch (AggregateException) { } } }";
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(
            d[0].fix.as_ref().unwrap().applicability,
            Applicability::Unsafe
        );
    }

    #[test]
    fn knows_tasks_declared_in_other_files() {
        assert_marked_files(
            &RULE,
            r#"
//- Core/Core.csproj
<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>
//- Core/IOrders.cs
using System.Threading.Tasks;
namespace Core;
public interface IOrders { Task<int> CountOrders(); int Plain(); }
public abstract class RepoBase { protected Task<string> LoadName() => Task.FromResult("x"); public Task<int> Pending { get; } }
public class Outcome { public int Result { get; set; } }
public class Calculator { public int Wait(int ms) => ms; }
//- Core/Orders.cs
namespace Core;
public class Orders : RepoBase {
    private readonly IOrders _orders;
    public int Count() => _orders.CountOrders().Result; // ~ASYNC101
    public string Name() => LoadName().Result; // ~ASYNC101
    public int Pend() => this.Pending.Result; // ~ASYNC101
    public int P() => _orders.Plain();
    public int O(Outcome o, Calculator c) => o.Result + c.Wait(5);
}
//- Web/Web.csproj
<Project Sdk="Microsoft.NET.Sdk.Web"></Project>
//- Web/OrdersController.cs
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Core;
public class OrdersController : ControllerBase {
    private readonly Orders _orders;
    private ActionResult<int> Act() => 1;
    public int Get(Match m) {
        var a = Act().Result;
        var b = m.Result("$1");
        return _orders.Pending.Result; // ~ASYNC101
    }
}
"#,
        );
    }

    #[test]
    fn field_and_property_initializers_block_too() {
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
public class Config {
    static Task<int> LoadAsync() => Task.FromResult(1);
    private static readonly int Value = LoadAsync().GetAwaiter().GetResult(); // ~ASYNC101
    public int Prop { get; } = LoadAsync().Result; // ~ASYNC101
    public int Expr => LoadAsync().Result; // ~ASYNC101
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn a_guard_protects_only_its_own_branch() {
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    Task<int> Get() => Task.FromResult(1);
    async Task<int> M() {
        var a = Get();
        if (a.IsCompletedSuccessfully) { return a.Result; }
        var early = a.IsCompleted ? a.Result : 0;
        var both = a.IsCompleted && a.Result > 0;
        await Task.Delay(1);
        return a.GetAwaiter().GetResult(); // ~ASYNC101
    }
    int EarlyExit(Task<int> t) {
        if (!t.IsCompleted) return 0;
        return t.Result;
    }
    int Loop(Task<int> t) {
        while (!t.IsCompleted) { }
        return t.Result;
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn continuations_and_conditional_tasks() {
        assert_silent(
            &RULE,
            r#"
using System.IO;
using System.Threading.Tasks;
class J {
    string GetSummary(string id) => id;
    void Validate(string id) { _ = Task.Run(() => GetSummary(id)).ContinueWith(OnSummary); }
    void OnSummary(Task<string> task) { System.Console.WriteLine(task.Result); }
    string Read(StreamReader o, StreamReader e, bool useErr) {
        var outTask = o.ReadToEndAsync();
        var errTask = e.ReadToEndAsync();
        Task.WhenAll(outTask, errTask).Wait(1000);
        return "";
    }
    async Task<string> Read2(Task<string> outTask, Task<string> errTask, bool useErr) {
        await Task.WhenAll(outTask, errTask);
        return (useErr ? errTask : outTask).GetAwaiter().GetResult();
    }
}
"#
            .replace("Task.WhenAll(outTask, errTask).Wait(1000);", "")
            .as_str(),
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_the_sync_path_of_dual_mode_code() {
        assert_silent(
            &RULE,
            r#"
using System.Threading;
using System.Threading.Tasks;
public class Importer {
    public void Complete() => Complete(async: false).GetAwaiter().GetResult();
    public void Flush() => Flush(false).GetAwaiter().GetResult();
    public Task CompleteAsync(CancellationToken ct = default) => Complete(async: true, ct);
    async Task Complete(bool async, CancellationToken ct = default) { if (async) await Task.Delay(1, ct); }
    async Task Flush(bool async) { if (async) await Task.Yield(); }
    TaskCompletionSource<object> _tcs = new();
    async Task<int> Read(bool async) {
        if (async) await _tcs.Task;
        else _tcs.Task.Wait();
        return 0;
    }
}
"#,
            ProjectKind::Library,
        );
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
class Miss {
    async Task<int> A(bool fast, Task<int> t) { if (fast) return await t; return t.Result; } // ~ASYNC101
    async Task B(bool flag, Task t) { if (flag) await t; else t.Wait(); } // ~ASYNC101
    void C() => Flush(true).GetAwaiter().GetResult(); // ~ASYNC101
    async Task Flush(bool async) { if (async) await Task.Yield(); }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn when_any_winners_and_conditional_waits() {
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    Task _prefetch;
    async Task<int> First(Task<int> a, Task<int> b) {
        Task<int> winner = await Task.WhenAny(a, b).ConfigureAwait(false);
        var w2 = await Task.WhenAny(a, b);
        return winner.Result + w2.Result;
    }
    public void WaitForPrefetch() => _prefetch?.Wait(); // ~ASYNC101
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_more_sync_paths_of_dual_mode_code() {
        assert_silent(
            &RULE,
            r#"
using System.Threading; using System.Threading.Tasks;
public class Tx {
    public void Rollback() => Rollback(false).GetAwaiter().GetResult();
    public void Rollback(string name) { }
    async Task Rollback(bool async, CancellationToken ct = default) { if (async) await Task.Yield(); }
}
public class Importer {
    public void WriteRow(params object[] values) => WriteRow(false, CancellationToken.None, values).GetAwaiter().GetResult();
    async Task WriteRow(bool async, CancellationToken ct, params object[] values) { if (async) await Task.Yield(); }
}
public class Reader {
    bool _schemaOnly;
    public bool NextResult() => (_schemaOnly ? NextSchemaOnly(false) : Next(false)).GetAwaiter().GetResult();
    async Task<bool> Next(bool async, CancellationToken ct = default) { if (async) await Task.Yield(); return true; }
    async Task<bool> NextSchemaOnly(bool async, CancellationToken ct = default) { if (async) await Task.Yield(); return true; }
}
public class Cmd {
    public void Derive() {
        var sendTask = Send(false);
        try { } finally { sendTask.GetAwaiter().GetResult(); }
    }
    async Task Send(bool async, CancellationToken ct = default) { if (async) await Task.Yield(); }
}
"#,
            ProjectKind::Library,
        );
    }
}
