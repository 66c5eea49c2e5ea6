//! The rules. Each rule lives in one file under its family: documentation, metadata, the
//! check and its tests. Adding a rule touches three places: its file, its family's
//! `mod.rs`, and [`ALL`] below.

pub mod blocking;
pub mod cancellation;
pub mod context;
pub mod lifetime;
pub mod naming;
pub mod resources;
pub mod suppression;
pub mod util;
pub mod valuetask;

use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::project::{ProjectInfo, ProjectKind};
use crate::semantic::FileModel;
use crate::syntax::{Node, SyntaxKind};

/// Every rule, in ID order.
pub static ALL: &[&Rule] = &[
    &suppression::unused_suppression::RULE,
    &blocking::blocking_wait::RULE,
    &blocking::blocking_call_in_async::RULE,
    &blocking::task_run_wraps_async::RULE,
    &blocking::lock_held_across_await::RULE,
    &blocking::semaphore_release_not_in_finally::RULE,
    &lifetime::async_void::RULE,
    &lifetime::async_void_lambda::RULE,
    &lifetime::unobserved_task::RULE,
    &lifetime::fire_and_forget_discard::RULE,
    &lifetime::async_without_await::RULE,
    &lifetime::return_null_task::RULE,
    &lifetime::task_returned_from_using::RULE,
    &lifetime::startnew_async_delegate::RULE,
    &lifetime::task_scheduler_implicit::RULE,
    &context::missing_configure_await::RULE,
    &context::configure_await_false_in_ui::RULE,
    &cancellation::cancellation_not_forwarded::RULE,
    &cancellation::missing_cancellation_parameter::RULE,
    &cancellation::cancellation_token_not_last::RULE,
    &cancellation::missing_enumerator_cancellation::RULE,
    &cancellation::cancellation_source_not_disposed::RULE,
    &cancellation::cancellation_swallowed::RULE,
    &valuetask::valuetask_misuse::RULE,
    &valuetask::valuetask_wraps_task::RULE,
    &valuetask::tcs_sync_continuations::RULE,
    &valuetask::tcs_set_may_throw::RULE,
    &resources::httpclient_per_call::RULE,
    &resources::dbcontext_concurrent_use::RULE,
    &resources::sequential_independent_awaits::RULE,
    &resources::threadlocal_across_await::RULE,
    &resources::loop_variable_captured_by_async_lambda::RULE,
    &resources::sync_dispose_of_async_disposable::RULE,
    &resources::background_service_blocks_start::RULE,
    &naming::async_suffix::RULE,
    &naming::async_suffix_on_sync::RULE,
];

/// The rule that reports files asynclint could not read or decode.
pub const FILE_ERROR_ID: &str = "ASYNC000";
pub const FILE_ERROR_NAME: &str = "file-error";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Blocking,
    Lifetime,
    Context,
    Cancellation,
    ValueTask,
    Resources,
    Naming,
    Suppression,
}

impl Family {
    pub fn title(self) -> &'static str {
        match self {
            Family::Blocking => "Blocking and deadlocks",
            Family::Lifetime => "Task lifetime, exceptions, async void",
            Family::Context => "Context: ConfigureAwait and SynchronizationContext",
            Family::Cancellation => "Cancellation",
            Family::ValueTask => "ValueTask, TaskCompletionSource",
            Family::Resources => "Framework resources and concurrency",
            Family::Naming => "Naming",
            Family::Suppression => "Suppressions",
        }
    }
}

/// A rule's documentation, in fixed sections (also what `asynclint explain` prints).
pub struct Docs {
    pub what: &'static str,
    pub why: &'static str,
    /// C# that the rule flags.
    pub example: &'static str,
    /// The same code written so the rule stays silent.
    pub use_instead: &'static str,
    pub silent_when: &'static str,
    pub fix: &'static str,
}

pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub family: Family,
    /// One line for `asynclint rules`.
    pub summary: &'static str,
    pub default_severity: Severity,
    /// The severity in a project of this kind.
    pub severity: fn(ProjectKind) -> Severity,
    pub fixable: bool,
    /// Node kinds the check is called on.
    pub kinds: &'static [SyntaxKind],
    /// A finding needs one of these in the text of the member that holds it (signature and
    /// body): a file without any is not parsed, a member without any is parsed as an empty
    /// body. A token may join several words with ` & `: all must be present; a word written
    /// `~word` may be anywhere in the file. See `engine/tokens.rs`.
    pub tokens: &'static [&'static str],
    /// A finer test for a member whose text holds one of the tokens: may the rule still
    /// flag something in it? Given the member's code (comments and plain strings blanked,
    /// `async` identifiers masked). `None`: the tokens decide. It must never say `false` for
    /// a member the rule would flag: a member no rule may flag in is not parsed.
    pub may_flag_member: Option<fn(&MemberText<'_>) -> bool>,
    /// The check reads the bodies of the methods that call the flagged one (to tell whether
    /// a fix is safe, say): those bodies are parsed whenever the flagged one is.
    pub reads_callers: bool,
    /// The check reads the bodies of the methods the flagged code calls (does the started
    /// method catch everything?): those bodies are parsed whenever the caller is.
    pub reads_callees: bool,
    pub check: for<'a, 't> fn(Node<'t>, &mut RuleCtx<'a, 't>),
    pub docs: Docs,
}

impl Rule {
    pub fn find(id_or_name: &str) -> Option<&'static Rule> {
        ALL.iter().copied().find(|r| {
            r.id.eq_ignore_ascii_case(id_or_name) || r.name.eq_ignore_ascii_case(id_or_name)
        })
    }
}

/// A member's text, for [`Rule::may_flag_member`].
pub struct MemberText<'a> {
    /// The member's code, signature and body.
    pub code: &'a str,
    pub index: &'a crate::semantic::ProjectIndex,
    /// Whether `index` holds the project (it does not when one file is linted alone).
    pub index_known: bool,
    pub config: &'a crate::config::RuleConfig,
}

impl MemberText<'_> {
    /// How many times `word` occurs as a whole word.
    pub fn count(&self, word: &str) -> usize {
        words(self.code, word).count()
    }
    pub fn has(&self, word: &str) -> bool {
        words(self.code, word).next().is_some()
    }
    /// The byte offsets of `word` as a whole word.
    pub fn positions<'s>(&'s self, word: &'s str) -> impl Iterator<Item = usize> + 's {
        words(self.code, word)
    }

    /// The names of the calls (identifiers followed by `(` or `<`).
    pub fn calls(&self) -> impl Iterator<Item = &str> + '_ {
        let b = self.code.as_bytes();
        crate::syntax::words(b).filter_map(move |w| {
            let next = b[w.end..]
                .iter()
                .copied()
                .find(|c| !c.is_ascii_whitespace());
            matches!(next, Some(b'(' | b'<'))
                .then(|| self.code.get(w))
                .flatten()
        })
    }

    /// Whether the body may declare a local function returning a task: `Task`, `ValueTask`
    /// or a configured awaitable (with type arguments, `?` or not) followed by a name and
    /// `(` or `<`, after the member's `{` or `=>` (its own signature comes before).
    pub fn declares_awaitable_local(&self) -> bool {
        let b = self.code.as_bytes();
        let body = memchr::memchr(b'{', b)
            .into_iter()
            .chain(memchr::memmem::find(b, b"=>"))
            .min();
        let Some(body) = body else {
            return false;
        };
        let skip_ws = |mut i: usize| {
            while b.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            i
        };
        let ident = crate::syntax::is_ident_byte;
        crate::semantic::known::AWAITABLE_TYPES
            .iter()
            .map(|t| crate::semantic::known::simple(t))
            .flat_map(|t| self.positions(t).map(move |at| at + t.len()))
            .filter(|&end| end > body)
            .any(|end| {
                let mut i = skip_ws(end);
                if b.get(i) == Some(&b'<') {
                    // Type arguments, balanced.
                    let mut depth = 0usize;
                    while let Some(&c) = b.get(i) {
                        match c {
                            b'<' => depth += 1,
                            b'>' => depth -= 1,
                            b';' | b'{' | b'}' => return false,
                            _ => {}
                        }
                        i += 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    i = skip_ws(i);
                }
                if b.get(i) == Some(&b'?') {
                    i = skip_ws(i + 1);
                }
                let name = i;
                while b.get(i).copied().is_some_and(ident) {
                    i += 1;
                }
                i > name && matches!(b.get(skip_ws(i)), Some(b'(' | b'<'))
            })
    }

    /// The calls (an identifier followed by `(` or `<`) whose name ends in `suffix`: their
    /// offsets.
    pub fn calls_ending_in<'s>(&'s self, suffix: &'s str) -> impl Iterator<Item = usize> + 's {
        let b = self.code.as_bytes();
        let ident = crate::syntax::is_ident_byte;
        memchr::memmem::find_iter(b, suffix.as_bytes()).filter_map(move |at| {
            let end = at + suffix.len();
            if b.get(end).copied().is_some_and(ident) {
                return None;
            }
            let next = b[end..].iter().copied().find(|c| !c.is_ascii_whitespace());
            if !matches!(next, Some(b'(' | b'<')) {
                return None;
            }
            let start = b[..at]
                .iter()
                .rposition(|&c| !ident(c))
                .map_or(0, |i| i + 1);
            Some(start)
        })
    }
}

fn words<'s>(text: &'s str, word: &'s str) -> impl Iterator<Item = usize> + 's {
    let b = text.as_bytes();
    let ident = crate::syntax::is_ident_byte;
    memchr::memmem::find_iter(b, word.as_bytes()).filter(move |&at| {
        !at.checked_sub(1).is_some_and(|i| ident(b[i]))
            && !b.get(at + word.len()).copied().is_some_and(ident)
    })
}

/// What a check sees: the node's file model and project, and where it reports.
pub struct RuleCtx<'a, 't> {
    pub model: &'a FileModel<'t>,
    pub project: &'a ProjectInfo,
    /// What configuration says to rules (`asynclint.toml`, `.editorconfig`) for this file.
    pub config: &'a crate::config::RuleConfig,
    pub rule: &'static Rule,
    pub(crate) severity: Severity,
    pub(crate) out: &'a mut Vec<Diagnostic>,
}

impl<'a, 't> RuleCtx<'a, 't> {
    pub fn source(&self) -> &'t str {
        self.model.tree().source()
    }

    /// Reports a finding at `node`, unless the code around it did not parse (the tree near
    /// an ERROR node is not trustworthy). Returns the diagnostic to attach a fix or help to.
    pub fn report(
        &mut self,
        node: Node<'t>,
        message: impl Into<String>,
    ) -> Option<&mut Diagnostic> {
        self.report_range(node, node.range(), message)
    }

    pub fn report_range(
        &mut self,
        anchor: Node<'t>,
        range: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Option<&mut Diagnostic> {
        if self.model.near_parse_error(anchor) {
            return None;
        }
        self.out.push(Diagnostic {
            rule: self.rule.id,
            name: self.rule.name,
            severity: self.severity,
            range,
            message: message.into(),
            help: None,
            fix: None,
        });
        self.out.last_mut()
    }
}

impl Diagnostic {
    pub fn with_fix(&mut self, fix: Option<Fix>) -> &mut Self {
        self.fix = fix;
        self
    }
    pub fn with_help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
    pub fn with_severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }
}

/// Severity helpers for rule metadata.
pub mod severity {
    use super::{ProjectKind, Severity};

    pub fn warning(_: ProjectKind) -> Severity {
        Severity::Warning
    }
    pub fn error(_: ProjectKind) -> Severity {
        Severity::Error
    }
    pub fn info(_: ProjectKind) -> Severity {
        Severity::Info
    }
    /// Warning, error where a SynchronizationContext turns blocking into deadlocks.
    pub fn warning_error_in_ui(kind: ProjectKind) -> Severity {
        match kind {
            ProjectKind::Ui | ProjectKind::LegacyAspnet => Severity::Error,
            _ => Severity::Warning,
        }
    }
}

#[cfg(test)]
pub(crate) mod harness;

#[cfg(test)]
mod registry_tests {
    use super::*;

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let mut ids: Vec<_> = ALL.iter().map(|r| r.id).collect();
        let sorted = {
            let mut s = ids.clone();
            s.sort();
            s
        };
        assert_eq!(ids, sorted, "ALL must be in ID order");
        ids.dedup();
        assert_eq!(ids.len(), ALL.len(), "duplicate rule IDs");
        let mut names: Vec<_> = ALL.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len(), "duplicate rule names");
        for r in ALL {
            assert!(r.id.starts_with("ASYNC") && r.id.len() == 8, "{}", r.id);
            assert!(
                r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                r.name
            );
            assert!(!r.kinds.is_empty(), "{} dispatches on no node kind", r.id);
            assert!(!r.tokens.is_empty(), "{} has no prefilter tokens", r.id);
            for (section, text) in [
                ("what", r.docs.what),
                ("why", r.docs.why),
                ("example", r.docs.example),
                ("use_instead", r.docs.use_instead),
                ("silent_when", r.docs.silent_when),
                ("fix", r.docs.fix),
            ] {
                assert!(
                    !text.trim().is_empty(),
                    "{}: docs section {section} is empty",
                    r.id
                );
            }
        }
    }

    #[test]
    fn every_rule_file_is_registered() {
        // Each rule file under src/rules/<family>/ must appear in ALL.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let mut files = 0;
        for family in std::fs::read_dir(&root).unwrap().flatten() {
            if !family.path().is_dir() {
                continue;
            }
            for file in std::fs::read_dir(family.path()).unwrap().flatten() {
                let name = file.file_name().to_string_lossy().into_owned();
                if name == "mod.rs" || !name.ends_with(".rs") {
                    continue;
                }
                files += 1;
                let rule_name = name.trim_end_matches(".rs").replace('_', "-");
                assert!(
                    Rule::find(&rule_name).is_some(),
                    "src/rules/{}/{name} is not registered in rules::ALL",
                    family.file_name().to_string_lossy()
                );
            }
        }
        assert_eq!(files, ALL.len(), "a registered rule has no file of its own");
    }
}
