//! Fingerprints of findings, shared by SARIF's `partialFingerprints` and baselines: a hash of
//! the rule, the path and the text of the flagged line(s) with all whitespace removed, plus
//! an occurrence counter for findings whose rule, path and text are the same. Line numbers
//! are not part of it, so a finding keeps its fingerprint when lines are inserted above it
//! or the code is re-indented; it changes when the flagged code changes.
//!
//! The hash is FNV-1a (64 bits), written out here so that it never changes with a Rust
//! release: fingerprints are stored in baselines and by code-scanning services.

use super::LineIndex;
use crate::diagnostic::Diagnostic;
use rustc_hash::FxHashMap;

/// At most this many lines of a multi-line finding take part (its first ones).
const MAX_LINES: usize = 3;

/// The fingerprint version, part of SARIF's `partialFingerprints` key.
pub const KEY: &str = "asynclint/v1";

/// Fingerprints of `diagnostics` (in the order given, which must be the file's order:
/// position, then rule) of the file shown as `path` with text `source`.
pub fn fingerprints(path: &str, source: &str, diagnostics: &[&Diagnostic]) -> Vec<String> {
    let idx = LineIndex::new(source);
    let mut seen: FxHashMap<(String, String), u32> = FxHashMap::default();
    diagnostics
        .iter()
        .map(|d| {
            let text = flagged_text(&idx, source, d);
            let n = seen.entry((d.rule.to_owned(), text.clone())).or_insert(0);
            let occurrence = *n;
            *n += 1;
            let mut h = Fnv::new();
            for part in [d.rule, path, &text, &occurrence.to_string()] {
                h.write(part.as_bytes());
                h.write(&[0]);
            }
            format!("{:016x}", h.0)
        })
        .collect()
}

/// The flagged lines, whitespace removed.
fn flagged_text(idx: &LineIndex<'_>, source: &str, d: &Diagnostic) -> String {
    let (first, _) = idx.position(d.range.start);
    let (last, _) = idx.position(d.range.end.max(d.range.start));
    let last = last.min(first + MAX_LINES - 1).min(idx.line_count());
    (first..=last)
        .flat_map(|l| source[idx.line_range(l)].chars())
        .filter(|c| !c.is_whitespace())
        .collect()
}

struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn diag(src: &str, needle: &str, nth: usize) -> Diagnostic {
        let at = src.match_indices(needle).nth(nth).unwrap().0;
        Diagnostic {
            rule: "ASYNC101",
            name: "blocking-wait",
            severity: Severity::Warning,
            range: at..at + needle.len(),
            message: String::new(),
            help: None,
            fix: None,
        }
    }

    fn fp(src: &str, needles: &[(&str, usize)]) -> Vec<String> {
        let ds: Vec<Diagnostic> = needles.iter().map(|(n, i)| diag(src, n, *i)).collect();
        let refs: Vec<&Diagnostic> = ds.iter().collect();
        fingerprints("a.cs", src, &refs)
    }

    #[test]
    fn stable_when_lines_move_and_whitespace_changes() {
        let a = fp("class C {\n  int M() => t.Result;\n}\n", &[("t.Result", 0)]);
        let b = fp(
            "// new\n\nclass C {\n\n        int  M()  =>  t.Result;\n}\n",
            &[("t.Result", 0)],
        );
        assert_eq!(a, b);
        let c = fp("class C {\n  int M() => u.Result;\n}\n", &[("u.Result", 0)]);
        assert_ne!(a, c, "changed code, new fingerprint");
        assert_eq!(a[0].len(), 16);
    }

    #[test]
    fn identical_lines_are_told_apart_by_occurrence() {
        let src = "x = t.Result;\nx = t.Result;\n";
        let two = fp(src, &[("t.Result", 0), ("t.Result", 1)]);
        assert_ne!(two[0], two[1]);
        let one = fp("x = t.Result;\n", &[("t.Result", 0)]);
        assert_eq!(one[0], two[0]);
    }
}
