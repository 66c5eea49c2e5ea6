//! Applying fixes: non-overlapping edits, a re-parse that rejects any fix adding a parse
//! error, and unified diffs.

use crate::diagnostic::{Applicability, Diagnostic, Edit};

/// Applies edits to a text. Returns `None` when two edits overlap.
pub fn apply_edits(source: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(source.len() + 64);
    let mut pos = 0;
    for e in sorted {
        if e.range.start < pos
            || e.range.end > source.len()
            || !source.is_char_boundary(e.range.start)
            || !source.is_char_boundary(e.range.end)
        {
            return None;
        }
        out.push_str(&source[pos..e.range.start]);
        out.push_str(&e.replacement);
        pos = e.range.end;
    }
    out.push_str(&source[pos..]);
    Some(out)
}

/// The outcome of fixing one file's text.
pub struct Fixed {
    pub text: String,
    /// How many fixes were applied.
    pub applied: usize,
    /// Fixes dropped because they broke the parse.
    pub rejected: usize,
}

/// Applies the safe fixes of `diagnostics` to `source`: all that do not overlap an earlier
/// one, each kept only if the file parses as well as before with it.
pub fn apply_safe_fixes(source: &str, diagnostics: &[Diagnostic]) -> Fixed {
    let baseline = crate::syntax::parse(source).error_count;
    let mut fixes: Vec<&crate::diagnostic::Fix> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.applicability == Applicability::Safe && !f.edits.is_empty())
        .collect();
    fixes.sort_by_key(|f| f.edits.iter().map(|e| e.range.start).min());
    // Drop fixes that overlap an earlier one; the next run picks them up.
    let mut chosen: Vec<&crate::diagnostic::Fix> = Vec::new();
    let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
    for f in fixes {
        let overlaps = f.edits.iter().any(|e| {
            taken.iter().any(|t| {
                (e.range.start < t.end && t.start < e.range.end) || e.range.start == t.start
            })
        });
        if !overlaps {
            taken.extend(f.edits.iter().map(|e| e.range.clone()));
            chosen.push(f);
        }
    }
    let all: Vec<Edit> = chosen
        .iter()
        .flat_map(|f| f.edits.iter().cloned())
        .collect();
    if let Some(text) = apply_edits(source, &all) {
        if crate::syntax::parse(&text).error_count <= baseline {
            return Fixed {
                text,
                applied: chosen.len(),
                rejected: 0,
            };
        }
    }
    // Some fix breaks the file: keep the ones that do not, one at a time.
    let mut kept: Vec<Edit> = Vec::new();
    let mut applied = 0;
    let mut rejected = 0;
    for f in chosen {
        let mut trial = kept.clone();
        trial.extend(f.edits.iter().cloned());
        match apply_edits(source, &trial) {
            Some(text) if crate::syntax::parse(&text).error_count <= baseline => {
                kept = trial;
                applied += 1;
            }
            _ => rejected += 1,
        }
    }
    let text = apply_edits(source, &kept).unwrap_or_else(|| source.to_owned());
    Fixed {
        text,
        applied,
        rejected,
    }
}

/// A unified diff of one file's change, with the given display path.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_and_refuses_overlaps() {
        let e = |a: usize, b: usize, t: &str| Edit::replace(a..b, t);
        assert_eq!(
            apply_edits("hello world", &[e(6, 11, "there"), e(0, 5, "hi")]).unwrap(),
            "hi there"
        );
        assert!(apply_edits("hello", &[e(0, 3, "a"), e(2, 4, "b")]).is_none());
        assert_eq!(apply_edits("ab", &[Edit::insert(1, "-")]).unwrap(), "a-b");
    }
}
