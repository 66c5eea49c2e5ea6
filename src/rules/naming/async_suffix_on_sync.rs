//! ASYNC702 async-suffix-on-sync: a method named `…Async` that returns nothing awaitable.

use crate::diagnostic::Severity;
use crate::project::ProjectKind;
use crate::rules::util::{is_test_method, may_implement_external_interface_member};
use crate::rules::{Docs, Family, Rule, RuleCtx};
use crate::semantic::{FileModel, MemberKind, TypeKind};
use crate::syntax::views::{Function, FunctionKind};
use crate::syntax::{Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC702",
    name: "async-suffix-on-sync",
    family: Family::Naming,
    summary: "A method named …Async that returns nothing awaitable (off by default)",
    default_severity: Severity::Off,
    severity: off,
    fixable: false,
    kinds: &[SyntaxKind::MethodDeclaration],
    tokens: &["*Async"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags a method whose name ends in `Async` but whose declared return type is \
known not to be awaitable: `void`, a built-in type (`int`, `bool`, `string`, …), an array, \
a tuple, a common collection (`List<T>`, `IEnumerable<T>`, `Dictionary<K, V>`, …), or a \
type of the project that has no `GetAwaiter`. Reported at the method's name. Off by \
default; turn it on with `--select ASYNC702`.",
        why: "The suffix tells the caller to await. On a synchronous method it invites `await` \
on a value that cannot be awaited (a compile error at best), hides that the call blocks, and \
leaves no name for a real async twin.",
        example: r#"
using System.IO;

public class Settings
{
    public string LoadAsync(string path) => File.ReadAllText(path);
}
"#,
        use_instead: r#"
using System.IO;
using System.Threading.Tasks;

public class Settings
{
    public string Load(string path) => File.ReadAllText(path);

    public Task<string> LoadAsync(string path) => File.ReadAllTextAsync(path);
}
"#,
        silent_when: "Return types that may be awaitable: tasks, `IAsyncEnumerable<T>` (the \
guideline gives async streams the suffix too), `IAsyncResult`, WinRT `IAsyncOperation`, \
generic type parameters, and any type the tool cannot see into (a library type may have a \
`GetAwaiter` extension); project types with a `GetAwaiter` member or an external base; \
`async void` methods (ASYNC201's finding); the event-based asynchronous pattern (a `void \
DownloadAsync(..)` whose type declares a `DownloadCompleted` event); overrides and \
implementations of interfaces the project does not declare; test methods (their names \
describe what they test); local functions.",
        fix: "None automatic: rename the method (the IDE's rename refactoring updates its \
callers), or make it asynchronous.",
    },
};

fn off(_: ProjectKind) -> Severity {
    Severity::Off
}

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let Some(f) = Function::cast(node) else {
        return;
    };
    if f.kind != FunctionKind::Method {
        return;
    }
    let Some(name) = f.name() else { return };
    let name_text = name.text();
    let Some(stem) = name_text.strip_suffix("Async").filter(|s| !s.is_empty()) else {
        return;
    };
    let Some(ret_node) = f.return_type() else {
        return;
    };
    let model = ctx.model;
    let type_params = type_parameters(node);
    let Some(ret) = Ty::parse(ret_node.text()) else {
        return;
    };
    if !surely_not_awaitable(&ret, model, &type_params) {
        return;
    }
    if ret.name == "void" && f.is_async() {
        return; // ASYNC201 async-void
    }
    if f.has_modifier("override") || is_test_method(node) {
        return;
    }
    if f.node
        .child_of_kind(SyntaxKind::ExplicitInterfaceSpecifier)
        .is_some()
    {
        return;
    }
    let Some(ty) = model.enclosing_type(node) else {
        return;
    };
    if may_implement_external_interface_member(model, ty, name_text) {
        return;
    }
    // The event-based asynchronous pattern: `void DownloadAsync()` + `DownloadCompleted`.
    let completed = format!("{stem}Completed");
    if ret.name == "void"
        && model
            .types_named(&ty.name)
            .any(|t| t.members.iter().any(|m| m.name == completed))
    {
        return;
    }
    ctx.report(
        name,
        format!(
            "`{name_text}` is named like an async method but returns `{}`, which cannot be awaited; rename it `{stem}`, or make it return a task",
            ret_node.text()
        ),
    );
}

/// The method's own type parameters (`T` in `M<T>()`) and those of the types around it.
fn type_parameters(method: Node<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for n in std::iter::once(method).chain(method.ancestors()) {
        if let Some(list) = n.child_by_field(crate::syntax::Field::TypeParameters) {
            for p in list.named_children() {
                out.push(
                    p.text()
                        .trim()
                        .trim_start_matches("in ")
                        .trim_start_matches("out ")
                        .trim()
                        .to_owned(),
                );
            }
        }
    }
    out
}

/// Types that are never awaitable: `void`, built-in types, arrays, tuples, well-known
/// collections, and project types without `GetAwaiter` whose bases are all the project's.
fn surely_not_awaitable(ty: &Ty, model: &FileModel<'_>, type_params: &[String]) -> bool {
    const BUILT_IN: &[&str] = &[
        "bool", "byte", "char", "decimal", "double", "float", "int", "long", "nint", "nuint",
        "sbyte", "short", "string", "uint", "ulong", "ushort", "void",
    ];
    const COLLECTIONS: &[&str] = &[
        "Dictionary",
        "HashSet",
        "ICollection",
        "IDictionary",
        "IEnumerable",
        "IList",
        "IReadOnlyCollection",
        "IReadOnlyDictionary",
        "IReadOnlyList",
        "ISet",
        "List",
    ];
    if ty.arrays > 0 || ty.name == "ValueTuple" {
        return true;
    }
    if type_params.contains(&ty.name) {
        return false;
    }
    if BUILT_IN.contains(&ty.name.as_str()) {
        return true;
    }
    if model.is_declared_type(&ty.name) {
        return project_type_not_awaitable(&ty.name, model);
    }
    COLLECTIONS.contains(&ty.name.as_str())
}

/// A project class, struct, record or interface whose hierarchy declares no `GetAwaiter`
/// and names no type from outside the project.
fn project_type_not_awaitable(name: &str, model: &FileModel<'_>) -> bool {
    let mut seen: Vec<String> = vec![name.to_owned()];
    let mut stack: Vec<String> = vec![name.to_owned()];
    while let Some(n) = stack.pop() {
        let decls: Vec<_> = model.types_named(&n).collect();
        if decls.is_empty() {
            return false; // an external base: it may be awaitable
        }
        for t in decls {
            if t.kind == TypeKind::Interface && n.starts_with("IAsync") {
                return false;
            }
            if t.members
                .iter()
                .any(|m| m.kind == MemberKind::Method && m.name == "GetAwaiter")
            {
                return false;
            }
            for b in &t.bases {
                if seen.len() < 64 && !seen.contains(&b.name) {
                    seen.push(b.name.clone());
                    stack.push(b.name.clone());
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::project::ProjectKind;
    use crate::rules::harness::*;

    #[test]
    fn docs() {
        assert_docs(&RULE, ProjectKind::Library);
    }

    #[test]
    fn flags_sync_methods_named_async() {
        assert_marked(
            &RULE,
            r#"
using System.Collections.Generic;
public class Report { public string Title; }
public class Service {
    public void SaveAsync(string s) { } // ~ASYNC702
    public int CountAsync() => 0; // ~ASYNC702
    public string[] NamesAsync() => null; // ~ASYNC702
    public List<string> ListAsync() => null; // ~ASYNC702
    public (int, string) PairAsync() => default; // ~ASYNC702
    public Report BuildAsync() => new Report(); // ~ASYNC702
    public bool? MaybeAsync() => null; // ~ASYNC702
}
public interface IService { void PingAsync(); } // ~ASYNC702
public abstract class Base { public abstract void RunAsync(); } // ~ASYNC702
public class Derived : Base { public override void RunAsync() { } }
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_awaitables_unknowns_and_fixed_names() {
        assert_silent(
            &RULE,
            r#"
using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using Windows.Foundation;
using Xunit;
public class MyAwaitable { public TaskAwaiter GetAwaiter() => default; }
public class Derived : MyAwaitable { }
public class External : SomeLibraryType { }
public class Downloader {
    public event EventHandler DownloadCompleted;
    public void DownloadAsync(Uri uri) { }
}
public class Service : ExternalBase {
    public Task SaveAsync() => Task.CompletedTask;
    public ValueTask<int> CountAsync() => default;
    public async IAsyncEnumerable<int> StreamAsync() { yield return 1; }
    public IAsyncResult BeginAsync() => null;
    public IAsyncOperation<int> OperationAsync() => null;
    public T GetAsync<T>() => default;
    public MyAwaitable CustomAsync() => null;
    public Derived DerivedAsync() => null;
    public External ExternalAsync() => null;
    public object BoxAsync() => null;
    public dynamic DynamicAsync() => null;
    public async void OnClickAsync() { await Task.Yield(); }
    public override void RunAsync() { }
    public void Async() { }
    public string Sync() => "";
    public void DisposeAsyncLike() { }
    [Fact] public void ParsesAsync() { }
    void Outer() { void LocalAsync() { } }
}
public class Impl : ISomething { public void InitializeAsync() { } }
public class Generic<T> { public T ValueAsync() => default; }
"#,
            ProjectKind::Library,
        );
    }
}
