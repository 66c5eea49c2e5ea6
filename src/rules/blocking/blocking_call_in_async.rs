//! ASYNC102 blocking-call-in-async: a synchronous, blocking call with an async counterpart,
//! made inside an async method, lambda or local function.

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rules::util::{await_allowed_at, await_text, in_sync_branch, is_dbcontext};
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::known::{self, BlockingApi};
use crate::semantic::{ty_is_awaitable, FileModel, MemberKind, TypeDecl};
use crate::syntax::views::Invocation;
use crate::syntax::{Field, Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC102",
    name: "blocking-call-in-async",
    family: Family::Blocking,
    summary: "A blocking call with an async counterpart inside an async method",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: true,
    kinds: &[SyntaxKind::InvocationExpression],
    tokens: &["async", "await"],
    may_flag_member: Some(may_block),
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Inside an async method, async lambda, async local function or top-level \
statements that await, flags a synchronous call that blocks and has an async counterpart: \
`Thread.Sleep`, `File.ReadAllText` and the other whole-file helpers, `Stream.Read/Write/Flush/CopyTo`, \
`StreamReader.ReadToEnd/ReadLine`, `StreamWriter.Write/WriteLine/Flush`, `DbContext.SaveChanges`, \
Entity Framework query operators (`ToList`, `First`, `Count`, `Any`, …) on a query that \
starts at a `DbSet<T>`, `HttpClient.Send`, `SemaphoreSlim.Wait`, `Process.WaitForExit`, \
ADO.NET's `Open`, `ExecuteReader`, `ExecuteNonQuery`, `ExecuteScalar` and `Read`; and a call \
`Foo(..)` when the same type declares an awaitable `FooAsync` with the same parameters \
(optionally one more trailing `CancellationToken`). More APIs can be listed in \
`asynclint.toml`: `blocking-apis = [{ type = \"MyCompany.Db\", method = \"Query\", counterpart = \"QueryAsync\" }]`.",
        why: "An async method exists so that the thread is free while I/O is in flight. A \
blocking call inside it holds the thread anyway — worse than a plain synchronous method, \
because the caller believes it is not blocked. On a UI thread the window freezes; on a \
server the thread pool starves under load.",
        example: r#"
using System.IO;
using System.Threading;
using System.Threading.Tasks;

class Importer
{
    public async Task<string> LoadAsync(string path)
    {
        Thread.Sleep(500);
        var text = File.ReadAllText(path);
        await Task.Yield();
        return text;
    }
}
"#,
        use_instead: r#"
using System.IO;
using System.Threading;
using System.Threading.Tasks;

class Importer
{
    public async Task<string> LoadAsync(string path)
    {
        await Task.Delay(500);
        var text = await File.ReadAllTextAsync(path);
        return text;
    }
}
"#,
        silent_when: "Calls in synchronous methods, and in non-async lambdas inside an async \
method (a `Select` selector runs synchronously). LINQ-to-objects `ToList()` on lists, arrays \
and other `IEnumerable<T>`. `Console.Write*`, `MemoryStream` operations, `Thread.Sleep(0)` and \
`Thread.Sleep(1)`, `SemaphoreSlim.Wait(0)`. Twins that are not real counterparts: \
`DbSet.Add/AddRange` (their `AddAsync` exists only for special value generators), \
`IDbContextFactory.CreateDbContext`, a `FooAsync` whose parameters differ, an `[Obsolete]` \
`FooAsync`, and the enclosing method itself. APIs whose async counterpart does not exist on \
the project's target framework (`File.ReadAllTextAsync` before .NET Core 2.0 / .NET Standard \
2.1, `Process.WaitForExitAsync` and `HttpClient.Send` before .NET 5).",
        fix: "`Thread.Sleep(n)` becomes `await Task.Delay(n)`, and a table API becomes \
`await` of its `…Async` counterpart with the same arguments (Entity Framework operators only \
when the file imports `Microsoft.EntityFrameworkCore` or `System.Data.Entity`). Safe. A \
project-declared twin `FooAsync` gets an unsafe fix: it is another method, which may do more \
or less than `Foo`.",
    },
};

/// A member can only block if it calls a table API, an Entity Framework operator or a
/// method with an awaitable `…Async` twin somewhere in the project (or configuration names
/// blocking APIs, or the project's methods are unknown).
fn may_block(m: &crate::rules::MemberText<'_>) -> bool {
    if !m.index_known || !m.config.blocking_apis.is_empty() {
        return true;
    }
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut v: Vec<&str> = known::BLOCKING_APIS
            .iter()
            .map(|a| a.method)
            .chain(known::EF_QUERY_OPERATORS.iter().copied())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    });
    m.calls()
        .any(|name| names.binary_search(&name).is_ok() || m.index.has_async_twin(name))
}

/// What the call resolved to.
struct Found {
    /// `File.ReadAllText`, for the message.
    shown: String,
    /// `File.ReadAllTextAsync`, for the message.
    counterpart_shown: String,
    fix: Option<Fix>,
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(call) = Invocation::cast(node) else {
        return;
    };
    if call.is_conditional() {
        return;
    }
    let Some(context) = model.context_of(node) else {
        return;
    };
    if !context.is_async {
        return;
    }
    let name = call.name_text();
    if name.is_empty() || name.ends_with("Async") || in_sync_branch(model, node) {
        return;
    }
    // `await conn.Open(async: true)`: the call itself returns a task.
    // `await X(..)` and `await X(..).ConfigureAwait(false)`
    let awaited = {
        let mut cur = node;
        loop {
            match cur.parent() {
                Some(p) if p.is(SyntaxKind::AwaitExpression) => break true,
                Some(p) if p.is(SyntaxKind::ParenthesizedExpression) => cur = p,
                Some(p)
                    if p.is(SyntaxKind::MemberAccessExpression)
                        && p.child_by_field(Field::Name)
                            .is_some_and(|n| n.text() == "ConfigureAwait") =>
                {
                    match p
                        .parent()
                        .filter(|g| g.is(SyntaxKind::InvocationExpression))
                    {
                        Some(g) => cur = g,
                        None => break false,
                    }
                }
                _ => break false,
            }
        }
    };
    if awaited || model.is_awaitable(node) == crate::semantic::Tri::Yes {
        return;
    }
    let found = table_api(&call, model, ctx.project)
        .or_else(|| configured_api(&call, model, ctx.config))
        .or_else(|| ef_query(&call, model))
        .or_else(|| project_twin(&call, model, context.function.name_text()));
    let Some(found) = found else { return };
    let message = format!(
        "`{}` blocks the thread inside an async method; use `await {}(..)`",
        found.shown, found.counterpart_shown
    );
    if let Some(d) = ctx.report(node, message) {
        d.with_fix(found.fix);
    }
}

/// The built-in table: static (`Thread.Sleep`, `File.*`) or instance APIs on a receiver whose
/// type the file shows.
fn table_api<'t>(
    call: &Invocation<'t>,
    model: &FileModel<'t>,
    project: &crate::project::ProjectInfo,
) -> Option<Found> {
    let frameworks = &project.frameworks;
    let name = call.name_text();
    let recv = call.receiver()?.unparenthesized();
    let (api, type_shown): (&BlockingApi, String) =
        if let Some(type_name) = model.static_type_name(recv) {
            let api = known::BLOCKING_APIS.iter().find(|a| {
                a.is_static && a.method == name && known::simple(a.type_name) == type_name
            })?;
            (api, recv.text().to_owned())
        } else {
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
            (api, known::simple(api.type_name).to_owned())
        };
    let available = api.requires.available(frameworks);
    if !available || is_harmless(api, call) {
        return None;
    }
    let shown = format!("{type_shown}.{name}");
    let is_static_replacement = api.counterpart.contains('.');
    let counterpart_shown = if is_static_replacement {
        api.counterpart.to_owned()
    } else {
        format!("{type_shown}.{}", api.counterpart)
    };
    let fix = if !await_allowed_at(model, call.node) || !one_to_one(api, call) {
        None
    } else if is_static_replacement {
        // Thread.Sleep(n) → await Task.Delay(n)
        let task = if model.imports_tasks || project.implicit_usings {
            "Task"
        } else {
            "System.Threading.Tasks.Task"
        };
        let method = api
            .counterpart
            .rsplit('.')
            .next()
            .unwrap_or(api.counterpart);
        let args = call.arguments.map(|a| a.text()).unwrap_or("()");
        Some(Fix {
            message: format!("Replace with `await {}`", api.counterpart),
            applicability: Applicability::Safe,
            edits: vec![Edit::replace(
                call.node.range(),
                await_text(call.node, &format!("{task}.{method}{args}")),
            )],
        })
    } else {
        rename_and_await(call, api.counterpart, Applicability::Safe)
    };
    Some(Found {
        shown,
        counterpart_shown,
        fix,
    })
}

/// An API configured in `asynclint.toml` (`blocking-apis`): `Db.Query(..)` on the type
/// itself, or `db.Query(..)` on a value whose type is (or derives from) it.
fn configured_api<'t>(
    call: &Invocation<'t>,
    model: &FileModel<'t>,
    config: &crate::config::RuleConfig,
) -> Option<Found> {
    if config.blocking_apis.is_empty() {
        return None;
    }
    let name = call.name_text();
    let recv = call.receiver()?.unparenthesized();
    let text = recv.text();
    let value_type = model.type_of(recv).filter(|t| t.arrays == 0);
    let api = config.blocking_apis.iter().find(|a| {
        if a.method != name {
            return false;
        }
        let simple = a.simple_type();
        let names_type = (text == a.type_name || text == simple)
            && value_type.as_ref().is_none_or(|t| t.name == simple)
            && !(recv.is(SyntaxKind::Identifier) && model.is_local_name(recv, text));
        let of_type = value_type
            .as_ref()
            .is_some_and(|t| crate::rules::util::derives_from(model, &t.name, |n| n == simple));
        match a.is_static {
            Some(true) => names_type,
            Some(false) => of_type && !names_type,
            None => names_type || of_type,
        }
    })?;
    let type_shown = api.simple_type();
    let is_static_replacement = api.counterpart.contains('.');
    let counterpart_shown = if is_static_replacement {
        api.counterpart.clone()
    } else {
        format!("{type_shown}.{}", api.counterpart)
    };
    let fix = if !await_allowed_at(model, call.node) {
        None
    } else if is_static_replacement {
        let args = call.arguments.map(|a| a.text()).unwrap_or("()");
        Some(Fix {
            message: format!("Replace with `await {}`", api.counterpart),
            applicability: Applicability::Safe,
            edits: vec![Edit::replace(
                call.node.range(),
                await_text(call.node, &format!("{}{args}", api.counterpart)),
            )],
        })
    } else {
        rename_and_await(call, &api.counterpart, Applicability::Safe)
    };
    Some(Found {
        shown: format!("{type_shown}.{name}"),
        counterpart_shown,
        fix,
    })
}

/// Calls that block for no time at all: `Thread.Sleep(0)`, `SemaphoreSlim.Wait(0)`.
fn is_harmless(api: &BlockingApi, call: &Invocation<'_>) -> bool {
    let args = call.args();
    let first = args.first().map(|a| a.value.text().trim());
    match (known::simple(api.type_name), api.method) {
        ("Thread", "Sleep") => matches!(first, Some("0" | "1" | "TimeSpan.Zero")),
        ("SemaphoreSlim", "Wait") => matches!(first, Some("0" | "TimeSpan.Zero")),
        _ => false,
    }
}

/// Whether the counterpart takes the same arguments.
fn one_to_one(api: &BlockingApi, call: &Invocation<'_>) -> bool {
    let n = call.arg_count();
    match (known::simple(api.type_name), api.method) {
        // Read(Span<byte>) / Write(ReadOnlySpan<byte>) have Memory-based counterparts.
        ("Stream", "Read" | "Write") => n == 3,
        ("Process", "WaitForExit") => n == 0,
        ("StreamWriter", "Write" | "WriteLine") => n <= 1,
        _ => true,
    }
}

/// `await recv.FooAsync(args)` in place of `recv.Foo(args)`.
fn rename_and_await(
    call: &Invocation<'_>,
    new_name: &str,
    applicability: Applicability,
) -> Option<Fix> {
    let name = call.name()?;
    let start = call.node.start();
    let mut text = String::new();
    text.push_str(&call.node.tree().source()[start..name.start()]);
    text.push_str(new_name);
    text.push_str(&call.node.tree().source()[name.end()..call.node.end()]);
    Some(Fix {
        message: format!("Replace with `await {new_name}(..)`"),
        applicability,
        edits: vec![Edit::replace(
            call.node.range(),
            await_text(call.node, &text),
        )],
    })
}

/// Members of `DbContext` that are not sets.
const DBCONTEXT_NON_SETS: &[&str] = &["ChangeTracker", "ContextId", "Database", "Model"];

/// An Entity Framework operator on a query whose chain starts at a `DbSet<T>`.
fn ef_query<'t>(call: &Invocation<'t>, model: &FileModel<'t>) -> Option<Found> {
    let name = call.name_text();
    if known::EF_QUERY_OPERATORS.binary_search(&name).is_err() {
        return None;
    }
    // Walk down through query builders to the root.
    let mut cur = call.receiver()?.unparenthesized();
    let mut steps = 0;
    loop {
        steps += 1;
        if steps > 64 {
            return None;
        }
        match Invocation::cast(cur) {
            Some(inner)
                if known::EF_QUERY_BUILDERS
                    .binary_search(&inner.name_text())
                    .is_ok() =>
            {
                cur = inner.receiver()?.unparenthesized();
            }
            Some(inner) if inner.name_text() == "Set" => {
                // ctx.Set<T>()
                let ctx = inner.receiver()?;
                let t = model.type_of(ctx)?;
                if !is_dbcontext(&t, model) || !inner.function.text().contains('<') {
                    return None;
                }
                break;
            }
            Some(_) => return None,
            None => {
                if !is_dbset_root(cur, model) {
                    return None;
                }
                break;
            }
        }
    }
    let fix = if model.imports_ef && await_allowed_at(model, call.node) {
        rename_and_await(call, &format!("{name}Async"), Applicability::Safe)
    } else {
        None
    };
    Some(Found {
        shown: format!("{name}()` on an Entity Framework query `"),
        counterpart_shown: format!("{name}Async"),
        fix,
    })
    .map(|mut f| {
        f.shown = format!("{name}"); // message: "`ToList` blocks …"
        f
    })
}

/// `db.Users` where `db` is a DbContext, or an expression typed `DbSet<T>`.
fn is_dbset_root<'t>(expr: Node<'t>, model: &FileModel<'t>) -> bool {
    if model.type_of(expr).is_some_and(|t| t.name == "DbSet") {
        return true;
    }
    let Some(ma) = crate::syntax::views::MemberAccess::cast(expr) else {
        return false;
    };
    let member = ma.name_text();
    if DBCONTEXT_NON_SETS.contains(&member) {
        return false;
    }
    let Some(ctx_ty) = model.type_of(ma.receiver) else {
        return false;
    };
    if !is_dbcontext(&ctx_ty, model) {
        return false;
    }
    // When the context is declared here, the member must be a DbSet.
    let declared: Vec<&TypeDecl> = model.types_named(&ctx_ty.name).collect();
    if declared.is_empty() {
        return member.starts_with(|c: char| c.is_ascii_uppercase());
    }
    declared.iter().any(|t| {
        model.member_in_hierarchy(t, member).is_some_and(|m| {
            m.kind != MemberKind::Method && m.ty.as_ref().is_some_and(|t| t.name == "DbSet")
        })
    })
}

/// `Foo(..)` when the same type declares an awaitable `FooAsync` with the same parameters
/// (optionally plus a trailing `CancellationToken`), not `[Obsolete]`, and not the method
/// we are in.
fn project_twin<'t>(
    call: &Invocation<'t>,
    model: &FileModel<'t>,
    enclosing: &str,
) -> Option<Found> {
    let name = call.name_text();
    let twin_name = format!("{name}Async");
    if enclosing == twin_name {
        return None;
    }
    let types: Vec<&TypeDecl> = match call.receiver().map(|r| r.unparenthesized()) {
        None => model.enclosing_type(call.node).into_iter().collect(),
        Some(r) if r.is(SyntaxKind::ThisExpression) || r.is(SyntaxKind::BaseExpression) => {
            model.enclosing_type(call.node).into_iter().collect()
        }
        Some(r) => {
            let tn = match model.static_type_name(r) {
                Some(t) => t.to_owned(),
                None => model.type_of(r)?.name,
            };
            model.types_named(&tn).collect()
        }
    };
    if types.is_empty() {
        return None;
    }
    let argc = call.arg_count();
    let mut sync_params = None;
    let mut twin = None;
    for t in &types {
        for m in &t.members {
            if m.kind != MemberKind::Method {
                continue;
            }
            if m.name == name && m.params.len() == argc {
                sync_params = Some(m.params.clone());
            }
            if m.name == twin_name && !m.obsolete && m.ty.as_ref().is_some_and(ty_is_awaitable) {
                twin = Some(m);
            }
        }
    }
    let (sync_params, twin) = (sync_params?, twin?);
    let compatible = twin.params == sync_params
        || (twin.params.len() == sync_params.len() + 1
            && twin.params[..sync_params.len()] == sync_params[..]
            && twin
                .params
                .last()
                .cloned()
                .flatten()
                .is_some_and(|t| t.name == "CancellationToken")
            && twin.optional.last() == Some(&true));
    if !compatible {
        return None;
    }
    let fix = if await_allowed_at(model, call.node) {
        rename_and_await(call, &twin_name, Applicability::Unsafe)
    } else {
        None
    };
    let _ = Field::Name;
    Some(Found {
        shown: name.to_owned(),
        counterpart_shown: twin_name,
        fix,
    })
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::diagnostic::Applicability;
    use crate::project::{Frameworks, ProjectInfo, ProjectKind};
    use crate::rules::harness::*;

    #[test]
    fn docs() {
        assert_docs(&RULE, ProjectKind::Library);
    }

    #[test]
    fn flags_table_apis_in_async_code() {
        assert_marked(
            &RULE,
            r#"
using System.Data.SqlClient;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
class C {
    private readonly SemaphoreSlim _gate = new SemaphoreSlim(1);
    async Task M(string path, Stream stream, HttpClient http, HttpRequestMessage req, Process proc) {
        Thread.Sleep(100); // ~ASYNC102
        var t = File.ReadAllText(path); // ~ASYNC102
        File.WriteAllBytes(path, new byte[0]); // ~ASYNC102
        var buf = new byte[10];
        stream.Read(buf, 0, 10); // ~ASYNC102
        stream.Flush(); // ~ASYNC102
        using var reader = new StreamReader(stream);
        var all = reader.ReadToEnd(); // ~ASYNC102
        var w = new StreamWriter(stream);
        w.WriteLine("x"); // ~ASYNC102
        http.Send(req); // ~ASYNC102
        _gate.Wait(); // ~ASYNC102
        proc.WaitForExit(); // ~ASYNC102
        using var conn = new SqlConnection("cs");
        conn.Open(); // ~ASYNC102
        var cmd = conn.CreateCommand();
        var rd = cmd.ExecuteReader(); // ~ASYNC102
        while (rd.Read()) { } // ~ASYNC102
        cmd.ExecuteNonQuery(); // ~ASYNC102
        await Task.Yield();
    }
    async void Lambda() {
        Func<Task> f = async () => { Thread.Sleep(10); await Task.Yield(); }; // ~ASYNC102
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn flags_entity_framework_queries() {
        assert_marked(
            &RULE,
            r#"
using System.Linq;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
class User { public int Id; }
class ShopDbContext : DbContext {
    public DbSet<User> Users { get; set; }
}
class Repo {
    private readonly ShopDbContext _db;
    async Task<int> M(DbSet<User> set) {
        var list = _db.Users.Where(u => u.Id > 1).OrderBy(u => u.Id).ToList(); // ~ASYNC102
        var one = _db.Users.First(); // ~ASYNC102
        var any = set.Any(); // ~ASYNC102
        var f = _db.Users.Find(1); // ~ASYNC102
        var n = _db.Set<User>().Count(); // ~ASYNC102
        _db.SaveChanges(); // ~ASYNC102
        await Task.Yield();
        return 1;
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn flags_project_twins() {
        assert_marked(
            &RULE,
            r#"
using System.Threading;
using System.Threading.Tasks;
class Store {
    public int Load(string key) => 1;
    public Task<int> LoadAsync(string key, CancellationToken ct = default) => Task.FromResult(1);
    public void Save(int v) {}
    public Task SaveAsync(int v) => Task.CompletedTask;
    async Task M(Store other) {
        var v = Load("k"); // ~ASYNC102
        other.Save(v); // ~ASYNC102
        await Task.Yield();
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_where_nothing_blocks() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
class User { public int Id; }
class ShopDbContext : DbContext {
    public DbSet<User> Users { get; set; }
    public List<User> Cached { get; set; }
}
class Store {
    public int Load(string key) => 1;
    public Task<int> LoadAsync(int key) => Task.FromResult(1);
    public void Old() {}
    [Obsolete] public Task OldAsync() => Task.CompletedTask;
    public void Sync() {}
    public async Task SyncAsync() { Sync(); await Task.Yield(); }
}
class C {
    private readonly ShopDbContext _db;
    private readonly IDbContextFactory<ShopDbContext> _factory;
    private readonly SemaphoreSlim _gate = new SemaphoreSlim(1);
    void SyncMethod(string p) { Thread.Sleep(100); File.ReadAllText(p); _db.SaveChanges(); }
    async Task M(List<int> list, int[] arr, IEnumerable<int> seq, Store s, MemoryStream ms) {
        var a = list.ToList();
        var b = arr.Where(x => x > 1).ToArray();
        var c = seq.Count();
        var d = list.Select(x => File.ReadAllText("p")).ToList();
        Console.WriteLine("hi");
        ms.Write(new byte[1], 0, 1);
        ms.Flush();
        Thread.Sleep(0);
        Thread.Sleep(1);
        _gate.Wait(0);
        _db.Users.Add(new User());
        _db.Users.AddRange(new User());
        using var ctx = _factory.CreateDbContext();
        var cached = _db.Cached.ToList();
        var local = _db.Users.AsEnumerable().ToList();
        s.Load("k");
        s.Old();
        await Task.Yield();
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_in_methods_that_choose_sync_or_async() {
        assert_silent(
            &RULE,
            r#"
using System.IO;
using System.Threading.Tasks;
class Reader {
    public void ReadBytes(byte[] b) {}
    public Task ReadBytesAsync(byte[] b) => Task.CompletedTask;
    async ValueTask Read(bool async, Stream s, byte[] b) {
        if (async)
            await ReadBytesAsync(b);
        else
            ReadBytes(b);
        var n = async ? await s.ReadAsync(b, 0, 1) : s.Read(b, 0, 1);
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn respects_the_target_framework() {
        let src = "using System.IO;\nusing System.Threading.Tasks;\nclass C { async Task M(System.Diagnostics.Process p) { File.ReadAllText(\"a\"); p.WaitForExit(); await Task.Yield(); } }";
        let old = ProjectInfo {
            frameworks: Frameworks::parse("net472"),
            ..project(ProjectKind::Library)
        };
        assert!(lint_with(&RULE, src, &old).is_empty());
        let ns = ProjectInfo {
            frameworks: Frameworks::parse("netstandard2.1"),
            ..project(ProjectKind::Library)
        };
        assert_eq!(
            lint_with(&RULE, src, &ns).len(),
            1,
            "ReadAllTextAsync exists, WaitForExitAsync does not"
        );
        assert_eq!(
            lint_with(&RULE, src, &project(ProjectKind::Library)).len(),
            2
        );
    }

    #[test]
    fn top_level_statements_that_await_are_async() {
        assert_marked(&RULE, "using System.Threading;\nusing System.Threading.Tasks;\nThread.Sleep(100); // ~ASYNC102\nawait Task.Delay(1);\n", ProjectKind::Exe);
        assert_silent(
            &RULE,
            "using System.Threading;\nThread.Sleep(100);\n",
            ProjectKind::Exe,
        );
    }

    #[test]
    fn fixes() {
        assert_fix(
            &RULE,
            "using System.IO;\nusing System.Threading;\nusing System.Threading.Tasks;\nclass C { async Task<int> M(string p) { Thread.Sleep(5); var n = File.ReadAllText(p).Length; return n; } }",
            "using System.IO;\nusing System.Threading;\nusing System.Threading.Tasks;\nclass C { async Task<int> M(string p) { await Task.Delay(5); var n = (await File.ReadAllTextAsync(p)).Length; return n; } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "class S { public void Save() {} public System.Threading.Tasks.Task SaveAsync() => null; async System.Threading.Tasks.Task M() { Save(); } }",
            "class S { public void Save() {} public System.Threading.Tasks.Task SaveAsync() => null; async System.Threading.Tasks.Task M() { await SaveAsync(); } }",
            Applicability::Unsafe,
        );
    }

    #[test]
    fn silent_on_the_sync_path_and_on_awaited_calls() {
        assert_silent(
            &RULE,
            r#"
using System.Threading.Tasks;
class Reader {
    public void ReadBytes(byte[] b) {}
    public Task ReadBytesAsync(byte[] b) => Task.CompletedTask;
    async ValueTask Read(bool async, byte[] b) {
        if (async) { await ReadBytesAsync(b); return; }
        ReadBytes(b);
    }
}
public class Tests(bool async) {
    bool IsAsync => async;
    async Task M(System.Data.Common.DbConnection conn, System.Data.Common.DbDataReader r) {
        if (async) await conn.OpenAsync(); else conn.Open();
        var ok = IsAsync ? await r.ReadAsync() : r.Read();
        if (!IsAsync) r.Read(); else await r.ReadAsync();
    }
}
public class Tx {
    public void Rollback(string name) { }
    public Task RollbackAsync(string name, System.Threading.CancellationToken ct = default) => Task.CompletedTask;
    async Task Rollback(bool async, System.Threading.CancellationToken ct = default) { if (async) await Task.Delay(1, ct); }
    async Task Dispose1() => await Rollback(async: true);
}
"#,
            ProjectKind::Library,
        );
        assert_marked(
            &RULE,
            "using System.Data.Common;\nusing System.Threading.Tasks;\nclass Miss2 { async Task C(bool async, DbConnection conn) { conn.Open(); await Task.Yield(); } } // ~ASYNC102\n",
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_calls_awaited_through_configure_await() {
        assert_silent(
            &RULE,
            r#"
using System; using System.Threading; using System.Threading.Tasks;
public sealed class Writer {
    public void Flush(bool allowWhenNonBlocking, TimeSpan timeout = default) { }
    internal ValueTask Flush(bool async, CancellationToken ct = default) => default;
    public ValueTask FlushAsync(bool allowWhenBlocking, CancellationToken ct = default) => default;
}
static class Conv {
    static async ValueTask A(bool async, Writer w, CancellationToken ct) => await w.Flush(async, ct).ConfigureAwait(false);
    static async ValueTask B(bool async, Writer w, CancellationToken ct) => await (w.Flush(async, ct));
}
"#,
            ProjectKind::Library,
        );
    }
}
