//! Human output: one block per finding with a code frame (annotate-snippets, as rustc and
//! ruff draw them), then a summary with counts per rule.

use super::{LineIndex, Options, RunResult};
use crate::diagnostic::Severity;
use annotate_snippets::{Level, Renderer, Snippet};
use std::collections::BTreeMap;
use std::io::Write;

pub fn render(run: &RunResult, opts: &Options, out: &mut dyn Write) -> std::io::Result<()> {
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for f in &run.files {
        let idx = LineIndex::new(&f.source);
        for (d, sup) in f.entries() {
            let (line, _) = idx.position(d.range.start);
            let (end_line, _) = idx.position(d.range.end.max(d.range.start));
            // Show only the lines of the finding: the frame stays cheap on huge files.
            let first = idx.line_range(line).start;
            let last = idx.line_range(end_line.min(line + 5)).end;
            let snippet_src = &f.source[first..last];
            let span_start = d.range.start - first;
            let span_end = (d.range.end.min(last) - first).max(span_start);
            // A suppressed finding (`--show-suppressed`) is shown as a note.
            let level = if sup.is_some() {
                Level::Note
            } else {
                level(d.severity)
            };
            let title = match sup {
                Some(_) => format!("{} [{}] (suppressed)", d.message, d.name),
                None => format!("{} [{}]", d.message, d.name),
            };
            let footer_suppressed = sup.map(|s| match s.kind {
                crate::diagnostic::SuppressionKind::NoWarn => {
                    format!("suppressed by {}", s.kind.describe())
                }
                _ => format!(
                    "suppressed by `{}` on line {}",
                    f.source[s.by.clone()].trim(),
                    idx.position(s.by.start).0
                ),
            });
            let footer_fix = d.fix.as_ref().map(|fix| {
                let how = match fix.applicability {
                    crate::diagnostic::Applicability::Safe => "fix available (`--fix`)",
                    // `--fix` and `--diff` apply only safe fixes: do not point at them.
                    crate::diagnostic::Applicability::Unsafe => {
                        "unsafe fix (not applied by `--fix`)"
                    }
                };
                format!("{how}: {}", fix.message)
            });
            let mut message = level.title(&title).id(d.rule).snippet(
                Snippet::source(snippet_src)
                    .line_start(line)
                    .origin(&f.display_path)
                    .fold(false)
                    .annotation(level.span(span_start..span_end)),
            );
            if let Some(help) = &d.help {
                message = message.footer(Level::Help.title(help));
            }
            if let Some(fix) = &footer_fix {
                message = message.footer(Level::Note.title(fix));
            }
            if let Some(s) = &footer_suppressed {
                message = message.footer(Level::Note.title(s));
            }
            writeln!(out, "{}\n", renderer.render(message))?;
        }
    }
    if !opts.quiet {
        summary(run, out)?;
    }
    Ok(())
}

fn level(s: Severity) -> Level {
    match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        _ => Level::Info,
    }
}

fn summary(run: &RunResult, out: &mut dyn Write) -> std::io::Result<()> {
    let total = run.count();
    let mut by_rule: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (_, d) in run.diagnostics() {
        *by_rule.entry((d.rule, d.name)).or_default() += 1;
    }
    let files = if run.files_checked == 1 {
        "file"
    } else {
        "files"
    };
    if total == 0 {
        writeln!(out, "No findings in {} {files}.", run.files_checked)?;
    } else {
        let with = run
            .files
            .iter()
            .filter(|f| !f.diagnostics.is_empty())
            .count();
        writeln!(
            out,
            "Found {total} finding{} in {with} of {} {files}:",
            if total == 1 { "" } else { "s" },
            run.files_checked
        )?;
        for ((rule, name), n) in &by_rule {
            writeln!(out, "  {n:>6}  {rule} {name}")?;
        }
    }
    if run.files_with_syntax_errors > 0 {
        writeln!(
            out,
            "{} file{} had syntax errors; code near them was not checked.",
            run.files_with_syntax_errors,
            if run.files_with_syntax_errors == 1 {
                ""
            } else {
                "s"
            }
        )?;
    }
    let shown_suppressed: usize = run.files.iter().map(|f| f.suppressed.len()).sum();
    if run.suppressed > 0 {
        let s = if run.suppressed == 1 { "" } else { "s" };
        if shown_suppressed > 0 {
            writeln!(out, "{} suppressed finding{s} shown above.", run.suppressed)?;
        } else {
            writeln!(
                out,
                "{} suppressed finding{s} not shown (`--show-suppressed` lists them).",
                run.suppressed
            )?;
        }
    }
    if run.baselined > 0 {
        writeln!(
            out,
            "{} finding{} already in the baseline not shown.",
            run.baselined,
            if run.baselined == 1 { "" } else { "s" }
        )?;
    }
    if run.fixes_applied > 0 {
        writeln!(
            out,
            "Applied {} fix{}.",
            run.fixes_applied,
            if run.fixes_applied == 1 { "" } else { "es" }
        )?;
    }
    Ok(())
}
