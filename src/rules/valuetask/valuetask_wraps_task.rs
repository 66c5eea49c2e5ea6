//! ASYNC502 valuetask-wraps-task: a non-async `ValueTask` method whose every return wraps a
//! `Task`.

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rules::util::may_implement_interface_member;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{strip_configure_await, ty_is_awaitable, ty_is_value_task, FileModel};
use crate::syntax::views::{is_function, Function, FunctionKind, Invocation};
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC502",
    name: "valuetask-wraps-task",
    family: Family::ValueTask,
    summary: "A ValueTask method whose every return wraps a Task",
    default_severity: Severity::Info,
    severity: severity::info,
    fixable: true,
    kinds: &[SyntaxKind::MethodDeclaration],
    tokens: &["ValueTask"],
    may_flag_member: None,
    // The fix is safe only when no caller needs the struct.
    reads_callers: true,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags a method that is not `async`, is declared to return `ValueTask` or \
`ValueTask<T>`, and whose every return (`return ..;` or the `=>` body, each branch of a \
returned `?:`) is `new ValueTask(task)` / `new ValueTask<T>(task)` of a `Task`. Reported at \
the method's name.",
        why: "`ValueTask<T>` pays off when a method often completes synchronously: it returns \
the result without allocating a `Task`. A method that always wraps a `Task` has already \
allocated it; the struct only adds size, a second layer for every caller to unwrap, and the \
ValueTask rules (await once, no `.Result` before completion) without any of the benefit.",
        example: r#"
using System.Threading.Tasks;

class Store
{
    private Task<int> LoadCountAsync() => Task.FromResult(3);

    public ValueTask<int> CountAsync()
    {
        return new ValueTask<int>(LoadCountAsync());
    }
}
"#,
        use_instead: r#"
using System.Threading.Tasks;

class Store
{
    private Task<int> LoadCountAsync() => Task.FromResult(3);

    public Task<int> CountAsync()
    {
        return LoadCountAsync();
    }
}
"#,
        silent_when: "`async ValueTask` methods (they allocate nothing when they complete \
synchronously); methods with any return that is not a wrapped task (`new ValueTask<T>(value)`, \
`default`, `ValueTask.FromResult(..)`, a call returning `ValueTask`): the fast path is the \
point; overrides, explicit interface implementations, methods that may implement an \
interface member, `virtual` and `abstract` methods and interface members (the signature is \
not theirs to change, or overriders may complete synchronously); lambdas and local \
functions (a delegate type may require `ValueTask`); a wrapped expression the tool cannot \
show to be a `Task`.",
        fix: "Return type `ValueTask<T>` becomes `Task<T>` (`ValueTask` becomes `Task`) and \
every `new ValueTask<T>(task)` becomes `task`. Offered only for a private method of a \
non-partial type whose every use in the file is a call that is awaited: there a `Task` \
compiles and behaves the same. Elsewhere callers may store the result in a `ValueTask`, \
call `.AsTask()` or `.Preserve()` on it, or use the method as a delegate, and the change \
would break them: no fix.",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let Some(f) = Function::cast(node) else {
        return;
    };
    if f.kind != FunctionKind::Method || f.is_async() {
        return;
    }
    let model = ctx.model;
    let Some(ret) = f.return_type() else { return };
    let Some(ret_ty) = Ty::parse(ret.text()) else {
        return;
    };
    if ret_ty.name != "ValueTask"
        || !ty_is_value_task(&ret_ty)
        || ret_ty.nullable
        || ret_ty.args.len() > 1
        || model.is_declared_type("ValueTask")
    {
        return;
    }
    if ["override", "virtual", "abstract", "extern", "partial"]
        .iter()
        .any(|m| f.has_modifier(m))
        || f.node
            .child_of_kind(SyntaxKind::ExplicitInterfaceSpecifier)
            .is_some()
    {
        return;
    }
    let Some(ty) = model.enclosing_type(node) else {
        return;
    };
    if ty.kind == crate::semantic::TypeKind::Interface
        || may_implement_interface_member(model, ty, f.name_text())
    {
        return;
    }
    let Some(body) = f.body() else { return };
    let Some(wraps) = wrapped_tasks(model, body) else {
        return;
    };
    let Some(name) = f.name() else { return };
    let task_type = if ret_ty.args.is_empty() {
        "Task".to_owned()
    } else {
        let arg = ret
            .child_of_kind(SyntaxKind::TypeArgumentList)
            .map(|l| l.text().to_owned())
            .unwrap_or_else(|| format!("<{}>", ret_ty.args[0]));
        format!("Task{arg}")
    };
    let message = format!(
        "`{}` returns `{}` but every return wraps a `Task`: the struct saves no allocation; return `{task_type}`",
        name.text(),
        ret.text()
    );
    let fix = fix(&f, ret, &wraps, model).map(|edits| Fix {
        message: format!("Return `{task_type}` instead of `{}`", ret.text()),
        applicability: Applicability::Safe,
        edits,
    });
    if let Some(d) = ctx.report(name, message) {
        d.with_fix(fix);
    }
}

/// A returned `new ValueTask<T>(task)`: the creation and the task inside it.
struct Wrap<'t> {
    creation: Node<'t>,
    task: Node<'t>,
}

/// Every value the method returns, when each one wraps a task; `None` when any does not
/// (or nothing is returned).
fn wrapped_tasks<'t>(model: &FileModel<'t>, body: Node<'t>) -> Option<Vec<Wrap<'t>>> {
    let returned: Vec<Node<'t>> = if body.is(SyntaxKind::ArrowExpressionClause) {
        vec![body.first_named_child()?]
    } else {
        let mut out = Vec::new();
        for r in body
            .descendants_pruned(is_function)
            .filter(|n| n.is(SyntaxKind::ReturnStatement))
        {
            out.push(r.first_named_child()?);
        }
        out
    };
    if returned.is_empty() {
        return None;
    }
    let mut wraps = Vec::new();
    let mut pending = returned;
    while let Some(e) = pending.pop() {
        let e = e.unparenthesized();
        if e.is(SyntaxKind::ConditionalExpression) {
            pending.push(e.child_by_field(Field::Consequence)?);
            pending.push(e.child_by_field(Field::Alternative)?);
            if pending.len() > 64 {
                return None;
            }
            continue;
        }
        wraps.push(wrapped_task(model, e)?);
    }
    wraps.sort_by_key(|w| w.creation.start());
    Some(wraps)
}

/// `new ValueTask(task)`, `new ValueTask<T>(task)`, `new(task)` with `task` a `Task`.
fn wrapped_task<'t>(model: &FileModel<'t>, e: Node<'t>) -> Option<Wrap<'t>> {
    let args = match e.kind() {
        SyntaxKind::ObjectCreationExpression => {
            let ty = Ty::parse(e.child_by_field(Field::Type)?.text())?;
            if ty.name != "ValueTask" {
                return None;
            }
            e.child_by_field(Field::Arguments)?
        }
        SyntaxKind::ImplicitObjectCreationExpression => {
            e.child_of_kind(SyntaxKind::ArgumentList)?
        }
        _ => return None,
    };
    let mut list = args.named_children().filter(|c| c.is(SyntaxKind::Argument));
    let arg = list.next()?;
    if list.next().is_some() || arg.child_by_field(Field::Name).is_some() {
        return None;
    }
    let task = arg.named_children().last()?;
    let ty = model.type_of(task)?;
    if !ty_is_awaitable(&ty) || ty_is_value_task(&ty) || ty.name != "Task" {
        return None;
    }
    Some(Wrap { creation: e, task })
}

/// The edits of the fix: the return type and every wrapper. `None` unless the method is
/// private, its type not partial, and every use of its name in the file is an awaited call.
fn fix<'t>(
    f: &Function<'t>,
    ret: Node<'t>,
    wraps: &[Wrap<'t>],
    model: &FileModel<'t>,
) -> Option<Vec<Edit>> {
    let is_private = !f.modifiers().any(|m| {
        matches!(
            m.text(),
            "public" | "protected" | "internal" | "virtual" | "abstract" | "override" | "new"
        )
    });
    let partial_type = f
        .node
        .ancestors()
        .find(|a| crate::semantic::is_type_decl(*a))
        .is_some_and(|t| {
            t.children()
                .any(|c| c.is(SyntaxKind::Modifier) && c.text() == "partial")
        });
    if !is_private || partial_type {
        return None;
    }
    let name = f.name_text();
    let all_awaited = model
        .tree()
        .iter()
        .filter(|n| n.is(SyntaxKind::Identifier) && n.text() == name && Some(*n) != f.name())
        .all(|n| is_awaited_call_of(n));
    if !all_awaited {
        return None;
    }
    // `ValueTask<int>` → `Task<int>`: replace the `ValueTask` identifier only.
    let head = if ret.is(SyntaxKind::GenericName) {
        ret.child_of_kind(SyntaxKind::Identifier)?
    } else if ret.is(SyntaxKind::Identifier) {
        ret
    } else {
        return None; // qualified names: leave them to the developer
    };
    if head.text() != "ValueTask" {
        return None;
    }
    let mut edits = vec![Edit::replace(head.range(), "Task")];
    for w in wraps {
        edits.push(Edit::replace(w.creation.range(), w.task.text()));
    }
    Some(edits)
}

/// `await M(..)`, `await M(..).ConfigureAwait(..)`, `await this.M(..)`.
fn is_awaited_call_of(name: Node<'_>) -> bool {
    let Some(call) = name
        .ancestors()
        .take(3)
        .find(|a| a.is(SyntaxKind::InvocationExpression))
        .and_then(Invocation::cast)
        .filter(|c| c.name() == Some(name))
    else {
        return false;
    };
    if let Some(r) = call.receiver() {
        if !r.is(SyntaxKind::ThisExpression) {
            return false;
        }
    } else if call.is_conditional() {
        return false;
    }
    let mut top = call.node;
    while let Some(p) = top.parent() {
        let through_configure = p.is(SyntaxKind::MemberAccessExpression)
            && p.parent().and_then(Invocation::cast).is_some_and(|i| {
                i.name_text() == "ConfigureAwait" && strip_configure_await(i.node) == call.node
            });
        if p.is(SyntaxKind::ParenthesizedExpression) {
            top = p;
        } else if through_configure {
            top = p.parent().unwrap_or(p);
        } else {
            break;
        }
    }
    top.parent()
        .is_some_and(|p| p.is(SyntaxKind::AwaitExpression))
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
    fn flags_value_tasks_that_always_wrap_a_task() {
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    Task<int> LoadAsync() => Task.FromResult(1);
    Task SaveAsync() => Task.CompletedTask;
    public ValueTask<int> Count() => new ValueTask<int>(LoadAsync()); // ~ASYNC502
    public ValueTask Save() { return new ValueTask(SaveAsync()); } // ~ASYNC502
    public ValueTask<int> Either(bool b, Task<int> t) => b ? new ValueTask<int>(t) : new(LoadAsync()); // ~ASYNC502
    public ValueTask<int> Branches(Task<int> t, int i) { // ~ASYNC502
        if (i == 0) return new ValueTask<int>(t);
        if (i < 0) throw new System.ArgumentException();
        return new ValueTask<int>(LoadAsync());
    }
    public System.Threading.Tasks.ValueTask<int> Qualified(Task<int> t) => new System.Threading.Tasks.ValueTask<int>(t); // ~ASYNC502
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_async_overrides_interfaces_and_fast_paths() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.IO;
using System.Threading.Tasks;
interface IReader { ValueTask<int> ReadAsync(); }
abstract class Base { public abstract ValueTask<int> PeekAsync(); public virtual ValueTask<int> V(Task<int> t) => new ValueTask<int>(t); }
class Impl : Base, IReader {
    Task<int> LoadAsync() => Task.FromResult(1);
    int _cached;
    public ValueTask<int> ReadAsync() => new ValueTask<int>(LoadAsync());
    public override ValueTask<int> PeekAsync() => new ValueTask<int>(LoadAsync());
    public override ValueTask<int> V(Task<int> t) => new ValueTask<int>(t);
    public async ValueTask<int> Awaits() => await LoadAsync();
    public ValueTask<int> FastPath() {
        if (_cached > 0) return new ValueTask<int>(_cached);
        return new ValueTask<int>(LoadAsync());
    }
    public ValueTask<int> Default(bool b) => b ? default : new ValueTask<int>(LoadAsync());
    public ValueTask<int> Value() => new ValueTask<int>(42);
    public ValueTask<int> FromResult() => ValueTask.FromResult(1);
    public ValueTask<int> Forward(IReader r) => r.ReadAsync();
    public ValueTask<int> Unknown() => new ValueTask<int>(Something());
    public ValueTask<int> Throws() => throw new NotSupportedException();
    public Task<int> NotValueTask() => LoadAsync();
    void Local() {
        ValueTask<int> Inner() => new ValueTask<int>(LoadAsync());
        Func<ValueTask<int>> f = () => new ValueTask<int>(LoadAsync());
    }
}
class Disposer : IAsyncDisposable {
    Task CloseAsync() => Task.CompletedTask;
    ValueTask IAsyncDisposable.DisposeAsync() => new ValueTask(CloseAsync());
}
class Disposer2 : IAsyncDisposable {
    Task CloseAsync() => Task.CompletedTask;
    public ValueTask DisposeAsync() => new ValueTask(CloseAsync());
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn fix_returns_the_task_where_every_caller_awaits() {
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { Task<int> LoadAsync() => Task.FromResult(1); ValueTask<int> Count() => new ValueTask<int>(LoadAsync()); async Task M() { var n = await Count(); await Count().ConfigureAwait(false); } }",
            "using System.Threading.Tasks;\nclass C { Task<int> LoadAsync() => Task.FromResult(1); Task<int> Count() => LoadAsync(); async Task M() { var n = await Count(); await Count().ConfigureAwait(false); } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { Task SaveAsync() => Task.CompletedTask; private ValueTask Save(bool b) { if (b) return new ValueTask(SaveAsync()); return new(SaveAsync()); } async Task M() { await this.Save(true); } }",
            "using System.Threading.Tasks;\nclass C { Task SaveAsync() => Task.CompletedTask; private Task Save(bool b) { if (b) return SaveAsync(); return SaveAsync(); } async Task M() { await this.Save(true); } }",
            Applicability::Safe,
        );
    }

    #[test]
    fn no_fix_where_a_caller_may_need_the_struct() {
        let p = project(ProjectKind::Library);
        for src in [
            // Public: callers elsewhere.
            "using System.Threading.Tasks;\nclass C { Task<int> L() => null; public ValueTask<int> Count() => new ValueTask<int>(L()); }",
            // Stored in a ValueTask local.
            "using System.Threading.Tasks;\nclass C { Task<int> L() => null; ValueTask<int> Count() => new ValueTask<int>(L()); void M() { ValueTask<int> v = Count(); } }",
            // Converted.
            "using System.Threading.Tasks;\nclass C { Task<int> L() => null; ValueTask<int> Count() => new ValueTask<int>(L()); Task<int> M() => Count().AsTask(); }",
            // A method group.
            "using System;\nusing System.Threading.Tasks;\nclass C { Task<int> L() => null; ValueTask<int> Count() => new ValueTask<int>(L()); Func<ValueTask<int>> F() => Count; }",
            // Partial type.
            "using System.Threading.Tasks;\npartial class C { Task<int> L() => null; ValueTask<int> Count() => new ValueTask<int>(L()); }",
        ] {
            let d = lint_with(&RULE, src, &p);
            assert_eq!(d.len(), 1, "{src}");
            assert!(d[0].fix.is_none(), "{src}");
        }
    }
}
