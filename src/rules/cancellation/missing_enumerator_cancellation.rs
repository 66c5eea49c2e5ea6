//! ASYNC404 missing-enumerator-cancellation: an async iterator whose token parameter lacks
//! `[EnumeratorCancellation]`, or that has no token parameter at all.

use super::params_of;
use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rules::util::may_implement_interface_member;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::syntax::views::{Function, FunctionKind};
use crate::syntax::{Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC404",
    name: "missing-enumerator-cancellation",
    family: Family::Cancellation,
    summary: "An async iterator whose CancellationToken lacks [EnumeratorCancellation], or that takes none",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: true,
    kinds: &[
        SyntaxKind::MethodDeclaration,
        SyntaxKind::LocalFunctionStatement,
    ],
    tokens: &["IAsyncEnumerable & async"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags an `async IAsyncEnumerable<T>` iterator (method or local function) that \
has a `CancellationToken` parameter without `[EnumeratorCancellation]` (warning), or no \
token parameter at all (info).",
        why: "A consumer cancels an async stream with \
`await foreach (var x in Items().WithCancellation(ct))`. That token reaches the iterator \
only through a parameter marked `[EnumeratorCancellation]`; without the attribute the \
iterator keeps its own (usually default) token and never notices the cancellation. An \
iterator with no token at all cannot be cancelled by anyone.",
        example: r#"
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

public class Feed
{
    public async IAsyncEnumerable<int> ReadAsync(CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(100, cancellationToken);
            yield return i;
        }
    }
}
"#,
        use_instead: r#"
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

public class Feed
{
    public async IAsyncEnumerable<int> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(100, cancellationToken);
            yield return i;
        }
    }
}
"#,
        silent_when: "Iterators that are not `async` (plain `IEnumerable<T>`), methods that \
return an `IAsyncEnumerable<T>` built elsewhere (no `async`), and iterators where one token \
parameter already carries `[EnumeratorCancellation]`. The no-token variant is not reported \
on overrides and possible interface implementations, whose parameters are fixed. Only this \
rule reports an async iterator without a token (not ASYNC402).",
        fix: "Adds `[EnumeratorCancellation]` to the token parameter, and \
`using System.Runtime.CompilerServices;` where the file lacks it (with the file's line \
endings). Safe. Offered when exactly one token parameter lacks it; no fix for a missing \
parameter (that changes the signature).",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(f) = Function::cast(node) else {
        return;
    };
    if !f.is_async() {
        return;
    }
    let returns_stream = f
        .return_type()
        .and_then(|t| Ty::parse(t.text()))
        .is_some_and(|t| t.name == "IAsyncEnumerable" && t.arrays == 0 && !t.nullable);
    if !returns_stream {
        return;
    }
    let Some(name) = f.name() else { return };
    let params = params_of(&f);
    let tokens: Vec<_> = params.iter().filter(|p| p.is_token()).collect();
    if tokens
        .iter()
        .any(|p| p.attributes().contains(&"EnumeratorCancellation"))
    {
        return;
    }
    if tokens.is_empty() {
        if f.has_modifier("override")
            || f.node
                .child_of_kind(SyntaxKind::ExplicitInterfaceSpecifier)
                .is_some()
        {
            return;
        }
        if f.kind == FunctionKind::Method {
            if let Some(ty) = model.enclosing_type(node) {
                if may_implement_interface_member(model, ty, name.text()) {
                    return;
                }
            }
        }
        let message = format!(
            "async iterator `{}` takes no CancellationToken: consumers cannot cancel it; add `[EnumeratorCancellation] CancellationToken cancellationToken = default`",
            name.text()
        );
        if let Some(d) = ctx.report(name, message) {
            d.with_severity(Severity::Info);
        }
        return;
    }
    let shown: Vec<&str> = tokens.iter().map(|p| p.name.text()).collect();
    let message = format!(
        "async iterator `{}`: token `{}` lacks [EnumeratorCancellation], so a token given through `WithCancellation(..)` never reaches it",
        name.text(),
        shown.join("`, `")
    );
    let fix = (tokens.len() == 1).then(|| {
        let mut edits = vec![Edit::insert(
            tokens[0].node.start(),
            "[EnumeratorCancellation] ",
        )];
        if let Some(using) = using_edit(node) {
            edits.insert(0, using);
        }
        Fix {
            message: "Add `[EnumeratorCancellation]`".to_owned(),
            applicability: Applicability::Safe,
            edits,
        }
    });
    if let Some(d) = ctx.report(name, message) {
        d.with_fix(fix);
    }
}

const NAMESPACE: &str = "System.Runtime.CompilerServices";

/// `(namespace, is a plain using)` of a using directive; plain means not `global`, `static`
/// or an alias.
fn using_name(directive: Node<'_>) -> (String, bool) {
    let t = directive.text().trim();
    let global = t.starts_with("global");
    let t = t.trim_start_matches("global").trim_start();
    let t = t.trim_start_matches("using").trim();
    let t = t.trim_end_matches(';').trim();
    let plain = !global && !t.starts_with("static ") && !t.contains('=');
    (t.trim_start_matches("global::").to_owned(), plain)
}

/// The edit that adds `using System.Runtime.CompilerServices;`, or `None` when the file
/// already has it (or any using that covers it).
fn using_edit(node: Node<'_>) -> Option<Edit> {
    let tree = node.tree();
    let source = tree.source();
    let directives: Vec<Node<'_>> = tree
        .iter()
        .filter(|n| n.is(SyntaxKind::UsingDirective))
        .collect();
    if directives.iter().any(|d| {
        let (name, _) = using_name(*d);
        name == NAMESPACE && !d.text().contains('=')
    }) {
        return None;
    }
    let nl = if source.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let line = format!("using {NAMESPACE};");
    // The usings of the container that holds the first one (top level or a namespace).
    let container = directives.first().and_then(|d| d.parent());
    let siblings: Vec<Node<'_>> = directives
        .iter()
        .copied()
        .filter(|d| d.parent() == container && using_name(*d).1)
        .collect();
    if siblings.is_empty() {
        if let Some(last) = directives
            .iter()
            .copied()
            .filter(|d| d.parent() == container)
            .last()
        {
            return Some(after(source, last, &line, nl));
        }
        // No using at all: before the first declaration (after comments and directives).
        let first = tree
            .root()
            .named_children()
            .find(|c| !c.is(SyntaxKind::Comment) && !c.text().starts_with('#'))?;
        if first.text().starts_with("extern") {
            return None;
        }
        return Some(Edit::insert(first.start(), format!("{line}{nl}{nl}")));
    }
    let system: Vec<Node<'_>> = siblings
        .iter()
        .copied()
        .filter(|d| {
            let n = using_name(*d).0;
            n == "System" || n.starts_with("System.")
        })
        .collect();
    if system.is_empty() {
        return Some(before(source, siblings[0], &line, nl));
    }
    match system
        .iter()
        .find(|d| using_name(**d).0.as_str() > NAMESPACE)
    {
        Some(next) => Some(before(source, *next, &line, nl)),
        None => Some(after(source, *system.last()?, &line, nl)),
    }
}

/// The whitespace that starts the line of `node`.
fn indent_of<'s>(source: &'s str, node: Node<'_>) -> &'s str {
    let line_start = source[..node.start()].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &source[line_start..node.start()];
    if prefix.chars().all(|c| c == ' ' || c == '\t') {
        prefix
    } else {
        ""
    }
}

fn before(source: &str, next: Node<'_>, line: &str, nl: &str) -> Edit {
    let indent = indent_of(source, next);
    Edit::insert(next.start(), format!("{line}{nl}{indent}"))
}

fn after(source: &str, prev: Node<'_>, line: &str, nl: &str) -> Edit {
    let indent = indent_of(source, prev);
    Edit::insert(prev.end(), format!("{nl}{indent}{line}"))
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::diagnostic::{Applicability, Severity};
    use crate::project::ProjectKind;
    use crate::rules::harness::*;

    #[test]
    fn docs() {
        assert_docs(&RULE, ProjectKind::Library);
    }

    #[test]
    fn flags_iterators_without_the_attribute_or_a_token() {
        let src = r#"
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
public class Feed {
    public async IAsyncEnumerable<int> Tokened(CancellationToken ct = default) { await Task.Delay(1, ct); yield return 1; } // ~ASYNC404
    public async IAsyncEnumerable<int> NoToken() { await Task.Delay(1); yield return 1; } // ~ASYNC404
    private async IAsyncEnumerable<string> Two(CancellationToken a, System.Threading.CancellationToken b) { await Task.Yield(); yield return ""; } // ~ASYNC404
    void Outer() {
        async IAsyncEnumerable<int> Local(CancellationToken ct) { await Task.Yield(); yield return 1; } // ~ASYNC404
    }
}
"#;
        assert_marked(&RULE, src, ProjectKind::Library);
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[1].severity, Severity::Info);
        assert!(d[2].fix.is_none(), "two tokens: which one?");
    }

    #[test]
    fn silent_on_attributed_and_non_async_iterators() {
        assert_silent(
            &RULE,
            r#"
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
public interface IFeed { IAsyncEnumerable<int> Items(); }
public abstract class Base { public abstract IAsyncEnumerable<int> Stream(); }
public class Feed : Base, IFeed, IExternalFeed {
    public async IAsyncEnumerable<int> Ok([EnumeratorCancellation] CancellationToken ct = default) { await Task.Yield(); yield return 1; }
    public async IAsyncEnumerable<int> Full([System.Runtime.CompilerServices.EnumeratorCancellationAttribute] CancellationToken ct) { await Task.Yield(); yield return 1; }
    public async IAsyncEnumerable<int> OneOfTwo(CancellationToken other, [EnumeratorCancellation] CancellationToken ct) { await Task.Yield(); yield return 1; }
    public IAsyncEnumerable<int> NotAsync(CancellationToken ct) => Ok(ct);
    public IEnumerable<int> Sync(CancellationToken ct) { yield return 1; }
    public async Task<List<int>> NotAStream(CancellationToken ct) { await Task.Yield(); return null; }
    public async IAsyncEnumerable<int> Items() { await Task.Yield(); yield return 1; }
    public override async IAsyncEnumerable<int> Stream() { await Task.Yield(); yield return 1; }
    public async IAsyncEnumerable<int> FromExternal() { await Task.Yield(); yield return 1; }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn fix_adds_the_attribute_and_the_using() {
        assert_fix(
            &RULE,
            "using System.Collections.Generic;\nusing System.Threading;\nusing System.Threading.Tasks;\nclass F { async IAsyncEnumerable<int> M(CancellationToken ct) { await Task.Yield(); yield return 1; } }",
            "using System.Collections.Generic;\nusing System.Runtime.CompilerServices;\nusing System.Threading;\nusing System.Threading.Tasks;\nclass F { async IAsyncEnumerable<int> M([EnumeratorCancellation] CancellationToken ct) { await Task.Yield(); yield return 1; } }",
            Applicability::Safe,
        );
        // The using is there already.
        assert_fix(
            &RULE,
            "using System.Collections.Generic;\nusing System.Runtime.CompilerServices;\nusing System.Threading;\nclass F { async IAsyncEnumerable<int> M(int x, CancellationToken ct = default) { await System.Threading.Tasks.Task.Yield(); yield return x; } }",
            "using System.Collections.Generic;\nusing System.Runtime.CompilerServices;\nusing System.Threading;\nclass F { async IAsyncEnumerable<int> M(int x, [EnumeratorCancellation] CancellationToken ct = default) { await System.Threading.Tasks.Task.Yield(); yield return x; } }",
            Applicability::Safe,
        );
        // CRLF line endings and usings inside a namespace, after the last System using.
        assert_fix(
            &RULE,
            "namespace N\r\n{\r\n    using System.Collections.Generic;\r\n    using System.Threading;\r\n    using Other.Lib;\r\n\r\n    class F { async IAsyncEnumerable<int> M(CancellationToken ct) { await Task.Yield(); yield return 1; } }\r\n}\r\n",
            "namespace N\r\n{\r\n    using System.Collections.Generic;\r\n    using System.Runtime.CompilerServices;\r\n    using System.Threading;\r\n    using Other.Lib;\r\n\r\n    class F { async IAsyncEnumerable<int> M([EnumeratorCancellation] CancellationToken ct) { await Task.Yield(); yield return 1; } }\r\n}\r\n",
            Applicability::Safe,
        );
        // Only System usings before it: after the last one.
        assert_fix(
            &RULE,
            "using System;\nusing System.Collections.Generic;\nusing Foo;\n\nclass F { async IAsyncEnumerable<int> M(System.Threading.CancellationToken ct) { await System.Threading.Tasks.Task.Yield(); yield return 1; } }",
            "using System;\nusing System.Collections.Generic;\nusing System.Runtime.CompilerServices;\nusing Foo;\n\nclass F { async IAsyncEnumerable<int> M([EnumeratorCancellation] System.Threading.CancellationToken ct) { await System.Threading.Tasks.Task.Yield(); yield return 1; } }",
            Applicability::Safe,
        );
        // No using at all: before the first declaration, after a header comment.
        assert_fix(
            &RULE,
            "// header\nclass F { async System.Collections.Generic.IAsyncEnumerable<int> M(System.Threading.CancellationToken ct) { await System.Threading.Tasks.Task.Yield(); yield return 1; } }",
            "// header\nusing System.Runtime.CompilerServices;\n\nclass F { async System.Collections.Generic.IAsyncEnumerable<int> M([EnumeratorCancellation] System.Threading.CancellationToken ct) { await System.Threading.Tasks.Task.Yield(); yield return 1; } }",
            Applicability::Safe,
        );
    }

    #[test]
    fn the_no_token_iterator_is_this_rules_alone() {
        // ASYNC402 (missing-cancellation-parameter) stays silent on it.
        let src = "using System.Collections.Generic;\nusing System.Threading.Tasks;\npublic class F { public async IAsyncEnumerable<int> M() { await Task.Delay(1); yield return 1; } }";
        let settings = crate::engine::Settings {
            select: Some(vec!["ASYNC402", "ASYNC404"]),
            ignore: Vec::new(),
        };
        let d =
            crate::engine::lint_source(src, &project(ProjectKind::Library), &settings).diagnostics;
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].rule, "ASYNC404");
    }
}
