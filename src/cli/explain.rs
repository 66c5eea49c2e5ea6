//! `asynclint explain`: a rule's documentation in fixed sections.

use crate::project::ProjectKind;
use crate::rules::Rule;

pub fn render(r: &Rule) -> String {
    let kinds = [
        ProjectKind::Library,
        ProjectKind::Web,
        ProjectKind::Ui,
        ProjectKind::LegacyAspnet,
        ProjectKind::Test,
        ProjectKind::Exe,
    ];
    let by_kind = kinds
        .iter()
        .map(|k| format!("{} {}", k.name(), (r.severity)(*k).name()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{id} {name}\n{family} · default severity: {sev} · fixable: {fix}\nSeverity by project kind: {by_kind}\n\n\
## What it does\n{what}\n\n## Why is this bad?\n{why}\n\n## Example\n```csharp{example}```\n\n\
## Use instead\n```csharp{use_instead}```\n\n## When it stays silent\n{silent}\n\n## Fix\n{fixdoc}\n",
        id = r.id,
        name = r.name,
        family = r.family.title(),
        sev = r.default_severity.name(),
        fix = if r.fixable { "yes" } else { "no" },
        what = r.docs.what,
        why = r.docs.why,
        example = r.docs.example,
        use_instead = r.docs.use_instead,
        silent = r.docs.silent_when,
        fixdoc = r.docs.fix,
    )
}
