//! ASYNC203 unobserved-task: a task-returning call used as a statement; the task is dropped.

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rules::util::await_allowed_at;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::Tri;
use crate::syntax::views::Invocation;
use crate::syntax::{Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC203",
    name: "unobserved-task",
    family: Family::Lifetime,
    summary: "A task-returning call whose task is dropped",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: true,
    kinds: &[SyntaxKind::ExpressionStatement],
    // Every word `may_drop_task` looks for (a local function returning a task names
    // `Task` or `ValueTask`), and the project's own awaitable methods.
    tokens: &[
        "*Async",
        "Task",
        "ValueTask",
        "ContinueWith",
        "ConfigureAwait",
        "StartNew",
        "ConfiguredTaskAwaitable",
        "ConfiguredValueTaskAwaitable",
        crate::engine::AWAITABLE_STATEMENT,
    ],
    may_flag_member: Some(may_drop_task),
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags an awaitable call used as a statement: its task is neither awaited, \
assigned, returned nor passed on. Covers compiler warning CS4014 in async methods, and also \
sync methods, where the compiler says nothing. Includes `Task.WhenAll(..)` and \
`Task.WhenAny(..)` that are not awaited.",
        why: "A dropped task runs unsupervised: nothing waits for it, so the caller goes on \
before the work is done (and may dispose what it uses), and its exception is lost — at best \
raised later as an unobserved task exception, at worst silently swallowed.",
        example: r#"
using System.Threading.Tasks;

class Orders
{
    public async Task SubmitAsync(int id)
    {
        SaveAsync(id);
        await NotifyAsync(id);
    }

    private Task SaveAsync(int id) => Task.CompletedTask;
    private Task NotifyAsync(int id) => Task.CompletedTask;
}
"#,
        use_instead: r#"
using System.Threading.Tasks;

class Orders
{
    public async Task SubmitAsync(int id)
    {
        await SaveAsync(id);
        await NotifyAsync(id);
    }

    private Task SaveAsync(int id) => Task.CompletedTask;
    private Task NotifyAsync(int id) => Task.CompletedTask;
}
"#,
        silent_when: "The task is used: awaited, assigned (`_ = FooAsync();` is ASYNC204's \
explicit fire-and-forget), returned, passed as an argument, or a `ConfigureAwait` chain that \
ends in `await`. Calls the file does not show to return a task; `…Async` methods of the \
event-based pattern that return void (`WebClient.DownloadStringAsync`, \
`BackgroundWorker.RunWorkerAsync`, `SmtpClient.SendAsync`).",
        fix: "In an async method, add `await`. Unsafe: the method now waits for the task, \
which changes timing and lets its exception propagate to the caller.",
    },
};

/// A dropped task is a call statement: an `…Async(..)`, `Task.X(..)` or `ValueTask.X(..)`
/// call that may start a statement, a chain ending in a task method (`t.ContinueWith(..);`)
/// or a call of a local function returning a task. (Calls of the project's own awaitable
/// methods come from the index token, which needs no second test.)
fn may_drop_task(m: &crate::rules::MemberText<'_>) -> bool {
    may_call_task(m, crate::semantic::may_start_statement)
}

/// Whether the member may hold a call the model types as a task, other than one of the
/// project's own methods (the `@index:` token parts stand for those), at a position `at`
/// allows: `ConfigureAwait`/`ContinueWith`/`WhenAll`/`WhenAny`/`StartNew`, a call named
/// `…Async`, a static of `Task` or `ValueTask`, or a local function declared to return a
/// task.
pub(crate) fn may_call_task(
    m: &crate::rules::MemberText<'_>,
    at: impl Fn(&[u8], usize) -> bool,
) -> bool {
    let b = m.code.as_bytes();
    [
        "ContinueWith",
        "ConfigureAwait",
        "WhenAll",
        "WhenAny",
        "StartNew",
    ]
    .iter()
    .any(|w| m.has(w))
        || m.calls_ending_in("Async").any(|i| at(b, i))
        || ["Task", "ValueTask"].iter().any(|t| {
            m.positions(t)
                .any(|i| b.get(i + t.len()) == Some(&b'.') && at(b, i))
        })
        || m.declares_awaitable_local()
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let Some(expr) = node.first_named_child() else {
        return;
    };
    let call = expr.unparenthesized();
    let Some(inv) = Invocation::cast(call) else {
        return;
    };
    let model = ctx.model;
    if model.is_awaitable(call) != Tri::Yes {
        return;
    }
    let name = inv.name_text();
    // `t.ContinueWith(handler, TaskContinuationOptions.OnlyOnFaulted);` observes `t`.
    if name == "ContinueWith"
        && inv
            .args()
            .iter()
            .any(|a| a.value.text().contains("OnlyOnFaulted"))
    {
        return;
    }
    // `Task.Run(() => { try { .. } catch (Exception) { .. } })`: the work observes its own
    // failures.
    if matches!(name, "Run" | "StartNew")
        && inv.args().first().is_some_and(|a| {
            crate::syntax::views::Function::cast(a.value.unparenthesized())
                .and_then(|f| f.body())
                .is_some_and(crate::rules::util::catches_everything)
        })
    {
        return;
    }
    let shown = match name {
        "WhenAll" | "WhenAny" => format!("Task.{name}(..)"),
        "ConfigureAwait" => "the task".to_owned(),
        _ => format!("`{name}`"),
    };
    let shown = if shown.starts_with('`') || shown == "the task" {
        shown
    } else {
        format!("`{shown}`")
    };
    let message = format!(
        "the task returned by {shown} is dropped: nothing awaits it and its exceptions are lost; await it or assign it to `_` to fire and forget"
    );
    let fix = await_allowed_at(model, node).then(|| Fix {
        message: "Await the task".to_owned(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit::insert(expr.start(), "await ")],
    });
    if let Some(d) = ctx.report(expr, message) {
        d.with_fix(fix);
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
    fn flags_dropped_tasks() {
        assert_marked(
            &RULE,
            r#"
using System.Net.Http;
using System.Threading.Tasks;
class C {
    Task Save() => Task.CompletedTask;
    Task<int> Count() => Task.FromResult(1);
    HttpClient _http;
    async Task M(Task a, Task b) {
        Save(); // ~ASYNC203
        this.Count(); // ~ASYNC203
        _http.GetStringAsync("x"); // ~ASYNC203
        Task.WhenAll(a, b); // ~ASYNC203
        Task.WhenAny(a, b); // ~ASYNC203
        Task.Delay(100); // ~ASYNC203
        Save().ConfigureAwait(false); // ~ASYNC203
        await Task.Yield();
    }
    void Sync() {
        Task.Run(() => 1); // ~ASYNC203
        Save(); // ~ASYNC203
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_the_task_is_used() {
        assert_silent(
            &RULE,
            r#"
using System.ComponentModel;
using System.Net;
using System.Threading.Tasks;
class C {
    Task Save() => Task.CompletedTask;
    void Log() {}
    void FireAsync() {}
    async Task<Task> M(WebClient web, BackgroundWorker worker) {
        _ = Save();
        var t = Save();
        await Save();
        await Save().ConfigureAwait(false);
        Use(Save());
        Log();
        FireAsync();
        web.DownloadStringAsync(new System.Uri("x"));
        worker.RunWorkerAsync();
        unknown.Call();
        Task.Yield();
        return Save();
    }
    void Use(Task t) {}
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn fix_adds_await_unsafely() {
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { Task Save() => null; async Task M() { Save(); } }",
            "using System.Threading.Tasks;\nclass C { Task Save() => null; async Task M() { await Save(); } }",
            Applicability::Unsafe,
        );
        let d = lint_with(
            &RULE,
            "using System.Threading.Tasks;\nclass C { Task Save() => null; void M() { Save(); } }",
            &project(ProjectKind::Library),
        );
        assert!(d[0].fix.is_none(), "no await in a sync method");
    }

    #[test]
    fn knows_tasks_and_void_methods_of_other_files() {
        assert_marked_files(
            &RULE,
            r#"
//- Lib/Api.cs
using System.Threading.Tasks;
public interface IApi { Task Refresh(); void SendAsync(string legacy); }
public class Cache { public Task Warm() => Task.CompletedTask; public void FlushAsync() {} }
//- Lib/Use.cs
public class Use {
    private readonly IApi _api;
    private readonly Cache _cache = new Cache();
    public void M() {
        _api.Refresh(); // ~ASYNC203
        _cache.Warm(); // ~ASYNC203
        _api.SendAsync("x");
        _cache.FlushAsync();
    }
}
"#,
        );
    }

    #[test]
    fn silent_on_builders_and_void_async_apis() {
        assert_silent(
            &RULE,
            r#"
using System.Media;
using System.Threading.Tasks;
using System.Windows.Forms;
using Moq;
public interface IRepo { Task<int> GetAsync(); }
class A {
    void M(PictureBox pb, SoundPlayer sp) {
        pb.LoadAsync("img.png");
        pb.CancelAsync();
        sp.LoadAsync();
        var repo = new Mock<IRepo>();
        repo.Setup(r => r.GetAsync()).ReturnsAsync(42);
        repo.Setup(r => r.GetAsync()).ThrowsAsync(new System.Exception());
        repo.SetupSequence(r => r.GetAsync()).ReturnsAsync(1).ReturnsAsync(2);
    }
}
"#,
            ProjectKind::Test,
        );
    }

    #[test]
    fn flags_local_functions_that_return_tasks() {
        // Nothing else in `M` names a task: the local function's declaration does.
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    void M() {
        Local(); // ~ASYNC203
        Task Local() => G();
        Task<int>? Other() => null;
        Other(); // ~ASYNC203
    }
    void N() { Later(); ValueTask Later() { return default; } } // ~ASYNC203
    Task G() => Task.CompletedTask;
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn fields_of_other_partial_parts_are_known() {
        assert_marked_files(
            &RULE,
            r#"
//- App/MyBox.cs
namespace Lib { public class MyBox { public void LoadImageFromFileAsync(string p) { } public System.Threading.Tasks.Task SaveAsync() => null; } }
//- App/MainForm.cs
public partial class MainForm {
    private void ShowPreview(string path) {
        box.LoadImageFromFileAsync(path);
        box.SaveAsync(); // ~ASYNC203
    }
}
//- App/MainForm.Designer.cs
public partial class MainForm {
    private Lib.MyBox box;
}
"#,
        );
    }

    #[test]
    fn silent_on_observers_nunit_asserts_and_other_overloads() {
        assert_silent(
            &RULE,
            r#"
using System.Threading.Tasks;
class A {
    void Observe(Task task) {
        task.ContinueWith(t => System.Console.Error.WriteLine(t.Exception), TaskContinuationOptions.OnlyOnFaulted);
    }
}
"#,
            ProjectKind::Library,
        );
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading.Tasks;
using NUnit.Framework;
public class Tests {
    [Test] public void T() {
        Assert.ThrowsAsync<InvalidOperationException>(async () => await Task.Delay(1));
        Assert.DoesNotThrowAsync(() => Task.CompletedTask);
    }
}
"#,
            ProjectKind::Test,
        );
        assert_silent(
            &RULE,
            r#"
using System.Data;
using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;
public class MyAdapter : DbDataAdapter {
    internal Task<int> Fill(DataTable t, bool async, CancellationToken ct = default) => Task.FromResult(0);
}
public class Use { void M() { var da = new MyAdapter(); da.Fill(new DataSet()); } }
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_background_work_that_catches_everything() {
        assert_marked(
            &RULE,
            r#"
using System; using System.Threading.Tasks;
public static class Events {
    public static void Queue(EventHandler handler, object sender, EventArgs args) {
        Task.Run(() => {
            try { handler(sender, args); }
            catch (Exception ex) { Console.Error.WriteLine(ex); }
        });
        Task.Run(() => handler(sender, args)); // ~ASYNC203
    }
}
"#,
            ProjectKind::Library,
        );
    }
}
