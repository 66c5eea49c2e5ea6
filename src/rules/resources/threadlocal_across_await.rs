//! ASYNC604 threadlocal-across-await: a `ThreadLocal<T>` or `[ThreadStatic]` field read
//! after an `await` in the same async method.

use crate::diagnostic::Severity;
use crate::rules::util::await_points;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{declarator_value, FileModel};
use crate::syntax::views::{is_function, Function, MemberAccess};
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC604",
    name: "threadlocal-across-await",
    family: Family::Resources,
    summary: "Thread-local state read after an await",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: false,
    kinds: &[
        SyntaxKind::MethodDeclaration,
        SyntaxKind::LocalFunctionStatement,
        SyntaxKind::LambdaExpression,
        SyntaxKind::AnonymousMethodExpression,
    ],
    tokens: &["~await & ~ThreadLocal", "~await & ~ThreadStatic*"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "In an async method, lambda or local function, flags the first read of a \
`ThreadLocal<T>` field (`_current.Value`) or of a `[ThreadStatic]` field that comes after an \
`await` (with no write to it between that await and the read). Reported at the read, once \
per field and method.",
        why: "Thread-local storage belongs to a thread; an `await` usually resumes the \
method on another thread-pool thread. After it, the read sees that other thread's value — \
`null`, a default, or state another request left there — not what was set before the \
await. The bug shows up only under load, when continuations start hopping threads.",
        example: r#"
using System.Threading;
using System.Threading.Tasks;

class RequestScope
{
    private static readonly ThreadLocal<string> CurrentUser = new ThreadLocal<string>();

    public async Task<string> HandleAsync(string user)
    {
        CurrentUser.Value = user;
        await Task.Delay(10);
        return "handled for " + CurrentUser.Value;
    }
}
"#,
        use_instead: r#"
using System.Threading;
using System.Threading.Tasks;

class RequestScope
{
    private static readonly AsyncLocal<string> CurrentUser = new AsyncLocal<string>();

    public async Task<string> HandleAsync(string user)
    {
        CurrentUser.Value = user;
        await Task.Delay(10);
        return "handled for " + CurrentUser.Value;
    }
}
"#,
        silent_when: "Reads before the first `await`, reads after a write that follows the \
last await (the value was set on the current thread), reads inside lambdas and local \
functions (they run on their own terms), synchronous methods. Per-thread caches, where any \
thread's value is as good as another's: a `ThreadLocal<T>` created with a value factory \
(`new ThreadLocal<Random>(() => new Random())`), a `[ThreadStatic]` field the file \
initializes lazily (`t_buffer ??= new byte[..]`, `if (t_cache == null) t_cache = ..`). \
`AsyncLocal<T>` is the fix, never flagged. A local or parameter that shadows the field.",
        fix: "None automatic. Use `AsyncLocal<T>`, which flows with the async call, or pass \
the value as a parameter / capture it in a local before the `await`.",
    },
};

/// A thread-local field the type declares.
struct ThreadField {
    name: String,
    /// `ThreadLocal<T>`: reads go through `.Value`.
    thread_local: bool,
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(f) = Function::cast(node) else {
        return;
    };
    if !f.is_async() {
        return;
    }
    let Some(body) = f.body() else { return };
    let awaits: Vec<usize> = await_points(body).map(|a| a.end()).collect();
    let Some(&first_await) = awaits.first() else {
        return;
    };
    let fields = thread_fields(node, model);
    if fields.is_empty() {
        return;
    }
    let mut reported: Vec<&str> = Vec::new();
    for id in body.descendants_pruned(is_function) {
        if !id.is(SyntaxKind::Identifier) || id.start() < first_await {
            continue;
        }
        let Some(field) = fields.iter().find(|fl| fl.name == id.text()) else {
            continue;
        };
        if reported.contains(&field.name.as_str()) {
            continue;
        }
        let Some(access) = field_access(id, field) else {
            continue;
        };
        if shadowed(body, id.text()) {
            continue;
        }
        let Access::Read(read) = access else { continue };
        // The last await before the read, and no write to the field between them.
        let last_await = awaits
            .iter()
            .copied()
            .filter(|&a| a <= read.start())
            .max()
            .unwrap_or(first_await);
        let written_since = body.descendants_pruned(is_function).any(|d| {
            d.is(SyntaxKind::Identifier)
                && d.text() == field.name
                && d.start() >= last_await
                && d.start() < read.start()
                && matches!(field_access(d, field), Some(Access::Write))
        });
        if written_since {
            continue;
        }
        let (what, shown) = if field.thread_local {
            ("ThreadLocal<T>", format!("{}.Value", field.name))
        } else {
            ("[ThreadStatic]", field.name.clone())
        };
        let msg = format!(
            "`{shown}` is read after an `await`: the method may resume on another thread, where this {what} field holds that thread's value; use `AsyncLocal<T>` or keep the value in a local"
        );
        ctx.report(read, msg);
        reported.push(&field.name);
    }
}

enum Access<'t> {
    Read(Node<'t>),
    Write,
}

/// How an identifier naming the field is used: `x.Value` / `x` read, `x.Value = ..` /
/// `x = ..` written. `None` for member names of other objects (`other.x`) and uses that
/// are neither (`nameof(x)`).
fn field_access<'t>(id: Node<'t>, field: &ThreadField) -> Option<Access<'t>> {
    let mut expr = id;
    let parent = id.parent()?;
    // `this.x` / `Type.x`: the member access is the field expression; `other.x` is not.
    if let Some(ma) = MemberAccess::cast(parent) {
        if ma.name == id {
            let r = ma.receiver.unparenthesized();
            let ok = r.is(SyntaxKind::ThisExpression)
                || (r.is(SyntaxKind::Identifier)
                    && r.text().starts_with(|c: char| c.is_ascii_uppercase()));
            if !ok {
                return None;
            }
            expr = parent;
        }
    }
    if field.thread_local {
        let ma = expr.parent().and_then(MemberAccess::cast)?;
        if ma.receiver != expr || ma.name_text() != "Value" {
            return None;
        }
        expr = ma.node;
    }
    let p = expr.parent()?;
    if p.is(SyntaxKind::AssignmentExpression) && p.child_by_field(Field::Left) == Some(expr) {
        let op = p
            .child_by_field(Field::Operator)
            .map(|o| o.text())
            .unwrap_or("=");
        return Some(if op == "=" {
            Access::Write
        } else {
            Access::Read(expr)
        });
    }
    if p.is(SyntaxKind::Argument) && p.children().any(|c| !c.is_named() && c.text() == "out") {
        return Some(Access::Write);
    }
    Some(Access::Read(expr))
}

/// A local, parameter or foreach variable of that name in the function.
fn shadowed(body: Node<'_>, name: &str) -> bool {
    let func = body.parent();
    func.into_iter()
        .flat_map(|f| f.descendants())
        .any(|d| match d.kind() {
            SyntaxKind::Parameter | SyntaxKind::VariableDeclarator => d
                .child_by_field(Field::Name)
                .is_some_and(|n| n.text() == name),
            SyntaxKind::ForeachStatement => d
                .child_by_field(Field::Left)
                .is_some_and(|n| n.text() == name),
            _ => false,
        })
}

/// The thread-local fields of the types around `node` (this file's declarations), minus
/// per-thread caches.
fn thread_fields<'t>(node: Node<'t>, model: &FileModel<'t>) -> Vec<ThreadField> {
    let mut out = Vec::new();
    for ty in node
        .ancestors()
        .filter(|a| crate::semantic::is_type_decl(*a))
    {
        let Some(list) = ty.child_by_field(Field::Body) else {
            continue;
        };
        for field in list
            .named_children()
            .filter(|c| c.is(SyntaxKind::FieldDeclaration))
        {
            let thread_static = field
                .children()
                .filter(|c| c.is(SyntaxKind::AttributeList))
                .flat_map(|l| l.named_children())
                .any(|a| {
                    let n = a
                        .child_by_field(Field::Name)
                        .map(|n| n.text())
                        .unwrap_or("");
                    matches!(
                        n.rsplit('.').next().unwrap_or(n),
                        "ThreadStatic" | "ThreadStaticAttribute"
                    )
                });
            let Some(decl) = field.child_of_kind(SyntaxKind::VariableDeclaration) else {
                continue;
            };
            let ty = decl
                .child_by_field(Field::Type)
                .and_then(|t| Ty::parse(t.text()));
            let thread_local = ty
                .as_ref()
                .is_some_and(|t| t.name == "ThreadLocal" && t.arrays == 0)
                && !model.is_declared_type("ThreadLocal");
            if !thread_static && !thread_local {
                continue;
            }
            for d in decl
                .named_children()
                .filter(|c| c.is(SyntaxKind::VariableDeclarator))
            {
                let Some(name) = d.child_by_field(Field::Name) else {
                    continue;
                };
                let cache = if thread_local {
                    declarator_value(d).is_some_and(has_value_factory)
                } else {
                    lazily_initialized(model, name.text())
                };
                if !cache {
                    out.push(ThreadField {
                        name: name.text().to_owned(),
                        thread_local,
                    });
                }
            }
        }
    }
    out
}

/// `new ThreadLocal<T>(() => ..)` / `new ThreadLocal<T>(Create)` / `new(() => .., true)`.
fn has_value_factory(value: Node<'_>) -> bool {
    let v = value.unparenthesized();
    if !matches!(
        v.kind(),
        SyntaxKind::ObjectCreationExpression | SyntaxKind::ImplicitObjectCreationExpression
    ) {
        return false;
    }
    let Some(args) = v.child_by_field(Field::Arguments) else {
        return false;
    };
    args.named_children()
        .filter(|c| c.is(SyntaxKind::Argument))
        .filter_map(|a| a.named_children().last())
        .any(|a| {
            let a = a.unparenthesized();
            a.is(SyntaxKind::LambdaExpression)
                || a.is(SyntaxKind::AnonymousMethodExpression)
                || a.is(SyntaxKind::Identifier)
                || a.is(SyntaxKind::MemberAccessExpression)
        })
}

/// `x ??= ..`, `x ?? (x = ..)`, `if (x == null) x = ..` / `if (x is null)` anywhere in the
/// file: a per-thread cache.
fn lazily_initialized(model: &FileModel<'_>, name: &str) -> bool {
    model.tree().iter().any(|n| {
        if n.is(SyntaxKind::AssignmentExpression) {
            let left_is = n
                .child_by_field(Field::Left)
                .is_some_and(|l| l.text() == name || l.text() == format!("this.{name}"));
            let op = n.child_by_field(Field::Operator).map(|o| o.text());
            return left_is && op == Some("??=");
        }
        if n.is(SyntaxKind::BinaryExpression) {
            let op = n.child_by_field(Field::Operator).map(|o| o.text());
            let left = n.child_by_field(Field::Left).map(|l| l.text());
            let right = n.child_by_field(Field::Right).map(|r| r.text().trim());
            return left == Some(name)
                && (op == Some("??")
                    || (matches!(op, Some("==") | Some("!=")) && right == Some("null")));
        }
        if n.is(SyntaxKind::IsPatternExpression) {
            return n
                .child_by_field(Field::Expression)
                .is_some_and(|e| e.text() == name)
                && n.text().contains("null");
        }
        false
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
    fn flags_reads_after_await() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.Threading;
using System.Threading.Tasks;
class Scope {
    private static readonly ThreadLocal<string> Current = new ThreadLocal<string>();
    [ThreadStatic] private static int _depth;
    [ThreadStatic, Obsolete] static string t_user;
    public async Task<string> A(string user) {
        Current.Value = user;
        await Task.Delay(10);
        var u = Current.Value; // ~ASYNC604
        return u + Current.Value;
    }
    public async Task B() {
        _depth++;
        await Task.Yield();
        Console.WriteLine(_depth); // ~ASYNC604
    }
    public async Task C() {
        await Task.Yield();
        var x = Scope.t_user.Length; // ~ASYNC604
        Func<Task> f = async () => { await Task.Yield(); var y = _depth; }; // ~ASYNC604
    }
    public async Task D() {
        await foreach (var i in Items()) { }
        _depth += 1; // ~ASYNC604
    }
    async System.Collections.Generic.IAsyncEnumerable<int> Items() { yield return 1; await Task.Yield(); }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_reads_before_await_writes_and_caches() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
class Scope {
    private static readonly ThreadLocal<string> Current = new ThreadLocal<string>();
    private static readonly ThreadLocal<Random> Rng = new ThreadLocal<Random>(() => new Random());
    private static readonly AsyncLocal<string> Flowing = new AsyncLocal<string>();
    [ThreadStatic] private static StringBuilder t_builder;
    [ThreadStatic] private static byte[] t_buffer;
    [ThreadStatic] private static int _depth;
    static StringBuilder Builder() { if (t_builder == null) t_builder = new StringBuilder(); return t_builder; }
    public async Task<string> BeforeAwait() {
        var u = Current.Value;
        var d = _depth;
        await Task.Delay(10);
        return u + d;
    }
    public async Task WrittenAfterAwait(string user) {
        await Task.Delay(10);
        Current.Value = user;
        var u = Current.Value;
        _depth = 3;
        Console.WriteLine(_depth);
    }
    public async Task Caches() {
        await Task.Yield();
        var n = Rng.Value.Next();
        var b = t_builder;
        var buf = t_buffer ??= new byte[16];
        var f = Flowing.Value;
    }
    public async Task InLambda() {
        await Task.Yield();
        Action a = () => Console.WriteLine(_depth + Current.Value);
    }
    public async Task Shadowed() {
        await Task.Yield();
        var _depth = 4;
        Console.WriteLine(_depth);
    }
    public void Sync() { Console.WriteLine(Current.Value + _depth); }
    public async Task Other(Scope other) {
        await Task.Yield();
        var x = other.Holder._depth;
    }
    public Scope Holder;
}
"#,
            ProjectKind::Library,
        );
    }
}
