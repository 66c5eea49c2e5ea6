//! ASYNC606 sync-dispose-of-async-disposable: `using` (not `await using`) on an
//! `IAsyncDisposable` inside an async method.

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rules::util::{await_allowed_at, derives_from, in_sync_branch};
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{declarator_value, known, FileModel};
use crate::syntax::views::Invocation;
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC606",
    name: "sync-dispose-of-async-disposable",
    family: Family::Resources,
    summary: "`using` instead of `await using` on an async-disposable resource",
    default_severity: Severity::Info,
    severity: severity::info,
    fixable: true,
    kinds: &[
        SyntaxKind::UsingStatement,
        SyntaxKind::LocalDeclarationStatement,
    ],
    tokens: &["using & async", "using & await"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Inside an async method, lambda or local function, flags a `using` statement or \
`using` declaration (not `await using`) whose resource the tool knows to implement \
`IAsyncDisposable`: Entity Framework Core `DbContext` and its subclasses; ADO.NET \
`DbConnection`, `DbCommand`, `DbDataReader`, `DbTransaction` and the provider classes \
(`SqlConnection`, `NpgsqlCommand`, …); `FileStream` and the other streams that do I/O \
(`GZipStream`, `NetworkStream`, `CryptoStream`, …); `StreamWriter`; `Utf8JsonWriter`; and \
project types whose declarations implement `IAsyncDisposable`. Reported at the `using` \
keyword.",
        why: "`using` calls `Dispose()`, which does the resource's last work synchronously on \
the async method's thread: a `FileStream` or `StreamWriter` flushes its buffer, a connection \
returns to the pool or closes its socket, a DbContext disposes its connection, a writer \
flushes to the network. `await using` calls `DisposeAsync()` and keeps that I/O off the \
thread, like every other call in the method.",
        example: r#"
using System.IO;
using System.Threading.Tasks;

class Exporter
{
    public async Task ExportAsync(string path, string text)
    {
        using var writer = new StreamWriter(path);
        await writer.WriteAsync(text);
    }
}
"#,
        use_instead: r#"
using System.IO;
using System.Threading.Tasks;

class Exporter
{
    public async Task ExportAsync(string path, string text)
    {
        await using var writer = new StreamWriter(path);
        await writer.WriteAsync(text);
    }
}
"#,
        silent_when: "Synchronous methods and lambdas; `using` inside a `lock`, an `unsafe` \
block or a query (where `await` cannot go); target frameworks without `await using` and \
`IAsyncDisposable` (.NET Framework, .NET Standard 2.0 — a multi-targeting project counts \
only if every target has it). Types not known to be async-disposable: `MemoryStream` (its \
disposal does no I/O), a `Stream` variable initialized with a `MemoryStream`, writers and \
wrapping streams over a `MemoryStream`, `StreamReader`/`TextReader` (not \
`IAsyncDisposable`), Entity Framework 6 contexts (`System.Data.Entity`), interfaces such as \
`IDbConnection`, and resources whose type the file does not show.",
        fix: "`using` becomes `await using`. Offered only where an `await` may stand (an \
async function, outside `lock`, `unsafe` and queries), the target frameworks have \
`IAsyncDisposable`, and the function holds no `Span`/`stackalloc`/`ref` locals an added \
`await` could break. Safe; unsafe in a function that uses `ConfigureAwait(false)` (the \
added await captures the context: write `await using (x.ConfigureAwait(false))` by hand).",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(using_kw) = node
        .children()
        .find(|c| !c.is_named() && c.text() == "using")
    else {
        return;
    };
    if node
        .children()
        .any(|c| !c.is_named() && c.text() == "await")
    {
        return;
    }
    if !ctx.project.frameworks.has_async_file_apis() || !await_allowed_at(model, node) {
        return;
    }
    if dual_mode(node, model) {
        return;
    }
    let Some(shown) = resource_type(node, model) else {
        return;
    };
    let function = model.function_of(node);
    let body_text = function
        .and_then(|f| f.body())
        .map(|b| b.text())
        .unwrap_or("");
    let ref_locals = ["Span<", "stackalloc", "ref ", "Utf8JsonReader"]
        .iter()
        .any(|w| body_text.contains(w));
    let fix = (!ref_locals).then(|| Fix {
        message: "Use `await using`".to_owned(),
        applicability: if body_text.contains("ConfigureAwait(false)") {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        edits: vec![Edit::insert(using_kw.start(), "await ")],
    });
    let msg = format!(
        "`using` disposes this `{shown}` synchronously inside an async method; it implements IAsyncDisposable: use `await using`"
    );
    if let Some(d) = ctx.report(using_kw, msg) {
        d.with_fix(fix);
    }
}

/// Code that serves sync and async callers with one body, switched by a flag named like
/// `async` (Npgsql, EF Core): a function with a `bool async` parameter (or inside one), or
/// the sync branch of `if (async)`. Its sync callers expect a synchronous dispose.
fn dual_mode<'t>(node: Node<'t>, model: &FileModel<'t>) -> bool {
    if in_sync_branch(model, node) {
        return true;
    }
    let mut f = model.function_of(node);
    while let Some(func) = f {
        let flag = func.parameters().iter().any(|(name, ty)| {
            name.text().to_ascii_lowercase().contains("async")
                && ty.is_some_and(|t| t.text().trim() == "bool")
        });
        if flag {
            return true;
        }
        f = model.outer_function(func);
    }
    false
}

/// The async-disposable type of the resource, as shown in the message.
fn resource_type<'t>(node: Node<'t>, model: &FileModel<'t>) -> Option<String> {
    if let Some(decl) = node.child_of_kind(SyntaxKind::VariableDeclaration) {
        let declared = decl.child_by_field(Field::Type)?;
        let mut shown = None;
        for d in decl
            .named_children()
            .filter(|c| c.is(SyntaxKind::VariableDeclarator))
        {
            let value = declarator_value(d)?;
            let ty = if declared.is(SyntaxKind::ImplicitType) {
                model.type_of(value)?
            } else {
                Ty::parse(declared.text())?
            };
            if over_memory(value, model) || from_sync_api(value, model) {
                return None;
            }
            shown = Some(async_disposable(&ty, model)?);
        }
        return shown;
    }
    // `using (expr)`
    let expr = node
        .named_children()
        .find(|c| c.field() != Field::Body && !c.is(SyntaxKind::Comment))?;
    if over_memory(expr, model) {
        return None;
    }
    let ty = model.type_of(expr)?;
    async_disposable(&ty, model)
}

/// A resource obtained from the synchronous twin of an async API (`cmd.ExecuteReader()`,
/// `conn.BeginTransaction()`, a project `BeginImport()` beside `BeginImportAsync()`): the
/// code uses the resource synchronously on purpose (or ASYNC102 reports the call), and its
/// dispose belongs to that choice.
fn from_sync_api<'t>(value: Node<'t>, model: &FileModel<'t>) -> bool {
    let mut v = value.unparenthesized();
    while v.is(SyntaxKind::CastExpression) {
        match v.named_children().last() {
            Some(inner) => v = inner.unparenthesized(),
            None => break,
        }
    }
    let Some(inv) = Invocation::cast(v) else {
        return false;
    };
    let name = inv.name_text();
    if name.is_empty() || name.ends_with("Async") {
        return false;
    }
    if known::BLOCKING_APIS.iter().any(|a| a.method == name)
        || matches!(name, "BeginTransaction" | "ExecuteReader" | "GetStream")
    {
        return true;
    }
    let twin = format!("{name}Async");
    let types: Vec<&crate::semantic::TypeDecl> = match inv.receiver() {
        Some(r) => match model.type_of(r) {
            Some(t) => model.types_named(&t.name).collect(),
            None => return false,
        },
        None => model.enclosing_type(inv.node).into_iter().collect(),
    };
    types
        .iter()
        .any(|t| model.member_in_hierarchy(t, &twin).is_some())
}

/// A `MemoryStream`, or a writer / wrapping stream created over one.
fn over_memory<'t>(value: Node<'t>, model: &FileModel<'t>) -> bool {
    let v = value.unparenthesized();
    let is_memory = |e: Node<'t>| {
        model
            .type_of(e)
            .is_some_and(|t| matches!(t.name.as_str(), "MemoryStream" | "UnmanagedMemoryStream"))
    };
    if is_memory(v) {
        return true;
    }
    if v.is(SyntaxKind::ObjectCreationExpression) {
        let first = v
            .child_by_field(Field::Arguments)
            .and_then(|a| a.named_children().find(|c| c.is(SyntaxKind::Argument)))
            .and_then(|a| a.named_children().last());
        if let Some(first) = first {
            return is_memory(first) || over_memory(first, model);
        }
    }
    false
}

/// Whether the type is known to implement `IAsyncDisposable`; its name for the message.
fn async_disposable(ty: &Ty, model: &FileModel<'_>) -> Option<String> {
    if ty.arrays > 0 || ty.is_unknown() {
        return None;
    }
    let name = ty.name.as_str();
    if model.is_declared_type(name) {
        // A project type: its hierarchy must reach IAsyncDisposable or a known type.
        let reaches = derives_from(model, name, |n| {
            n == "IAsyncDisposable"
                || (!model.is_declared_type(n)
                    && (external_known(n, model) || (external_dbcontext(n) && !ef6_only(model))))
        });
        return reaches.then(|| name.to_owned());
    }
    (external_known(name, model) || (external_dbcontext(name) && !ef6_only(model)))
        .then(|| name.to_owned())
}

/// A BCL type of the table (or a known subclass).
fn external_known(name: &str, _model: &FileModel<'_>) -> bool {
    if matches!(name, "MemoryStream" | "UnmanagedMemoryStream") {
        return false;
    }
    known::ASYNC_DISPOSABLE_TYPES
        .iter()
        .filter(|t| known::simple(t) != "DbContext")
        .any(|t| known::is_subtype(name, t))
}

/// `DbContext`, `IdentityDbContext`, … (an external class, not an `I…` interface).
fn external_dbcontext(name: &str) -> bool {
    let interface = {
        let mut c = name.chars();
        c.next() == Some('I') && c.next().is_some_and(|c| c.is_ascii_uppercase())
    };
    !interface && (name == "DbContext" || name.ends_with("DbContext"))
}

/// The file uses Entity Framework 6 (`System.Data.Entity`), whose DbContext is not
/// async-disposable.
fn ef6_only(model: &FileModel<'_>) -> bool {
    let mut ef6 = false;
    let mut core = false;
    for n in model.tree().iter() {
        if n.is(SyntaxKind::UsingDirective) {
            let t = n.text();
            ef6 |= t.contains("System.Data.Entity");
            core |= t.contains("Microsoft.EntityFrameworkCore");
        }
    }
    ef6 && !core
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
    fn flags_sync_using_of_async_disposables() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.Data.Common;
using System.IO;
using System.IO.Compression;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
class ShopDbContext : DbContext { }
class Session : IAsyncDisposable, IDisposable {
    public ValueTask DisposeAsync() => default;
    public void Dispose() { }
}
class DerivedSession : Session { }
class Work {
    async Task A(string path, string cs) {
        using var fs = new FileStream(path, FileMode.Open); // ~ASYNC606
        using (var conn = new SqlConnection(cs)) // ~ASYNC606
        {
            await conn.OpenAsync();
            using var cmd = conn.CreateCommand(); // ~ASYNC606
        }
        using var db = new ShopDbContext(); // ~ASYNC606
        using var s = new Session(); // ~ASYNC606
        using DerivedSession d = new DerivedSession(); // ~ASYNC606
        using var writer = new StreamWriter(path); // ~ASYNC606
        using var gz = new GZipStream(fs, CompressionLevel.Fastest); // ~ASYNC606
        using var json = new Utf8JsonWriter(fs); // ~ASYNC606
        using (File.OpenRead(path)) { } // ~ASYNC606
        await Task.Yield();
    }
    void Lambda() {
        Func<Task> f = async () => {
            using var fs = File.Create("x"); // ~ASYNC606
            await fs.FlushAsync();
        };
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_where_await_using_is_wrong_or_impossible() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Data;
using System.Data.Common;
using System.IO;
using System.IO.Compression;
using System.Threading.Tasks;
class Plain : IDisposable { public void Dispose() { } }
class Import : IAsyncDisposable, IDisposable { public ValueTask DisposeAsync() => default; public void Dispose() { } }
class Importer { public Import BeginImport() => null; public Task<Import> BeginImportAsync() => null; }
interface IAppDbContext : IDisposable { }
class Work {
    object _gate = new object();
    async Task A(string path, IDbConnection legacy, IAppDbContext ctx, Microsoft.Data.SqlClient.SqlConnection sqlConn) {
        await using var fs = new FileStream(path, FileMode.Open);
        using var ms = new MemoryStream();
        using Stream s = new MemoryStream();
        using var w = new StreamWriter(ms);
        using var gz = new GZipStream(new MemoryStream(), CompressionMode.Compress);
        using var r = new StreamReader(path);
        using var p = new Plain();
        using (legacy) { }
        using var syncReader = sqlConn.CreateCommand().ExecuteReader();
        using var tx = (DbTransaction)sqlConn.BeginTransaction();
        using var import = new Importer().BeginImport();
        using (ctx) { }
        using var unknown = Open();
        lock (_gate) { using (var locked = new FileStream(path, FileMode.Open)) { } }
        await Task.Yield();
    }
    void Sync(string path) {
        using var fs = new FileStream(path, FileMode.Open);
    }
    async Task Nested(string path) {
        Action a = () => { using var fs = new FileStream(path, FileMode.Open); };
        await Task.Yield();
    }
    object Open() => null;
}
"#,
            ProjectKind::Library,
        );
        // Dual-mode code: one body for sync and async callers, switched by a flag.
        assert_silent(
            &RULE,
            r#"
using System.IO;
using System.Threading;
using System.Threading.Tasks;
class Reader {
    async Task<int> Read(string path, bool async, CancellationToken ct) {
        using var fs = new FileStream(path, FileMode.Open);
        var buffer = new byte[16];
        return async ? await fs.ReadAsync(buffer, 0, 16, ct) : fs.Read(buffer, 0, 16);
    }
    async Task Copy(Stream target, bool isAsync) {
        using (target) {
            if (isAsync) await target.FlushAsync(); else target.Flush();
        }
    }
}
"#,
            ProjectKind::Library,
        );
        // Entity Framework 6 contexts are not async-disposable.
        assert_silent(
            &RULE,
            "using System.Data.Entity;\nusing System.Threading.Tasks;\nclass LegacyDbContext : DbContext { }\nclass W { async Task M() { using (var db = new LegacyDbContext()) { await db.SaveChangesAsync(); } } }",
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_frameworks_without_await_using() {
        let src = "using System.IO;\nusing System.Threading.Tasks;\nclass W { async Task M(string p) { using var fs = new FileStream(p, FileMode.Open); await fs.FlushAsync(); } }";
        for tfm in ["net48", "netstandard2.0", "net8.0;netstandard2.0", "net472"] {
            let p = ProjectInfo {
                frameworks: Frameworks::parse(tfm),
                ..project(ProjectKind::Library)
            };
            assert!(lint_with(&RULE, src, &p).is_empty(), "{tfm}");
        }
        for tfm in ["net8.0", "netstandard2.1", "netcoreapp3.1", ""] {
            let p = ProjectInfo {
                frameworks: Frameworks::parse(tfm),
                ..project(ProjectKind::Library)
            };
            assert_eq!(lint_with(&RULE, src, &p).len(), 1, "{tfm}");
        }
    }

    #[test]
    fn fix_adds_await() {
        assert_fix(
            &RULE,
            "using System.IO;\nusing System.Threading.Tasks;\nclass W { async Task M(string p) { using var fs = new FileStream(p, FileMode.Open); await fs.FlushAsync(); } }",
            "using System.IO;\nusing System.Threading.Tasks;\nclass W { async Task M(string p) { await using var fs = new FileStream(p, FileMode.Open); await fs.FlushAsync(); } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.IO;\nusing System.Threading.Tasks;\nclass W { async Task M(string p) { using (var w = new StreamWriter(p)) { await w.WriteAsync(\"x\"); } } }",
            "using System.IO;\nusing System.Threading.Tasks;\nclass W { async Task M(string p) { await using (var w = new StreamWriter(p)) { await w.WriteAsync(\"x\"); } } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.IO;\nusing System.Threading.Tasks;\nclass W { async Task M(string p) { using var fs = File.OpenRead(p); await fs.FlushAsync().ConfigureAwait(false); } }",
            "using System.IO;\nusing System.Threading.Tasks;\nclass W { async Task M(string p) { await using var fs = File.OpenRead(p); await fs.FlushAsync().ConfigureAwait(false); } }",
            Applicability::Unsafe,
        );
    }

    #[test]
    fn no_fix_next_to_ref_locals() {
        let src = "using System;\nusing System.IO;\nusing System.Threading.Tasks;\nclass W { async Task M(string p) { using var fs = new FileStream(p, FileMode.Open); Span<byte> b = stackalloc byte[4]; await fs.FlushAsync(); } }";
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(d.len(), 1);
        assert!(d[0].fix.is_none());
    }
}
