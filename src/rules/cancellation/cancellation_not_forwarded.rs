//! ASYNC401 cancellation-not-forwarded: a token is in scope and a call that can take one is
//! made without it.

use super::{
    cancellable_call, in_cleanup, passes_token, token_to_pass, tokens_in_scope,
    trailing_argument_insert, Slot,
};
use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{strip_configure_await, FileModel};
use crate::syntax::views::Invocation;
use crate::syntax::{Field, Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC401",
    name: "cancellation-not-forwarded",
    family: Family::Cancellation,
    summary: "A CancellationToken is in scope but a call that can take one is made without it",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: true,
    kinds: &[
        SyntaxKind::InvocationExpression,
        SyntaxKind::ForeachStatement,
    ],
    tokens: &[
        "CancellationToken*",
        "*cancellationToken*",
        "*stoppingToken*",
        "ForEachAsync",
    ],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Where a `CancellationToken` is in scope — a parameter of the method, the \
`stoppingToken` of a background service, a token parameter of a lambda, or of the method \
around a lambda or local function — flags a call that could take it and is made without it: \
an API of the built-in table (`Task.Delay`, stream and HTTP I/O, ADO.NET, Entity Framework \
operators, `File.*Async`, channels, `SemaphoreSlim.WaitAsync`, `JsonSerializer`, …) or a \
method of the project with an optional token parameter or an overload with one more \
trailing token. Also an `await foreach` over a method call that passes no token and has no \
`.WithCancellation(..)`.",
        why: "A token that is not passed on cancels nothing: when the request is aborted or \
the host shuts down, the operation keeps running to its end, holding connections and \
threads, and shutdown waits for it. Cancellation only works when every layer hands the \
token down.",
        example: r#"
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

class Downloader
{
    private readonly HttpClient _http = new HttpClient();

    public async Task<string> FetchAsync(string url, CancellationToken cancellationToken)
    {
        await Task.Delay(100);
        return await _http.GetStringAsync(url);
    }
}
"#,
        use_instead: r#"
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

class Downloader
{
    private readonly HttpClient _http = new HttpClient();

    public async Task<string> FetchAsync(string url, CancellationToken cancellationToken)
    {
        await Task.Delay(100, cancellationToken);
        return await _http.GetStringAsync(url, cancellationToken);
    }
}
"#,
        silent_when: "No token is in scope: tokens held in fields or properties do not count, \
nor do tokens of the method around a `static` lambda or around a lambda that runs on its own \
(`Task.Run` without a token, an event subscription, a callback stored in a member, \
`token.Register(..)`). The call already passes a token, by position or by name, including \
`CancellationToken.None`, `default` and `cts.Token`. The token overload does not exist on \
the project's target framework (`GetStringAsync(url, ct)` before .NET 5, \
`ReadToEndAsync(ct)` before .NET 7, `CopyToAsync(stream, ct)` before .NET Core 2.1). The \
arguments may already end in a token the tool cannot type. The callee is not known to take \
one: an undeclared method, or a project method with an overload the call may bind to that \
takes no token. Calls in `catch` and `finally` blocks, where the token may be the very \
reason for being there. Discarded calls (`_ = FooAsync();`): fire-and-forget work meant to \
outlive the caller.",
        fix: "Passes the token: as one more trailing argument, or by name \
(`cancellationToken: ct`) when optional parameters stand before it or the call already uses \
named arguments; `.WithCancellation(ct)` for an `await foreach` (where the file imports \
`System.Threading.Tasks`). Safe. Offered only when exactly one token is nearest in scope and \
the call surely compiles with it; `DbSet.FindAsync(params object[])` gets no fix.",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    match node.kind() {
        SyntaxKind::InvocationExpression => check_call(node, ctx),
        SyntaxKind::ForeachStatement => check_foreach(node, ctx),
        _ => {}
    }
}

fn check_call<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(call) = Invocation::cast(node) else {
        return;
    };
    if in_cleanup(model, node) || is_discarded(node) {
        return;
    }
    let scope = tokens_in_scope(model, node);
    if scope.is_empty() {
        return;
    }
    let Some(found) = cancellable_call(&call, model, &ctx.project.frameworks, &scope) else {
        return;
    };
    let shown_token = token_to_pass(&scope).unwrap_or(scope[0].name);
    let message = format!(
        "`{}` can take a CancellationToken but is called without `{shown_token}`: pass it so the operation can be cancelled",
        found.shown
    );
    let fix = token_to_pass(&scope).and_then(|tok| pass_token_fix(&call, &found.slot, tok));
    let start = call.name().map(|n| n.start()).unwrap_or(node.start());
    if let Some(d) = ctx.report_range(node, start..node.end(), message) {
        d.with_fix(fix);
    }
}

/// `_ = FooAsync();`: fire-and-forget on purpose, meant to outlive the caller's token.
fn is_discarded(call: Node<'_>) -> bool {
    let mut cur = call;
    while let Some(p) = cur.parent() {
        match p.kind() {
            SyntaxKind::ParenthesizedExpression | SyntaxKind::MemberAccessExpression => cur = p,
            SyntaxKind::InvocationExpression
                if Invocation::cast(p).is_some_and(|i| i.name_text() == "ConfigureAwait") =>
            {
                cur = p
            }
            SyntaxKind::AssignmentExpression => {
                return p.child_by_field(Field::Right) == Some(cur)
                    && p.child_by_field(Field::Left)
                        .is_some_and(|l| l.text() == "_");
            }
            _ => return false,
        }
    }
    false
}

fn pass_token_fix(call: &Invocation<'_>, slot: &Slot, tok: &str) -> Option<Fix> {
    let (at, has_args) = trailing_argument_insert(call)?;
    let arg = match slot {
        Slot::Positional => tok.to_owned(),
        Slot::Named(name) => format!("{name}: {tok}"),
        Slot::Unwritable => return None,
    };
    let text = if has_args {
        format!(", {arg}")
    } else {
        arg.clone()
    };
    Some(Fix {
        message: format!("Pass `{arg}`"),
        applicability: Applicability::Safe,
        edits: vec![Edit::insert(at, text)],
    })
}

/// `await foreach (var x in Source(..))` where the call passes no token, cannot take one
/// itself (that is the call's own finding), and is not followed by `.WithCancellation(..)`.
fn check_foreach<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    if !node
        .children()
        .any(|c| !c.is_named() && c.text() == "await")
    {
        return;
    }
    let Some(source) = node.child_by_field(Field::Right) else {
        return;
    };
    let inner = strip_configure_await(source.unparenthesized());
    let Some(call) = Invocation::cast(inner) else {
        return;
    };
    if call.name_text() == "WithCancellation" || in_cleanup(model, node) {
        return;
    }
    let scope = tokens_in_scope(model, node);
    if scope.is_empty() || passes_token(model, &call, &scope) {
        return;
    }
    if cancellable_call(&call, model, &ctx.project.frameworks, &scope).is_some() {
        return;
    }
    if !is_async_enumerable_call(model, inner) {
        return;
    }
    let shown_token = token_to_pass(&scope).unwrap_or(scope[0].name);
    let message = format!(
        "`await foreach` over `{}(..)` does not pass `{shown_token}`: add `.WithCancellation({shown_token})`",
        call.name_text()
    );
    let imports = model.imports_tasks || ctx.project.implicit_usings;
    let fix = token_to_pass(&scope).filter(|_| imports).map(|tok| Fix {
        message: format!("Add `.WithCancellation({tok})`"),
        applicability: Applicability::Safe,
        edits: vec![Edit::insert(
            inner.end(),
            format!(".WithCancellation({tok})"),
        )],
    });
    if let Some(d) = ctx.report(inner, message) {
        d.with_fix(fix);
    }
}

/// A call the file shows to return an `IAsyncEnumerable<T>` (declared so, or a declared type
/// that implements it).
fn is_async_enumerable_call<'t>(model: &FileModel<'t>, call: Node<'t>) -> bool {
    let Some(ty) = model.type_of(call) else {
        return false;
    };
    crate::rules::util::derives_from(model, &ty.name, |n| n == "IAsyncEnumerable")
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
    fn flags_table_apis_called_without_the_token() {
        assert_marked(
            &RULE,
            r#"
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using System.Data.Common;
using System.Text.Json;
class C {
    private readonly HttpClient _http = new HttpClient();
    private readonly SemaphoreSlim _gate = new SemaphoreSlim(1);
    private readonly Channel<int> _channel = Channel.CreateUnbounded<int>();
    async Task M(Stream s, byte[] buf, DbCommand cmd, DbConnection conn, CancellationToken ct) {
        await Task.Delay(100); // ~ASYNC401
        await Task.Delay(System.TimeSpan.FromSeconds(1)); // ~ASYNC401
        await s.ReadAsync(buf, 0, buf.Length); // ~ASYNC401
        await s.FlushAsync(); // ~ASYNC401
        await s.CopyToAsync(Stream.Null); // ~ASYNC401
        await _http.GetAsync("http://x"); // ~ASYNC401
        await _http.GetAsync("http://x", HttpCompletionOption.ResponseHeadersRead); // ~ASYNC401
        await _http.PostAsync("http://x", null); // ~ASYNC401
        await _gate.WaitAsync(); // ~ASYNC401
        await _gate.WaitAsync(1000); // ~ASYNC401
        await conn.OpenAsync(); // ~ASYNC401
        using var reader = await cmd.ExecuteReaderAsync(); // ~ASYNC401
        await File.ReadAllTextAsync("a.txt"); // ~ASYNC401
        await File.WriteAllTextAsync("a.txt", "x"); // ~ASYNC401
        await JsonSerializer.SerializeAsync(s, 42); // ~ASYNC401
        var n = await _channel.Reader.ReadAsync(); // ~ASYNC401
        await _channel.Writer.WriteAsync(1); // ~ASYNC401
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn flags_project_methods_that_take_a_token() {
        assert_marked(
            &RULE,
            r#"
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
interface IStore {
    Task<int> CountAsync(string kind, CancellationToken ct = default);
    Task SaveAsync(int id);
    Task SaveAsync(int id, CancellationToken ct);
    Task FlushAsync(bool force = false, int retries = 3, CancellationToken cancellationToken = default);
}
class Worker {
    private readonly IStore _store;
    public async Task Run(CancellationToken stoppingToken) {
        var n = await _store.CountAsync("a"); // ~ASYNC401
        await _store.SaveAsync(n); // ~ASYNC401
        await _store.FlushAsync(); // ~ASYNC401
        await _store.FlushAsync(true); // ~ASYNC401
        await Local();
        async Task Local() { await Task.Delay(5); } // ~ASYNC401
        await Helper(); // ~ASYNC401
    }
    Task Helper(CancellationToken ct = default) => Task.CompletedTask;
    async Task Lambdas(IEnumerable<int> items, CancellationToken token) {
        await Parallel.ForEachAsync(items, token, async (item, ct) => {
            await Task.Delay(item); // ~ASYNC401
        });
        System.Func<Task> f = async () => await Task.Delay(1); // ~ASYNC401
        await f();
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn flags_await_foreach_without_with_cancellation() {
        assert_marked(
            &RULE,
            r#"
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
class Feed {
    IAsyncEnumerable<int> Items() => null;
    async IAsyncEnumerable<int> Tokened([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default) { yield return 1; await Task.Yield(); }
    async Task Consume(CancellationToken ct) {
        await foreach (var i in Items()) { } // ~ASYNC401
        await foreach (var i in Items().ConfigureAwait(false)) { } // ~ASYNC401
        await foreach (var i in Items().WithCancellation(ct)) { }
        await foreach (var i in Tokened()) { } // ~ASYNC401
        await foreach (var i in Tokened(ct)) { }
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_without_a_token_in_scope() {
        assert_silent(
            &RULE,
            r#"
using System.Threading;
using System.Threading.Tasks;
class C {
    private readonly CancellationToken _token;
    private CancellationToken Token { get; }
    private readonly CancellationTokenSource _cts = new CancellationTokenSource();
    async Task NoParam() {
        await Task.Delay(100);
        var t = _cts.Token;
        await Task.Delay(100);
    }
    async Task Detached(CancellationToken ct) {
        _ = Task.Run(async () => await Task.Delay(1000));
        ct.Register(() => Task.Delay(1));
        Handler += async (s, e) => await Task.Delay(1);
        Stored = async () => await Task.Delay(1);
        var f = static async () => await Task.Delay(1);
        await Task.Delay(1, ct);
        _ = Task.Delay(1000);
        _ = Task.Delay(1000).ConfigureAwait(false);
    }
    event System.EventHandler Handler;
    System.Func<Task> Stored { get; set; }
    async Task NullableAndOut(CancellationToken? maybe) { await Task.Delay(1); }
    async Task Shadowed(CancellationToken ct) {
        System.Func<string, Task> f = async ct => await Task.Delay(1);
        await f("x");
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_the_call_already_passes_a_token() {
        assert_silent(
            &RULE,
            r#"
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
class C {
    private readonly HttpClient _http = new HttpClient();
    private readonly CancellationToken _shutdown;
    async Task M(Stream s, byte[] buf, CancellationToken ct, CancellationTokenSource cts, SemaphoreSlim gate) {
        await Task.Delay(100, ct);
        await Task.Delay(100, CancellationToken.None);
        await Task.Delay(100, default(CancellationToken));
        await Task.Delay(100, cancellationToken: ct);
        await s.ReadAsync(buf, 0, buf.Length, ct);
        await s.ReadAsync(buf.AsMemory(), ct);
        await s.FlushAsync(cts.Token);
        await s.FlushAsync(_shutdown);
        await _http.GetAsync("http://x", linked);
        await gate.WaitAsync(linked);
        await s.CopyToAsync(Stream.Null, someToken);
        await Task.Delay(100, unknownThing);
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_the_callee_cannot_take_one() {
        assert_silent(
            &RULE,
            r#"
using System.IO;
using System.Threading;
using System.Threading.Tasks;
interface IStore {
    Task SaveAsync(int id);
    Task LoadAsync(string key);
    Task LoadAsync(int id, CancellationToken ct);
    Task Mixed(int id);
    Task Mixed(string id);
    Task Mixed(int id, CancellationToken ct);
    Task Many(params object[] args);
    [System.Obsolete] Task Old(int id, CancellationToken ct);
    Task Old(int id);
}
class C {
    private readonly IStore _store;
    Task Shadowed(int x, CancellationToken ct = default) => Task.CompletedTask;
    async Task Local(CancellationToken ct) {
        await Shadowed(1);
        Task Shadowed(int x) => Task.CompletedTask;
    }
    async Task M(StreamReader r, StreamWriter w, CancellationToken ct) {
        await _store.SaveAsync(1);
        await _store.LoadAsync("k");
        await _store.Mixed(1);
        await _store.Many(1, 2);
        await _store.Old(1);
        await w.WriteLineAsync("x");
        await Unknown.DoAsync();
        await something.ReadAsync();
        await Task.Yield();
        await Task.WhenAll(Task.CompletedTask);
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_in_cleanup_blocks() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
class C {
    async Task M(Stream s, CancellationToken ct) {
        try { await s.FlushAsync(ct); }
        catch (OperationCanceledException) { await s.FlushAsync(); }
        finally { await s.FlushAsync(); }
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn respects_the_target_framework() {
        let fixture = r#"
//- Old/Old.csproj
<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>netstandard2.0</TargetFramework></PropertyGroup></Project>
//- Old/Client.cs
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
public class Client {
    private readonly HttpClient _http = new HttpClient();
    public async Task<string> Get(string url, StreamReader r, Stream s, CancellationToken ct) {
        await s.CopyToAsync(Stream.Null);
        await s.CopyToAsync(Stream.Null, 4096); // ~ASYNC401
        await r.ReadToEndAsync();
        await File.ReadAllTextAsync("x");
        return await _http.GetStringAsync(url);
    }
}
//- New/New.csproj
<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>
//- New/Client.cs
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
public class Client2 {
    private readonly HttpClient _http = new HttpClient();
    public async Task<string> Get(string url, StreamReader r, Stream s, CancellationToken ct) {
        await s.CopyToAsync(Stream.Null); // ~ASYNC401
        await r.ReadToEndAsync(); // ~ASYNC401
        return await _http.GetStringAsync(url); // ~ASYNC401
    }
}
"#;
        assert_marked_files(&RULE, fixture);
    }

    #[test]
    fn knows_project_methods_of_other_files() {
        assert_marked_files(
            &RULE,
            r#"
//- Core/Core.csproj
<Project Sdk="Microsoft.NET.Sdk"></Project>
//- Core/IRepo.cs
using System.Threading;
using System.Threading.Tasks;
namespace Core;
public interface IRepo { Task<int> CountAsync(CancellationToken ct = default); Task Touch(); }
//- Web/Web.csproj
<Project Sdk="Microsoft.NET.Sdk.Web"></Project>
//- Web/Service.cs
using System.Threading;
using System.Threading.Tasks;
using Core;
public class Service {
    private readonly IRepo _repo;
    public async Task<int> Get(CancellationToken ct) {
        await _repo.Touch();
        return await _repo.CountAsync(); // ~ASYNC401
    }
}
"#,
        );
    }

    #[test]
    fn fixes_pass_the_token() {
        assert_fix(
            &RULE,
            "using System.Threading;\nusing System.Threading.Tasks;\nclass C { async Task M(CancellationToken ct) { await Task.Delay(1); } }",
            "using System.Threading;\nusing System.Threading.Tasks;\nclass C { async Task M(CancellationToken ct) { await Task.Delay(1, ct); } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.IO;\nusing System.Threading;\nusing System.Threading.Tasks;\nclass C { async Task M(Stream s, CancellationToken token) { await s.FlushAsync(); } }",
            "using System.IO;\nusing System.Threading;\nusing System.Threading.Tasks;\nclass C { async Task M(Stream s, CancellationToken token) { await s.FlushAsync(token); } }",
            Applicability::Safe,
        );
        // An optional parameter stands before the token: pass it by name.
        assert_fix(
            &RULE,
            "using System.Threading;\nusing System.Threading.Tasks;\nclass C { Task F(int a, bool b = false, CancellationToken cancel = default) => Task.CompletedTask; async Task M(CancellationToken ct) { await F(1); } }",
            "using System.Threading;\nusing System.Threading.Tasks;\nclass C { Task F(int a, bool b = false, CancellationToken cancel = default) => Task.CompletedTask; async Task M(CancellationToken ct) { await F(1, cancel: ct); } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.IO;\nusing System.Text.Json;\nusing System.Threading;\nusing System.Threading.Tasks;\nclass C { async Task M(Stream s, CancellationToken ct) { await JsonSerializer.SerializeAsync(s, 1); } }",
            "using System.IO;\nusing System.Text.Json;\nusing System.Threading;\nusing System.Threading.Tasks;\nclass C { async Task M(Stream s, CancellationToken ct) { await JsonSerializer.SerializeAsync(s, 1, cancellationToken: ct); } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.Collections.Generic;\nusing System.Threading;\nusing System.Threading.Tasks;\nclass C { IAsyncEnumerable<int> Items() => null; async Task M(CancellationToken ct) { await foreach (var i in Items().ConfigureAwait(false)) { } } }",
            "using System.Collections.Generic;\nusing System.Threading;\nusing System.Threading.Tasks;\nclass C { IAsyncEnumerable<int> Items() => null; async Task M(CancellationToken ct) { await foreach (var i in Items().WithCancellation(ct).ConfigureAwait(false)) { } } }",
            Applicability::Safe,
        );
        // A multi-line call: the token goes after the last argument.
        assert_fix(
            &RULE,
            "using System.Threading;\nusing System.Threading.Tasks;\nclass C { async Task M(CancellationToken ct) {\n    await Task.Delay(\n        100\n    );\n} }",
            "using System.Threading;\nusing System.Threading.Tasks;\nclass C { async Task M(CancellationToken ct) {\n    await Task.Delay(\n        100, ct\n    );\n} }",
            Applicability::Safe,
        );
    }

    #[test]
    fn no_fix_when_unsure() {
        let src = r#"
using Microsoft.EntityFrameworkCore;
using System.Threading;
using System.Threading.Tasks;
class Db : DbContext { public DbSet<User> Users { get; set; } }
class User {}
class C {
    private readonly Db _db;
    async Task M(CancellationToken a, CancellationToken b) { await Task.Delay(1); }
    async Task N(CancellationToken ct) { await _db.Users.FindAsync(1); }
}
"#;
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(d.len(), 2, "{d:#?}");
        assert!(d.iter().all(|d| d.fix.is_none()), "{d:#?}");
    }

    #[test]
    fn entity_framework_operators() {
        assert_marked(
            &RULE,
            r#"
using System.Linq;
using Microsoft.EntityFrameworkCore;
using System.Threading;
using System.Threading.Tasks;
class AppDbContext : DbContext { public DbSet<User> Users { get; set; } }
class User { public int Age; }
class Repo {
    private readonly AppDbContext _db;
    async Task M(CancellationToken ct) {
        var all = await _db.Users.ToListAsync(); // ~ASYNC401
        var first = await _db.Users.FirstOrDefaultAsync(u => u.Age > 3); // ~ASYNC401
        var any = await _db.Users.AnyAsync(ct);
        await _db.SaveChangesAsync(); // ~ASYNC401
        await _db.SaveChangesAsync(ct);
        await _db.SaveChangesAsync(true, ct);
        await _db.Users.AddAsync(new User()); // ~ASYNC401
        await using var tx = await _db.Database.BeginTransactionAsync(); // ~ASYNC401
        await _db.Database.MigrateAsync(ct);
        using AppDbContext fresh = await _factory.CreateDbContextAsync(); // ~ASYNC401
        await fresh.Database.EnsureCreatedAsync(); // ~ASYNC401
    }
    private readonly IDbContextFactory<AppDbContext> _factory;
}
"#,
            ProjectKind::Library,
        );
    }
}
