//! Diagnostics and fixes as the engine produces them: byte ranges, no lines or columns
//! (those are computed in `output/`).

use std::ops::Range;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Off,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Off => "off",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the program's meaning; applied by `--fix`.
    Safe,
    /// Changes behaviour (timing, exceptions, signatures); shown, never applied by `--fix`.
    Unsafe,
}

/// Replace `range` of the source with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Edit {
    #[serde(skip)]
    pub range: Range<usize>,
    pub replacement: String,
}

impl Edit {
    pub fn replace(range: Range<usize>, replacement: impl Into<String>) -> Edit {
        Edit {
            range,
            replacement: replacement.into(),
        }
    }
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(at..at, text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, imperative: "Replace `.Result` with `await`".
    pub message: String,
    pub applicability: Applicability,
    /// Non-overlapping edits.
    pub edits: Vec<Edit>,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub range: Range<usize>,
    pub message: String,
    /// A longer explanation of what to do, when there is no fix or the fix is unsafe.
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

/// How a finding was suppressed.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressionKind {
    /// `#pragma warning disable ASYNC101`
    Pragma,
    /// `[SuppressMessage("asynclint", "ASYNC101")]` on a member or type.
    SuppressMessage,
    /// `// asynclint-disable-next-line ASYNC101`
    Comment,
    /// `<NoWarn>ASYNC101</NoWarn>` in the project file or `Directory.Build.props`.
    NoWarn,
}

impl SuppressionKind {
    pub fn describe(self) -> &'static str {
        match self {
            SuppressionKind::Pragma => "#pragma warning disable",
            SuppressionKind::SuppressMessage => "[SuppressMessage]",
            SuppressionKind::Comment => "// asynclint-disable-next-line",
            SuppressionKind::NoWarn => "<NoWarn> in the project",
        }
    }
}

/// A finding that a suppression hid.
#[derive(Clone, Debug)]
pub struct Suppressed {
    pub diagnostic: Diagnostic,
    pub kind: SuppressionKind,
    /// The suppression's own text in the file (empty for `<NoWarn>`).
    pub by: Range<usize>,
}
