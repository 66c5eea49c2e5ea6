//! ASYNC207 task-returned-from-using: a non-async method returns a task from inside `using`,
//! `try/finally` or `try/catch`; the resource is disposed (or the catch exits) before the
//! task completes.

use crate::diagnostic::Severity;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{strip_configure_await, FileModel, Tri};
use crate::syntax::views::{callee_name, Invocation};
use crate::syntax::{Field, Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC207",
    name: "task-returned-from-using",
    family: Family::Lifetime,
    summary: "A task returned from inside using, try/finally or try/catch of a non-async method",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: false,
    kinds: &[SyntaxKind::ReturnStatement],
    tokens: &[
        "*Task & try",
        "*Task & using (",
        "*Task & using(",
        "*Task & using var",
    ],
    may_flag_member: Some(|m| {
        (m.has("Task") || m.has("ValueTask")) && (m.has("try") || m.has("using")) && m.has("return")
    }),
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags `return FooAsync(..);` in a method, local function or lambda that is not \
`async`, when the return stands inside a `using` statement (or after a `using var` \
declaration), inside the `try` block of a `try/finally`, or inside the `try` block of a \
`try/catch`.",
        why: "Without `async`, `return` hands the task to the caller at once, while it is \
still running. The `using` disposes its resource right then — the connection, stream or \
scope the task is still working with — and the `finally` runs its cleanup too early. A \
`catch` only sees exceptions thrown before the task was returned; the task's own failures \
arrive later, at the caller's `await`, past the handler that was meant for them.",
        example: r#"
using System.IO;
using System.Threading.Tasks;

class Files
{
    public Task<string> ReadAsync(string path)
    {
        using (var reader = new StreamReader(path))
        {
            return reader.ReadToEndAsync();
        }
    }
}
"#,
        use_instead: r#"
using System.IO;
using System.Threading.Tasks;

class Files
{
    public async Task<string> ReadAsync(string path)
    {
        using (var reader = new StreamReader(path))
        {
            return await reader.ReadToEndAsync();
        }
    }
}
"#,
        silent_when: "`async` methods (there `return await` already waits); tasks that are \
complete when returned (`Task.CompletedTask`, `Task.FromResult(..)`, `Task.FromException(..)`, \
a task already waited on); returning a task variable or field rather than starting one \
(`return _initialization;` under a lock released in `finally`); a `try/catch` whose catch \
converts the synchronous failure into a faulted task (`return Task.FromException(ex);`) — \
the deliberate pattern; an empty `finally`; and `using` blocks that only set ambient \
state which flows into the task anyway (`logger.BeginScope(..)`, `LogContext.PushProperty`, \
`ExecutionContext.SuppressFlow()`). A `lock` around the return is not this rule's \
concern (it only guards starting the task; `await` is not even allowed inside it), and a \
`return` inside a lambda or local function belongs to that function, not to the `using` \
around its declaration.",
        fix: "None automatic (it changes the signature's implementation and when exceptions \
are thrown): make the method `async` and write `return await FooAsync(..);` so the `using` \
disposes, the `finally` runs and the `catch` catches only once the task has completed.",
    },
};

/// What the return is inside of.
enum Guard<'t> {
    Using(Option<&'t str>),
    Finally,
    Catch,
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(expr) = node.first_named_child() else {
        return;
    };
    let Some(context) = model.context_of(node) else {
        return;
    };
    if context.is_async {
        return;
    }
    if !starts_work(expr, model) {
        return;
    }
    if !returns_task(expr, model) || model.known_complete(expr) {
        return;
    }
    let Some(guard) = innermost_guard(node, context.function.node, model) else {
        return;
    };
    let message = match guard {
        Guard::Using(Some(name)) => format!(
            "the task returned here is still running when the `using` disposes `{name}`: make the method async and `return await` it"
        ),
        Guard::Using(None) => "the task returned here is still running when the `using` disposes its resource: make the method async and `return await` it".to_owned(),
        Guard::Finally => "the task returned here is still running when the `finally` runs: make the method async and `return await` it".to_owned(),
        Guard::Catch => "the `catch` around this return only sees exceptions thrown before the task is returned, not the task's own failures: make the method async and `return await` it".to_owned(),
    };
    if let Some(d) = ctx.report(expr, message) {
        d.with_help(
            "Add `async` to the method and `await` the task where it is returned, so the \
cleanup waits for it. No automatic fix: it changes when exceptions surface.",
        );
    }
}

/// The returned expression starts work here: a call (through `ConfigureAwait`), or a
/// conditional one of whose branches is a call. A task variable or field was started
/// elsewhere, and the `using`/`finally` around this return need not be about it.
fn starts_work<'t>(expr: Node<'t>, model: &FileModel<'t>) -> bool {
    let e = strip_configure_await(expr.unparenthesized());
    if e.is(SyntaxKind::InvocationExpression) {
        return !model.known_complete(e);
    }
    if e.is(SyntaxKind::ConditionalExpression) {
        return [Field::Consequence, Field::Alternative].iter().any(|f| {
            e.child_by_field(*f).is_some_and(|b| {
                let b = strip_configure_await(b.unparenthesized());
                b.is(SyntaxKind::InvocationExpression) && !model.known_complete(b)
            })
        });
    }
    false
}

/// The expression is a task; for `c ? a : b`, one branch is and the other is not known
/// to be something else (the file may type `Task.FromResult(..)` less precisely).
fn returns_task<'t>(expr: Node<'t>, model: &FileModel<'t>) -> bool {
    let e = expr.unparenthesized();
    if e.is(SyntaxKind::ConditionalExpression) {
        let answers: Vec<Tri> = [Field::Consequence, Field::Alternative]
            .iter()
            .filter_map(|f| e.child_by_field(*f))
            .map(|b| model.is_awaitable(b))
            .collect();
        return answers.len() == 2 && answers.contains(&Tri::Yes) && !answers.contains(&Tri::No);
    }
    model.is_awaitable(e) == Tri::Yes
}

/// The innermost `using`, `try/finally` or `try/catch` around `ret` within its function.
fn innermost_guard<'t>(
    ret: Node<'t>,
    function: Node<'t>,
    model: &FileModel<'t>,
) -> Option<Guard<'t>> {
    let mut child = ret;
    for a in ret.ancestors() {
        if a == function {
            return None;
        }
        match a.kind() {
            SyntaxKind::UsingStatement
                if a.child_by_field(Field::Body) == Some(child) && !is_ambient_scope(a) =>
            {
                return Some(Guard::Using(using_statement_name(a)));
            }
            SyntaxKind::Block => {
                // `using var x = ..;` earlier in the same block.
                let declared = a
                    .named_children()
                    .take_while(|s| *s != child)
                    .filter(|s| is_using_declaration(*s))
                    .last();
                if let Some(decl) = declared {
                    if !is_ambient_scope(decl) {
                        return Some(Guard::Using(declared_name(decl)));
                    }
                }
            }
            SyntaxKind::TryStatement if a.child_by_field(Field::Body) == Some(child) => {
                let finally = a
                    .children()
                    .find(|c| c.is(SyntaxKind::FinallyClause))
                    .filter(|f| {
                        f.child_of_kind(SyntaxKind::Block)
                            .is_some_and(|b| b.named_children().next().is_some())
                    });
                if finally.is_some() {
                    return Some(Guard::Finally);
                }
                let catches: Vec<Node<'t>> = a
                    .children()
                    .filter(|c| c.is(SyntaxKind::CatchClause))
                    .collect();
                if !catches.is_empty() && !catches.iter().any(|c| returns_faulted_task(*c, model)) {
                    return Some(Guard::Catch);
                }
            }
            _ => {}
        }
        child = a;
    }
    None
}

/// `using var x = ..;` / `using X x = ..;`.
fn is_using_declaration(stmt: Node<'_>) -> bool {
    stmt.is(SyntaxKind::LocalDeclarationStatement)
        && stmt
            .children()
            .any(|c| !c.is_named() && c.text() == "using")
}

fn declared_name(decl: Node<'_>) -> Option<&str> {
    decl.descendants()
        .find(|d| d.is(SyntaxKind::VariableDeclarator))
        .and_then(|d| d.child_by_field(Field::Name))
        .map(|n| n.text())
}

/// `using (var x = ..)` → `x`; `using (resource)` → `resource` when short.
fn using_statement_name(stmt: Node<'_>) -> Option<&str> {
    if let Some(decl) = stmt.child_of_kind(SyntaxKind::VariableDeclaration) {
        return decl
            .named_children()
            .find(|d| d.is(SyntaxKind::VariableDeclarator))
            .and_then(|d| d.child_by_field(Field::Name))
            .map(|n| n.text());
    }
    let body = stmt.child_by_field(Field::Body);
    stmt.named_children()
        .find(|c| Some(*c) != body && !c.is(SyntaxKind::Comment))
        .map(|c| c.text())
        .filter(|t| t.len() <= 40 && !t.contains('\n'))
}

/// A `using` whose resource is an ambient scope that flows into the task through the
/// execution context (logging scopes), or suppresses that flow on purpose.
fn is_ambient_scope(using: Node<'_>) -> bool {
    const AMBIENT: &[&str] = &["BeginScope", "PushProperty", "SuppressFlow"];
    using.descendants().take(64).any(|d| {
        Invocation::cast(d).is_some_and(|inv| {
            AMBIENT.contains(&inv.name_text())
                || inv
                    .receiver()
                    .and_then(callee_name)
                    .is_some_and(|r| r.text() == "LogContext")
        }) && !using
            .child_by_field(Field::Body)
            .is_some_and(|b| b.contains(d))
    })
}

/// `catch (..) { return Task.FromException(ex); }`: the synchronous failure is turned into
/// a faulted task on purpose.
fn returns_faulted_task<'t>(catch: Node<'t>, model: &FileModel<'t>) -> bool {
    catch
        .descendants_pruned(crate::syntax::views::is_function)
        .filter(|n| n.is(SyntaxKind::ReturnStatement))
        .filter_map(|r| r.first_named_child())
        .any(|e| model.known_complete(e))
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
    fn flags_tasks_that_outlive_their_guard() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
class C {
    HttpClient _http;
    SemaphoreSlim _gate;
    public Task<string> Read(string path) {
        using (var reader = new StreamReader(path)) {
            return reader.ReadToEndAsync(); // ~ASYNC207
        }
    }
    public Task<string> ReadDecl(string path) {
        using var reader = new StreamReader(path);
        return reader.ReadToEndAsync(); // ~ASYNC207
    }
    public Task Send(HttpRequestMessage m) {
        using (m)
            return _http.SendAsync(m); // ~ASYNC207
    }
    public Task Finally() {
        _gate.Wait();
        try {
            return _http.GetStringAsync("x"); // ~ASYNC207
        } finally {
            _gate.Release();
        }
    }
    public Task Caught() {
        try {
            return _http.GetStringAsync("x").ContinueWith(t => 1); // ~ASYNC207
        } catch (HttpRequestException e) {
            Console.WriteLine(e);
            throw;
        }
    }
    public Task<string> Conditional(bool b, string path) {
        using var reader = new StreamReader(path);
        return b ? reader.ReadToEndAsync() : Task.FromResult(""); // ~ASYNC207
    }
    public void Lambda() {
        Func<Task> f = () => {
            using (var s = new MemoryStream()) {
                return s.FlushAsync(); // ~ASYNC207
            }
        };
    }
    public Task Configured(Stream s) {
        try { return s.FlushAsync(); } // ~ASYNC207
        finally { s.Dispose(); }
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_awaited_complete_or_not_guarded() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
class C {
    HttpClient _http;
    Task _init;
    readonly object _lock = new object();
    public async Task<string> Awaited(string path) {
        using (var reader = new StreamReader(path)) {
            return await reader.ReadToEndAsync();
        }
    }
    public Task<int> Completed(string path) {
        using (var reader = new StreamReader(path)) {
            return Task.FromResult(reader.Read());
        }
    }
    public Task Done() {
        try { return Task.CompletedTask; } finally { Console.WriteLine(); }
    }
    public Task Translated() {
        try {
            return _http.GetStringAsync("x");
        } catch (Exception ex) {
            return Task.FromException(ex);
        }
    }
    public Task Field() {
        Monitor.Enter(_lock);
        try {
            if (_init == null) _init = _http.GetStringAsync("x");
            return _init;
        } finally {
            Monitor.Exit(_lock);
        }
    }
    public Task Outside(string path) {
        string text;
        using (var reader = new StreamReader(path)) { text = reader.ReadToEnd(); }
        return _http.GetStringAsync(text);
    }
    public Task InCatch() {
        try { Console.WriteLine(); }
        catch (Exception) { return _http.GetStringAsync("fallback"); }
        return Task.CompletedTask;
    }
    public Task InFinallyLambda() {
        using (var s = new MemoryStream()) {
            Func<Task> later = async () => { await Task.Yield(); };
            Func<Task> f = () => _http.GetStringAsync("x");
        }
        return Task.CompletedTask;
    }
    public Task Locked() {
        lock (_lock) { return _http.GetStringAsync("x"); }
    }
    public void NestedBlockLambda() {
        using (var s = new MemoryStream()) {
            Func<Task> f = () => { return _http.GetStringAsync("x"); };
        }
    }
    public Task EmptyFinally() {
        try { return _http.GetStringAsync("x"); } finally { }
    }
    public Task Waited(Task t) {
        using (var s = new MemoryStream()) { t.Wait(); return t; }
    }
    public int NotATask(string path) {
        using (var reader = new StreamReader(path)) { return reader.Read(); }
    }
    public Task Unknown() {
        using (var x = Open()) { return x.Run(); }
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn knows_tasks_of_other_files() {
        assert_marked_files(
            &RULE,
            r#"
//- Lib/Store.cs
using System.Threading.Tasks;
public interface IStore { Task SaveAsync(Conn c); Task Flush(Conn c); int Count(Conn c); }
public class Conn : System.IDisposable { public void Dispose() { } }
//- App/Use.cs
public class Use {
    private readonly IStore _store;
    public System.Threading.Tasks.Task Save() {
        using (var c = new Conn()) {
            return _store.Flush(c); // ~ASYNC207
        }
    }
    public object Count() {
        using (var c = new Conn()) {
            return _store.Count(c);
        }
    }
}
"#,
        );
    }

    #[test]
    fn silent_on_ambient_scopes() {
        assert_silent(
            &RULE,
            r#"
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Serilog.Context;
class Handler {
    ILogger _logger;
    public Task Handle(int id) {
        using (_logger.BeginScope("order {Id}", id)) {
            return ProcessAsync(id);
        }
    }
    public Task Pushed(int id) {
        using (LogContext.PushProperty("Id", id))
            return ProcessAsync(id);
    }
    public Task Detached() {
        using (ExecutionContext.SuppressFlow()) {
            return Task.Run(() => ProcessAsync(1));
        }
    }
    public Task Declared(int id) {
        using var scope = _logger.BeginScope("x");
        return ProcessAsync(id);
    }
    Task ProcessAsync(int id) => Task.CompletedTask;
}
"#,
            ProjectKind::Library,
        );
    }
}
