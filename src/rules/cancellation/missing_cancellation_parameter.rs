//! ASYNC402 missing-cancellation-parameter: a public async library method, a controller
//! action or a minimal API handler awaits cancellable work but takes no token.

use super::{accepts_token, is_token_expr, params_of, ParamInfo};
use crate::diagnostic::Severity;
use crate::project::ProjectKind;
use crate::rules::util::{derives_from, may_implement_interface_member};
use crate::rules::{Docs, Family, Rule, RuleCtx};
use crate::semantic::{strip_configure_await, FileModel, MemberKind, TypeDecl};
use crate::syntax::views::{is_function, Function, FunctionKind, Invocation};
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC402",
    name: "missing-cancellation-parameter",
    family: Family::Cancellation,
    summary:
        "A public async API or web endpoint awaits cancellable work but takes no CancellationToken",
    default_severity: Severity::Info,
    severity: severity_for,
    fixable: false,
    kinds: &[SyntaxKind::MethodDeclaration, SyntaxKind::LambdaExpression],
    tokens: &["await & public", "await & Map*"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags a public async method of a public type in a class library, an ASP.NET \
Core controller action, or a minimal API handler (`app.MapGet(.., async (..) => ..)` or a \
method group given to `Map*`) in a web project, that awaits at least one call known to \
accept a `CancellationToken` but takes none itself.",
        why: "Without a token parameter, callers have no way to cancel the work: a library's \
users cannot stop a slow query, and an HTTP request that the client abandoned keeps the \
database busy to the end. ASP.NET Core binds a `CancellationToken` parameter of an action \
or handler to `HttpContext.RequestAborted` for free.",
        example: r#"
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

public class Catalog
{
    private readonly HttpClient _http = new HttpClient();

    public async Task<string> GetPageAsync(string url)
    {
        return await _http.GetStringAsync(url);
    }
}
"#,
        use_instead: r#"
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

public class Catalog
{
    private readonly HttpClient _http = new HttpClient();

    public async Task<string> GetPageAsync(string url, CancellationToken cancellationToken = default)
    {
        return await _http.GetStringAsync(url, cancellationToken);
    }
}
"#,
        silent_when: "Methods that cannot choose their parameters: overrides, interface \
implementations (and any method a listed interface the project does not declare might \
require), event handlers, `DisposeAsync`, test methods, SignalR hub methods, legacy ASP.NET \
MVC and Web API actions. Methods that already have a token some other way: a \
`CancellationToken` parameter (also nullable), an `HttpContext`/`HttpRequest`/gRPC \
`ServerCallContext` parameter, an `[AsParameters]` object, a body that passes \
`RequestAborted` or another token it owns, or a sibling overload of the same name that \
takes a token. Non-public methods and types in libraries, and public methods of web \
projects that are not endpoints. Async iterators: ASYNC404 covers them. Methods whose \
awaited calls take no token.",
        fix: "None: adding a parameter changes the API. Add \
`CancellationToken cancellationToken = default` as the last parameter and pass it on.",
    },
};

/// Info in class libraries (their public API) and web projects (their endpoints), off
/// elsewhere.
fn severity_for(kind: ProjectKind) -> Severity {
    match kind {
        ProjectKind::Library | ProjectKind::Web => Severity::Info,
        _ => Severity::Off,
    }
}

const MAP_METHODS: &[&str] = &[
    "Map",
    "MapDelete",
    "MapFallback",
    "MapGet",
    "MapMethods",
    "MapPatch",
    "MapPost",
    "MapPut",
];

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let kind = ctx.project.kind;
    if !matches!(kind, ProjectKind::Library | ProjectKind::Web) {
        return;
    }
    let Some(f) = Function::cast(node) else {
        return;
    };
    if !f.is_async() {
        return;
    }
    let what = match f.kind {
        FunctionKind::Method => {
            let Some(ty) = model.enclosing_type(node) else {
                return;
            };
            if excluded_method(model, &f, ty) {
                return;
            }
            if kind == ProjectKind::Library && is_public_api(&f) {
                Some("public async method")
            } else if kind == ProjectKind::Web && is_controller_action(model, &f, ty) {
                Some("controller action")
            } else if kind == ProjectKind::Web {
                None // maybe a method group given to `Map*`: looked for last (it scans the file)
            } else {
                return;
            }
        }
        FunctionKind::Lambda => {
            if kind != ProjectKind::Web || !is_minimal_api_lambda(node) {
                return;
            }
            Some("minimal API handler")
        }
        _ => return,
    };
    let params = params_of(&f);
    if params.iter().any(|p| carries_token(model, p)) {
        return;
    }
    if returns_async_enumerable(&f) {
        return; // ASYNC404
    }
    let Some(body) = f.body() else { return };
    if owns_a_token(model, body) {
        return;
    }
    let Some(awaited) = awaited_cancellable_call(model, body, &ctx.project.frameworks) else {
        return;
    };
    let what = match what {
        Some(w) => w,
        None if is_method_group_handler(&f) => "minimal API handler",
        None => return,
    };
    let named = if f.name_text().is_empty() {
        String::new()
    } else {
        format!(" `{}`", f.name_text())
    };
    let message = format!(
        "{what}{named} awaits `{}(..)`, which can be cancelled, but takes no CancellationToken",
        awaited.name_text()
    );
    let help = if what == "public async method" {
        "add `CancellationToken cancellationToken = default` as the last parameter and pass it on"
    } else {
        "add a `CancellationToken cancellationToken` parameter (ASP.NET Core binds it to `HttpContext.RequestAborted`) and pass it on"
    };
    if let Some(d) = ctx.report(f.report_node(), message) {
        d.with_help(help);
    }
}

/// Methods whose signature is not theirs to choose, or that are not endpoints at all.
fn excluded_method(model: &FileModel<'_>, f: &Function<'_>, ty: &TypeDecl) -> bool {
    let name = f.name_text();
    if f.has_modifier("override")
        || f.node
            .child_of_kind(SyntaxKind::ExplicitInterfaceSpecifier)
            .is_some()
        || name == "DisposeAsync"
        || name == "Main"
    {
        return true;
    }
    if is_event_handler(model, f) || has_test_attribute(f.node) {
        return true;
    }
    if ty.kind == crate::semantic::TypeKind::Interface
        || may_implement_interface_member(model, ty, name)
    {
        return true;
    }
    // A sibling overload takes a token: the API offers cancellation already.
    if model
        .types_named(&ty.name)
        .flat_map(|t| t.members.iter())
        .any(|m| {
            m.kind == MemberKind::Method
                && m.name == name
                && m.params
                    .iter()
                    .any(|p| p.as_ref().is_some_and(|t| t.name == "CancellationToken"))
        })
    {
        return true;
    }
    // SignalR hubs and Blazor components bind parameters their own way.
    if derives_from(model, &ty.name, |n| {
        matches!(n, "Hub" | "ComponentBase" | "LayoutComponentBase")
    }) {
        return true;
    }
    // Legacy ASP.NET MVC / Web API.
    let src = model.tree().source();
    src.contains("using System.Web.Mvc") || src.contains("using System.Web.Http")
}

fn is_event_handler(model: &FileModel<'_>, f: &Function<'_>) -> bool {
    let params = f.parameters();
    if params.len() == 2 {
        let second = params[1].1.and_then(|t| Ty::parse(t.text()));
        if second.is_some_and(|t| t.name.ends_with("EventArgs")) {
            return true;
        }
    }
    model.is_subscribed(f.name_text())
}

const TEST_ATTRIBUTES: &[&str] = &[
    "DataTestMethod",
    "Fact",
    "SkippableFact",
    "SkippableTheory",
    "Test",
    "TestCase",
    "TestCaseSource",
    "TestMethod",
    "Theory",
];

fn attribute_names(decl: Node<'_>) -> impl Iterator<Item = &str> {
    decl.children()
        .filter(|c| c.is(SyntaxKind::AttributeList))
        .flat_map(|l| l.named_children())
        .filter(|a| a.is(SyntaxKind::Attribute))
        .filter_map(|a| a.child_by_field(Field::Name))
        .map(|n| {
            let last = n.text().rsplit('.').next().unwrap_or("");
            last.strip_suffix("Attribute").unwrap_or(last)
        })
}

fn has_test_attribute(decl: Node<'_>) -> bool {
    attribute_names(decl).any(|a| TEST_ATTRIBUTES.contains(&a))
}

/// `public` on the method and on every type around it.
fn is_public_api(f: &Function<'_>) -> bool {
    if !f.has_modifier("public") {
        return false;
    }
    f.node
        .ancestors()
        .filter(|a| crate::semantic::is_type_decl(*a))
        .all(|t| {
            t.children()
                .any(|c| c.is(SyntaxKind::Modifier) && c.text() == "public")
        })
}

/// A public instance method of an ASP.NET Core controller (named `…Controller`, deriving from
/// `Controller`/`ControllerBase`, or marked `[ApiController]`), not `[NonAction]`.
fn is_controller_action(model: &FileModel<'_>, f: &Function<'_>, ty: &TypeDecl) -> bool {
    if !f.has_modifier("public") || f.has_modifier("static") {
        return false;
    }
    if attribute_names(f.node).any(|a| a == "NonAction") {
        return false;
    }
    let decl = model.tree().node(ty.node);
    let marked = attribute_names(decl).any(|a| matches!(a, "ApiController" | "Controller"));
    marked
        || derives_from(model, &ty.name, |n| {
            n.ends_with("Controller") || n == "ControllerBase"
        })
}

/// A lambda given to `app.MapGet(..)` and friends.
fn is_minimal_api_lambda(lambda: Node<'_>) -> bool {
    let Some(call) = lambda
        .parent()
        .filter(|p| p.is(SyntaxKind::Argument))
        .and_then(|a| a.parent())
        .and_then(|l| l.parent())
        .and_then(Invocation::cast)
    else {
        return false;
    };
    MAP_METHODS.contains(&call.name_text()) && call.receiver().is_some()
}

/// A method whose name is given as a method group to `Map*` in this file.
fn is_method_group_handler(f: &Function<'_>) -> bool {
    let name = f.name_text();
    let tree = f.node.tree();
    if !tree.source().contains("Map") {
        return false;
    }
    tree.iter().any(|n| {
        let Some(call) = Invocation::cast(n) else {
            return false;
        };
        MAP_METHODS.contains(&call.name_text())
            && call.args().iter().any(|a| {
                let v = a.value.unparenthesized();
                matches!(
                    v.kind(),
                    SyntaxKind::Identifier | SyntaxKind::MemberAccessExpression
                ) && crate::syntax::views::callee_name(v).is_some_and(|c| c.text() == name)
            })
    })
}

/// A parameter that gives the method a token: a `CancellationToken` (nullable too), an
/// `HttpContext`, `HttpRequest` or `ServerCallContext`, or an `[AsParameters]` object
/// (which may hold one).
fn carries_token(model: &FileModel<'_>, p: &ParamInfo<'_>) -> bool {
    let Some(ty) = p.ty.and_then(|t| Ty::parse(t.text())) else {
        return false;
    };
    if matches!(
        ty.name.as_str(),
        "CancellationToken" | "HttpContext" | "HttpRequest" | "ServerCallContext"
    ) {
        return true;
    }
    if p.attributes().contains(&"AsParameters") {
        let declared: Vec<&TypeDecl> = model.types_named(&ty.name).collect();
        return declared.is_empty()
            || declared.iter().any(|t| {
                t.members.iter().any(|m| {
                    m.ty.as_ref().is_some_and(|t| t.name == "CancellationToken")
                        || m.params
                            .iter()
                            .any(|p| p.as_ref().is_some_and(|t| t.name == "CancellationToken"))
                })
            });
    }
    false
}

fn returns_async_enumerable(f: &Function<'_>) -> bool {
    f.return_type()
        .and_then(|t| Ty::parse(t.text()))
        .is_some_and(|t| t.name == "IAsyncEnumerable" || t.name == "IAsyncEnumerator")
}

/// The body already hands over a token it owns: `HttpContext.RequestAborted`, `_cts.Token`,
/// a token field (but not `CancellationToken.None`/`default`, which is the very smell).
fn owns_a_token<'t>(model: &FileModel<'t>, body: Node<'t>) -> bool {
    if body.text().contains("RequestAborted") {
        return true;
    }
    body.descendants_pruned(is_function)
        .filter(|n| n.is(SyntaxKind::Argument))
        .filter_map(crate::syntax::views::Argument::cast)
        .any(|a| {
            let t = a.value.text();
            !t.contains("CancellationToken.None")
                && !t.starts_with("default")
                && is_token_expr(model, a.value, &[])
        })
}

/// The first awaited call of the body (not of nested functions) that accepts a token.
fn awaited_cancellable_call<'t>(
    model: &FileModel<'t>,
    body: Node<'t>,
    frameworks: &crate::project::Frameworks,
) -> Option<Invocation<'t>> {
    // An expression-bodied lambda's body is the await itself.
    let mut nodes = std::iter::once(body).chain(body.descendants_pruned(is_function));
    nodes.find_map(|n| {
        let operand = match n.kind() {
            SyntaxKind::AwaitExpression => n.first_named_child()?,
            SyntaxKind::ForeachStatement if super::super::context::await_keyword(n).is_some() => {
                n.child_by_field(Field::Right)?
            }
            _ => return None,
        };
        let call = Invocation::cast(strip_configure_await(operand.unparenthesized()))?;
        accepts_token(&call, model, frameworks).then_some(call)
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
    fn flags_public_library_methods() {
        assert_marked(
            &RULE,
            r#"
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
public class Store {
    private readonly HttpClient _http = new HttpClient();
    public async Task<string> Fetch(string url) { return await _http.GetStringAsync(url); } // ~ASYNC402
    public async Task Pause() { await Task.Delay(100); } // ~ASYNC402
    public async Task Copy(Stream a, Stream b) { await a.CopyToAsync(b).ConfigureAwait(false); } // ~ASYNC402
    public async Task Save() { await Persist(CancellationToken.None); } // ~ASYNC402
    public static async Task Wait(SemaphoreSlim s) { await s.WaitAsync(); } // ~ASYNC402
    private Task Persist(CancellationToken ct) => Task.CompletedTask;
    public class Nested { public async Task Go() { await Task.Delay(1); } } // ~ASYNC402
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_fixed_signatures_and_non_public_code() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
public interface IWorker { Task Work(); }
public abstract class Base { public abstract Task Run(); }
public class Impl : Base, IWorker, IAsyncDisposable, IExternalThing {
    public async Task Work() { await Task.Delay(1); }
    public override async Task Run() { await Task.Delay(1); }
    public async ValueTask DisposeAsync() { await Task.Delay(1); }
    public async Task Unknown() { await Task.Delay(1); }
}
public class Plain {
    public async Task WithToken(CancellationToken ct) { await Task.Delay(1, ct); }
    public async Task WithNullable(CancellationToken? ct) { await Task.Delay(1); }
    public async void OnClick(object sender, EventArgs e) { await Task.Delay(1); }
    [Fact] public async Task TestSomething() { await Task.Delay(1); }
    internal async Task Internal() { await Task.Delay(1); }
    private async Task Private() { await Task.Delay(1); }
    public async Task NoCancellable() { await Task.Yield(); await Other(); }
    public async Task Lambda() { Func<Task> f = async () => await Task.Delay(1); await f(); }
    public async IAsyncEnumerable<int> Stream() { await Task.Delay(1); yield return 1; }
    public async Task Overloaded() { await Overloaded(CancellationToken.None); }
    public async Task Overloaded(CancellationToken ct) { await Task.Delay(1, ct); }
    private readonly CancellationTokenSource _cts = new CancellationTokenSource();
    public async Task Owned() { await Task.Delay(1, _cts.Token); }
    public async Task OwnedLocal() {
        var source = new CancellationTokenSource();
        var token = source.Token;
        await Task.Delay(1, token);
    }
    Task Other() => Task.CompletedTask;
    public Task NotAsync() => Task.Delay(1);
}
class InternalType { public async Task Go() { await Task.Delay(1); } }
public interface IImages {
    Task Save(System.IO.Stream s, string path);
    Task Save(int id, System.IO.Stream s, string path, CancellationToken ct);
}
public class Uploader {
    private readonly IImages _images;
    public async Task Upload(System.IO.Stream s) { await _images.Save(s, "p"); }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn web_endpoints() {
        assert_marked(
            &RULE,
            r#"
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
public class Todo { }
public class TodoDb : DbContext { public DbSet<Todo> Todos { get; set; } }
[ApiController]
public class TodosController : ControllerBase {
    private readonly TodoDb _db;
    public async Task<IActionResult> List() { return Ok(await _db.Todos.ToListAsync()); } // ~ASYNC402
    public async Task<IActionResult> Token(CancellationToken ct) { return Ok(await _db.Todos.ToListAsync(ct)); }
    public async Task<IActionResult> Aborted() { return Ok(await _db.Todos.ToListAsync(HttpContext.RequestAborted)); }
    [NonAction] public async Task Helper() { await Task.Delay(1); }
    private async Task Hidden() { await Task.Delay(1); }
}
public class Service {
    public async Task NotAnEndpoint() { await Task.Delay(1); }
}
public static class Endpoints {
    public static void Map(WebApplication app) {
        app.MapGet("/todos", async (TodoDb db) => await db.Todos.ToListAsync()); // ~ASYNC402
        app.MapGet("/ok", async (TodoDb db, CancellationToken ct) => await db.Todos.ToListAsync(ct));
        app.MapGet("/ctx", async (HttpContext ctx, TodoDb db) => await db.Todos.ToListAsync());
        app.MapGet("/params", async ([AsParameters] Services s) => await Task.Delay(1));
        app.MapPost("/group", GetAll);
    }
    public static async Task<int> GetAll(TodoDb db) { return (await db.Todos.ToListAsync()).Count; } // ~ASYNC402
}
"#,
            ProjectKind::Web,
        );
    }

    #[test]
    fn legacy_mvc_and_hubs_are_silent() {
        assert_silent(
            &RULE,
            r#"
using System.Threading.Tasks;
using System.Web.Mvc;
public class HomeController : Controller {
    public async Task<ActionResult> Index() { await Task.Delay(1); return View(); }
}
"#,
            ProjectKind::Web,
        );
        assert_silent(
            &RULE,
            r#"
using System.Threading.Tasks;
using Microsoft.AspNetCore.SignalR;
public class ChatHub : Hub {
    public async Task Send(string m) { await Task.Delay(1); }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn only_libraries_and_web_projects() {
        let src = "using System.Threading.Tasks;\npublic class C { public async Task M() { await Task.Delay(1); } }";
        assert_eq!(
            lint_with(&RULE, src, &project(ProjectKind::Library)).len(),
            1
        );
        for kind in [
            ProjectKind::Ui,
            ProjectKind::Exe,
            ProjectKind::Test,
            ProjectKind::Web,
        ] {
            assert!(lint_with(&RULE, src, &project(kind)).is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn interfaces_declared_in_other_files() {
        assert_marked_files(
            &RULE,
            r#"
//- Lib/Lib.csproj
<Project Sdk="Microsoft.NET.Sdk"></Project>
//- Lib/IStore.cs
using System.Threading.Tasks;
public interface IStore { Task Save(); }
//- Lib/Store.cs
using System.Threading.Tasks;
public class Store : IStore, System.IDisposable {
    public async Task Save() { await Task.Delay(1); }
    public async Task Load() { await Task.Delay(1); } // ~ASYNC402
    public void Dispose() { }
}
"#,
        );
    }
}
