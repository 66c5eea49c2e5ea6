//! Configuration: `.editorconfig` (the .NET way: `dotnet_diagnostic.ID.severity`,
//! `dotnet_analyzer_diagnostic.severity`, and `asynclint_*` keys) and `asynclint.toml`, turned
//! into one [`FileSettings`] per source file.
//!
//! Precedence, strongest first: the command line (applied by `engine::Settings`), the
//! nearest `asynclint.toml` (or `--config PATH`), `.editorconfig` (resolved per file as the
//! EditorConfig spec says: nearer files over farther ones, later sections over earlier ones,
//! `root = true` stops the search), then the rules' defaults.
//!
//! This module reads files; what rules see is [`RuleConfig`], plain data on
//! `RuleCtx::config`.

mod editorconfig;
mod toml_file;

use crate::diagnostic::Severity;
use crate::project::ProjectKind;
use crate::rules::{Rule, ALL};
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The name of asynclint's own configuration file.
pub const CONFIG_FILE_NAME: &str = "asynclint.toml";

/// Which configuration files a run reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigMode {
    /// None (`--no-config`, and the library's `lint_paths`).
    Off,
    /// `.editorconfig` and the nearest `asynclint.toml` above each file.
    Discover,
    /// `.editorconfig` and this `asynclint.toml` for every file (`--config PATH`).
    Explicit(PathBuf),
}

/// Everything configuration says about one source file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FileSettings {
    /// From `.editorconfig`.
    pub editorconfig: SeverityLayer,
    /// From `asynclint.toml`; applied after (over) `.editorconfig`.
    pub toml: SeverityLayer,
    /// `asynclint.toml`'s `select`: only these rules run; listed rules that are off by
    /// default are turned on. The command line's `--select` replaces it (and `ignore`).
    pub select: Option<Vec<&'static str>>,
    /// `asynclint.toml`'s `ignore`.
    pub ignore: Vec<&'static str>,
    /// Overrides the project kind read from the `.csproj`.
    pub project_kind: Option<ProjectKind>,
    /// What rules read.
    pub rules: RuleConfig,
}

impl FileSettings {
    /// A rule's level in this file, selection aside: the rule's default for the project
    /// kind, then `.editorconfig`, then `asynclint.toml`'s `[severity]`.
    pub fn level(&self, rule: &Rule, kind: ProjectKind) -> Severity {
        let base = (rule.severity)(kind);
        self.toml.apply(rule, self.editorconfig.apply(rule, base))
    }

    /// A rule's severity in this file before the command line: its level, then
    /// `asynclint.toml`'s `select` and `ignore`.
    pub fn severity(&self, rule: &Rule, kind: ProjectKind) -> Severity {
        select_and_ignore(
            rule,
            self.level(rule, kind),
            self.select.as_deref(),
            &self.ignore,
        )
    }
}

/// One configuration source's say on severities.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SeverityLayer {
    /// Every rule (`dotnet_analyzer_diagnostic.severity`); a rule's own entry wins over it.
    pub all: Option<Severity>,
    /// Per rule ID, in the order given (a later entry wins). `None` is `default`: the
    /// rule's own severity, whatever `all` says.
    pub by_rule: Vec<(&'static str, Option<Severity>)>,
}

impl SeverityLayer {
    pub fn apply(&self, rule: &Rule, sev: Severity) -> Severity {
        match self.by_rule.iter().rev().find(|(id, _)| *id == rule.id) {
            Some((_, Some(s))) => *s,
            Some((_, None)) => sev,
            None => self.all.unwrap_or(sev),
        }
    }
}

/// `select`/`ignore` over a severity: ignored rules are off; with a selection, unlisted
/// rules are off and listed rules that are off come on (at their default, at least info).
pub fn select_and_ignore(
    rule: &Rule,
    sev: Severity,
    select: Option<&[&'static str]>,
    ignore: &[&'static str],
) -> Severity {
    if ignore.contains(&rule.id) {
        return Severity::Off;
    }
    match select {
        Some(list) if list.contains(&rule.id) => {
            if sev == Severity::Off {
                rule.default_severity.max(Severity::Info)
            } else {
                sev
            }
        }
        Some(_) => Severity::Off,
        None => sev,
    }
}

/// Resolves rule words — IDs (`ASYNC101`), names (`blocking-wait`), ID prefixes (`ASYNC1`)
/// and `ALL` — to rule IDs. The error names the first unknown word.
pub fn resolve_rules<S: AsRef<str>>(words: &[S]) -> Result<Vec<&'static str>, String> {
    let mut ids = Vec::new();
    for w in words
        .iter()
        .map(|w| w.as_ref().trim())
        .filter(|w| !w.is_empty())
    {
        ids.extend(
            resolve_rule(w)
                .ok_or_else(|| format!("unknown rule `{w}`; `asynclint rules` lists them"))?,
        );
    }
    Ok(ids)
}

/// One rule word to its IDs, `None` when it names no rule.
pub fn resolve_rule(word: &str) -> Option<Vec<&'static str>> {
    if word.eq_ignore_ascii_case("ALL") {
        return Some(ALL.iter().map(|r| r.id).collect());
    }
    if let Some(r) = Rule::find(word) {
        return Some(vec![r.id]);
    }
    let upper = word.to_ascii_uppercase();
    let by_prefix: Vec<_> = ALL
        .iter()
        .filter(|r| r.id.starts_with(&upper))
        .map(|r| r.id)
        .collect();
    (upper.starts_with("ASYNC") && !by_prefix.is_empty()).then_some(by_prefix)
}

/// What rules can read from configuration: small, typed, no IO.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RuleConfig {
    /// More blocking APIs with an async counterpart (ASYNC102).
    pub blocking_apis: Vec<BlockingApiConfig>,
    /// More names of fire-and-forget helpers that observe a task's failure (ASYNC204).
    pub fire_and_forget_helpers: Vec<NamePattern>,
    /// More methods that are event handlers and may be `async void` (ASYNC201).
    pub event_handlers: Vec<NamePattern>,
}

impl RuleConfig {
    /// Whether `name` is a configured fire-and-forget helper.
    pub fn is_fire_and_forget_helper(&self, name: &str) -> bool {
        self.fire_and_forget_helpers.iter().any(|p| p.matches(name))
    }

    /// Whether a method is a configured event handler. A pattern with a `.` is matched
    /// against `Type.Method` (the simple name of the enclosing type), others against the
    /// method name.
    pub fn is_event_handler(&self, type_name: Option<&str>, method: &str) -> bool {
        self.event_handlers.iter().any(|p| {
            if p.0.contains('.') {
                type_name.is_some_and(|t| p.matches(&format!("{t}.{method}")))
            } else {
                p.matches(method)
            }
        })
    }
}

/// A configured blocking API: `{ type = "MyCompany.Db", method = "Query", counterpart =
/// "QueryAsync" }`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BlockingApiConfig {
    /// The type, full (`MyCompany.Db`) or simple (`Db`); matched by its simple name.
    pub type_name: String,
    pub method: String,
    /// A method on the same receiver (`QueryAsync`), or a static call (`Task.Delay`).
    pub counterpart: String,
    /// `Some(true)`: only `Db.Query(..)`; `Some(false)`: only on an instance; `None`: both.
    pub is_static: Option<bool>,
}

impl BlockingApiConfig {
    /// `Db` for `MyCompany.Db`.
    pub fn simple_type(&self) -> &str {
        self.type_name.rsplit('.').next().unwrap_or(&self.type_name)
    }
}

/// A name with `*` (any run of characters) and `?` (one character) wildcards.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NamePattern(pub String);

impl NamePattern {
    pub fn new(s: &str) -> NamePattern {
        NamePattern(s.trim().to_owned())
    }

    pub fn matches(&self, name: &str) -> bool {
        wildcard_match(self.0.as_bytes(), name.as_bytes())
    }
}

/// Iterative wildcard matching (`*`, `?`), linear backtracking on the last star.
fn wildcard_match(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// The severity words of `.editorconfig` (`none`, `silent`, `suggestion`, `warning`,
/// `error`) and of asynclint (`off`, `info`). `Some(None)` is `default`: the rule's own.
pub(crate) fn parse_severity(word: &str) -> Option<Option<Severity>> {
    Some(Some(match word.trim().to_ascii_lowercase().as_str() {
        "none" | "silent" | "off" => Severity::Off,
        "suggestion" | "info" => Severity::Info,
        "warning" => Severity::Warning,
        "error" => Severity::Error,
        "default" => return Some(None),
        _ => return None,
    }))
}

/// Resolves the configuration of every file of a run, caching what it read by folder.
/// Problems that stop the run (an unreadable or invalid `asynclint.toml`, an unreadable
/// `.editorconfig`) are `errors`; problems in `.editorconfig` that the IDE would skip too
/// (a line that is not EditorConfig, a bad value) are `warnings`.
pub struct ConfigResolver {
    mode: ConfigMode,
    explicit: Option<Arc<toml_file::TomlConfig>>,
    /// The nearest `asynclint.toml` at or above a folder.
    toml_by_dir: FxHashMap<PathBuf, Option<Arc<toml_file::TomlConfig>>>,
    editorconfigs: editorconfig::EditorConfigs,
    /// Canonical folders, by the folder as the walk gave it.
    canonical: FxHashMap<PathBuf, PathBuf>,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
}

impl ConfigResolver {
    pub fn new(mode: ConfigMode) -> ConfigResolver {
        let mut r = ConfigResolver {
            mode: mode.clone(),
            explicit: None,
            toml_by_dir: FxHashMap::default(),
            editorconfigs: editorconfig::EditorConfigs::default(),
            canonical: FxHashMap::default(),
            warnings: Vec::new(),
            errors: Vec::new(),
        };
        if let ConfigMode::Explicit(path) = &mode {
            if !path.is_file() {
                r.errors
                    .push(format!("{}: no such configuration file", path.display()));
            } else {
                let abs = absolute(path);
                match toml_file::TomlConfig::load(&abs) {
                    Ok(c) => r.explicit = Some(Arc::new(c)),
                    Err(e) => r.errors.push(e),
                }
            }
        }
        r
    }

    /// The settings of one source file.
    pub fn settings_for(&mut self, file: &Path) -> FileSettings {
        if self.mode == ConfigMode::Off {
            return FileSettings::default();
        }
        let file = match (file.parent(), file.file_name()) {
            (Some(dir), Some(name)) => {
                let dir = self
                    .canonical
                    .entry(dir.to_path_buf())
                    .or_insert_with(|| absolute(dir));
                dir.join(name)
            }
            _ => absolute(file),
        };
        let ec = self
            .editorconfigs
            .layer_for(&file, &mut self.warnings, &mut self.errors);
        let toml = match &self.mode {
            ConfigMode::Explicit(_) => self.explicit.clone(),
            _ => match file.parent() {
                Some(dir) => self.toml_in(dir),
                None => None,
            },
        };
        let mut settings = FileSettings {
            editorconfig: ec.severity,
            project_kind: ec.project_kind,
            ..FileSettings::default()
        };
        let mut ff = ec.fire_and_forget_helpers;
        let mut handlers = ec.event_handlers;
        if let Some(t) = toml {
            settings.toml = t.severity.clone();
            settings.select = t.select.clone();
            settings.ignore = t.ignore.clone();
            if let Some(kind) = t.kind_for(&file) {
                settings.project_kind = Some(kind);
            }
            settings.rules.blocking_apis = t.blocking_apis.clone();
            if let Some(l) = &t.fire_and_forget_helpers {
                ff = Some(l.clone());
            }
            if let Some(l) = &t.event_handlers {
                handlers = Some(l.clone());
            }
        }
        settings.rules.fire_and_forget_helpers = ff.unwrap_or_default();
        settings.rules.event_handlers = handlers.unwrap_or_default();
        settings
    }

    /// The nearest `asynclint.toml` at or above `dir`.
    fn toml_in(&mut self, dir: &Path) -> Option<Arc<toml_file::TomlConfig>> {
        if let Some(c) = self.toml_by_dir.get(dir) {
            return c.clone();
        }
        let candidate = dir.join(CONFIG_FILE_NAME);
        let found = if candidate.is_file() {
            match toml_file::TomlConfig::load(&candidate) {
                Ok(c) => Some(Arc::new(c)),
                Err(e) => {
                    self.errors.push(e);
                    None
                }
            }
        } else {
            match dir.parent() {
                Some(parent) => self.toml_in(parent),
                None => None,
            }
        };
        self.toml_by_dir.insert(dir.to_path_buf(), found.clone());
        found
    }
}

/// An absolute, canonical path (symbolic links and `..` resolved), so that configuration
/// files and globs see the same path whatever the command line said.
fn absolute(path: &Path) -> PathBuf {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    // Cheaper than canonicalizing every file (realpath costs a system call per path
    // component): join to the current folder and drop `.` components.
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match crate::current_dir() {
            Some(c) => c.join(path),
            None => return std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        }
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// 1-based line and column of a byte offset, for messages about configuration files.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let p = |s: &str| NamePattern::new(s);
        assert!(p("On*").matches("OnLoaded"));
        assert!(p("On*").matches("On"));
        assert!(!p("On*").matches("Load"));
        assert!(p("*_Click").matches("button1_Click"));
        assert!(p("Handle?").matches("HandleX"));
        assert!(!p("Handle?").matches("Handle"));
        assert!(p("*Forget*").matches("SafeForgetAsync"));
        assert!(p("Run").matches("Run"));
        assert!(!p("Run").matches("RunAsync"));
        assert!(p("a*b*c").matches("aXXbYYc"));
        assert!(!p("a*b*c").matches("aXXbYY"));
    }

    #[test]
    fn event_handler_patterns_with_a_type() {
        let c = RuleConfig {
            event_handlers: vec![NamePattern::new("Shell.On*"), NamePattern::new("Handle")],
            ..RuleConfig::default()
        };
        assert!(c.is_event_handler(Some("Shell"), "OnStart"));
        assert!(!c.is_event_handler(Some("Other"), "OnStart"));
        assert!(!c.is_event_handler(None, "OnStart"));
        assert!(c.is_event_handler(None, "Handle"));
    }

    #[test]
    fn severity_words() {
        assert_eq!(parse_severity("none"), Some(Some(Severity::Off)));
        assert_eq!(parse_severity("silent"), Some(Some(Severity::Off)));
        assert_eq!(parse_severity("Suggestion"), Some(Some(Severity::Info)));
        assert_eq!(parse_severity("warning"), Some(Some(Severity::Warning)));
        assert_eq!(parse_severity("error"), Some(Some(Severity::Error)));
        assert_eq!(parse_severity("default"), Some(None));
        assert_eq!(parse_severity("loud"), None);
    }

    #[test]
    fn layers_apply_in_order() {
        let rule = Rule::find("ASYNC101").unwrap();
        let ec = SeverityLayer {
            all: Some(Severity::Off),
            by_rule: vec![("ASYNC101", Some(Severity::Info))],
        };
        assert_eq!(ec.apply(rule, Severity::Warning), Severity::Info);
        let other = Rule::find("ASYNC201").unwrap();
        assert_eq!(ec.apply(other, Severity::Warning), Severity::Off);
        let toml = SeverityLayer {
            by_rule: vec![("ASYNC101", Some(Severity::Error))],
            ..SeverityLayer::default()
        };
        let s = FileSettings {
            editorconfig: ec,
            toml,
            ..FileSettings::default()
        };
        assert_eq!(s.severity(rule, ProjectKind::Library), Severity::Error);
        assert_eq!(s.severity(other, ProjectKind::Library), Severity::Off);
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
