//! Declaration summaries of one file: types, their bases and members.

use super::FileModel;
use crate::syntax::views::Function;
use crate::syntax::{Field, Node, SyntaxKind, Ty};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberKind {
    Method,
    Field,
    Property,
}

#[derive(Clone, Debug)]
pub struct MemberInfo<'t> {
    pub node: Node<'t>,
    pub kind: MemberKind,
    pub name: &'t str,
    /// Field/property type, method return type.
    pub ty: Option<Ty>,
    /// Parameter types as parsed (methods only); `None` where a type did not parse.
    pub params: Vec<Option<Ty>>,
    /// Parameters with a default value.
    pub optional: Vec<bool>,
    pub obsolete: bool,
    pub is_static: bool,
}

#[derive(Clone, Debug)]
pub struct TypeDecl<'t> {
    pub node: Node<'t>,
    pub name: &'t str,
    pub bases: Vec<Ty>,
    pub members: Vec<MemberInfo<'t>>,
}

pub fn is_type_decl(n: Node<'_>) -> bool {
    matches!(
        n.kind(),
        SyntaxKind::ClassDeclaration
            | SyntaxKind::StructDeclaration
            | SyntaxKind::InterfaceDeclaration
            | SyntaxKind::RecordDeclaration
    )
}

pub(super) fn collect_types(m: &mut FileModel<'_>) {
    let tree = m.tree;
    for node in tree.iter().filter(|n| is_type_decl(*n)) {
        let Some(name) = node.child_by_field(Field::Name) else { continue };
        let bases = node
            .child_of_kind(SyntaxKind::BaseList)
            .map(|b| {
                b.named_children()
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
            for member in body.named_children() {
                collect_member(member, &mut members);
            }
        }
        let idx = m.types.len();
        m.types.push(TypeDecl {
            node,
            name: name.text(),
            bases,
            members,
        });
        m.types_by_name.entry(name.text()).or_default().push(idx);
    }
}

fn collect_member<'t>(member: Node<'t>, out: &mut Vec<MemberInfo<'t>>) {
    let attrs_obsolete = member
        .children()
        .filter(|c| c.is(SyntaxKind::AttributeList))
        .flat_map(|l| l.named_children())
        .any(|a| {
            a.child_by_field(Field::Name)
                .is_some_and(|n| matches!(n.text().rsplit('.').next(), Some("Obsolete" | "ObsoleteAttribute")))
        });
    let is_static = member
        .children()
        .any(|c| c.is(SyntaxKind::Modifier) && c.text() == "static");
    match member.kind() {
        SyntaxKind::MethodDeclaration => {
            let Some(f) = Function::cast(member) else { return };
            let Some(name) = f.name() else { return };
            let mut params = Vec::new();
            let mut optional = Vec::new();
            if let Some(list) = f.parameter_list() {
                for p in list.named_children().filter(|c| c.is(SyntaxKind::Parameter)) {
                    params.push(p.child_by_field(Field::Type).and_then(|t| Ty::parse(t.text())));
                    let has_default = p
                        .named_children()
                        .any(|c| c.field() == Field::None && !c.is(SyntaxKind::AttributeList) && !c.is(SyntaxKind::Modifier));
                    optional.push(has_default);
                }
            }
            out.push(MemberInfo {
                node: member,
                kind: MemberKind::Method,
                name: name.text(),
                ty: f.return_type().and_then(|t| Ty::parse(t.text())),
                params,
                optional,
                obsolete: attrs_obsolete,
                is_static,
            });
        }
        SyntaxKind::PropertyDeclaration => {
            let Some(name) = member.child_by_field(Field::Name) else { return };
            out.push(MemberInfo {
                node: member,
                kind: MemberKind::Property,
                name: name.text(),
                ty: member.child_by_field(Field::Type).and_then(|t| Ty::parse(t.text())),
                params: Vec::new(),
                optional: Vec::new(),
                obsolete: attrs_obsolete,
                is_static,
            });
        }
        SyntaxKind::FieldDeclaration => {
            let Some(decl) = member.child_of_kind(SyntaxKind::VariableDeclaration) else { return };
            let ty = decl.child_by_field(Field::Type).and_then(|t| Ty::parse(t.text()));
            for d in decl.named_children().filter(|c| c.is(SyntaxKind::VariableDeclarator)) {
                let Some(name) = d.child_by_field(Field::Name) else { continue };
                out.push(MemberInfo {
                    node: d,
                    kind: MemberKind::Field,
                    name: name.text(),
                    ty: ty.clone(),
                    params: Vec::new(),
                    optional: Vec::new(),
                    obsolete: attrs_obsolete,
                    is_static,
                });
            }
        }
        SyntaxKind::Other if member.text().starts_with('#') => {}
        _ => {}
    }
}
