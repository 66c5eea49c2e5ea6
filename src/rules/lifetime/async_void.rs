//! ASYNC201 async-void: an `async void` method that is not an event handler.

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::semantic::FileModel;
use crate::syntax::views::{Function, FunctionKind};
use crate::syntax::{Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC201",
    name: "async-void",
    family: Family::Lifetime,
    summary: "An async void method that is not an event handler",
    default_severity: Severity::Warning,
    severity: severity::warning,
    fixable: true,
    kinds: &[
        SyntaxKind::MethodDeclaration,
        SyntaxKind::LocalFunctionStatement,
    ],
    tokens: &["async"],
    // An async void method or local function says both words.
    may_flag_member: Some(|m| m.has("async") && m.has("void")),
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags `async void` methods and local functions that are not event handlers.",
        why: "Nobody can await an `async void` method: the caller cannot know when it \
finished, and an exception thrown in it is raised on the SynchronizationContext (or the \
thread pool), where it crashes the process instead of reaching a `catch`. Tests that call \
it pass before it has run. Only event handlers, whose signature is fixed, need it.",
        example: r#"
using System.Threading.Tasks;

class Sync
{
    public async void RefreshAsync()
    {
        await Task.Delay(100);
    }
}
"#,
        use_instead: r#"
using System.Threading.Tasks;

class Sync
{
    public async Task RefreshAsync()
    {
        await Task.Delay(100);
    }
}
"#,
        silent_when: "Event handlers: two parameters whose second type is `EventArgs` or ends \
in `EventArgs`, or a method the file subscribes with `+=`. Overrides \
(`protected override async void OnAppearing()`) and explicit implementations of void \
interface members (`async void ICommand.Execute(object p)`), and `Execute` in a class that \
implements `ICommand`: their signature cannot change. Methods matching `asynclint.toml`'s \
`event-handlers` (or `.editorconfig`'s `asynclint_event_handlers`): `On*Changed`, \
`Shell.Handle*`.",
        fix: "`async void` becomes `async Task` (`System.Threading.Tasks.Task` when the file \
does not import the namespace). Safe for a private method whose name is only ever called; \
unsafe otherwise, since code elsewhere may use it as a void delegate or override it.",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let Some(f) = Function::cast(node) else {
        return;
    };
    if !f.is_async() {
        return;
    }
    let Some(ret) = f.return_type() else { return };
    if ret.text() != "void" {
        return;
    }
    let model = ctx.model;
    let configured_handler = || {
        let ty = model.enclosing_type(node).map(|t| t.name.as_str());
        ctx.config.is_event_handler(ty, f.name_text())
    };
    // A body that catches everything cannot crash the process (timer callbacks written
    // the recommended way).
    let guarded = f.body().is_some_and(crate::rules::util::catches_everything);
    if is_event_handler(&f, model)
        || configured_handler()
        || f.has_modifier("override")
        || implements_void_member(&f, model)
        || guarded
    {
        return;
    }
    let Some(name) = f.name() else { return };
    let what = if f.kind == FunctionKind::LocalFunction {
        "local function"
    } else {
        "method"
    };
    let message = format!(
        "`{}` is an async void {what}: callers cannot await it and its exceptions crash the process; return `Task`",
        name.text()
    );
    let task = if model.imports_tasks || ctx.project.implicit_usings {
        "Task"
    } else {
        "System.Threading.Tasks.Task"
    };
    let applicability = if only_called(&f, model) {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    let fix = Fix {
        message: format!("Return `{task}` instead of `void`"),
        applicability,
        edits: vec![Edit::replace(ret.range(), task)],
    };
    if let Some(d) = ctx.report(name, message) {
        d.with_fix(Some(fix));
    }
}

/// Two parameters, the second an `EventArgs`; or subscribed with `+=` in this file.
fn is_event_handler(f: &Function<'_>, model: &FileModel<'_>) -> bool {
    let params = f.parameters();
    if params.len() == 2 {
        let second = params[1].1.and_then(|t| Ty::parse(t.text()));
        if second.is_some_and(|t| t.name.ends_with("EventArgs")) {
            return true;
        }
    }
    model.is_subscribed(f.name_text())
}

/// `void ICommand.Execute(..)` and friends: members of interfaces whose signature is fixed.
fn implements_void_member(f: &Function<'_>, model: &FileModel<'_>) -> bool {
    if f.node
        .child_of_kind(SyntaxKind::ExplicitInterfaceSpecifier)
        .is_some()
    {
        return true;
    }
    const VOID_MEMBERS: &[(&str, &str)] = &[
        ("ICommand", "Execute"),
        ("IObserver", "OnCompleted"),
        ("IObserver", "OnError"),
        ("IObserver", "OnNext"),
        ("IProgress", "Report"),
    ];
    let Some(ty) = model.enclosing_type(f.node) else {
        return false;
    };
    VOID_MEMBERS.iter().any(|(iface, member)| {
        *member == f.name_text() && ty.bases.iter().any(|b| b.name == *iface)
    })
}

/// A private method whose name appears only as the callee of calls in this file.
fn only_called(f: &Function<'_>, model: &FileModel<'_>) -> bool {
    let is_private = f.kind == FunctionKind::LocalFunction
        || !f.modifiers().any(|m| {
            matches!(
                m.text(),
                "public" | "protected" | "internal" | "virtual" | "abstract"
            )
        });
    if !is_private {
        return false;
    }
    if model
        .enclosing_type(f.node)
        .is_some_and(|t| !t.bases.is_empty())
        && f.kind == FunctionKind::Method
    {
        return false; // may implement an interface member declared elsewhere
    }
    let name = f.name_text();
    // Bodies the tree does not hold: their uses are read from the text.
    if model.tree().elided_mentions_besides_calls(name) {
        return false;
    }
    model
        .tree()
        .iter()
        .filter(|n| n.is(SyntaxKind::Identifier) && n.text() == name)
        .all(|n| {
            Some(n) == f.name()
                || n.parent().is_some_and(|p| {
                    let callee = if p.is(SyntaxKind::InvocationExpression) {
                        Some(p)
                    } else {
                        p.parent().filter(|g| {
                            g.is(SyntaxKind::InvocationExpression)
                                && p.is(SyntaxKind::MemberAccessExpression)
                        })
                    };
                    callee.is_some_and(|c| {
                        crate::syntax::views::Invocation::cast(c).and_then(|i| i.name()) == Some(n)
                    })
                })
        })
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
    fn flags_async_void() {
        assert_marked(
            &RULE,
            r#"
using System.Threading.Tasks;
class C {
    public async void Refresh() { await Task.Yield(); } // ~ASYNC201
    async void OnlyOneParam(object sender) { await Task.Yield(); } // ~ASYNC201
    async void Wrong(object sender, string e) { await Task.Yield(); } // ~ASYNC201
    void Outer() {
        async void Local() { await Task.Yield(); } // ~ASYNC201
        Local();
    }
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_handlers_overrides_and_fixed_signatures() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading.Tasks;
using System.Windows.Input;
class Page : ContentPage, ICommand {
    public Page() { button.Clicked += OnClicked; timer.Elapsed += new ElapsedEventHandler(OnTick); }
    private async void OnClick(object sender, EventArgs e) { await Task.Yield(); }
    private async void OnRouted(object sender, RoutedEventArgs e) { await Task.Yield(); }
    private async void OnClicked(object s, object e) { await Task.Yield(); }
    private async void OnTick(object s, object e) { await Task.Yield(); }
    protected override async void OnAppearing() { await Task.Yield(); }
    public async void Execute(object parameter) { await Task.Yield(); }
    async void ICommand.Execute(object parameter) { await Task.Yield(); }
    public async Task Fine() { await Task.Yield(); }
    public void Sync() { }
}
"#,
            ProjectKind::Ui,
        );
    }

    #[test]
    fn fix_returns_task() {
        assert_fix(
            &RULE,
            "using System.Threading.Tasks;\nclass C { async void Run() { await Task.Yield(); } void M() { Run(); } }",
            "using System.Threading.Tasks;\nclass C { async Task Run() { await Task.Yield(); } void M() { Run(); } }",
            Applicability::Safe,
        );
        assert_fix(
            &RULE,
            "class C { public async void Run() { await System.Threading.Tasks.Task.Yield(); } }",
            "class C { public async System.Threading.Tasks.Task Run() { await System.Threading.Tasks.Task.Yield(); } }",
            Applicability::Unsafe,
        );
        // Used as a delegate: the fix is unsafe.
        let src = "using System;\nusing System.Threading.Tasks;\nclass C { async void Run() { await Task.Yield(); } void M() { Action a = Run; } }";
        let d = lint_with(&RULE, src, &project(ProjectKind::Library));
        assert_eq!(
            d[0].fix.as_ref().unwrap().applicability,
            Applicability::Unsafe
        );
    }

    #[test]
    fn silent_when_the_body_catches_everything() {
        assert_silent(
            &RULE,
            r#"
using System; using System.Threading; using System.Threading.Tasks;
public class Feedback {
    Timer _timer;
    public void Start() => _timer = new Timer(OnTimer, null, 1000, Timeout.Infinite);
    async void OnTimer(object state) {
        try { await SendAsync().ConfigureAwait(false); }
        catch { }
    }
    Task SendAsync() => Task.CompletedTask;
}
"#,
            ProjectKind::Library,
        );
    }
}
