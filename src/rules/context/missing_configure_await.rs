//! ASYNC301 missing-configure-await: in a class library, an `await` of a task (or an
//! `await foreach` / `await using`) without `.ConfigureAwait(false)`.

use super::{append_member, await_keyword, configured_origin};
use crate::diagnostic::{Applicability, Fix, Severity};
use crate::project::ProjectKind;
use crate::rules::util::derives_from;
use crate::rules::{Docs, Family, Rule, RuleCtx};
use crate::semantic::{declarator_value, known, FileModel, Tri};
use crate::syntax::views::Invocation;
use crate::syntax::{Field, Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC301",
    name: "missing-configure-await",
    family: Family::Context,
    summary: "An await in a class library without .ConfigureAwait(false)",
    default_severity: Severity::Warning,
    severity: severity_for,
    fixable: true,
    kinds: &[
        SyntaxKind::AwaitExpression,
        SyntaxKind::ForeachStatement,
        SyntaxKind::UsingStatement,
        SyntaxKind::LocalDeclarationStatement,
    ],
    tokens: &["await"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "In a class library project (not a web app, UI app, test project or \
executable), flags an `await` of a task without `.ConfigureAwait(false)`, an `await foreach` \
over an `IAsyncEnumerable<T>` without it, and an `await using` without it.",
        why: "A library does not know who calls it. When the caller runs under a \
SynchronizationContext (WPF, WinForms, MAUI, legacy ASP.NET), every `await` that does not say \
`ConfigureAwait(false)` posts its continuation back to that context: the library's internal \
work queues behind the UI, and a caller that blocks on the task (`.Result`) deadlocks, \
because the continuation waits for the thread the caller is blocking. \
`ConfigureAwait(false)` lets the library continue on any thread.",
        example: r#"
using System.IO;
using System.Threading.Tasks;

public class Reader
{
    public async Task<string> ReadAsync(string path)
    {
        using var reader = new StreamReader(path);
        return await reader.ReadToEndAsync();
    }
}
"#,
        use_instead: r#"
using System.IO;
using System.Threading.Tasks;

public class Reader
{
    public async Task<string> ReadAsync(string path)
    {
        using var reader = new StreamReader(path);
        return await reader.ReadToEndAsync().ConfigureAwait(false);
    }
}
"#,
        silent_when: "Outside class libraries: ASP.NET Core, console, test and UI projects have \
no context to escape or need it (the severity is `off` there). `await Task.Yield()`, awaits \
that already say `ConfigureAwait(..)` (with `true` too: that is a decision), and awaits of \
anything the tool cannot show to be a `Task`/`ValueTask` (custom awaitables, unknown \
calls). An `await foreach` whose source the file does not show to be an \
`IAsyncEnumerable<T>`.",
        fix: "Appends `.ConfigureAwait(false)` to the awaited expression (parenthesized where \
needed), or to the source of an `await foreach`. For `await using` only where the disposed \
object is of a type known to be `IAsyncDisposable` and, for a declaration, the variable is \
never used (configuring it changes the variable's type). The `IAsyncEnumerable` and \
`IAsyncDisposable` forms need `System.Threading.Tasks` imported. Safe.",
    },
};

/// Warning in class libraries, off elsewhere.
fn severity_for(kind: ProjectKind) -> Severity {
    match kind {
        ProjectKind::Library => Severity::Warning,
        _ => Severity::Off,
    }
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    // `--select` turns rules that are off on, but this one is about libraries only: an app
    // has no unknown caller.
    if ctx.project.kind != ProjectKind::Library {
        return;
    }
    match node.kind() {
        SyntaxKind::AwaitExpression => check_await(node, ctx),
        SyntaxKind::ForeachStatement => check_foreach(node, ctx),
        SyntaxKind::UsingStatement | SyntaxKind::LocalDeclarationStatement => {
            check_using(node, ctx)
        }
        _ => {}
    }
}

/// `x.ConfigureAwait(..)`, whatever the argument.
fn is_configured(expr: Node<'_>) -> bool {
    Invocation::cast(expr.unparenthesized()).is_some_and(|i| i.name_text() == "ConfigureAwait")
}

fn check_await<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(operand) = node.first_named_child() else {
        return;
    };
    if is_configured(operand)
        || model.is_awaitable(operand) != Tri::Yes
        || configured_origin(model, operand)
    {
        return;
    }
    let Some(ty) = model.type_of(operand) else {
        return;
    };
    if ty.name.starts_with("Configured") {
        return; // a stored `ConfigureAwait(..)` result
    }
    let fix = Fix {
        message: "Append `.ConfigureAwait(false)`".to_owned(),
        applicability: Applicability::Safe,
        edits: append_member(operand, ".ConfigureAwait(false)"),
    };
    let message = "`await` without `.ConfigureAwait(false)` in a library: the continuation \
resumes on the caller's SynchronizationContext, and a caller that blocks on the task deadlocks";
    if let Some(d) = ctx.report(node, message) {
        d.with_fix(Some(fix));
    }
}

fn check_foreach<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(kw) = await_keyword(node) else {
        return;
    };
    let Some(source) = node.child_by_field(Field::Right) else {
        return;
    };
    if configured_origin(model, source) || !is_async_enumerable(model, source.unparenthesized()) {
        return;
    }
    let imports = model.imports_tasks || ctx.project.implicit_usings;
    let fix = imports.then(|| Fix {
        message: "Append `.ConfigureAwait(false)` to the source".to_owned(),
        applicability: Applicability::Safe,
        edits: append_member(source, ".ConfigureAwait(false)"),
    });
    let message = "`await foreach` without `.ConfigureAwait(false)` in a library: every \
`MoveNextAsync` resumes on the caller's SynchronizationContext";
    if let Some(d) = ctx.report_range(node, kw.start()..source.end(), message) {
        d.with_fix(fix);
    }
}

/// An expression the file shows to be an `IAsyncEnumerable<T>`: typed so (or a declared type
/// implementing it), `.WithCancellation(..)`, or a call of a known async-stream API.
fn is_async_enumerable<'t>(model: &FileModel<'t>, expr: Node<'t>) -> bool {
    if let Some(inv) = Invocation::cast(expr) {
        if matches!(
            inv.name_text(),
            "WithCancellation" | "ReadAllAsync" | "AsAsyncEnumerable" | "ToAsyncEnumerable"
        ) {
            return true;
        }
    }
    match model.type_of(expr) {
        Some(ty) if !ty.is_unknown() => derives_from(model, &ty.name, |n| {
            matches!(
                n,
                "IAsyncEnumerable" | "ConfiguredCancelableAsyncEnumerable"
            )
        }),
        _ => false,
    }
}

fn check_using<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(kw) = await_keyword(node) else {
        return;
    };
    // The disposed resources: a declaration's values, or the expression of `using (expr)`.
    let decl = node.child_of_kind(SyntaxKind::VariableDeclaration);
    let mut values: Vec<Node<'t>> = Vec::new();
    let mut declarators: Vec<Node<'t>> = Vec::new();
    match decl {
        Some(d) => {
            for v in d
                .named_children()
                .filter(|c| c.is(SyntaxKind::VariableDeclarator))
            {
                declarators.push(v);
                if let Some(value) = declarator_value(v) {
                    values.push(value);
                }
            }
        }
        None => {
            if node.is(SyntaxKind::LocalDeclarationStatement) {
                return;
            }
            let expr = node
                .named_children()
                .find(|c| c.field() == Field::None && !c.is(SyntaxKind::Block));
            match expr {
                Some(e) => values.push(e),
                None => return,
            }
        }
    }
    if values.is_empty() || values.iter().any(|v| configured_origin(model, *v)) {
        return;
    }
    let end = values.last().map(|v| v.end()).unwrap_or(node.end());
    let imports = model.imports_tasks || ctx.project.implicit_usings;
    let fix = if imports && values.len() == 1 && known_async_disposable(model, values[0]) {
        let value = values[0];
        let var_is_unused = match (decl, declarators.as_slice()) {
            (None, _) => true,
            (Some(d), [one]) => {
                d.child_by_field(Field::Type)
                    .is_some_and(|t| t.is(SyntaxKind::ImplicitType))
                    && !variable_is_used(model, node, *one)
            }
            _ => false,
        };
        var_is_unused.then(|| Fix {
            message: "Append `.ConfigureAwait(false)` to the disposed object".to_owned(),
            applicability: Applicability::Safe,
            edits: append_member(value, ".ConfigureAwait(false)"),
        })
    } else {
        None
    };
    let message = "`await using` without `.ConfigureAwait(false)` in a library: `DisposeAsync` \
resumes on the caller's SynchronizationContext";
    if let Some(d) = ctx.report_range(node, kw.start()..end, message) {
        let no_fix = fix.is_none();
        d.with_fix(fix);
        if no_fix {
            d.with_help(
                "declare the resource first, then `await using (resource.ConfigureAwait(false))` \
or `await using var _ = resource.ConfigureAwait(false);`",
            );
        }
    }
}

/// A value of a type known to implement `IAsyncDisposable`: the framework types of the
/// built-in table (and their subclasses), or a project type that lists it.
fn known_async_disposable<'t>(model: &FileModel<'t>, value: Node<'t>) -> bool {
    let Some(ty) = model.type_of(value) else {
        return false;
    };
    if ty.is_unknown() || ty.arrays > 0 {
        return false;
    }
    derives_from(model, &ty.name, |n| {
        n == "IAsyncDisposable"
            || known::ASYNC_DISPOSABLE_TYPES
                .iter()
                .any(|t| known::is_subtype(n, t))
    })
}

/// Whether the variable a declarator introduces is named anywhere after it in the function.
fn variable_is_used<'t>(model: &FileModel<'t>, stmt: Node<'t>, declarator: Node<'t>) -> bool {
    let Some(name) = declarator.child_by_field(Field::Name) else {
        return true;
    };
    let Some(body) = model.function_of(stmt).and_then(|f| f.body()) else {
        return true;
    };
    body.descendants()
        .any(|d| d.is(SyntaxKind::Identifier) && d.text() == name.text() && d != name)
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
    fn flags_unconfigured_awaits_in_a_library() {
        assert_marked(
            &RULE,
            r#"
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Threading.Tasks;
public class Client {
    private readonly HttpClient _http = new HttpClient();
    private Task<int> Count() => Task.FromResult(1);
    private ValueTask<int> Peek() => default;
    private IAsyncEnumerable<int> Items() => null;
    private Task<Stream> OpenAsync() => null;
    private Task<Stream> Fetch() => null;
    public async Task<int> M(Stream s, Task pending) {
        await Task.Delay(1); // ~ASYNC301
        var page = await _http.GetStringAsync("x"); // ~ASYNC301
        await pending; // ~ASYNC301
        var n = await Count(); // ~ASYNC301
        n += await Peek(); // ~ASYNC301
        await Task.WhenAll(pending, Task.Delay(1)); // ~ASYNC301
        await s.FlushAsync(); // ~ASYNC301
        await foreach (var i in Items()) { } // ~ASYNC301
        await using var file = File.OpenRead("x"); // ~ASYNC301
        await using var opened = await OpenAsync().ConfigureAwait(false); // ~ASYNC301
        var response = await Fetch().ConfigureAwait(false);
        await response.FlushAsync(); // ~ASYNC301
        await using (s) { } // ~ASYNC301
        System.Func<Task> f = async () => await Task.Delay(1); // ~ASYNC301
        return n + file.ReadByte();
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn two_awaits_on_one_line_are_two_findings() {
        let src = "using System.Threading.Tasks;\nclass C { Task<int> A() => null; async Task<int> M() { return await A() + await A(); } }";
        assert_eq!(
            lint_with(&RULE, src, &project(ProjectKind::Library)).len(),
            2
        );
    }

    #[test]
    fn silent_on_configured_yield_and_unknown_awaitables() {
        assert_silent(
            &RULE,
            r#"
using System.Collections.Generic;
using System.Threading.Tasks;
public class C {
    private Task<int> Count() => Task.FromResult(1);
    private IAsyncEnumerable<int> Items() => null;
    public async Task M(Task t, CustomAwaitable custom, dynamic d) {
        await Task.Yield();
        await t.ConfigureAwait(false);
        await t.ConfigureAwait(true);
        await Count().ConfigureAwait(false);
        var configured = t.ConfigureAwait(false);
        await configured;
        await custom;
        await d;
        await unknown.Thing();
        await foreach (var i in Items().ConfigureAwait(false)) { }
        await foreach (var i in Items().WithCancellation(default).ConfigureAwait(false)) { }
        await foreach (var i in unknownSource) { }
        await using var x = Open().ConfigureAwait(false);
        await using (Open().ConfigureAwait(false)) { }
        var configuredSource = Items().ConfigureAwait(false);
        var e = configuredSource.GetAsyncEnumerator();
        await using (e) { while (await e.MoveNextAsync()) { } }
        await using var e2 = Items().ConfigureAwait(false).GetAsyncEnumerator();
        foreach (var i in new[] { 1 }) { }
        using var plain = new System.IO.MemoryStream();
    }
    System.IAsyncDisposable Open() => null;
}
public class CustomAwaitable { public System.Runtime.CompilerServices.TaskAwaiter GetAwaiter() => default; }
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn off_outside_libraries() {
        let src =
            "using System.Threading.Tasks;\nclass C { async Task M() { await Task.Delay(1); } }";
        for kind in [
            ProjectKind::Web,
            ProjectKind::Ui,
            ProjectKind::Test,
            ProjectKind::Exe,
            ProjectKind::LegacyAspnet,
        ] {
            assert!(lint_with(&RULE, src, &project(kind)).is_empty(), "{kind:?}");
            assert_eq!((RULE.severity)(kind), crate::diagnostic::Severity::Off);
        }
        assert_eq!(
            (RULE.severity)(ProjectKind::Library),
            crate::diagnostic::Severity::Warning
        );
    }

    #[test]
    fn the_same_code_is_flagged_only_in_the_library() {
        let code = r#"
using System.Threading.Tasks;
public class Loader {
    public async Task<string> LoadAsync(System.IO.StreamReader r) {
        await Task.Delay(10); // ~ASYNC301
        return await r.ReadToEndAsync(); // ~ASYNC301
    }
}
"#;
        let silent = code.replace(" // ~ASYNC301", "");
        let fixture = format!(
            "//- Lib/Lib.csproj\n<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>\n//- Lib/Loader.cs\n{code}\
//- Web/Web.csproj\n<Project Sdk=\"Microsoft.NET.Sdk.Web\"></Project>\n//- Web/Loader.cs\n{silent}\
//- Tests/Tests.csproj\n<Project Sdk=\"Microsoft.NET.Sdk\"><ItemGroup><PackageReference Include=\"xunit\" /></ItemGroup></Project>\n//- Tests/Loader.cs\n{silent}\
//- App/App.csproj\n<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType></PropertyGroup></Project>\n//- App/Loader.cs\n{silent}\
//- Desktop/Desktop.csproj\n<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><UseWPF>true</UseWPF></PropertyGroup></Project>\n//- Desktop/Loader.cs\n{silent}"
        );
        assert_marked_files(&RULE, &fixture);
    }

    #[test]
    fn knows_tasks_declared_in_other_files() {
        assert_marked_files(
            &RULE,
            r#"
//- Lib/Lib.csproj
<Project Sdk="Microsoft.NET.Sdk"></Project>
//- Lib/IStore.cs
using System.Collections.Generic;
using System.Threading.Tasks;
public interface IStore { Task<int> Count(); IAsyncEnumerable<string> Names(); int Plain(); CustomAwaitable Custom(); }
public class CustomAwaitable { }
//- Lib/User.cs
using System.Threading.Tasks;
public class User {
    private readonly IStore _store;
    public async Task M() {
        var n = await _store.Count(); // ~ASYNC301
        await foreach (var s in _store.Names()) { } // ~ASYNC301
        await _store.Custom();
    }
}
"#,
        );
    }

    #[test]
    fn fixes_append_configure_await() {
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { Task<int> A() => null; async Task<int> M(Task t) { await t; await Task.Delay(1); return await A(); } }",
            "using System.Threading.Tasks;\nclass C { Task<int> A() => null; async Task<int> M(Task t) { await t.ConfigureAwait(false); await Task.Delay(1).ConfigureAwait(false); return await A().ConfigureAwait(false); } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { async Task M(Task a, Task b, bool c) { await (c ? a : b); await (Task)a; } }",
            "using System.Threading.Tasks;\nclass C { async Task M(Task a, Task b, bool c) { await (c ? a : b).ConfigureAwait(false); await ((Task)a).ConfigureAwait(false); } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.Collections.Generic;\nusing System.Threading.Tasks;\nclass C { IAsyncEnumerable<int> Items() => null; async Task M() { await foreach (var i in Items()) { } } }",
            "using System.Collections.Generic;\nusing System.Threading.Tasks;\nclass C { IAsyncEnumerable<int> Items() => null; async Task M() { await foreach (var i in Items().ConfigureAwait(false)) { } } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.IO;\nusing System.Threading.Tasks;\nclass C { async Task M(Stream s) { await using (s) { } } }",
            "using System.IO;\nusing System.Threading.Tasks;\nclass C { async Task M(Stream s) { await using (s.ConfigureAwait(false)) { } } }",
            Applicability::Safe,
        );
    }

    #[test]
    fn no_fix_where_it_would_not_compile() {
        // The variable is used: configuring would change its type. No import of
        // System.Threading.Tasks: the IAsyncEnumerable extension is not in scope. Unknown
        // disposable type: it may dispose by pattern, without IAsyncDisposable.
        let src = r#"
using System.Collections.Generic;
class C {
    IAsyncEnumerable<int> Items() => null;
    async System.Threading.Tasks.Task M(System.IO.Stream s, Unknown u) {
        await using var f = System.IO.File.OpenRead("x");
        f.ReadByte();
        await foreach (var i in Items()) { }
        await using (u) { }
    }
}
"#;
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(d.len(), 3, "{d:#?}");
        assert!(d.iter().all(|d| d.fix.is_none()), "{d:#?}");
        assert!(d[0].help.is_some());
    }
}
