//! ASYNC302 configure-await-false-in-ui: `.ConfigureAwait(false)` in a method of a UI class
//! or an event handler, with code after it that then runs on a pool thread.

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::project::ProjectKind;
use crate::rules::util::derives_from;
use crate::rules::{Docs, Family, Rule, RuleCtx};
use crate::semantic::{known, FileModel};
use crate::syntax::views::{Function, FunctionKind, Invocation};
use crate::syntax::{Field, Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC302",
    name: "configure-await-false-in-ui",
    family: Family::Context,
    summary: "ConfigureAwait(false) in UI code that touches the UI afterwards",
    default_severity: Severity::Warning,
    severity: severity_for,
    fixable: true,
    kinds: &[SyntaxKind::InvocationExpression],
    tokens: &["ConfigureAwait & false"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "In a UI project (WPF, WinForms, MAUI, WinUI, Avalonia), flags an awaited \
`.ConfigureAwait(false)` in a method of a UI class — one that derives from `Window`, `Form`, \
`UserControl`, `Page`, `ContentPage`, `ContentView`, `Control`, … — or in an event handler, \
when code of the same method runs after it (later statements, the next loop iteration, a \
`finally`, or the awaited value handed to a property or call).",
        why: "`ConfigureAwait(false)` means \"I do not need to come back to this thread\". In a \
window or control that is rarely true: the code after the await runs on a thread-pool \
thread, and the first touch of a control throws `InvalidOperationException` (WPF, MAUI) or \
corrupts state silently (WinForms without the debugger check). Library code should say \
`ConfigureAwait(false)`; UI code should not.",
        example: r#"
using System;
using System.Net.Http;
using System.Threading.Tasks;
using System.Windows.Forms;

public class MainForm : Form
{
    private readonly HttpClient _http = new HttpClient();
    private readonly Label _status = new Label();

    private async void OnRefresh(object sender, EventArgs e)
    {
        var text = await _http.GetStringAsync("https://example.com").ConfigureAwait(false);
        _status.Text = text;
    }
}
"#,
        use_instead: r#"
using System;
using System.Net.Http;
using System.Threading.Tasks;
using System.Windows.Forms;

public class MainForm : Form
{
    private readonly HttpClient _http = new HttpClient();
    private readonly Label _status = new Label();

    private async void OnRefresh(object sender, EventArgs e)
    {
        var text = await _http.GetStringAsync("https://example.com");
        _status.Text = text;
    }
}
"#,
        silent_when: "Outside UI projects. In classes that are not UI classes, unless the \
method is an event handler; in view models (named `…ViewModel`, or deriving from \
`ObservableObject`, `ReactiveObject`, `BindableBase` or `INotifyPropertyChanged`) and services \
(named `…Service`) even then. In `static` methods of UI classes (helpers with no window to \
touch) that are not event handlers. When nothing of the method runs after the await (the last \
statement, `return await ..`, or only a trivial `return x;` after it). Inside lambdas that \
are not event subscriptions (a `Task.Run` body runs on the pool anyway). \
`ConfigureAwait(true)`.",
        fix: "Removes `.ConfigureAwait(false)` from an awaited task. Unsafe: the continuation \
then waits for the UI thread, which changes timing and deadlocks if some caller blocks on \
the task.",
    },
};

/// Warning in UI projects, off elsewhere.
fn severity_for(kind: ProjectKind) -> Severity {
    match kind {
        ProjectKind::Ui => Severity::Warning,
        _ => Severity::Off,
    }
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    if ctx.project.kind != ProjectKind::Ui {
        return;
    }
    let model = ctx.model;
    let Some(call) = Invocation::cast(node) else {
        return;
    };
    if call.name_text() != "ConfigureAwait" || call.is_conditional() {
        return;
    }
    let args = call.args();
    if args.len() != 1 || args[0].value.text().trim() != "false" {
        return;
    }
    let Some(awaited) = awaited_at(node) else {
        return;
    };
    let Some(func) = model.function_of(node) else {
        return;
    };
    if !runs_on_ui_thread(model, &func) {
        return;
    }
    let Some(body) = func.body() else { return };
    if !work_after(awaited, body) {
        return;
    }
    let Some(name) = call.name() else { return };
    let message = "`ConfigureAwait(false)` in UI code: what follows runs on a thread-pool \
thread, and touching a control there throws; drop it here (keep it in library code)";
    // Removing it from a plain `await` keeps the same type; for `await foreach`/`await using`
    // the configured type may be in use.
    let fix = awaited.is(SyntaxKind::AwaitExpression).then(|| {
        let dot = call
            .function
            .children()
            .find(|c| !c.is_named() && c.text() == ".")
            .map(|d| d.start())
            .unwrap_or(name.start());
        Fix {
            message: "Remove `.ConfigureAwait(false)`".to_owned(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit::replace(dot..node.end(), "")],
        }
    });
    if let Some(d) = ctx.report_range(node, name.start()..node.end(), message) {
        d.with_fix(fix);
    }
}

/// The `await` the call is configured for: an await expression whose operand it is, or an
/// `await foreach` / `await using` whose source it is.
fn awaited_at(call: Node<'_>) -> Option<Node<'_>> {
    let mut child = call;
    for a in call.ancestors() {
        match a.kind() {
            SyntaxKind::ParenthesizedExpression => {}
            SyntaxKind::AwaitExpression => return Some(a),
            SyntaxKind::ForeachStatement
                if a.child_by_field(Field::Right) == Some(child) && has_await_keyword(a) =>
            {
                return Some(a)
            }
            SyntaxKind::UsingStatement if has_await_keyword(a) => return Some(a),
            SyntaxKind::VariableDeclarator | SyntaxKind::VariableDeclaration => {}
            SyntaxKind::LocalDeclarationStatement if has_await_keyword(a) => return Some(a),
            _ => return None,
        }
        child = a;
    }
    None
}

fn has_await_keyword(stmt: Node<'_>) -> bool {
    super::await_keyword(stmt).is_some()
}

/// A method or local function of a UI class, or an event handler (a method of the
/// `(object, …EventArgs)` shape or subscribed with `+=`, a lambda subscribed with `+=`), not
/// in a view model or service.
fn runs_on_ui_thread<'t>(model: &FileModel<'t>, func: &Function<'t>) -> bool {
    // A local function runs where its method runs.
    let mut method = *func;
    while method.kind == FunctionKind::LocalFunction {
        match model.outer_function(method) {
            Some(outer) => method = outer,
            None => return false,
        }
    }
    let Some(ty) = model.enclosing_type(method.node) else {
        return false;
    };
    let type_name = ty.name.clone();
    if is_view_model_or_service(model, &type_name) {
        return false;
    }
    let ui_class = is_ui_class(model, &type_name);
    match method.kind {
        // A static helper of a window has no window to touch: it is library-style code.
        FunctionKind::Method => {
            (ui_class && !method.has_modifier("static")) || is_event_handler(model, &method)
        }
        FunctionKind::Lambda | FunctionKind::AnonymousMethod => {
            method.node.parent().is_some_and(|p| {
                p.is(SyntaxKind::AssignmentExpression)
                    && p.child_by_field(Field::Operator).map(|o| o.text()) == Some("+=")
            }) && (ui_class || in_ui_method(model, &method))
        }
        _ => false,
    }
}

/// A lambda inside a method of a UI class or an event handler.
fn in_ui_method<'t>(model: &FileModel<'t>, lambda: &Function<'t>) -> bool {
    let mut f = model.outer_function(*lambda);
    while let Some(func) = f {
        if func.kind == FunctionKind::Method {
            return is_event_handler(model, &func);
        }
        f = model.outer_function(func);
    }
    false
}

fn is_event_handler(model: &FileModel<'_>, f: &Function<'_>) -> bool {
    let params = f.parameters();
    if params.len() == 2 {
        let second = params[1].1.and_then(|t| Ty::parse(t.text()));
        if second.is_some_and(|t| t.name.ends_with("EventArgs")) {
            return true;
        }
    }
    !f.name_text().is_empty() && model.is_subscribed(f.name_text())
}

/// Derives, through the project's declarations, from a framework UI class.
pub(crate) fn is_ui_class(model: &FileModel<'_>, name: &str) -> bool {
    derives_from(model, name, |n| known::is_framework_type("ui", n))
}

/// View models and services: named so, or deriving from the usual MVVM bases.
fn is_view_model_or_service(model: &FileModel<'_>, name: &str) -> bool {
    derives_from(model, name, |n| {
        n.ends_with("ViewModel")
            || n.ends_with("ViewModelBase")
            || n.ends_with("Service")
            || matches!(
                n,
                "ObservableObject"
                    | "ObservableRecipient"
                    | "ReactiveObject"
                    | "BindableBase"
                    | "INotifyPropertyChanged"
            )
    }) && !is_ui_class(model, name)
}

/// Whether code of the function runs after `awaited` completes: a later statement in a
/// block around it, another loop iteration, a `finally`, or an outer expression that uses
/// the awaited value (an argument, an assignment to a member).
fn work_after<'t>(awaited: Node<'t>, body: Node<'t>) -> bool {
    let mut child = awaited;
    if awaited.is(SyntaxKind::ForeachStatement) {
        // The loop body runs after every `MoveNextAsync`.
        if awaited
            .child_by_field(Field::Body)
            .is_some_and(|b| !b.is(SyntaxKind::Block) || b.named_children().any(is_work))
        {
            return true;
        }
    }
    if awaited == body {
        return false;
    }
    for a in awaited.ancestors() {
        match a.kind() {
            SyntaxKind::Block => {
                if a.named_children()
                    .skip_while(|c| *c != child)
                    .skip(1)
                    .any(is_work)
                {
                    return true;
                }
            }
            SyntaxKind::WhileStatement
            | SyntaxKind::DoStatement
            | SyntaxKind::ForStatement
            | SyntaxKind::ForeachStatement => return true,
            SyntaxKind::TryStatement => {
                let in_try_or_catch =
                    child.field() == Field::Body || child.is(SyntaxKind::CatchClause);
                if in_try_or_catch && a.child_of_kind(SyntaxKind::FinallyClause).is_some() {
                    return true;
                }
            }
            SyntaxKind::Argument => return true,
            SyntaxKind::AssignmentExpression => {
                if a.child_by_field(Field::Right) == Some(child)
                    && a.child_by_field(Field::Left)
                        .is_some_and(|l| !l.is(SyntaxKind::Identifier))
                {
                    return true;
                }
            }
            _ => {}
        }
        if a == body {
            return false;
        }
        child = a;
    }
    false
}

/// A statement that does something: not a local function declaration, an empty statement,
/// `break;`, or a `return` of nothing, a literal or a variable.
fn is_work(stmt: Node<'_>) -> bool {
    match stmt.kind() {
        SyntaxKind::LocalFunctionStatement => false,
        SyntaxKind::ReturnStatement => stmt.first_named_child().is_some_and(|e| {
            let e = e.unparenthesized();
            !(e.is(SyntaxKind::Identifier)
                || e.is(SyntaxKind::NullLiteral)
                || e.is(SyntaxKind::IntegerLiteral)
                || matches!(e.text(), "true" | "false" | "default"))
        }),
        _ => {
            let t = stmt.text().trim();
            !(t == ";" || t == "break;")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::diagnostic::Applicability;
    use crate::project::ProjectKind;
    use crate::rules::harness::*;

    #[test]
    fn docs() {
        assert_docs(&RULE, ProjectKind::Ui);
    }

    #[test]
    fn flags_ui_classes_and_event_handlers() {
        assert_marked(
            &RULE,
            r#"
using System;
using System.Threading.Tasks;
using System.Windows.Forms;
public class MainForm : Form {
    private Label _label;
    private Task<string> Load() => Task.FromResult("");
    private async Task Refresh() {
        var s = await Load().ConfigureAwait(false); // ~ASYNC302
        _label.Text = s;
    }
    private async Task Assign() {
        _label.Text = await Load().ConfigureAwait(false); // ~ASYNC302
    }
    private async Task Loop() {
        while (true) { await Task.Delay(1).ConfigureAwait(false); } // ~ASYNC302
    }
    private async Task Finally() {
        try { await Task.Delay(1).ConfigureAwait(false); } // ~ASYNC302
        finally { _label.Text = ""; }
    }
    private async Task Local() {
        await Inner();
        async Task Inner() { await Task.Delay(1).ConfigureAwait(false); _label.Text = ""; } // ~ASYNC302
    }
    public MainForm() {
        Click += async (s, e) => { await Task.Delay(1).ConfigureAwait(false); _label.Text = ""; }; // ~ASYNC302
    }
}
public partial class Settings : BaseForm { }
public partial class Settings {
    private async Task Save() { await Task.Delay(1).ConfigureAwait(false); Close(); } // ~ASYNC302
}
public class BaseForm : Form { }
public class Helper {
    private async void OnTick(object sender, EventArgs e) {
        await Task.Delay(1).ConfigureAwait(false); // ~ASYNC302
        Console.WriteLine("tick");
    }
}
"#,
            ProjectKind::Ui,
        );
    }

    #[test]
    fn silent_when_nothing_follows_or_not_ui_code() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Threading.Tasks;
using System.Windows;
using System.Windows.Controls;
public class MainWindow : Window {
    private Task<string> Load() => Task.FromResult("");
    private async Task Last() { DoFirst(); await Task.Delay(1).ConfigureAwait(false); }
    private async Task<string> ReturnAwait() { return await Load().ConfigureAwait(false); }
    private async Task<string> TrivialReturn() { var s = await Load().ConfigureAwait(false); return s; }
    private async Task KeepContext() { await Task.Delay(1).ConfigureAwait(true); Title = ""; }
    private async Task InTaskRun() {
        await Task.Run(async () => { await Task.Delay(1).ConfigureAwait(false); Compute(); });
        Title = "";
    }
    private static async Task<string> Download(System.Net.Http.HttpClient http) {
        var text = await http.GetStringAsync("x").ConfigureAwait(false);
        return text.Trim();
    }
    private void DoFirst() { }
    private void Compute() { }
}
public class MainViewModel {
    private async Task Load() { await Task.Delay(1).ConfigureAwait(false); Console.WriteLine(); }
    private async void OnChanged(object sender, EventArgs e) { await Task.Delay(1).ConfigureAwait(false); Console.WriteLine(); }
}
public class UploadService {
    public async Task Upload() { await Task.Delay(1).ConfigureAwait(false); Console.WriteLine(); }
}
public class Plain {
    public async Task Work() { await Task.Delay(1).ConfigureAwait(false); Console.WriteLine(); }
}
"#,
            ProjectKind::Ui,
        );
    }

    #[test]
    fn only_in_ui_projects() {
        let src = "using System.Threading.Tasks;\nusing System.Windows.Forms;\nclass F : Form { async Task M() { await Task.Delay(1).ConfigureAwait(false); Text = \"\"; } }";
        assert_eq!(lint_with(&RULE, src, &project(ProjectKind::Ui)).len(), 1);
        for kind in [
            ProjectKind::Library,
            ProjectKind::Web,
            ProjectKind::Exe,
            ProjectKind::Test,
        ] {
            assert!(lint_with(&RULE, src, &project(kind)).is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn ui_base_declared_in_another_project() {
        assert_marked_files(
            &RULE,
            r#"
//- Controls/Controls.csproj
<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><UseWindowsForms>true</UseWindowsForms></PropertyGroup></Project>
//- Controls/BaseForm.cs
public class BaseForm : System.Windows.Forms.Form { }
//- App/App.csproj
<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><UseWindowsForms>true</UseWindowsForms><OutputType>WinExe</OutputType></PropertyGroup></Project>
//- App/MainForm.cs
using System.Threading.Tasks;
public class MainForm : BaseForm {
    async Task M() {
        await Task.Delay(1).ConfigureAwait(false); // ~ASYNC302
        Text = "done";
    }
}
//- Lib/Lib.csproj
<Project Sdk="Microsoft.NET.Sdk"></Project>
//- Lib/Worker.cs
using System.Threading.Tasks;
public class Worker : BaseForm {
    async Task M() { await Task.Delay(1).ConfigureAwait(false); Text = "done"; }
}
"#,
        );
    }

    #[test]
    fn fix_removes_configure_await() {
        let before = "using System.Threading.Tasks;\nusing System.Windows.Forms;\nclass F : Form { async Task M() { await Task.Delay(1).ConfigureAwait(false); Text = \"\"; } }";
        let after = "using System.Threading.Tasks;\nusing System.Windows.Forms;\nclass F : Form { async Task M() { await Task.Delay(1); Text = \"\"; } }";
        let d = lint_with(&RULE, before, &project(ProjectKind::Ui));
        let fix = d[0].fix.as_ref().expect("a fix");
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(crate::fix::apply_edits(before, &fix.edits).unwrap(), after);
    }
}
