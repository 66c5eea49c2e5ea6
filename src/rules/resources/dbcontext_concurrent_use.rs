//! ASYNC602 dbcontext-concurrent-use: one DbContext instance used by two operations that
//! run at the same time.

use crate::diagnostic::Severity;
use crate::rules::util::{chain_root, is_dbcontext, variable_key};
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{declarator_value, known, strip_configure_await, FileModel};
use crate::syntax::views::{is_function, Function, Invocation};
use crate::syntax::{Field, Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC602",
    name: "dbcontext-concurrent-use",
    family: Family::Resources,
    summary: "One DbContext used by two operations at the same time",
    default_severity: Severity::Error,
    severity: severity::error,
    fixable: false,
    kinds: &[
        SyntaxKind::InvocationExpression,
        SyntaxKind::VariableDeclarator,
    ],
    tokens: &["*Async", "Parallel"],
    may_flag_member: Some(may_overlap),
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags a DbContext instance (a field, parameter or local whose type derives \
from `DbContext`, is named `…DbContext`, or is a project `…Context` that owns `DbSet<T>` \
members) used by a second operation while a first one is still running: two of its \
operations passed to `Task.WhenAll`/`Task.WhenAny` (`Task.WhenAll(db.Users.CountAsync(), \
db.Orders.CountAsync())`), a task stored in a local (`var t = db.Users.CountAsync();`) and \
another operation on the same context started before that local is used, or an operation \
in a lambda that runs once per item at the same time (`Task.WhenAll(ids.Select(id => \
db.Users.FindAsync(id)))`, `Parallel.ForEach`/`Parallel.ForEachAsync`). Reported at the \
second operation (for the per-item lambdas, at the operation in the lambda).",
        why: "A DbContext is not thread-safe and supports one operation at a time. Entity \
Framework Core detects the overlap and throws `InvalidOperationException: A second operation \
was started on this context instance before a previous operation completed`; where it does \
not detect it, the change tracker is corrupted. The code looks like a clever optimization \
and fails in production, often only under load.",
        example: r#"
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;

class ShopDbContext : DbContext
{
    public DbSet<Order> Orders { get; set; }
    public DbSet<Customer> Customers { get; set; }
}

class Order { }
class Customer { }

class Dashboard
{
    private readonly ShopDbContext _db;

    public async Task<(int, int)> CountsAsync()
    {
        var orders = _db.Orders.CountAsync();
        var customers = _db.Customers.CountAsync();
        await Task.WhenAll(orders, customers);
        return (orders.Result, customers.Result);
    }
}
"#,
        use_instead: r#"
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;

class ShopDbContext : DbContext
{
    public DbSet<Order> Orders { get; set; }
    public DbSet<Customer> Customers { get; set; }
}

class Order { }
class Customer { }

class Dashboard
{
    private readonly ShopDbContext _db;

    public async Task<(int, int)> CountsAsync()
    {
        var orders = await _db.Orders.CountAsync();
        var customers = await _db.Customers.CountAsync();
        return (orders, customers);
    }
}
"#,
        silent_when: "Each operation is awaited before the next starts; the two operations \
use different contexts (two variables, or a context created inside the per-item lambda, e.g. \
from `IDbContextFactory`); the task local is used (awaited, passed on) before the next \
operation; the per-item lambda serializes its work (`await gate.WaitAsync()`, `lock`); the \
context's type is not known to be a DbContext (a repository, an unknown type); operations \
inside a lambda defined between the two (it may run later).",
        fix: "None automatic. Await each operation before starting the next, or give each \
concurrent operation its own context (`IDbContextFactory<T>.CreateDbContext()`).",
    },
};

/// Two operations overlap through a combinator (`Task.WhenAll`, `Parallel`), or through an
/// `…Async(..)` task that is neither awaited where it starts nor returned.
fn may_overlap(m: &crate::rules::MemberText<'_>) -> bool {
    use crate::semantic::{before_chain, Before};
    // A combinator, or a pending task: a local initialized with the call (`var t =
    // db.XAsync()`, `= (db.XAsync())`); what the walk back cannot tell counts too.
    ["WhenAll", "WhenAny", "Parallel"].iter().any(|w| m.has(w))
        || m.calls_ending_in("Async").any(|at| {
            matches!(
                before_chain(m.code.as_bytes(), at),
                Before::Unknown | Before::Punct(b'=' | b'(', _)
            )
        })
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    match node.kind() {
        SyntaxKind::InvocationExpression => check_combinator(node, ctx),
        SyntaxKind::VariableDeclarator => check_pending_local(node, ctx),
        _ => {}
    }
}

/// A DbContext operation: a call that ends a chain starting at a DbContext variable
/// (`db.Users.Where(..).CountAsync()`, `db.SaveChangesAsync()`, `_db.SaveChanges()`).
/// Returns the context's variable key and the root node.
fn db_operation<'t>(call: Node<'t>, model: &FileModel<'t>) -> Option<(String, Node<'t>)> {
    let inv = Invocation::cast(call)?;
    if inv.is_conditional() {
        return None;
    }
    let name = inv.name_text();
    let is_op = (name.len() > 5 && name.ends_with("Async") && name != "DisposeAsync")
        || name == "SaveChanges"
        || name == "Find"
        || known::EF_QUERY_OPERATORS.binary_search(&name).is_ok();
    if !is_op {
        return None;
    }
    let root = chain_root(inv.receiver()?)?;
    let ty = model.type_of(root)?;
    if !is_dbcontext(&ty, model) {
        return None;
    }
    // A sync query operator counts only on a set of the context (`db.Users.ToList()`), not
    // on LINQ-to-objects over something the context returned.
    if !name.ends_with("Async") && name != "SaveChanges" {
        let direct = inv
            .receiver()
            .is_some_and(|r| chain_root(r) == Some(root) && r.unparenthesized() != root);
        if !direct {
            return None;
        }
    }
    Some((variable_key(root), root))
}

/// An asynchronous operation (one that returns a task the caller may hold).
fn async_db_operation<'t>(call: Node<'t>, model: &FileModel<'t>) -> Option<(String, Node<'t>)> {
    let inv = Invocation::cast(call)?;
    if !inv.name_text().ends_with("Async") {
        return None;
    }
    db_operation(call, model)
}

/// `Task.WhenAll(db.A.CountAsync(), db.B.CountAsync())`, `Task.WhenAll(ids.Select(id =>
/// db.A.FindAsync(id)))`, `Parallel.ForEachAsync(items, async (i, ct) => await db..)`.
fn check_combinator<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(inv) = Invocation::cast(node) else {
        return;
    };
    let name = inv.name_text();
    let Some(recv) = inv.receiver() else { return };
    let recv_text = recv.text().trim_start_matches("global::");
    let combinator = matches!(name, "WhenAll" | "WhenAny")
        && matches!(recv_text, "Task" | "System.Threading.Tasks.Task");
    let parallel = matches!(name, "ForEach" | "ForEachAsync" | "For" | "ForAsync")
        && matches!(recv_text, "Parallel" | "System.Threading.Tasks.Parallel");
    if !combinator && !parallel {
        return;
    }
    if parallel {
        for arg in inv.args() {
            if let Some(f) = Function::cast(arg.value.unparenthesized()) {
                report_in_per_item_lambda(f, ctx);
            }
        }
        return;
    }
    let mut seen: Vec<String> = Vec::new();
    for e in combinator_elements(&inv) {
        let e = strip_configure_await(e.unparenthesized());
        if let Some((key, _)) = async_db_operation(e, model) {
            if seen.contains(&key) {
                let msg = format!(
                    "`{key}` runs a second operation while another on the same DbContext is still running: EF Core throws InvalidOperationException; await them one after the other or use a context each"
                );
                ctx.report(e, msg);
                return;
            }
            seen.push(key);
            continue;
        }
        // `ids.Select(id => db.X.FindAsync(id))` (optionally `.ToList()` / `.ToArray()`).
        if let Some(lambda) = select_lambda(e) {
            report_in_per_item_lambda(lambda, ctx);
        }
    }
}

/// The arguments of a combinator, with array and collection literals opened.
fn combinator_elements<'t>(inv: &Invocation<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    for arg in inv.args() {
        let v = arg.value.unparenthesized();
        let elements = match v.kind() {
            SyntaxKind::ImplicitArrayCreationExpression | SyntaxKind::ArrayCreationExpression => {
                v.child_of_kind(SyntaxKind::InitializerExpression)
            }
            SyntaxKind::CollectionExpression => Some(v),
            _ => None,
        };
        match elements {
            Some(list) => out.extend(list.named_children().map(|e| {
                // Collection-expression elements may be wrapped in an element node.
                if e.kind() == SyntaxKind::Other {
                    e.first_named_child().unwrap_or(e)
                } else {
                    e
                }
            })),
            None => out.push(v),
        }
    }
    out
}

/// The lambda of `xs.Select(x => ..)`, through a trailing `.ToList()`/`.ToArray()`.
fn select_lambda(expr: Node<'_>) -> Option<Function<'_>> {
    let mut inv = Invocation::cast(expr)?;
    if matches!(inv.name_text(), "ToList" | "ToArray") {
        inv = Invocation::cast(inv.receiver()?.unparenthesized())?;
    }
    if inv.name_text() != "Select" || inv.arg_count() != 1 {
        return None;
    }
    let lambda = Function::cast(inv.args().first()?.value.unparenthesized())?;
    lambda.is_lambda_like().then_some(lambda)
}

/// The first operation, in a lambda that runs once per item concurrently, on a DbContext
/// the lambda captures (declared outside it).
fn report_in_per_item_lambda<'t>(lambda: Function<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(body) = lambda.body() else { return };
    // A gate inside the lambda serializes the operations.
    let serialized = body.descendants().any(|d| {
        d.is(SyntaxKind::LockStatement)
            || Invocation::cast(d).is_some_and(|i| {
                matches!(
                    i.name_text(),
                    "WaitAsync" | "Wait" | "WaitOne" | "LockAsync"
                )
            })
    });
    if serialized {
        return;
    }
    let candidates = std::iter::once(body).chain(body.descendants_pruned(is_function));
    for d in candidates {
        if !d.is(SyntaxKind::InvocationExpression) {
            continue;
        }
        let Some((key, root)) = db_operation(d, model) else {
            continue;
        };
        let root_name = if root.is(SyntaxKind::Identifier) {
            root.text()
        } else {
            continue_if_member(root)
        };
        if declared_inside(lambda.node, root_name) {
            continue;
        }
        let msg = format!(
            "`{key}` is captured by a lambda that runs once per item at the same time: the items' operations overlap on one DbContext and EF Core throws InvalidOperationException; run them one after the other or create a context per item"
        );
        ctx.report(d, msg);
        return;
    }
}

/// `this._db` → `_db` (never declared inside a lambda).
fn continue_if_member(root: Node<'_>) -> &str {
    root.child_by_field(Field::Name)
        .map(|n| n.text())
        .unwrap_or("")
}

/// A parameter, local or foreach variable of that name inside the node.
fn declared_inside(scope: Node<'_>, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
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

/// `var t = db.Users.CountAsync();` and another operation on `db` before `t` is used.
fn check_pending_local<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(name) = node.child_by_field(Field::Name) else {
        return;
    };
    let Some(value) = declarator_value(node) else {
        return;
    };
    let value = strip_configure_await(value.unparenthesized());
    let Some((key, _)) = async_db_operation(value, model) else {
        return;
    };
    // A local of a method body, not a field.
    let Some(stmt) = node
        .parent()
        .and_then(|d| d.parent())
        .filter(|s| s.is(SyntaxKind::LocalDeclarationStatement))
    else {
        return;
    };
    let Some(scope) = stmt.parent() else { return };
    let Some(function) = model.function_of(node) else {
        return;
    };
    let var = name.text();
    // The window: from the end of the declaration to the first use of the task local.
    let start = stmt.end();
    let end = scope
        .descendants()
        .filter(|d| d.start() >= start && d.is(SyntaxKind::Identifier) && d.text() == var)
        .map(|d| d.start())
        .next()
        .unwrap_or(scope.end());
    for d in scope.descendants_pruned(is_function) {
        if d.start() < start || d.start() >= end {
            continue;
        }
        // The context variable reassigned: another instance from here on.
        if d.is(SyntaxKind::AssignmentExpression)
            && d.child_by_field(Field::Left)
                .is_some_and(|l| variable_key(l) == key)
        {
            return;
        }
        if !d.is(SyntaxKind::InvocationExpression) {
            continue;
        }
        if model.function_of(d).map(|f| f.node) != Some(function.node) {
            continue;
        }
        if let Some((k2, _)) = db_operation(d, model) {
            if k2 == key {
                let msg = format!(
                    "`{key}` starts a second operation while `{var}` (an operation on the same DbContext) has not been awaited: EF Core throws InvalidOperationException; await `{var}` first"
                );
                ctx.report(d, msg);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::project::ProjectKind;
    use crate::rules::harness::*;

    const CONTEXT: &str = r#"
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
class ShopDbContext : DbContext {
    public DbSet<Order> Orders { get; set; }
    public DbSet<Customer> Customers { get; set; }
}
class Catalog {
    public DbSet<Order> Items { get; set; }
}
class CatalogContext {
    public DbSet<Order> Items { get; set; }
}
class Order { public int Id; }
class Customer { }
"#;

    #[test]
    fn docs() {
        assert_docs(&RULE, ProjectKind::Library);
    }

    #[test]
    fn flags_overlapping_operations() {
        let src = format!(
            "{CONTEXT}{}",
            r#"
class Dashboard {
    private readonly ShopDbContext _db;
    private readonly CatalogContext _catalog;
    async Task A() {
        await Task.WhenAll(_db.Orders.CountAsync(), _db.Customers.CountAsync()); // ~ASYNC602
    }
    async Task B(ShopDbContext db) {
        var orders = db.Orders.ToListAsync();
        var customers = await db.Customers.ToListAsync(); // ~ASYNC602
        await orders;
    }
    async Task C() {
        var a = this._db.Orders.Where(o => o.Id > 1).CountAsync();
        var b = _db.SaveChangesAsync(); // ~ASYNC602
        await Task.WhenAll(a, b);
    }
    async Task D(int[] ids) {
        var found = await Task.WhenAll(ids.Select(id => _db.Orders.FindAsync(id).AsTask())); // ~ASYNC602
    }
    async Task E(int[] ids) {
        await Task.WhenAll(ids.Select(async id => {
            var o = await _db.Orders.FirstAsync(x => x.Id == id); // ~ASYNC602
        }));
    }
    async Task F(int[] ids) {
        await Parallel.ForEachAsync(ids, async (id, ct) => {
            await _db.Orders.FindAsync(id); // ~ASYNC602
        });
    }
    async Task G() {
        var t = _catalog.Items.CountAsync();
        var n = _catalog.Items.Count(); // ~ASYNC602
        await t;
    }
    async Task H() {
        await Task.WhenAll(new[] { _db.Orders.AnyAsync(), _db.Customers.AnyAsync() }); // ~ASYNC602
    }
}
"#
        );
        assert_marked(&RULE, &src, ProjectKind::Library);
    }

    #[test]
    fn silent_when_operations_do_not_overlap() {
        let src = format!(
            "{CONTEXT}{}",
            r#"
interface IOrderRepository { Task<int> CountAsync(); }
class Dashboard {
    private readonly ShopDbContext _db;
    private readonly ShopDbContext _other;
    private readonly IOrderRepository _repo;
    private readonly IOrderRepository _repo2;
    private readonly Catalog _plain;
    private readonly IDbContextFactory<ShopDbContext> _factory;
    private readonly SemaphoreSlim _gate = new SemaphoreSlim(1);
    async Task Sequential() {
        var a = await _db.Orders.CountAsync();
        var b = await _db.Customers.CountAsync();
    }
    async Task TwoContexts() {
        await Task.WhenAll(_db.Orders.CountAsync(), _other.Orders.CountAsync());
        var t = _db.Orders.CountAsync();
        var u = _other.Orders.CountAsync();
        await Task.WhenAll(t, u);
    }
    async Task AwaitedFirst() {
        var t = _db.Orders.CountAsync();
        var n = await t;
        var m = await _db.Customers.CountAsync();
    }
    async Task Repositories() {
        await Task.WhenAll(_repo.CountAsync(), _repo2.CountAsync());
        await Task.WhenAll(_plain.Items.CountAsync(), _plain.Items.AnyAsync());
    }
    async Task PerItemContext(int[] ids) {
        await Task.WhenAll(ids.Select(async id => {
            await using var db = _factory.CreateDbContext();
            return await db.Orders.FindAsync(id);
        }));
        await Parallel.ForEachAsync(ids, async (id, ct) => {
            using var db = new ShopDbContext();
            await db.Orders.FindAsync(id);
        });
    }
    async Task Gated(int[] ids) {
        await Task.WhenAll(ids.Select(async id => {
            await _gate.WaitAsync();
            try { await _db.Orders.FindAsync(id); } finally { _gate.Release(); }
        }));
    }
    async Task LaterLambda() {
        var t = _db.Orders.CountAsync();
        System.Func<Task<int>> later = () => _db.Customers.CountAsync();
        await t;
    }
    async Task Reassigned(ShopDbContext db) {
        var t = db.Orders.CountAsync();
        db = new ShopDbContext();
        await db.Customers.CountAsync();
        await t;
    }
    async Task LinqToObjects() {
        var list = await _db.Orders.ToListAsync();
        var t = _db.Orders.CountAsync();
        await t;
        var n = list.Count();
    }
}
"#
        );
        assert_silent(&RULE, &src, ProjectKind::Library);
    }

    #[test]
    fn knows_contexts_declared_in_other_files() {
        assert_marked_files(
            &RULE,
            r#"
//- Data/Data.csproj
<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>
//- Data/AppContext.cs
using Microsoft.EntityFrameworkCore;
namespace Data;
public class AppDb : IdentityDbContext<User> { public DbSet<User> People { get; set; } }
public class User { }
//- Data/Report.cs
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
namespace Data;
public class Report {
    private readonly AppDb _db;
    public async Task Run() {
        await Task.WhenAll(_db.People.CountAsync(), _db.People.AnyAsync()); // ~ASYNC602
    }
}
"#,
        );
    }
}
