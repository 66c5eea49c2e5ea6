//! ASYNC601 httpclient-per-call: `new HttpClient(..)` created inside a method or lambda
//! body, used there and dropped.

use crate::diagnostic::Severity;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{declarator_value, FileModel};
use crate::syntax::views::{is_function, Function, FunctionKind, Invocation};
use crate::syntax::{Field, Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC601",
    name: "httpclient-per-call",
    family: Family::Resources,
    summary: "A new HttpClient is created per call instead of shared",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: false,
    kinds: &[
        SyntaxKind::ObjectCreationExpression,
        SyntaxKind::ImplicitObjectCreationExpression,
    ],
    tokens: &["HttpClient & new"],
    may_flag_member: None,
    // A client in a method that runs once (only called from `Main`) is silent.
    reads_callers: true,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags `new HttpClient()` (or `new HttpClient(handler)` with a handler created \
on the spot) inside a method, local function, lambda or accessor body when the client lives \
only for that call: it is a `using` local, a local that never leaves the method, or the \
receiver of a call (`new HttpClient().GetStringAsync(url)`).",
        why: "Each `HttpClient` owns a connection pool. Disposing it closes its sockets, \
which then linger in TIME_WAIT for minutes; a method that creates one per call runs out of \
ephemeral ports under load (`SocketException: Only one usage of each socket address`), and \
every call pays for a fresh DNS lookup, TCP and TLS handshake. The client is thread-safe and \
meant to be shared.",
        example: r#"
using System.Net.Http;
using System.Threading.Tasks;

class WeatherClient
{
    public async Task<string> GetForecastAsync(string city)
    {
        using var client = new HttpClient();
        return await client.GetStringAsync("https://example.com/weather/" + city);
    }
}
"#,
        use_instead: r#"
using System.Net.Http;
using System.Threading.Tasks;

class WeatherClient
{
    private static readonly HttpClient Client = new HttpClient();

    public async Task<string> GetForecastAsync(string city)
    {
        return await Client.GetStringAsync("https://example.com/weather/" + city);
    }
}
"#,
        silent_when: "Field and property initializers (`static readonly HttpClient Client = \
new HttpClient();`, including lambdas inside them such as `new Lazy<HttpClient>(() => new \
HttpClient())`); constructors and `Main` / top-level statements (they run once), and \
private methods called only from them (`Main` → `RunAsync`); DI \
registrations (`services.AddSingleton(new HttpClient())`, `services.AddScoped(sp => new \
HttpClient())`, any `Add…`/`TryAdd…`/`Register…` call); a client that outlives the call: \
assigned to a field or property (`_client ??= new HttpClient()`), returned (a factory \
method, a `GetOrAdd` value factory), passed to a constructor, stored in a collection; a \
client over an existing handler (`new HttpClient(_handler)`, `new HttpClient(handler, \
disposeHandler: false)`): the handler owns the pool. A project type named `HttpClient` is not \
the .NET one.",
        fix: "None automatic: where the client should come from depends on the application. \
Inject `IHttpClientFactory` (or a typed client) in ASP.NET Core and generic-host apps, or \
keep one `static readonly HttpClient` (with `SocketsHttpHandler.PooledConnectionLifetime` \
set so DNS changes are seen).",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    if !creates_http_client(node, model) {
        return;
    }
    let Some(context) = model.context_of(node) else {
        return;
    };
    if runs_once(context.function, model) || in_initializer_or_registration(node) {
        return;
    }
    if !handler_is_fresh(node, model) {
        return;
    }
    if !lives_for_the_call(node, context.function) {
        return;
    }
    ctx.report(
        node,
        "`new HttpClient()` per call: each instance opens its own connections and leaves its \
sockets in TIME_WAIT when disposed, exhausting ports under load; inject `IHttpClientFactory` \
or share one instance",
    );
}

/// `new HttpClient(..)`, `new System.Net.Http.HttpClient(..)`, or `HttpClient c = new(..)`.
fn creates_http_client(node: Node<'_>, model: &FileModel<'_>) -> bool {
    let written = if node.is(SyntaxKind::ObjectCreationExpression) {
        node.child_by_field(Field::Type).map(|t| t.text())
    } else {
        // Target-typed: the declared type of the variable it initializes.
        node.parent()
            .filter(|p| p.is(SyntaxKind::VariableDeclarator))
            .and_then(|d| d.parent())
            .filter(|d| d.is(SyntaxKind::VariableDeclaration))
            .and_then(|d| d.child_by_field(Field::Type))
            .map(|t| t.text())
    };
    let Some(written) = written else { return false };
    let t = written.trim().trim_start_matches("global::");
    (t == "HttpClient" || t == "System.Net.Http.HttpClient")
        && !model.is_declared_type("HttpClient")
}

/// Constructors (of any kind), `Main` and top-level statements: the client is made once per
/// object or per program run. Lambdas and local functions count as the member around them.
fn runs_once(function: Function<'_>, model: &FileModel<'_>) -> bool {
    runs_once_depth(function, model, 0)
}

/// [`runs_once`], also for a private method called only from code that runs once
/// (`Main` → `RunAsync`), to a bounded depth.
fn runs_once_depth(function: Function<'_>, model: &FileModel<'_>, depth: u32) -> bool {
    let mut f = Some(function);
    while let Some(func) = f {
        match func.kind {
            FunctionKind::Constructor | FunctionKind::TopLevel => return true,
            FunctionKind::Method => {
                if func.name_text() == "Main" && func.has_modifier("static") {
                    return true;
                }
                return depth < 3 && called_only_from_once_code(func, model, depth);
            }
            _ => {}
        }
        f = model.outer_function(func);
    }
    false
}

/// A private, non-virtual method of a non-partial type whose every mention in the file is
/// a call made from code that runs once.
fn called_only_from_once_code(method: Function<'_>, model: &FileModel<'_>, depth: u32) -> bool {
    let visible = method.modifiers().any(|m| {
        matches!(
            m.text(),
            "public" | "protected" | "internal" | "virtual" | "override" | "abstract"
        )
    });
    let partial_type = method
        .node
        .ancestors()
        .find(|a| crate::semantic::is_type_decl(*a))
        .is_some_and(|t| {
            t.children()
                .any(|c| c.is(SyntaxKind::Modifier) && c.text() == "partial")
        });
    if visible || partial_type {
        return false;
    }
    let name = method.name_text();
    let mut calls = 0;
    for n in model.tree().iter() {
        if !n.is(SyntaxKind::Identifier) || n.text() != name || Some(n) == method.name() {
            continue;
        }
        let call = n
            .ancestors()
            .take(3)
            .find_map(Invocation::cast)
            .filter(|c| c.name() == Some(n));
        let Some(call) = call else { return false };
        let Some(caller) = model.function_of(call.node) else {
            return false;
        };
        if caller.node == method.node || !runs_once_depth(caller, model, depth + 1) {
            return false;
        }
        calls += 1;
    }
    calls > 0
}

/// Inside a field or property initializer (lambdas there included), or an argument of a
/// registration call (`services.AddSingleton(..)`, `TryAdd…`, `Register…`).
fn in_initializer_or_registration(node: Node<'_>) -> bool {
    let mut child = node;
    for a in node.ancestors() {
        match a.kind() {
            SyntaxKind::FieldDeclaration | SyntaxKind::EventFieldDeclaration => return true,
            SyntaxKind::PropertyDeclaration => {
                // `{ get; } = new HttpClient()`: the initializer, not an arrow body.
                return child.field() == Field::Value
                    && !child.is(SyntaxKind::ArrowExpressionClause);
            }
            SyntaxKind::ArgumentList => {
                if let Some(inv) = a.parent().and_then(Invocation::cast) {
                    let name = inv.name_text();
                    if ["Add", "TryAdd", "Register"]
                        .iter()
                        .any(|p| name.starts_with(p))
                    {
                        return true;
                    }
                }
            }
            SyntaxKind::MethodDeclaration
            | SyntaxKind::ConstructorDeclaration
            | SyntaxKind::AccessorDeclaration
            | SyntaxKind::LocalFunctionStatement => return false,
            _ => {}
        }
        child = a;
    }
    false
}

/// No handler argument, or a handler created for this client alone (`new HttpClient(new
/// HttpClientHandler())`, or a local initialized with `new …Handler()`) that the client
/// disposes. A shared handler (a field, a parameter) owns the connection pool.
fn handler_is_fresh<'t>(node: Node<'t>, model: &FileModel<'t>) -> bool {
    let Some(args) = node.child_by_field(Field::Arguments) else {
        return true;
    };
    let args: Vec<Node<'t>> = args
        .named_children()
        .filter(|c| c.is(SyntaxKind::Argument))
        .collect();
    let Some(first) = args.first() else {
        return true;
    };
    // `new HttpClient(handler, false)` / `disposeHandler: false`: the handler is kept.
    if args.iter().skip(1).any(|a| a.text().contains("false")) {
        return false;
    }
    let value = first
        .named_children()
        .last()
        .map(|v| v.unparenthesized())
        .unwrap_or(*first);
    match value.kind() {
        SyntaxKind::ObjectCreationExpression => true,
        SyntaxKind::Identifier => local_created_here(value, model),
        _ => false,
    }
}

/// An identifier naming a local of the enclosing function initialized with `new …`.
fn local_created_here<'t>(ident: Node<'t>, model: &FileModel<'t>) -> bool {
    let Some(f) = model.function_of(ident) else {
        return false;
    };
    let Some(body) = f.body() else { return false };
    body.descendants()
        .filter(|d| d.is(SyntaxKind::VariableDeclarator) && d.start() < ident.start())
        .filter(|d| {
            d.child_by_field(Field::Name)
                .is_some_and(|n| n.text() == ident.text())
        })
        .last()
        .and_then(declarator_value)
        .is_some_and(|v| {
            let v = v.unparenthesized();
            v.is(SyntaxKind::ObjectCreationExpression)
                || v.is(SyntaxKind::ImplicitObjectCreationExpression)
        })
}

/// Whether the new client is used and dropped within the call: a local (or `using`
/// resource) that never escapes, or the receiver of a member access.
fn lives_for_the_call<'t>(node: Node<'t>, function: Function<'t>) -> bool {
    let mut top = node;
    while let Some(p) = top.parent() {
        if p.is(SyntaxKind::ParenthesizedExpression) {
            top = p;
        } else {
            break;
        }
    }
    let Some(parent) = top.parent() else {
        return false;
    };
    match parent.kind() {
        // `new HttpClient().GetStringAsync(url)`
        SyntaxKind::MemberAccessExpression => parent.child_by_field(Field::Expression) == Some(top),
        // `using (new HttpClient()) ..` makes no sense; `using (var c = new ..)` is below.
        SyntaxKind::VariableDeclarator => {
            let Some(name) = parent.child_by_field(Field::Name) else {
                return false;
            };
            let in_field = parent
                .ancestors()
                .any(|a| a.is(SyntaxKind::FieldDeclaration));
            !in_field && !escapes(name.text(), parent, function)
        }
        _ => false,
    }
}

/// Whether a local named `name`, declared at `decl`, leaves the function: returned,
/// assigned to something, passed to a constructor, stored in a collection or an
/// initializer, captured by a lambda or local function, or passed by `ref`/`out`.
fn escapes(name: &str, decl: Node<'_>, function: Function<'_>) -> bool {
    let Some(body) = function.body() else {
        return true;
    };
    for id in body.descendants() {
        if !id.is(SyntaxKind::Identifier) || id.text() != name || id.start() <= decl.start() {
            continue;
        }
        if model_function_boundary(id, function) {
            return true;
        }
        let mut top = id;
        while let Some(p) = top.parent() {
            if p.is(SyntaxKind::ParenthesizedExpression)
                || p.is(SyntaxKind::CastExpression)
                || p.is(SyntaxKind::AsExpression)
            {
                top = p;
            } else {
                break;
            }
        }
        let Some(p) = top.parent() else { continue };
        let escaping = match p.kind() {
            SyntaxKind::ReturnStatement
            | SyntaxKind::ArrowExpressionClause
            | SyntaxKind::YieldStatement
            | SyntaxKind::InitializerExpression
            | SyntaxKind::CollectionExpression
            | SyntaxKind::VariableDeclarator
            | SyntaxKind::ConditionalExpression => true,
            SyntaxKind::AssignmentExpression => p.child_by_field(Field::Right) == Some(top),
            SyntaxKind::Argument => {
                // Passed to a constructor, stored (`Add`, `TryAdd`, `Set…`), or by ref.
                let by_ref = p
                    .children()
                    .any(|c| !c.is_named() && matches!(c.text(), "ref" | "out" | "in"));
                let call = p.parent().and_then(|l| l.parent());
                by_ref
                    || call.is_some_and(|c| {
                        c.is(SyntaxKind::ObjectCreationExpression)
                            || c.is(SyntaxKind::ImplicitObjectCreationExpression)
                            || Invocation::cast(c).is_some_and(|i| {
                                let n = i.name_text();
                                [
                                    "Add", "TryAdd", "Set", "Register", "Push", "Enqueue", "Insert",
                                ]
                                .iter()
                                .any(|s| n.starts_with(s))
                            })
                    })
            }
            _ => false,
        };
        if escaping {
            return true;
        }
    }
    false
}

/// The identifier is inside a lambda or local function nested in `function` (captured).
fn model_function_boundary(id: Node<'_>, function: Function<'_>) -> bool {
    id.ancestors()
        .take_while(|a| *a != function.node)
        .any(is_function)
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
    fn flags_clients_made_per_call() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.Net.Http;
using System.Threading.Tasks;
class Api {
    public async Task<string> A(string url) {
        using var client = new HttpClient(); // ~ASYNC601
        return await client.GetStringAsync(url);
    }
    public async Task<string> B(string url) {
        using (var client = new HttpClient()) // ~ASYNC601
        {
            return await client.GetStringAsync(url);
        }
    }
    public Task<string> C(string url) => new HttpClient().GetStringAsync(url); // ~ASYNC601
    public async Task D(string url) {
        var client = new System.Net.Http.HttpClient(new HttpClientHandler()); // ~ASYNC601
        client.Timeout = TimeSpan.FromSeconds(5);
        await client.GetAsync(url);
    }
    public async Task E(string url) {
        var handler = new HttpClientHandler { UseCookies = false };
        HttpClient client = new(handler); // ~ASYNC601
        await client.GetAsync(url);
    }
    public async Task<int> Many(string url) => await Private(url) + await Private(url);
    private async Task<int> Private(string url) {
        using var c = new HttpClient(); // ~ASYNC601
        return (await c.GetStringAsync(url)).Length;
    }
    public void F(string[] urls) {
        Action<string> get = u => {
            using var c = new HttpClient(); // ~ASYNC601
            c.GetAsync(u).Wait();
        };
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_shared_and_registered_clients() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
class Shared {
    private static readonly HttpClient Client = new HttpClient();
    private readonly HttpClient _readonly = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
    private static readonly Lazy<HttpClient> Lazy = new Lazy<HttpClient>(() => new HttpClient());
    public HttpClient Prop { get; } = new HttpClient();
    private HttpClient _cached;
    private readonly HttpClient _fromCtor;
    private readonly HttpMessageHandler _handler = new SocketsHttpHandler();
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new();
    public Shared() { _fromCtor = new HttpClient(); }
    static Shared() { var c = new HttpClient(); }
    HttpClient Cached => _cached ??= new HttpClient();
    HttpClient Create() { return new HttpClient(); }
    HttpClient CreateConfigured() {
        var c = new HttpClient();
        c.Timeout = TimeSpan.FromSeconds(5);
        return c;
    }
    HttpClient For(string key) => _clients.GetOrAdd(key, _ => new HttpClient());
    void Init() { if (_cached == null) _cached = new HttpClient(); }
    async Task<string> OverShared(string url) {
        using var c = new HttpClient(_handler);
        using var d = new HttpClient(_handler, disposeHandler: false);
        var e = new HttpClient(new HttpClientHandler(), false);
        return await c.GetStringAsync(url);
    }
    Wrapper Wrap() { var c = new HttpClient(); return new Wrapper(c); }
    void Store(System.Collections.Generic.List<HttpClient> all) { var c = new HttpClient(); all.Add(c); }
    Func<Task<string>> Capture() { var c = new HttpClient(); return () => c.GetStringAsync("x"); }
}
class Wrapper { public Wrapper(HttpClient c) { } }
static class Registration {
    public static void Configure(IServiceCollection services) {
        services.AddSingleton(new HttpClient());
        services.AddScoped(sp => new HttpClient { BaseAddress = new Uri("https://x") });
        services.TryAddSingleton<HttpClient>(_ => new HttpClient());
    }
}
class Program {
    static async Task Main() {
        using var client = new HttpClient();
        await client.GetStringAsync("https://example.com");
    }
}
static class Tool {
    static int Main(string[] args) => RunAsync(args[0]).GetAwaiter().GetResult();
    private static async Task<int> RunAsync(string url) {
        using var http = new HttpClient();
        return (await Fetch(http, url)).Length + await Again(url);
    }
    static Task<string> Fetch(HttpClient c, string url) => c.GetStringAsync(url);
    static async Task<int> Again(string url) {
        using var second = new HttpClient();
        return (await second.GetStringAsync(url)).Length;
    }
}
static class BlockTool {
    static int Main(string[] args) { return Run(args[0]).GetAwaiter().GetResult(); }
    private static async Task<int> Run(string url) {
        using var http = new HttpClient();
        return (await http.GetStringAsync(url)).Length;
    }
}
"#,
            ProjectKind::Library,
        );
        // Top-level statements run once; a project type named HttpClient is not the BCL one.
        assert_silent(
            &RULE,
            "using System.Net.Http;\nusing var client = new HttpClient();\nawait client.GetStringAsync(\"x\");\n",
            ProjectKind::Exe,
        );
        assert_silent(
            &RULE,
            "class HttpClient { }\nclass C { void M() { var c = new HttpClient(); } }",
            ProjectKind::Library,
        );
    }
}
