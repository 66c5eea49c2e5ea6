//! Node kinds and field names, resolved once from the grammar's numeric ids.

use std::sync::OnceLock;

macro_rules! kinds {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// The node kinds asynclint looks at; everything else is `Other`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum SyntaxKind { $($variant,)* Error, Other }

        impl SyntaxKind {
            const NAMED: &'static [(SyntaxKind, &'static str)] = &[$((SyntaxKind::$variant, $name),)*];
            pub fn name(self) -> &'static str {
                match self { $(SyntaxKind::$variant => $name,)* SyntaxKind::Error => "ERROR", SyntaxKind::Other => "other" }
            }
        }
    };
}

kinds! {
    AccessorDeclaration => "accessor_declaration",
    AnonymousMethodExpression => "anonymous_method_expression",
    Argument => "argument",
    ArgumentList => "argument_list",
    ArrayCreationExpression => "array_creation_expression",
    ArrayType => "array_type",
    ArrowExpressionClause => "arrow_expression_clause",
    AsExpression => "as_expression",
    AssignmentExpression => "assignment_expression",
    Attribute => "attribute",
    AttributeList => "attribute_list",
    AwaitExpression => "await_expression",
    BaseList => "base_list",
    BinaryExpression => "binary_expression",
    Block => "block",
    CastExpression => "cast_expression",
    CatchClause => "catch_clause",
    CatchDeclaration => "catch_declaration",
    ClassDeclaration => "class_declaration",
    CollectionExpression => "collection_expression",
    Comment => "comment",
    CompilationUnit => "compilation_unit",
    ConditionalAccessExpression => "conditional_access_expression",
    ConditionalExpression => "conditional_expression",
    ConstructorDeclaration => "constructor_declaration",
    ConversionOperatorDeclaration => "conversion_operator_declaration",
    DeclarationExpression => "declaration_expression",
    DeclarationList => "declaration_list",
    DestructorDeclaration => "destructor_declaration",
    DoStatement => "do_statement",
    ElementAccessExpression => "element_access_expression",
    EventFieldDeclaration => "event_field_declaration",
    ExplicitInterfaceSpecifier => "explicit_interface_specifier",
    ExpressionStatement => "expression_statement",
    FieldDeclaration => "field_declaration",
    FileScopedNamespaceDeclaration => "file_scoped_namespace_declaration",
    FinallyClause => "finally_clause",
    ForStatement => "for_statement",
    ForeachStatement => "foreach_statement",
    GenericName => "generic_name",
    GlobalStatement => "global_statement",
    Identifier => "identifier",
    IfStatement => "if_statement",
    ImplicitArrayCreationExpression => "implicit_array_creation_expression",
    ImplicitObjectCreationExpression => "implicit_object_creation_expression",
    ImplicitParameter => "implicit_parameter",
    ImplicitType => "implicit_type",
    IndexerDeclaration => "indexer_declaration",
    InitializerExpression => "initializer_expression",
    IntegerLiteral => "integer_literal",
    InterfaceDeclaration => "interface_declaration",
    InvocationExpression => "invocation_expression",
    IsPatternExpression => "is_pattern_expression",
    LambdaExpression => "lambda_expression",
    LocalDeclarationStatement => "local_declaration_statement",
    LocalFunctionStatement => "local_function_statement",
    LockStatement => "lock_statement",
    MemberAccessExpression => "member_access_expression",
    MemberBindingExpression => "member_binding_expression",
    MethodDeclaration => "method_declaration",
    Modifier => "modifier",
    NamespaceDeclaration => "namespace_declaration",
    NullLiteral => "null_literal",
    NullableType => "nullable_type",
    ObjectCreationExpression => "object_creation_expression",
    OperatorDeclaration => "operator_declaration",
    Parameter => "parameter",
    ParameterList => "parameter_list",
    ParenthesizedExpression => "parenthesized_expression",
    PredefinedType => "predefined_type",
    PrefixUnaryExpression => "prefix_unary_expression",
    PropertyDeclaration => "property_declaration",
    QualifiedName => "qualified_name",
    QueryExpression => "query_expression",
    RecordDeclaration => "record_declaration",
    ReturnStatement => "return_statement",
    StructDeclaration => "struct_declaration",
    SwitchExpressionArm => "switch_expression_arm",
    SwitchSection => "switch_section",
    ThisExpression => "this",
    BaseExpression => "base",
    ThrowExpression => "throw_expression",
    ThrowStatement => "throw_statement",
    TryStatement => "try_statement",
    TypeArgumentList => "type_argument_list",
    UnsafeStatement => "unsafe_statement",
    UsingDirective => "using_directive",
    UsingStatement => "using_statement",
    VariableDeclaration => "variable_declaration",
    VariableDeclarator => "variable_declarator",
    WhileStatement => "while_statement",
    YieldStatement => "yield_statement",
}

macro_rules! fields {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// Field names a child can have in its parent.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Field { None, $($variant,)* Other }

        impl Field {
            const NAMED: &'static [(Field, &'static str)] = &[$((Field::$variant, $name),)*];
        }
    };
}

fields! {
    Alternative => "alternative",
    Arguments => "arguments",
    Body => "body",
    Condition => "condition",
    Consequence => "consequence",
    Expression => "expression",
    Function => "function",
    Initializer => "initializer",
    Left => "left",
    Name => "name",
    Operator => "operator",
    Parameters => "parameters",
    Qualifier => "qualifier",
    Returns => "returns",
    Right => "right",
    Subscript => "subscript",
    Type => "type",
    TypeParameters => "type_parameters",
    Value => "value",
}

pub(crate) struct KindTable {
    pub kinds: Vec<SyntaxKind>,
    pub fields: Vec<Field>,
}

pub(crate) fn table() -> &'static KindTable {
    static TABLE: OnceLock<KindTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let lang: tree_sitter::Language = tree_sitter_c_sharp::LANGUAGE.into();
        let count = lang.node_kind_count();
        let mut kinds = vec![SyntaxKind::Other; count + 1];
        for id in 0..count as u16 {
            let name = lang.node_kind_for_id(id).unwrap_or("");
            let named = lang.node_kind_is_named(id);
            if name == "ERROR" {
                kinds[id as usize] = SyntaxKind::Error;
                continue;
            }
            // `this` and `base` are anonymous keywords in this grammar; others must be named.
            if let Some((k, _)) = SyntaxKind::NAMED.iter().find(|(_, n)| *n == name) {
                if named || matches!(k, SyntaxKind::ThisExpression | SyntaxKind::BaseExpression) {
                    kinds[id as usize] = *k;
                }
            }
        }
        let fcount = lang.field_count();
        let mut fields = vec![Field::Other; fcount + 2];
        fields[0] = Field::None;
        for id in 1..=fcount as u16 {
            let name = lang.field_name_for_id(id).unwrap_or("");
            if let Some((f, _)) = Field::NAMED.iter().find(|(_, n)| *n == name) {
                fields[id as usize] = *f;
            }
        }
        KindTable { kinds, fields }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_exists_in_the_grammar() {
        let lang: tree_sitter::Language = tree_sitter_c_sharp::LANGUAGE.into();
        for (_, name) in SyntaxKind::NAMED {
            let named = !matches!(*name, "this" | "base");
            assert!(
                lang.id_for_node_kind(name, named) != 0,
                "unknown node kind {name}"
            );
        }
        for (_, name) in Field::NAMED {
            assert!(
                lang.field_id_for_name(name).is_some(),
                "unknown field {name}"
            );
        }
    }
}
