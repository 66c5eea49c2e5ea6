//! Helpers shared by the end-to-end tests: run the real `asynclint` binary in a temporary
//! folder of C# files and look at what it printed and returned.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A temporary project folder; the binary runs with it as the current directory, so the
/// paths it prints are relative. Each project has its own cache folder
/// (`ASYNCLINT_CACHE_DIR`), outside the project: runs are hermetic and never touch the
/// user's cache.
pub struct Project {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Project {
        Project {
            dir: tempfile::tempdir().expect("create a temp dir"),
            cache: tempfile::tempdir().expect("create a temp cache dir"),
        }
    }

    /// The cache folder the runs use.
    pub fn cache_dir(&self) -> &Path {
        self.cache.path()
    }

    /// The files in the cache folder, sorted.
    pub fn cache_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.cache_dir())
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    /// A project holding the given `(relative path, text)` files. Unless the files bring a
    /// project file of their own at the root, they belong to a console app (`App.csproj`),
    /// so that the library-only rules (ConfigureAwait, cancellation parameters) stay out of
    /// tests about something else.
    pub fn with(files: &[(&str, &str)]) -> Project {
        let p = Project::new();
        if !files
            .iter()
            .any(|(path, _)| path.ends_with(".csproj") && !path.contains('/'))
        {
            p.write(
                "App.csproj",
                "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType></PropertyGroup></Project>",
            );
        }
        for (path, text) in files {
            p.write(path, text);
        }
        p
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        self.write_bytes(rel, text.as_bytes())
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create the fixture's folders");
        }
        std::fs::write(&path, bytes).expect("write a fixture file");
        path
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path(rel)).expect("read a fixture file back")
    }

    /// `asynclint <args>` in this folder.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("asynclint").expect("the asynclint binary is built");
        cmd.current_dir(self.root())
            .args(args)
            .env_remove("NO_COLOR")
            .env("ASYNCLINT_CACHE_DIR", self.cache_dir());
        cmd
    }

    /// Runs `asynclint <args>` and returns what it did.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = self.cmd(args).output().expect("run asynclint");
        Run::from(output)
    }

    /// `asynclint check --format json <args>`, parsed.
    pub fn check_json(&self, args: &[&str]) -> (Run, serde_json::Value) {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        let json = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                run.stdout, run.stderr
            )
        });
        (run, json)
    }
}

/// The outcome of one run of the binary.
pub struct Run {
    /// `None` when the process was killed by a signal (a stack overflow, an abort).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub raw_stdout: Vec<u8>,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            raw_stdout: o.stdout,
        }
    }
}

impl Run {
    /// Asserts the exit code, showing the output when it is not the expected one.
    pub fn expect_code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(expected),
            "unexpected exit status\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// The run ended normally (exit 0 or 1): no panic (101), no signal (stack overflow,
    /// abort), no run failure (2).
    pub fn expect_completed(&self) -> &Self {
        assert!(
            matches!(self.code, Some(0) | Some(1)),
            "the run did not complete normally: status {:?}\n--- stderr ---\n{}",
            self.code,
            self.stderr
        );
        assert!(
            !self.stderr.contains("panicked"),
            "the run panicked:\n{}",
            self.stderr
        );
        self
    }
}

/// The `diagnostics` array of a JSON document.
pub fn diagnostics(json: &serde_json::Value) -> &Vec<serde_json::Value> {
    json["diagnostics"]
        .as_array()
        .expect("`diagnostics` is an array")
}

/// `(path, rule)` of every diagnostic.
pub fn path_rules(json: &serde_json::Value) -> Vec<(String, String)> {
    diagnostics(json)
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The sorted, deduplicated rule IDs that fired.
pub fn rules_fired(json: &serde_json::Value) -> Vec<String> {
    let mut rules: Vec<String> = diagnostics(json)
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_owned())
        .collect();
    rules.sort();
    rules.dedup();
    rules
}

/// How many diagnostics of this rule there are.
pub fn count_rule(json: &serde_json::Value, rule: &str) -> usize {
    diagnostics(json)
        .iter()
        .filter(|d| d["rule"] == rule)
        .count()
}

/// A C# file with one warning of each of ASYNC101 (safe fix), ASYNC102 (safe fix), ASYNC201,
/// ASYNC203 (unsafe fix) and ASYNC205 (`Refresh` is async void and never awaits).
pub const FINDINGS_CS: &str = r#"using System.Threading;
using System.Threading.Tasks;

namespace Demo
{
    public class Service
    {
        public async Task<int> GetAsync(Task<int> t)
        {
            var x = t.Result;
            Thread.Sleep(100);
            await Task.Yield();
            return x;
        }

        public async void Refresh()
        {
        }

        public async Task FireAsync()
        {
            Task.Delay(10);
            await Task.Yield();
        }
    }
}
"#;

/// A C# file without findings.
pub const CLEAN_CS: &str = r#"using System.Threading.Tasks;

namespace Demo
{
    public class Clean
    {
        public async Task<int> RunAsync()
        {
            await Task.Delay(1);
            return 1;
        }
    }
}
"#;

/// A program whose `Main` blocks once on its async entry point: one info-level ASYNC101.
pub const INFO_ONLY_CS: &str = r#"using System.Threading.Tasks;

class Program
{
    static void Main(string[] args)
    {
        RunAsync(args).GetAwaiter().GetResult();
    }

    static Task RunAsync(string[] args) => Task.CompletedTask;
}
"#;

/// A WPF project: blocking on a task there is an error-level ASYNC101.
pub const WPF_CSPROJ: &str = r#"<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>WinExe</OutputType>
    <TargetFramework>net8.0-windows</TargetFramework>
    <UseWPF>true</UseWPF>
  </PropertyGroup>
</Project>
"#;

pub const WPF_WINDOW_CS: &str = r#"using System.Threading.Tasks;

namespace Desktop
{
    public class MainWindow
    {
        public int Load(Task<int> t)
        {
            return t.Result;
        }
    }
}
"#;
