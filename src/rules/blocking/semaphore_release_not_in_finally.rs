//! ASYNC106 semaphore-release-not-in-finally: `await sem.WaitAsync(..)` whose `Release()` is
//! not in the `finally` of a `try` that starts right after the wait.

use crate::diagnostic::Severity;
use crate::rules::util::variable_key;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::syntax::views::{is_function, Invocation, MemberAccess};
use crate::syntax::{Field, Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC106",
    name: "semaphore-release-not-in-finally",
    family: Family::Blocking,
    summary: "A SemaphoreSlim slot taken with WaitAsync and not released in a finally",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: false,
    kinds: &[SyntaxKind::InvocationExpression],
    tokens: &["WaitAsync"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags `await sem.WaitAsync(..);` on a `SemaphoreSlim` when the method releases \
the semaphore (`sem.Release()`), but not in the `finally` of a `try` that starts right after \
the wait. Also flags a wait with a timeout or a token written inside the `try` whose `finally` \
releases: when that wait is cancelled or times out, the `finally` \
releases a slot that was never taken. Reported at the `WaitAsync` call.",
        why: "Between the wait and the release, any exception — a failed call, a cancelled \
token — skips a release that is not in a `finally`. The slot leaks; with a semaphore of one \
(the async lock), every later caller waits forever and the service hangs with no error. The \
opposite mistake, a release in a `finally` that also runs when the wait itself failed, lets \
one more caller in than the semaphore allows (or throws `SemaphoreFullException`).",
        example: r#"
using System.Threading;
using System.Threading.Tasks;

class Store
{
    private readonly SemaphoreSlim _lock = new SemaphoreSlim(1, 1);

    public async Task SaveAsync(string item)
    {
        await _lock.WaitAsync();
        await WriteAsync(item);
        _lock.Release();
    }

    private Task WriteAsync(string item) => Task.CompletedTask;
}
"#,
        use_instead: r#"
using System.Threading;
using System.Threading.Tasks;

class Store
{
    private readonly SemaphoreSlim _lock = new SemaphoreSlim(1, 1);

    public async Task SaveAsync(string item)
    {
        await _lock.WaitAsync();
        try
        {
            await WriteAsync(item);
        }
        finally
        {
            _lock.Release();
        }
    }

    private Task WriteAsync(string item) => Task.CompletedTask;
}
"#,
        silent_when: "The `try` right after the wait releases in its `finally` (or in a catch \
of every exception), or catches every exception without rethrowing and is followed directly \
by the release; the wait is the condition or the sync/async twin inside an `if` whose \
next statement is that `try`. The wait's `bool` result is used (`if (await \
sem.WaitAsync(timeout))`, `var entered = await sem.WaitAsync(..)`, `return await ..`): the \
code decides itself. The method releases the semaphore nowhere, only inside a lambda or \
local function (the work it starts releases it), or hands it to an object \
(`return new Releaser(_sem);`, the AsyncLock pattern). An argument-less wait inside the \
releasing `try` (it cannot be cancelled or time out). Receivers the file does not show \
to be a `SemaphoreSlim`.",
        fix: "None automatic: wrap the code that runs while the slot is held in \
`try { .. } finally { sem.Release(); }` starting right after `await sem.WaitAsync(..);`, and \
move a cancellable wait out of the `try`.",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(wait) = Invocation::cast(node) else {
        return;
    };
    if wait.name_text() != "WaitAsync" || wait.is_conditional() {
        return;
    }
    let Some(recv) = wait.receiver() else { return };
    let is_semaphore = model.type_of(recv).is_some_and(|t| {
        t.name == "SemaphoreSlim" && t.arrays == 0 && t.args.is_empty() && !t.nullable
    }) && !model.is_declared_type("SemaphoreSlim");
    if !is_semaphore {
        return;
    }
    // `await sem.WaitAsync(..)` (through ConfigureAwait) as a statement of its own: a result
    // that is used (a timeout's bool) is the code's own decision.
    let Some(statement) = awaited_statement(node) else {
        return;
    };
    let Some(function) = model.function_of(node) else {
        return;
    };
    let Some(body) = function.body() else { return };
    let key = variable_key(recv);
    // Released nowhere here, or only by a lambda / local function: someone else's job.
    let released_here = body.descendants().any(|n| {
        n.start() >= node.end()
            && is_release(n, &key)
            && model
                .function_of(n)
                .is_some_and(|f| f.node == function.node)
    });
    if !released_here || handed_over(body, node, &key) {
        return;
    }
    // The wait inside the `try` whose `finally` releases: harmless when it cannot fail, a
    // release of a slot never taken when it can be cancelled or time out.
    if enclosing_try_releasing(statement, &key) {
        if wait.arg_count() > 0 {
            let message = format!(
                "`{}.WaitAsync(..)` is inside the `try` whose `finally` releases it: when the wait is cancelled or times out, the `finally` releases a slot that was never taken; move the wait right before the `try`",
                recv.text()
            );
            ctx.report(node, message);
        }
        return;
    }
    if let Some(next) = outer_statement(statement).next_named_sibling() {
        if next.is(SyntaxKind::TryStatement)
            && (try_releases(next, &key) || swallows_then_releases(next, &key))
        {
            return;
        }
    }
    let message = format!(
        "the slot taken by `{}.WaitAsync(..)` is not released in a `finally` right after the wait: an exception in between leaks it and later callers wait forever",
        recv.text()
    );
    if let Some(d) = ctx.report(node, message) {
        d.with_help(format!(
            "follow the wait directly with `try {{ .. }} finally {{ {}.Release(); }}`",
            recv.text()
        ));
    }
}

/// The expression statement `await <node>;` (optionally through `.ConfigureAwait(..)`).
fn awaited_statement(node: Node<'_>) -> Option<Node<'_>> {
    let mut e = node;
    loop {
        let p = e.parent()?;
        match p.kind() {
            SyntaxKind::ParenthesizedExpression => e = p,
            SyntaxKind::MemberAccessExpression
                if MemberAccess::cast(p).is_some_and(|m| m.name_text() == "ConfigureAwait") =>
            {
                e = p
                    .parent()
                    .filter(|g| g.is(SyntaxKind::InvocationExpression))?;
            }
            SyntaxKind::AwaitExpression => {
                return p.parent().filter(|s| s.is(SyntaxKind::ExpressionStatement));
            }
            _ => return None,
        }
    }
}

/// `key.Release(..)`.
fn is_release(n: Node<'_>, key: &str) -> bool {
    Invocation::cast(n).is_some_and(|i| {
        i.name_text() == "Release"
            && !i.is_conditional()
            && i.receiver().is_some_and(|r| variable_key(r) == key)
    })
}

/// The semaphore passed on after the wait (`new Releaser(_sem)`, `Track(_sem)`, `return _sem`):
/// the receiver releases it.
fn handed_over(body: Node<'_>, wait: Node<'_>, key: &str) -> bool {
    body.descendants()
        .filter(|n| n.start() >= wait.end())
        .any(|n| {
            let passed = n.is(SyntaxKind::Argument)
                && n.parent().is_some_and(|l| l.is(SyntaxKind::ArgumentList))
                && n.named_children()
                    .last()
                    .is_some_and(|v| variable_key(v) == key);
            let returned = n.is(SyntaxKind::ReturnStatement)
                && n.first_named_child()
                    .is_some_and(|v| variable_key(v) == key);
            passed || returned
        })
}

/// Whether a `try` releases the semaphore on every exit: in its `finally`, or in a catch of
/// every exception.
fn try_releases(try_stmt: Node<'_>, key: &str) -> bool {
    try_stmt.children().any(|c| {
        let catches_all = c.is(SyntaxKind::CatchClause) && catches_everything(c);
        (c.is(SyntaxKind::FinallyClause) || catches_all)
            && c.descendants().any(|n| is_release(n, key))
    })
}

/// A catch of every exception that does not rethrow, with the release as the very next
/// statement after the `try`: every way out of the `try` reaches the release.
fn swallows_then_releases(try_stmt: Node<'_>, key: &str) -> bool {
    let swallows = try_stmt.children().any(|c| {
        c.is(SyntaxKind::CatchClause)
            && catches_everything(c)
            && !c
                .descendants_pruned(is_function)
                .any(|n| n.is(SyntaxKind::ThrowStatement) || n.is(SyntaxKind::ThrowExpression))
    });
    swallows
        && try_stmt.next_named_sibling().is_some_and(|n| {
            n.is(SyntaxKind::ExpressionStatement)
                && n.first_named_child().is_some_and(|e| is_release(e, key))
        })
}

/// `catch`, `catch (Exception)`, `catch (Exception e)`, without a `when` filter.
fn catches_everything(clause: Node<'_>) -> bool {
    let decl = clause
        .child_of_kind(SyntaxKind::CatchDeclaration)
        .and_then(|d| d.child_by_field(Field::Type))
        .map(|t| t.text());
    let filtered = clause.children().any(|x| x.text().starts_with("when"));
    !filtered && matches!(decl, None | Some("Exception" | "System.Exception"))
}

/// Whether a `try` around the wait (in this function) releases the semaphore in its
/// `finally` (or a catch of everything).
fn enclosing_try_releasing(statement: Node<'_>, key: &str) -> bool {
    let mut child = statement;
    for a in statement.ancestors() {
        if is_function(a) {
            return false;
        }
        if a.is(SyntaxKind::TryStatement)
            && a.child_by_field(Field::Body) == Some(child)
            && try_releases(a, key)
        {
            return true;
        }
        child = a;
    }
    false
}

/// The statement to look past for the `try`: the wait's own statement, or the `if` whose
/// branch it ends (`if (async) await sem.WaitAsync(); else sem.Wait();`).
fn outer_statement(statement: Node<'_>) -> Node<'_> {
    let mut s = statement;
    loop {
        let Some(p) = s.parent() else { return s };
        match p.kind() {
            SyntaxKind::IfStatement if p.child_by_field(Field::Condition) != Some(s) => s = p,
            SyntaxKind::Block
                if p.named_children().last() == Some(s)
                    && p.parent().is_some_and(|g| g.is(SyntaxKind::IfStatement)) =>
            {
                s = p
            }
            _ => return s,
        }
    }
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
    fn flags_releases_outside_finally() {
        assert_marked(
            &RULE,
            r#"
using System.Threading;
using System.Threading.Tasks;
class C {
    private readonly SemaphoreSlim _lock = new SemaphoreSlim(1, 1);
    Task WorkAsync() => Task.CompletedTask;
    int Compute() => 1;
    async Task NoTry() {
        await _lock.WaitAsync(); // ~ASYNC106
        await WorkAsync();
        _lock.Release();
    }
    async Task StatementsBeforeTry(CancellationToken ct) {
        await _lock.WaitAsync(ct).ConfigureAwait(false); // ~ASYNC106
        var x = Compute();
        try { await WorkAsync(); } finally { _lock.Release(); }
    }
    async Task ReleaseInTryBody() {
        await this._lock.WaitAsync(); // ~ASYNC106
        try { await WorkAsync(); _lock.Release(); } catch (System.InvalidOperationException) { }
    }
    async Task CancellableWaitInsideTry(CancellationToken ct) {
        try {
            await _lock.WaitAsync(ct); // ~ASYNC106
            await WorkAsync();
        } finally {
            _lock.Release();
        }
    }
    async Task CatchRethrowsThenRelease() {
        await _lock.WaitAsync(); // ~ASYNC106
        try { await WorkAsync(); } catch (System.Exception) { throw; }
        _lock.Release();
    }
    async Task Local() {
        var sem = new SemaphoreSlim(2);
        await sem.WaitAsync(); // ~ASYNC106
        await WorkAsync();
        sem.Release();
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_correct_and_handed_over_releases() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading;
using System.Threading.Tasks;
class Releaser : IDisposable {
    private readonly SemaphoreSlim _s;
    public Releaser(SemaphoreSlim s) { _s = s; }
    public void Dispose() => _s.Release();
}
class C {
    private readonly SemaphoreSlim _lock = new SemaphoreSlim(1, 1);
    Task WorkAsync() => Task.CompletedTask;
    async Task Correct(CancellationToken ct) {
        await _lock.WaitAsync(ct);
        try { await WorkAsync(); } finally { _lock.Release(); }
    }
    async Task CorrectConfigured() {
        await _lock.WaitAsync().ConfigureAwait(false);
        // a comment between is fine
        try { await WorkAsync(); } finally { this._lock.Release(); }
    }
    async Task CatchAll() {
        await _lock.WaitAsync();
        try { await WorkAsync(); _lock.Release(); } catch { _lock.Release(); throw; }
    }
    async Task<IDisposable> LockAsync() {
        await _lock.WaitAsync();
        return new Releaser(_lock);
    }
    async Task<IDisposable> LockOrFail(bool ok) {
        await _lock.WaitAsync();
        if (!ok) { _lock.Release(); return null; }
        return new Releaser(_lock);
    }
    async Task Timeout() {
        if (await _lock.WaitAsync(1000)) {
            try { await WorkAsync(); } finally { _lock.Release(); }
        }
        if (!await _lock.WaitAsync(TimeSpan.FromSeconds(1))) return;
        await WorkAsync();
        _lock.Release();
        var entered = await _lock.WaitAsync(10);
        if (entered) { await WorkAsync(); _lock.Release(); }
    }
    async Task ReleasedElsewhere() {
        await _lock.WaitAsync();
        await WorkAsync();
    }
    async Task Throttle() {
        await _lock.WaitAsync();
        _ = Task.Run(async () => {
            try { await WorkAsync(); } finally { _lock.Release(); }
        });
    }
    async Task SwallowThenRelease() {
        await _lock.WaitAsync();
        try { await WorkAsync(); } catch (Exception e) { Console.WriteLine(e); }
        _lock.Release();
    }
    async Task WaitInsideTry() {
        try {
            await _lock.WaitAsync();
            await WorkAsync();
        } finally {
            _lock.Release();
        }
    }
    async Task DualMode(bool async, CancellationToken ct) {
        if (async) await _lock.WaitAsync(ct); else _lock.Wait(ct);
        try { await WorkAsync(); } finally { _lock.Release(); }
        if (async) { await _lock.WaitAsync(ct); } else { _lock.Wait(ct); }
        try { await WorkAsync(); } finally { _lock.Release(); }
    }
    async Task NotASemaphore(object gate, Mutex m) {
        await unknown.WaitAsync();
        unknown.Release();
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_a_project_type_named_like_the_semaphore() {
        assert_silent(
            &RULE,
            r#"
using System.Threading.Tasks;
class SemaphoreSlim { public Task WaitAsync() => Task.CompletedTask; public void Release() { } }
class C {
    SemaphoreSlim _s = new SemaphoreSlim();
    async Task M() { await _s.WaitAsync(); await Task.Delay(1); _s.Release(); }
}
"#,
            ProjectKind::Library,
        );
    }
}
