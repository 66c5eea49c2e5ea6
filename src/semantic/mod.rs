//! What one file tells about types and flow, answered tri-state: a rule fires only on a
//! definite yes. Built once per file from the flat syntax tree, before any rule runs.
//!
//! - [`FileModel::type_of`]: the type of an expression, when the file shows it (locals,
//!   parameters, fields, properties, methods declared in the file, `new T()`, casts,
//!   `await`, `ConfigureAwait`, the built-in tables).
//! - [`FileModel::is_awaitable`]: is this expression a task?
//! - [`FileModel::known_complete`]: was this task already awaited, waited on, checked
//!   with `IsCompleted`, or is it the antecedent of a `ContinueWith` callback?
//! - [`FileModel::context_of`]: the function a node runs in (async or not, lambda or not).

mod decls;
mod index;
pub mod known;
mod names;
mod skim;

pub use decls::{
    is_type_decl, summarize, FileId, FileSummary, MemberInfo, MemberKind, TypeDecl, TypeKind,
};
pub use index::ProjectIndex;
pub use names::{before_chain, may_start_statement, AwaitableNames, Before, NameHit};
pub use skim::{member_bodies_and_code, skim, MemberBody};

use crate::syntax::views::{callee_name, Function, FunctionKind, Invocation, MemberAccess};
use crate::syntax::{Field, Node, NodeId, SyntaxKind, SyntaxTree, Ty, NO_NODE};
use rustc_hash::FxHashMap;

/// A tri-state answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Unknown,
}

impl Tri {
    pub fn is_yes(self) -> bool {
        self == Tri::Yes
    }
}

/// Whether a type is a task-like awaitable asynclint knows.
pub fn ty_is_awaitable(ty: &Ty) -> bool {
    ty.arrays == 0
        && known::AWAITABLE_TYPES
            .iter()
            .any(|t| known::simple(t) == ty.name)
}

/// `ValueTask` or `ValueTask<T>`.
pub fn ty_is_value_task(ty: &Ty) -> bool {
    ty.arrays == 0 && (ty.name == "ValueTask" || ty.name == "ConfiguredValueTaskAwaitable")
}

/// What `await x` yields for `x: ty`.
pub fn awaited_type(ty: &Ty) -> Option<Ty> {
    if !ty_is_awaitable(ty) {
        return None;
    }
    Some(
        ty.args
            .first()
            .cloned()
            .unwrap_or_else(|| Ty::simple("void")),
    )
}

/// A local, parameter or pattern variable.
#[derive(Clone, Debug)]
struct LocalDecl {
    /// The node whose subtree is the variable's scope.
    scope: NodeId,
    /// Where it is declared (uses before it do not see it).
    pos: usize,
    ty: DeclType,
    /// The initializer of a local declarator (`NO_NODE` for others).
    init: NodeId,
}

#[derive(Clone, Debug)]
enum DeclType {
    Explicit(Ty),
    /// `var x = <expr>`.
    Inferred(NodeId),
    /// `foreach (var x in <expr>)`.
    ItemOf(NodeId),
    Unknown,
}

/// A fact about a task variable at a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FactKind {
    /// `await t`, `await Task.WhenAll(t, ..)`, `t.Wait()`, `Task.WaitAll(t, ..)`, `t.Result`.
    Completed,
    /// `t.IsCompleted`, `t.Status`, `t is { IsCompleted: true }`.
    Guarded,
}

#[derive(Clone, Copy, Debug)]
struct Fact {
    /// The fact holds for uses in `from..to`.
    from: usize,
    to: usize,
}

/// Where a node runs: the innermost function around it.
#[derive(Clone, Copy, Debug)]
pub struct Context<'t> {
    pub function: Function<'t>,
    /// `async` (or top-level statements that contain `await`).
    pub is_async: bool,
}

pub struct FileModel<'t> {
    tree: &'t SyntaxTree,
    /// Innermost function-like ancestor-or-self of every node.
    func_of: Vec<NodeId>,
    /// Innermost type declaration strictly around every node.
    type_of_node: Vec<NodeId>,
    /// Per node: a finding inside it (below it) is near a parse error.
    error_scope: Vec<bool>,
    /// This file's type declarations by their node.
    type_by_node: FxHashMap<NodeId, usize>,
    locals: FxHashMap<(NodeId, &'t str), Vec<LocalDecl>>,
    /// Per (function, variable): where a completion fact starts and how far it holds.
    facts: FxHashMap<(NodeId, &'t str), Vec<Fact>>,
    /// Methods passed as a method group to `ContinueWith`: their first parameter is a
    /// completed antecedent.
    continuations: Vec<&'t str>,
    /// The types this file declares.
    types: Vec<TypeDecl>,
    types_by_name: FxHashMap<String, Vec<usize>>,
    /// Names on the right of `+=` / `-=` in this file: methods subscribed to events.
    subscribed: Vec<String>,
    /// Declarations of every other file of the run.
    index: &'t ProjectIndex,
    file: FileId,
    top_level_async: bool,
    /// `using System.Threading.Tasks;` (or a `global using`) in this file.
    pub imports_tasks: bool,
    /// `using Microsoft.EntityFrameworkCore;` or `using System.Data.Entity;`.
    pub imports_ef: bool,
    /// `using NUnit.Framework;`: `Assert.ThrowsAsync` blocks and returns no task.
    pub imports_nunit: bool,
    /// Some `if`/`?:` condition is a flag named like `async` (`if (async)`, `!IsAsync`): the
    /// file has sync and async paths side by side.
    pub has_async_flag_conditions: bool,
}

impl<'t> FileModel<'t> {
    /// A model that knows this file alone.
    pub fn build_local(tree: &'t SyntaxTree) -> FileModel<'t> {
        static EMPTY: std::sync::OnceLock<ProjectIndex> = std::sync::OnceLock::new();
        FileModel::build(tree, EMPTY.get_or_init(ProjectIndex::new), FileId::MAX)
    }

    /// A model of one file that also sees the declarations of the project index.
    pub fn build(tree: &'t SyntaxTree, index: &'t ProjectIndex, file: FileId) -> FileModel<'t> {
        let mut m = FileModel {
            tree,
            func_of: vec![NO_NODE; tree.len()],
            type_of_node: vec![NO_NODE; tree.len()],
            error_scope: vec![false; tree.len()],
            type_by_node: FxHashMap::default(),
            locals: FxHashMap::default(),
            facts: FxHashMap::default(),
            continuations: Vec::new(),
            types: Vec::new(),
            types_by_name: FxHashMap::default(),
            subscribed: Vec::new(),
            index,
            file,
            top_level_async: false,
            imports_tasks: false,
            imports_ef: false,
            imports_nunit: false,
            has_async_flag_conditions: false,
        };
        if tree.is_empty() {
            return m;
        }
        m.compute_func_of();
        for node in tree.iter() {
            match node.kind() {
                SyntaxKind::Parameter | SyntaxKind::ImplicitParameter => m.add_parameter(node),
                SyntaxKind::VariableDeclarator => m.add_declarator(node),
                SyntaxKind::ForeachStatement => m.add_foreach(node),
                SyntaxKind::AwaitExpression => m.add_await_facts(node),
                SyntaxKind::IfStatement | SyntaxKind::ConditionalExpression
                    if !m.has_async_flag_conditions =>
                {
                    m.has_async_flag_conditions = node
                        .child_by_field(Field::Condition)
                        .is_some_and(|c| async_flag(c).is_some());
                }
                SyntaxKind::InvocationExpression => m.add_wait_facts(node),
                SyntaxKind::MemberAccessExpression => m.add_member_facts(node),
                SyntaxKind::IsPatternExpression => m.add_pattern_guard(node),
                SyntaxKind::UsingDirective => {
                    let t = node.text();
                    if t.contains("System.Threading.Tasks") {
                        m.imports_tasks = true;
                    }
                    if t.contains("Microsoft.EntityFrameworkCore")
                        || t.contains("System.Data.Entity")
                    {
                        m.imports_ef = true;
                    }
                    if t.contains("NUnit") {
                        m.imports_nunit = true;
                    }
                }
                SyntaxKind::GlobalStatement if !m.top_level_async => {
                    m.top_level_async = node
                        .descendants_pruned(crate::syntax::views::is_function)
                        .any(|d| {
                            d.is(SyntaxKind::AwaitExpression) || is_await_keyword_statement(d)
                        });
                }
                _ => {}
            }
        }
        let summary = decls::summarize(tree, file);
        for (i, t) in summary.types.iter().enumerate() {
            m.types_by_name.entry(t.name.clone()).or_default().push(i);
            m.type_by_node.insert(t.node, i);
        }
        m.types = summary.types;
        m.subscribed = summary.subscriptions;
        if !tree.elided().is_empty() && index.file_count() == 0 {
            // Subscriptions in bodies the tree does not hold: the skim reads every body. An
            // index holds this file's skim already (`is_subscribed` asks it too).
            m.subscribed = skim::skim(tree.source(), file).subscriptions;
        }
        m
    }

    pub fn tree(&self) -> &'t SyntaxTree {
        self.tree
    }

    fn compute_func_of(&mut self) {
        let tree = self.tree;
        // Pre-order with subtree ends: a stack of open functions.
        let mut stack: Vec<(NodeId, NodeId)> = Vec::new(); // (function id, subtree end)
        let has_globals = tree
            .root()
            .children()
            .any(|c| c.is(SyntaxKind::GlobalStatement));
        for node in tree.iter() {
            let id = node.id();
            while stack.last().is_some_and(|&(_, end)| id >= end) {
                stack.pop();
            }
            let is_fn = if node.is(SyntaxKind::CompilationUnit) {
                has_globals
            } else {
                crate::syntax::views::is_function(node)
            };
            if is_fn {
                stack.push((id, node.subtree_end()));
            }
            self.func_of[id as usize] = stack.last().map(|&(f, _)| f).unwrap_or(NO_NODE);
            // The innermost type declaration around (not including) the node.
            let parent_type = node.parent().map(|p| {
                if decls::is_type_decl(p) {
                    p.id()
                } else {
                    self.type_of_node[p.id() as usize]
                }
            });
            self.type_of_node[id as usize] = parent_type.unwrap_or(NO_NODE);
            // Whether code here sits in a member (or top-level statement) that did not parse.
            let inherited = match node.parent() {
                Some(p) => self.error_scope[p.id() as usize],
                None => tree.has_errors(),
            };
            self.error_scope[id as usize] = if node.is(SyntaxKind::Error) {
                true
            } else if is_member_level(node) {
                node.has_error()
            } else {
                inherited
            };
        }
    }

    /// Whether findings at `node` must be dropped: the member (method, property, …) or
    /// top-level statement around it contains a parse error, or it is inside an ERROR node.
    pub fn near_parse_error(&self, node: Node<'t>) -> bool {
        node.has_error()
            || node.parent().is_some_and(|p| {
                self.error_scope
                    .get(p.id() as usize)
                    .copied()
                    .unwrap_or(true)
            })
    }

    /// The innermost function a node belongs to (the node itself if it is one).
    pub fn function_of(&self, node: Node<'t>) -> Option<Function<'t>> {
        let f = *self.func_of.get(node.id() as usize)?;
        (f != NO_NODE)
            .then(|| Function::cast(self.tree.node(f)))
            .flatten()
    }

    /// The function whose body the node runs in: for a function node, its own body.
    pub fn context_of(&self, node: Node<'t>) -> Option<Context<'t>> {
        let function = self.function_of(node)?;
        let is_async = if function.kind == FunctionKind::TopLevel {
            self.top_level_async
        } else {
            function.is_async()
        };
        Some(Context { function, is_async })
    }

    /// The function enclosing a function node (for a lambda, the method around it).
    pub fn outer_function(&self, f: Function<'t>) -> Option<Function<'t>> {
        self.function_of(f.node.parent()?)
    }

    /// The innermost type declaration around a node.
    pub fn enclosing_type(&self, node: Node<'t>) -> Option<&TypeDecl> {
        let decl = *self.type_of_node.get(node.id() as usize)?;
        if decl == NO_NODE {
            return None;
        }
        self.type_by_node.get(&decl).map(|&i| &self.types[i])
    }

    /// Types of that simple name: this file's, then the other files' of the index.
    pub fn types_named<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s TypeDecl> + 's {
        let local = self
            .types_by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&i| &self.types[i]);
        let file = self.file;
        local.chain(self.index.types_named(name).filter(move |t| t.file != file))
    }

    /// Whether the type is declared in this file or anywhere in the index.
    pub fn is_declared_type(&self, name: &str) -> bool {
        self.types_by_name.contains_key(name) || self.index.has_type(name)
    }

    /// Subscribed with `+=` in this file or any other.
    pub fn is_subscribed(&self, method_name: &str) -> bool {
        self.subscribed.iter().any(|s| s == method_name) || self.index.is_subscribed(method_name)
    }

    /// The type declaration around `t`, when `t` comes from this file.
    fn outer_type_of(&self, t: &TypeDecl) -> Option<&TypeDecl> {
        if t.file != self.file {
            return None;
        }
        self.enclosing_type(self.tree.node(t.node))
    }

    // ---- declarations -------------------------------------------------------------------

    fn add_parameter(&mut self, node: Node<'t>) {
        let (name, ty) = if node.is(SyntaxKind::ImplicitParameter) {
            (node, DeclType::Unknown)
        } else {
            let Some(name) = node.child_by_field(Field::Name) else {
                return;
            };
            let ty = node
                .child_by_field(Field::Type)
                .and_then(|t| Ty::parse(t.text()))
                .map(DeclType::Explicit)
                .unwrap_or(DeclType::Unknown);
            (name, ty)
        };
        let Some(owner) = self.function_of(node) else {
            return;
        };
        self.locals
            .entry((owner.node.id(), name.text()))
            .or_default()
            .push(LocalDecl {
                scope: owner.node.id(),
                pos: 0,
                ty,
                init: NO_NODE,
            });
    }

    fn add_declarator(&mut self, node: Node<'t>) {
        let Some(decl) = node
            .parent()
            .filter(|p| p.is(SyntaxKind::VariableDeclaration))
        else {
            return;
        };
        let Some(stmt) = decl.parent() else { return };
        let scope = match stmt.kind() {
            SyntaxKind::LocalDeclarationStatement => stmt.parent(),
            SyntaxKind::UsingStatement | SyntaxKind::ForStatement => Some(stmt),
            _ => None, // fields are members, not locals
        };
        let Some(scope) = scope else { return };
        let Some(name) = node
            .child_by_field(Field::Name)
            .filter(|n| n.is(SyntaxKind::Identifier))
        else {
            return;
        };
        let ty_node = decl.child_by_field(Field::Type);
        let ty = match ty_node {
            Some(t) if t.is(SyntaxKind::ImplicitType) => declarator_value(node)
                .map(|v| DeclType::Inferred(v.id()))
                .unwrap_or(DeclType::Unknown),
            Some(t) => Ty::parse(t.text())
                .map(DeclType::Explicit)
                .unwrap_or(DeclType::Unknown),
            None => DeclType::Unknown,
        };
        let Some(owner) = self.function_of(node) else {
            return;
        };
        self.locals
            .entry((owner.node.id(), name.text()))
            .or_default()
            .push(LocalDecl {
                scope: scope.id(),
                pos: name.start(),
                ty,
                init: declarator_value(node).map(|v| v.id()).unwrap_or(NO_NODE),
            });
    }

    fn add_foreach(&mut self, node: Node<'t>) {
        let Some(left) = node
            .child_by_field(Field::Left)
            .filter(|n| n.is(SyntaxKind::Identifier))
        else {
            return;
        };
        let ty = match node.child_by_field(Field::Type) {
            Some(t) if t.is(SyntaxKind::ImplicitType) => node
                .child_by_field(Field::Right)
                .map(|r| DeclType::ItemOf(r.id()))
                .unwrap_or(DeclType::Unknown),
            Some(t) => Ty::parse(t.text())
                .map(DeclType::Explicit)
                .unwrap_or(DeclType::Unknown),
            None => DeclType::Unknown,
        };
        let Some(owner) = self.function_of(node) else {
            return;
        };
        self.locals
            .entry((owner.node.id(), left.text()))
            .or_default()
            .push(LocalDecl {
                scope: node.id(),
                pos: left.start(),
                ty,
                init: NO_NODE,
            });
    }

    // ---- facts --------------------------------------------------------------------------

    fn add_fact(&mut self, at: Node<'t>, name: &'t str, kind: FactKind) {
        self.add_fact_from(at, at.start(), name, kind);
    }

    fn add_fact_from(&mut self, at: Node<'t>, from: usize, name: &'t str, kind: FactKind) {
        let Some(f) = self.function_of(at) else {
            return;
        };
        let to = match kind {
            FactKind::Completed => completion_scope_end(at),
            FactKind::Guarded => guard_scope_end(at),
        };
        let from = if kind == FactKind::Guarded {
            guard_scope_start(at).min(from)
        } else {
            from
        };
        self.facts
            .entry((f.node.id(), name))
            .or_default()
            .push(Fact { from, to });
    }

    fn add_await_facts(&mut self, node: Node<'t>) {
        let Some(operand) = node.first_named_child() else {
            return;
        };
        let operand = strip_configure_await(operand.unparenthesized());
        if let Some(name) = task_variable_name(operand) {
            self.add_fact(node, name, FactKind::Completed);
            return;
        }
        // await Task.WhenAll(a, b) / WhenAll(tasks) / WhenAll(new[] { a, b })
        if let Some(inv) = Invocation::cast(operand) {
            if inv.name_text() == "WhenAll" && inv.receiver().is_some_and(|r| r.text() == "Task") {
                for name in argument_task_names(&inv) {
                    self.add_fact(node, name, FactKind::Completed);
                }
            }
        }
    }

    fn add_wait_facts(&mut self, node: Node<'t>) {
        let Some(inv) = Invocation::cast(node) else {
            return;
        };
        let name = inv.name_text();
        match name {
            "ContinueWith" | "ContinueWhenAll" | "ContinueWhenAny" => {
                for arg in inv.args() {
                    let v = arg.value.unparenthesized();
                    if matches!(
                        v.kind(),
                        SyntaxKind::Identifier | SyntaxKind::MemberAccessExpression
                    ) {
                        if let Some(n) = callee_name(v) {
                            self.continuations.push(n.text());
                        }
                    }
                }
            }
            "WaitAll" if inv.receiver().is_some_and(|r| r.text() == "Task") => {
                for n in argument_task_names(&inv) {
                    self.add_fact(node, n, FactKind::Completed);
                }
            }
            "Wait" | "GetResult" => {
                let recv = if name == "GetResult" {
                    inv.receiver()
                        .and_then(Invocation::cast)
                        .filter(|i| i.name_text() == "GetAwaiter")
                        .and_then(|i| i.receiver())
                } else {
                    inv.receiver()
                };
                if let Some(r) = recv.map(|r| r.unparenthesized()) {
                    if let Some(n) = task_variable_name(r) {
                        // Completed from the end of the wait on (a guarded read proves nothing
                        // beyond its guard).
                        if !self.known_complete(r) {
                            self.add_fact_from(node, node.end(), n, FactKind::Completed);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn add_member_facts(&mut self, node: Node<'t>) {
        let Some(ma) = MemberAccess::cast(node) else {
            return;
        };
        let member = ma.name_text();
        let Some(var) = task_variable_name(ma.receiver.unparenthesized()) else {
            return;
        };
        if known::COMPLETION_PROPERTIES.contains(&member) {
            self.add_fact(node, var, FactKind::Guarded);
        } else if member == "Result" && !self.known_complete(ma.receiver) {
            self.add_fact_from(node, node.end(), var, FactKind::Completed);
        }
    }

    fn add_pattern_guard(&mut self, node: Node<'t>) {
        let Some(expr) = node.child_by_field(Field::Expression) else {
            return;
        };
        let Some(var) = task_variable_name(expr.unparenthesized()) else {
            return;
        };
        let mentions = node.descendants().any(|d| {
            d.is(SyntaxKind::Identifier) && known::COMPLETION_PROPERTIES.contains(&d.text())
        });
        if mentions {
            self.add_fact(node, var, FactKind::Guarded);
        }
    }

    /// The initializer of the local an identifier names (`var t = <init>;`), if any.
    pub fn initializer_of(&self, ident: Node<'t>) -> Option<Node<'t>> {
        let decl = self.lookup_local(ident, ident.text())?;
        (decl.init != NO_NODE).then(|| self.tree.node(decl.init))
    }

    /// Whether the task expression is known to be complete where it is read: awaited or
    /// waited on before, guarded by a completion check, a `ContinueWith` antecedent,
    /// `Task.FromResult(..)`/`Task.CompletedTask`, or an element of an awaited collection.
    pub fn known_complete(&self, expr: Node<'t>) -> bool {
        let expr = strip_configure_await(expr.unparenthesized());
        if self.is_completed_factory(expr) {
            return true;
        }
        if expr.is(SyntaxKind::ConditionalExpression) {
            // `(c ? a : b)`: complete when both branches are.
            return match (
                expr.child_by_field(Field::Consequence),
                expr.child_by_field(Field::Alternative),
            ) {
                (Some(a), Some(b)) => self.known_complete(a) && self.known_complete(b),
                _ => false,
            };
        }
        let var = match expr.kind() {
            SyntaxKind::Identifier => Some(expr),
            // `tasks[i]` where `tasks` was awaited through WhenAll
            SyntaxKind::ElementAccessExpression => expr
                .child_by_field(Field::Expression)
                .map(|e| e.unparenthesized())
                .filter(|e| e.is(SyntaxKind::Identifier)),
            SyntaxKind::MemberAccessExpression => MemberAccess::cast(expr)
                .filter(|m| m.receiver.is(SyntaxKind::ThisExpression))
                .map(|m| m.name),
            _ => None,
        };
        let Some(var) = var else { return false };
        let name = var.text();
        if self.is_continuation_antecedent(var) {
            return true;
        }
        // `var winner = await Task.WhenAny(a, b);`: the winner has completed.
        if var.is(SyntaxKind::Identifier) {
            if let Some(decl) = self.lookup_local(var, name) {
                if decl.init != NO_NODE && is_awaited_when_any(self.tree.node(decl.init)) {
                    return true;
                }
            }
        }
        let pos = expr.start();
        let mut f = self.function_of(expr);
        while let Some(func) = f {
            if let Some(facts) = self.facts.get(&(func.node.id(), name)) {
                if facts.iter().any(|f| f.from <= pos && pos < f.to) {
                    return true;
                }
            }
            f = self.outer_function(func);
        }
        false
    }

    /// `Task.FromResult(..)`, `Task.CompletedTask`, `ValueTask.FromResult(..)`.
    fn is_completed_factory(&self, expr: Node<'t>) -> bool {
        let (recv, member) = if let Some(inv) = Invocation::cast(expr) {
            match inv.receiver() {
                Some(r) => (r, inv.name_text()),
                None => return false,
            }
        } else if let Some(ma) = MemberAccess::cast(expr) {
            (ma.receiver, ma.name_text())
        } else {
            return false;
        };
        let recv_name = recv.text().rsplit('.').next().unwrap_or("");
        known::task_static(recv_name, member).is_some_and(|s| s.completed)
            && !self.is_local_name(recv, recv_name)
    }

    /// `t` inside `x.ContinueWith(t => t.Result)`: the first parameter of a callback.
    fn is_continuation_antecedent(&self, ident: Node<'t>) -> bool {
        let mut f = self.function_of(ident);
        while let Some(func) = f {
            if matches!(
                func.kind,
                FunctionKind::Method | FunctionKind::LocalFunction
            ) && self.continuations.contains(&func.name_text())
                && func
                    .parameters()
                    .first()
                    .is_some_and(|(n, _)| n.text() == ident.text())
            {
                return true;
            }
            if func.is_lambda_like() {
                let is_first_param = func
                    .parameters()
                    .first()
                    .is_some_and(|(n, _)| n.text() == ident.text());
                if is_first_param {
                    let call = func
                        .node
                        .parent()
                        .filter(|p| p.is(SyntaxKind::Argument))
                        .and_then(|a| a.parent())
                        .and_then(|l| l.parent())
                        .and_then(Invocation::cast);
                    return call.is_some_and(|c| {
                        matches!(
                            c.name_text(),
                            "ContinueWith" | "ContinueWhenAll" | "ContinueWhenAny"
                        )
                    });
                }
            }
            f = self.outer_function(func);
        }
        false
    }

    // ---- types --------------------------------------------------------------------------

    /// Whether an expression is a task-like awaitable: yes only when the file shows it.
    pub fn is_awaitable(&self, expr: Node<'t>) -> Tri {
        match self.type_of(expr) {
            Some(t) if t.is_unknown() => Tri::Unknown,
            Some(t) if ty_is_awaitable(&t) => Tri::Yes,
            Some(_) => Tri::No,
            None => Tri::Unknown,
        }
    }

    /// The type of an expression, or `None` when the file does not show it.
    pub fn type_of(&self, expr: Node<'t>) -> Option<Ty> {
        self.type_of_depth(expr, 0)
    }

    fn type_of_depth(&self, expr: Node<'t>, depth: u32) -> Option<Ty> {
        if depth > 12 || expr.has_error() {
            return None;
        }
        let d = depth + 1;
        match expr.kind() {
            SyntaxKind::ParenthesizedExpression => self.type_of_depth(expr.first_named_child()?, d),
            SyntaxKind::AwaitExpression => {
                let inner = self.type_of_depth(expr.first_named_child()?, d)?;
                awaited_type(&inner)
            }
            SyntaxKind::Identifier => self.type_of_name(expr, d),
            SyntaxKind::InvocationExpression => self.type_of_invocation(expr, d),
            SyntaxKind::MemberAccessExpression => self.type_of_member_access(expr, d),
            SyntaxKind::ObjectCreationExpression => {
                Ty::parse(expr.child_by_field(Field::Type)?.text())
            }
            SyntaxKind::CastExpression => Ty::parse(expr.child_by_field(Field::Type)?.text()),
            SyntaxKind::AsExpression => Ty::parse(expr.child_by_field(Field::Right)?.text()),
            SyntaxKind::ElementAccessExpression => {
                let coll = self.type_of_depth(expr.child_by_field(Field::Expression)?, d)?;
                coll.item_type()
            }
            SyntaxKind::ConditionalExpression => {
                let a = self.type_of_depth(expr.child_by_field(Field::Consequence)?, d)?;
                let b = self.type_of_depth(expr.child_by_field(Field::Alternative)?, d)?;
                (a == b).then_some(a)
            }
            _ => None,
        }
    }

    /// Is `name` a local, parameter or member here (so that `Task` or `File` is not the type)?
    pub fn is_local_name(&self, at: Node<'t>, name: &'t str) -> bool {
        self.lookup_local(at, name).is_some()
            || self
                .enclosing_type(at)
                .is_some_and(|t| self.member_in_hierarchy(t, name).is_some())
    }

    fn lookup_local<'s>(&'s self, at: Node<'t>, name: &'t str) -> Option<&'s LocalDecl> {
        let mut f = self.function_of(at);
        while let Some(func) = f {
            if let Some(decls) = self.locals.get(&(func.node.id(), name)) {
                let visible: Vec<&LocalDecl> = decls
                    .iter()
                    .filter(|d| {
                        self.tree.node(d.scope).contains(at) && (d.pos == 0 || d.pos <= at.start())
                    })
                    .collect();
                if let Some(last) = visible.last() {
                    return Some(last);
                }
            }
            f = self.outer_function(func);
        }
        None
    }

    fn type_of_name(&self, ident: Node<'t>, d: u32) -> Option<Ty> {
        let name = ident.text();
        if let Some(decl) = self.lookup_local(ident, name) {
            return match &decl.ty {
                DeclType::Explicit(t) => Some(t.clone()),
                DeclType::Inferred(init) => self.type_of_depth(self.tree.node(*init), d),
                DeclType::ItemOf(coll) => self.type_of_depth(self.tree.node(*coll), d)?.item_type(),
                DeclType::Unknown => None,
            };
        }
        let ty = self.enclosing_type(ident)?;
        let member = self.member_in_hierarchy(ty, name)?;
        match member.kind {
            MemberKind::Field | MemberKind::Property => member.ty.clone(),
            _ => None,
        }
    }

    /// A field, property or method named `name` in the type or its bases declared in this
    /// file, or in an enclosing type.
    pub fn member_in_hierarchy<'s>(
        &'s self,
        ty: &'s TypeDecl,
        name: &str,
    ) -> Option<&'s MemberInfo> {
        let mut seen = 0;
        let mut queue: Vec<&'s TypeDecl> = vec![ty];
        while let Some(t) = queue.pop() {
            seen += 1;
            if seen > 16 {
                break;
            }
            if let Some(m) = t.members.iter().find(|m| m.name == name) {
                return Some(m);
            }
            for base in &t.bases {
                queue.extend(self.types_named(&base.name));
            }
            if seen == 1 {
                // The other parts of a partial type.
                queue.extend(self.types_named(&t.name).filter(|o| !std::ptr::eq(*o, t)));
            }
            if let Some(outer) = self.outer_type_of(t) {
                queue.push(outer);
            }
        }
        None
    }

    /// All methods named `name` visible from a type (its own, its bases', outer types').
    fn methods_in_hierarchy<'s>(&'s self, ty: &'s TypeDecl, name: &str) -> Vec<&'s MemberInfo> {
        let mut out = Vec::new();
        let mut queue: Vec<&'s TypeDecl> = vec![ty];
        let mut seen = 0;
        while let Some(t) = queue.pop() {
            seen += 1;
            if seen > 16 {
                break;
            }
            out.extend(
                t.members
                    .iter()
                    .filter(|m| m.kind == MemberKind::Method && m.name == name),
            );
            for base in &t.bases {
                queue.extend(self.types_named(&base.name));
            }
            if seen == 1 {
                queue.extend(self.types_named(&t.name).filter(|o| !std::ptr::eq(*o, t)));
            }
            if let Some(outer) = self.outer_type_of(t) {
                queue.push(outer);
            }
        }
        out
    }

    /// Local functions named `name` visible from `at`.
    fn local_functions(&self, at: Node<'t>, name: &str) -> Vec<Ty> {
        let mut out = Vec::new();
        let mut f = self.function_of(at);
        while let Some(func) = f {
            if let Some(body) = func.body() {
                for n in body.descendants_pruned(|n| {
                    crate::syntax::views::is_function(n)
                        && !n.is(SyntaxKind::LocalFunctionStatement)
                }) {
                    if n.is(SyntaxKind::LocalFunctionStatement) {
                        let lf = Function::cast(n).expect("local function");
                        if lf.name_text() == name {
                            if let Some(t) = lf.return_type().and_then(|r| Ty::parse(r.text())) {
                                out.push(t);
                            }
                        }
                    }
                }
            }
            f = self.outer_function(func);
        }
        out
    }

    /// The declared methods a call may bind to (by name and number of arguments), from this
    /// file and the index; empty when the callee is not declared in the project.
    pub fn callee_candidates(&self, inv: &Invocation<'t>) -> Vec<&MemberInfo> {
        let argc = inv.arg_count();
        let mut methods = self.callee_overloads(inv);
        methods.retain(|m| m.accepts_arity(argc));
        methods
    }

    /// Every declared method of the called name on the receiver's type, whatever its
    /// arity (the overload set a call chooses from); empty when none is declared.
    pub fn callee_overloads(&self, inv: &Invocation<'t>) -> Vec<&MemberInfo> {
        let name = inv.name_text();
        let methods: Vec<&MemberInfo> = match inv.receiver().map(|r| r.unparenthesized()) {
            None if !inv.is_conditional() => self
                .enclosing_type(inv.node)
                .map(|ty| self.methods_in_hierarchy(ty, name))
                .unwrap_or_default(),
            None => Vec::new(),
            Some(r) if r.is(SyntaxKind::ThisExpression) || r.is(SyntaxKind::BaseExpression) => self
                .enclosing_type(inv.node)
                .map(|ty| self.methods_in_hierarchy(ty, name))
                .unwrap_or_default(),
            Some(r) => {
                let type_name = match self.static_type_name(r) {
                    Some(t) => Some(t.to_owned()),
                    None => self.type_of(r).map(|t| t.name),
                };
                match type_name {
                    Some(tn) => self
                        .types_named(&tn)
                        .flat_map(|t| self.methods_in_hierarchy(t, name))
                        .collect(),
                    None => Vec::new(),
                }
            }
        };
        methods
    }

    /// The return type of a call to one of these declared overloads with `argc` arguments:
    /// `None` when nothing is declared (the caller falls back to the name), `Some(None)` when
    /// no overload takes that many arguments (another, undeclared one is called: unknown).
    fn resolve_overloads(methods: &[&MemberInfo], argc: usize) -> Option<Option<Ty>> {
        if methods.is_empty() {
            return None;
        }
        let fitting: Vec<Option<Ty>> = methods
            .iter()
            .filter(|m| m.accepts_arity(argc))
            .map(|m| m.ty.clone())
            .collect();
        if fitting.is_empty() || fitting.iter().any(Option::is_none) {
            return Some(None);
        }
        Some(Self::unify(fitting.into_iter().flatten().collect()))
    }

    /// The one type every candidate agrees on.
    fn unify(candidates: Vec<Ty>) -> Option<Ty> {
        let first = candidates.first()?.clone();
        if candidates.iter().all(|c| *c == first) {
            return Some(first);
        }
        // All awaitable (overloads returning Task and Task<T>) still answers "a task".
        if candidates.iter().all(ty_is_awaitable) {
            return Some(Ty::generic(&first.name, vec![Ty::unknown()]));
        }
        None
    }

    fn type_of_invocation(&self, expr: Node<'t>, d: u32) -> Option<Ty> {
        let inv = Invocation::cast(expr)?;
        let name = inv.name_text();
        if name.is_empty() {
            return None;
        }
        let receiver = inv.receiver();
        // ConfigureAwait keeps the task's result type.
        if name == "ConfigureAwait" {
            let inner = self.type_of_depth(receiver?, d)?;
            if !ty_is_awaitable(&inner) {
                return None;
            }
            let wrapper = if ty_is_value_task(&inner) {
                "ConfiguredValueTaskAwaitable"
            } else {
                "ConfiguredTaskAwaitable"
            };
            return Some(Ty::generic(wrapper, inner.args));
        }
        let argc = inv.arg_count();
        match receiver {
            None if !inv.is_conditional() => {
                let locals = self.local_functions(expr, name);
                if !locals.is_empty() {
                    return Self::unify(locals);
                }
                let methods = self
                    .enclosing_type(expr)
                    .map(|ty| self.methods_in_hierarchy(ty, name))
                    .unwrap_or_default();
                match Self::resolve_overloads(&methods, argc) {
                    Some(answer) => answer,
                    None => by_name(name, None),
                }
            }
            None => by_name(name, None),
            Some(recv) => {
                let recv = recv.unparenthesized();
                if recv.is(SyntaxKind::ThisExpression) || recv.is(SyntaxKind::BaseExpression) {
                    let ty = self.enclosing_type(expr)?;
                    let methods = self.methods_in_hierarchy(ty, name);
                    return match Self::resolve_overloads(&methods, argc) {
                        Some(answer) => answer,
                        None => by_name(name, None),
                    };
                }
                if self.imports_nunit && recv.text() == "Assert" {
                    // NUnit's Assert.ThrowsAsync blocks and returns the exception.
                    return None;
                }
                // Static calls on a type named in source: `Task.Run`, `File.OpenRead`, `Helper.GetAsync`.
                if let Some(type_name) = self.static_type_name(recv) {
                    if let Some(s) = known::task_static(type_name, name) {
                        return ty_from_table(s.returns);
                    }
                    if let Some(t) = factory_return(type_name, name) {
                        return Some(t);
                    }
                    let methods: Vec<&MemberInfo> = self
                        .types_named(type_name)
                        .flat_map(|t| self.methods_in_hierarchy(t, name))
                        .collect();
                    return match Self::resolve_overloads(&methods, argc) {
                        Some(answer) => answer,
                        None => by_name(name, Some(type_name)),
                    };
                }
                let recv_ty = self.type_of_depth(recv, d);
                if let Some(rt) = &recv_ty {
                    if let Some(t) = factory_return(&rt.name, name) {
                        return Some(t);
                    }
                    let methods: Vec<&MemberInfo> = self
                        .types_named(&rt.name)
                        .flat_map(|t| self.methods_in_hierarchy(t, name))
                        .collect();
                    if let Some(answer) = Self::resolve_overloads(&methods, argc) {
                        return answer;
                    }
                    if ty_is_awaitable(rt) && name == "ContinueWith" {
                        return Some(Ty::generic("Task", vec![Ty::unknown()]));
                    }
                }
                by_name(name, recv_ty.as_ref().map(|t| t.name.as_str()))
            }
        }
    }

    /// The type a receiver names when it is a type, not a value: `Task`, `System.IO.File`,
    /// a class of this file; `None` when a local, parameter or member of that name exists.
    pub fn static_type_name(&self, recv: Node<'t>) -> Option<&'t str> {
        let text = recv.text();
        let simple = match recv.kind() {
            SyntaxKind::Identifier => text,
            SyntaxKind::MemberAccessExpression | SyntaxKind::QualifiedName => {
                // `System.IO.File`, `Task.Factory`
                let ma = MemberAccess::cast(recv);
                if let Some(ma) = ma {
                    if ma.receiver.text() == "Task" && ma.name_text() == "Factory" {
                        return Some("TaskFactory");
                    }
                }
                if !text
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '.' || c == '_')
                {
                    return None;
                }
                let first = text.split('.').next().unwrap_or("");
                if !matches!(first, "System" | "Microsoft" | "global") {
                    return None;
                }
                text.rsplit('.').next()?
            }
            _ => return None,
        };
        if !simple.starts_with(|c: char| c.is_ascii_uppercase()) {
            return None;
        }
        if recv.is(SyntaxKind::Identifier) && self.is_local_name(recv, simple) {
            return None;
        }
        let known_static = known::TASK_STATICS
            .iter()
            .any(|s| known::simple(s.type_name) == simple)
            || known::BLOCKING_APIS
                .iter()
                .any(|b| b.is_static && known::simple(b.type_name) == simple)
            || known::FACTORY_RETURNS
                .iter()
                .any(|(t, _, _)| known::simple(t) == simple)
            || self.is_declared_type(simple);
        known_static.then_some(simple)
    }

    fn type_of_member_access(&self, expr: Node<'t>, d: u32) -> Option<Ty> {
        let ma = MemberAccess::cast(expr)?;
        let member = ma.name_text();
        let recv = ma.receiver.unparenthesized();
        if recv.is(SyntaxKind::ThisExpression) || recv.is(SyntaxKind::BaseExpression) {
            let ty = self.enclosing_type(expr)?;
            let m = self.member_in_hierarchy(ty, member)?;
            return matches!(m.kind, MemberKind::Field | MemberKind::Property)
                .then(|| m.ty.clone())
                .flatten();
        }
        if let Some(type_name) = self.static_type_name(recv) {
            if let Some(s) = known::task_static(type_name, member) {
                return ty_from_table(s.returns);
            }
            if type_name == "Task" && member == "Factory" {
                return Some(Ty::simple("TaskFactory"));
            }
            let t = self
                .types_named(type_name)
                .find_map(|t| self.member_in_hierarchy(t, member))?;
            return matches!(t.kind, MemberKind::Field | MemberKind::Property)
                .then(|| t.ty.clone())
                .flatten();
        }
        let rt = self.type_of_depth(recv, d)?;
        match (rt.name.as_str(), member) {
            ("TaskCompletionSource", "Task") => {
                return Some(Ty::generic("Task", rt.args.clone()));
            }
            ("Task" | "ValueTask", "Result") if rt.arrays == 0 => return rt.args.first().cloned(),
            ("Lazy", "Value") => return rt.args.first().cloned(),
            _ => {}
        }
        let t = self
            .types_named(&rt.name)
            .find_map(|t| self.member_in_hierarchy(t, member))?;
        matches!(t.kind, MemberKind::Field | MemberKind::Property)
            .then(|| t.ty.clone())
            .flatten()
    }
}

/// The type of a call the file does not declare, from its name alone: a `…Async` method
/// returns a task, except the event-based void ones.
fn by_name(method: &str, receiver_type: Option<&str>) -> Option<Ty> {
    if method.len() > 5 && method.ends_with("Async") {
        if known::is_non_awaitable_async_name(method) {
            return None;
        }
        let is_void = match receiver_type {
            Some(rt) => known::VOID_ASYNC_METHODS
                .iter()
                .any(|(t, m)| known::simple(t) == rt && *m == method),
            None => known::is_void_async_name(method),
        };
        if is_void {
            return None;
        }
        // Known non-void receivers with void-named twins are told apart above; an unknown
        // receiver with a name only void APIs use stays unknown.
        return Some(Ty::generic("Task", vec![Ty::unknown()]));
    }
    None
}

fn ty_from_table(returns: &str) -> Option<Ty> {
    match returns {
        "-" => None,
        // `Task?`: a task whose result type depends on the arguments.
        "Task?" => Some(Ty::generic("Task", vec![Ty::unknown()])),
        // `Task<?>`: generic, its argument unknown.
        other => match other.strip_suffix("<?>") {
            Some(base) => Some(Ty::generic(base, vec![Ty::unknown()])),
            None => Ty::parse(other),
        },
    }
}

#[cfg(test)]
mod table_type_tests {
    #[test]
    fn every_task_static_return_is_understood() {
        for s in super::known::TASK_STATICS {
            let t = super::ty_from_table(s.returns);
            assert_eq!(t.is_some(), s.returns != "-", "{} {}", s.member, s.returns);
        }
    }
}

fn factory_return(type_simple: &str, method: &str) -> Option<Ty> {
    known::FACTORY_RETURNS
        .iter()
        .find(|(t, m, _)| *m == method && known::is_subtype(type_simple, t))
        .map(|(_, _, r)| Ty::simple(r))
}

/// The value of `x = <value>` in a declarator.
pub fn declarator_value(declarator: Node<'_>) -> Option<Node<'_>> {
    let name = declarator.child_by_field(Field::Name);
    declarator
        .named_children()
        .filter(|c| Some(*c) != name)
        .last()
        .filter(|c| c.field() == Field::None)
}

/// `x.ConfigureAwait(..)` → `x`.
pub fn strip_configure_await(expr: Node<'_>) -> Node<'_> {
    let mut e = expr;
    while let Some(inv) = Invocation::cast(e) {
        if inv.name_text() != "ConfigureAwait" {
            break;
        }
        match inv.receiver() {
            Some(r) => e = r.unparenthesized(),
            None => break,
        }
    }
    e
}

/// A variable that can carry completion facts: `t`, `this.t`.
fn task_variable_name<'t>(expr: Node<'t>) -> Option<&'t str> {
    match expr.kind() {
        SyntaxKind::Identifier => Some(expr.text()),
        SyntaxKind::MemberAccessExpression => {
            let ma = MemberAccess::cast(expr)?;
            ma.receiver
                .is(SyntaxKind::ThisExpression)
                .then(|| ma.name_text())
        }
        _ => None,
    }
}

/// Task variables passed to `WhenAll`/`WaitAll`: identifiers, and identifiers in an
/// array or collection literal.
fn argument_task_names<'t>(inv: &Invocation<'t>) -> Vec<&'t str> {
    let mut out = Vec::new();
    for arg in inv.args() {
        let v = arg.value.unparenthesized();
        if let Some(n) = task_variable_name(v) {
            out.push(n);
            continue;
        }
        // new[] { a, b }, new Task[] { a, b }, [a, b]
        let elements = match v.kind() {
            SyntaxKind::ImplicitArrayCreationExpression | SyntaxKind::ArrayCreationExpression => {
                v.child_of_kind(SyntaxKind::InitializerExpression)
            }
            SyntaxKind::CollectionExpression => Some(v),
            _ => None,
        };
        for e in elements.iter().flat_map(|e| e.named_children()) {
            let e = e
                .first_named_child()
                .filter(|_| !e.is(SyntaxKind::Identifier))
                .unwrap_or(e);
            if let Some(n) = task_variable_name(e.unparenthesized()) {
                out.push(n);
            }
        }
    }
    out
}

fn is_await_keyword_statement(n: Node<'_>) -> bool {
    // `await foreach` / `await using` put an anonymous `await` token in the statement.
    !n.is_named() && n.text() == "await"
}

/// Where a completion check's protection starts: the `if`, `while`, `?:` or `&&` whose
/// condition holds it.
fn guard_scope_start(guard: Node<'_>) -> usize {
    guard_scope(guard).0
}

fn guard_scope_end(guard: Node<'_>) -> usize {
    guard_scope(guard).1
}

/// The range a check like `t.IsCompleted` protects: the `if` statement whose condition it
/// is in (and the rest of the block after it when the `if` exits early), the loop it
/// conditions and the rest of the block, a conditional expression, or the `&&`/`||` whose
/// left side it is. Anything else (a check stored in a variable): the rest of the block.
fn guard_scope(guard: Node<'_>) -> (usize, usize) {
    let mut child = guard;
    for a in guard.ancestors() {
        match a.kind() {
            SyntaxKind::IfStatement if a.child_by_field(Field::Condition) == Some(child) => {
                // `if (!t.IsCompleted) return;` and `if (!t.IsCompleted) await t;` protect
                // what follows the `if`, too.
                let exits = a.child_by_field(Field::Consequence).is_some_and(|c| {
                    let jumps = |d: Node<'_>| {
                        d.is(SyntaxKind::ReturnStatement)
                            || d.is(SyntaxKind::ThrowStatement)
                            || d.is(SyntaxKind::AwaitExpression)
                    };
                    jumps(c)
                        || c.descendants_pruned(crate::syntax::views::is_function)
                            .any(jumps)
                });
                let negated = is_negated_within(guard, child);
                return if exits && negated {
                    (a.start(), rest_of_block(a))
                } else {
                    (a.start(), a.end())
                };
            }
            SyntaxKind::WhileStatement if a.child_by_field(Field::Condition) == Some(child) => {
                return if is_negated_within(guard, child) {
                    (a.start(), rest_of_block(a))
                } else {
                    (a.start(), a.end())
                };
            }
            SyntaxKind::ConditionalExpression
                if a.child_by_field(Field::Condition) == Some(child) =>
            {
                return (a.start(), a.end());
            }
            SyntaxKind::BinaryExpression if a.child_by_field(Field::Left) == Some(child) => {
                let op = a.child_by_field(Field::Operator).map(|o| o.text());
                if matches!(op, Some("&&" | "||")) {
                    return (a.start(), a.end());
                }
            }
            SyntaxKind::ExpressionStatement
            | SyntaxKind::LocalDeclarationStatement
            | SyntaxKind::ReturnStatement => return (a.start(), rest_of_block(a)),
            _ => {}
        }
        if crate::syntax::views::is_function(a) {
            return (a.start(), a.end());
        }
        child = a;
    }
    (guard.start(), guard.end())
}

/// The end of the block a statement stands in.
fn rest_of_block(stmt: Node<'_>) -> usize {
    stmt.parent().map(|p| p.end()).unwrap_or(stmt.end())
}

/// How far "this task completed" holds from a statement that awaits or waits on it: to the
/// end of the block the statement stands in.
fn completion_scope_end(at: Node<'_>) -> usize {
    let mut child = at;
    for a in at.ancestors() {
        if a.is(SyntaxKind::Block) || crate::syntax::views::is_function(a) {
            return a.end();
        }
        // `if (c) await t; else t.Wait();`: a branch is the scope.
        if (a.is(SyntaxKind::IfStatement) || a.is(SyntaxKind::ConditionalExpression))
            && a.child_by_field(Field::Condition) != Some(child)
        {
            return child.end();
        }
        child = a;
    }
    usize::MAX
}

/// Whether the check `guard` is negated inside `condition` (`!t.IsCompleted`,
/// `t.IsCompleted == false`, `t.Status != TaskStatus.RanToCompletion`).
fn is_negated_within(guard: Node<'_>, condition: Node<'_>) -> bool {
    let mut negations = 0;
    let mut cur = guard;
    while cur != condition {
        let Some(p) = cur.parent() else { break };
        let t = p.text();
        match p.kind() {
            SyntaxKind::PrefixUnaryExpression if t.starts_with('!') => negations += 1,
            SyntaxKind::BinaryExpression => {
                let op = p
                    .child_by_field(Field::Operator)
                    .map(|o| o.text())
                    .unwrap_or("");
                if op == "!=" || (op == "==" && t.contains("false")) {
                    negations += 1;
                }
            }
            _ => {}
        }
        cur = p;
    }
    negations % 2 == 1
}

/// Members and top-level statements: the unit a parse error disqualifies.
fn is_member_level(n: Node<'_>) -> bool {
    matches!(
        n.kind(),
        SyntaxKind::MethodDeclaration
            | SyntaxKind::ConstructorDeclaration
            | SyntaxKind::PropertyDeclaration
            | SyntaxKind::IndexerDeclaration
            | SyntaxKind::OperatorDeclaration
            | SyntaxKind::ConversionOperatorDeclaration
            | SyntaxKind::DestructorDeclaration
            | SyntaxKind::FieldDeclaration
            | SyntaxKind::EventFieldDeclaration
            | SyntaxKind::GlobalStatement
    )
}

/// `async`, `isAsync`, `_async`, `this.IsAsync` → `Some(true)`; their negation (`!async`,
/// any number of `!`) → `Some(false)`; anything else → `None`. Iterative: deep input cannot
/// overflow the stack.
pub fn async_flag(cond: Node<'_>) -> Option<bool> {
    let mut c = cond.unparenthesized();
    let mut positive = true;
    while c.is(SyntaxKind::PrefixUnaryExpression) && c.text().starts_with('!') {
        c = c.first_named_child()?.unparenthesized();
        positive = !positive;
    }
    let name = match c.kind() {
        SyntaxKind::Identifier => c.text(),
        SyntaxKind::MemberAccessExpression => c.child_by_field(Field::Name)?.text(),
        _ => return None,
    };
    name.to_ascii_lowercase()
        .contains("async")
        .then_some(positive)
}

/// `await Task.WhenAny(..)` (with `ConfigureAwait` or parentheses).
fn is_awaited_when_any(init: Node<'_>) -> bool {
    let init = init.unparenthesized();
    if !init.is(SyntaxKind::AwaitExpression) {
        return false;
    }
    let Some(operand) = init.first_named_child() else {
        return false;
    };
    let operand = strip_configure_await(operand.unparenthesized());
    Invocation::cast(operand).is_some_and(|i| {
        i.name_text() == "WhenAny"
            && i.receiver()
                .is_some_and(|r| r.text() == "Task" || r.text().ends_with(".Task"))
    })
}
