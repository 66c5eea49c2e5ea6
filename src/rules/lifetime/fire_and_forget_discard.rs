//! ASYNC204 fire-and-forget-discard: `_ = FooAsync();`, an explicit fire-and-forget whose
//! exception is still lost.

use crate::diagnostic::Severity;
use crate::rules::util::{
    await_points, catches_everything, has_catch_all, is_fire_and_forget_name,
};
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{strip_configure_await, FileModel, Tri};
use crate::syntax::views::{is_function, Function, FunctionKind, Invocation};
use crate::syntax::{Field, Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC204",
    name: "fire-and-forget-discard",
    family: Family::Lifetime,
    summary: "A task discarded with `_ =`: fire and forget, its exception is lost",
    default_severity: Severity::Info,
    severity: severity::info,
    fixable: false,
    kinds: &[SyntaxKind::AssignmentExpression],
    tokens: &["_ =", "_ = & @index:awaitable-call"],
    may_flag_member: Some(may_discard_task),
    reads_callers: false,
    // Work that catches its own failures is not flagged.
    reads_callees: true,
    check,
    docs: Docs {
        what: "Flags a call whose task is assigned to the discard: `_ = FooAsync();`. The \
discard says \"fire and forget\" on purpose, and silences CS4014 and ASYNC203, but nothing \
observes the task.",
        why: "The discard only hides the task. If it fails, its exception goes nowhere: no \
`catch` sees it, nothing is logged, and at best `TaskScheduler.UnobservedTaskException` \
fires at some later garbage collection. Work started this way also outlives the request or \
the object that started it, and nobody knows when it finished.",
        example: r#"
using System.Threading.Tasks;

class Mailer
{
    public void OnOrderPlaced(int id)
    {
        _ = SendConfirmationAsync(id);
    }

    private async Task SendConfirmationAsync(int id)
    {
        await Task.Delay(10);
    }
}
"#,
        use_instead: r#"
using System;
using System.Threading.Tasks;

class Mailer
{
    public void OnOrderPlaced(int id)
    {
        _ = SendConfirmationAsync(id).ContinueWith(
            t => Console.Error.WriteLine(t.Exception),
            TaskContinuationOptions.OnlyOnFaulted);
    }

    private async Task SendConfirmationAsync(int id)
    {
        await Task.Delay(10);
    }
}
"#,
        silent_when: "The discarded task is observed: it ends in a \
`.ContinueWith(.., TaskContinuationOptions.OnlyOnFaulted)` handler (or a continuation that \
reads the antecedent's `Exception` / `IsFaulted`), or it goes through a helper whose name \
says it handles fire-and-forget (`FireAndForget`, `Forget`, `SafeFireAndForget`, \
`LogExceptions`, `ObserveExceptions`, …, and the names listed in `asynclint.toml`'s \
`fire-and-forget-helpers` or `.editorconfig`'s `asynclint_fire_and_forget_helpers`). Also silent when the started work handles its \
own failures: the delegate given to `Task.Run` / `StartNew`, or the body of the called \
method of this file, has a `try` with a catch-all (`catch`, `catch (Exception)`, \
unfiltered) around its awaits. A method of a project class declared in another file is \
not flagged either: its body, and so whether it catches its own failures, is out of sight \
(interface members and library calls are flagged). Discarding a task variable \
(`_ = _pending;`) starts nothing and is not flagged, nor is anything the tool cannot show \
to be a task (`_ = int.TryParse(..)`, `_ = reader.ReadInt32()`).",
        fix: "None automatic: the discard is deliberate. Either await the task, or observe \
its failure: `FooAsync().ContinueWith(t => log(t.Exception), \
TaskContinuationOptions.OnlyOnFaulted)`, a project `FireAndForget()` helper that logs, or a \
`try`/`catch` around the body of the method that is started.",
    },
};

/// A discarded call can only be a task if the member may call one (the project's own
/// awaitable methods are the token's `@index:` part).
fn may_discard_task(m: &crate::rules::MemberText<'_>) -> bool {
    crate::rules::lifetime::unobserved_task::may_call_task(m, |_, _| true)
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(left) = node.child_by_field(Field::Left) else {
        return;
    };
    if !left.is(SyntaxKind::Identifier) || left.text() != "_" {
        return;
    }
    if node.child_by_field(Field::Operator).map(|o| o.text()) != Some("=") {
        return;
    }
    // `_` declared as a local or a lambda parameter is a variable, not the discard.
    if model.is_local_name(left, "_") {
        return;
    }
    // A statement `_ = X;` or the body of an expression lambda `() => _ = X`.
    let Some(parent) = node.parent() else { return };
    let standalone = parent.is(SyntaxKind::ExpressionStatement)
        || (parent.is(SyntaxKind::LambdaExpression)
            && parent.child_by_field(Field::Body) == Some(node));
    if !standalone {
        return;
    }
    let Some(right) = node.child_by_field(Field::Right) else {
        return;
    };
    let right = right.unparenthesized();
    let started = strip_configure_await(right);
    // Only a call starts something; `_ = _task;` drops a reference, not work.
    let Some(inv) = Invocation::cast(started) else {
        return;
    };
    if model.is_awaitable(right) != Tri::Yes || model.known_complete(started) {
        return;
    }
    if is_observed(&inv, model, ctx.config) {
        return;
    }
    // `_ = Task.Factory.StartNew(async ..)`: ASYNC208 reports the more specific problem.
    if crate::rules::lifetime::startnew_async_delegate::analyze(started, model).is_some() {
        return;
    }
    let shown = callee_text(&inv);
    let message = format!(
        "fire and forget: the task of {shown} is discarded with `_ =`, so if it fails its exception is lost; observe it (`ContinueWith(.., TaskContinuationOptions.OnlyOnFaulted)`, a logging fire-and-forget helper) or await it"
    );
    if let Some(d) = ctx.report(node, message) {
        d.with_help(
            "Awaiting changes when the caller continues, so no fix is offered. To keep it \
fire-and-forget, attach a fault handler that logs `t.Exception`, or wrap the started \
method's body in `try`/`catch`.",
        );
    }
}

/// `Task.Run`, `_http.GetStringAsync`, `Save`: the callee as written when it is short.
pub(crate) fn callee_text(inv: &Invocation<'_>) -> String {
    let f = inv.function.text();
    if f.len() <= 40 && !f.contains(['\n', '(']) {
        format!("`{f}`")
    } else if inv.name_text().is_empty() {
        "the call".to_owned()
    } else {
        format!("`{}`", inv.name_text())
    }
}

/// Whether the discarded chain observes the task's failure.
fn is_observed<'t>(
    started: &Invocation<'t>,
    model: &FileModel<'t>,
    config: &crate::config::RuleConfig,
) -> bool {
    // Every call of the chain, outermost first: `FooAsync().Forget()`, `Helper.Forget(FooAsync())`.
    let mut cur = Some(*started);
    let mut depth = 0;
    while let Some(inv) = cur {
        depth += 1;
        if depth > 32 {
            return true; // too deep to tell: stay silent
        }
        let name = inv.name_text();
        if is_fire_and_forget_name(name) || config.is_fire_and_forget_helper(name) {
            return true;
        }
        if name == "ContinueWith" && observes_fault(&inv) {
            return true;
        }
        cur = inv
            .receiver()
            .map(|r| strip_configure_await(r.unparenthesized()))
            .and_then(Invocation::cast);
    }
    // The work itself cannot fail: `Task.Run(() => { try { .. } catch { .. } })`.
    let first_arg = started.args().first().map(|a| a.value.unparenthesized());
    if matches!(started.name_text(), "Run" | "StartNew") {
        if let Some(f) = first_arg.and_then(Function::cast) {
            if f.is_lambda_like() && f.body().is_some_and(handles_failures) {
                return true;
            }
        }
    }
    callee_handles_failures(started, model, 0)
}

/// `ContinueWith(.., TaskContinuationOptions.OnlyOnFaulted)`, or a handler that reads the
/// antecedent's `Exception` / `IsFaulted`.
fn observes_fault(inv: &Invocation<'_>) -> bool {
    let args = inv.args();
    if args
        .iter()
        .any(|a| a.value.text().contains("OnlyOnFaulted"))
    {
        return true;
    }
    let Some(handler) = args
        .first()
        .and_then(|a| Function::cast(a.value.unparenthesized()))
    else {
        return false;
    };
    let Some((param, _)) = handler.parameters().into_iter().next() else {
        return false;
    };
    let Some(body) = handler.body() else {
        return false;
    };
    let param = param.text();
    body.descendants().any(|d| {
        d.is(SyntaxKind::MemberAccessExpression)
            && d.child_by_field(Field::Expression)
                .is_some_and(|e| e.text() == param)
            && d.child_by_field(Field::Name)
                .is_some_and(|n| matches!(n.text(), "Exception" | "IsFaulted"))
    })
}

/// Where the called method's body is, as far as this file can tell.
enum Callee<'t> {
    /// Declared in this file: these are the candidate bodies.
    Here(Vec<Function<'t>>),
    /// A method of a project class declared in another file: its body is not visible, so
    /// whether it handles its own failures is unknown.
    Elsewhere,
    /// A library method, an interface or abstract member, or nothing the file resolves.
    Unseen,
}

/// Whether the started call cannot fail unobserved: a method of this file whose body
/// handles its failures (a catch-all around its awaits, directly or in the delegate it
/// hands to `Task.Run`), or a method whose body the file cannot see (stay silent).
fn callee_handles_failures<'t>(inv: &Invocation<'t>, model: &FileModel<'t>, depth: u32) -> bool {
    if depth > 2 {
        return false;
    }
    let found = match resolve_callee(inv, model) {
        Callee::Elsewhere => return true,
        Callee::Unseen => return false,
        Callee::Here(found) => found,
    };
    found.iter().all(|f| {
        let Some(body) = f.body() else { return false };
        if handles_failures(body) {
            return true;
        }
        // `=> Task.Run(async () => { try .. catch .. })` / `{ return Task.Run(..); }`
        let returned = returned_expression(body);
        returned.is_some_and(|e| {
            let Some(call) = Invocation::cast(strip_configure_await(e.unparenthesized())) else {
                return false;
            };
            if matches!(call.name_text(), "Run" | "StartNew") {
                return call
                    .args()
                    .first()
                    .and_then(|a| Function::cast(a.value.unparenthesized()))
                    .is_some_and(|l| l.is_lambda_like() && l.body().is_some_and(handles_failures));
            }
            callee_handles_failures(&call, model, depth + 1)
        })
    })
}

/// Finds the bodies a call may run, by the receiver's type: this file's declarations first
/// (local functions in scope, methods of the type), then the project index.
fn resolve_callee<'t>(inv: &Invocation<'t>, model: &FileModel<'t>) -> Callee<'t> {
    let name = inv.name_text();
    let argc = inv.arg_count();
    let tree = model.tree();
    let receiver = inv.receiver().map(|r| r.unparenthesized());
    let on_this = receiver
        .is_none_or(|r| r.is(SyntaxKind::ThisExpression) || r.is(SyntaxKind::BaseExpression));
    let type_name: String = if on_this {
        if receiver.is_none() {
            // Local functions in scope first.
            let locals: Vec<Function<'t>> = tree
                .iter()
                .filter(|n| n.is(SyntaxKind::LocalFunctionStatement))
                .filter_map(Function::cast)
                .filter(|f| {
                    f.name_text() == name
                        && f.node.parent().is_some_and(|p| p.contains(inv.node))
                        && f.parameters().len() >= argc
                })
                .collect();
            if !locals.is_empty() {
                return Callee::Here(locals);
            }
        }
        match model.enclosing_type(inv.node) {
            Some(t) => t.name.clone(),
            None => return Callee::Unseen,
        }
    } else {
        let r = receiver.expect("not on this");
        match model.static_type_name(r) {
            Some(t) => t.to_owned(),
            None => match model.type_of(r) {
                Some(t) if !t.is_unknown() => t.name,
                _ => return Callee::Unseen,
            },
        }
    };
    // Methods of that name in this file's declarations of the type.
    let here: Vec<Function<'t>> = tree
        .iter()
        .filter(|n| crate::semantic::is_type_decl(*n))
        .filter(|n| {
            n.child_by_field(Field::Name)
                .is_some_and(|id| id.text() == type_name)
        })
        .filter_map(|t| t.child_by_field(Field::Body))
        .flat_map(|b| b.named_children())
        .filter_map(Function::cast)
        .filter(|f| {
            f.kind == FunctionKind::Method
                && f.name_text() == name
                && f.parameters().len() >= argc
                && f.body().is_some()
        })
        .collect();
    if !here.is_empty() {
        return Callee::Here(here);
    }
    // Declared by a class of another file (or a base of it): its body is out of sight.
    let mut queue: Vec<String> = vec![type_name];
    let mut seen = 0;
    while let Some(t) = queue.pop() {
        seen += 1;
        if seen > 16 {
            break;
        }
        for decl in model.types_named(&t) {
            let concrete = decl.kind != crate::semantic::TypeKind::Interface;
            if concrete
                && decl
                    .members
                    .iter()
                    .any(|m| m.kind == crate::semantic::MemberKind::Method && m.name == name)
            {
                return Callee::Elsewhere;
            }
            queue.extend(decl.bases.iter().map(|b| b.name.clone()));
        }
    }
    Callee::Unseen
}

/// The body deliberately handles its failures: a `try` with a catch-all (`catch`,
/// `catch (Exception)`, unfiltered) that covers asynchronous work (an `await` in the `try`
/// block, or any work in a non-async body), outside nested functions.
fn handles_failures(body: Node<'_>) -> bool {
    if catches_everything(body) {
        return true;
    }
    let is_async = body
        .parent()
        .and_then(Function::cast)
        .is_some_and(|f| f.is_async());
    body.descendants_pruned(is_function)
        .filter(|n| n.is(SyntaxKind::TryStatement) && has_catch_all(*n))
        .any(|t| {
            let Some(block) = t.child_by_field(Field::Body) else {
                return false;
            };
            if !is_async {
                return block.named_children().next().is_some();
            }
            await_points(block).next().is_some()
        })
}

/// The expression of `=> expr` or of a body that is one `return expr;`.
fn returned_expression(body: Node<'_>) -> Option<Node<'_>> {
    if body.is(SyntaxKind::ArrowExpressionClause) {
        return body.first_named_child();
    }
    if !body.is(SyntaxKind::Block) {
        return None;
    }
    let stmts: Vec<_> = body.named_children().filter(|s| !is_function(*s)).collect();
    match stmts.as_slice() {
        [only] if only.is(SyntaxKind::ReturnStatement) => only.first_named_child(),
        _ => None,
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
    fn flags_discarded_tasks() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.Net.Http;
using System.Threading.Tasks;
class C {
    HttpClient _http;
    Task Save() => Task.CompletedTask;
    async Task Refresh() { await Task.Delay(1); }
    void M() {
        _ = Save(); // ~ASYNC204
        _ = this.Refresh(); // ~ASYNC204
        _ = _http.GetStringAsync("x"); // ~ASYNC204
        _ = Refresh().ConfigureAwait(false); // ~ASYNC204
        _ = (Save()); // ~ASYNC204
        _ = Task.Run(async () => { await Refresh(); }); // ~ASYNC204
        _ = Task.Delay(100).ContinueWith(t => Console.WriteLine("done")); // ~ASYNC204
        Action a = () => _ = Save(); // ~ASYNC204
    }
    async Task N() {
        _ = Refresh(); // ~ASYNC204
        await Task.Yield();
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn flags_each_kind_of_task_call_on_its_own() {
        // One discard per member: each must keep its member's body parsed by itself.
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    Task Save() => Task.CompletedTask;
    int Count() => 1;
    void A() { _ = Save(); } // ~ASYNC204
    void B() { _ = Local(); Task Local() => Save(); } // ~ASYNC204
    void D() { _ = Task.Run(() => Count()); } // ~ASYNC204
    void E(System.IO.Stream s) { _ = s.FlushAsync(); } // ~ASYNC204
    void F() { _ = Count(); }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_observed_or_not_a_task() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading.Tasks;
static class TaskExtensions {
    public static Task FireAndForget(this Task t) => t;
    public static Task Forget(this Task t) => t;
    public static Task SafeFireAndForget(this Task t, Action<Exception> onError) => t;
    public static Task LogExceptions(this Task t) => t;
}
static class Background { public static Task Forget(Task t) => t; }
class C {
    Task _pending;
    Task Save() => Task.CompletedTask;
    int Count() => 1;
    void M(System.IO.BinaryReader reader) {
        _ = Save().ContinueWith(t => Console.Error.WriteLine(t.Exception), TaskContinuationOptions.OnlyOnFaulted);
        _ = Save().ContinueWith(t => Log(t), TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        _ = Save().ContinueWith(t => { if (t.IsFaulted) Log(t); });
        _ = Save().FireAndForget();
        _ = Save().Forget();
        _ = Save().SafeFireAndForget(e => Console.WriteLine(e));
        _ = Save().ConfigureAwait(false).LogExceptions();
        _ = Background.Forget(Save());
        _ = Task.Factory.StartNew(async () => await Save());
        _ = _pending;
        _ = Task.CompletedTask;
        _ = Task.FromResult(1);
        _ = int.TryParse("1", out var n);
        _ = reader.ReadInt32();
        _ = Count();
        _ = unknown.Call();
        var _ = Save();
    }
    async Task N() { _ = await Save().ContinueWith(t => 1); }
    void Log(Task t) { }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_the_work_catches_everything() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading.Tasks;
class Streamer {
    void Start() {
        _ = Task.Run(async () => {
            try { await Task.Delay(1); }
            catch (Exception ex) { Console.Error.WriteLine(ex); }
        });
        _ = Pump();
        _ = this.Pump();
        _ = Loop(3);
        _ = Task.Factory.StartNew(() => { try { Work(); } catch { } });
    }
    private async Task Pump() {
        try { await Task.Delay(1); }
        catch (Exception ex) { Console.Error.WriteLine(ex); }
    }
    private Task Loop(int n) {
        return Task.Run(async () => {
            try { await Task.Delay(n); }
            catch (System.Exception) { }
        });
    }
    void Work() { }
}
"#,
            ProjectKind::Library,
        );
        // A catch that does not catch everything does not count.
        assert_marked(
            &RULE,
            r#"
using System;
using System.Threading.Tasks;
class Streamer {
    void Start() {
        _ = Pump(); // ~ASYNC204
        _ = Filtered(); // ~ASYNC204
        _ = Task.Run(async () => { try { await Task.Delay(1); } catch (TimeoutException) { } }); // ~ASYNC204
        _ = other.Pump(); // ~ASYNC204
        _ = Half(); // ~ASYNC204
    }
    private async Task Pump() {
        try { await Task.Delay(1); }
        catch (InvalidOperationException ex) { Console.Error.WriteLine(ex); }
    }
    private async Task Filtered() {
        try { await Task.Delay(1); }
        catch (Exception ex) when (ex is TimeoutException) { }
    }
    private async Task Half() {
        await Task.Delay(1);
        try { Parse(); } catch { }
    }
    void Parse() { }
    Streamer other;
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_the_body_handles_its_failures_around_other_statements() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
class Pipe {
    void Open(Stream source, CancellationToken ct) {
        _ = Copy(source, ct);
        _ = Watch(ct);
        _ = Relay(source);
        Complete(source);
        void Complete(Stream s) {
            _ = Inner(s);
            async Task Inner(Stream x) {
                try { await x.FlushAsync(); }
                catch (Exception) { }
                Console.WriteLine("flushed");
            }
        }
    }
    private async Task Copy(Stream source, CancellationToken ct) {
        var buffer = new byte[16];
        using (source) {
            try {
                while (await source.ReadAsync(buffer, 0, 16, ct) > 0) { }
            } catch (OperationCanceledException) {
            } catch (Exception ex) {
                Console.Error.WriteLine(ex);
            }
            Console.WriteLine("done");
        }
    }
    private async Task Watch(CancellationToken ct) {
        while (!ct.IsCancellationRequested) {
            try { await Task.Delay(1000, ct); }
            catch { }
        }
    }
    private Task Relay(Stream s) {
        return Task.Run(async () => {
            try { await s.FlushAsync(); }
            catch (Exception ex) { Console.Error.WriteLine(ex); }
            s.Dispose();
        }, CancellationToken.None);
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_project_methods_whose_body_is_in_another_file() {
        // Whether `Recorder.Record` handles its own failures is in a body this file does
        // not see; interface members and library calls are still flagged.
        assert_marked_files(
            &RULE,
            r#"
//- Lib/Recorder.cs
using System.Threading.Tasks;
public interface IPublisher { Task PublishAsync(string m); }
public class Recorder { public async Task Record(string line) { await Task.Yield(); } }
public class LoudRecorder : Recorder { }
//- App/Use.cs
using System.Net.Http;
public class Use {
    private readonly IPublisher _publisher;
    private readonly HttpClient _http;
    public void M() {
        _ = new Recorder().Record("x");
        _ = new LoudRecorder().Record("y");
        _ = _publisher.PublishAsync("z"); // ~ASYNC204
        _ = _http.GetStringAsync("u"); // ~ASYNC204
    }
}
"#,
        );
    }

    #[test]
    fn silent_when_underscore_is_a_variable() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading.Tasks;
class C {
    Task Save() => Task.CompletedTask;
    void M() {
        Task _ = null;
        _ = Save();
        Func<Task, Task> f = _ => { _ = Save(); return _; };
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
//- Lib/Notifier.cs
using System.Threading.Tasks;
public interface INotifier { Task NotifyAsync(); void Notify(); Task Ping(); }
//- App/Use.cs
public class Use {
    private readonly INotifier _n;
    public void M() {
        _ = _n.NotifyAsync(); // ~ASYNC204
        _ = _n.Ping(); // ~ASYNC204
    }
}
"#,
        );
    }
}
