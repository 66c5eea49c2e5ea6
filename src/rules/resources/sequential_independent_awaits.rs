//! ASYNC603 sequential-independent-awaits: consecutive `var a = await X(); var b = await
//! Y();` queries that do not depend on each other and could run concurrently.

use crate::diagnostic::Severity;
use crate::rules::util::{chain_root, is_dbcontext, variable_key};
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::{declarator_value, known, strip_configure_await, FileModel, MemberKind};
use crate::syntax::views::Invocation;
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC603",
    name: "sequential-independent-awaits",
    family: Family::Resources,
    summary: "Independent queries awaited one after the other",
    default_severity: Severity::Info,
    severity: severity::info,
    fixable: false,
    kinds: &[SyntaxKind::Block],
    tokens: &["await"],
    may_flag_member: Some(|m| m.count("await") >= 2),
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags two or more consecutive local declarations that each await one query \
(`var a = await X(..); var b = await Y(..);`) where every call's name starts with Get, Fetch, \
Load, Read, Find, Count, List, Query or Download, the calls have different receivers (each a \
field, property, parameter or local whose type the file shows), and no call uses an earlier \
declaration's result. Reported once per run, at the second await.",
        why: "Each `await` waits for its call to finish before the next starts: two \
independent 100 ms queries take 200 ms. Started together and awaited with `Task.WhenAll`, \
they take as long as the slower one — latency that adds up on every request.",
        example: r#"
using System.Net.Http;
using System.Threading.Tasks;

class Profiles
{
    private readonly HttpClient _users;
    private readonly HttpClient _avatars;

    public async Task<string> ShowAsync(string id)
    {
        var user = await _users.GetStringAsync("/users/" + id);
        var avatar = await _avatars.GetStringAsync("/avatars/" + id);
        return user + avatar;
    }
}
"#,
        use_instead: r#"
using System.Net.Http;
using System.Threading.Tasks;

class Profiles
{
    private readonly HttpClient _users;
    private readonly HttpClient _avatars;

    public async Task<string> ShowAsync(string id)
    {
        var userTask = _users.GetStringAsync("/users/" + id);
        var avatarTask = _avatars.GetStringAsync("/avatars/" + id);
        await Task.WhenAll(userTask, avatarTask);
        return userTask.Result + avatarTask.Result;
    }
}
"#,
        silent_when: "Calls that are not queries by name: order-dependent pairs such as save \
then publish, wait then work, delay then retry are never flagged. Calls on the same \
receiver, calls on `this` or without a receiver, static calls, a call handed `this` (it \
reaches the whole object). A receiver whose type the file does not show. \
Any receiver that is a DbContext (one operation at a time: see ASYNC602), an ADO.NET \
connection, command or reader, named like one (`…Context`, `…Db…`, `…Connection`, \
`…Session`, `…Transaction`, `…Uow`/`…UnitOfWork`, `…Repository`, `…Store`, `…Manager` \
such as Identity's `UserManager<T>`), or a project type that holds one (a service over a \
shared context). A call that uses an earlier result (`var user = await \
_users.GetAsync(id); var orders = await _orders.GetAsync(user.Id);`). Declarations of \
several variables, `await foreach`, awaits nested in larger expressions.",
        fix: "None automatic: starting both first changes when exceptions surface and \
which work runs if the first fails. Start the calls, keep the tasks, and `await \
Task.WhenAll(..)` (or await the tasks one by one after both started).",
    },
};

/// One `var a = await recv.QueryAsync(..);` statement.
struct QueryAwait<'t> {
    /// The declared variable.
    name: &'t str,
    /// The `await` expression (where the finding goes).
    await_node: Node<'t>,
    /// The awaited call.
    call: Node<'t>,
    /// The receiver (`_users`, `_services.Catalog`), whitespace and `this.` dropped.
    receiver_key: String,
}

const QUERY_VERBS: &[&str] = &[
    "Count", "Download", "Fetch", "Find", "Get", "List", "Load", "Query", "Read",
];

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let mut run: Vec<QueryAwait<'t>> = Vec::new();
    let mut reported_run = false;
    for stmt in node.named_children() {
        let Some(q) = query_await(stmt, model) else {
            run.clear();
            reported_run = false;
            continue;
        };
        // A call that is handed `this` may reach everything the object holds.
        let independent = !passes_this(q.call)
            && run.iter().all(|prev| {
                prev.receiver_key != q.receiver_key
                    && !mentions(q.call, prev.name)
                    && !passes_this(prev.call)
            });
        if !independent {
            run.clear();
            reported_run = false;
        }
        run.push(q);
        if run.len() == 2 && !reported_run {
            reported_run = true;
            let first = &run[0];
            let second = &run[1];
            let msg = format!(
                "`{}` waits for `{}` to finish although it does not use its result: start both and `await Task.WhenAll(..)` to run them concurrently",
                second.await_node.text(),
                first.name,
            );
            ctx.report(second.await_node, msg);
        }
    }
}

fn query_await<'t>(stmt: Node<'t>, model: &FileModel<'t>) -> Option<QueryAwait<'t>> {
    if !stmt.is(SyntaxKind::LocalDeclarationStatement) {
        return None;
    }
    // `using var x = await ..` / `await using`: a resource, not a query result.
    if stmt
        .children()
        .any(|c| !c.is_named() && c.text() == "using")
    {
        return None;
    }
    let decl = stmt.child_of_kind(SyntaxKind::VariableDeclaration)?;
    let mut declarators = decl
        .named_children()
        .filter(|c| c.is(SyntaxKind::VariableDeclarator));
    let declarator = declarators.next()?;
    if declarators.next().is_some() {
        return None;
    }
    let name = declarator.child_by_field(Field::Name)?;
    if !name.is(SyntaxKind::Identifier) {
        return None;
    }
    let value = declarator_value(declarator)?.unparenthesized();
    if !value.is(SyntaxKind::AwaitExpression) {
        return None;
    }
    let call = strip_configure_await(value.first_named_child()?.unparenthesized());
    let inv = Invocation::cast(call)?;
    if inv.is_conditional() || !is_query_name(inv.name_text()) {
        return None;
    }
    let recv = inv.receiver()?.unparenthesized();
    if recv.is(SyntaxKind::ThisExpression) || recv.is(SyntaxKind::BaseExpression) {
        return None;
    }
    let root = chain_root(recv)?;
    if model.static_type_name(root).is_some() {
        return None;
    }
    if shared_resource_name(&variable_key(root)) || shared_resource_name(&variable_key(recv)) {
        return None;
    }
    // Every link of the chain must have a type the file shows, none a shared resource.
    let root_ty = model.type_of(root)?;
    if root_ty.is_unknown() || holds_shared_resource(&root_ty, model) {
        return None;
    }
    let recv_ty = model.type_of(recv);
    if recv_ty
        .as_ref()
        .is_some_and(|t| holds_shared_resource(t, model))
    {
        return None;
    }
    // The receiver chain between the root and the call: no EF query builders.
    let mut cur = recv;
    while let Some(i) = Invocation::cast(cur) {
        if known::EF_QUERY_BUILDERS
            .binary_search(&i.name_text())
            .is_ok()
        {
            return None;
        }
        cur = i.receiver()?.unparenthesized();
    }
    Some(QueryAwait {
        name: name.text(),
        await_node: value,
        call,
        receiver_key: variable_key(recv),
    })
}

/// `GetUserAsync`, `Fetch`, `ReadAllTextAsync`: a verb of the list followed by the end or an
/// uppercase letter (`Getaway` is not `Get`).
fn is_query_name(name: &str) -> bool {
    QUERY_VERBS.iter().any(|v| {
        name.strip_prefix(v).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase())
        })
    })
}

/// `x.GetAsync(a, this)`: the callee gets the whole object.
fn passes_this(call: Node<'_>) -> bool {
    // `this` is an anonymous keyword here: read the argument list's text.
    Invocation::cast(call)
        .and_then(|i| i.arguments)
        .is_some_and(|list| {
            list.children()
                .filter(|c| c.is(SyntaxKind::Argument))
                .any(|a| a.text().trim() == "this")
        })
}

/// Whether `name` appears as an identifier inside `node` (the call uses that result).
fn mentions(node: Node<'_>, name: &str) -> bool {
    node.descendants()
        .any(|d| d.is(SyntaxKind::Identifier) && d.text() == name)
}

/// Names of things that allow one operation at a time, or that usually sit on one (by
/// camel-case word: `_dbContext`, `SqlConnection`, `OrderRepository`, `UserManager<T>` and
/// `IUserStore<T>` of ASP.NET Identity over one DbContext; not `_feedback`).
fn shared_resource_name(name: &str) -> bool {
    words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "context"
                | "dbcontext"
                | "connection"
                | "conn"
                | "session"
                | "transaction"
                | "uow"
                | "unitofwork"
                | "db"
                | "repository"
                | "repo"
                | "store"
                | "manager"
        )
    })
}

/// Lowercase camel-case words of an identifier (`_userDbContext` → user, db, context).
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A DbContext, an ADO.NET type, a type named like a context or connection, or a project
/// type (or an implementation of a project interface) that holds one.
fn holds_shared_resource(ty: &Ty, model: &FileModel<'_>) -> bool {
    if is_shared_type(ty, model) {
        return true;
    }
    // Project types: their fields and properties (implementations of an interface too).
    let mut types: Vec<&crate::semantic::TypeDecl> = model.types_named(&ty.name).collect();
    let implementations: Vec<&crate::semantic::TypeDecl> = types
        .iter()
        .filter(|t| t.kind == crate::semantic::TypeKind::Interface)
        .flat_map(|i| implementations_of(model, &i.name))
        .collect();
    types.extend(implementations);
    types.iter().take(32).any(|t| {
        t.members.iter().any(|m| {
            m.kind != MemberKind::Method
                && m.ty
                    .as_ref()
                    .is_some_and(|mt| is_shared_type(mt, model) || shared_resource_name(&mt.name))
        })
    })
}

fn is_shared_type(ty: &Ty, model: &FileModel<'_>) -> bool {
    if is_dbcontext(ty, model) || shared_resource_name(&ty.name) {
        return true;
    }
    // Queries over a context (`IQueryable<T>`, `DbSet<T>`) run on that context.
    if matches!(
        ty.name.as_str(),
        "IQueryable" | "IOrderedQueryable" | "DbSet" | "IIncludableQueryable"
    ) {
        return true;
    }
    [
        "System.Data.Common.DbCommand",
        "System.Data.Common.DbConnection",
        "System.Data.Common.DbDataReader",
    ]
    .iter()
    .any(|b| known::is_subtype(&ty.name, b))
}

/// Project types that list `interface` among their bases (through the index too).
fn implementations_of<'s>(
    model: &'s FileModel<'_>,
    interface: &str,
) -> Vec<&'s crate::semantic::TypeDecl> {
    // Conventional implementation names: `IFoo` → `Foo`, `…Foo`.
    let Some(stem) = interface.strip_prefix('I') else {
        return Vec::new();
    };
    model
        .types_named(stem)
        .filter(|t| t.bases.iter().any(|b| b.name == interface))
        .collect()
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
    fn flags_independent_queries() {
        assert_marked(
            &RULE,
            r#"
using System.Net.Http;
using System.Threading.Tasks;
interface IUsers { Task<string> GetUserAsync(string id); Task<int> CountAsync(); }
interface IWeather { Task<string> FetchForecastAsync(string city); }
interface ICatalog { Task<int> GetItemsAsync(); }
interface IBasket { Task<int> GetBasketAsync(); }
interface IServices { ICatalog Catalog { get; } IBasket Basket { get; } }
class Page {
    private readonly IUsers _users;
    private readonly IWeather _weather;
    private readonly HttpClient _http;
    async Task<string> Show(string id, string city) {
        var user = await _users.GetUserAsync(id);
        var forecast = await _weather.FetchForecastAsync(city); // ~ASYNC603
        var page = await _http.GetStringAsync("/page").ConfigureAwait(false);
        return user + forecast + page;
    }
    private readonly IServices _services;
    async Task<int> Nested() {
        var items = await _services.Catalog.GetItemsAsync();
        var more = await _services.Catalog.GetItemsAsync();
        var basket = await _services.Basket.GetBasketAsync(); // ~ASYNC603
        return items + more + basket;
    }
    async Task<int> Twice(IUsers other) {
        var a = await _users.CountAsync();
        var b = await other.CountAsync(); // ~ASYNC603
        return a + b;
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_dependent_or_ordered_awaits() {
        assert_silent(
            &RULE,
            r#"
using System.Data.Common;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
interface IUsers { Task<User> GetUserAsync(string id); Task<User> GetUserAsync(string id, Page p); Task SaveAsync(User u); }
interface IOrders { Task<int[]> GetOrdersAsync(int userId); Task<int> CountAsync(); }
interface IBus { Task PublishAsync(object m); }
class User { public int Id; }
class ShopDbContext : DbContext { public DbSet<User> Users { get; set; } }
interface IUserRepository { Task<User> GetAsync(int id); }
class UserRepository : IUserRepository { private readonly ShopDbContext _db; public Task<User> GetAsync(int id) => null; }
interface IOrderRepository { Task<int> GetCountAsync(); }
class OrderRepository : IOrderRepository { private readonly ShopDbContext _db; public Task<int> GetCountAsync() => null; }
class Page {
    private readonly IUsers _users;
    private readonly IOrders _orders;
    private readonly IBus _bus;
    private readonly ShopDbContext _db;
    private readonly ShopDbContext _db2;
    private readonly IUserRepository _userRepository;
    private readonly IOrderRepository _orderRepository;
    private readonly DbConnection _conn;
    async Task Dependent(string id) {
        var user = await _users.GetUserAsync(id);
        var orders = await _orders.GetOrdersAsync(user.Id);
    }
    async Task Ordered(User u) {
        var saved = await Save(u);
        var published = await Publish(u);
        await Task.Delay(100);
        var retried = await _users.GetUserAsync("x");
    }
    async Task SameReceiver() {
        var a = await _orders.CountAsync();
        var b = await _orders.GetOrdersAsync(1);
    }
    async Task Contexts() {
        var a = await _db.Users.CountAsync();
        var b = await _db2.Users.CountAsync();
        var c = await _userRepository.GetAsync(1);
        var d = await _orderRepository.GetCountAsync();
    }
    private readonly Microsoft.AspNetCore.Identity.UserManager<User> _userManager;
    private readonly Microsoft.AspNetCore.Identity.RoleManager<User> _roleManager;
    async Task Identity(string id) {
        var user = await _userManager.FindByIdAsync(id);
        var role = await _roleManager.FindByNameAsync("admin");
    }
    async Task Queries(System.Linq.IQueryable<User> users, System.Linq.IQueryable<User> admins) {
        var a = await users.CountAsync();
        var b = await admins.CountAsync();
    }
    async Task Unknown(string id) {
        var a = await unknown.GetUserAsync(id);
        var b = await other.GetUserAsync(id);
        var c = await GetLocalAsync();
        var d = await GetOtherLocalAsync();
        var e = await System.IO.File.ReadAllTextAsync("a");
        var f = await System.IO.File.ReadAllTextAsync("b");
    }
    async Task HandsThisOver(string id) {
        var a = await _users.GetUserAsync(id, this);
        var b = await _orders.CountAsync();
    }
    async Task NotConsecutive(string id) {
        var a = await _users.GetUserAsync(id);
        System.Console.WriteLine(a);
        var b = await _orders.CountAsync();
    }
    Task<int> Save(User u) => Task.FromResult(1);
    Task<int> Publish(User u) => Task.FromResult(1);
    Task<int> GetLocalAsync() => Task.FromResult(1);
    Task<int> GetOtherLocalAsync() => Task.FromResult(1);
}
"#,
            ProjectKind::Library,
        );
    }
}
