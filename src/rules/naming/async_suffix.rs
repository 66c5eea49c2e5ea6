//! ASYNC701 async-suffix: an awaitable-returning method whose name does not end in `Async`.

use crate::diagnostic::Severity;
use crate::project::ProjectKind;
use crate::rules::util::{
    async_flag, attribute_names, derives_from, is_test_method,
    may_implement_external_interface_member,
};
use crate::rules::{Docs, Family, Rule, RuleCtx};
use crate::semantic::{ty_is_awaitable, FileModel, TypeDecl};
use crate::syntax::views::{is_function, Function, FunctionKind, Invocation};
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC701",
    name: "async-suffix",
    family: Family::Naming,
    summary: "A method that returns an awaitable but is not named …Async (off by default)",
    default_severity: Severity::Off,
    severity: off,
    fixable: false,
    kinds: &[SyntaxKind::MethodDeclaration],
    tokens: &["*Task*"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags a method declared to return `Task`, `Task<T>`, `ValueTask` or \
`ValueTask<T>` whose name does not end in `Async`. Reported at the method's name. Off by \
default; turn it on with `--select ASYNC701`.",
        why: "The .NET naming guideline: a method that returns an awaitable ends in `Async`, \
so a reader sees at the call that there is something to await, and a sync and an async \
twin (`Save` / `SaveAsync`) can live side by side. A missing suffix is how tasks get \
dropped: `repository.Save(order);` looks complete.",
        example: r#"
using System.Threading.Tasks;

public class OrderRepository
{
    public Task Save(string order) => Task.CompletedTask;
}
"#,
        use_instead: r#"
using System.Threading.Tasks;

public class OrderRepository
{
    public Task SaveAsync(string order) => Task.CompletedTask;
}
"#,
        silent_when: "Overrides and methods that may implement an interface the project does \
not declare (their name is given: `IHostedService.StartAsync`, MediatR's `Handle`, \
`IAsyncLifetime`); explicit implementations of such interfaces; controller actions (public \
methods of a `Controller`/`ControllerBase` subclass or a class named `…Controller`), Razor \
Pages handlers (`On…` in a `PageModel`), SignalR hub methods, minimal-API handlers passed to \
`Map…` as a method group, routed, Azure Functions, `[JSInvokable]` and AI-tool \
(`[Description]`, `[KernelFunction]`) methods, middleware `Invoke(HttpContext)`: their name \
is part of a route, protocol or convention; event handlers (`Task OnReceived(object, \
BasicDeliverEventArgs)`, or subscribed with `+=`), named for their event; test methods, fixture \
setup and teardown, and benchmarks (`[Fact]`, `[Theory]`, `[Test]`, `[TestMethod]`, \
`[SetUp]`, `[Benchmark]`, …); `Main`; dual-mode methods that take a `bool` flag named like \
`async` or branch on one (`Task Read(bool async)`, `=> IsAsync ? await X() : Y()`: \
synchronous callers use them too); extension methods \
over a task (`this Task task`: combinators like `ContinueWith`); names with the word \
`Async` followed by a qualifier (`DisposeAsyncCore`, `ReadAsyncAsTask`); local functions and \
lambdas; a project type named `Task`. Methods that implement an interface declared in the project are flagged like the \
interface member itself: both names have to change.",
        fix: "None automatic: renaming a method changes every caller, and the new name may \
collide with an existing overload. Rename it to `…Async` with the IDE's rename refactoring.",
    },
};

fn off(_: ProjectKind) -> Severity {
    Severity::Off
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let Some(f) = Function::cast(node) else {
        return;
    };
    if f.kind != FunctionKind::Method {
        return;
    }
    let Some(name) = f.name() else { return };
    let name_text = name.text();
    if name_text.ends_with("Async") || has_async_word(name_text) || name_text == "Main" {
        return;
    }
    let model = ctx.model;
    let Some(ret) = f.return_type().and_then(|r| Ty::parse(r.text())) else {
        return;
    };
    if !ty_is_awaitable(&ret) || model.is_declared_type(&ret.name) {
        return;
    }
    if f.has_modifier("override") || is_test_method(node) || is_dual_mode(&f) || extends_a_task(&f)
    {
        return;
    }
    let Some(ty) = model.enclosing_type(node) else {
        return;
    };
    if let Some(spec) = f.node.child_of_kind(SyntaxKind::ExplicitInterfaceSpecifier) {
        let iface = spec.text().trim_end_matches('.').trim();
        let iface = Ty::parse(iface).map(|t| t.name).unwrap_or_default();
        if !model.is_declared_type(&iface) {
            return;
        }
    }
    if may_implement_external_interface_member(model, ty, name_text) || is_endpoint(&f, ty, model) {
        return;
    }
    ctx.report(
        name,
        format!("`{name_text}` returns an awaitable `{ret}` but its name does not end in `Async`; rename it `{name_text}Async`"),
    );
}

/// `DisposeAsyncCore`, `ReadAsyncAsTask`, `GetAsyncInternal`: the word `Async` followed by
/// a qualifier, the guideline's pattern for helpers of an async method.
fn has_async_word(name: &str) -> bool {
    name.match_indices("Async").any(|(i, _)| {
        name[i + 5..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
    })
}

/// Code that runs synchronously or asynchronously by a flag (`Task Read(bool async)`, the
/// Npgsql and EF Core pattern): synchronous callers use it too, so it has no suffix.
fn is_dual_mode(f: &Function<'_>) -> bool {
    let flag_parameter = f.parameters().iter().any(|(n, t)| {
        t.is_some_and(|t| t.text() == "bool") && n.text().to_ascii_lowercase().contains("async")
    });
    // `=> IsAsync ? await X() : Y()`, `if (_async) ..`: a flag field or property decides.
    flag_parameter
        || f.body().is_some_and(|b| {
            b.descendants_pruned(is_function).any(|n| {
                (n.is(SyntaxKind::IfStatement) || n.is(SyntaxKind::ConditionalExpression))
                    && n.child_by_field(Field::Condition)
                        .and_then(async_flag)
                        .is_some()
            })
        })
}

/// `static Task WithTimeout(this Task task, ..)`: a combinator over a task it is given, like
/// `ContinueWith` and `WhenAll`, which the guideline leaves without the suffix.
fn extends_a_task(f: &Function<'_>) -> bool {
    let Some(list) = f.parameter_list() else {
        return false;
    };
    let Some(first) = list.named_children().find(|c| c.is(SyntaxKind::Parameter)) else {
        return false;
    };
    let is_this = first
        .children()
        .any(|c| c.is(SyntaxKind::Modifier) && c.text() == "this");
    is_this
        && first
            .child_by_field(Field::Type)
            .and_then(|t| Ty::parse(t.text()))
            .is_some_and(|t| ty_is_awaitable(&t))
}

/// A controller action, Razor Pages handler, SignalR hub method, or minimal-API handler.
fn is_endpoint(f: &Function<'_>, ty: &TypeDecl, model: &FileModel<'_>) -> bool {
    let public = f.has_modifier("public");
    let controller = ty.name.ends_with("Controller")
        || derives_from(model, &ty.name, |n| {
            matches!(
                n,
                "Controller" | "ControllerBase" | "ApiController" | "ODataController"
            )
        })
        || type_attributes(model, ty)
            .iter()
            .any(|a| *a == "ApiController" || *a == "Controller");
    if public && controller && !f.has_modifier("static") {
        return true;
    }
    if public && derives_from(model, &ty.name, |n| n == "Hub") {
        return true;
    }
    if f.name_text().starts_with("On") && derives_from(model, &ty.name, |n| n == "PageModel") {
        return true;
    }
    // Routes, Azure Functions, JS interop, AI tools (the method name is the tool's name).
    if attribute_names(f.node).iter().any(|a| {
        a.starts_with("Http")
            || matches!(
                *a,
                "Route"
                    | "Function"
                    | "FunctionName"
                    | "JSInvokable"
                    | "Description"
                    | "KernelFunction"
            )
    }) {
        return true;
    }
    let params = f.parameters();
    // ASP.NET Core convention-based middleware: `Invoke(HttpContext ..)`.
    if f.name_text() == "Invoke"
        && params
            .first()
            .and_then(|(_, t)| *t)
            .is_some_and(|t| t.text().ends_with("HttpContext"))
    {
        return true;
    }
    // Async event handlers (`AsyncEventHandler<T>`): named for the event.
    let handler_signature = params.len() == 2
        && params[1]
            .1
            .and_then(|t| Ty::parse(t.text()))
            .is_some_and(|t| t.name.ends_with("EventArgs"));
    if handler_signature || model.is_subscribed(f.name_text()) {
        return true;
    }
    mapped_as_handler(f, model)
}

/// The attributes of the type declaration (this file's part).
fn type_attributes<'t>(model: &FileModel<'t>, ty: &TypeDecl) -> Vec<&'t str> {
    if ty.node as usize >= model.tree().len() {
        return Vec::new();
    }
    let decl = model.tree().node(ty.node);
    if !crate::semantic::is_type_decl(decl) {
        return Vec::new();
    }
    attribute_names(decl)
}

/// `app.MapGet("/x", GetItems)`: the method is a minimal-API endpoint handler.
fn mapped_as_handler(f: &Function<'_>, model: &FileModel<'_>) -> bool {
    let name = f.name_text();
    model.tree().iter().any(|n| {
        n.is(SyntaxKind::Identifier)
            && n.text() == name
            && n.parent().is_some_and(|p| {
                let arg = if p.is(SyntaxKind::Argument) {
                    Some(p)
                } else if p.is(SyntaxKind::MemberAccessExpression) {
                    p.parent().filter(|g| g.is(SyntaxKind::Argument))
                } else {
                    None
                };
                arg.and_then(|a| a.parent())
                    .and_then(|l| l.parent())
                    .and_then(Invocation::cast)
                    .is_some_and(|c| c.name_text().starts_with("Map"))
            })
    })
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
    fn off_by_default() {
        let settings = crate::engine::Settings {
            select: None,
            ignore: Vec::new(),
        };
        let src =
            "using System.Threading.Tasks;\nclass C { public Task Save() => Task.CompletedTask; }";
        let d = crate::engine::lint_source(src, &project(ProjectKind::Library), &settings);
        assert!(d.diagnostics.iter().all(|d| d.rule != RULE.id));
        assert_eq!(
            lint_with(&RULE, src, &project(ProjectKind::Library))[0].severity,
            crate::diagnostic::Severity::Info
        );
    }

    #[test]
    fn flags_awaitable_methods_without_the_suffix() {
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
public interface IRepository {
    Task Save(string s); // ~ASYNC701
    Task<int> CountAsync();
}
public class Repository : IRepository {
    public Task Save(string s) => Task.CompletedTask; // ~ASYNC701
    public Task<int> CountAsync() => Task.FromResult(1);
    public async Task<string> Load() { await Task.Yield(); return ""; } // ~ASYNC701
    private ValueTask Flush() => default; // ~ASYNC701
    protected virtual ValueTask<int> Peek() => new ValueTask<int>(1); // ~ASYNC701
    public static Task<int>? Maybe() => null; // ~ASYNC701
    Task Asynchronous() => Task.CompletedTask; // ~ASYNC701
    Task Use(bool flag) => Task.CompletedTask; // ~ASYNC701
    Task IRepository.Save(string s) => Task.CompletedTask; // ~ASYNC701
}
public static class Extensions {
    public static Task Send(this string message) => Task.CompletedTask; // ~ASYNC701
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_fixed_names() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading;
using System.Threading.Tasks;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Hosting;
using Xunit;
using NUnit.Framework;
public class Derived : ExternalBase { public override Task Run() => Task.CompletedTask; }
public class Handler : IRequestHandler<Ping, string> {
    public Task<string> Handle(Ping request, CancellationToken ct) => Task.FromResult("pong");
}
public class Worker : IHostedService {
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
public class Explicit : IAsyncLifetime {
    Task IAsyncLifetime.Initialize() => Task.CompletedTask;
}
public class OrdersController : ControllerBase {
    public async Task<IActionResult> Get(int id) { await Task.Yield(); return Ok(); }
}
[ApiController]
public class Orders : Microsoft.AspNetCore.Mvc.ControllerBase {
    public Task<IActionResult> List() => null;
}
public class ChatHub : Hub {
    public Task Send(string message) => Clients.All.SendAsync("m", message);
}
public class IndexModel : PageModel {
    public Task<IActionResult> OnPost() => null;
}
public class Middleware {
    public async Task Invoke(Microsoft.AspNetCore.Http.HttpContext context) { await Task.Yield(); }
}
public class Consumer {
    public Consumer(AsyncEventingBasicConsumer c) { c.Received += OnDelivered; }
    private Task OnDelivered(object sender, BasicDeliverEventArgs e) => Task.CompletedTask;
    private Task OnOther(object sender, EventArgs e) => Task.CompletedTask;
}
public class Tools {
    [System.ComponentModel.Description("Adds to the cart")] private Task<string> AddToCart(int id) => Task.FromResult("");
}
public class Functions {
    [Function("Tick")] public Task Run(object timer) => Task.CompletedTask;
    [HttpGet("/x")] public Task<string> Endpoint() => null;
}
public class Tests {
    [Fact] public async Task Saves() => await Task.Yield();
    [Theory, InlineData(1)] public Task Counts(int n) => Task.CompletedTask;
    [Test] public Task Nunit() => Task.CompletedTask;
    [SetUp] public Task Setup() => Task.CompletedTask;
    [TestMethod] public Task MsTest() => Task.CompletedTask;
    [Xunit.SkippableFact] public Task Skippable() => Task.CompletedTask;
}
public static class Program {
    public static async Task Main(string[] args) { await Task.Yield(); }
    internal static Task<int> Read(bool async, CancellationToken ct) => Task.FromResult(0);
    static Task Flush(bool isAsync) => Task.CompletedTask;
    static bool IsAsync;
    static async Task<string> Load() => IsAsync ? await Task.FromResult("") : "";
    static async Task Store() { if (!IsAsync) return; await Task.Yield(); }
    protected static ValueTask DisposeAsyncCore() => default;
    static Task<int> ReadAsyncAsTask() => Task.FromResult(0);
    public static Task ContinueOnUi(this Task task, Action action) => task;
    public static Task<T> WithTimeout<T>(this Task<T> task, TimeSpan timeout) => task;
    public static Task<int> Main2() => Task.FromResult(0);
    static void Use(object app) { Map.MapGet("/items", GetItems); }
    static Task<string> GetItems() => Task.FromResult("");
    public static string Sync() => "";
    public static void Outer() {
        Task Local() => Task.CompletedTask;
        Func<Task> f = () => Task.CompletedTask;
    }
}
"#
            .replace(
                "    public static Task<int> Main2() => Task.FromResult(0);\n",
                "",
            )
            .as_str(),
            ProjectKind::Library,
        );
        // A project type named `Task` is not an awaitable.
        assert_silent(
            &RULE,
            "namespace Jobs { public class Task { } public class Board { public Task Next() => null; } }",
            ProjectKind::Library,
        );
    }
}
