//! Declaration summaries: the types a file declares, their bases and members, and the
//! methods it subscribes to events. Built from the tree and kept without it; a body edit
//! never changes a summary (bodies are not read).

use crate::syntax::views::{callee_name, Function};
use crate::syntax::{Field, Node, NodeId, SyntaxKind, SyntaxTree, Ty};

/// Identifies a file in a run; summaries remember where they came from.
pub type FileId = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum MemberKind {
    Method,
    Field,
    Property,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct MemberInfo {
    pub name: String,
    pub kind: MemberKind,
    /// Field/property type, method return type.
    pub ty: Option<Ty>,
    /// Parameter types (methods only); `None` where a type did not parse.
    pub params: Vec<Option<Ty>>,
    /// Parameters with a default value.
    pub optional: Vec<bool>,
    /// Parameter names (methods only).
    pub param_names: Vec<String>,
    pub obsolete: bool,
    pub is_static: bool,
    /// The declaring node, in the file the summary came from.
    pub node: NodeId,
}

impl MemberInfo {
    /// Whether a call with `argc` arguments can bind to this method (`params` arrays and
    /// optional parameters allowed for).
    pub fn accepts_arity(&self, argc: usize) -> bool {
        let n = self.params.len();
        let required = self.optional.iter().filter(|o| !**o).count();
        let variadic = self
            .params
            .last()
            .and_then(|p| p.as_ref())
            .is_some_and(|t| t.arrays > 0);
        (argc >= required.min(n) && argc <= n) || (variadic && argc + 1 >= n)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TypeKind {
    Class,
    Struct,
    Interface,
    Record,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TypeDecl {
    pub name: String,
    pub namespace: String,
    pub kind: TypeKind,
    pub bases: Vec<Ty>,
    pub members: Vec<MemberInfo>,
    /// The declaring node, in `file`.
    pub node: NodeId,
    pub file: FileId,
}

impl TypeDecl {
    /// Whether this type lists `IAsyncDisposable` or declares `DisposeAsync`.
    pub fn is_async_disposable(&self) -> bool {
        self.bases.iter().any(|b| b.name == "IAsyncDisposable")
            || self
                .members
                .iter()
                .any(|m| m.kind == MemberKind::Method && m.name == "DisposeAsync")
    }
}

/// What one file declares.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FileSummary {
    pub file: FileId,
    pub types: Vec<TypeDecl>,
    /// Method names on the right of `+=` / `-=`.
    pub subscriptions: Vec<String>,
}

impl FileSummary {
    /// A rough count of heap bytes, for the benchmark's index-size figure.
    pub fn heap_bytes(&self) -> usize {
        let ty_bytes = |t: &Ty| {
            std::mem::size_of::<Ty>() + t.name.len() + t.args.len() * std::mem::size_of::<Ty>()
        };
        let mut n = self
            .subscriptions
            .iter()
            .map(|s| s.len() + 24)
            .sum::<usize>();
        for t in &self.types {
            n += std::mem::size_of::<TypeDecl>() + t.name.len() + t.namespace.len();
            n += t.bases.iter().map(ty_bytes).sum::<usize>();
            for m in &t.members {
                n += std::mem::size_of::<MemberInfo>() + m.name.len();
                n += m.param_names.iter().map(|p| p.len() + 24).sum::<usize>();
                n += m.ty.as_ref().map(ty_bytes).unwrap_or(0);
                n += m.params.iter().flatten().map(ty_bytes).sum::<usize>() + m.optional.len();
            }
        }
        n
    }
}

pub fn is_type_decl(n: Node<'_>) -> bool {
    type_kind(n).is_some()
}

fn type_kind(n: Node<'_>) -> Option<TypeKind> {
    Some(match n.kind() {
        SyntaxKind::ClassDeclaration => TypeKind::Class,
        SyntaxKind::StructDeclaration => TypeKind::Struct,
        SyntaxKind::InterfaceDeclaration => TypeKind::Interface,
        SyntaxKind::RecordDeclaration => TypeKind::Record,
        _ => return None,
    })
}

/// Summarizes a parsed file. Only declarations are read, never bodies.
pub fn summarize(tree: &SyntaxTree, file: FileId) -> FileSummary {
    let mut summary = FileSummary {
        file,
        ..FileSummary::default()
    };
    for node in tree.iter() {
        if let Some(kind) = type_kind(node) {
            if let Some(t) = type_decl(node, kind, file) {
                summary.types.push(t);
            }
        } else if node.is(SyntaxKind::AssignmentExpression) {
            if let Some(name) = subscribed_name(node) {
                summary.subscriptions.push(name.to_owned());
            }
        }
    }
    summary.subscriptions.sort();
    summary.subscriptions.dedup();
    summary
}

fn type_decl(node: Node<'_>, kind: TypeKind, file: FileId) -> Option<TypeDecl> {
    let name = node.child_by_field(Field::Name)?;
    let bases = node
        .child_of_kind(SyntaxKind::BaseList)
        .map(|b| {
            b.named_children()
                .filter(|c| !c.is(SyntaxKind::ArgumentList))
                .filter_map(|c| {
                    // `Base(args)` in a record's primary constructor base
                    let t = c.child_by_field(Field::Type).unwrap_or(c);
                    Ty::parse(t.text())
                })
                .collect()
        })
        .unwrap_or_default();
    let mut members = Vec::new();
    if let Some(body) = node.child_by_field(Field::Body) {
        collect_members(body, &mut members);
    }
    let namespace = node
        .ancestors()
        .filter(|a| {
            a.is(SyntaxKind::NamespaceDeclaration)
                || a.is(SyntaxKind::FileScopedNamespaceDeclaration)
        })
        .filter_map(|a| a.child_by_field(Field::Name).map(|n| n.text()))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join(".");
    let namespace = if namespace.is_empty() {
        node.tree()
            .root()
            .children()
            .find(|c| c.is(SyntaxKind::FileScopedNamespaceDeclaration))
            .and_then(|n| n.child_by_field(Field::Name))
            .map(|n| n.text().to_owned())
            .unwrap_or_default()
    } else {
        namespace
    };
    Some(TypeDecl {
        name: name.text().to_owned(),
        namespace,
        kind,
        bases,
        members,
        node: node.id(),
        file,
    })
}

/// Members of a declaration list, looking through `#if` regions (iteratively).
fn collect_members(body: Node<'_>, out: &mut Vec<MemberInfo>) {
    let mut stack: Vec<Node<'_>> = body.named_children().collect();
    stack.reverse();
    while let Some(member) = stack.pop() {
        if member.kind() == SyntaxKind::Other
            && (member.text().starts_with("#if") || member.text().starts_with("#el"))
        {
            let mut inner: Vec<_> = member.named_children().collect();
            inner.reverse();
            stack.extend(inner);
            continue;
        }
        collect_member(member, out);
    }
}

fn collect_member(member: Node<'_>, out: &mut Vec<MemberInfo>) {
    let obsolete = member
        .children()
        .filter(|c| c.is(SyntaxKind::AttributeList))
        .flat_map(|l| l.named_children())
        .any(|a| {
            a.child_by_field(Field::Name).is_some_and(|n| {
                matches!(
                    n.text().rsplit('.').next(),
                    Some("Obsolete" | "ObsoleteAttribute")
                )
            })
        });
    let is_static = member
        .children()
        .any(|c| c.is(SyntaxKind::Modifier) && c.text() == "static");
    let base = |name: &str, kind, ty| MemberInfo {
        name: name.to_owned(),
        kind,
        ty,
        params: Vec::new(),
        optional: Vec::new(),
        param_names: Vec::new(),
        obsolete,
        is_static,
        node: member.id(),
    };
    match member.kind() {
        SyntaxKind::MethodDeclaration => {
            let Some(f) = Function::cast(member) else {
                return;
            };
            let Some(name) = f.name() else { return };
            let mut m = base(
                name.text(),
                MemberKind::Method,
                f.return_type().and_then(|t| Ty::parse(t.text())),
            );
            if let Some(list) = f.parameter_list() {
                for p in crate::syntax::views::parameters_of(list) {
                    m.params.push(p.ty.and_then(|t| Ty::parse(t.text())));
                    m.optional.push(p.has_default);
                    m.param_names
                        .push(p.name.map(|n| n.text().to_owned()).unwrap_or_default());
                }
            }
            out.push(m);
        }
        SyntaxKind::PropertyDeclaration => {
            let Some(name) = member.child_by_field(Field::Name) else {
                return;
            };
            let ty = member
                .child_by_field(Field::Type)
                .and_then(|t| Ty::parse(t.text()));
            out.push(base(name.text(), MemberKind::Property, ty));
        }
        SyntaxKind::FieldDeclaration | SyntaxKind::EventFieldDeclaration => {
            let Some(decl) = member.child_of_kind(SyntaxKind::VariableDeclaration) else {
                return;
            };
            let ty = decl
                .child_by_field(Field::Type)
                .and_then(|t| Ty::parse(t.text()));
            for d in decl
                .named_children()
                .filter(|c| c.is(SyntaxKind::VariableDeclarator))
            {
                let Some(name) = d.child_by_field(Field::Name) else {
                    continue;
                };
                let mut m = base(name.text(), MemberKind::Field, ty.clone());
                m.node = d.id();
                out.push(m);
            }
        }
        _ => {}
    }
}

/// `x.Event += Handler;` → `Handler` (also `+= new EventHandler(Handler)`, `-=`).
pub fn subscribed_name(node: Node<'_>) -> Option<&str> {
    let op = node.child_by_field(Field::Operator)?;
    if op.text() != "+=" && op.text() != "-=" {
        return None;
    }
    let right = node.child_by_field(Field::Right)?;
    let right = if right.is(SyntaxKind::ObjectCreationExpression) {
        right
            .child_by_field(Field::Arguments)
            .and_then(|a| a.named_children().next())
            .and_then(|a| a.first_named_child())?
    } else {
        right
    };
    if !matches!(
        right.kind(),
        SyntaxKind::Identifier | SyntaxKind::MemberAccessExpression
    ) {
        return None;
    }
    // A method group is a dotted name: `OnClick`, `this.OnClick`, `handlers.OnClick`.
    if !right
        .text()
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '@')
    {
        return None;
    }
    callee_name(right).map(|n| n.text())
}
