//! ASYNC605 loop-variable-captured-by-async-lambda: a `for` loop variable captured by an
//! async lambda that runs after the iteration.

use crate::diagnostic::Severity;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::strip_configure_await;
use crate::syntax::views::{Function, Invocation, MemberAccess};
use crate::syntax::{Field, Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC605",
    name: "loop-variable-captured-by-async-lambda",
    family: Family::Resources,
    summary: "A for-loop variable captured by an async lambda that runs later",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: false,
    kinds: &[
        SyntaxKind::LambdaExpression,
        SyntaxKind::AnonymousMethodExpression,
    ],
    tokens: &["async & for"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags an async lambda (or async anonymous method) inside the body of a `for` \
loop that uses a variable the loop declares and advances (`for (int i = 0; i < n; i++)`), \
when the lambda is started as a task that the iteration does not wait for: passed to \
`Task.Run`, `Task.Factory.StartNew`, `ThreadPool.QueueUserWorkItem`, `new Task(..)` or `new \
Thread(..)` whose result is added to a collection, stored in an array element, discarded or \
left unobserved, or the lambda itself added to a collection (`jobs.Add(async () => ..)`). \
Reported at the first use of the loop variable inside the lambda.",
        why: "A `for` loop has one variable for all its iterations. The lambda captures the \
variable, not its value; by the time the task runs, the loop has moved on, and every task \
typically sees the final value (`i == n`, often an IndexOutOfRangeException on `items[i]`). \
`foreach` does not have this problem since C# 5: its variable is fresh in every iteration.",
        example: r#"
using System.Collections.Generic;
using System.Threading.Tasks;

class Uploader
{
    public async Task UploadAllAsync(string[] files)
    {
        var tasks = new List<Task>();
        for (int i = 0; i < files.Length; i++)
        {
            tasks.Add(Task.Run(async () => await UploadAsync(files[i])));
        }
        await Task.WhenAll(tasks);
    }

    private Task UploadAsync(string file) => Task.CompletedTask;
}
"#,
        use_instead: r#"
using System.Collections.Generic;
using System.Threading.Tasks;

class Uploader
{
    public async Task UploadAllAsync(string[] files)
    {
        var tasks = new List<Task>();
        for (int i = 0; i < files.Length; i++)
        {
            var file = files[i];
            tasks.Add(Task.Run(async () => await UploadAsync(file)));
        }
        await Task.WhenAll(tasks);
    }

    private Task UploadAsync(string file) => Task.CompletedTask;
}
"#,
        silent_when: "`foreach` variables (fresh per iteration); a copy of the loop variable \
into a local inside the body (`var index = i;`), used by the lambda instead; the started \
task awaited or waited on inside the iteration (`await Task.Run(async () => ..i..)`), or \
kept in a local the iteration then uses otherwise than adding it to a collection; lambdas \
passed to other methods (which may run them before returning); non-async lambdas; a loop \
that never changes the variable; a lambda parameter or local that shadows it.",
        fix: "None automatic. Copy the loop variable into a local declared inside the loop \
body and capture the copy, or loop with `foreach` over the items.",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let Some(lambda) = Function::cast(node) else {
        return;
    };
    if !lambda.is_async() || !runs_after_iteration(node) {
        return;
    }
    for loop_stmt in node.ancestors() {
        if matches!(
            loop_stmt.kind(),
            SyntaxKind::MethodDeclaration
                | SyntaxKind::ConstructorDeclaration
                | SyntaxKind::AccessorDeclaration
                | SyntaxKind::LocalFunctionStatement
        ) {
            return;
        }
        if !loop_stmt.is(SyntaxKind::ForStatement) {
            continue;
        }
        let in_body = loop_stmt
            .child_by_field(Field::Body)
            .is_some_and(|b| b.contains(node));
        if !in_body {
            continue;
        }
        for var in loop_variables(loop_stmt) {
            if !advanced(loop_stmt, var) || declared_inside(node, var) {
                continue;
            }
            if let Some(first) = first_use(node, var) {
                let msg = format!(
                    "the async lambda captures the `for` loop variable `{var}`, which the loop keeps changing: when the task runs it sees a later value (usually the last); copy it into a local inside the loop and capture the copy"
                );
                ctx.report(first, msg);
                return;
            }
        }
    }
}

/// The lambda is started as a task nobody waits for in the iteration, or stored to run
/// later.
fn runs_after_iteration(lambda: Node<'_>) -> bool {
    let Some(arg) = lambda.parent().filter(|p| p.is(SyntaxKind::Argument)) else {
        return false;
    };
    let Some(call) = arg.parent().and_then(|l| l.parent()) else {
        return false;
    };
    if matches!(call.kind(), SyntaxKind::ObjectCreationExpression) {
        let ty = call
            .child_by_field(Field::Type)
            .map(|t| t.text())
            .unwrap_or("");
        return matches!(ty, "Task" | "Thread" | "System.Threading.Thread")
            && started_unobserved(call);
    }
    let Some(inv) = Invocation::cast(call) else {
        return false;
    };
    let name = inv.name_text();
    let recv = inv.receiver().map(|r| r.text()).unwrap_or("");
    match name {
        "Run" if recv == "Task" || recv.ends_with(".Task") => started_unobserved(call),
        "StartNew" => started_unobserved(call),
        "QueueUserWorkItem" | "UnsafeQueueUserWorkItem" => true,
        "Add" | "Enqueue" | "Push" | "TryAdd" | "Insert" => true,
        _ => false,
    }
}

/// A task-starting expression whose task is not awaited or waited on where it starts: it
/// is an expression statement, a discard, an argument of `Add`-like calls, an array
/// element assignment, or a local that the loop only adds to a collection.
fn started_unobserved(start: Node<'_>) -> bool {
    let mut top = start;
    while let Some(p) = top.parent() {
        if p.is(SyntaxKind::ParenthesizedExpression) {
            top = p;
            continue;
        }
        // `.ConfigureAwait(false)` / `.Unwrap()` on the started task.
        if p.is(SyntaxKind::MemberAccessExpression) {
            if let Some(i) = p.parent().and_then(Invocation::cast) {
                let passes = match i.name_text() {
                    "ConfigureAwait" => strip_configure_await(i.node) == top,
                    "Unwrap" => i.receiver() == Some(top),
                    _ => false,
                };
                if passes {
                    top = i.node;
                    continue;
                }
            }
        }
        break;
    }
    let Some(parent) = top.parent() else {
        return false;
    };
    match parent.kind() {
        SyntaxKind::ExpressionStatement => true,
        SyntaxKind::AssignmentExpression => {
            parent.child_by_field(Field::Right) == Some(top)
                && parent.child_by_field(Field::Left).is_some_and(|l| {
                    l.text().trim() == "_" || l.is(SyntaxKind::ElementAccessExpression)
                })
        }
        SyntaxKind::Argument => parent
            .parent()
            .and_then(|l| l.parent())
            .and_then(Invocation::cast)
            .is_some_and(|i| is_store_call(i.name_text())),
        SyntaxKind::VariableDeclarator => {
            let Some(name) = parent.child_by_field(Field::Name) else {
                return false;
            };
            let Some(block) = parent.ancestors().find(|a| a.is(SyntaxKind::Block)) else {
                return false;
            };
            let uses: Vec<Node<'_>> = block
                .descendants()
                .filter(|d| {
                    d.is(SyntaxKind::Identifier)
                        && d.text() == name.text()
                        && d.start() > name.start()
                })
                .collect();
            !uses.is_empty()
                && uses.iter().all(|u| {
                    u.parent()
                        .filter(|p| p.is(SyntaxKind::Argument))
                        .and_then(|a| a.parent())
                        .and_then(|l| l.parent())
                        .and_then(Invocation::cast)
                        .is_some_and(|i| is_store_call(i.name_text()))
                })
        }
        _ => false,
    }
}

fn is_store_call(name: &str) -> bool {
    matches!(name, "Add" | "Enqueue" | "Push" | "TryAdd" | "Insert")
}

/// The variables a `for` statement declares in its initializer.
fn loop_variables<'t>(for_stmt: Node<'t>) -> Vec<&'t str> {
    for_stmt
        .children()
        .filter(|c| c.field() == Field::Initializer && c.is(SyntaxKind::VariableDeclaration))
        .flat_map(|d| d.named_children())
        .filter(|c| c.is(SyntaxKind::VariableDeclarator))
        .filter_map(|d| d.child_by_field(Field::Name))
        .map(|n| n.text())
        .collect()
}

/// Whether the loop changes the variable: in its update clause, or by assignment, `++` or
/// `--` in the body.
fn advanced(for_stmt: Node<'_>, var: &str) -> bool {
    for_stmt.descendants().any(|d| {
        if !d.is(SyntaxKind::Identifier) || d.text() != var {
            return false;
        }
        let Some(p) = d.parent() else { return false };
        if p.is(SyntaxKind::AssignmentExpression) {
            return p.child_by_field(Field::Left) == Some(d);
        }
        if p.is(SyntaxKind::PrefixUnaryExpression) {
            return p.text().starts_with("++") || p.text().starts_with("--");
        }
        // postfix `i++` / `i--` (not a named kind)
        p.kind() == SyntaxKind::Other
            && (p.text().ends_with("++") || p.text().ends_with("--"))
            && p.first_named_child() == Some(d)
    })
}

/// A parameter or local of that name inside the lambda.
fn declared_inside(scope: Node<'_>, name: &str) -> bool {
    scope.descendants().any(|d| match d.kind() {
        SyntaxKind::Parameter | SyntaxKind::VariableDeclarator => d
            .child_by_field(Field::Name)
            .is_some_and(|n| n.text() == name),
        SyntaxKind::ImplicitParameter => d.text() == name,
        SyntaxKind::ForeachStatement => d
            .child_by_field(Field::Left)
            .is_some_and(|n| n.text() == name),
        _ => false,
    })
}

/// The first use of the variable in the lambda: an identifier that is not the member
/// name of an access (`x.i`) or the name of a named argument (`i: 3`).
fn first_use<'t>(lambda: Node<'t>, var: &str) -> Option<Node<'t>> {
    lambda.descendants().find(|d| {
        if !d.is(SyntaxKind::Identifier) || d.text() != var {
            return false;
        }
        let Some(p) = d.parent() else { return true };
        if let Some(ma) = MemberAccess::cast(p) {
            if ma.name == *d {
                return false;
            }
        }
        if p.is(SyntaxKind::Argument) && p.child_by_field(Field::Name) == Some(*d) {
            return false;
        }
        !p.is(SyntaxKind::MemberBindingExpression)
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
    fn flags_captured_loop_variables() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
class Jobs {
    async Task A(string[] files) {
        var tasks = new List<Task>();
        for (int i = 0; i < files.Length; i++) {
            tasks.Add(Task.Run(async () => await Upload(files[i]))); // ~ASYNC605
        }
        await Task.WhenAll(tasks);
    }
    void B(int n) {
        for (var i = 0; i < n; ++i)
            _ = Task.Run(async () => { await Task.Delay(10); Console.WriteLine(i); }); // ~ASYNC605
    }
    void C(int n) {
        var tasks = new Task[n];
        for (int i = 0, j = 10; i < n; i++, j--) {
            tasks[i] = Task.Factory.StartNew(async () => await Upload(j.ToString())).Unwrap(); // ~ASYNC605
        }
    }
    void D(int n, List<Func<Task>> work) {
        for (int i = 0; i < n; i++) {
            work.Add(async () => await Upload(i.ToString())); // ~ASYNC605
        }
    }
    void E(int n, List<Task> started) {
        for (int i = 0; i < n; i++) {
            var t = Task.Run(async () => {
                await Task.Yield();
                Console.WriteLine(
                    i); // ~ASYNC605
            });
            started.Add(t);
        }
    }
    Task Upload(string f) => Task.CompletedTask;
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_foreach_copies_and_awaited_tasks() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
class Jobs {
    async Task Foreach(string[] files) {
        var tasks = new List<Task>();
        foreach (var f in files) {
            tasks.Add(Task.Run(async () => await Upload(f)));
        }
        await Task.WhenAll(tasks);
    }
    async Task Copy(string[] files) {
        var tasks = new List<Task>();
        for (int i = 0; i < files.Length; i++) {
            var index = i;
            tasks.Add(Task.Run(async () => await Upload(files[index])));
        }
        await Task.WhenAll(tasks);
    }
    async Task AwaitedInIteration(string[] files) {
        for (int i = 0; i < files.Length; i++) {
            await Task.Run(async () => await Upload(files[i]));
            await Task.Run(async () => await Upload(files[i])).ConfigureAwait(false);
            Task.Run(async () => await Upload(files[i])).Wait();
            var t = Task.Run(async () => await Upload(files[i]));
            await t;
        }
    }
    async Task PassedToOtherMethods(string[] files) {
        for (int i = 0; i < files.Length; i++) {
            await Retry(async () => await Upload(files[i]));
        }
    }
    void NotAsync(string[] files) {
        for (int i = 0; i < files.Length; i++) {
            Task.Run(() => Console.WriteLine(i));
        }
    }
    void Shadowed(int n, List<Func<int, Task>> work) {
        for (int i = 0; i < n; i++) {
            work.Add(async i => await Upload(i.ToString()));
        }
    }
    void NotAdvanced(int n) {
        for (int i = 0; ; ) {
            _ = Task.Run(async () => await Upload(i.ToString()));
            break;
        }
    }
    void OtherMembers(Item[] items) {
        for (int i = 0; i < items.Length; i++) {
            var item = items[i];
            _ = Task.Run(async () => await Upload(item.i));
        }
    }
    Task Retry(Func<Task> f) => f();
    Task Upload(string f) => Task.CompletedTask;
}
class Item { public string i; }
"#,
            ProjectKind::Library,
        );
    }
}
