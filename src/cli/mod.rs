//! The command line: `check`, `rules`, `explain`, `clean`, `completions`. Maps results to
//! exit codes 0/1/2.

mod baseline;
mod explain;

use crate::config::{resolve_rules, ConfigMode};
use crate::diagnostic::Severity;
use crate::engine::Settings;
use crate::output::{self, FileResult, Format, RunResult};
use crate::rules::{Rule, ALL};
use crate::FixMode;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Exit codes of INTERFACE.md.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "asynclint",
    version,
    about = "A fast, build-free static analyzer for C# async/await code",
    long_about = "asynclint finds async/await mistakes in C# source — async void, blocking on \
tasks, dropped tasks, blocking calls inside async methods and more — without the .NET SDK, a \
restore or a build. It reads .csproj files to know whether code is a library, a web app, a \
desktop app or a test project.",
    after_help = "Examples:\n  asynclint check                 lint the current folder\n  asynclint check src --format json\n  asynclint check --select ASYNC101,ASYNC201 --fail-on error\n  asynclint check --diff          show the safe fixes as a diff\n  asynclint explain ASYNC101      what the rule finds and why"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint files and folders (default: the current folder).
    Check(CheckArgs),
    /// List every rule: ID, name, default severity, whether it can fix.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Print a rule's documentation: what, why, example, fix.
    Explain {
        /// A rule ID (ASYNC101) or name (blocking-wait).
        rule: String,
    },
    /// Remove the cache (in ASYNCLINT_CACHE_DIR, or the user's cache folder).
    Clean,
    /// Print a shell completion script: `asynclint completions bash > /etc/bash_completion.d/asynclint`.
    Completions {
        /// The shell: bash, zsh, fish, powershell or elvish.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to lint. Folders are walked respecting .gitignore and .ignore,
    /// skipping hidden files and bin/ and obj/.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Run only these rules: IDs, names or ID prefixes (ASYNC1 = the whole 1xx family),
    /// comma-separated. Also turns on rules that are off by default.
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub select: Vec<String>,
    /// Skip these rules: IDs, names or ID prefixes, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub ignore: Vec<String>,
    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Apply safe fixes in place (atomically; encoding, BOM and line endings are kept).
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// Print the safe fixes as a unified diff; change nothing.
    #[arg(long)]
    pub diff: bool,
    /// Ignore .editorconfig and asynclint.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Use this asynclint.toml for every file instead of the nearest one above each file
    /// (`.editorconfig` is still read).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Also list the findings that suppressions hid (#pragma, [SuppressMessage], comments,
    /// <NoWarn>), marked as suppressed. They never affect the exit code.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Report only findings that are not in this baseline (written by --write-baseline).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every current finding in this baseline file, print nothing else, exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Do not read or write the cache. By default results are cached per file (in
    /// ASYNCLINT_CACHE_DIR, or the user's cache folder) and reused while the file, its
    /// project and the declarations it can see are unchanged.
    #[arg(long)]
    pub no_cache: bool,
    /// Findings only, no summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Color in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Runs the CLI; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    // Parse every prefiltered file whole (for comparing: results must not change).
    if std::env::var_os("ASYNCLINT_FULL_PARSE").is_some_and(|v| !v.is_empty() && v != "0") {
        crate::engine::set_elision_disabled(true);
    }
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rules { format } => rules(format),
        Command::Clean => clean(),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "asynclint", &mut std::io::stdout());
            EXIT_OK
        }
        Command::Explain { rule } => match Rule::find(&rule) {
            Some(r) => {
                print!("{}", explain::render(r));
                EXIT_OK
            }
            None => {
                eprintln!("error: no rule is called `{rule}`; `asynclint rules` lists them");
                EXIT_ERROR
            }
        },
    }
}

fn check(args: CheckArgs) -> i32 {
    let select = match resolve_rules(&args.select) {
        Ok(ids) => (!args.select.is_empty()).then_some(ids),
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    let ignore = match resolve_rules(&args.ignore) {
        Ok(ids) => ids,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    for p in &paths {
        if !p.exists() {
            eprintln!("error: {}: no such file or folder", p.display());
            return EXIT_ERROR;
        }
    }
    let settings = Settings { select, ignore };
    let mode = if args.fix {
        FixMode::Apply
    } else if args.diff {
        FixMode::Diff
    } else {
        FixMode::None
    };
    let cache_dir = if args.no_cache {
        None
    } else {
        crate::workspace::cache::cache_dir()
    };
    let config = if args.no_config {
        ConfigMode::Off
    } else if let Some(path) = &args.config {
        ConfigMode::Explicit(path.clone())
    } else {
        ConfigMode::Discover
    };
    let mut known = match args.baseline.as_deref().map(baseline::Baseline::read) {
        Some(Ok(b)) => Some(b),
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
        None => None,
    };
    let outcome = crate::lint_paths_with(
        &paths,
        &settings,
        &crate::RunOptions {
            fix: mode,
            cache_dir,
            config,
        },
    );
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    if !outcome.errors.is_empty() {
        for e in &outcome.errors {
            eprintln!("error: {e}");
        }
        return EXIT_ERROR;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut fixes_applied = 0;
    let mut files_with_syntax_errors = 0;
    let mut suppressed = 0;
    let files_checked = outcome.files.len();
    let mut results = Vec::new();
    for f in outcome.files {
        // Relative paths cost a few system calls: only for files that print something.
        let prints = f.write_error.is_some()
            || f.fixed.is_some()
            || !f.diagnostics.is_empty()
            || (args.show_suppressed && !f.suppressed.is_empty());
        let display = if prints {
            crate::display_path(&f.path)
        } else {
            String::new()
        };
        if let Some(e) = &f.write_error {
            eprintln!("error: {display}: {e}");
        }
        if f.has_syntax_errors {
            files_with_syntax_errors += 1;
        }
        fixes_applied += f.fixes_applied;
        suppressed += f.suppressed.len();
        if mode == FixMode::Diff {
            if let Some(fixed) = &f.fixed {
                let _ = write!(
                    out,
                    "{}",
                    crate::fix::unified_diff(&display, &f.source, fixed)
                );
            }
        }
        let shown_suppressed = if args.show_suppressed {
            f.suppressed
        } else {
            Vec::new()
        };
        if f.diagnostics.is_empty() && shown_suppressed.is_empty() {
            continue;
        }
        let mut diagnostics = f.diagnostics;
        // INTERFACE.md orders by line, column, then rule (the engine breaks ties by end).
        diagnostics.sort_by(|a, b| (a.range.start, a.rule).cmp(&(b.range.start, b.rule)));
        results.push(FileResult {
            display_path: display,
            source: f.source,
            diagnostics,
            suppressed: shown_suppressed,
        });
    }
    results.sort_by(|a, b| a.display_path.cmp(&b.display_path));
    if let Some(path) = &args.write_baseline {
        return match baseline::write(path, &results) {
            Ok(n) => {
                eprintln!(
                    "Wrote {n} finding{} to the baseline {}",
                    if n == 1 { "" } else { "s" },
                    path.display()
                );
                EXIT_OK
            }
            Err(e) => {
                eprintln!("error: {e}");
                EXIT_ERROR
            }
        };
    }
    let baselined = known.as_mut().map_or(0, |b| b.filter(&mut results));
    let run = RunResult {
        files: results,
        files_checked,
        files_with_syntax_errors,
        fixes_applied: if mode == FixMode::Apply {
            fixes_applied
        } else {
            0
        },
        suppressed,
        baselined,
    };
    let worst = run.diagnostics().map(|(_, d)| d.severity).max();
    if mode != FixMode::Diff {
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        let opts = output::Options {
            format: args.format,
            quiet: args.quiet,
            color,
        };
        if let Err(e) = output::render(&run, &opts, &mut out) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("error: writing output: {e}");
                return EXIT_ERROR;
            }
        }
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    match (threshold, worst) {
        (Some(t), Some(w)) if w >= t => EXIT_FINDINGS,
        _ => EXIT_OK,
    }
}

fn clean() -> i32 {
    let Some(dir) = crate::workspace::cache::cache_dir() else {
        eprintln!("error: no cache folder: set ASYNCLINT_CACHE_DIR or HOME");
        return EXIT_ERROR;
    };
    match crate::workspace::cache::clean(&dir) {
        Ok(n) => {
            println!(
                "Removed {n} cache file{} from {}",
                if n == 1 { "" } else { "s" },
                dir.display()
            );
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: cannot clean {}: {e}", dir.display());
            EXIT_ERROR
        }
    }
}

fn rules(format: RulesFormat) -> i32 {
    let mut out = std::io::stdout().lock();
    match format {
        RulesFormat::Json => {
            let list: Vec<_> = ALL
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "name": r.name,
                        "family": r.family.title(),
                        "default_severity": r.default_severity.name(),
                        "fixable": r.fixable,
                        "summary": r.summary,
                    })
                })
                .collect();
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            );
        }
        RulesFormat::Text => {
            let width = ALL.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
            let _ = writeln!(
                out,
                "{:<9} {:<width$} {:<8} {:<4} summary",
                "id", "name", "severity", "fix"
            );
            for r in ALL {
                let _ = writeln!(
                    out,
                    "{:<9} {:<width$} {:<8} {:<4} {}",
                    r.id,
                    r.name,
                    r.default_severity.name(),
                    if r.fixable { "yes" } else { "no" },
                    r.summary
                );
            }
        }
    }
    EXIT_OK
}
