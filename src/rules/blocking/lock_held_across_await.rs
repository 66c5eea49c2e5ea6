//! ASYNC105 lock-held-across-await: a thread-affine lock (`Monitor`, `Mutex`, `SpinLock`,
//! `ReaderWriterLockSlim`) taken before an `await` and released after it.

use crate::diagnostic::Severity;
use crate::rules::util::{await_points, names_bcl_type, variable_key};
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::FileModel;
use crate::syntax::views::Invocation;
use crate::syntax::{Field, Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC105",
    name: "lock-held-across-await",
    family: Family::Blocking,
    summary: "A thread-affine lock held across an await",
    default_severity: Severity::Error,
    severity: severity::error,
    fixable: false,
    kinds: &[SyntaxKind::InvocationExpression],
    tokens: &["*Enter*", "WaitOne"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags `Monitor.Enter`/`Monitor.TryEnter`, `Mutex.WaitOne`, `SpinLock.Enter`/\
`TryEnter` and `ReaderWriterLockSlim.Enter…Lock`/`TryEnter…Lock` when an `await` of the same \
method lies between the acquisition and its release (`Monitor.Exit`, `ReleaseMutex`, \
`SpinLock.Exit`, `Exit…Lock` on the same lock). Reported at the acquisition. (The `lock` \
statement cannot contain an `await`: the compiler refuses it; these APIs are how code gets \
around that.)",
        why: "These locks belong to the thread that took them. After an `await` the method \
usually resumes on another thread: there the release throws (`SynchronizationLockException`, \
`ApplicationException` for a mutex) and the lock is never freed, so every later caller hangs. \
Even when the continuation comes back to the same thread (a UI SynchronizationContext), \
other code runs on that thread during the await and re-enters the reentrant lock freely: it \
protects nothing.",
        example: r#"
using System.Threading;
using System.Threading.Tasks;

class Cache
{
    private readonly object _gate = new object();

    public async Task RefreshAsync()
    {
        Monitor.Enter(_gate);
        try
        {
            await Task.Delay(100);
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }
}
"#,
        use_instead: r#"
using System.Threading;
using System.Threading.Tasks;

class Cache
{
    private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);

    public async Task RefreshAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await Task.Delay(100);
        }
        finally
        {
            _gate.Release();
        }
    }
}
"#,
        silent_when: "The lock is released before the `await` on the way there (`Monitor.Exit` \
textually between the acquisition and the await), the `await` comes before the acquisition or \
is only inside a lambda or local function, the `await` runs only when a `TryEnter…` failed \
(`if (!Monitor.TryEnter(o)) { await ..; return; }`, `while (!rw.TryEnterWriteLock(0)) await \
Task.Delay(10);`, `if (!taken) ..`), or the method releases the lock nowhere (it hands the \
lock to other code). `Mutex`, `SpinLock` and `ReaderWriterLockSlim` only when the file \
shows the receiver's type; `SemaphoreSlim` and `Semaphore` are not thread-affine and never \
flagged; a project type that shares a name (`Monitor`, `Mutex`) is not the .NET one.",
        fix: "None automatic: the lock's type changes. Use a `SemaphoreSlim(1, 1)` field and \
`await gate.WaitAsync(); try { .. } finally { gate.Release(); }` (or an async lock type).",
    },
};

/// A lock acquisition: what it is called, how the same lock is recognised, how it is released.
struct Acquisition {
    shown: &'static str,
    key: String,
    /// The lock is the first argument of a static call (`Monitor.Exit(x)`), not the receiver.
    by_argument: bool,
    releases: &'static [&'static str],
}

fn classify<'t>(inv: &Invocation<'t>, model: &FileModel<'t>) -> Option<Acquisition> {
    let recv = inv.receiver()?.unparenthesized();
    let name = inv.name_text();
    let typed = |simple: &str| {
        model
            .type_of(recv)
            .is_some_and(|t| t.name == simple && t.arrays == 0 && t.args.is_empty())
            && !model.is_declared_type(simple)
    };
    let on_receiver = |shown, releases| {
        Some(Acquisition {
            shown,
            key: variable_key(recv),
            by_argument: false,
            releases,
        })
    };
    match name {
        "Enter" | "TryEnter" if names_bcl_type(model, recv, "Monitor") => {
            let lock = inv.args().first()?.value;
            Some(Acquisition {
                shown: if name == "Enter" {
                    "Monitor.Enter"
                } else {
                    "Monitor.TryEnter"
                },
                key: variable_key(lock),
                by_argument: true,
                releases: &["Exit"],
            })
        }
        "Enter" | "TryEnter" if typed("SpinLock") => on_receiver(
            if name == "Enter" {
                "SpinLock.Enter"
            } else {
                "SpinLock.TryEnter"
            },
            &["Exit"],
        ),
        "WaitOne" if typed("Mutex") => on_receiver("Mutex.WaitOne", &["ReleaseMutex"]),
        "EnterReadLock" | "TryEnterReadLock" if typed("ReaderWriterLockSlim") => {
            on_receiver("ReaderWriterLockSlim.EnterReadLock", &["ExitReadLock"])
        }
        "EnterWriteLock" | "TryEnterWriteLock" if typed("ReaderWriterLockSlim") => {
            on_receiver("ReaderWriterLockSlim.EnterWriteLock", &["ExitWriteLock"])
        }
        "EnterUpgradeableReadLock" | "TryEnterUpgradeableReadLock"
            if typed("ReaderWriterLockSlim") =>
        {
            on_receiver(
                "ReaderWriterLockSlim.EnterUpgradeableReadLock",
                &["ExitUpgradeableReadLock"],
            )
        }
        _ => None,
    }
}

/// Whether `n` releases the lock `acq` took.
fn releases(n: Node<'_>, acq: &Acquisition, model: &FileModel<'_>) -> bool {
    let Some(inv) = Invocation::cast(n) else {
        return false;
    };
    if !acq.releases.contains(&inv.name_text()) {
        return false;
    }
    let Some(recv) = inv.receiver() else {
        return false;
    };
    if acq.by_argument {
        names_bcl_type(model, recv, "Monitor")
            && inv
                .args()
                .first()
                .is_some_and(|a| variable_key(a.value) == acq.key)
    } else {
        variable_key(recv) == acq.key
    }
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(inv) = Invocation::cast(node) else {
        return;
    };
    if inv.is_conditional() {
        return;
    }
    let Some(acq) = classify(&inv, model) else {
        return;
    };
    let Some(function) = model.function_of(node) else {
        return;
    };
    let Some(body) = function.body() else { return };
    // The first release after the acquisition, in this function's own code.
    let Some(release) = body
        .descendants_pruned(crate::syntax::views::is_function)
        .filter(|n| n.start() >= node.end())
        .find(|n| releases(*n, &acq, model))
    else {
        return;
    };
    // An await that runs after the acquisition (inside the block it stands in) and before
    // that release.
    let scope = node
        .ancestors()
        .take_while(|a| *a != function.node)
        .find(|a| a.is(SyntaxKind::Block))
        .unwrap_or(body);
    let outcome = outcome_variable(node);
    let held = await_points(body).any(|w| {
        w.start() >= node.end()
            && w.end() <= release.start()
            && scope.contains(w)
            && !on_failed_branch(w, node, outcome, scope)
    });
    if !held {
        return;
    }
    let release_name = acq.releases[0];
    let message = format!(
        "`{}` takes a thread-affine lock that is still held at an `await`: the method may resume on another thread, where `{release_name}` throws and the lock is never freed; use `SemaphoreSlim` with `await WaitAsync()`",
        acq.shown
    );
    if let Some(d) = ctx.report(node, message) {
        d.with_help(
            "replace the lock by a `SemaphoreSlim(1, 1)`: `await gate.WaitAsync(); try { .. } finally { gate.Release(); }`",
        );
    }
}

/// The variable that tells whether the lock was taken: `ok` in `var ok = Monitor.TryEnter(o)`
/// or `ok = ..`, `taken` in `Monitor.Enter(o, ref taken)` / `spin.TryEnter(ref taken)`.
fn outcome_variable(acquisition: Node<'_>) -> Option<&str> {
    if let Some(inv) = Invocation::cast(acquisition) {
        for a in inv.args() {
            if a.node.text().trim_start().starts_with("ref ") && a.value.is(SyntaxKind::Identifier)
            {
                return Some(a.value.text());
            }
        }
    }
    let p = acquisition.parent()?;
    match p.kind() {
        SyntaxKind::VariableDeclarator => p.child_by_field(Field::Name).map(|n| n.text()),
        SyntaxKind::AssignmentExpression if p.child_by_field(Field::Right) == Some(acquisition) => {
            p.child_by_field(Field::Left)
                .filter(|l| l.is(SyntaxKind::Identifier))
                .map(|l| l.text())
        }
        _ => None,
    }
}

/// Whether the await stands in a branch that runs only when the lock was not taken:
/// `if (!Monitor.TryEnter(o)) { await ..; return; }`, `while (!rw.TryEnterWriteLock(0))
/// await Task.Delay(10);`, `if (!taken) { await ..; }`. A branch of a condition on the
/// outcome that the tool cannot read (`a || Monitor.TryEnter(o)`) counts as not held too.
fn on_failed_branch(
    await_node: Node<'_>,
    acquisition: Node<'_>,
    outcome: Option<&str>,
    scope: Node<'_>,
) -> bool {
    let mut child = await_node;
    for a in await_node.ancestors() {
        if a == scope {
            return false;
        }
        let branches = match a.kind() {
            SyntaxKind::IfStatement | SyntaxKind::ConditionalExpression => {
                Some((Field::Consequence, Field::Alternative))
            }
            SyntaxKind::WhileStatement => Some((Field::Body, Field::None)),
            _ => None,
        };
        if let (Some((held_if_true, held_if_false)), Some(cond)) =
            (branches, a.child_by_field(Field::Condition))
        {
            if cond != child {
                let polarity = if cond.contains(acquisition) {
                    Some(polarity(acquisition, cond))
                } else {
                    outcome.and_then(|name| {
                        std::iter::once(cond)
                            .chain(cond.descendants())
                            .find(|n| n.is(SyntaxKind::Identifier) && n.text() == name)
                            .map(|n| polarity(n, cond))
                    })
                };
                if let Some(p) = polarity {
                    let held_branch = match p {
                        Some(true) => Some(held_if_true),
                        Some(false) => Some(held_if_false),
                        None => None,
                    };
                    if held_branch.is_none_or(|f| f == Field::None || child.field() != f) {
                        return true;
                    }
                }
            }
        }
        child = a;
    }
    false
}

/// Whether `cond` is true exactly when `leaf` is (`Some(true)`), exactly when it is false
/// (`Some(false)`: `!x`, `x == false`), or something the tool does not read (`None`).
fn polarity(leaf: Node<'_>, cond: Node<'_>) -> Option<bool> {
    let mut positive = true;
    let mut cur = leaf;
    while cur != cond {
        let p = cur.parent()?;
        match p.kind() {
            SyntaxKind::ParenthesizedExpression => {}
            SyntaxKind::PrefixUnaryExpression if p.text().starts_with('!') => positive = !positive,
            SyntaxKind::BinaryExpression => {
                let op = p.child_by_field(Field::Operator).map(|o| o.text());
                let other = if p.child_by_field(Field::Left) == Some(cur) {
                    p.child_by_field(Field::Right)
                } else {
                    p.child_by_field(Field::Left)
                }
                .map(|o| o.text().trim());
                match (op, other) {
                    (Some("=="), Some("true")) | (Some("!="), Some("false")) => {}
                    (Some("=="), Some("false")) | (Some("!="), Some("true")) => {
                        positive = !positive
                    }
                    _ => return None,
                }
            }
            _ => return None,
        }
        cur = p;
    }
    Some(positive)
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
    fn flags_thread_affine_locks_held_across_await() {
        assert_marked(
            &RULE,
            r#"
using System.Threading;
using System.Threading.Tasks;
class C {
    private readonly object _gate = new object();
    private readonly Mutex _mutex = new Mutex();
    private SpinLock _spin = new SpinLock();
    private readonly ReaderWriterLockSlim _rw = new ReaderWriterLockSlim();
    Task WorkAsync() => Task.CompletedTask;
    async Task A() {
        Monitor.Enter(_gate); // ~ASYNC105
        await WorkAsync();
        Monitor.Exit(_gate);
    }
    async Task B() {
        bool taken = false;
        try {
            Monitor.Enter(this._gate, ref taken); // ~ASYNC105
            await WorkAsync().ConfigureAwait(false);
        } finally {
            if (taken) Monitor.Exit(_gate);
        }
    }
    async Task D() {
        if (!Monitor.TryEnter(_gate, 100)) return; // ~ASYNC105
        try { await Task.Delay(1); } finally { Monitor.Exit(_gate); }
    }
    async Task E() {
        _mutex.WaitOne(); // ~ASYNC105
        try { await WorkAsync(); } finally { _mutex.ReleaseMutex(); }
    }
    async Task F() {
        bool taken = false;
        _spin.Enter(ref taken); // ~ASYNC105
        await WorkAsync();
        _spin.Exit();
    }
    async Task G() {
        _rw.EnterReadLock(); // ~ASYNC105
        try { await WorkAsync(); } finally { _rw.ExitReadLock(); }
        _rw.EnterWriteLock(); // ~ASYNC105
        try { await foreach (var x in Items()) { } } finally { _rw.ExitWriteLock(); }
        if (_rw.TryEnterUpgradeableReadLock(10)) { // ~ASYNC105
            try { await using var r = new Res(); } finally { _rw.ExitUpgradeableReadLock(); }
        }
    }
    async Task TryEnterHeld() {
        if (Monitor.TryEnter(_gate)) { // ~ASYNC105
            try { await WorkAsync(); } finally { Monitor.Exit(_gate); }
        }
        var ok = Monitor.TryEnter(_gate, 5); // ~ASYNC105
        if (!ok) return;
        await WorkAsync();
        Monitor.Exit(_gate);
        bool taken = false;
        Monitor.TryEnter(_gate, 5, ref taken); // ~ASYNC105
        if (taken) { await WorkAsync(); Monitor.Exit(_gate); }
    }
    async Task H(Mutex m) {
        System.Threading.Monitor.Enter(m); // ~ASYNC105
        await WorkAsync();
        System.Threading.Monitor.Exit(m);
    }
    async System.Collections.Generic.IAsyncEnumerable<int> Items() { await Task.Yield(); yield return 1; }
    class Res : System.IAsyncDisposable { public ValueTask DisposeAsync() => default; }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_the_lock_is_not_held_at_the_await() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading;
using System.Threading.Tasks;
class C {
    private readonly object _gate = new object();
    private readonly object _other = new object();
    private readonly SemaphoreSlim _sem = new SemaphoreSlim(1, 1);
    private readonly Semaphore _os = new Semaphore(1, 1);
    private readonly Mutex _mutex = new Mutex();
    Task WorkAsync() => Task.CompletedTask;
    async Task ReleasedFirst() {
        Monitor.Enter(_gate);
        try { Console.WriteLine(); } finally { Monitor.Exit(_gate); }
        await WorkAsync();
    }
    async Task AwaitBefore() {
        await WorkAsync();
        Monitor.Enter(_gate);
        Monitor.Exit(_gate);
    }
    async Task Loop() {
        while (true) {
            await WorkAsync();
            Monitor.Enter(_gate);
            try { Console.WriteLine(); } finally { Monitor.Exit(_gate); }
        }
    }
    async Task EarlyExit(bool c) {
        Monitor.Enter(_gate);
        if (c) { Monitor.Exit(_gate); await WorkAsync(); return; }
        Monitor.Exit(_gate);
    }
    async Task OtherLock() {
        Monitor.Enter(_gate);
        Monitor.Exit(_gate);
        Monitor.Enter(_other);
        await WorkAsync();
    }
    async Task InLambda() {
        Monitor.Enter(_gate);
        Func<Task> f = async () => await WorkAsync();
        Monitor.Exit(_gate);
        await f();
    }
    async Task NoRelease() {
        _mutex.WaitOne();
        await WorkAsync();
    }
    async Task NotThreadAffine() {
        _sem.Wait();
        await WorkAsync();
        _sem.Release();
        _os.WaitOne();
        await WorkAsync();
        _os.Release();
    }
    async Task Unknown(object gate) {
        gate.WaitOne();
        await WorkAsync();
        gate.ReleaseMutex();
        unknown.EnterReadLock();
        await WorkAsync();
        unknown.ExitReadLock();
    }
    void Sync() {
        Monitor.Enter(_gate);
        Task.Run(async () => await WorkAsync());
        Monitor.Exit(_gate);
    }
    async Task FailedTryEnter() {
        if (!Monitor.TryEnter(_gate, 100)) { await WorkAsync(); return; }
        try { Console.WriteLine(); } finally { Monitor.Exit(_gate); }
        while (!Monitor.TryEnter(_gate)) await Task.Delay(10);
        try { Console.WriteLine(); } finally { Monitor.Exit(_gate); }
        var ok = Monitor.TryEnter(_gate, 5);
        if (ok == false) { await WorkAsync(); return; }
        Monitor.Exit(_gate);
        bool taken = false;
        Monitor.TryEnter(_gate, 5, ref taken);
        if (!taken) { await WorkAsync(); return; }
        Monitor.Exit(_gate);
        if (Monitor.TryEnter(_gate)) { Monitor.Exit(_gate); } else { await WorkAsync(); }
    }
    async Task UnreadableCondition(bool fast) {
        if (fast || Monitor.TryEnter(_gate)) { await WorkAsync(); }
        Monitor.Exit(_gate);
    }
    async Task LockStatement() {
        lock (_gate) { Console.WriteLine(); }
        await WorkAsync();
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_project_types_that_share_the_names() {
        assert_silent(
            &RULE,
            r#"
using System.Threading.Tasks;
class Monitor { public static void Enter(object o) { } public static void Exit(object o) { } }
class Mutex { public void WaitOne() { } public void ReleaseMutex() { } }
class C {
    object _gate = new object();
    Mutex _m = new Mutex();
    async Task A() {
        Monitor.Enter(_gate);
        await Task.Delay(1);
        Monitor.Exit(_gate);
        _m.WaitOne();
        await Task.Delay(1);
        _m.ReleaseMutex();
    }
}
"#,
            ProjectKind::Library,
        );
    }
}
