//! `.editorconfig`, read with `ec4rs` (spec-compliant globs, `root = true`, nearer files and
//! later sections win). Each file is parsed once; per source file the sections that match
//! are applied, farthest file first.
//!
//! The keys asynclint reads, as the .NET SDK does:
//! - `dotnet_diagnostic.ASYNC101.severity = none|silent|suggestion|warning|error|default`
//! - `dotnet_analyzer_diagnostic.severity = …` for every rule (a rule's own key wins)
//! - `asynclint_project_kind = web|ui|legacy-aspnet|test|exe|library`
//! - `asynclint_fire_and_forget_helpers = Forget, RunInBackground*`
//! - `asynclint_event_handlers = On*, *_Click`
//!
//! Like the IDE, a line that is not EditorConfig or a value asynclint cannot read is
//! skipped with a warning naming the file and line; the run goes on.

use super::{parse_severity, NamePattern, SeverityLayer};
use crate::project::ProjectKind;
use crate::rules::Rule;
use ec4rs::PropertiesSource;
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One parsed `.editorconfig`.
struct EcFile {
    dir: PathBuf,
    is_root: bool,
    sections: Vec<ec4rs::Section>,
    /// Per section, when its header is `[*]`, `[*.ext]` or `[*.{a,b}]`: the name endings
    /// it matches (the common case, tested without the glob engine).
    suffixes: Vec<Option<Vec<String>>>,
}

impl EcFile {
    fn applies(&self, section: usize, rel: &Path) -> bool {
        match &self.suffixes[section] {
            Some(ends) => rel
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| ends.iter().any(|e| n.ends_with(e.as_str()))),
            None => self.sections[section].applies_to(rel),
        }
    }
}

/// The name endings a section header matches, when it is as simple as `*`, `*.cs` or
/// `*.{cs,vb}` (matched against the file name in any folder).
fn simple_suffixes(header: &str) -> Option<Vec<String>> {
    let h = header.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    if h == "*" {
        return Some(vec![String::new()]);
    }
    let rest = h.strip_prefix("*.")?;
    let alts: Vec<&str> = match rest.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        Some(inner) => inner.split(',').collect(),
        None => vec![rest],
    };
    let plain = |a: &&str| {
        !a.is_empty()
            && a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    alts.iter()
        .all(plain)
        .then(|| alts.iter().map(|a| format!(".{a}")).collect())
}

/// What `.editorconfig` says about one source file.
#[derive(Clone, Default)]
pub(super) struct EcLayer {
    pub severity: SeverityLayer,
    pub project_kind: Option<ProjectKind>,
    pub fire_and_forget_helpers: Option<Vec<NamePattern>>,
    pub event_handlers: Option<Vec<NamePattern>>,
}

#[derive(Default)]
pub(super) struct EditorConfigs {
    /// The `.editorconfig` of a folder, `None` when it has none.
    by_dir: FxHashMap<PathBuf, Option<Arc<EcFile>>>,
    /// Warnings already given (the same bad line applies to many files).
    warned: FxHashSet<String>,
    /// Layers by the sections that matched (files, then section indices): most files of a
    /// repository match the same few combinations.
    layers: FxHashMap<Vec<usize>, EcLayer>,
}

impl EditorConfigs {
    /// The layer for a source file (an absolute path).
    pub fn layer_for(
        &mut self,
        file: &Path,
        warnings: &mut Vec<String>,
        errors: &mut Vec<String>,
    ) -> EcLayer {
        let mut chain = Vec::new();
        let mut dir = file.parent();
        while let Some(d) = dir {
            if let Some(ec) = self.file_in(d, warnings, errors) {
                let root = ec.is_root;
                chain.push(ec);
                if root {
                    break;
                }
            }
            dir = d.parent();
        }
        if chain.is_empty() {
            return EcLayer::default();
        }
        let mut matched = Vec::new();
        for (c, ec) in chain.iter().rev().enumerate() {
            let rel = file.strip_prefix(&ec.dir).unwrap_or(file);
            matched.push(Arc::as_ptr(ec) as usize);
            for i in 0..ec.sections.len() {
                if ec.applies(i, rel) {
                    matched.push(i);
                }
            }
            matched.push(usize::MAX - c);
        }
        if let Some(layer) = self.layers.get(&matched) {
            return layer.clone();
        }
        let mut props = ec4rs::Properties::new();
        for ec in chain.iter().rev() {
            let rel = file.strip_prefix(&ec.dir).unwrap_or(file);
            for (i, s) in ec.sections.iter().enumerate() {
                if ec.applies(i, rel) {
                    let _ = s.props().apply_to(&mut props, rel);
                }
            }
        }
        let layer = self.interpret(&props, warnings);
        self.layers.insert(matched, layer.clone());
        layer
    }

    fn file_in(
        &mut self,
        dir: &Path,
        warnings: &mut Vec<String>,
        errors: &mut Vec<String>,
    ) -> Option<Arc<EcFile>> {
        if let Some(f) = self.by_dir.get(dir) {
            return f.clone();
        }
        let path = dir.join(".editorconfig");
        let f = match std::fs::read(&path) {
            Ok(bytes) => match crate::workspace::decode(&bytes) {
                Ok(d) => Some(Arc::new(parse(&path, dir, &d.text, warnings))),
                Err(e) => {
                    errors.push(format!("{}: {e}", crate::display_path(&path)));
                    None
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            // A folder named `.editorconfig`, say: not a configuration file.
            Err(_) if !path.is_file() => None,
            Err(e) => {
                errors.push(format!("{}: cannot read: {e}", crate::display_path(&path)));
                None
            }
        };
        self.by_dir.insert(dir.to_path_buf(), f.clone());
        f
    }

    fn warn(&mut self, warnings: &mut Vec<String>, message: String) {
        if self.warned.insert(message.clone()) {
            warnings.push(message);
        }
    }

    fn interpret(&mut self, props: &ec4rs::Properties, warnings: &mut Vec<String>) -> EcLayer {
        let mut layer = EcLayer::default();
        for (key, raw) in props.iter() {
            let Some(value) = raw.filter_unset().into_option() else {
                continue;
            };
            // Like the .NET SDK, a trailing `#` or `;` comment is not part of the value.
            let value = value.split(['#', ';']).next().unwrap_or("").trim();
            // Where the value came from, for warnings only (formatting it costs).
            let at = || match raw.source() {
                Some((path, line)) => format!("{}:{line}", crate::display_path(path)),
                None => ".editorconfig".to_owned(),
            };
            if let Some(id) = key
                .strip_prefix("dotnet_diagnostic.")
                .and_then(|r| r.strip_suffix(".severity"))
            {
                // IDs of other analyzers (CA2007, IDE0005) are not ours.
                let Some(rule) = Rule::find(id) else { continue };
                match parse_severity(value) {
                    Some(sev) => layer.severity.by_rule.push((rule.id, sev)),
                    None => self.warn(warnings, bad_severity(&at(), key, value)),
                }
            } else if key == "dotnet_analyzer_diagnostic.severity" {
                match parse_severity(value) {
                    Some(sev) => layer.severity.all = sev,
                    None => self.warn(warnings, bad_severity(&at(), key, value)),
                }
            } else if let Some(name) = key.strip_prefix("asynclint_") {
                match name {
                    "project_kind" => match ProjectKind::parse(&value.to_ascii_lowercase()) {
                        Some(k) => layer.project_kind = Some(k),
                        None => self.warn(
                            warnings,
                            format!(
                                "{}: `{key} = {value}` is not a project kind (web, ui, legacy-aspnet, test, exe, library); ignored",
                                at()
                            ),
                        ),
                    },
                    "fire_and_forget_helpers" => {
                        layer.fire_and_forget_helpers = Some(name_list(value))
                    }
                    "event_handlers" => layer.event_handlers = Some(name_list(value)),
                    _ => self.warn(
                        warnings,
                        format!(
                            "{}: unknown key `{key}` (asynclint reads asynclint_project_kind, asynclint_fire_and_forget_helpers, asynclint_event_handlers); ignored",
                            at()
                        ),
                    ),
                }
            }
        }
        layer
    }
}

fn bad_severity(at: &str, key: &str, value: &str) -> String {
    format!(
        "{at}: `{key} = {value}` is not a severity (none, silent, suggestion, warning, error, default); ignored"
    )
}

fn name_list(value: &str) -> Vec<NamePattern> {
    value
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(NamePattern::new)
        .collect()
}

/// Parses one `.editorconfig`. Lines that are not EditorConfig are blanked (with a warning)
/// before `ec4rs` reads the text, so one bad line does not hide the rest of the file; a
/// key with an empty value is blanked silently (it sets nothing).
fn parse(path: &Path, dir: &Path, text: &str, warnings: &mut Vec<String>) -> EcFile {
    let mut cleaned = String::with_capacity(text.len());
    for (i, line) in text.lines().enumerate() {
        match classify(line) {
            Line::Keep => cleaned.push_str(line),
            Line::Empty => {}
            Line::Invalid(why) => warnings.push(format!(
                "{}:{}: {why}; the line is ignored",
                crate::display_path(path),
                i + 1
            )),
        }
        cleaned.push('\n');
    }
    let mut file = EcFile {
        dir: dir.to_path_buf(),
        is_root: false,
        sections: Vec::new(),
        suffixes: Vec::new(),
    };
    let headers: Vec<&str> = cleaned
        .lines()
        .filter(|l| l.trim_start().starts_with('['))
        .collect();
    let header_suffixes: Vec<Option<Vec<String>>> =
        headers.iter().map(|h| simple_suffixes(h)).collect();
    let reader = std::io::Cursor::new(cleaned.as_bytes());
    let mut parser = match ec4rs::ConfigParser::new_with_path(reader, Some(path)) {
        Ok(p) => p,
        Err(e) => {
            warnings.push(format!(
                "{}: {e}; the file is ignored",
                crate::display_path(path)
            ));
            return file;
        }
    };
    file.is_root = parser.is_root;
    loop {
        match parser.read_section() {
            Ok(s) => file.sections.push(s),
            Err(ec4rs::ParseError::Eof) => break,
            Err(e) => {
                warnings.push(format!(
                    "{}:{}: {e}; the rest of the file is ignored",
                    crate::display_path(path),
                    parser.line_no()
                ));
                break;
            }
        }
    }
    file.suffixes = if header_suffixes.len() == file.sections.len() {
        header_suffixes
    } else {
        vec![None; file.sections.len()]
    };
    file
}

enum Line {
    Keep,
    Empty,
    Invalid(&'static str),
}

/// What `ec4rs` accepts: comments, `[section]` headers (a trailing comment allowed), and
/// `key = value` pairs.
fn classify(line: &str) -> Line {
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
        return Line::Keep;
    }
    if t.starts_with('[') {
        let header = match (t.rfind(']'), t.rfind(['#', ';'])) {
            (Some(b), Some(c)) if c > b => t[..c].trim_end(),
            _ => t,
        };
        return if header.len() > 2 && header.ends_with(']') {
            Line::Keep
        } else {
            Line::Invalid("not a section header (`[glob]`)")
        };
    }
    match t.split_once('=') {
        Some((k, _)) if k.trim().is_empty() => Line::Invalid("a `= value` without a key"),
        Some((_, v)) if v.trim().is_empty() => Line::Empty,
        Some(_) => Line::Keep,
        None => Line::Invalid("not `key = value`, a `[section]` or a comment"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(files: &[(&str, &str)], target: &str) -> (EcLayer, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        for (p, t) in files {
            let full = root.join(p);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, t).unwrap();
        }
        let mut ecs = EditorConfigs::default();
        let (mut w, mut e) = (Vec::new(), Vec::new());
        let l = ecs.layer_for(&root.join(target), &mut w, &mut e);
        assert!(e.is_empty(), "{e:?}");
        (l, w)
    }

    #[test]
    fn nearer_sections_win_and_root_stops() {
        let (l, w) = layer(
            &[
                (
                    ".editorconfig",
                    "root = true\n[*.cs]\ndotnet_diagnostic.ASYNC101.severity = error\ndotnet_diagnostic.ASYNC201.severity = none\n",
                ),
                (
                    "src/.editorconfig",
                    "[*.cs]\r\ndotnet_diagnostic.ASYNC101.severity = suggestion # why\r\n",
                ),
            ],
            "src/a.cs",
        );
        assert!(w.is_empty(), "{w:?}");
        let mut by = l.severity.by_rule.clone();
        by.sort();
        assert_eq!(
            by,
            vec![
                ("ASYNC101", Some(crate::diagnostic::Severity::Info)),
                ("ASYNC201", Some(crate::diagnostic::Severity::Off))
            ]
        );
    }

    #[test]
    fn bad_lines_and_values_warn_with_file_and_line() {
        let (l, w) = layer(
            &[(
                ".editorconfig",
                "root = true\n[*.cs]\nthis is not a pair\ndotnet_diagnostic.ASYNC101.severity = loud\nasynclint_project_kind = ui\nasynclint_colour = red\nempty =\n",
            )],
            "a.cs",
        );
        assert_eq!(l.project_kind, Some(ProjectKind::Ui));
        assert!(l.severity.by_rule.is_empty());
        assert_eq!(w.len(), 3, "{w:#?}");
        assert!(w[0].contains(".editorconfig:3:"), "{}", w[0]);
        assert!(
            w.iter().any(|m| m.contains(":4:") && m.contains("loud")),
            "{w:?}"
        );
        assert!(
            w.iter()
                .any(|m| m.contains(":6:") && m.contains("asynclint_colour")),
            "{w:?}"
        );
    }
}
