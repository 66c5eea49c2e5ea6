//! ASYNC406 cancellation-swallowed: in a loop that runs until a token is cancelled, a
//! `catch (Exception)` that also catches the cancellation.

use super::{is_token_expr, params_of, tokens_in_scope, ScopeToken};
use crate::diagnostic::Severity;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::FileModel;
use crate::syntax::views::{
    is_function, Argument, Function, FunctionKind, Invocation, MemberAccess,
};
use crate::syntax::{Field, Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC406",
    name: "cancellation-swallowed",
    family: Family::Cancellation,
    summary: "A catch (Exception) in a cancellable loop that swallows OperationCanceledException",
    default_severity: Severity::Info,
    severity: severity::info,
    fixable: false,
    kinds: &[SyntaxKind::CatchClause],
    tokens: &["catch & while", "catch & for", "catch & foreach"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "In a loop that runs until a token is cancelled — \
`while (!ct.IsCancellationRequested)`, `await foreach` over a source given a token \
(`reader.ReadAllAsync(ct)`, `.WithCancellation(ct)`), or any loop of a \
`BackgroundService.ExecuteAsync` override — flags a `catch (Exception)` (or a bare `catch`) \
around work that is given a token, when the catch neither filters nor rethrows and no \
earlier clause of the same `try` catches `OperationCanceledException`.",
        why: "Cancellation arrives as an `OperationCanceledException` thrown from the awaited \
work. A catch-all in the loop takes it for a failure: shutdown is logged as an error, and a \
loop whose condition does not look at the token (or that retries after a delay) spins on, \
so the host waits for the shutdown timeout and kills it.",
        example: r#"
using System;
using System.Threading;
using System.Threading.Tasks;

class Worker
{
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(1000, stoppingToken);
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine(ex);
            }
        }
    }
}
"#,
        use_instead: r#"
using System;
using System.Threading;
using System.Threading.Tasks;

class Worker
{
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(1000, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine(ex);
            }
        }
    }
}
"#,
        silent_when: "A catch with any `when` filter, a catch that rethrows (`throw;` or \
`throw ..` anywhere in it) or that looks at the cancellation itself (mentions \
`OperationCanceledException`, `TaskCanceledException`, `IsCancellationRequested` or \
`ThrowIfCancellationRequested`), an earlier `catch (OperationCanceledException)` or \
`catch (TaskCanceledException)` in the same `try`, catches of specific exception types, a \
`try` whose work is given no token (nothing there can throw the cancellation), and catches \
outside such loops (a `try` around the whole loop ends it anyway).",
        fix: "None offered. Add `catch (OperationCanceledException) when \
(token.IsCancellationRequested) { break; }` before the catch-all, or filter it with \
`when (ex is not OperationCanceledException)`.",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    if !is_unfiltered_catch_all(node) {
        return;
    }
    let Some(try_stmt) = node.parent().filter(|p| p.is(SyntaxKind::TryStatement)) else {
        return;
    };
    let earlier_cancel_catch = try_stmt
        .children()
        .filter(|c| c.is(SyntaxKind::CatchClause))
        .take_while(|c| *c != node)
        .any(catches_cancellation);
    if earlier_cancel_catch {
        return;
    }
    let Some(body) = node.child_by_field(Field::Body) else {
        return;
    };
    if handles_cancellation(body) {
        return;
    }
    let Some(func) = model.function_of(node) else {
        return;
    };
    let Some(token) = cancellable_loop(model, &func, try_stmt) else {
        return;
    };
    let Some(work) = try_stmt.child_by_field(Field::Body) else {
        return;
    };
    let scope = tokens_in_scope(model, node);
    if !gives_a_token(model, work, &scope) {
        return;
    }
    let header_end = node
        .child_of_kind(SyntaxKind::CatchDeclaration)
        .map(|d| d.end())
        .unwrap_or_else(|| node.start() + "catch".len());
    let shown = match node.child_of_kind(SyntaxKind::CatchDeclaration) {
        Some(d) => format!("catch {}", d.text()),
        None => "catch".to_owned(),
    };
    let message = format!(
        "`{shown}` in a loop that runs until `{token}` is cancelled also catches the OperationCanceledException of a shutdown: it is logged as an error or the loop spins; catch `OperationCanceledException` first (or filter it out)"
    );
    ctx.report_range(node, node.start()..header_end, message);
}

/// A bare `catch` or `catch (Exception [e])`, with no `when` filter.
fn is_unfiltered_catch_all(clause: Node<'_>) -> bool {
    if clause
        .children()
        .any(|c| c.kind() != SyntaxKind::Block && c.text().starts_with("when"))
    {
        return false;
    }
    match clause.child_of_kind(SyntaxKind::CatchDeclaration) {
        None => true,
        Some(decl) => decl.child_by_field(Field::Type).is_some_and(|t| {
            matches!(
                t.text().trim_start_matches("global::"),
                "Exception" | "System.Exception"
            )
        }),
    }
}

/// `catch (OperationCanceledException ..)` / `catch (TaskCanceledException ..)`.
fn catches_cancellation(clause: Node<'_>) -> bool {
    clause
        .child_of_kind(SyntaxKind::CatchDeclaration)
        .and_then(|d| d.child_by_field(Field::Type))
        .is_some_and(|t| {
            let simple = t.text().rsplit('.').next().unwrap_or("");
            matches!(
                simple,
                "OperationCanceledException" | "TaskCanceledException"
            )
        })
}

/// A catch body that rethrows or looks at the cancellation.
fn handles_cancellation(body: Node<'_>) -> bool {
    body.descendants_pruned(is_function).any(|d| {
        d.is(SyntaxKind::ThrowStatement)
            || d.is(SyntaxKind::ThrowExpression)
            || (d.is(SyntaxKind::Identifier)
                && matches!(
                    d.text(),
                    "OperationCanceledException"
                        | "TaskCanceledException"
                        | "IsCancellationRequested"
                        | "ThrowIfCancellationRequested"
                ))
    })
}

/// The loop around `try_stmt` (in the same function) that runs until a token is cancelled,
/// shown by the token's text.
fn cancellable_loop<'t>(
    model: &FileModel<'t>,
    func: &Function<'t>,
    try_stmt: Node<'t>,
) -> Option<String> {
    let execute_token = background_service_token(func);
    let mut child = try_stmt;
    for a in try_stmt.ancestors() {
        if a == func.node {
            break;
        }
        let is_loop = matches!(
            a.kind(),
            SyntaxKind::WhileStatement
                | SyntaxKind::DoStatement
                | SyntaxKind::ForStatement
                | SyntaxKind::ForeachStatement
        );
        // Only a try in the loop's body repeats with it (not one in its condition).
        let in_body = a.child_by_field(Field::Body) == Some(child);
        if is_loop && in_body {
            if let Some(t) = loop_token(model, a) {
                return Some(t);
            }
            if let Some(t) = execute_token {
                return Some(t.to_owned());
            }
        }
        child = a;
    }
    None
}

/// `while (!ct.IsCancellationRequested)` (also `do .. while`, a `for` condition), or
/// `await foreach` over a source given a token.
fn loop_token<'t>(model: &FileModel<'t>, l: Node<'t>) -> Option<String> {
    match l.kind() {
        SyntaxKind::ForeachStatement => {
            if super::super::context::await_keyword(l).is_none() {
                return None;
            }
            let source = l.child_by_field(Field::Right)?;
            let mut nodes = std::iter::once(source).chain(source.descendants());
            nodes.find_map(|n| {
                let call = Invocation::cast(n)?;
                call.args()
                    .into_iter()
                    .find(|a| is_token_expr(model, a.value, &[]))
                    .map(|a| a.value.text().to_owned())
            })
        }
        _ => {
            let cond = l.child_by_field(Field::Condition)?;
            std::iter::once(cond)
                .chain(cond.descendants())
                .find_map(|n| {
                    let ma = MemberAccess::cast(n)?;
                    (ma.name_text() == "IsCancellationRequested")
                        .then(|| ma.receiver.text().to_owned())
                })
        }
    }
}

/// The token parameter of a `BackgroundService.ExecuteAsync` override.
fn background_service_token<'t>(func: &Function<'t>) -> Option<&'t str> {
    if func.kind != FunctionKind::Method
        || func.name_text() != "ExecuteAsync"
        || !func.has_modifier("override")
    {
        return None;
    }
    params_of(func)
        .into_iter()
        .find(|p| p.is_token())
        .map(|p| p.name.text())
}

/// Whether the work of a `try` body hands a token to something that can throw the
/// cancellation (an argument that is a token, or `ThrowIfCancellationRequested()`).
fn gives_a_token<'t>(model: &FileModel<'t>, work: Node<'t>, scope: &[ScopeToken<'t>]) -> bool {
    work.descendants().any(|d| {
        if d.is(SyntaxKind::Argument) {
            return Argument::cast(d).is_some_and(|a| is_token_expr(model, a.value, scope));
        }
        d.is(SyntaxKind::Identifier) && d.text() == "ThrowIfCancellationRequested"
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
    fn flags_catch_alls_in_cancellable_loops() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
class Worker : BackgroundService {
    private readonly ChannelReader<int> _reader;
    protected override async Task ExecuteAsync(CancellationToken stoppingToken) {
        while (true) {
            try { await Task.Delay(1000, stoppingToken); }
            catch (Exception ex) { Console.WriteLine(ex); } // ~ASYNC406
        }
    }
    async Task Loop(CancellationToken ct) {
        while (!ct.IsCancellationRequested) {
            try { await Work(ct); }
            catch { } // ~ASYNC406
        }
        do {
            try { ct.ThrowIfCancellationRequested(); }
            catch (System.Exception) { } // ~ASYNC406
        } while (!ct.IsCancellationRequested);
        await foreach (var item in _reader.ReadAllAsync(ct)) {
            try { await Work(ct); }
            catch (ArgumentException) { }
            catch (Exception e) { Console.WriteLine(e); break; } // ~ASYNC406
        }
    }
    Task Work(CancellationToken ct) => Task.CompletedTask;
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_cancellation_is_handled_or_cannot_arrive() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
class Worker {
    async Task Loop(CancellationToken ct, List<int> items) {
        while (!ct.IsCancellationRequested) {
            try { await Work(ct); }
            catch (OperationCanceledException) { break; }
            catch (Exception ex) { Console.WriteLine(ex); }
            try { await Work(ct); }
            catch (TaskCanceledException) { }
            catch (Exception ex) { Console.WriteLine(ex); }
            try { await Work(ct); }
            catch (Exception ex) when (ex is not OperationCanceledException) { Console.WriteLine(ex); }
            try { await Work(ct); }
            catch (Exception ex) when (!ct.IsCancellationRequested) { Console.WriteLine(ex); }
            try { await Work(ct); }
            catch (Exception ex) { if (ex is OperationCanceledException) break; Console.WriteLine(ex); }
            try { await Work(ct); }
            catch (Exception ex) { if (ct.IsCancellationRequested) return; Console.WriteLine(ex); }
            try { await Work(ct); }
            catch (Exception) { Cleanup(); throw; }
            try { Sync(); }
            catch (Exception ex) { Console.WriteLine(ex); }
            try { await Work(ct); }
            catch (InvalidOperationException ex) { Console.WriteLine(ex); }
            await Task.Delay(100, ct);
        }
        try {
            while (!ct.IsCancellationRequested) { await Work(ct); }
        } catch (Exception ex) { Console.WriteLine(ex); }
        foreach (var i in items) {
            try { await Work(ct); } catch (Exception ex) { Console.WriteLine(ex); }
        }
        while (true) {
            try { await Work(ct); } catch (Exception ex) { Console.WriteLine(ex); }
        }
    }
    protected async Task ExecuteAsync(CancellationToken stoppingToken) {
        while (true) { try { await Work(stoppingToken); } catch (Exception) { } }
    }
    Task Work(CancellationToken ct) => Task.CompletedTask;
    void Sync() { }
    void Cleanup() { }
}
"#,
            ProjectKind::Library,
        );
    }
}
