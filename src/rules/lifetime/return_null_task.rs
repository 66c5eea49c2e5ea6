//! ASYNC206 return-null-task: `return null;` in a non-async method that returns a task.

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::project::Framework;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{strip_configure_await, FileModel};
use crate::syntax::views::{is_function, Function, FunctionKind, Invocation};
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC206",
    name: "return-null-task",
    family: Family::Lifetime,
    summary: "A non-async method returns null where a Task is expected",
    default_severity: Severity::Error,
    severity: severity::error,
    fixable: true,
    kinds: &[
        SyntaxKind::MethodDeclaration,
        SyntaxKind::LocalFunctionStatement,
    ],
    tokens: &["*Task & null", "*Task & default"],
    may_flag_member: Some(may_return_null),
    // The fix is safe only when every caller in the file awaits the task.
    reads_callers: true,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags a method or local function that is not `async`, whose declared return \
type is `Task`, `Task<T>` or `ValueTask<T>`, and that returns `null` (`return null;`, \
`=> null`, `null!`, `default` of a `Task` type, or `null` as a branch of a returned \
`c ? x : null`). Reported once per method, at its name.",
        why: "A task-returning method promises something to await. `await` on a null task \
throws NullReferenceException in the caller, far from the `return null` that caused it, and \
`Task.WhenAll` / `ContinueWith` fail the same way. In an `async` method `return null;` is \
fine (it is the task's result); without `async` it is the task itself.",
        example: r#"
using System.Threading.Tasks;

class Cache
{
    private string _value;

    public Task<string> GetAsync(string key)
    {
        if (key == null)
            return null;
        return Task.FromResult(_value);
    }
}
"#,
        use_instead: r#"
using System.Threading.Tasks;

class Cache
{
    private string _value;

    public Task<string> GetAsync(string key)
    {
        if (key == null)
            return Task.FromResult<string>(null);
        return Task.FromResult(_value);
    }
}
"#,
        silent_when: "`async` methods (there `null` is the result, not the task); a return \
type declared nullable (`Task<T>?`, `Task?`): callers are told to check; `return null` \
inside a lambda or local function nested in the method (they return their own type); \
return types that are not the BCL tasks (a project type named `Task`), and the \
non-generic `ValueTask`. `default` of a `ValueTask<T>` is a completed task (the struct \
holds the default result), not null: only a `null` literal is flagged there.",
        fix: "Each `return null` becomes a completed task: `Task.CompletedTask` for `Task` \
(`Task.FromResult(0)` on .NET Framework targets, which may predate `CompletedTask`), \
`Task.FromResult<T>(default(T))` for `Task<T>` (the same result, `null` for reference \
types, and it compiles with or without nullable annotations), `default(ValueTask<T>)` for \
`ValueTask<T>`. Safe when the method is private, in a non-partial type, and every call of it \
in the file is awaited or returned — no caller can be testing the task for null. Unsafe \
otherwise: a caller that checks `if (task != null)` now takes the other branch.",
    },
};

/// The task shape a method returns.
enum TaskShape {
    /// `Task`: the written type name (`Task`, `System.Threading.Tasks.Task`).
    Task { written: String },
    /// `Task<T>`: the written generic name and `T`.
    TaskOf { written: String, arg: String },
    /// `ValueTask<T>`: the whole written type.
    ValueTaskOf { written: String },
}

/// `Task` or `ValueTask` as a word (not `Tasks`), and a `null` or `default` where a return
/// value goes: after `return`, `=>`, `?`, `:` or a cast's `)`.
fn may_return_null(m: &crate::rules::MemberText<'_>) -> bool {
    if !m.has("Task") && !m.has("ValueTask") {
        return false;
    }
    let b = m.code.as_bytes();
    let after_return = |j: usize| {
        b[..=j].ends_with(b"return")
            && !b[..j.saturating_sub(5)]
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    };
    let last = |at: usize| b[..at].iter().rposition(|c| !c.is_ascii_whitespace());
    let arrow = |j: usize| b[j] == b'>' && j > 0 && b[j - 1] == b'=';
    let returned = |at: usize| {
        let Some(mut j) = last(at) else {
            return false;
        };
        // `return (null);`, `=> ((null))`
        while b[j] == b'(' {
            let Some(k) = last(j) else {
                return false;
            };
            j = k;
        }
        match b[j] {
            b'?' | b':' | b')' => true,
            _ => arrow(j) || after_return(j),
        }
    };
    m.positions("null").any(returned) || m.positions("default").any(returned)
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let Some(f) = Function::cast(node) else {
        return;
    };
    if f.is_async() {
        return;
    }
    let model = ctx.model;
    let Some(ret) = f.return_type() else { return };
    let Some(shape) = task_shape(ret, model) else {
        return;
    };
    let Some(body) = f.body() else { return };
    // `default` of a `ValueTask<T>` is a completed task, not null: only `null` counts there.
    let value_task = matches!(shape, TaskShape::ValueTaskOf { .. });
    let nulls = returned_nulls(body, value_task);
    if nulls.is_empty() {
        return;
    }
    let Some(name) = f.name() else { return };
    let replacement = replacement(&shape, ctx);
    let (shown_type, suggestion) = match (&shape, &replacement) {
        (TaskShape::Task { written }, r) => (written.clone(), r.clone()),
        (TaskShape::TaskOf { written, arg }, r) => (format!("{written}<{arg}>"), r.clone()),
        (TaskShape::ValueTaskOf { written }, r) => (written.clone(), r.clone()),
    };
    let suggestion = suggestion.unwrap_or_else(|| match &shape {
        TaskShape::Task { .. } => "Task.CompletedTask".to_owned(),
        TaskShape::TaskOf { arg, .. } => format!("Task.FromResult<{arg}>(default({arg}))"),
        TaskShape::ValueTaskOf { written } => format!("default({written})"),
    });
    let message = format!(
        "`{}` returns `null` as its `{shown_type}`: awaiting it throws NullReferenceException; return `{suggestion}`",
        name.text()
    );
    let fix = replacement.map(|text| Fix {
        message: format!("Return `{text}` instead of null"),
        applicability: if callers_only_await(&f, model) {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        },
        edits: nulls
            .iter()
            .map(|n| Edit::replace(n.range(), text.clone()))
            .collect(),
    });
    if let Some(d) = ctx.report(name, message) {
        if fix.is_none() {
            d.with_help(format!(
                "Return a completed task instead of null, e.g. `{suggestion}` (no automatic fix: `Task` does not name the type here)."
            ));
        }
        d.with_fix(fix);
    }
}

/// `Task`, `Task<T>`, `ValueTask<T>`, not nullable, not a project type of that name.
fn task_shape(ret: Node<'_>, model: &FileModel<'_>) -> Option<TaskShape> {
    let text = ret.text().trim();
    let ty = Ty::parse(text)?;
    if ty.nullable || ty.arrays > 0 || model.is_declared_type(&ty.name) {
        return None;
    }
    let head = text.split('<').next().unwrap_or(text).trim().to_owned();
    if !head
        .trim_start_matches("global::")
        .chars()
        .all(|c| c.is_alphanumeric() || c == '.' || c == '_')
    {
        return None;
    }
    let qualified_ok = |expected: &str| {
        let h = head.trim_start_matches("global::");
        h == expected || h == format!("System.Threading.Tasks.{expected}")
    };
    match (ty.name.as_str(), ty.args.len()) {
        ("Task", 0) if qualified_ok("Task") => Some(TaskShape::Task { written: head }),
        ("Task", 1) if qualified_ok("Task") => {
            let open = text.find('<')?;
            let close = text.rfind('>')?;
            let arg = text.get(open + 1..close)?.trim().to_owned();
            Some(TaskShape::TaskOf { written: head, arg })
        }
        ("ValueTask", 1) if qualified_ok("ValueTask") => Some(TaskShape::ValueTaskOf {
            written: text.to_owned(),
        }),
        _ => None,
    }
}

/// The null values the function itself returns (nested functions excluded): the whole
/// returned expression, or a branch of a returned `c ? x : null`.
fn returned_nulls(body: Node<'_>, null_literal_only: bool) -> Vec<Node<'_>> {
    let is_null = |e: Node<'_>| {
        if null_literal_only {
            is_null_literal(e)
        } else {
            is_null_value(e)
        }
    };
    let returned: Vec<Node<'_>> = if body.is(SyntaxKind::ArrowExpressionClause) {
        body.first_named_child().into_iter().collect()
    } else {
        body.descendants_pruned(is_function)
            .filter(|n| n.is(SyntaxKind::ReturnStatement))
            .filter_map(|r| r.first_named_child())
            .collect()
    };
    let mut out = Vec::new();
    for e in returned {
        if is_null(e) {
            out.push(e);
            continue;
        }
        let c = e.unparenthesized();
        if c.is(SyntaxKind::ConditionalExpression) {
            for f in [Field::Consequence, Field::Alternative] {
                if let Some(branch) = c.child_by_field(f).filter(|b| is_null(*b)) {
                    out.push(branch);
                }
            }
        }
    }
    out
}

/// `null`, `(null)`, `null!`.
fn is_null_literal(expr: Node<'_>) -> bool {
    let e = expr.unparenthesized();
    e.is(SyntaxKind::NullLiteral)
        || (e.kind() == SyntaxKind::Other
            && e.text()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                == "null!")
}

/// `null`, `(null)`, `null!`, `default`, `default!`, `default(Task)`.
pub(crate) fn is_null_value(expr: Node<'_>) -> bool {
    let e = expr.unparenthesized();
    if e.is(SyntaxKind::NullLiteral) {
        return true;
    }
    if e.kind() != SyntaxKind::Other {
        return false;
    }
    let compact: String = e.text().chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact.strip_suffix('!').unwrap_or(&compact);
    if compact == "null" || compact == "default" {
        return true;
    }
    // `default(T)`: the keyword, then one balanced parenthesis group that ends the text.
    let Some(rest) = compact.strip_prefix("default(") else {
        return false;
    };
    let mut depth = 1usize;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1 == rest.len();
                }
            }
            _ => {}
        }
    }
    false
}

/// The completed task to return instead, as text; `None` when `Task` would not name the
/// type at the return (a member or local called `Task`).
fn replacement(shape: &TaskShape, ctx: &RuleCtx<'_, '_>) -> Option<String> {
    let net_framework = ctx.project.frameworks.0.contains(&Framework::NetFramework);
    match shape {
        TaskShape::Task { written } => {
            if net_framework {
                Some(format!("{written}.FromResult(0)"))
            } else {
                Some(format!("{written}.CompletedTask"))
            }
        }
        TaskShape::TaskOf { written, arg } => {
            Some(format!("{written}.FromResult<{arg}>(default({arg}))"))
        }
        TaskShape::ValueTaskOf { written } => Some(format!("default({written})")),
    }
    .filter(|text| {
        // `Task.X` must bind to the type: no member or local named like the first segment.
        let first = text.split(['.', '(', '<']).next().unwrap_or("");
        first == "default" || first == "global::System" || !shadowed(ctx.model, first)
    })
}

/// A member, local or parameter of that name anywhere in the file shadows the type.
fn shadowed(model: &FileModel<'_>, name: &str) -> bool {
    model.tree().iter().any(|n| {
        (n.is(SyntaxKind::VariableDeclarator)
            || n.is(SyntaxKind::Parameter)
            || n.is(SyntaxKind::PropertyDeclaration)
            || n.is(SyntaxKind::MethodDeclaration))
            && n.child_by_field(Field::Name)
                .is_some_and(|id| id.text() == name)
    })
}

/// A private method of a non-partial type (or a local function) whose every use in the
/// file is a call that is awaited or returned: no caller can test the task for null.
fn callers_only_await(f: &Function<'_>, model: &FileModel<'_>) -> bool {
    let private = match f.kind {
        FunctionKind::LocalFunction => true,
        FunctionKind::Method => {
            !f.modifiers().any(|m| {
                matches!(
                    m.text(),
                    "public" | "protected" | "internal" | "virtual" | "abstract" | "override"
                )
            }) && f
                .node
                .child_of_kind(SyntaxKind::ExplicitInterfaceSpecifier)
                .is_none()
                && !f
                    .node
                    .ancestors()
                    .find(|a| crate::semantic::is_type_decl(*a))
                    .is_some_and(|t| {
                        t.children()
                            .any(|c| c.is(SyntaxKind::Modifier) && c.text() == "partial")
                    })
        }
        _ => false,
    };
    if !private {
        return false;
    }
    let name = f.name_text();
    model
        .tree()
        .iter()
        .filter(|n| n.is(SyntaxKind::Identifier) && n.text() == name && Some(*n) != f.name())
        .all(|n| {
            let Some(call) = n
                .ancestors()
                .take(3)
                .find(|a| a.is(SyntaxKind::InvocationExpression))
                .and_then(Invocation::cast)
                .filter(|c| c.name() == Some(n))
            else {
                return false;
            };
            // Walk up through `.ConfigureAwait(..)` and parentheses.
            let mut top = call.node;
            while let Some(p) = top.parent() {
                let through_configure = p.is(SyntaxKind::MemberAccessExpression)
                    && p.parent().and_then(Invocation::cast).is_some_and(|i| {
                        i.name_text() == "ConfigureAwait"
                            && strip_configure_await(i.node) == call.node
                    });
                if p.is(SyntaxKind::ParenthesizedExpression) {
                    top = p;
                } else if through_configure {
                    top = p.parent().unwrap_or(p);
                } else {
                    break;
                }
            }
            top.parent().is_some_and(|p| {
                p.is(SyntaxKind::AwaitExpression)
                    || p.is(SyntaxKind::ReturnStatement)
                    || p.is(SyntaxKind::ArrowExpressionClause)
            })
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
    fn flags_null_tasks() {
        assert_marked(
            &RULE,
            r#"
using System.Collections.Generic;
using System.Threading.Tasks;
class C {
    public Task Save() { return null; } // ~ASYNC206
    public Task<int> Count() => null; // ~ASYNC206
    public Task<List<string>> Names(bool b) { // ~ASYNC206
        if (b) return null;
        return Task.FromResult(new List<string>());
    }
    public ValueTask<int> Peek() => null; // ~ASYNC206
    public System.Threading.Tasks.Task Qualified() { return (null); } // ~ASYNC206
    public Task Forgiven() => null!; // ~ASYNC206
    public Task<string> Either(bool b) => b ? Task.FromResult("x") : null; // ~ASYNC206
    public Task<string> Defaulted() { return default(Task<string>); } // ~ASYNC206
    public Task Twice(int i) { // ~ASYNC206
        if (i == 0) return null;
        if (i == 1) return null;
        return Task.CompletedTask;
    }
    void Outer() {
        Task Local() => null; // ~ASYNC206
        Local();
    }
}
interface I { Task M(); }
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_async_nullable_and_nested_returns() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading.Tasks;
class C {
    public async Task<string> Name() { await Task.Yield(); return null; }
    public async Task<object> Arrow() => null;
    public Task<string>? Maybe() => null;
    public Task? MaybeTask() { return null; }
    public ValueTask<int>? MaybeValue() => null;
    public Task Nested() {
        Func<Task> f = () => null;
        Func<string> g = delegate { return null; };
        string Local() { return null; }
        return Task.CompletedTask;
    }
    public string NotATask() => null;
    public Task Completed() => Task.CompletedTask;
    public Task<string> Result() => Task.FromResult<string>(null);
    public Task<string> Conditional(bool b) => b ? Task.FromResult("x") : Result();
    public abstract Task Abstract();
    public Task<int>[] Array() => null;
    public object Default() => default;
    public ValueTask<int> Completed() => default;
    public ValueTask<int> CompletedToo(bool b) { if (b) return default(ValueTask<int>); return new ValueTask<int>(1); }
    public ValueTask Plain() => default;
}
"#,
            ProjectKind::Library,
        );
        // A project type named `Task` is not the BCL task.
        assert_silent(
            &RULE,
            r#"
namespace Jobs {
    public class Task { public string Name; }
    public class Repo { public Task Find(string name) { return null; } }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn fix_returns_completed_tasks() {
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { Task Save() { return null; } async Task M() { await Save(); } }",
            "using System.Threading.Tasks;\nclass C { Task Save() { return Task.CompletedTask; } async Task M() { await Save(); } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { Task<string> Get(bool b) { if (b) return null; return Task.FromResult(\"x\"); } Task<string> M() => Get(true); }",
            "using System.Threading.Tasks;\nclass C { Task<string> Get(bool b) { if (b) return Task.FromResult<string>(default(string)); return Task.FromResult(\"x\"); } Task<string> M() => Get(true); }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { public ValueTask<int> Peek() => null; }",
            "using System.Threading.Tasks;\nclass C { public ValueTask<int> Peek() => default(ValueTask<int>); }",
            Applicability::Unsafe,
        );
        assert_fix(
            &RULE,
            "class C { public System.Threading.Tasks.Task<(int a, string b)> Pair() => null; }",
            "class C { public System.Threading.Tasks.Task<(int a, string b)> Pair() => System.Threading.Tasks.Task.FromResult<(int a, string b)>(default((int a, string b))); }",
            Applicability::Unsafe,
        );
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { public Task<int> M(bool b) { return b ? null : Task.FromResult(1); } }",
            "using System.Threading.Tasks;\nclass C { public Task<int> M(bool b) { return b ? Task.FromResult<int>(default(int)) : Task.FromResult(1); } }",
            Applicability::Unsafe,
        );
        // Every null of the method is replaced by the one fix.
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { public Task M(int i) { if (i == 0) return null; return default; } }",
            "using System.Threading.Tasks;\nclass C { public Task M(int i) { if (i == 0) return Task.CompletedTask; return Task.CompletedTask; } }",
            Applicability::Unsafe,
        );
    }

    #[test]
    fn fix_is_unsafe_when_a_caller_may_test_for_null() {
        let p = project(ProjectKind::Library);
        for src in [
            // A caller compares the task with null.
            "using System.Threading.Tasks;\nclass C { Task Save() => null; async Task M() { var t = Save(); if (t != null) await t; } }",
            // Public: callers elsewhere.
            "using System.Threading.Tasks;\nclass C { public Task Save() => null; }",
            // Partial: other parts may call it.
            "using System.Threading.Tasks;\npartial class C { Task Save() => null; }",
            // Passed on as a delegate.
            "using System;\nusing System.Threading.Tasks;\nclass C { Task Save() => null; Func<Task> F() => Save; }",
        ] {
            let d = lint_with(&RULE, src, &p);
            assert_eq!(d.len(), 1, "{src}");
            assert_eq!(
                d[0].fix.as_ref().unwrap().applicability,
                Applicability::Unsafe,
                "{src}"
            );
        }
    }

    #[test]
    fn fix_uses_from_result_on_net_framework_and_skips_shadowed_task() {
        let p = ProjectInfo {
            frameworks: Frameworks::parse("net45"),
            ..project(ProjectKind::Library)
        };
        let src = "using System.Threading.Tasks;\nclass C { public Task Save() { return null; } }";
        let d = lint_with(&RULE, src, &p);
        assert_eq!(
            d[0].fix.as_ref().unwrap().edits[0].replacement,
            "Task.FromResult(0)"
        );
        assert_fixes_reparse(src, &d);
        // A property named `Task` would capture `Task.CompletedTask`: no fix, help instead.
        let src = "using System.Threading.Tasks;\nclass Job { public string Task { get; set; } public System.Threading.Tasks.Task Run() => null; public Task Stop() => null; }";
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(d.len(), 2);
        assert!(d[0].fix.is_some(), "the qualified name still binds");
        assert!(d[1].fix.is_none() && d[1].help.is_some());
    }

    #[test]
    fn every_fix_reparses() {
        let src = r#"
using System.Threading.Tasks;
class C {
    public Task A() => null;
    public Task<int[]> B() { return null; }
    public ValueTask<string> C2() => null;
    public Task<Task<int>> D() => (null);
}
"#;
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(d.len(), 4);
        assert_fixes_reparse(src, &d);
    }
}
