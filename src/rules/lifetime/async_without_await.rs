//! ASYNC205 async-without-await: an async method or lambda with no `await` (CS1998).

use crate::diagnostic::Severity;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::syntax::views::{is_function, Function, FunctionKind};
use crate::syntax::{Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC205",
    name: "async-without-await",
    family: Family::Lifetime,
    summary: "An async method or lambda that never awaits",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: false,
    kinds: &[
        SyntaxKind::MethodDeclaration,
        SyntaxKind::LocalFunctionStatement,
        SyntaxKind::LambdaExpression,
        SyntaxKind::AnonymousMethodExpression,
    ],
    tokens: &["async"],
    // With one `async` in the member, an `await` in its code can only be that function's.
    may_flag_member: Some(|m| m.count("async") >= 2 || !m.has("await")),
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags an `async` method, local function, lambda or anonymous method whose body \
contains no `await` (nor `await foreach` / `await using`) of its own — compiler warning \
CS1998.",
        why: "Without an await the method runs synchronously from start to end, on the \
caller's thread, while its signature promises asynchrony; the compiler still builds a state \
machine for it. Often an `await` was forgotten and a task is dropped inside. Exceptions are \
captured into the returned task instead of being thrown at the call, which surprises callers \
that validate arguments.",
        example: r#"
using System.Threading.Tasks;

class Cache
{
    private int _value;

    public async Task<int> GetAsync()
    {
        return _value;
    }
}
"#,
        use_instead: r#"
using System.Threading.Tasks;

class Cache
{
    private int _value;

    public Task<int> GetAsync()
    {
        return Task.FromResult(_value);
    }
}
"#,
        silent_when: "A body that only throws (`throw new NotImplementedException()`), an \
abstract or partial method without a body, async iterators (`yield return` without await is \
legal and common), and bodies with syntax errors. Awaits inside nested lambdas or local \
functions do not count for the outer method.",
        fix: "None automatic: either drop `async` and return `Task.FromResult(..)` / \
`Task.CompletedTask` (and rethrow through `Task.FromException`), or add the missing `await`.",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let Some(f) = Function::cast(node) else {
        return;
    };
    if !f.is_async() {
        return;
    }
    let Some(body) = f.body() else { return };
    if only_throws(body) {
        return;
    }
    let mut has_await = false;
    for n in body.descendants_pruned(is_function) {
        if n.is(SyntaxKind::AwaitExpression)
            || (!n.is_named() && n.text() == "await")
            || n.is(SyntaxKind::YieldStatement)
        {
            has_await = true;
            break;
        }
    }
    if has_await {
        return;
    }
    let what = match f.kind {
        FunctionKind::Lambda => "async lambda",
        FunctionKind::AnonymousMethod => "async anonymous method",
        FunctionKind::LocalFunction => "async local function",
        _ => "async method",
    };
    let name = f
        .name()
        .map(|n| format!(" `{}`", n.text()))
        .unwrap_or_default();
    let message = format!(
        "{what}{name} has no `await`: it runs synchronously; remove `async` and return a completed task, or await what it starts"
    );
    ctx.report(f.report_node(), message);
}

/// `{ throw ...; }` or `=> throw ...`.
fn only_throws(body: Node<'_>) -> bool {
    let inner = if body.is(SyntaxKind::ArrowExpressionClause) {
        body.first_named_child()
    } else {
        Some(body)
    };
    let Some(inner) = inner else { return false };
    match inner.kind() {
        SyntaxKind::ThrowExpression => true,
        SyntaxKind::Block => {
            let stmts: Vec<_> = inner.named_children().collect();
            stmts.len() == 1 && stmts[0].is(SyntaxKind::ThrowStatement)
        }
        _ => false,
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
    fn flags_async_without_await() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.Threading.Tasks;
class C {
    public async Task<int> Get() { return 1; } // ~ASYNC205
    public async Task Empty() { } // ~ASYNC205
    async Task Arrow() => Console.WriteLine(); // ~ASYNC205
    void M() {
        Func<Task> f = async () => Console.WriteLine(); // ~ASYNC205
        Func<Task> g = async delegate { Console.WriteLine(); }; // ~ASYNC205
        async Task Local() { } // ~ASYNC205
    }
    public async Task OuterOnly() { // ~ASYNC205
        Func<Task> inner = async () => await Task.Yield();
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_when_it_awaits_or_only_throws() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Collections.Generic;
using System.Threading.Tasks;
class C {
    public async Task A() { await Task.Yield(); }
    public async Task B() => await Task.Yield();
    public async Task Throws() { throw new NotImplementedException(); }
    public async Task<int> ThrowsArrow() => throw new NotSupportedException();
    public async Task Foreach(IAsyncEnumerable<int> xs) { await foreach (var x in xs) { } }
    public async Task Using(IAsyncDisposable d) { await using (d) { } }
    public async IAsyncEnumerable<int> Iter() { yield return 1; }
    public Task NotAsync() => Task.CompletedTask;
    void M() { Func<Task> f = async () => await Task.Yield(); }
    public abstract Task Abstract();
}
"#,
            ProjectKind::Library,
        );
    }
}
