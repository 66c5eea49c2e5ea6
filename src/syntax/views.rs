//! Thin typed views over nodes: what rules read instead of raw children and fields.

use super::{Field, Node, SyntaxKind};

/// `f(args)`, `x.F(args)`, `x?.F(args)`, `F<T>(args)`.
#[derive(Clone, Copy, Debug)]
pub struct Invocation<'t> {
    pub node: Node<'t>,
    pub function: Node<'t>,
    pub arguments: Option<Node<'t>>,
}

impl<'t> Invocation<'t> {
    pub fn cast(node: Node<'t>) -> Option<Self> {
        if !node.is(SyntaxKind::InvocationExpression) {
            return None;
        }
        Some(Invocation {
            node,
            function: node.child_by_field(Field::Function)?,
            arguments: node.child_by_field(Field::Arguments),
        })
    }
    /// The called name: `F` in `x.F<T>(..)`.
    pub fn name(&self) -> Option<Node<'t>> {
        callee_name(self.function)
    }
    pub fn name_text(&self) -> &'t str {
        self.name().map(|n| n.text()).unwrap_or("")
    }
    /// The receiver: `x` in `x.F(..)`; `None` for a bare call or a conditional access.
    pub fn receiver(&self) -> Option<Node<'t>> {
        match self.function.kind() {
            SyntaxKind::MemberAccessExpression => self.function.child_by_field(Field::Expression),
            SyntaxKind::ConditionalAccessExpression => {
                self.function.child_by_field(Field::Condition)
            }
            _ => None,
        }
    }
    /// The argument expressions, in order (named and `ref`/`out` ones included).
    pub fn args(&self) -> Vec<Argument<'t>> {
        self.arguments
            .map(|list| {
                list.named_children()
                    .filter(|c| c.is(SyntaxKind::Argument))
                    .filter_map(Argument::cast)
                    .collect()
            })
            .unwrap_or_default()
    }
    pub fn arg_count(&self) -> usize {
        self.arguments
            .map(|l| {
                l.named_children()
                    .filter(|c| c.is(SyntaxKind::Argument))
                    .count()
            })
            .unwrap_or(0)
    }
    /// `x.F(..)` called through `?.`.
    pub fn is_conditional(&self) -> bool {
        self.function.is(SyntaxKind::ConditionalAccessExpression)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Argument<'t> {
    pub node: Node<'t>,
    pub name: Option<Node<'t>>,
    pub value: Node<'t>,
}

impl<'t> Argument<'t> {
    pub fn cast(node: Node<'t>) -> Option<Self> {
        let name = node.child_by_field(Field::Name);
        let value = node.named_children().filter(|c| Some(*c) != name).last()?;
        Some(Argument { node, name, value })
    }
}

/// The name a callee expression ends in.
pub fn callee_name(function: Node<'_>) -> Option<Node<'_>> {
    match function.kind() {
        SyntaxKind::Identifier => Some(function),
        SyntaxKind::GenericName => function.child_of_kind(SyntaxKind::Identifier),
        SyntaxKind::MemberAccessExpression => callee_name(function.child_by_field(Field::Name)?),
        SyntaxKind::ConditionalAccessExpression => {
            let binding = function.child_of_kind(SyntaxKind::MemberBindingExpression)?;
            callee_name(binding.child_by_field(Field::Name)?)
        }
        _ => None,
    }
}

/// `x.Name`.
#[derive(Clone, Copy, Debug)]
pub struct MemberAccess<'t> {
    pub node: Node<'t>,
    pub receiver: Node<'t>,
    pub name: Node<'t>,
}

impl<'t> MemberAccess<'t> {
    pub fn cast(node: Node<'t>) -> Option<Self> {
        if !node.is(SyntaxKind::MemberAccessExpression) {
            return None;
        }
        Some(MemberAccess {
            node,
            receiver: node.child_by_field(Field::Expression)?,
            name: node.child_by_field(Field::Name)?,
        })
    }
    pub fn name_text(&self) -> &'t str {
        callee_name(self.name).map(|n| n.text()).unwrap_or("")
    }
}

/// What kind of function-like construct a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionKind {
    Method,
    LocalFunction,
    Lambda,
    AnonymousMethod,
    Constructor,
    Accessor,
    /// Operators, destructors, expression-bodied properties and indexers.
    OtherMember,
    /// Top-level statements of a program file.
    TopLevel,
}

/// A method, local function, lambda, anonymous method, accessor, constructor, or the
/// top-level statements of a file.
#[derive(Clone, Copy, Debug)]
pub struct Function<'t> {
    pub node: Node<'t>,
    pub kind: FunctionKind,
}

impl<'t> Function<'t> {
    pub fn cast(node: Node<'t>) -> Option<Self> {
        let kind = match node.kind() {
            SyntaxKind::MethodDeclaration => FunctionKind::Method,
            SyntaxKind::LocalFunctionStatement => FunctionKind::LocalFunction,
            SyntaxKind::LambdaExpression => FunctionKind::Lambda,
            SyntaxKind::AnonymousMethodExpression => FunctionKind::AnonymousMethod,
            SyntaxKind::ConstructorDeclaration => FunctionKind::Constructor,
            SyntaxKind::AccessorDeclaration => FunctionKind::Accessor,
            SyntaxKind::OperatorDeclaration
            | SyntaxKind::ConversionOperatorDeclaration
            | SyntaxKind::DestructorDeclaration => FunctionKind::OtherMember,
            SyntaxKind::PropertyDeclaration | SyntaxKind::IndexerDeclaration => {
                // Only the expression-bodied form is a function body of its own; a property
                // with accessors gets its functions from them.
                node.child_by_field(Field::Value)
                    .filter(|v| v.is(SyntaxKind::ArrowExpressionClause))?;
                FunctionKind::OtherMember
            }
            SyntaxKind::CompilationUnit => FunctionKind::TopLevel,
            _ => return None,
        };
        Some(Function { node, kind })
    }
    pub fn is_lambda_like(&self) -> bool {
        matches!(
            self.kind,
            FunctionKind::Lambda | FunctionKind::AnonymousMethod
        )
    }
    /// The `modifier` children (`async`, `static`, `override`, …).
    pub fn modifiers(&self) -> impl Iterator<Item = Node<'t>> + 't {
        self.node.children().filter(|c| c.is(SyntaxKind::Modifier))
    }
    pub fn has_modifier(&self, word: &str) -> bool {
        self.modifiers().any(|m| m.text() == word)
    }
    pub fn async_modifier(&self) -> Option<Node<'t>> {
        self.modifiers().find(|m| m.text() == "async")
    }
    pub fn is_async(&self) -> bool {
        self.async_modifier().is_some()
    }
    pub fn name(&self) -> Option<Node<'t>> {
        match self.kind {
            FunctionKind::Method | FunctionKind::LocalFunction | FunctionKind::Constructor => {
                self.node.child_by_field(Field::Name)
            }
            FunctionKind::OtherMember => self.node.child_by_field(Field::Name),
            _ => None,
        }
    }
    pub fn name_text(&self) -> &'t str {
        self.name().map(|n| n.text()).unwrap_or("")
    }
    /// The declared return type (methods and local functions).
    pub fn return_type(&self) -> Option<Node<'t>> {
        match self.kind {
            FunctionKind::Method => self.node.child_by_field(Field::Returns),
            FunctionKind::LocalFunction => self.node.child_by_field(Field::Type),
            _ => None,
        }
    }
    pub fn parameter_list(&self) -> Option<Node<'t>> {
        match self.kind {
            FunctionKind::AnonymousMethod => self.node.child_of_kind(SyntaxKind::ParameterList),
            _ => self.node.child_by_field(Field::Parameters),
        }
    }
    /// Parameters: `(name, type text)`; implicit lambda parameters have no type.
    pub fn parameters(&self) -> Vec<(Node<'t>, Option<Node<'t>>)> {
        let Some(list) = self.parameter_list() else {
            return Vec::new();
        };
        if list.is(SyntaxKind::ImplicitParameter) {
            return vec![(list, None)];
        }
        parameters_of(list)
            .into_iter()
            .filter_map(|p| Some((p.name?, p.ty)))
            .collect()
    }
    /// The body: a block, an expression, or an arrow clause (for members).
    pub fn body(&self) -> Option<Node<'t>> {
        match self.kind {
            FunctionKind::TopLevel => Some(self.node),
            FunctionKind::AnonymousMethod => self.node.child_of_kind(SyntaxKind::Block),
            FunctionKind::OtherMember
                if matches!(
                    self.node.kind(),
                    SyntaxKind::PropertyDeclaration | SyntaxKind::IndexerDeclaration
                ) =>
            {
                self.node.child_by_field(Field::Value)
            }
            _ => self
                .node
                .child_by_field(Field::Body)
                .or_else(|| self.node.child_of_kind(SyntaxKind::ArrowExpressionClause)),
        }
    }
    /// Where a method-level finding is reported: the name, or for lambdas the `async`
    /// keyword (or the whole lambda head).
    pub fn report_node(&self) -> Node<'t> {
        self.name()
            .or_else(|| self.async_modifier())
            .unwrap_or(self.node)
    }
}

/// One parameter of a parameter list.
#[derive(Clone, Copy, Debug)]
pub struct Param<'t> {
    pub name: Option<Node<'t>>,
    pub ty: Option<Node<'t>>,
    pub has_default: bool,
}

/// The parameters of a `parameter_list`, including a trailing `params T[] name` (which the
/// grammar puts directly in the list).
pub fn parameters_of(list: Node<'_>) -> Vec<Param<'_>> {
    let mut out = Vec::new();
    let mut pending_params: Option<Param<'_>> = None;
    for c in list.children() {
        if c.is(SyntaxKind::Parameter) {
            let has_default = c.named_children().any(|d| {
                d.field() == Field::None
                    && !d.is(SyntaxKind::AttributeList)
                    && !d.is(SyntaxKind::Modifier)
            });
            out.push(Param {
                name: c.child_by_field(Field::Name),
                ty: c.child_by_field(Field::Type),
                has_default,
            });
        } else if c.field() == Field::Type {
            pending_params = Some(Param {
                name: None,
                ty: Some(c),
                has_default: false,
            });
        } else if c.field() == Field::Name {
            if let Some(mut p) = pending_params.take() {
                p.name = Some(c);
                out.push(p);
            }
        }
    }
    out
}

/// Whether a node starts a function of its own (its body is a separate context).
pub fn is_function(node: Node<'_>) -> bool {
    Function::cast(node).is_some() && !node.is(SyntaxKind::CompilationUnit)
}
