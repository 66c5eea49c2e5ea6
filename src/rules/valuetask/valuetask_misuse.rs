//! ASYNC501 valuetask-misuse: a `ValueTask` consumed twice, stored in a field, awaited
//! after being passed elsewhere, or read with `.Result` before it is known to be complete.

use crate::diagnostic::Severity;
use crate::rules::util::{in_sync_branch, runs_synchronously};
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{declarator_value, strip_configure_await, ty_is_value_task, FileModel};
use crate::syntax::views::{is_function, Function, Invocation, MemberAccess};
use crate::syntax::{Field, Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC501",
    name: "valuetask-misuse",
    family: Family::ValueTask,
    summary: "A ValueTask awaited twice, stored in a field, awaited after being passed on, or read with .Result before it completed",
    default_severity: Severity::Error,
    severity: severity::error,
    fixable: false,
    kinds: &[
        SyntaxKind::AwaitExpression,
        SyntaxKind::MemberAccessExpression,
        SyntaxKind::InvocationExpression,
        SyntaxKind::AssignmentExpression,
        SyntaxKind::VariableDeclarator,
    ],
    tokens: &["ValueTask", crate::engine::VALUETASK_CALL],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags uses of a `ValueTask` / `ValueTask<T>` that its contract forbids: a local \
consumed a second time (awaited, `.AsTask()`, `.Preserve()`, `.Result` or \
`.GetAwaiter().GetResult()` after it was already consumed), awaited after it was passed to \
another method, stored in a field, or read with `.Result` / `.GetAwaiter().GetResult()` \
before anything shows it is complete. Reported at the offending expression.",
        why: "A `ValueTask` may wrap a pooled `IValueTaskSource` (sockets, pipes, channels, \
Npgsql's and ASP.NET Core's I/O use them). Once it has been awaited, the source goes back to \
its pool and is handed to the next operation: awaiting it again, or reading `.Result` \
afterwards, observes someone else's operation, throws, or hangs. Reading `.Result` before \
completion is undefined for such a source (it does not block like `Task.Result`). A field \
or another method holding the same `ValueTask` makes a second consumption a matter of time. \
The struct is meant to be awaited exactly once, right where it is returned.",
        example: r#"
using System.Threading.Tasks;

class Reader
{
    private ValueTask<int> ReadByteAsync() => new ValueTask<int>(0);

    public async Task<int> ReadTwiceAsync()
    {
        var pending = ReadByteAsync();
        var first = await pending;
        var again = await pending;
        return first + again;
    }
}
"#,
        use_instead: r#"
using System.Threading.Tasks;

class Reader
{
    private ValueTask<int> ReadByteAsync() => new ValueTask<int>(0);

    public async Task<int> ReadTwiceAsync()
    {
        var first = await ReadByteAsync();
        var pending = ReadByteAsync().AsTask();
        var again = await pending;
        var once = await pending;
        return first + again + once;
    }
}
"#,
        silent_when: "A local assigned once and awaited (or otherwise consumed) once; \
consumptions on exclusive paths (`if`/`else` branches, `?:` branches, `switch` sections, a \
`try` and its `catch`), or after a `return`/`throw` that ends the first path; `.Result` / \
`.GetAwaiter().GetResult()` after a completion check of the same variable \
(`IsCompleted`, `IsCompletedSuccessfully`, `IsFaulted`, `IsCanceled`, an early exit on \
`!vt.IsCompleted`); a `ValueTask` built from a value or a task (`new ValueTask<T>(x)`, \
`ValueTask.FromResult(..)`, `ValueTask.CompletedTask`, `default`) or made reusable with \
`.Preserve()`, which may be consumed any number of times; the synchronous path of dual-mode \
code (`Read(async: false).GetAwaiter().GetResult()`, the `else` of `if (async)`); a local \
that is reassigned, passed by `ref`/`out`, declared twice in the method, or used inside a \
lambda or local function (the order of uses is then unknown); a field assigned a \
constructor parameter (a wrapper struct around one `ValueTask`); anything the tool cannot \
show to be a `ValueTask`. `.Result` on a `ValueTask` is this rule's finding, not \
ASYNC101's.",
        fix: "None automatic. Await a `ValueTask` once, where it is returned. If it must be \
awaited twice, stored or shared, convert it once with `.AsTask()` (or `.Preserve()`) and use \
the task. To read a result synchronously, check `IsCompletedSuccessfully` first and await \
otherwise.",
    },
};

/// How one occurrence of a `ValueTask` local is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Use {
    /// `await v`, `await v.ConfigureAwait(..)`.
    Await,
    /// `v.AsTask()`, `v.Preserve()`.
    Convert,
    /// `v.Result`, `v.GetAwaiter().GetResult()`.
    Read,
    /// `F(v)`: another method may consume it.
    Pass,
    /// `v.IsCompleted`, `v.IsCompletedSuccessfully`, …: a completion check.
    Inspect,
    /// Anything else (returned, copied, compared).
    Other,
}

impl Use {
    fn consumes(self) -> bool {
        matches!(self, Use::Await | Use::Convert | Use::Read)
    }
    fn verb(self) -> &'static str {
        match self {
            Use::Await => "awaited",
            Use::Convert => "converted",
            Use::Read => "read",
            Use::Pass => "passed to another method",
            Use::Inspect | Use::Other => "used",
        }
    }
}

/// One occurrence of the variable: the identifier, how it is used, and the node a finding
/// there is reported at.
#[derive(Clone, Copy, Debug)]
struct Occurrence<'t> {
    ident: Node<'t>,
    kind: Use,
    report: Node<'t>,
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    match node.kind() {
        SyntaxKind::AssignmentExpression | SyntaxKind::VariableDeclarator => {
            check_field_store(node, ctx)
        }
        _ => check_consumption(node, ctx),
    }
}

/// Whether an expression is a BCL `ValueTask` / `ValueTask<T>` (or its configured form).
pub(crate) fn is_value_task<'t>(model: &FileModel<'t>, expr: Node<'t>) -> bool {
    !model.is_declared_type("ValueTask")
        && model
            .type_of(expr.unparenthesized())
            .is_some_and(|t| ty_is_value_task(&t))
}

/// A `ValueTask` that does not wrap a pooled source and may be consumed any number of
/// times: `new ValueTask<T>(..)`, `new(..)`, `default`, `ValueTask.FromResult(..)`,
/// `ValueTask.CompletedTask`, `x.Preserve()`, or a `?:` of those.
fn is_reusable_value(model: &FileModel<'_>, expr: Node<'_>) -> bool {
    let e = expr.unparenthesized();
    match e.kind() {
        SyntaxKind::ObjectCreationExpression | SyntaxKind::ImplicitObjectCreationExpression => true,
        SyntaxKind::ConditionalExpression => {
            match (
                e.child_by_field(Field::Consequence),
                e.child_by_field(Field::Alternative),
            ) {
                (Some(a), Some(b)) => is_reusable_value(model, a) && is_reusable_value(model, b),
                _ => false,
            }
        }
        SyntaxKind::InvocationExpression => {
            let Some(inv) = Invocation::cast(e) else {
                return false;
            };
            inv.name_text() == "Preserve" && inv.arg_count() == 0 || model.known_complete(e)
        }
        SyntaxKind::MemberAccessExpression => model.known_complete(e),
        _ => {
            let t = e.text().trim();
            t == "default" || t.starts_with("default(")
        }
    }
}

// ---- consumptions ---------------------------------------------------------------------------

fn check_consumption<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    // The consumed expression (`x` in `await x`, `x.Result`, `x.AsTask()`, …).
    let (target, kind) = match consumption_target(node) {
        Some(t) => t,
        None => return,
    };
    if !is_value_task(model, target) {
        return;
    }
    let target = strip_configure_await(target.unparenthesized());
    if target.is(SyntaxKind::Identifier) {
        if let Some(local) = local_history(model, target) {
            check_local(node, target, kind, &local, ctx);
            return;
        }
    }
    // Anything but a tracked local: only an unchecked `.Result` is certain.
    if kind != Use::Read
        || is_reusable_value(model, target)
        || model.known_complete(target)
        || in_sync_branch(model, node)
        || runs_synchronously(model, target)
    {
        return;
    }
    if target.is(SyntaxKind::Identifier) && !is_field_like(model, target) {
        // A local we could not follow (captured, reassigned, declared twice): unknown.
        return;
    }
    let what = read_text(node);
    ctx.report(
        node,
        format!(
            "`{what}` reads a ValueTask that is not known to be complete: for a pooled source this is undefined; await it, or check `IsCompletedSuccessfully` first"
        ),
    );
}

/// `await x` → (`x`, Await); `x.Result` → (`x`, Read); `x.GetAwaiter().GetResult()` →
/// (`x`, Read); `x.AsTask()` / `x.Preserve()` → (`x`, Convert).
fn consumption_target(node: Node<'_>) -> Option<(Node<'_>, Use)> {
    match node.kind() {
        SyntaxKind::AwaitExpression => Some((node.first_named_child()?, Use::Await)),
        SyntaxKind::MemberAccessExpression => {
            let ma = MemberAccess::cast(node)?;
            if ma.name_text() != "Result" {
                return None;
            }
            let parent = node.parent()?;
            if parent.is(SyntaxKind::InvocationExpression)
                && parent.child_by_field(Field::Function) == Some(node)
            {
                return None;
            }
            if parent.is(SyntaxKind::AssignmentExpression)
                && parent.child_by_field(Field::Left) == Some(node)
            {
                return None;
            }
            Some((ma.receiver, Use::Read))
        }
        SyntaxKind::InvocationExpression => {
            let inv = Invocation::cast(node)?;
            if inv.is_conditional() || inv.arg_count() != 0 {
                return None;
            }
            match inv.name_text() {
                "GetResult" => {
                    let awaiter = Invocation::cast(inv.receiver()?.unparenthesized())?;
                    if awaiter.name_text() != "GetAwaiter"
                        || awaiter.arg_count() != 0
                        || awaiter.is_conditional()
                    {
                        return None;
                    }
                    Some((awaiter.receiver()?, Use::Read))
                }
                "AsTask" | "Preserve" => Some((inv.receiver()?, Use::Convert)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn read_text(node: Node<'_>) -> &'static str {
    if node.is(SyntaxKind::MemberAccessExpression) {
        ".Result"
    } else {
        ".GetAwaiter().GetResult()"
    }
}

/// A field or property (`_pending`, `this.Pending`), not a local or parameter.
fn is_field_like<'t>(model: &FileModel<'t>, ident: Node<'t>) -> bool {
    !declared_locally(ident, ident.text())
        && model
            .enclosing_type(ident)
            .is_some_and(|t| model.member_in_hierarchy(t, ident.text()).is_some())
}

/// What the method shows about a `ValueTask` local: every occurrence, in order.
struct LocalHistory<'t> {
    uses: Vec<Occurrence<'t>>,
    /// Built from a value, a task or `.Preserve()`: consumable any number of times.
    reusable: bool,
    /// Its initializer runs synchronously (`Read(async: false)`).
    synchronous: bool,
}

/// The uses of the local `ident` names, when the function declares it exactly once (or it
/// is a parameter), never reassigns it, and no nested function uses it. `None` otherwise.
fn local_history<'t>(model: &FileModel<'t>, ident: Node<'t>) -> Option<LocalHistory<'t>> {
    let name = ident.text();
    let ctx = model.context_of(ident)?;
    let f = ctx.function;
    let body = f.body()?;
    let is_param = f.parameters().iter().any(|(n, _)| n.text() == name);
    let declarators: Vec<Node<'t>> = body
        .descendants_pruned(is_function)
        .filter(|d| {
            d.is(SyntaxKind::VariableDeclarator)
                && d.child_by_field(Field::Name)
                    .is_some_and(|n| n.text() == name)
        })
        .collect();
    let initializer = match (is_param, declarators.as_slice()) {
        (true, []) => None,
        (false, [d]) => Some(declarator_value(*d)),
        _ => return None,
    };
    let decl_name = declarators
        .first()
        .and_then(|d| d.child_by_field(Field::Name));
    let mut uses = Vec::new();
    for d in body.descendants() {
        if !d.is(SyntaxKind::Identifier) || d.text() != name || Some(d) == decl_name {
            continue;
        }
        if !is_reference(d) {
            continue;
        }
        if model.function_of(d).map(|g| g.node) != Some(f.node) {
            return None; // captured by a lambda or local function
        }
        let kind = classify_use(d)?;
        uses.push(Occurrence {
            ident: d,
            kind,
            report: report_node(d, kind),
        });
    }
    let reusable = matches!(initializer, Some(Some(v)) if is_reusable_value(model, v));
    let synchronous = matches!(initializer, Some(Some(v)) if runs_synchronously(model, v));
    Some(LocalHistory {
        uses,
        reusable,
        synchronous,
    })
}

/// An identifier that refers to a variable (not a member name after `.`, an argument
/// label, or the subject of `nameof`).
fn is_reference(ident: Node<'_>) -> bool {
    let Some(p) = ident.parent() else {
        return false;
    };
    match p.kind() {
        SyntaxKind::MemberAccessExpression => p.child_by_field(Field::Name) != Some(ident),
        SyntaxKind::MemberBindingExpression => false,
        SyntaxKind::Argument => {
            p.child_by_field(Field::Name) != Some(ident)
                && !p
                    .parent()
                    .and_then(|l| l.parent())
                    .and_then(Invocation::cast)
                    .is_some_and(|i| i.name_text() == "nameof" && i.receiver().is_none())
        }
        SyntaxKind::Parameter | SyntaxKind::VariableDeclarator => {
            p.child_by_field(Field::Name) != Some(ident)
        }
        _ => true,
    }
}

/// How an occurrence is used; `None` when it is written to (assigned, `ref`, `out`).
fn classify_use(ident: Node<'_>) -> Option<Use> {
    let mut e = ident;
    while let Some(p) = e
        .parent()
        .filter(|p| p.is(SyntaxKind::ParenthesizedExpression))
    {
        e = p;
    }
    let Some(p) = e.parent() else {
        return Some(Use::Other);
    };
    match p.kind() {
        SyntaxKind::AwaitExpression => Some(Use::Await),
        SyntaxKind::AssignmentExpression if p.child_by_field(Field::Left) == Some(e) => None,
        SyntaxKind::Argument => {
            let t = p.text().trim_start();
            if t.starts_with("ref ") || t.starts_with("out ") || t.starts_with("in ") {
                return None;
            }
            let call = p.parent().and_then(|l| l.parent());
            let is_call = call.is_some_and(|c| {
                c.is(SyntaxKind::InvocationExpression)
                    || c.is(SyntaxKind::ObjectCreationExpression)
                    || c.is(SyntaxKind::ImplicitObjectCreationExpression)
            });
            Some(if is_call { Use::Pass } else { Use::Other })
        }
        SyntaxKind::MemberAccessExpression if p.child_by_field(Field::Expression) == Some(e) => {
            let ma = MemberAccess::cast(p)?;
            let member = ma.name_text();
            let call = p
                .parent()
                .filter(|g| g.is(SyntaxKind::InvocationExpression))
                .and_then(Invocation::cast)
                .filter(|i| i.function == p);
            Some(match (member, call) {
                ("Result", None) => Use::Read,
                ("AsTask" | "Preserve", Some(_)) => Use::Convert,
                ("GetAwaiter", Some(c)) => {
                    let get_result = c
                        .node
                        .parent()
                        .and_then(|m| m.parent())
                        .and_then(Invocation::cast)
                        .filter(|r| {
                            r.name_text() == "GetResult"
                                && r.receiver().map(|x| x.unparenthesized()) == Some(c.node)
                        });
                    if get_result.is_some() {
                        Use::Read
                    } else {
                        Use::Other
                    }
                }
                ("ConfigureAwait", Some(c)) => {
                    let mut top = c.node;
                    while let Some(q) = top
                        .parent()
                        .filter(|q| q.is(SyntaxKind::ParenthesizedExpression))
                    {
                        top = q;
                    }
                    if top
                        .parent()
                        .is_some_and(|q| q.is(SyntaxKind::AwaitExpression))
                    {
                        Use::Await
                    } else {
                        Use::Other
                    }
                }
                (m, _) if crate::semantic::known::COMPLETION_PROPERTIES.contains(&m) => {
                    Use::Inspect
                }
                _ => Use::Other,
            })
        }
        _ => Some(Use::Other),
    }
}

/// The expression a finding on this occurrence is reported at: the `await`, the `.Result`,
/// the `GetResult()` or `AsTask()` call.
fn report_node(ident: Node<'_>, kind: Use) -> Node<'_> {
    for a in ident.ancestors().take(8) {
        let done = match kind {
            Use::Await => a.is(SyntaxKind::AwaitExpression),
            Use::Read => {
                (a.is(SyntaxKind::MemberAccessExpression)
                    && MemberAccess::cast(a).is_some_and(|m| m.name_text() == "Result"))
                    || Invocation::cast(a).is_some_and(|i| i.name_text() == "GetResult")
            }
            Use::Convert => {
                Invocation::cast(a).is_some_and(|i| matches!(i.name_text(), "AsTask" | "Preserve"))
            }
            _ => true,
        };
        if done {
            return a;
        }
    }
    ident
}

fn check_local<'t>(
    node: Node<'t>,
    ident: Node<'t>,
    kind: Use,
    local: &LocalHistory<'t>,
    ctx: &mut RuleCtx<'_, 't>,
) {
    if local.reusable {
        return;
    }
    let Some(here) = local.uses.iter().position(|u| u.ident == ident) else {
        return;
    };
    if local.uses[here].report != node || local.uses[here].kind != kind {
        return;
    }
    let name = ident.text();
    let earlier = local.uses[..here]
        .iter()
        .find(|u| (u.kind.consumes() || u.kind == Use::Pass) && reaches(u.ident, ident));
    let checked = local.uses[..here].iter().any(|u| u.kind == Use::Inspect);
    if kind == Use::Read && checked {
        // `.Result` after a completion check: fine by contract.
        return;
    }
    if let Some(first) = earlier {
        let message = if first.kind == Use::Pass {
            format!(
                "ValueTask `{name}` is {} after it was passed to another method, which may already have consumed it; a ValueTask may be consumed only once: use `.AsTask()` to share it",
                kind.verb()
            )
        } else {
            format!(
                "ValueTask `{name}` is {} again after it was already {}: a ValueTask may be consumed only once; await it once, or convert it once with `.AsTask()` and reuse the task",
                kind.verb(),
                first.kind.verb()
            )
        };
        ctx.report(node, message);
        return;
    }
    if kind == Use::Read
        && !local.synchronous
        && !in_sync_branch(ctx.model, node)
        && !ctx.model.known_complete(ident)
    {
        let what = read_text(node);
        ctx.report(
            node,
            format!(
                "`{name}{what}` reads a ValueTask that is not known to be complete: for a pooled source this is undefined; await it, or check `IsCompletedSuccessfully` first"
            ),
        );
    }
}

/// Whether control can reach `second` after `first` ran (in the same function, `first`
/// earlier in the text): not on exclusive branches, no `return`/`throw` in between.
fn reaches<'t>(first: Node<'t>, second: Node<'t>) -> bool {
    if first.start() >= second.start() {
        return false;
    }
    let Some(lca) = first.ancestors().find(|a| a.contains(second)) else {
        return false;
    };
    let toward = |n: Node<'t>| -> Option<Node<'t>> {
        std::iter::once(n)
            .chain(n.ancestors())
            .find(|a| a.parent() == Some(lca))
    };
    let (Some(c1), Some(c2)) = (toward(first), toward(second)) else {
        return false;
    };
    if exclusive(lca, c1, c2) {
        return false;
    }
    // A `return`/`throw` on the first path, or unconditionally after it in its block.
    let mut child = first;
    for a in first.ancestors() {
        if a == lca {
            break;
        }
        if a.is(SyntaxKind::ReturnStatement) || a.is(SyntaxKind::ThrowStatement) {
            return false;
        }
        if (a.is(SyntaxKind::Block) || a.is(SyntaxKind::SwitchSection))
            && a.named_children()
                .skip_while(|s| *s != child)
                .any(|s| s.is(SyntaxKind::ReturnStatement) || s.is(SyntaxKind::ThrowStatement))
        {
            return false;
        }
        child = a;
    }
    if lca.is(SyntaxKind::Block) || lca.is(SyntaxKind::SwitchSection) {
        let jumps = lca
            .named_children()
            .skip_while(|s| *s != c1)
            .take_while(|s| *s != c2)
            .any(|s| s.is(SyntaxKind::ReturnStatement) || s.is(SyntaxKind::ThrowStatement));
        if jumps {
            return false;
        }
    }
    true
}

/// Whether two children of `parent` run on exclusive paths.
fn exclusive(parent: Node<'_>, a: Node<'_>, b: Node<'_>) -> bool {
    if a == b {
        return false;
    }
    match parent.kind() {
        SyntaxKind::IfStatement | SyntaxKind::ConditionalExpression => {
            let cond = parent.child_by_field(Field::Condition);
            Some(a) != cond && Some(b) != cond
        }
        SyntaxKind::TryStatement => a.is(SyntaxKind::CatchClause) || b.is(SyntaxKind::CatchClause),
        _ => {
            (a.is(SyntaxKind::SwitchSection) && b.is(SyntaxKind::SwitchSection))
                || (a.is(SyntaxKind::SwitchExpressionArm) && b.is(SyntaxKind::SwitchExpressionArm))
        }
    }
}

/// Whether a name is declared as a local or parameter anywhere in the member around `at`.
fn declared_locally(at: Node<'_>, name: &str) -> bool {
    let member = at.ancestors().filter(|a| is_function(*a)).last();
    let Some(member) = member else {
        return false;
    };
    member.descendants().any(|d| {
        (d.is(SyntaxKind::Parameter)
            || (d.is(SyntaxKind::VariableDeclarator)
                && d.parent()
                    .and_then(|p| p.parent())
                    .is_some_and(|s| !s.is(SyntaxKind::FieldDeclaration))))
            && d.child_by_field(Field::Name)
                .is_some_and(|n| n.text() == name)
    }) || Function::cast(member)
        .is_some_and(|f| f.parameters().iter().any(|(n, _)| n.text() == name))
}

// ---- fields ---------------------------------------------------------------------------------

fn check_field_store<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let (field_name, value, anchor) = if node.is(SyntaxKind::AssignmentExpression) {
        if node.child_by_field(Field::Operator).map(|o| o.text()) != Some("=") {
            return;
        }
        let (Some(left), Some(right)) = (
            node.child_by_field(Field::Left),
            node.child_by_field(Field::Right),
        ) else {
            return;
        };
        let left = left.unparenthesized();
        let name = match left.kind() {
            SyntaxKind::Identifier => left,
            SyntaxKind::MemberAccessExpression => match MemberAccess::cast(left) {
                Some(ma) if ma.receiver.is(SyntaxKind::ThisExpression) => ma.name,
                _ => return,
            },
            _ => return,
        };
        (name, right, node)
    } else {
        // A field initializer: `private ValueTask _t = StartAsync();`
        let in_field = node
            .parent()
            .and_then(|d| d.parent())
            .is_some_and(|f| f.is(SyntaxKind::FieldDeclaration));
        if !in_field {
            return;
        }
        let (Some(name), Some(value)) = (node.child_by_field(Field::Name), declarator_value(node))
        else {
            return;
        };
        (name, value, value)
    };
    let Some(ty) = model.enclosing_type(node) else {
        return;
    };
    let Some(member) = model.member_in_hierarchy(ty, field_name.text()) else {
        return;
    };
    if member.kind != crate::semantic::MemberKind::Field
        || !member.ty.as_ref().is_some_and(ty_is_value_task)
        || model.is_declared_type("ValueTask")
    {
        return;
    }
    if is_reusable_value(model, value)
        || field_name.parent() == Some(node) && declared_locally(field_name, field_name.text())
    {
        return;
    }
    // The field's type is written in this file or another: a file that never says
    // `ValueTask` stores none on purpose (and the prefilter skips it).
    if !ctx.source().contains("ValueTask") {
        return;
    }
    // `_inner = inner;` in a constructor: a wrapper around one ValueTask.
    let in_constructor = model
        .context_of(node)
        .is_some_and(|c| c.function.kind == crate::syntax::views::FunctionKind::Constructor);
    if in_constructor
        && value.unparenthesized().is(SyntaxKind::Identifier)
        && model.context_of(node).is_some_and(|c| {
            c.function
                .parameters()
                .iter()
                .any(|(n, _)| n.text() == value.unparenthesized().text())
        })
    {
        return;
    }
    ctx.report(
        anchor,
        format!(
            "a ValueTask is stored in field `{}`: anything that reads the field can await it again after its source was reused; store `.AsTask()` (a Task), or await it where it is returned",
            field_name.text()
        ),
    );
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
    fn flags_double_consumption() {
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    ValueTask<int> ReadAsync() => new ValueTask<int>(1);
    ValueTask FlushAsync() => default;
    async Task M() {
        var vt = ReadAsync();
        var a = await vt;
        var b = await vt; // ~ASYNC501
    }
    async Task Configured() {
        ValueTask f = FlushAsync();
        await f.ConfigureAwait(false);
        await f.ConfigureAwait(false); // ~ASYNC501
    }
    async Task ThenConverted() {
        var vt = ReadAsync();
        await vt;
        var t = vt.AsTask(); // ~ASYNC501
        var r = vt.Result; // ~ASYNC501
    }
    async Task TwiceAsTask() {
        var vt = ReadAsync();
        var t1 = vt.AsTask();
        var t2 = vt.AsTask(); // ~ASYNC501
        await t1;
    }
    async Task<int> Param(ValueTask<int> p) {
        var x = await p;
        return x + await p; // ~ASYNC501
    }
    async Task Loop(bool b) {
        var vt = ReadAsync();
        if (b) { await vt; }
        await vt; // ~ASYNC501
    }
    async Task BreakDoesNotEndIt() {
        var vt = ReadAsync();
        while (true) { await vt; break; }
        await vt; // ~ASYNC501
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn flags_await_after_pass_and_unchecked_results() {
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    ValueTask<int> ReadAsync() => new ValueTask<int>(1);
    void Observe(ValueTask<int> t) { }
    ValueTask<int> Pending { get; }
    async Task Passed() {
        var vt = ReadAsync();
        Observe(vt);
        await vt; // ~ASYNC501
    }
    int Sync(ValueTask<int> v) {
        var r = v.Result; // ~ASYNC501
        return ReadAsync().Result // ~ASYNC501
            + ReadAsync().GetAwaiter().GetResult() // ~ASYNC501
            + ReadAsync().ConfigureAwait(false).GetAwaiter().GetResult() // ~ASYNC501
            + Pending.Result; // ~ASYNC501
    }
    int Local() {
        var vt = ReadAsync();
        return vt.GetAwaiter().GetResult(); // ~ASYNC501
    }
    async Task InAsync() {
        var n = ReadAsync().Result; // ~ASYNC501
        await Task.Yield();
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn flags_fields() {
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    private ValueTask<int> _pending;
    private ValueTask _flush;
    static ValueTask<int> StartAsync() => new ValueTask<int>(1);
    private static ValueTask<int> s_started = StartAsync(); // ~ASYNC501
    ValueTask FlushAsync() => default;
    void Begin(ValueTask<int> v) {
        _pending = StartAsync(); // ~ASYNC501
        this._flush = FlushAsync(); // ~ASYNC501
        _pending = v; // ~ASYNC501
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_single_consumption_and_checked_reads() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading.Tasks;
class C {
    ValueTask<int> ReadAsync() => new ValueTask<int>(1);
    ValueTask<int> Read(bool async) => new ValueTask<int>(1);
    async ValueTask<int> Slow(ValueTask<int> t) => await t;
    async Task Once() {
        var vt = ReadAsync();
        var x = await vt;
        var y = await ReadAsync();
        await ReadAsync().ConfigureAwait(false);
    }
    ValueTask<int> FastPath() {
        var vt = ReadAsync();
        if (vt.IsCompletedSuccessfully) return new ValueTask<int>(vt.Result);
        return Slow(vt);
    }
    int Checked(ValueTask<int> vt) {
        if (!vt.IsCompleted) return -1;
        return vt.Result + vt.GetAwaiter().GetResult();
    }
    int Ternary() {
        var vt = ReadAsync();
        return vt.IsCompletedSuccessfully ? vt.Result : -1;
    }
    async Task<int> Branches(bool b) {
        var vt = ReadAsync();
        if (b) return await vt;
        return await vt;
    }
    async Task<int> IfElse(bool b) {
        var vt = ReadAsync();
        int r;
        if (b) { r = await vt; } else { r = await vt.ConfigureAwait(false); }
        return r;
    }
    async Task<int> Switch(int k) {
        var vt = ReadAsync();
        switch (k) {
            case 1: return await vt;
            case 2: { var x = await vt; return x; }
            default: await vt; break;
        }
        return 0;
    }
    async Task<int> EarlyExit(bool b) {
        var vt = ReadAsync();
        if (b) { var x = await vt; return x; }
        if (!b) { await vt; throw new InvalidOperationException(); }
        return await vt;
    }
    async Task<int> TryCatch() {
        var vt = ReadAsync();
        try { return await vt; } catch (Exception) { return await vt; }
    }
    async Task Reassigned() {
        var vt = ReadAsync();
        await vt;
        vt = ReadAsync();
        await vt;
    }
    async Task TwoScopes() {
        { var vt = ReadAsync(); await vt; }
        { var vt = ReadAsync(); await vt; }
    }
    async Task Reusable(int n) {
        var done = new ValueTask<int>(n);
        await done; await done;
        var fromResult = ValueTask.FromResult(n);
        await fromResult; await fromResult;
        ValueTask<int> d = default;
        await d; await d;
        var kept = ReadAsync().Preserve();
        await kept; await kept;
        var t = ReadAsync().AsTask();
        await t; await t;
        var r = new ValueTask<int>(t).Result;
    }
    async Task Captured() {
        var vt = ReadAsync();
        Func<Task> f = async () => await vt;
        await vt;
    }
    int SyncPath() => Read(async: false).GetAwaiter().GetResult();
    int SyncLocal() { var vt = Read(false); return vt.Result; }
    async Task<int> DualMode(bool async) {
        if (async) return await ReadAsync();
        else return ReadAsync().GetAwaiter().GetResult();
    }
    async Task PassThenNothing() {
        var vt = ReadAsync();
        await Slow(vt);
        var name = nameof(vt);
    }
    int TaskResult(Task<int> t) => t.Result;
}
struct Scope : IDisposable, IAsyncDisposable {
    readonly bool _async;
    public void Dispose() {
        if (_async)
            Guard.ThrowInvalidOperation("dispose asynchronously");
        DisposeAsync().GetAwaiter().GetResult();
    }
    public ValueTask DisposeAsync() {
        if (_async) return new ValueTask(Task.Delay(1));
        return default;
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_fields_that_hold_reusable_values_and_on_unknowns() {
        assert_silent(
            &RULE,
            r#"
using System.Threading.Tasks;
struct Wrapper {
    private readonly ValueTask<int> _inner;
    public Wrapper(ValueTask<int> inner) { _inner = inner; }
}
class C {
    private ValueTask _done = default;
    private ValueTask<int> _one = new ValueTask<int>(1);
    private static readonly ValueTask<bool> s_true = new(true);
    private Task<int> _task;
    private object _boxed;
    ValueTask<int> ReadAsync() => new ValueTask<int>(1);
    void M(Task<int> t) {
        _done = ValueTask.CompletedTask;
        _one = ValueTask.FromResult(2);
        _one = ReadAsync().Preserve();
        _task = ReadAsync().AsTask();
        _one = new ValueTask<int>(t);
        var local = ReadAsync();
        var unknown = Other.ReadAsync();
        var a = await2(unknown);
        var x = unknown.Result;
    }
    int await2(object o) => 0;
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn a_project_type_named_value_task_is_not_the_struct() {
        assert_silent(
            &RULE,
            r#"
namespace Jobs {
    public class ValueTask { public int Result { get; set; } }
    public class Runner {
        ValueTask Get() => new ValueTask();
        int M() { var v = Get(); return v.Result + Get().Result; }
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn knows_value_tasks_declared_in_other_files() {
        assert_marked_files(
            &RULE,
            r#"
//- Core/Core.csproj
<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>
//- Core/IChannel.cs
using System.Threading.Tasks;
namespace Core;
public interface IChannel { ValueTask<int> ReceiveAsync(); Task<int> SendAsync(); }
//- Core/Consumer.cs
namespace Core;
public class Consumer {
    private readonly IChannel _channel;
    public async System.Threading.Tasks.Task Run() {
        var pending = _channel.ReceiveAsync();
        await pending;
        await pending; // ~ASYNC501
        var sent = _channel.SendAsync();
        await sent;
        await sent;
        var n = _channel.ReceiveAsync().Result; // ~ASYNC501
    }
}
"#,
        );
    }
}
