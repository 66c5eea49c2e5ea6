//! 4xx: cancellation.
//!
//! Shared by the family: which parameters are tokens, which tokens are in scope at a node,
//! whether an expression is (or surely is not) a token, and whether a call can take a
//! token it is not given — from the built-in table or the project's own declarations.

pub mod cancellation_not_forwarded;
pub mod cancellation_source_not_disposed;
pub mod cancellation_swallowed;
pub mod cancellation_token_not_last;
pub mod missing_cancellation_parameter;
pub mod missing_enumerator_cancellation;

use crate::project::Frameworks;
use crate::rules::util::{derives_from, is_dbcontext, names_bcl_type};
use crate::semantic::known::{self, Requires};
use crate::semantic::{FileModel, MemberInfo};
use crate::syntax::views::{parameters_of, Function, FunctionKind, Invocation, MemberAccess};
use crate::syntax::{Field, Node, SyntaxKind, Ty};

/// `CancellationToken` (not nullable, not an array).
pub(crate) fn is_token_ty(ty: &Ty) -> bool {
    ty.name == "CancellationToken" && ty.args.is_empty() && ty.arrays == 0 && !ty.nullable
}

pub(crate) fn is_token_type_text(text: &str) -> bool {
    Ty::parse(text).is_some_and(|t| is_token_ty(&t))
}

fn is_token_param(p: &Option<Ty>) -> bool {
    p.as_ref().is_some_and(is_token_ty)
}

/// One parameter of a function, with its node (for modifiers and attributes).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ParamInfo<'t> {
    /// The `parameter` node; for a trailing `params T[] x`, the name.
    pub node: Node<'t>,
    pub name: Node<'t>,
    pub ty: Option<Node<'t>>,
    pub is_params: bool,
    /// Has a default value (`= default`).
    pub has_default: bool,
}

impl<'t> ParamInfo<'t> {
    pub fn has_modifier(&self, word: &str) -> bool {
        self.node.is(SyntaxKind::Parameter)
            && self
                .node
                .children()
                .any(|c| c.is(SyntaxKind::Modifier) && c.text() == word)
    }
    /// Attribute names on the parameter (`EnumeratorCancellation`, `CallerMemberName`), with
    /// a trailing `Attribute` and any namespace dropped.
    pub fn attributes(&self) -> Vec<&'t str> {
        if !self.node.is(SyntaxKind::Parameter) {
            return Vec::new();
        }
        self.node
            .children()
            .filter(|c| c.is(SyntaxKind::AttributeList))
            .flat_map(|l| l.named_children())
            .filter(|a| a.is(SyntaxKind::Attribute))
            .filter_map(|a| a.child_by_field(Field::Name))
            .map(|n| {
                let last = n.text().rsplit('.').next().unwrap_or("");
                last.strip_suffix("Attribute").unwrap_or(last)
            })
            .collect()
    }
    pub fn is_token(&self) -> bool {
        self.ty.is_some_and(|t| is_token_type_text(t.text()))
    }
}

/// The parameters of a function, in order.
pub(crate) fn params_of<'t>(f: &Function<'t>) -> Vec<ParamInfo<'t>> {
    let Some(list) = f.parameter_list() else {
        return Vec::new();
    };
    if list.is(SyntaxKind::ImplicitParameter) {
        return vec![ParamInfo {
            node: list,
            name: list,
            ty: None,
            is_params: false,
            has_default: false,
        }];
    }
    parameters_of(list)
        .into_iter()
        .filter_map(|p| {
            let name = p.name?;
            let node = name.parent().filter(|n| n.is(SyntaxKind::Parameter));
            Some(ParamInfo {
                node: node.unwrap_or(name),
                name,
                ty: p.ty,
                is_params: node.is_none(),
                has_default: p.has_default,
            })
        })
        .collect()
}

/// A token the code at some node can pass on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScopeToken<'t> {
    pub name: &'t str,
    /// 0 for a parameter of the innermost function, 1 for the one around it, …
    pub depth: usize,
}

/// Implicitly typed lambda parameters taken for tokens by their name alone.
const IMPLICIT_TOKEN_NAMES: &[&str] = &["cancellationToken", "stoppingToken"];

/// The `CancellationToken` parameters visible at `node`: the innermost function's, then, for
/// lambdas and local functions, those of the functions around them (not across a `static`
/// lambda, nor out of a lambda that runs detached: `Task.Run` without a token, an event
/// subscription, a callback stored in a member). Fields and properties holding tokens do not
/// count. Nearest first; an inner name hides an outer one.
pub(crate) fn tokens_in_scope<'t>(model: &FileModel<'t>, node: Node<'t>) -> Vec<ScopeToken<'t>> {
    let mut out: Vec<ScopeToken<'t>> = Vec::new();
    // Names declared by inner functions' parameters hide outer parameters of that name.
    let mut hidden: Vec<&'t str> = Vec::new();
    let mut f = model.function_of(node);
    let mut depth = 0;
    while let Some(func) = f {
        if func.kind == FunctionKind::TopLevel {
            break;
        }
        let params = params_of(&func);
        let foreach_async_token = parallel_foreach_token_param(&func);
        for (i, p) in params.iter().enumerate() {
            let name = p.name.text();
            if hidden.contains(&name) {
                continue;
            }
            let typed_token = p.is_token() && !p.has_modifier("out");
            let implicit = p.ty.is_none()
                && (IMPLICIT_TOKEN_NAMES.contains(&name) || foreach_async_token == Some(i));
            if typed_token || implicit {
                out.push(ScopeToken { name, depth });
            }
        }
        hidden.extend(params.iter().map(|p| p.name.text()));
        let nested = matches!(
            func.kind,
            FunctionKind::Lambda | FunctionKind::AnonymousMethod | FunctionKind::LocalFunction
        );
        if !nested || func.has_modifier("static") || runs_detached(model, &func) {
            break;
        }
        f = model.outer_function(func);
        depth += 1;
    }
    out
}

/// `Parallel.ForEachAsync(source, async (item, ct) => ..)`: the lambda's second parameter.
fn parallel_foreach_token_param(func: &Function<'_>) -> Option<usize> {
    if func.kind != FunctionKind::Lambda {
        return None;
    }
    let call = lambda_call(func.node)?;
    (call.name_text() == "ForEachAsync" && call.receiver().is_some_and(|r| r.text() == "Parallel"))
        .then_some(1)
}

/// The call a lambda is an argument of.
fn lambda_call(lambda: Node<'_>) -> Option<Invocation<'_>> {
    let arg = lambda.parent().filter(|p| p.is(SyntaxKind::Argument))?;
    let list = arg.parent().filter(|p| p.is(SyntaxKind::ArgumentList))?;
    Invocation::cast(list.parent()?)
}

/// A lambda that runs on its own, after or beside the code around it: started with
/// `Task.Run`/`StartNew`/`ThreadPool.QueueUserWorkItem` without a token, given to
/// `new Thread(..)`/`new Timer(..)`, subscribed with `+=`, stored in a member, or registered
/// on a token (`ct.Register(() => ..)`).
fn runs_detached(model: &FileModel<'_>, func: &Function<'_>) -> bool {
    if !func.is_lambda_like() {
        return false;
    }
    let node = func.node;
    let Some(parent) = node.parent() else {
        return false;
    };
    if parent.is(SyntaxKind::AssignmentExpression) {
        let op = parent.child_by_field(Field::Operator).map(|o| o.text());
        if matches!(op, Some("+=" | "-=")) {
            return true;
        }
        // Stored in a field or property: it runs whenever someone calls it.
        return parent
            .child_by_field(Field::Left)
            .is_some_and(|l| !l.is(SyntaxKind::Identifier) || !is_local_variable(model, l));
    }
    if let Some(list) = parent
        .parent()
        .filter(|l| parent.is(SyntaxKind::Argument) && l.is(SyntaxKind::ArgumentList))
    {
        let Some(holder) = list.parent() else {
            return false;
        };
        if holder.is(SyntaxKind::ObjectCreationExpression) {
            let ty = holder
                .child_by_field(Field::Type)
                .map(|t| t.text())
                .unwrap_or("");
            return matches!(known::simple(ty), "Thread" | "Timer");
        }
        if let Some(call) = Invocation::cast(holder) {
            let name = call.name_text();
            let starts_work = matches!(
                name,
                "Run" | "StartNew" | "QueueUserWorkItem" | "UnsafeQueueUserWorkItem"
            );
            if starts_work {
                return !call
                    .args()
                    .iter()
                    .any(|a| is_token_expr(model, a.value, &[]));
            }
            if name == "Register" || name == "UnsafeRegister" {
                return true;
            }
        }
    }
    false
}

/// Whether an identifier names a local variable or parameter of the function it is in.
pub(crate) fn is_local_variable<'t>(model: &FileModel<'t>, ident: Node<'t>) -> bool {
    let name = ident.text();
    let mut f = model.function_of(ident);
    while let Some(func) = f {
        if params_of(&func).iter().any(|p| p.name.text() == name) {
            return true;
        }
        if let Some(body) = func.body() {
            let declared = body
                .descendants_pruned(crate::syntax::views::is_function)
                .any(|d| {
                    d.is(SyntaxKind::VariableDeclarator)
                        && d.child_by_field(Field::Name).map(|n| n.text()) == Some(name)
                        && d.start() <= ident.start()
                });
            if declared {
                return true;
            }
        }
        if !func.is_lambda_like() && func.kind != FunctionKind::LocalFunction {
            return false;
        }
        f = model.outer_function(func);
    }
    false
}

/// Member names that hold a token: `cts.Token`, `HttpContext.RequestAborted`,
/// `lifetime.ApplicationStopping`, `context.CancellationToken`.
fn is_token_member(name: &str) -> bool {
    name.ends_with("Token")
        || matches!(
            name,
            "RequestAborted" | "ApplicationStopping" | "ApplicationStopped"
        )
}

/// Whether an expression is a token, or very likely one: a token in scope, something typed
/// `CancellationToken`, `CancellationToken.None`, `default(CancellationToken)`, `cts.Token`.
pub(crate) fn is_token_expr<'t>(
    model: &FileModel<'t>,
    expr: Node<'t>,
    scope: &[ScopeToken<'t>],
) -> bool {
    let e = expr.unparenthesized();
    let text = e.text();
    if text.ends_with("CancellationToken.None") || text.starts_with("default(") {
        return text.contains("CancellationToken");
    }
    match e.kind() {
        SyntaxKind::Identifier if scope.iter().any(|t| t.name == text) => return true,
        SyntaxKind::Identifier => {
            // `var token = cts.Token;` (one step: a token copied into a local).
            let copied = crate::rules::context::local_initializer(model, e).is_some_and(|init| {
                let init = init.unparenthesized();
                MemberAccess::cast(init).is_some_and(|m| is_token_member(m.name_text()))
                    || init.text().ends_with("CancellationToken.None")
            });
            if copied {
                return true;
            }
        }
        SyntaxKind::MemberAccessExpression => {
            if MemberAccess::cast(e).is_some_and(|m| is_token_member(m.name_text())) {
                return true;
            }
        }
        SyntaxKind::ConditionalAccessExpression => {
            if text.ends_with("Token") {
                return true;
            }
        }
        _ => {}
    }
    model
        .type_of(e)
        .is_some_and(|t| t.name == "CancellationToken" && t.arrays == 0)
}

/// Whether an argument is surely not a token: a literal, a lambda, `typeof(..)`, arithmetic,
/// a value typed as something else, an enum member or static member of another type.
fn surely_not_token<'t>(model: &FileModel<'t>, expr: Node<'t>) -> bool {
    let e = expr.unparenthesized();
    let text = e.text();
    if text.contains("CancellationToken") || text.to_ascii_lowercase().contains("token") {
        return false;
    }
    let literal = text.starts_with('"')
        || text.starts_with("@\"")
        || text.starts_with("$\"")
        || text.starts_with("$@\"")
        || text.starts_with("@$\"")
        || text.starts_with('\'')
        || matches!(text, "true" | "false" | "null")
        || text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '-');
    if literal {
        return true;
    }
    match e.kind() {
        SyntaxKind::LambdaExpression
        | SyntaxKind::AnonymousMethodExpression
        | SyntaxKind::BinaryExpression
        | SyntaxKind::ArrayCreationExpression
        | SyntaxKind::ImplicitArrayCreationExpression
        | SyntaxKind::InitializerExpression => return true,
        SyntaxKind::ObjectCreationExpression => return true, // `new CancellationToken(..)` is caught above
        SyntaxKind::MemberAccessExpression => {
            // `HttpCompletionOption.ResponseHeadersRead`, `TimeSpan.Zero`: a member of a type.
            if let Some(ma) = MemberAccess::cast(e) {
                let recv = ma.receiver.unparenthesized();
                if recv.is(SyntaxKind::Identifier)
                    && recv.text().starts_with(|c: char| c.is_ascii_uppercase())
                    && !model.is_local_name(recv, recv.text())
                    && !is_token_member(ma.name_text())
                {
                    return true;
                }
            }
        }
        SyntaxKind::InvocationExpression => {
            // `TimeSpan.FromSeconds(5)`
            if let Some(inv) = Invocation::cast(e) {
                if inv.receiver().is_some_and(|r| r.text() == "TimeSpan") {
                    return true;
                }
            }
        }
        _ => {}
    }
    if text.starts_with("typeof(") || text.starts_with("nameof(") {
        return true;
    }
    model
        .type_of(e)
        .is_some_and(|t| !t.is_unknown() && t.name != "CancellationToken")
}

/// Whether a call already hands a token over (positionally or by name).
pub(crate) fn passes_token<'t>(
    model: &FileModel<'t>,
    call: &Invocation<'t>,
    scope: &[ScopeToken<'t>],
) -> bool {
    call.args().iter().any(|a| {
        if let Some(n) = a.name {
            let t = n.text().to_ascii_lowercase();
            if t.contains("cancel") || t.contains("token") {
                return true;
            }
        }
        is_token_expr(model, a.value, scope)
    })
}

/// How a token can be added to a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// As one more trailing argument.
    Positional,
    /// As a named argument (`cancellationToken: ct`).
    Named(String),
    /// Not by a simple edit (`DbSet.FindAsync(params object[])` wants an array).
    Unwritable,
}

/// A call that can take a token it is not given.
#[derive(Clone, Debug)]
pub(crate) struct Cancellable {
    /// How the API is shown in messages: `Stream.ReadAsync`, `FetchAsync`.
    pub shown: String,
    pub slot: Slot,
}

/// Argument counts at which a table API certainly has no token, and those where it may
/// (the last argument decides), by `(type, method)`. Counts in neither list are not
/// flagged.
struct Arity {
    type_simple: &'static str,
    method: &'static str,
    certain: &'static [usize],
    ambiguous: &'static [usize],
}

const fn ar(
    type_simple: &'static str,
    method: &'static str,
    certain: &'static [usize],
    ambiguous: &'static [usize],
) -> Arity {
    Arity {
        type_simple,
        method,
        certain,
        ambiguous,
    }
}

const ARITIES: &[Arity] = &[
    ar("DatabaseFacade", "BeginTransactionAsync", &[0], &[1]),
    ar("DatabaseFacade", "EnsureCreatedAsync", &[0], &[]),
    ar("DatabaseFacade", "EnsureDeletedAsync", &[0], &[]),
    ar("DatabaseFacade", "MigrateAsync", &[0], &[1]),
    ar("DbCommand", "ExecuteNonQueryAsync", &[0], &[]),
    ar("DbCommand", "ExecuteReaderAsync", &[0], &[1]),
    ar("DbCommand", "ExecuteScalarAsync", &[0], &[]),
    ar("DbConnection", "BeginTransactionAsync", &[0], &[1]),
    ar("DbConnection", "OpenAsync", &[0], &[]),
    ar("DbContext", "AddAsync", &[1], &[]),
    ar("DbContext", "SaveChangesAsync", &[0], &[1]),
    ar("DbDataReader", "NextResultAsync", &[0], &[]),
    ar("DbDataReader", "ReadAsync", &[0], &[]),
    ar("DbSet", "AddAsync", &[1], &[]),
    ar("DbSet", "FindAsync", &[1], &[]),
    ar("DbTransaction", "CommitAsync", &[0], &[]),
    ar("DbTransaction", "RollbackAsync", &[0], &[1]),
    ar("EntityFrameworkQueryableExtensions", "AnyAsync", &[0], &[1]),
    ar(
        "EntityFrameworkQueryableExtensions",
        "CountAsync",
        &[0],
        &[1],
    ),
    ar(
        "EntityFrameworkQueryableExtensions",
        "FirstAsync",
        &[0],
        &[1],
    ),
    ar(
        "EntityFrameworkQueryableExtensions",
        "FirstOrDefaultAsync",
        &[0],
        &[1],
    ),
    ar(
        "EntityFrameworkQueryableExtensions",
        "SingleAsync",
        &[0],
        &[1],
    ),
    ar(
        "EntityFrameworkQueryableExtensions",
        "SingleOrDefaultAsync",
        &[0],
        &[1],
    ),
    ar(
        "EntityFrameworkQueryableExtensions",
        "ToArrayAsync",
        &[0],
        &[],
    ),
    ar(
        "EntityFrameworkQueryableExtensions",
        "ToListAsync",
        &[0],
        &[],
    ),
    ar("IDbContextFactory", "CreateDbContextAsync", &[0], &[]),
    ar("IDbContextTransaction", "CommitAsync", &[0], &[]),
    ar("IDbContextTransaction", "RollbackAsync", &[0], &[]),
    ar("File", "ReadAllBytesAsync", &[1], &[]),
    ar("File", "ReadAllLinesAsync", &[1], &[2]),
    ar("File", "ReadAllTextAsync", &[1], &[2]),
    ar("File", "WriteAllBytesAsync", &[2], &[]),
    ar("File", "WriteAllLinesAsync", &[2], &[3]),
    ar("File", "WriteAllTextAsync", &[2], &[3]),
    ar("HttpClient", "DeleteAsync", &[1], &[]),
    ar("HttpClient", "GetAsync", &[1], &[2]),
    ar("HttpClient", "GetByteArrayAsync", &[1], &[]),
    ar("HttpClient", "GetStreamAsync", &[1], &[]),
    ar("HttpClient", "GetStringAsync", &[1], &[]),
    ar("HttpClient", "PostAsync", &[2], &[]),
    ar("HttpClient", "PutAsync", &[2], &[]),
    ar("HttpClient", "SendAsync", &[1], &[2]),
    ar("HttpContent", "ReadAsByteArrayAsync", &[0], &[]),
    ar("HttpContent", "ReadAsStreamAsync", &[0], &[]),
    ar("HttpContent", "ReadAsStringAsync", &[0], &[]),
    ar("JsonSerializer", "DeserializeAsync", &[1], &[2, 3]),
    ar("JsonSerializer", "SerializeAsync", &[2, 3], &[4]),
    ar("ChannelReader", "ReadAllAsync", &[0], &[]),
    ar("ChannelReader", "ReadAsync", &[0], &[]),
    ar("ChannelReader", "WaitToReadAsync", &[0], &[]),
    ar("ChannelWriter", "WaitToWriteAsync", &[0], &[]),
    ar("ChannelWriter", "WriteAsync", &[1], &[]),
    ar("Process", "WaitForExitAsync", &[0], &[]),
    ar("SemaphoreSlim", "WaitAsync", &[0], &[1]),
    ar("Stream", "CopyToAsync", &[1], &[2]),
    ar("Stream", "FlushAsync", &[0], &[]),
    ar("Stream", "ReadAsync", &[1, 3], &[]),
    ar("Stream", "ReadExactlyAsync", &[1, 3], &[]),
    ar("Stream", "WriteAsync", &[1, 3], &[]),
    ar("StreamReader", "ReadLineAsync", &[0], &[]),
    ar("StreamReader", "ReadToEndAsync", &[0], &[]),
    ar("Task", "Delay", &[1], &[]),
    ar("Task", "WaitAsync", &[], &[1]),
];

/// APIs whose token must be passed by name: optional parameters stand between the
/// arguments usually given and the token.
const NAMED_TOKEN_APIS: &[(&str, &str)] = &[
    ("JsonSerializer", "DeserializeAsync"),
    ("JsonSerializer", "SerializeAsync"),
];

/// The table entry a call is to: `(type, method, how, requires)`.
type TableEntry = (&'static str, &'static str, known::TokenParam, Requires);

/// Matches a call against the built-in table of APIs that take a token, whatever the
/// framework. `None` when the call is not to one of them.
fn table_entry<'t>(call: &Invocation<'t>, model: &FileModel<'t>) -> Option<&'static TableEntry> {
    let name = call.name_text();
    let recv = call.receiver()?.unparenthesized();
    let mut recv_ty: Option<Option<Ty>> = None;
    for e in known::CANCELLABLE_APIS.iter().filter(|e| e.1 == name) {
        let simple = known::simple(e.0);
        let hit = if simple == "EntityFrameworkQueryableExtensions" {
            model.imports_ef
        } else if names_bcl_type(model, recv, simple) {
            true
        } else {
            let ty = recv_ty.get_or_insert_with(|| receiver_type(model, recv));
            ty.as_ref()
                .is_some_and(|t| t.arrays == 0 && receiver_is(model, t, e.0))
        };
        if hit {
            return Some(e);
        }
    }
    None
}

/// The type of a receiver, also `channel.Reader` / `channel.Writer` of a `Channel<T>` and
/// `db.Database` of a DbContext.
fn receiver_type<'t>(model: &FileModel<'t>, recv: Node<'t>) -> Option<Ty> {
    if let Some(t) = model.type_of(recv) {
        return (!t.is_unknown()).then_some(t);
    }
    let ma = MemberAccess::cast(recv)?;
    let inner = model.type_of(ma.receiver)?;
    match (inner.name.as_str(), ma.name_text()) {
        ("Channel", "Reader") => Some(Ty::simple("ChannelReader")),
        ("Channel", "Writer") => Some(Ty::simple("ChannelWriter")),
        (_, "Database") if is_dbcontext(&inner, model) => Some(Ty::simple("DatabaseFacade")),
        _ => None,
    }
}

/// Whether a receiver of type `ty` is an instance of the table's `full` type.
fn receiver_is(model: &FileModel<'_>, ty: &Ty, full: &str) -> bool {
    if known::simple(full) == "DbContext" && is_dbcontext(ty, model) {
        return true;
    }
    derives_from(model, &ty.name, |n| known::is_subtype(n, full))
}

/// Whether a call is to an API that accepts a token (for ASYNC402): one it can take but is
/// not given (see [`cancellable_call`]), or a table API or project method that is given one
/// (`CancellationToken.None` included) by an overload that has a token parameter.
pub(crate) fn accepts_token<'t>(
    call: &Invocation<'t>,
    model: &FileModel<'t>,
    frameworks: &Frameworks,
) -> bool {
    if !passes_token(model, call, &[]) {
        return cancellable_call(call, model, frameworks, &[]).is_some();
    }
    if let Some(e) = table_entry(call, model) {
        return e.3.available(frameworks);
    }
    let argc = call.arg_count();
    model
        .callee_overloads(call)
        .iter()
        .any(|m| m.accepts_arity(argc) && m.params.iter().any(is_token_param))
}

/// Whether a call can take a token it is not given: a table API whose token overload exists
/// on every target framework and whose arguments surely hold no token yet, or a project
/// method whose every overload the call may bind to has an optional token parameter after
/// the arguments or a twin with one more trailing token.
pub(crate) fn cancellable_call<'t>(
    call: &Invocation<'t>,
    model: &FileModel<'t>,
    frameworks: &Frameworks,
    scope: &[ScopeToken<'t>],
) -> Option<Cancellable> {
    let name = call.name_text();
    if name.is_empty() || passes_token(model, call, scope) {
        return None;
    }
    let argc = call.arg_count();
    let named_call = call.args().iter().any(|a| a.name.is_some());
    if let Some(e) = table_entry(call, model) {
        let simple = known::simple(e.0);
        if !e.3.available(frameworks) {
            return None;
        }
        // `CopyToAsync(destination, cancellationToken)` came with .NET Core 2.1 / .NET
        // Standard 2.1; the older overload wants a buffer size too.
        if simple == "Stream"
            && name == "CopyToAsync"
            && argc == 1
            && !Requires::AsyncFileApis.available(frameworks)
        {
            return None;
        }
        let arity = ARITIES
            .iter()
            .find(|a| a.type_simple == simple && a.method == name);
        let args = call.args();
        let last_not_token = args
            .last()
            .is_some_and(|a| surely_not_token(model, a.value));
        let fits = match arity {
            Some(a) => a.certain.contains(&argc) || (a.ambiguous.contains(&argc) && last_not_token),
            None => argc == 0 || last_not_token,
        };
        if !fits {
            return None;
        }
        let slot = if simple == "DbSet" {
            Slot::Unwritable
        } else if named_call || NAMED_TOKEN_APIS.contains(&(simple, name)) {
            Slot::Named("cancellationToken".to_owned())
        } else {
            Slot::Positional
        };
        let shown_type = if simple == "EntityFrameworkQueryableExtensions" {
            String::new()
        } else {
            format!("{simple}.")
        };
        return Some(Cancellable {
            shown: format!("{shown_type}{name}"),
            slot,
        });
    }
    let slot = project_slot(call, model, argc, named_call)?;
    Some(Cancellable {
        shown: name.to_owned(),
        slot,
    })
}

/// The token slot of a call to project methods, when every overload it may bind to can
/// take one more token.
fn project_slot(
    call: &Invocation<'_>,
    model: &FileModel<'_>,
    argc: usize,
    named_call: bool,
) -> Option<Slot> {
    if call.receiver().is_none() && local_function_named(model, call.node, call.name_text()) {
        return None; // the call binds to the local function, which the index does not see
    }
    let overloads = model.callee_overloads(call);
    let bound: Vec<&MemberInfo> = overloads
        .iter()
        .copied()
        .filter(|m| m.accepts_arity(argc))
        .collect();
    if bound.is_empty() {
        return None;
    }
    let mut slots: Vec<Slot> = Vec::new();
    for m in &bound {
        let variadic = m
            .params
            .last()
            .and_then(|p| p.as_ref())
            .is_some_and(|t| t.arrays > 0)
            && m.param_names.len() == m.params.len()
            && argc + 1 >= m.params.len();
        if variadic {
            return None;
        }
        let n = m.params.len().min(argc);
        if m.params[..n].iter().any(is_token_param) {
            return None; // the token is already passed positionally
        }
        // An optional token after the given arguments.
        if let Some(i) = (argc..m.params.len()).find(|&i| is_token_param(&m.params[i])) {
            if !(argc..=i).all(|j| m.optional.get(j).copied().unwrap_or(false)) {
                return None;
            }
            let pname = m.param_names.get(i).cloned().unwrap_or_default();
            slots.push(if i == argc && !named_call {
                Slot::Positional
            } else if pname.is_empty() {
                Slot::Unwritable
            } else {
                Slot::Named(pname)
            });
            continue;
        }
        // An overload with one more trailing token.
        let twin = overloads.iter().find(|o| {
            !o.obsolete
                && o.params.len() > argc
                && is_token_param(&o.params[argc])
                && (argc + 1..o.params.len()).all(|j| o.optional.get(j).copied().unwrap_or(false))
                && (0..argc).all(|j| o.params[j].is_some() && o.params[j] == m.params[j])
                && o.is_static == m.is_static
        });
        match twin {
            Some(o) => slots.push(if named_call {
                match o.param_names.get(argc) {
                    Some(p) if !p.is_empty() => Slot::Named(p.clone()),
                    _ => Slot::Unwritable,
                }
            } else {
                Slot::Positional
            }),
            None => return None,
        }
    }
    let first = slots.first()?.clone();
    Some(if slots.iter().all(|s| *s == first) {
        first
    } else {
        Slot::Unwritable
    })
}

/// Whether a local function of that name is declared in a function around `at`.
fn local_function_named(model: &FileModel<'_>, at: Node<'_>, name: &str) -> bool {
    let mut f = model.function_of(at);
    while let Some(func) = f {
        let declared = func.body().is_some_and(|b| {
            b.descendants().any(|d| {
                d.is(SyntaxKind::LocalFunctionStatement)
                    && d.child_by_field(Field::Name).map(|n| n.text()) == Some(name)
            })
        });
        if declared {
            return true;
        }
        f = model.outer_function(func);
    }
    false
}

/// The one token a fix can pass: the nearest scope level's, when it has exactly one.
pub(crate) fn token_to_pass<'t>(scope: &[ScopeToken<'t>]) -> Option<&'t str> {
    let nearest = scope.iter().map(|t| t.depth).min()?;
    let mut at: Vec<&ScopeToken<'t>> = scope.iter().filter(|t| t.depth == nearest).collect();
    at.dedup_by_key(|t| t.name);
    (at.len() == 1).then(|| at[0].name)
}

/// Where a new last argument goes: after the last argument, or just inside `(` of an empty
/// list. `None` when the call has no argument list.
pub(crate) fn trailing_argument_insert(call: &Invocation<'_>) -> Option<(usize, bool)> {
    let list = call.arguments?;
    match list
        .named_children()
        .filter(|c| c.is(SyntaxKind::Argument))
        .last()
    {
        Some(last) => Some((last.end(), true)),
        None => {
            let open = list.children().find(|c| c.text() == "(")?;
            Some((open.end(), false))
        }
    }
}

/// Whether a node sits in a `catch` clause or a `finally` of the function it runs in: cleanup
/// and error paths, where passing the (maybe already cancelled) token is a choice.
pub(crate) fn in_cleanup(model: &FileModel<'_>, node: Node<'_>) -> bool {
    let Some(f) = model.function_of(node) else {
        return false;
    };
    node.ancestors()
        .take_while(|a| *a != f.node)
        .any(|a| a.is(SyntaxKind::CatchClause) || a.is(SyntaxKind::FinallyClause))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_api_has_its_arities() {
        for (t, m, _, _) in known::CANCELLABLE_APIS {
            let simple = known::simple(t);
            assert!(
                ARITIES
                    .iter()
                    .any(|a| a.type_simple == simple && a.method == *m),
                "no token-less arities for {t}.{m}"
            );
        }
    }
}
