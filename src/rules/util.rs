//! Helpers that several rules share: where `await` may be written, and how to write it.

use crate::semantic::FileModel;
use crate::syntax::{Field, Node, SyntaxKind};

/// Whether an `await` may stand at `node`: not inside a `lock`, an `unsafe` block, a query
/// expression or a catch filter, up to the enclosing function.
pub fn await_allowed_at(model: &FileModel<'_>, node: Node<'_>) -> bool {
    let Some(ctx) = model.context_of(node) else {
        return false;
    };
    if !ctx.is_async {
        return false;
    }
    for a in node.ancestors() {
        if a == ctx.function.node {
            return true;
        }
        if a.is(SyntaxKind::LockStatement)
            || a.is(SyntaxKind::UnsafeStatement)
            || a.is(SyntaxKind::QueryExpression)
            || a.text().starts_with("when")
                && a.parent().is_some_and(|p| p.is(SyntaxKind::CatchClause))
        {
            return false;
        }
    }
    true
}

/// `await <operand>`, parenthesized when the expression being replaced is the receiver of
/// a member access, an element access, a call, or a conditional access.
pub fn await_text(replaced: Node<'_>, operand: &str) -> String {
    let needs_parens = replaced.parent().is_some_and(|p| match p.kind() {
        SyntaxKind::MemberAccessExpression => p.child_by_field(Field::Expression) == Some(replaced),
        SyntaxKind::ElementAccessExpression => {
            p.child_by_field(Field::Expression) == Some(replaced)
        }
        SyntaxKind::InvocationExpression => p.child_by_field(Field::Function) == Some(replaced),
        SyntaxKind::ConditionalAccessExpression => {
            p.child_by_field(Field::Condition) == Some(replaced)
        }
        _ => false,
    });
    if needs_parens {
        format!("(await {operand})")
    } else {
        format!("await {operand}")
    }
}

/// Whether the node is the whole expression of an expression statement.
pub fn is_statement_expression(node: Node<'_>) -> bool {
    node.parent()
        .is_some_and(|p| p.is(SyntaxKind::ExpressionStatement))
}

/// Whether the node sits inside a `try` whose catch clauses catch `AggregateException`
/// (replacing a blocking wait by `await` changes which exception arrives there).
pub fn inside_aggregate_catch(node: Node<'_>) -> bool {
    node.ancestors().any(|a| {
        a.is(SyntaxKind::TryStatement)
            && a.children()
                .filter(|c| c.is(SyntaxKind::CatchClause))
                .any(|c| c.text().contains("AggregateException"))
    })
}

/// Whether a node is on the synchronous path of code that chooses between sync and async
/// with a flag named like `async` (`if (async) await ReadAsync(); else Read();`,
/// `async ? await X() : Y()`, `if (async) { await X(); return; } Y();`) — the pattern of
/// Npgsql and EF Core, where the sync path runs only for sync callers.
pub fn in_sync_branch(model: &FileModel<'_>, node: Node<'_>) -> bool {
    if !model.has_async_flag_conditions {
        return false;
    }
    let mut child = node;
    for a in node.ancestors() {
        if crate::syntax::views::is_function(a) {
            return false;
        }
        match a.kind() {
            SyntaxKind::IfStatement | SyntaxKind::ConditionalExpression => {
                if let Some(positive) = a.child_by_field(Field::Condition).and_then(async_flag) {
                    let branch = if positive {
                        Field::Alternative
                    } else {
                        Field::Consequence
                    };
                    if a.child_by_field(branch) == Some(child) {
                        return true;
                    }
                }
            }
            SyntaxKind::Block => {
                // An earlier `if (async) { ...; return; }` leaves only sync callers here.
                let earlier_exit = a.named_children().take_while(|c| *c != child).any(|s| {
                    s.is(SyntaxKind::IfStatement)
                        && s.child_by_field(Field::Alternative).is_none()
                        && s.child_by_field(Field::Condition).and_then(async_flag) == Some(true)
                        && s.child_by_field(Field::Consequence).is_some_and(|c| {
                            exits(c) || c.named_children().last().is_some_and(exits)
                        })
                });
                if earlier_exit {
                    return true;
                }
            }
            _ => {}
        }
        child = a;
    }
    false
}

/// `return ..;`, `throw ..;`, or a call of a throw helper (`ThrowHelper.ThrowX(..);`).
fn exits(stmt: Node<'_>) -> bool {
    stmt.is(SyntaxKind::ReturnStatement)
        || stmt.is(SyntaxKind::ThrowStatement)
        || stmt.is(SyntaxKind::ExpressionStatement)
            && stmt
                .first_named_child()
                .and_then(crate::syntax::views::Invocation::cast)
                .is_some_and(|i| i.name_text().starts_with("Throw"))
}

pub use crate::semantic::async_flag;

/// A call that passes `false` for a parameter named like `async` (`Read(async: false)`,
/// `Flush(false)` when the declaration says `bool async`): its task completes
/// synchronously, so blocking on it cannot deadlock.
pub fn runs_synchronously(model: &FileModel<'_>, task: Node<'_>) -> bool {
    runs_synchronously_depth(model, task, 0)
}

fn runs_synchronously_depth(model: &FileModel<'_>, task: Node<'_>, depth: u32) -> bool {
    if depth > 4 {
        return false;
    }
    let task = task.unparenthesized();
    // `(c ? A(false) : B(false))`: both branches.
    if task.is(SyntaxKind::ConditionalExpression) {
        return match (
            task.child_by_field(Field::Consequence),
            task.child_by_field(Field::Alternative),
        ) {
            (Some(a), Some(b)) => {
                runs_synchronously_depth(model, a, depth + 1)
                    && runs_synchronously_depth(model, b, depth + 1)
            }
            _ => false,
        };
    }
    // `var t = Send(false); … t.GetAwaiter().GetResult();`
    if task.is(SyntaxKind::Identifier) {
        return model
            .initializer_of(task)
            .is_some_and(|init| runs_synchronously_depth(model, init, depth + 1));
    }
    let Some(inv) = crate::syntax::views::Invocation::cast(task) else {
        return false;
    };
    let args = inv.args();
    let is_false = |a: &crate::syntax::views::Argument<'_>| a.value.text().trim() == "false";
    if args.iter().any(|a| {
        is_false(a)
            && a.name
                .is_some_and(|n| n.text().to_ascii_lowercase().contains("async"))
    }) {
        return true;
    }
    let candidates = model.callee_candidates(&inv);
    args.iter().enumerate().any(|(i, a)| {
        if a.name.is_some() || !is_false(a) {
            return false;
        }
        // The overloads that can take a `bool` there; all of them call it `async`.
        let taking_bool: Vec<_> = candidates
            .iter()
            .filter(|m| {
                m.params
                    .get(i)
                    .is_some_and(|p| p.as_ref().is_some_and(|t| t.name == "bool"))
            })
            .collect();
        !taking_bool.is_empty()
            && taking_bool.iter().all(|m| {
                m.param_names
                    .get(i)
                    .is_some_and(|n| n.to_ascii_lowercase().contains("async"))
            })
    })
}

/// The suspension points of a function body: `await` expressions and the `await` of
/// `await foreach` / `await using`, not counting nested lambdas and local functions.
pub fn await_points<'t>(body: Node<'t>) -> impl Iterator<Item = Node<'t>> + 't {
    body.descendants_pruned(crate::syntax::views::is_function)
        .filter(|d| d.is(SyntaxKind::AwaitExpression) || (!d.is_named() && d.text() == "await"))
}

/// Whether `recv` names the .NET type `simple` itself (`Monitor`, `System.Threading.Monitor`)
/// rather than a local, a member, or a type of the project that happens to share the name.
pub fn names_bcl_type<'t>(model: &FileModel<'t>, recv: Node<'t>, simple: &str) -> bool {
    let recv = recv.unparenthesized();
    let text = recv.text();
    let matches = match recv.kind() {
        SyntaxKind::Identifier => text == simple && !model.is_local_name(recv, text),
        SyntaxKind::MemberAccessExpression | SyntaxKind::QualifiedName => {
            let t = text.strip_prefix("global::").unwrap_or(text);
            t.starts_with("System.") && t.rsplit('.').next() == Some(simple)
        }
        _ => false,
    };
    matches && !model.is_declared_type(simple)
}

/// The text of an expression used as a key to match the same variable elsewhere in a method:
/// whitespace dropped, a leading `this.` removed (`this._gate` and `_gate` are one field).
pub fn variable_key(expr: Node<'_>) -> String {
    let t: String = expr
        .unparenthesized()
        .text()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    match t.strip_prefix("this.") {
        Some(rest) => rest.to_owned(),
        None => t,
    }
}

/// Whether a function body (a block) does all its work inside `try` statements that catch
/// every exception: an unfiltered `catch`, `catch (Exception)` or `catch (Exception e)`.
/// Local function declarations beside them do not count as work.
pub fn catches_everything(body: Node<'_>) -> bool {
    if !body.is(SyntaxKind::Block) {
        return false;
    }
    let mut tries = 0;
    for stmt in body.named_children() {
        if stmt.is(SyntaxKind::LocalFunctionStatement) {
            continue;
        }
        if !stmt.is(SyntaxKind::TryStatement) || !has_catch_all(stmt) {
            return false;
        }
        tries += 1;
    }
    tries > 0
}

/// A `try` with an unfiltered catch clause for `Exception` (or a bare `catch`).
pub fn has_catch_all(try_stmt: Node<'_>) -> bool {
    try_stmt
        .children()
        .filter(|c| c.is(SyntaxKind::CatchClause))
        .any(|c| {
            let filtered = c.children().any(|d| d.text().starts_with("when"));
            let catches_all = match c.child_of_kind(SyntaxKind::CatchDeclaration) {
                None => true,
                Some(decl) => decl.child_by_field(Field::Type).is_some_and(|t| {
                    matches!(
                        t.text().trim_start_matches("global::"),
                        "Exception" | "System.Exception"
                    )
                }),
            };
            catches_all && !filtered
        })
}

/// Names of project helpers that take a task to run unobserved on purpose and handle its
/// failure: `FireAndForget`, `Forget`, `SafeFireAndForget`, `LogExceptions`,
/// `ObserveExceptions`, `IgnoreExceptions`, …
pub fn is_fire_and_forget_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.contains("forget") {
        return true;
    }
    lower.contains("exception")
        && [
            "log", "observe", "ignore", "swallow", "handle", "catch", "suppress",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

/// Whether the type named `name` (a simple name) is, or derives through the project's
/// declarations from, a type for which `pred` holds (`pred` sees simple names, the type's
/// own first). Partial declarations count together; the walk is bounded.
pub fn derives_from(model: &FileModel<'_>, name: &str, pred: impl Fn(&str) -> bool) -> bool {
    let mut seen: Vec<String> = vec![name.to_owned()];
    let mut stack: Vec<String> = vec![name.to_owned()];
    while let Some(n) = stack.pop() {
        if pred(&n) {
            return true;
        }
        for t in model.types_named(&n) {
            for b in &t.bases {
                if seen.len() < 64 && !seen.contains(&b.name) {
                    seen.push(b.name.clone());
                    stack.push(b.name.clone());
                }
            }
        }
    }
    false
}

/// External interfaces and the members they declare: a method of another name cannot
/// implement them. Anything that looks like an interface and is neither here nor declared
/// in the project may declare the method.
const EXTERNAL_INTERFACES: &[(&str, &[&str])] = &[
    ("IAsyncDisposable", &["DisposeAsync"]),
    ("ICloneable", &["Clone"]),
    ("IComparable", &["CompareTo"]),
    ("IComparer", &["Compare"]),
    ("IDisposable", &["Dispose"]),
    ("IEnumerable", &["GetEnumerator"]),
    ("IEqualityComparer", &["Equals", "GetHashCode"]),
    ("IEquatable", &["Equals"]),
    ("IFormattable", &["ToString"]),
    ("IHostedService", &["StartAsync", "StopAsync"]),
    ("INotifyPropertyChanged", &[]),
    ("INotifyPropertyChanging", &[]),
];

/// Whether a method named `member` of `ty` may implement an interface member: an interface
/// of the hierarchy declared in the project has a member of that name, or the hierarchy
/// lists an interface the project does not declare (and that is not known to lack it).
pub fn may_implement_interface_member(
    model: &FileModel<'_>,
    ty: &crate::semantic::TypeDecl,
    member: &str,
) -> bool {
    implements_member(model, ty, member, true)
}

/// The same walk as [`may_implement_interface_member`], counting only interfaces the project
/// does not declare (`IRequestHandler<T>`, `IHostedService` for `StartAsync`): a member of a
/// project interface can be renamed with it.
pub fn may_implement_external_interface_member(
    model: &FileModel<'_>,
    ty: &crate::semantic::TypeDecl,
    member: &str,
) -> bool {
    implements_member(model, ty, member, false)
}

fn implements_member(
    model: &FileModel<'_>,
    ty: &crate::semantic::TypeDecl,
    member: &str,
    project_interfaces_count: bool,
) -> bool {
    use crate::semantic::TypeKind;
    let looks_like_interface = |n: &str| {
        let mut c = n.chars();
        c.next() == Some('I') && c.next().is_some_and(|c| c.is_ascii_uppercase())
    };
    let mut seen: Vec<String> = vec![ty.name.clone()];
    let mut stack: Vec<String> = vec![ty.name.clone()];
    while let Some(n) = stack.pop() {
        let declared: Vec<&crate::semantic::TypeDecl> = model.types_named(&n).collect();
        if declared.is_empty() {
            if looks_like_interface(&n) {
                match EXTERNAL_INTERFACES.iter().find(|(i, _)| *i == n) {
                    Some((_, members)) if !members.contains(&member) => {}
                    _ => return true,
                }
            }
            continue;
        }
        for t in declared {
            if project_interfaces_count
                && n != ty.name
                && t.kind == TypeKind::Interface
                && t.members.iter().any(|m| m.name == member)
            {
                return true;
            }
            for b in &t.bases {
                if seen.len() < 64 && !seen.contains(&b.name) {
                    seen.push(b.name.clone());
                    stack.push(b.name.clone());
                }
            }
        }
    }
    false
}

/// Whether a type is an Entity Framework DbContext: named `DbContext`/`…DbContext`, a
/// framework DbContext type, deriving (through the project's declarations) from one, or a
/// project type named `…Context` that owns `DbSet<T>` members.
pub fn is_dbcontext(ty: &crate::syntax::Ty, model: &FileModel<'_>) -> bool {
    if ty.arrays > 0 {
        return false;
    }
    let mut names = vec![ty.name.clone()];
    let mut seen = 0;
    while let Some(n) = names.pop() {
        seen += 1;
        if seen > 16 {
            return false;
        }
        if n == "DbContext"
            || n.ends_with("DbContext")
            || crate::semantic::known::is_framework_type("dbcontext", &n)
        {
            return true;
        }
        for t in model.types_named(&n) {
            if n.ends_with("Context")
                && t.members.iter().any(|m| {
                    m.kind != crate::semantic::MemberKind::Method
                        && m.ty.as_ref().is_some_and(|t| {
                            crate::semantic::known::is_framework_type("dbset", &t.name)
                        })
                })
            {
                return true;
            }
            names.extend(t.bases.iter().map(|b| b.name.clone()));
        }
    }
    false
}

/// The variable a chain of member accesses and calls starts at: `db` in
/// `db.Users.Where(..).CountAsync()`, `this._db` in `this._db.SaveChangesAsync()`. `None`
/// when the chain starts at something else (a call, `new`, a literal) or passes through
/// `?.` / an element access.
pub fn chain_root(expr: Node<'_>) -> Option<Node<'_>> {
    let mut cur = expr.unparenthesized();
    for _ in 0..64 {
        match cur.kind() {
            SyntaxKind::Identifier => return Some(cur),
            SyntaxKind::InvocationExpression => {
                let inv = crate::syntax::views::Invocation::cast(cur)?;
                cur = inv.receiver()?.unparenthesized();
                if inv.is_conditional() {
                    return None;
                }
            }
            SyntaxKind::MemberAccessExpression => {
                let ma = crate::syntax::views::MemberAccess::cast(cur)?;
                let r = ma.receiver.unparenthesized();
                if r.is(SyntaxKind::ThisExpression) || r.is(SyntaxKind::BaseExpression) {
                    return Some(cur);
                }
                cur = r;
            }
            _ => return None,
        }
    }
    None
}

/// The simple names of a declaration's attributes, without an `Attribute` suffix or a
/// namespace: `[Xunit.FactAttribute, Trait("a", "b")]` gives `Fact`, `Trait`.
pub fn attribute_names(decl: Node<'_>) -> Vec<&str> {
    decl.children()
        .filter(|c| c.is(SyntaxKind::AttributeList))
        .flat_map(|l| l.named_children())
        .filter(|a| a.is(SyntaxKind::Attribute))
        .filter_map(|a| a.child_by_field(Field::Name))
        .map(|n| {
            let t = n.text();
            let t = t.split('<').next().unwrap_or(t);
            let t = t.rsplit(['.', ':']).next().unwrap_or(t).trim();
            t.strip_suffix("Attribute")
                .filter(|s| !s.is_empty())
                .unwrap_or(t)
        })
        .collect()
}

/// Whether a method is a unit test, a test fixture's setup or teardown, or a benchmark:
/// xUnit, NUnit, MSTest and BenchmarkDotNet attributes (and custom ones named like them,
/// `[SkippableFact]`, `[RetryTheory]`).
pub fn is_test_method(method: Node<'_>) -> bool {
    const EXACT: &[&str] = &[
        "AssemblyCleanup",
        "AssemblyInitialize",
        "Benchmark",
        "ClassCleanup",
        "ClassInitialize",
        "DataTestMethod",
        "GlobalCleanup",
        "GlobalSetup",
        "IterationCleanup",
        "IterationSetup",
        "OneTimeSetUp",
        "OneTimeTearDown",
        "SetUp",
        "TearDown",
        "TestCleanup",
        "TestInitialize",
    ];
    attribute_names(method).iter().any(|a| {
        EXACT.contains(a)
            || [
                "Fact",
                "Theory",
                "Test",
                "TestMethod",
                "TestCase",
                "TestCaseSource",
            ]
            .iter()
            .any(|s| a.ends_with(s))
    })
}
