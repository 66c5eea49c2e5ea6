//! A file named alone on the command line is linted with the declarations of its whole
//! project, so that the result does not depend on which files were named.

use assert_cmd::Command;

#[test]
fn a_file_named_alone_sees_its_project() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("App/Views")).unwrap();
    std::fs::create_dir_all(root.join("Other")).unwrap();
    std::fs::write(
        root.join("App/App.csproj"),
        "<Project Sdk=\"Microsoft.NET.Sdk\"></Project>",
    )
    .unwrap();
    std::fs::write(
        root.join("App/Api.cs"),
        "using System.Threading.Tasks;\npublic class Api { public Task Refresh() => Task.CompletedTask; }\n",
    )
    .unwrap();
    std::fs::write(
        root.join("App/Views/Window.cs"),
        "public partial class Window { void Wire(Model m) { m.Saved += OnSaved; } }\n",
    )
    .unwrap();
    std::fs::write(
        root.join("App/Views/Window.Handlers.cs"),
        "using System.Threading.Tasks;\npublic partial class Window {\n    Api _api;\n    private async void OnSaved(int id) { await Task.Yield(); }\n    public void M() { _api.Refresh(); }\n}\n",
    )
    .unwrap();
    // A same-named type outside the project must not leak in.
    std::fs::write(
        root.join("Other/Api.cs"),
        "public class Api { public void Refresh() { } }\n",
    )
    .unwrap();
    let out = Command::cargo_bin("asynclint")
        .unwrap()
        .current_dir(root)
        .env("ASYNCLINT_CACHE_DIR", root.join(".cache"))
        .args([
            "check",
            "App/Views/Window.Handlers.cs",
            "--format",
            "msbuild",
            "--select",
            "ASYNC201,ASYNC203",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    // The handler is subscribed in Window.cs: not flagged. Refresh returns a task (Api.cs).
    assert!(!stdout.contains("ASYNC201"), "{stdout}");
    assert!(
        stdout.contains("Window.Handlers.cs(5,23): warning ASYNC203"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().count(),
        1,
        "only the named file is reported: {stdout}"
    );
}
