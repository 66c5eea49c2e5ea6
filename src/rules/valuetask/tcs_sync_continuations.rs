//! ASYNC503 tcs-sync-continuations: `new TaskCompletionSource(..)` without
//! `TaskCreationOptions.RunContinuationsAsynchronously`.

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::project::Framework;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::FileModel;
use crate::syntax::views::{Argument, MemberAccess};
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC503",
    name: "tcs-sync-continuations",
    family: Family::ValueTask,
    summary:
        "A TaskCompletionSource created without TaskCreationOptions.RunContinuationsAsynchronously",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: true,
    kinds: &[
        SyntaxKind::ObjectCreationExpression,
        SyntaxKind::ImplicitObjectCreationExpression,
    ],
    tokens: &["TaskCompletionSource"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags `new TaskCompletionSource(..)` and `new TaskCompletionSource<T>(..)` (and \
a target-typed `new()` whose target is written as one) whose creation options do not include \
`TaskCreationOptions.RunContinuationsAsynchronously`. Also flags the look-alike \
`TaskContinuationOptions.RunContinuationsAsynchronously`, which binds to the `object state` \
constructor and sets no option at all.",
        why: "By default the code that awaits `tcs.Task` runs inline inside `SetResult` / \
`TrySetResult`, on the thread that completes the source and while it still holds whatever \
locks it took: a continuation that blocks, takes the same lock or completes another source \
deadlocks or stalls the completing code (a socket read loop, a timer, an event raised under a \
lock). With `RunContinuationsAsynchronously` the continuations are queued to the thread \
pool and `SetResult` returns at once.",
        example: r#"
using System.Threading.Tasks;

class Signal
{
    private readonly TaskCompletionSource<bool> _ready = new TaskCompletionSource<bool>();

    public Task WaitAsync() => _ready.Task;

    public void Set() => _ready.TrySetResult(true);
}
"#,
        use_instead: r#"
using System.Threading.Tasks;

class Signal
{
    private readonly TaskCompletionSource<bool> _ready =
        new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WaitAsync() => _ready.Task;

    public void Set() => _ready.TrySetResult(true);
}
"#,
        silent_when: "The options include `RunContinuationsAsynchronously`; the options are a \
variable or parameter whose value the tool cannot see (`new TaskCompletionSource<T>(options)`); \
a single argument whose type the tool does not know (it may be the options); a project type \
named `TaskCompletionSource`.",
        fix: "Without arguments, `TaskCreationOptions.RunContinuationsAsynchronously` becomes \
the argument; with options written as enum members, ` | \
TaskCreationOptions.RunContinuationsAsynchronously` is appended to them (also as the second \
argument of the `(state, options)` form); `TaskContinuationOptions.RunContinuationsAsynchronously` \
is corrected to `TaskCreationOptions.…`. Safe. No fix when the only argument is a state \
object: adding the option there would change which constructor is called for the caller who \
meant that object; none in .NET Framework projects (the option is new in 4.6, and the \
project's framework version is not known precisely enough to be sure it exists).",
    },
};

const OPTION: &str = "RunContinuationsAsynchronously";

/// The creation options a TaskCompletionSource receives.
enum Options<'t> {
    /// `()`: the argument list.
    None(Node<'t>),
    /// Options written as enum members without the flag: the options expression.
    Without(Node<'t>),
    /// `TaskContinuationOptions.RunContinuationsAsynchronously`: the wrong enum.
    WrongEnum(Node<'t>),
    /// `(state)`: a state object and no options.
    StateOnly,
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    if !creates_tcs(node, model) || !ctx.source().contains("TaskCompletionSource") {
        return;
    }
    let args_node = if node.is(SyntaxKind::ObjectCreationExpression) {
        node.child_by_field(Field::Arguments)
    } else {
        node.child_of_kind(SyntaxKind::ArgumentList)
    };
    let args: Vec<Argument<'t>> = args_node
        .map(|l| {
            l.named_children()
                .filter(|c| c.is(SyntaxKind::Argument))
                .filter_map(Argument::cast)
                .collect()
        })
        .unwrap_or_default();
    if node
        .child_of_kind(SyntaxKind::InitializerExpression)
        .is_some()
    {
        return; // `new TaskCompletionSource<T> { .. }`: unusual, leave it
    }
    let options = match args.as_slice() {
        [] => match args_node {
            Some(list) => Options::None(list),
            None => return, // `new TaskCompletionSource<T> { }` without a list
        },
        [only] => match classify_options(model, only.value) {
            Some(o) => o,
            None => return,
        },
        [_, second] => match classify_options(model, second.value) {
            Some(Options::StateOnly) | None => return,
            Some(o) => o,
        },
        _ => return,
    };
    let message = match options {
        Options::WrongEnum(_) => "`TaskContinuationOptions.RunContinuationsAsynchronously` is not a creation option: it is passed as the `state` object and continuations still run synchronously inside `SetResult`; use `TaskCreationOptions.RunContinuationsAsynchronously`".to_owned(),
        _ => "TaskCompletionSource without `TaskCreationOptions.RunContinuationsAsynchronously`: awaiting code runs inline inside `SetResult`, on the completing thread and under its locks".to_owned(),
    };
    let qualified = if model.imports_tasks || ctx.project.implicit_usings {
        "TaskCreationOptions"
    } else {
        "System.Threading.Tasks.TaskCreationOptions"
    };
    let shadowed = model.is_declared_type("TaskCreationOptions")
        || model.tree().iter().any(|n| {
            (n.is(SyntaxKind::VariableDeclarator)
                || n.is(SyntaxKind::Parameter)
                || n.is(SyntaxKind::PropertyDeclaration)
                || n.is(SyntaxKind::MethodDeclaration))
                && n.child_by_field(Field::Name)
                    .is_some_and(|id| id.text() == "TaskCreationOptions")
        });
    let option = format!("{qualified}.{OPTION}");
    let edit = match options {
        Options::None(list) => Some(Edit::replace(list.range(), format!("({option})"))),
        Options::Without(expr) => Some(Edit::insert(expr.end(), format!(" | {option}"))),
        Options::WrongEnum(expr) => MemberAccess::cast(expr.unparenthesized())
            .map(|ma| Edit::replace(ma.receiver.range(), qualified)),
        Options::StateOnly => None,
    };
    // The option is new in .NET Framework 4.6; the project model does not tell 4.5 from
    // 4.8, so .NET Framework projects get the finding without the edit.
    let net_framework = ctx.project.frameworks.0.contains(&Framework::NetFramework);
    let fix = edit.filter(|_| !shadowed && !net_framework).map(|e| Fix {
        message: format!("Pass `TaskCreationOptions.{OPTION}`"),
        applicability: Applicability::Safe,
        edits: vec![e],
    });
    if let Some(d) = ctx.report(node, message) {
        d.with_fix(fix);
        if matches!(options, Options::StateOnly) {
            d.with_help(format!(
                "pass the options after the state: `new TaskCompletionSource<T>(state, TaskCreationOptions.{OPTION})`"
            ));
        }
    }
}

/// `new TaskCompletionSource<T>(..)`, `new System.Threading.Tasks.TaskCompletionSource(..)`,
/// or `new(..)` whose target is declared as one in this file.
fn creates_tcs(node: Node<'_>, model: &FileModel<'_>) -> bool {
    if model.is_declared_type("TaskCompletionSource") {
        return false;
    }
    let is_tcs = |t: &str| {
        Ty::parse(t).is_some_and(|ty| {
            ty.name == "TaskCompletionSource" && ty.arrays == 0 && ty.args.len() <= 1
        }) && (!t.contains('.') || t.trim_start_matches("global::").starts_with("System."))
    };
    match node.kind() {
        SyntaxKind::ObjectCreationExpression => node
            .child_by_field(Field::Type)
            .is_some_and(|t| is_tcs(t.text())),
        SyntaxKind::ImplicitObjectCreationExpression => {
            let Some(parent) = node.parent() else {
                return false;
            };
            match parent.kind() {
                // `TaskCompletionSource<T> x = new();` (a local or a field)
                SyntaxKind::VariableDeclarator => parent
                    .parent()
                    .filter(|d| d.is(SyntaxKind::VariableDeclaration))
                    .and_then(|d| d.child_by_field(Field::Type))
                    .is_some_and(|t| is_tcs(t.text())),
                // `_tcs = new();` with `_tcs` declared in this file
                SyntaxKind::AssignmentExpression
                    if parent.child_by_field(Field::Right) == Some(node) =>
                {
                    parent
                        .child_by_field(Field::Left)
                        .and_then(|l| model.type_of(l))
                        .is_some_and(|t| is_tcs(&t.to_string()))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// What an options argument says; `None` when the tool cannot tell (a variable of options,
/// an expression of unknown type) or the flag is there.
fn classify_options<'t>(model: &FileModel<'t>, value: Node<'t>) -> Option<Options<'t>> {
    let v = value.unparenthesized();
    if let Some(members) = enum_members(v) {
        let (enum_name, _) = members[0];
        if members.iter().any(|(e, _)| *e != enum_name) {
            return None;
        }
        let has_flag = members.iter().any(|(_, m)| *m == OPTION);
        return match enum_name {
            "TaskCreationOptions" if has_flag => None,
            "TaskCreationOptions" => Some(Options::Without(value)),
            "TaskContinuationOptions" if has_flag && members.len() == 1 => {
                Some(Options::WrongEnum(value))
            }
            _ => None,
        };
    }
    // A state object: a literal, `this`, `new ..`, or a value of a known non-enum type.
    let state = match v.kind() {
        SyntaxKind::NullLiteral
        | SyntaxKind::ThisExpression
        | SyntaxKind::ObjectCreationExpression
        | SyntaxKind::IntegerLiteral => true,
        _ => model.type_of(v).is_some_and(|t| {
            !t.is_unknown() && !t.name.ends_with("Options") && t.name != "TaskCreationOptions"
        }),
    };
    state.then_some(Options::StateOnly)
}

/// `E.A`, `E.A | E.B`, `System.Threading.Tasks.E.A`: the (enum, member) pairs, when the
/// expression is nothing but enum members combined with `|`.
fn enum_members<'t>(expr: Node<'t>) -> Option<Vec<(&'t str, &'t str)>> {
    let mut out = Vec::new();
    let mut pending = vec![expr];
    while let Some(e) = pending.pop() {
        let e = e.unparenthesized();
        match e.kind() {
            SyntaxKind::BinaryExpression => {
                if e.child_by_field(Field::Operator).map(|o| o.text()) != Some("|") {
                    return None;
                }
                pending.push(e.child_by_field(Field::Left)?);
                pending.push(e.child_by_field(Field::Right)?);
                if pending.len() > 32 {
                    return None;
                }
            }
            SyntaxKind::MemberAccessExpression => {
                let ma = MemberAccess::cast(e)?;
                let recv = ma.receiver.text();
                let enum_name = recv.rsplit('.').next()?;
                if !matches!(enum_name, "TaskCreationOptions" | "TaskContinuationOptions") {
                    return None;
                }
                out.push((enum_name, ma.name_text()));
            }
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::diagnostic::Applicability;
    use crate::project::ProjectKind;
    use crate::rules::harness::*;

    #[test]
    fn docs() {
        assert_docs(&RULE, ProjectKind::Library);
    }

    #[test]
    fn flags_sources_without_the_option() {
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    private readonly TaskCompletionSource<bool> _a = new TaskCompletionSource<bool>(); // ~ASYNC503
    private TaskCompletionSource<int> _b = new(); // ~ASYNC503
    private TaskCompletionSource _plain;
    void M(object state) {
        var c = new TaskCompletionSource<string>(TaskCreationOptions.None); // ~ASYNC503
        var d = new TaskCompletionSource<string>(TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach); // ~ASYNC503
        var e = new TaskCompletionSource<object>(state); // ~ASYNC503
        var f = new TaskCompletionSource<object>(state, TaskCreationOptions.AttachedToParent); // ~ASYNC503
        var g = new TaskCompletionSource<int>(TaskContinuationOptions.RunContinuationsAsynchronously); // ~ASYNC503
        _plain = new(); // ~ASYNC503
        _plain = new TaskCompletionSource(); // ~ASYNC503
        var h = new System.Threading.Tasks.TaskCompletionSource<int>(); // ~ASYNC503
        TaskCompletionSource<int> i = new(this); // ~ASYNC503
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_with_the_option_or_unknown_options() {
        assert_silent(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    private readonly TaskCompletionSource<bool> _a = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<int> _b = new(TaskCreationOptions.RunContinuationsAsynchronously);
    void M(TaskCreationOptions options, object state, dynamic d) {
        var c = new TaskCompletionSource<string>(TaskCreationOptions.LongRunning | TaskCreationOptions.RunContinuationsAsynchronously);
        var e = new TaskCompletionSource<object>(state, TaskCreationOptions.RunContinuationsAsynchronously);
        var f = new TaskCompletionSource<object>(options);
        var g = new TaskCompletionSource<object>(state, options);
        var h = new TaskCompletionSource<object>(Unknown());
        var i = new System.Threading.Tasks.TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arr = new TaskCompletionSource<int>[4];
        var other = new Other.TaskCompletionSource<int>();
        var list = new System.Collections.Generic.List<TaskCompletionSource<int>>();
    }
}
"#,
            ProjectKind::Library,
        );
        // A project type of that name is not the BCL one.
        assert_silent(
            &RULE,
            "namespace N { class TaskCompletionSource<T> { } class C { object M() => new TaskCompletionSource<int>(); } }",
            ProjectKind::Library,
        );
    }

    #[test]
    fn fixes_add_the_option() {
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { TaskCompletionSource<int> _t = new(); void M() { var t = new TaskCompletionSource<bool>(); } }",
            "using System.Threading.Tasks;\nclass C { TaskCompletionSource<int> _t = new(TaskCreationOptions.RunContinuationsAsynchronously); void M() { var t = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously); } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { void M(object s) { var a = new TaskCompletionSource<bool>(TaskCreationOptions.None); var b = new TaskCompletionSource<int>(s, TaskCreationOptions.LongRunning | TaskCreationOptions.AttachedToParent); } }",
            "using System.Threading.Tasks;\nclass C { void M(object s) { var a = new TaskCompletionSource<bool>(TaskCreationOptions.None | TaskCreationOptions.RunContinuationsAsynchronously); var b = new TaskCompletionSource<int>(s, TaskCreationOptions.LongRunning | TaskCreationOptions.AttachedToParent | TaskCreationOptions.RunContinuationsAsynchronously); } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { TaskCompletionSource<int> _t = new TaskCompletionSource<int>(TaskContinuationOptions.RunContinuationsAsynchronously); }",
            "using System.Threading.Tasks;\nclass C { TaskCompletionSource<int> _t = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously); }",
            Applicability::Safe,
        );
        // Without the namespace imported, the option is written in full.
        assert_fix(
            &RULE,
            "class C { System.Threading.Tasks.TaskCompletionSource<int> _t = new System.Threading.Tasks.TaskCompletionSource<int>(); }",
            "class C { System.Threading.Tasks.TaskCompletionSource<int> _t = new System.Threading.Tasks.TaskCompletionSource<int>(System.Threading.Tasks.TaskCreationOptions.RunContinuationsAsynchronously); }",
            Applicability::Safe,
        );
    }

    #[test]
    fn no_fix_for_a_state_object() {
        let src = "using System.Threading.Tasks;\nclass C { void M(object state) { var t = new TaskCompletionSource<int>(state); } }";
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(d.len(), 1);
        assert!(d[0].fix.is_none());
        assert!(d[0].help.is_some());
        // .NET Framework: the option may not exist (4.5), so the finding has no edit.
        let p = crate::project::ProjectInfo {
            frameworks: crate::project::Frameworks::parse("net472"),
            ..project(ProjectKind::Library)
        };
        let src =
            "using System.Threading.Tasks;\nclass C { TaskCompletionSource<int> _t = new(); }";
        let d = lint_with(&RULE, src, &p);
        assert_eq!(d.len(), 1);
        assert!(d[0].fix.is_none());
    }
}
