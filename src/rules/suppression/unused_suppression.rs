//! ASYNC001 unused-suppression: a suppression that hides no finding.
//!
//! The engine reports it (`engine/suppress.rs`) after every other rule ran: whether a
//! suppression is used is known only then. The check here does nothing.

use crate::diagnostic::Severity;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::syntax::{Node, SyntaxKind};

pub static RULE: Rule = Rule {
    id: "ASYNC001",
    name: "unused-suppression",
    family: Family::Suppression,
    summary: "A suppression that hides no finding",
    default_severity: Severity::Info,
    severity: severity::info,
    fixable: true,
    kinds: &[SyntaxKind::CompilationUnit],
    tokens: &["ASYNC*"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags a suppression that names an asynclint rule which ran on the file and \
found nothing there: an ID in `#pragma warning disable`, in `// asynclint-disable-next-line`, \
or in `[SuppressMessage(\"asynclint\", \"ASYNC101\")]`; and an \
`// asynclint-disable-next-line` without IDs whose next line has no finding.",
        why: "A suppression outlives the code it was written for. Once the finding is gone it \
hides the next real problem that appears in its range, and readers take it for a known \
issue that does not exist.",
        example: r#"
using System.Threading.Tasks;

class Loader
{
    public async Task<int> LoadAsync(Task<int> pending)
    {
#pragma warning disable ASYNC101
        return await pending;
#pragma warning restore ASYNC101
    }
}
"#,
        use_instead: r#"
using System.Threading.Tasks;

class Loader
{
    public async Task<int> LoadAsync(Task<int> pending)
    {
        return await pending;
    }
}
"#,
        silent_when: "IDs of other tools (`CS4014`, `CA2007`), a bare `#pragma warning \
disable` (it is meant for the compiler's warnings too), `#pragma warning restore`, IDs of \
rules that did not run on the file (off for its project kind, `--select`ed out), \
`<NoWarn>` in project files, `[assembly: SuppressMessage]`, and every suppression in a \
file with syntax errors (the rules did not see all of it).",
        fix: "Removes the unused ID and its comma; when no other ID is left, removes the whole \
`#pragma` line or comment (a `#pragma warning disable` with no ID left would disable every \
warning). Safe. An unused `[SuppressMessage]` has no fix: remove the attribute by hand.",
    },
};

fn check<'t>(_: Node<'t>, _: &mut RuleCtx<'_, 't>) {}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::engine::{lint_source, Settings};
    use crate::project::{ProjectInfo, ProjectKind};
    use crate::rules::harness::{assert_fixes_reparse, project};

    fn lint(src: &str) -> Vec<crate::diagnostic::Diagnostic> {
        let settings = Settings {
            select: Some(vec![RULE.id, "ASYNC101"]),
            ignore: Vec::new(),
        };
        let p: ProjectInfo = project(ProjectKind::Library);
        lint_source(src, &p, &settings).diagnostics
    }

    #[test]
    fn docs() {
        let flagged = lint(RULE.docs.example);
        assert_eq!(flagged.len(), 1, "{flagged:#?}");
        assert_eq!(flagged[0].rule, RULE.id);
        assert_fixes_reparse(RULE.docs.example, &flagged);
        assert!(lint(RULE.docs.use_instead).is_empty());
    }

    #[test]
    fn a_used_suppression_is_not_flagged() {
        let src = "using System.Threading.Tasks;\nclass C {\n    int M(Task<int> t)\n    {\n        // asynclint-disable-next-line ASYNC101\n        return t.Result;\n    }\n}\n";
        assert!(lint(src).is_empty(), "{:#?}", lint(src));
    }

    #[test]
    fn not_in_a_file_with_syntax_errors() {
        let src = "using System.Threading.Tasks;\nclass C {\n    int M(Task<int> t)\n    {\n        // asynclint-disable-next-line ASYNC101\n        return t.Result + (;\n    }\n}\n";
        assert!(crate::syntax::parse(src).has_errors());
        assert!(lint(src).is_empty(), "{:#?}", lint(src));
    }
}
