//! ASYNC607 background-service-blocks-start: a `BackgroundService.ExecuteAsync` override
//! that blocks before its first `await`, holding up host start-up.

use crate::diagnostic::Severity;
use crate::project::Framework;
use crate::rules::util::{await_points, derives_from, is_dbcontext};
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{known, FileModel, Tri};
use crate::syntax::views::{is_function, Function, Invocation, MemberAccess};
use crate::syntax::{Field, Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC607",
    name: "background-service-blocks-start",
    family: Family::Resources,
    summary: "BackgroundService.ExecuteAsync blocks before its first await",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: false,
    kinds: &[SyntaxKind::MethodDeclaration],
    tokens: &["ExecuteAsync & override"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags an `ExecuteAsync` override in a class deriving from `BackgroundService` \
that, before its first `await` in textual order, calls a blocking API (`Thread.Sleep`, the \
synchronous file, stream, ADO.NET and `SaveChanges` calls of ASYNC102's table, \
`SemaphoreSlim.Wait`), blocks on a task (`.Result`, `.Wait()`, \
`.GetAwaiter().GetResult()`, `Task.WaitAll`), or runs a long-running loop whose body \
does not await (`while (true)`, `while (!stoppingToken.IsCancellationRequested)`, `for \
(;;)`, `foreach` over `GetConsumingEnumerable(..)`). An override without any `await` is \
synchronous throughout. Reported once, at the method's name.",
        why: "`BackgroundService.StartAsync` calls `ExecuteAsync` directly and returns when it \
reaches its first incomplete `await`. Until then the host's start-up is stuck: other hosted \
services do not start, Kestrel does not listen, and a loop that never awaits keeps the \
application from ever finishing start-up (or from stopping: the host cannot signal it).",
        example: r#"
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

class Poller : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Poll();
            Thread.Sleep(1000);
        }
        await Task.CompletedTask;
    }

    private void Poll() { }
}
"#,
        use_instead: r#"
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

class Poller : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Poll();
            await Task.Delay(1000, stoppingToken);
        }
    }

    private void Poll() { }
}
"#,
        silent_when: "A loop whose body awaits (the first iteration reaches the await and \
start-up goes on); blocking code after the first `await` (including after `await \
Task.Yield()`); bounded loops (`foreach` over a list, `for (var i = 0; i < n; i++)`); work \
inside lambdas (`return Task.Run(() => ..)`); methods not named `ExecuteAsync`, not \
overrides, or in classes that do not derive from `BackgroundService` (a project type of \
that name is not Microsoft's); `IHostedService.StartAsync` implementations (not this \
rule); projects that target only .NET 10 or later, where the host runs all of \
`ExecuteAsync` in the background.",
        fix: "None automatic. Put `await Task.Yield();` first in the method, replace \
`Thread.Sleep` with `await Task.Delay(.., stoppingToken)` and blocking calls with their async \
counterparts, or run a synchronous loop with `Task.Run`.",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(f) = Function::cast(node) else {
        return;
    };
    if f.name_text() != "ExecuteAsync" || !f.has_modifier("override") {
        return;
    }
    let fw = &ctx.project.frameworks;
    if !fw.0.is_empty()
        && fw
            .0
            .iter()
            .all(|x| matches!(x, Framework::Net5Plus(m) if *m >= 10))
    {
        return;
    }
    let Some(ty) = model.enclosing_type(node) else {
        return;
    };
    let is_background_service = derives_from(model, &ty.name, |n| {
        n == "BackgroundService" && !model.is_declared_type(n)
    });
    if !is_background_service {
        return;
    }
    let Some(body) = f.body() else { return };
    let token = f.parameters().first().map(|(n, _)| n.text()).unwrap_or("");
    let first_await = await_points(body)
        .map(|a| a.start())
        .min()
        .unwrap_or(usize::MAX);
    let mut found: Option<String> = None;
    for n in std::iter::once(body).chain(body.descendants_pruned(is_function)) {
        if n.start() >= first_await {
            break;
        }
        if let Some(what) = blocking(n, model).or_else(|| long_loop(n, token, first_await)) {
            found = Some(what);
            break;
        }
    }
    let Some(what) = found else { return };
    let Some(name) = f.name() else { return };
    let msg = format!(
        "`ExecuteAsync` {what} before its first `await`: the host waits for it and start-up stalls; await first (`await Task.Yield();`) or make the work asynchronous"
    );
    ctx.report(name, msg);
}

/// A blocking call: the ASYNC102 table, or a wait on a task.
fn blocking<'t>(n: Node<'t>, model: &FileModel<'t>) -> Option<String> {
    if let Some(ma) = MemberAccess::cast(n) {
        if ma.name_text() == "Result"
            && !n
                .parent()
                .is_some_and(|p| p.is(SyntaxKind::InvocationExpression))
            && model.is_awaitable(ma.receiver) == Tri::Yes
            && !model.known_complete(ma.receiver)
        {
            return Some("blocks on `.Result`".to_owned());
        }
        return None;
    }
    let inv = Invocation::cast(n)?;
    if inv.is_conditional() {
        return None;
    }
    let name = inv.name_text();
    let recv = inv.receiver()?.unparenthesized();
    match name {
        "Wait" if model.is_awaitable(recv) == Tri::Yes && !model.known_complete(recv) => {
            return Some("blocks on `.Wait()`".to_owned());
        }
        "GetResult" => {
            let task = Invocation::cast(recv)
                .filter(|i| i.name_text() == "GetAwaiter")
                .and_then(|i| i.receiver())?;
            if model.is_awaitable(task) == Tri::Yes && !model.known_complete(task) {
                return Some("blocks on `.GetAwaiter().GetResult()`".to_owned());
            }
            return None;
        }
        "WaitAll" | "WaitAny" if model.static_type_name(recv) == Some("Task") => {
            return Some(format!("blocks in `Task.{name}`"));
        }
        _ => {}
    }
    if let Some(type_name) = model.static_type_name(recv) {
        known::BLOCKING_APIS
            .iter()
            .find(|a| a.is_static && a.method == name && known::simple(a.type_name) == type_name)?;
        if harmless(type_name, name, &inv) {
            return None;
        }
        return Some(format!("calls the blocking `{}.{name}`", recv.text()));
    }
    let rt = model.type_of(recv)?;
    if rt.arrays > 0 {
        return None;
    }
    let api = known::BLOCKING_APIS.iter().find(|a| {
        !a.is_static
            && a.method == name
            && (known::is_subtype(&rt.name, a.type_name)
                || (known::simple(a.type_name) == "DbContext" && is_dbcontext(&rt, model)))
    })?;
    let simple = known::simple(api.type_name);
    if harmless(simple, name, &inv) {
        return None;
    }
    Some(format!("calls the blocking `{simple}.{name}`"))
}

/// `Thread.Sleep(0)`, `SemaphoreSlim.Wait(0)`: no wait at all.
fn harmless(type_name: &str, method: &str, inv: &Invocation<'_>) -> bool {
    let args = inv.args();
    let first = args.first().map(|a| a.value.text().trim());
    match (type_name, method) {
        ("Thread", "Sleep") => matches!(first, Some("0" | "TimeSpan.Zero")),
        ("SemaphoreSlim", "Wait") => matches!(first, Some("0" | "TimeSpan.Zero")),
        _ => false,
    }
}

/// A loop that runs until the service stops, with no `await` in its body (it ends before
/// the first await).
fn long_loop(n: Node<'_>, token: &str, first_await: usize) -> Option<String> {
    if n.end() > first_await {
        return None;
    }
    let cond = || {
        n.child_by_field(Field::Condition)
            .map(|c| c.text().trim().to_owned())
    };
    let endless = |c: Option<String>| match c {
        None => true,
        Some(c) => {
            c == "true"
                || c.contains("IsCancellationRequested")
                || (!token.is_empty()
                    && c.split(|ch: char| !ch.is_alphanumeric() && ch != '_')
                        .any(|w| w == token))
        }
    };
    match n.kind() {
        SyntaxKind::WhileStatement | SyntaxKind::DoStatement if endless(cond()) => {
            Some("runs a loop that never awaits".to_owned())
        }
        SyntaxKind::ForStatement if cond().is_none() => {
            Some("runs a loop that never awaits".to_owned())
        }
        SyntaxKind::ForeachStatement => {
            let right = n.child_by_field(Field::Right)?;
            let consuming = Invocation::cast(right.unparenthesized())
                .is_some_and(|i| i.name_text() == "GetConsumingEnumerable");
            consuming.then(|| "runs a blocking `GetConsumingEnumerable` loop".to_owned())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::project::{Frameworks, ProjectInfo, ProjectKind};
    use crate::rules::harness::*;

    #[test]
    fn docs() {
        assert_docs(&RULE, ProjectKind::Library);
    }

    #[test]
    fn flags_blocking_before_the_first_await() {
        assert_marked(
            &RULE,
            r#"
using System.Collections.Concurrent;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
class Sleeper : BackgroundService {
    protected override async Task ExecuteAsync(CancellationToken stoppingToken) { // ~ASYNC607
        Thread.Sleep(5000);
        await Task.Delay(1000, stoppingToken);
    }
}
class Spinner : BackgroundService {
    protected override Task ExecuteAsync(CancellationToken ct) { // ~ASYNC607
        while (!ct.IsCancellationRequested) { Work(); }
        return Task.CompletedTask;
    }
    void Work() { }
}
class Loader : BackgroundService {
    private Task<string> _config;
    protected override async Task ExecuteAsync(CancellationToken ct) { // ~ASYNC607
        var text = File.ReadAllText("settings.json");
        var cfg = _config.Result;
        await Task.Delay(1, ct);
    }
}
class Consumer : BackgroundService {
    private readonly BlockingCollection<string> _queue = new();
    protected override async Task ExecuteAsync(CancellationToken ct) { // ~ASYNC607
        foreach (var item in _queue.GetConsumingEnumerable(ct)) { Handle(item); }
        await Task.CompletedTask;
    }
    void Handle(string s) { }
}
abstract class ServiceBase : BackgroundService { }
class Derived : ServiceBase {
    private readonly SemaphoreSlim _gate = new(1);
    protected override async Task ExecuteAsync(CancellationToken ct) { // ~ASYNC607
        if (ct.CanBeCanceled) { _gate.Wait(); }
        await Task.Yield();
    }
}
class Forever : BackgroundService {
    protected override Task ExecuteAsync(CancellationToken ct) { // ~ASYNC607
        for (;;) { Thread.Sleep(100); }
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_the_method_awaits_first() {
        assert_silent(
            &RULE,
            r#"
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
class Poller : BackgroundService {
    protected override async Task ExecuteAsync(CancellationToken stoppingToken) {
        while (!stoppingToken.IsCancellationRequested) {
            Poll();
            await Task.Delay(1000, stoppingToken);
        }
    }
    void Poll() { }
}
class Yielder : BackgroundService {
    protected override async Task ExecuteAsync(CancellationToken ct) {
        await Task.Yield();
        Thread.Sleep(1000);
        while (true) { Poll(); }
    }
    void Poll() { }
}
class Bounded : BackgroundService {
    private readonly List<string> _names = new();
    protected override async Task ExecuteAsync(CancellationToken ct) {
        foreach (var n in _names) { Register(n); }
        for (var i = 0; i < 3; i++) { Register(i.ToString()); }
        Thread.Sleep(0);
        await Task.Delay(100, ct);
    }
    void Register(string n) { }
}
class Offloaded : BackgroundService {
    protected override Task ExecuteAsync(CancellationToken ct) => Task.Run(() => {
        while (!ct.IsCancellationRequested) { Thread.Sleep(100); }
    }, ct);
}
class NotAnOverride : BackgroundService {
    public async Task ExecuteAsync(int x) { Thread.Sleep(10); await Task.Yield(); }
    protected override Task ExecuteAsync(CancellationToken ct) => Task.CompletedTask;
}
class Hosted : IHostedService {
    public Task StartAsync(CancellationToken ct) { Thread.Sleep(10); return Task.CompletedTask; }
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
abstract class Job { protected abstract Task ExecuteAsync(CancellationToken ct); }
class NotAService : Job {
    protected override async Task ExecuteAsync(CancellationToken ct) { Thread.Sleep(10); await Task.Yield(); }
}
"#,
            ProjectKind::Library,
        );
        // A project type named BackgroundService is not Microsoft's.
        assert_silent(
            &RULE,
            r#"
using System.Threading;
using System.Threading.Tasks;
abstract class BackgroundService { protected abstract Task ExecuteAsync(CancellationToken ct); }
class Mine : BackgroundService {
    protected override Task ExecuteAsync(CancellationToken ct) { Thread.Sleep(10); return Task.CompletedTask; }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_net10_where_the_host_runs_it_in_the_background() {
        let src = "using System.Threading;\nusing System.Threading.Tasks;\nusing Microsoft.Extensions.Hosting;\nclass S : BackgroundService { protected override async Task ExecuteAsync(CancellationToken ct) { Thread.Sleep(10); await Task.Yield(); } }";
        let p = |tfm: &str| ProjectInfo {
            frameworks: Frameworks::parse(tfm),
            ..project(ProjectKind::Web)
        };
        assert!(lint_with(&RULE, src, &p("net10.0")).is_empty());
        assert_eq!(lint_with(&RULE, src, &p("net8.0")).len(), 1);
        assert_eq!(lint_with(&RULE, src, &p("net8.0;net10.0")).len(), 1);
    }
}
