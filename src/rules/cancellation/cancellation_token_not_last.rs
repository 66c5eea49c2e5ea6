//! ASYNC403 cancellation-token-not-last: a `CancellationToken` parameter that is not the
//! last one.

use super::{params_of, ParamInfo};
use crate::diagnostic::Severity;
use crate::rules::util::may_implement_interface_member;
use crate::rules::{severity, Docs, Family, Rule, RuleCtx};
use crate::syntax::views::{Function, FunctionKind};
use crate::syntax::{Node, SyntaxKind, Ty};

pub static RULE: Rule = Rule {
    id: "ASYNC403",
    name: "cancellation-token-not-last",
    family: Family::Cancellation,
    summary: "A CancellationToken parameter that is not the last parameter",
    default_severity: Severity::Info,
    severity: severity::info,
    fixable: false,
    kinds: &[
        SyntaxKind::MethodDeclaration,
        SyntaxKind::LocalFunctionStatement,
        SyntaxKind::ConstructorDeclaration,
    ],
    tokens: &["CancellationToken"],
    may_flag_member: None,
    reads_callers: false,
    reads_callees: false,
    check,
    docs: Docs {
        what: "Flags a `CancellationToken` parameter followed by other parameters, in a \
method, local function or constructor.",
        why: "By convention the token comes last: callers add it at the end of the argument \
list, overloads extend naturally (`Foo(x)`, `Foo(x, ct)`), and analyzers and code \
generators (ASP.NET Core, gRPC, MediatR) expect it there. A token in the middle is easy to \
pass in the wrong place and forces named arguments when optional parameters follow.",
        example: r#"
using System.Threading;
using System.Threading.Tasks;

public class Mailer
{
    public Task SendAsync(CancellationToken cancellationToken, string to, string body)
    {
        return Task.CompletedTask;
    }
}
"#,
        use_instead: r#"
using System.Threading;
using System.Threading.Tasks;

public class Mailer
{
    public Task SendAsync(string to, string body, CancellationToken cancellationToken)
    {
        return Task.CompletedTask;
    }
}
"#,
        silent_when: "Parameters that conventionally follow the token: a `params` array, \
`out` and `ref` parameters, caller-info parameters (`[CallerMemberName]`, `[CallerFilePath]`, \
`[CallerLineNumber]`, `[CallerArgumentExpression]`), and further tokens. A required token followed only by optional parameters (they must come \
after it). A `this CancellationToken` extension receiver. Signatures that cannot change: overrides, \
explicit interface implementations, and methods that may implement an interface member \
(the interface declaration is the one to change).",
        fix: "None: reordering parameters changes every call site. Move the token to the end \
(and update callers), or add an overload with the token last.",
    },
};

fn check<'t>(node: Node<'t>, ctx: &mut RuleCtx<'_, 't>) {
    let model = ctx.model;
    let Some(f) = Function::cast(node) else {
        return;
    };
    let params = params_of(&f);
    if params.len() < 2 {
        return;
    }
    // Which parameters may follow a token: others make it "not last".
    let may_follow = |p: &ParamInfo<'_>| {
        p.is_params
            || p.has_modifier("out")
            || p.has_modifier("ref")
            || p.is_token()
            || p.ty
                .and_then(|t| Ty::parse(t.text()))
                .is_some_and(|t| t.name == "CancellationToken")
            || p.attributes().iter().any(|a| a.starts_with("Caller"))
    };
    let Some(last_regular) = params.iter().rposition(|p| !may_follow(p)) else {
        return;
    };
    let offending: Vec<&ParamInfo<'_>> = params[..last_regular]
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            let is_token =
                p.ty.and_then(|t| Ty::parse(t.text()))
                    .is_some_and(|t| t.name == "CancellationToken" && t.arrays == 0);
            // A required token followed by optional parameters only: the compiler wants the
            // optional ones last (CA1068 makes the same exception).
            let only_optional_after = !p.has_default
                && params[i + 1..]
                    .iter()
                    .all(|q| q.has_default || may_follow(q));
            is_token
                && !(*i == 0 && p.has_modifier("this"))
                && !p.has_modifier("out")
                && !only_optional_after
        })
        .map(|(_, p)| p)
        .collect();
    if offending.is_empty() {
        return;
    }
    if f.has_modifier("override")
        || f.node
            .child_of_kind(SyntaxKind::ExplicitInterfaceSpecifier)
            .is_some()
    {
        return;
    }
    if f.kind == FunctionKind::Method {
        if let Some(ty) = model.enclosing_type(node) {
            if ty.kind != crate::semantic::TypeKind::Interface
                && may_implement_interface_member(model, ty, f.name_text())
            {
                return;
            }
        }
    }
    let what = match f.kind {
        FunctionKind::Constructor => "constructor",
        FunctionKind::LocalFunction => "local function",
        _ => "method",
    };
    for p in offending {
        let message = format!(
            "CancellationToken `{}` is not the last parameter of {what} `{}`: by convention the token comes last",
            p.name.text(),
            f.name_text()
        );
        ctx.report(p.node, message);
    }
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
    fn flags_tokens_before_other_parameters() {
        assert_marked(
            &RULE,
            r#"
using System.Threading;
using System.Threading.Tasks;
public interface IApi {
    Task Get(CancellationToken ct, int id); // ~ASYNC403
}
public class C {
    public Task A(CancellationToken ct, int x) => Task.CompletedTask; // ~ASYNC403
    public Task B(int x, System.Threading.CancellationToken ct, string y) => Task.CompletedTask; // ~ASYNC403
    public Task D(CancellationToken ct = default, int x = 3) => Task.CompletedTask; // ~ASYNC403
    public C(CancellationToken ct, int x) { } // ~ASYNC403
    void Outer() {
        Task Local(CancellationToken ct, int x) => Task.CompletedTask; // ~ASYNC403
    }
    public Task Multi(
        int a,
        CancellationToken first, // ~ASYNC403
        string b) => Task.CompletedTask;
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn silent_on_allowed_trailers_and_fixed_signatures() {
        assert_silent(
            &RULE,
            r#"
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
public abstract class Base { public abstract Task Run(int x, CancellationToken ct); }
public interface IApi { Task Get(int id, CancellationToken ct); }
public static class C {
    public static Task Last(int x, CancellationToken ct) => Task.CompletedTask;
    public static Task Params(CancellationToken ct, params object[] args) => Task.CompletedTask;
    public static bool TryGet(CancellationToken ct, out int value) { value = 0; return true; }
    public static Task Log(CancellationToken ct, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) => Task.CompletedTask;
    public static Task Two(int x, CancellationToken a, CancellationToken b) => Task.CompletedTask;
    public static Task Ext(this CancellationToken ct, int delay) => Task.Delay(delay, ct);
    public static Task Nullable(int x, CancellationToken? ct) => Task.CompletedTask;
    public static Task RequiredThenOptional(int x, CancellationToken ct, bool flag = false, int n = 1) => Task.CompletedTask;
    public static bool TryRef(CancellationToken ct, ref int value) => true;
    public static Task Only(CancellationToken ct) => Task.CompletedTask;
}
public class D : Base, IApi, IExternal {
    public override Task Run(CancellationToken ct, int x) => Task.CompletedTask;
    Task IApi.Get(int id, CancellationToken ct) => Task.CompletedTask;
    public Task Get(int id, CancellationToken ct) => Task.CompletedTask;
    public Task FromExternal(CancellationToken ct, int x) => Task.CompletedTask;
}
"#,
            ProjectKind::Library,
        );
    }

    #[test]
    fn implementations_of_project_interfaces_are_reported_at_the_interface() {
        assert_marked_files(
            &RULE,
            r#"
//- Lib/Lib.csproj
<Project Sdk="Microsoft.NET.Sdk"></Project>
//- Lib/IApi.cs
using System.Threading;
using System.Threading.Tasks;
public interface IApi { Task Get(CancellationToken ct, int id); } // ~ASYNC403
//- Lib/Api.cs
using System.Threading;
using System.Threading.Tasks;
public class Api : IApi {
    public Task Get(CancellationToken ct, int id) => Task.CompletedTask;
    public Task Other(CancellationToken ct, int id) => Task.CompletedTask; // ~ASYNC403
}
"#,
        );
    }
}
