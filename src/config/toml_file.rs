//! `asynclint.toml`: the nearest one above a file (or `--config PATH`). Every key is known:
//! an unknown one, a bad value or a TOML syntax error is an error naming the file, line and
//! column, and the run stops (exit 2).
//!
//! ```toml
//! select = ["ASYNC1", "async-void"]          # IDs, names, ID prefixes, ALL
//! ignore = ["ASYNC205"]
//! fire-and-forget-helpers = ["SafeFireAndForget", "Forget*"]
//! event-handlers = ["On*Changed", "Shell.Handle*"]
//! blocking-apis = [
//!   { type = "MyCompany.Db", method = "Query", counterpart = "QueryAsync" },
//! ]
//!
//! [severity]
//! ASYNC101 = "error"                          # off|info|warning|error (or the .NET words)
//!
//! [[project-kinds]]
//! paths = ["src/Legacy/**"]                   # globs relative to this file's folder
//! kind = "legacy-aspnet"
//! ```

use super::{
    line_col, parse_severity, resolve_rule, BlockingApiConfig, NamePattern, SeverityLayer,
};
use crate::project::ProjectKind;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    project_kinds: Vec<RawProjectKind>,
    #[serde(default)]
    blocking_apis: Vec<Spanned<RawBlockingApi>>,
    fire_and_forget_helpers: Option<Vec<String>>,
    event_handlers: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProjectKind {
    paths: Vec<Spanned<String>>,
    kind: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlockingApi {
    #[serde(rename = "type")]
    type_name: String,
    method: String,
    counterpart: String,
    #[serde(rename = "static")]
    is_static: Option<bool>,
}

/// A read and checked `asynclint.toml`.
pub(super) struct TomlConfig {
    /// The folder globs are relative to.
    dir: PathBuf,
    pub severity: SeverityLayer,
    pub select: Option<Vec<&'static str>>,
    pub ignore: Vec<&'static str>,
    project_kinds: Vec<(globset::GlobSet, ProjectKind)>,
    pub blocking_apis: Vec<BlockingApiConfig>,
    pub fire_and_forget_helpers: Option<Vec<NamePattern>>,
    pub event_handlers: Option<Vec<NamePattern>>,
}

impl TomlConfig {
    /// Reads and checks the file at `path` (absolute). The error is the whole message.
    pub fn load(path: &Path) -> Result<TomlConfig, String> {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("{}: cannot read: {e}", crate::display_path(path)))?;
        let text = crate::workspace::decode(&bytes)
            .map_err(|e| format!("{}: {e}", crate::display_path(path)))?
            .text;
        let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        parse(&text, dir).map_err(|(offset, msg)| {
            let (line, col) = line_col(&text, offset);
            format!("{}:{line}:{col}: {msg}", crate::display_path(path))
        })
    }

    /// The project kind the last matching `[[project-kinds]]` entry gives a file.
    pub fn kind_for(&self, file: &Path) -> Option<ProjectKind> {
        let rel = file.strip_prefix(&self.dir).ok()?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        self.project_kinds
            .iter()
            .rev()
            .find(|(set, _)| set.is_match(&rel))
            .map(|(_, k)| *k)
    }
}

type Error = (usize, String);

fn parse(text: &str, dir: PathBuf) -> Result<TomlConfig, Error> {
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        (offset, e.message().trim().to_owned())
    })?;
    let rules = |list: &[Spanned<String>], key: &str| -> Result<Vec<&'static str>, Error> {
        let mut ids = Vec::new();
        for w in list {
            ids.extend(resolve_rule(w.get_ref().trim()).ok_or_else(|| {
                (
                    w.span().start,
                    format!(
                        "unknown rule `{}` in `{key}`; `asynclint rules` lists them",
                        w.get_ref()
                    ),
                )
            })?);
        }
        Ok(ids)
    };
    let select = raw
        .select
        .as_deref()
        .map(|l| rules(l, "select"))
        .transpose()?;
    let ignore = rules(&raw.ignore, "ignore")?;
    let mut severity = SeverityLayer::default();
    for (key, value) in &raw.severity {
        let ids = rules(std::slice::from_ref(key), "severity")?;
        let sev = match parse_severity(value.get_ref()) {
            Some(Some(s)) => s,
            _ => {
                return Err((
                    value.span().start,
                    format!(
                        "`{}` is not a severity (off, info, warning, error)",
                        value.get_ref()
                    ),
                ))
            }
        };
        severity
            .by_rule
            .extend(ids.into_iter().map(|id| (id, Some(sev))));
    }
    let mut project_kinds = Vec::new();
    for entry in &raw.project_kinds {
        let kind = ProjectKind::parse(entry.kind.get_ref().trim()).ok_or_else(|| {
            (
                entry.kind.span().start,
                format!(
                    "`{}` is not a project kind (web, ui, legacy-aspnet, test, exe, library)",
                    entry.kind.get_ref()
                ),
            )
        })?;
        let mut set = globset::GlobSetBuilder::new();
        for p in &entry.paths {
            let pattern = p.get_ref().trim().trim_start_matches("./");
            // A pattern without a `/` matches the file name in any folder, as in .gitignore.
            let pattern = if pattern.contains('/') {
                pattern.trim_start_matches('/').to_owned()
            } else {
                format!("**/{pattern}")
            };
            let glob = globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| (p.span().start, format!("not a glob: {e}")))?;
            set.add(glob);
        }
        let set = set
            .build()
            .map_err(|e| (entry.kind.span().start, format!("not a glob: {e}")))?;
        project_kinds.push((set, kind));
    }
    let mut blocking_apis = Vec::new();
    for api in &raw.blocking_apis {
        let at = api.span().start;
        let a = api.get_ref();
        let dotted = |s: &str| {
            !s.is_empty()
                && s.split('.').all(|part| {
                    part.chars()
                        .next()
                        .is_some_and(|c| c.is_alphabetic() || c == '_')
                        && part.chars().all(|c| c.is_alphanumeric() || c == '_')
                })
        };
        if !dotted(&a.type_name) {
            return Err((
                at,
                format!("`type = \"{}\"` is not a type name", a.type_name),
            ));
        }
        if !dotted(&a.method) || a.method.contains('.') {
            return Err((
                at,
                format!("`method = \"{}\"` is not a method name", a.method),
            ));
        }
        if !dotted(&a.counterpart) {
            return Err((
                at,
                format!(
                    "`counterpart = \"{}\"` is neither a method name nor `Type.Method`",
                    a.counterpart
                ),
            ));
        }
        blocking_apis.push(BlockingApiConfig {
            type_name: a.type_name.trim_start_matches("global::").to_owned(),
            method: a.method.clone(),
            counterpart: a.counterpart.clone(),
            is_static: a.is_static,
        });
    }
    let names = |l: &Option<Vec<String>>| {
        l.as_ref().map(|l| {
            l.iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| NamePattern::new(s))
                .collect()
        })
    };
    Ok(TomlConfig {
        dir,
        severity,
        select,
        ignore,
        project_kinds,
        blocking_apis,
        fire_and_forget_helpers: names(&raw.fire_and_forget_helpers),
        event_handlers: names(&raw.event_handlers),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn ok(text: &str) -> TomlConfig {
        parse(text, PathBuf::from("/repo")).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn err(text: &str) -> (usize, usize, String) {
        let (offset, msg) = parse(text, PathBuf::from("/repo")).err().expect("an error");
        let (l, c) = line_col(text, offset);
        (l, c, msg)
    }

    #[test]
    fn reads_every_key() {
        let c = ok(r#"
select = ["ASYNC1", "async-void"]
ignore = ["ASYNC103"]
fire-and-forget-helpers = ["SafeFireAndForget"]
event-handlers = ["On*"]
blocking-apis = [{ type = "MyCompany.Db", method = "Query", counterpart = "QueryAsync" }]

[severity]
ASYNC101 = "error"
blocking-call-in-async = "suggestion"

[[project-kinds]]
paths = ["src/Legacy/**", "*.Designer.cs"]
kind = "ui"
"#);
        let select = c.select.clone().unwrap();
        assert!(select.contains(&"ASYNC101") && select.contains(&"ASYNC201"));
        assert_eq!(c.ignore, vec!["ASYNC103"]);
        assert!(c
            .severity
            .by_rule
            .contains(&("ASYNC101", Some(Severity::Error))));
        assert!(c
            .severity
            .by_rule
            .contains(&("ASYNC102", Some(Severity::Info))));
        assert_eq!(c.blocking_apis[0].simple_type(), "Db");
        assert_eq!(
            c.kind_for(Path::new("/repo/src/Legacy/a/B.cs")),
            Some(ProjectKind::Ui)
        );
        assert_eq!(
            c.kind_for(Path::new("/repo/x/Form1.Designer.cs")),
            Some(ProjectKind::Ui)
        );
        assert_eq!(c.kind_for(Path::new("/repo/src/A.cs")), None);
        assert_eq!(c.kind_for(Path::new("/elsewhere/src/Legacy/A.cs")), None);
    }

    #[test]
    fn errors_name_the_line_and_the_key() {
        let (l, c, m) = err("select = [\"ASYNC101\"]\nselct = []\n");
        assert_eq!((l, c), (2, 1), "{m}");
        assert!(m.contains("unknown field `selct`"), "{m}");
        let (l, _, m) = err("[severity]\nASYNC101 = \"loud\"\n");
        assert_eq!(l, 2);
        assert!(m.contains("loud"), "{m}");
        let (l, _, m) = err("ignore = [\n  \"ASYNC101\",\n  \"no-such-rule\",\n]\n");
        assert_eq!(l, 3);
        assert!(m.contains("no-such-rule"), "{m}");
        let (l, _, m) = err("[[project-kinds]]\npaths = [\"a/**\"]\nkind = \"desktop\"\n");
        assert_eq!(l, 3);
        assert!(m.contains("desktop"), "{m}");
        let (l, _, m) =
            err("blocking-apis = [\n { type = \"A\", method = \"B\", counterpart = \"C\", colour = 1 },\n]\n");
        assert_eq!(l, 2);
        assert!(m.contains("colour"), "{m}");
        let (l, _, m) = err("select = [\"ASYNC101\"\n");
        assert!(l >= 1 && !m.is_empty());
    }
}
