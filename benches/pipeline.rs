//! Throughput of parsing alone and of the whole pipeline.
//!
//! ```sh
//! cargo bench --bench pipeline                               # a generated corpus (20 MB)
//! ASYNCLINT_BENCH_PATH=/path/to/repo cargo bench --bench pipeline
//! ```
//!
//! Without `ASYNCLINT_BENCH_PATH` the bench writes a corpus of generated C# to a temporary
//! folder: several projects (library, web, WPF, test, console) whose files are mostly plain
//! code with no async at all — models, helpers, in-memory repositories — and some async
//! services, a few of them with the mistakes asynclint looks for. Identifiers, member counts
//! and file sizes vary, so no two files are alike.
//!
//! Measured, each the best of a few runs:
//! - parse: `asynclint::syntax::parse` on every file's decoded text (read beforehand),
//!   in parallel on the rayon pool and on one thread;
//! - pipeline: `asynclint::lint_paths` on the folder (discovery, project model, reading,
//!   decoding, the declaration index and every rule);
//! - the cache, on a copy of the folder: cold (an empty cache folder, filled by the run),
//!   warm (nothing changed), one method body edited.
//!
//! The parallel parse, the pipeline and the cold run are measured in turns (parse, pipeline,
//! cold, parse, ...), so that a machine whose speed drifts slows them alike.
//!
//! Settings (environment): `ASYNCLINT_BENCH_PATH` (lint this folder instead),
//! `ASYNCLINT_BENCH_MB` (size of the generated corpus in MB, default 20), `ASYNCLINT_BENCH_RUNS`
//! (runs per measurement, default 3), `ASYNCLINT_BENCH_VERBOSE` (print every run's time).

use asynclint::{lint_paths, FixMode, Settings};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let started = Instant::now();
    let runs = env_usize("ASYNCLINT_BENCH_RUNS", 3).max(1);
    let _corpus_dir; // keeps the generated corpus alive until the end
    let root: PathBuf = match std::env::var_os("ASYNCLINT_BENCH_PATH") {
        Some(p) => {
            let p = PathBuf::from(p);
            println!("corpus: {}", p.display());
            p
        }
        None => {
            let mb = env_usize("ASYNCLINT_BENCH_MB", 20).max(1);
            let dir = tempfile::Builder::new()
                .prefix("asynclint-bench-")
                .tempdir()
                .expect("a temporary folder");
            let t = Instant::now();
            let stats = generate_corpus(dir.path(), mb * 1_000_000);
            println!(
                "corpus: generated in {:.2} s: {} projects, {} files, {:.1} MB in {}",
                t.elapsed().as_secs_f64(),
                stats.projects,
                stats.files,
                mb_of(stats.bytes),
                dir.path().display()
            );
            let p = dir.path().to_path_buf();
            _corpus_dir = dir;
            p
        }
    };

    // The files, read and decoded once: parsing is measured on text in memory.
    let discovered = asynclint::workspace::discover(std::slice::from_ref(&root));
    let texts: Vec<String> = discovered
        .files
        .iter()
        .filter_map(|f| std::fs::read(f).ok())
        .filter_map(|b| asynclint::workspace::decode(&b).ok())
        .map(|d| d.text)
        .collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let files = texts.len();
    if files == 0 {
        eprintln!("no .cs files under {}", root.display());
        std::process::exit(2);
    }
    let threads = rayon::current_num_threads();
    println!(
        "{files} files, {:.1} MB; {runs} runs per measurement, best shown; {threads} threads\n",
        mb_of(bytes)
    );

    let settings = Settings::default();
    // The cache runs (cold: filling an empty cache; warm: nothing changed; one body edited)
    // use a copy of the corpus, so that the edit never touches the original.
    let copy = tempfile::Builder::new()
        .prefix("asynclint-bench-copy-")
        .tempdir()
        .expect("a temporary folder");
    for (f, text) in discovered.files.iter().zip(&texts) {
        let rel = f.strip_prefix(&root).unwrap_or(f);
        let dest = copy.path().join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).ok();
        std::fs::write(&dest, text).ok();
    }
    for f in project_files(&root) {
        let rel = f.strip_prefix(&root).unwrap_or(&f);
        let dest = copy.path().join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).ok();
        std::fs::copy(&f, &dest).ok();
    }
    let copy_root = copy.path().to_path_buf();
    // The copy on disk before anything is timed: no write-back competes with the runs.
    for f in &discovered.files {
        let rel = f.strip_prefix(&root).unwrap_or(f);
        if let Ok(file) = std::fs::File::open(copy.path().join(rel)) {
            let _ = file.sync_all();
        }
    }
    let lint_with_cache = |dir: &Path| {
        let opts = asynclint::RunOptions {
            fix: FixMode::None,
            cache_dir: Some(dir.to_path_buf()),
            config: asynclint::config::ConfigMode::Off,
        };
        asynclint::lint_paths_with(std::slice::from_ref(&copy_root), &settings, &opts);
    };

    // Parse, parallel, the whole pipeline and the cold cache run: measured in turns, so that
    // a machine whose speed drifts slows them alike.
    let mut syntax_errors = 0;
    let mut linted = 0;
    let mut findings = 0;
    let mut parsed = asynclint::engine::stats::ParseStats::default();
    let mut parse_times = Vec::new();
    let mut pipeline_times = Vec::new();
    let mut cold_times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        syntax_errors = texts
            .par_iter()
            .map(|t| usize::from(asynclint::syntax::parse(t).has_errors()))
            .sum();
        parse_times.push(t.elapsed());
        asynclint::engine::stats::take();
        let t = Instant::now();
        let out = lint_paths(std::slice::from_ref(&root), &settings, FixMode::None);
        pipeline_times.push(t.elapsed());
        parsed = asynclint::engine::stats::take();
        linted = out.files.len();
        findings = out.files.iter().map(|f| f.diagnostics.len()).sum();
        // Cold: an empty cache folder, filled by the run.
        let empty = tempfile::tempdir().expect("a temporary folder");
        let t = Instant::now();
        lint_with_cache(empty.path());
        cold_times.push(t.elapsed());
    }
    if std::env::var_os("ASYNCLINT_BENCH_VERBOSE").is_some() {
        eprintln!(
            "  parse runs: {parse_times:?}\n  pipeline runs: {pipeline_times:?}\n  cold cache runs: {cold_times:?}"
        );
    }
    let parse_par = parse_times.into_iter().min().expect("at least one run");
    let pipeline = pipeline_times.into_iter().min().expect("at least one run");
    let cold = cold_times.into_iter().min().expect("at least one run");
    // Parse, one thread: the per-core cost.
    let parse_one = best_of(runs, || {
        let nodes: usize = texts
            .iter()
            .map(|t| asynclint::syntax::parse(t).len())
            .sum();
        std::hint::black_box(nodes);
    });

    println!(
        "{:<22} {:>8} {:>9} {:>9} {:>11} {:>9}",
        "", "files", "MB", "seconds", "files/s", "MB/s"
    );
    row("parse", files, bytes, parse_par);
    row("parse (1 thread)", files, bytes, parse_one);
    row("pipeline (lint_paths)", linted, bytes, pipeline);
    println!();
    println!(
        "pipeline / parse: {:.2}x",
        pipeline.as_secs_f64() / parse_par.as_secs_f64()
    );
    println!("files with syntax errors: {syntax_errors}; findings: {findings}");
    println!(
        "rules pass parsed {} of {files} files ({:.1} of {:.1} MB; {} of them twice), {:.1} MB of it in quiet bodies not read: {:.1} MB really parsed ({:.0}%)",
        parsed.files,
        mb_of(parsed.bytes as usize),
        mb_of(bytes),
        parsed.reparsed,
        mb_of(parsed.elided as usize),
        mb_of((parsed.bytes - parsed.elided) as usize),
        100.0 * (parsed.bytes - parsed.elided) as f64 / bytes.max(1) as f64
    );

    // The project index: declaration summaries from the skim, trees never built.
    let skim = best_of(runs, || {
        let n: usize = texts
            .par_iter()
            .map(|t| asynclint::semantic::skim(t, 0).types.len())
            .sum();
        std::hint::black_box(n);
    });
    let summaries: Vec<_> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| asynclint::semantic::skim(t, i as u32))
        .collect();
    let t = Instant::now();
    let index = asynclint::semantic::ProjectIndex::from_summaries(summaries);
    let index_build = t.elapsed();
    println!();
    row("skim (index pass)", files, bytes, skim);
    println!(
        "index: {} types from {} files, about {:.1} MB ({:.2} MB per source MB)",
        index.type_count(),
        index.file_count(),
        mb_of(index.heap_bytes()),
        index.heap_bytes() as f64 / bytes as f64
    );
    println!(
        "index build (merge, awaitable names): {:.3} s",
        index_build.as_secs_f64()
    );
    drop(index);

    let cache_dir = tempfile::tempdir().expect("a temporary folder");
    let lint = || lint_with_cache(cache_dir.path());
    lint();
    let warm = best_of(runs, lint);
    // Edit one method body: a statement before the first `return ` of a file that has one.
    let edited = discovered
        .files
        .iter()
        .zip(&texts)
        .find(|(_, t)| t.contains("return "))
        .map(|(f, t)| {
            (
                copy.path().join(f.strip_prefix(&root).unwrap_or(f)),
                t.clone(),
            )
        });
    let mut edit_times = Vec::new();
    if let Some((path, text)) = &edited {
        for i in 0..runs {
            let changed = text.replacen("return ", &format!("var benchEdit{i} = {i}; return "), 1);
            std::fs::write(path, changed).expect("write the edited file");
            let t = Instant::now();
            lint();
            edit_times.push(t.elapsed());
        }
    }
    let edit = edit_times.into_iter().min().unwrap_or_default();
    println!();
    println!("{:<34} {:>9} {:>16}", "", "seconds", "x parse (par)");
    let ratio = |d: Duration| d.as_secs_f64() / parse_par.as_secs_f64();
    println!(
        "{:<34} {:>9.3} {:>16.3}",
        "parse every file (the floor)",
        parse_par.as_secs_f64(),
        1.0
    );
    println!(
        "{:<34} {:>9.3} {:>16.3}",
        "pipeline, no cache",
        pipeline.as_secs_f64(),
        ratio(pipeline)
    );
    println!(
        "{:<34} {:>9.3} {:>16.3}",
        "pipeline, cold cache",
        cold.as_secs_f64(),
        ratio(cold)
    );
    println!(
        "{:<34} {:>9.3} {:>16.3}",
        "pipeline, warm cache",
        warm.as_secs_f64(),
        ratio(warm)
    );
    println!(
        "{:<34} {:>9.3} {:>16.3}",
        "pipeline, one body edited",
        edit.as_secs_f64(),
        ratio(edit)
    );
    if let Some(hwm) = peak_rss_mb() {
        println!(
            "\npeak RSS of the bench process: {hwm:.0} MB (includes the corpus held in memory)"
        );
    }
    println!("cores: {threads}");
    println!("bench time: {:.1} s", started.elapsed().as_secs_f64());
}

/// `.csproj` and `Directory.Build.props` files under a folder (copied with the corpus).
fn project_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "csproj")
                || p.file_name().is_some_and(|n| n == "Directory.Build.props")
            {
                out.push(p);
            }
        }
    }
    out
}

/// The process's peak resident set (Linux: VmHWM), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn row(name: &str, files: usize, bytes: usize, d: Duration) {
    let s = d.as_secs_f64();
    println!(
        "{name:<22} {files:>8} {:>9.1} {s:>9.3} {:>11.0} {:>9.1}",
        mb_of(bytes),
        files as f64 / s,
        mb_of(bytes) / s
    );
}

/// The best of `runs` timed calls (the first run also warms caches up).
fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    let times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    if std::env::var_os("ASYNCLINT_BENCH_VERBOSE").is_some() {
        eprintln!("  runs: {:?}", times);
    }
    times.into_iter().min().expect("at least one run")
}

fn mb_of(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

// ---- the generated corpus -------------------------------------------------------------------

struct CorpusStats {
    projects: usize,
    files: usize,
    bytes: usize,
}

/// A small deterministic generator (xorshift64*): the same corpus on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.range(0, items.len() - 1)]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.range(1, 100) <= percent
    }
}

#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "Account", "Address", "Alert", "Archive", "Asset", "Basket", "Batch", "Booking", "Branch",
    "Budget", "Campaign", "Carrier", "Catalog", "Channel", "Claim", "Client", "Comment",
    "Contract", "Coupon", "Customer", "Delivery", "Device", "Discount", "Document", "Employee",
    "Entry", "Farm", "Feed", "Firmware", "Fleet", "Forecast", "Grade", "Holiday", "Import",
    "Invoice", "Journal", "Ledger", "License", "Listing", "Locker", "Manifest", "Meter",
    "Metric", "Order", "Package", "Parcel", "Patient", "Payment", "Payroll", "Permit", "Policy",
    "Portfolio", "Price", "Product", "Profile", "Quote", "Rating", "Reading", "Receipt",
    "Refund", "Region", "Rental", "Report", "Reservation", "Review", "Route", "Sample",
    "Schedule", "Sensor", "Session", "Shipment", "Shift", "Sku", "Snapshot", "Station",
    "Subscription", "Supplier", "Survey", "Tariff", "Tax", "Tenant", "Ticket", "Timesheet",
    "Transfer", "Trip", "Unit", "Vehicle", "Vendor", "Visit", "Voucher", "Warehouse",
    "Warranty", "Workflow", "Zone",
];
#[rustfmt::skip]
const VERBS: &[&str] = &[
    "Apply", "Approve", "Archive", "Assign", "Audit", "Build", "Calculate", "Check", "Close",
    "Collect", "Compare", "Compute", "Convert", "Count", "Create", "Delete", "Dispatch",
    "Export", "Fetch", "Filter", "Find", "Format", "Group", "Import", "Index", "Load", "Lock",
    "Map", "Merge", "Normalize", "Notify", "Open", "Parse", "Plan", "Post", "Price", "Print",
    "Publish", "Rank", "Rebuild", "Reconcile", "Refresh", "Register", "Reject", "Release",
    "Render", "Resolve", "Restore", "Review", "Route", "Save", "Schedule", "Score", "Send",
    "Settle", "Sort", "Split", "Submit", "Summarize", "Sync", "Tag", "Track", "Transform",
    "Update", "Upload", "Validate", "Verify",
];
#[rustfmt::skip]
const ADJECTIVES: &[&str] = &[
    "Active", "Annual", "Archived", "Cached", "Current", "Daily", "Default", "Draft", "Expired",
    "External", "Final", "Global", "Hourly", "Inbound", "Internal", "Legacy", "Local",
    "Monthly", "Outbound", "Pending", "Primary", "Public", "Recent", "Remote", "Scheduled",
    "Secondary", "Shared", "Standard", "Temporary", "Weekly",
];
#[rustfmt::skip]
const SCALARS: &[&str] = &[
    "int", "long", "string", "decimal", "double", "bool", "DateTime", "DateTimeOffset", "Guid",
    "TimeSpan", "string?", "int?", "decimal?",
];
#[rustfmt::skip]
const COMPANIES: &[&str] = &[
    "Contoso", "Fabrikam", "Northwind", "Tailspin", "Adatum", "Litware", "Proseware",
];

/// A noun, now and then with an adjective in front (`PendingInvoice`).
fn noun(r: &mut Rng) -> String {
    let n = r.pick(NOUNS);
    if r.chance(25) {
        format!("{}{}", r.pick(ADJECTIVES), n)
    } else {
        n.to_owned()
    }
}

/// The initializer a non-nullable reference property gets.
fn default_of(ty: &str) -> &'static str {
    if ty == "string" {
        " = \"\";"
    } else {
        ""
    }
}

fn literal_of(ty: &str, r: &mut Rng) -> String {
    match ty.trim_end_matches('?') {
        "int" | "long" => r.range(0, 5000).to_string(),
        "decimal" => format!("{}.{:02}m", r.range(0, 999), r.range(0, 99)),
        "double" => format!("{}.{}", r.range(0, 99), r.range(0, 9)),
        "bool" => if r.chance(50) { "true" } else { "false" }.to_owned(),
        "string" => format!("\"{}-{}\"", r.pick(NOUNS).to_lowercase(), r.range(1, 999)),
        "DateTime" => format!(
            "new DateTime({}, {}, {})",
            r.range(2015, 2026),
            r.range(1, 12),
            r.range(1, 28)
        ),
        "DateTimeOffset" => "DateTimeOffset.UtcNow".to_owned(),
        "Guid" => "Guid.NewGuid()".to_owned(),
        _ => format!("TimeSpan.FromMinutes({})", r.range(1, 90)),
    }
}

struct Project {
    dir: PathBuf,
    namespace: String,
    /// Share (percent) of async service files; the rest is plain code.
    async_share: usize,
}

fn generate_corpus(root: &Path, target_bytes: usize) -> CorpusStats {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let kinds: &[(&str, &str, usize)] = &[
        // (folder suffix, csproj body, async share)
        ("Core", LIBRARY_CSPROJ, 15),
        ("Web", WEB_CSPROJ, 35),
        ("Desktop", WPF_CSPROJ, 25),
        ("Tests", TEST_CSPROJ, 30),
        ("Tool", EXE_CSPROJ, 20),
        ("Domain", LIBRARY_CSPROJ, 5),
        ("Infrastructure", LIBRARY_CSPROJ, 40),
        ("Api", WEB_CSPROJ, 35),
        ("Reporting", LIBRARY_CSPROJ, 10),
        ("Admin", WPF_CSPROJ, 25),
        ("Integration", TEST_CSPROJ, 30),
        ("Shared", LIBRARY_CSPROJ, 5),
    ];
    let mut projects = Vec::new();
    for (i, (suffix, csproj, share)) in kinds.iter().enumerate() {
        let company = COMPANIES[i % COMPANIES.len()];
        let name = format!("{company}.{suffix}");
        let dir = root.join("src").join(&name);
        std::fs::create_dir_all(&dir).expect("create a project folder");
        std::fs::write(dir.join(format!("{name}.csproj")), csproj).expect("write a project file");
        projects.push(Project {
            dir,
            namespace: name,
            async_share: *share,
        });
    }
    let mut stats = CorpusStats {
        projects: projects.len(),
        files: 0,
        bytes: 0,
    };
    let mut seq = 0usize;
    while stats.bytes < target_bytes {
        let p = &projects[seq % projects.len()];
        seq += 1;
        let module = r.pick(NOUNS);
        let dir = p.dir.join(format!("{module}s"));
        let (name, text) = if r.chance(p.async_share) {
            if r.chance(35) {
                problem_file(&mut r, &p.namespace, module, seq)
            } else {
                async_service_file(&mut r, &p.namespace, module, seq)
            }
        } else {
            match r.range(0, 9) {
                0..=4 => model_file(&mut r, &p.namespace, module, seq),
                5..=7 => helper_file(&mut r, &p.namespace, module, seq),
                _ => repository_file(&mut r, &p.namespace, module, seq),
            }
        };
        std::fs::create_dir_all(&dir).expect("create a module folder");
        std::fs::write(dir.join(format!("{name}.cs")), &text).expect("write a source file");
        stats.files += 1;
        stats.bytes += text.len();
    }
    stats
}

fn header(out: &mut String, usings: &[&str], namespace: &str, module: &str) {
    for u in usings {
        let _ = writeln!(out, "using {u};");
    }
    let _ = writeln!(out, "\nnamespace {namespace}.{module}s;\n");
}

/// A data class with properties, an enum, validation and formatting: no async at all.
fn model_file(r: &mut Rng, ns: &str, module: &str, seq: usize) -> (String, String) {
    let class = format!(
        "{}{}",
        noun(r),
        if r.chance(40) {
            r.pick(&["Info", "Details", "Record", "Entity", "Dto", "Model"])
        } else {
            ""
        }
    );
    let name = format!("{class}{seq}");
    let mut s = String::new();
    let _ = writeln!(s, "// <auto-generated-for-benchmark file=\"{seq}\" />");
    header(
        &mut s,
        &[
            "System",
            "System.Collections.Generic",
            "System.Globalization",
            "System.Linq",
        ],
        ns,
        module,
    );
    let status = format!("{name}Status");
    let _ = writeln!(s, "public enum {status}\n{{");
    for (i, a) in ADJECTIVES
        .iter()
        .skip(r.range(0, 20))
        .take(r.range(3, 8))
        .enumerate()
    {
        let _ = writeln!(s, "    {a} = {i},");
    }
    let _ = writeln!(s, "}}\n");
    let _ = writeln!(
        s,
        "/// <summary>A {} of the {} module.</summary>",
        class.to_lowercase(),
        module.to_lowercase()
    );
    if r.chance(30) {
        let _ = writeln!(s, "[Serializable]");
    }
    let _ = writeln!(s, "public sealed class {name} : IEquatable<{name}>\n{{");
    let count = r.range(4, 18);
    let mut props: Vec<(String, &str)> = Vec::new();
    for _ in 0..count {
        let ty = r.pick(SCALARS);
        let prop = format!(
            "{}{}",
            r.pick(NOUNS),
            r.pick(&[
                "Id", "Name", "Code", "Count", "Total", "Date", "Amount", "Label", "Limit", "Rate"
            ])
        );
        if props.iter().any(|(p, _)| *p == prop) {
            continue;
        }
        let _ = writeln!(
            s,
            "    public {ty} {prop} {{ get; set; }}{}",
            default_of(ty)
        );
        props.push((prop, ty));
    }
    let _ = writeln!(s, "    public {status} Status {{ get; set; }}");
    let _ = writeln!(
        s,
        "    public List<string> Tags {{ get; }} = new List<string>();\n"
    );
    // Validation.
    let _ = writeln!(s, "    public IReadOnlyList<string> Validate()\n    {{\n        var problems = new List<string>();");
    for (prop, ty) in props.iter().take(r.range(2, 8)) {
        match ty.trim_end_matches('?') {
            "string" => {
                let _ = writeln!(s, "        if (string.IsNullOrWhiteSpace({prop}))\n        {{\n            problems.Add(\"{prop} is required\");\n        }}");
            }
            "int" | "long" | "decimal" | "double" if !ty.ends_with('?') => {
                let _ = writeln!(s, "        if ({prop} < 0)\n        {{\n            problems.Add($\"{prop} must not be negative, was {{{prop}}}\");\n        }}");
            }
            _ => {}
        }
    }
    let _ = writeln!(s, "        return problems;\n    }}\n");
    // Formatting.
    let _ = write!(s, "    public override string ToString() => string.Format(CultureInfo.InvariantCulture, \"{name}");
    for (i, (prop, _)) in props.iter().take(4).enumerate() {
        let _ = write!(s, " {prop}={{{i}}}");
    }
    let _ = write!(s, "\"");
    for (prop, _) in props.iter().take(4) {
        let _ = write!(s, ", {prop}");
    }
    let _ = writeln!(s, ");\n");
    // Equality.
    let key = &props[0].0;
    let _ = writeln!(s, "    public bool Equals({name}? other) => other is not null && Equals({key}, other.{key});\n");
    let _ = writeln!(
        s,
        "    public override bool Equals(object? obj) => obj is {name} other && Equals(other);\n"
    );
    let _ = writeln!(
        s,
        "    public override int GetHashCode() => HashCode.Combine({key});\n"
    );
    // A factory and a copy.
    let _ = writeln!(
        s,
        "    public static {name} CreateSample()\n    {{\n        return new {name}\n        {{"
    );
    for (prop, ty) in props.iter().take(r.range(2, 6)) {
        let _ = writeln!(s, "            {prop} = {},", literal_of(ty, r));
    }
    let _ = writeln!(
        s,
        "            Status = {status}.{},\n        }};\n    }}\n",
        first_member(&s, &status)
    );
    let _ = writeln!(s, "    public {name} Copy()\n    {{\n        var copy = ({name})MemberwiseClone();\n        copy.Tags.Clear();\n        copy.Tags.AddRange(Tags);\n        return copy;\n    }}");
    if r.chance(15) {
        // Plain code that happens to say "Result": the prefilter lets it through.
        let _ = writeln!(s, "\n    public ParseResult TryParseCode(string text)\n    {{\n        var parts = text.Split('-');\n        return parts.Length == 2 && int.TryParse(parts[1], out var n)\n            ? new ParseResult(true, n)\n            : new ParseResult(false, 0);\n    }}\n\n    public readonly record struct ParseResult(bool Success, int Value);");
    }
    let _ = writeln!(s, "}}");
    (name, s)
}

fn first_member(s: &str, enum_name: &str) -> String {
    let start = s.find(&format!("enum {enum_name}")).unwrap_or(0);
    s[start..]
        .lines()
        .nth(2)
        .and_then(|l| l.trim().split(' ').next())
        .unwrap_or("Active")
        .to_owned()
}

/// A static helper class: loops, LINQ, switch expressions, string building. No async.
fn helper_file(r: &mut Rng, ns: &str, module: &str, seq: usize) -> (String, String) {
    let name = format!(
        "{}{}{seq}",
        noun(r),
        r.pick(&[
            "Helper",
            "Extensions",
            "Calculator",
            "Formatter",
            "Rules",
            "Math",
            "Parser"
        ])
    );
    let mut s = String::new();
    header(
        &mut s,
        &[
            "System",
            "System.Collections.Generic",
            "System.Linq",
            "System.Text",
        ],
        ns,
        module,
    );
    let _ = writeln!(s, "public static class {name}\n{{");
    let _ = writeln!(s, "    private const int Limit = {};\n", r.range(10, 500));
    for m in 0..r.range(3, 12) {
        let verb = r.pick(VERBS);
        let thing = r.pick(NOUNS);
        match r.range(0, 4) {
            0 => {
                let _ = writeln!(s, "    public static decimal {verb}{thing}{m}(IEnumerable<decimal> values, decimal factor)\n    {{\n        decimal total = 0m;\n        foreach (var value in values)\n        {{\n            if (value <= 0m)\n            {{\n                continue;\n            }}\n\n            total += Math.Round(value * factor, {});\n        }}\n\n        return total > Limit ? Limit : total;\n    }}\n", r.range(0, 4));
            }
            1 => {
                let _ = writeln!(
                    s,
                    "    public static string {verb}{thing}{m}(int code) => code switch\n    {{"
                );
                for k in 0..r.range(2, 7) {
                    let _ = writeln!(
                        s,
                        "        {} => \"{}\",",
                        k * 10 + r.range(0, 9),
                        r.pick(ADJECTIVES).to_lowercase()
                    );
                }
                let _ = writeln!(s, "        < 0 => throw new ArgumentOutOfRangeException(nameof(code)),\n        _ => \"other\",\n    }};\n");
            }
            2 => {
                let _ = writeln!(s, "    public static IReadOnlyList<string> {verb}{thing}{m}(this IEnumerable<string> items, string prefix)\n    {{\n        return items\n            .Where(i => !string.IsNullOrEmpty(i) && i.StartsWith(prefix, StringComparison.Ordinal))\n            .Select(i => i.Trim().ToUpperInvariant())\n            .Distinct()\n            .OrderBy(i => i.Length)\n            .ThenBy(i => i)\n            .Take(Limit)\n            .ToList();\n    }}\n");
            }
            3 => {
                let _ = writeln!(s, "    public static string {verb}{thing}{m}(IReadOnlyDictionary<string, int> counts)\n    {{\n        var sb = new StringBuilder();\n        foreach (var pair in counts.OrderByDescending(p => p.Value))\n        {{\n            sb.Append(pair.Key).Append(':').Append(pair.Value).Append(';');\n        }}\n\n        return sb.Length == 0 ? \"{}\" : sb.ToString(0, sb.Length - 1);\n    }}\n", r.pick(NOUNS).to_lowercase());
            }
            _ => {
                let _ = writeln!(s, "    public static bool {verb}{thing}{m}(ReadOnlySpan<char> text, out int value)\n    {{\n        value = 0;\n        for (int i = 0; i < text.Length; i++)\n        {{\n            char c = text[i];\n            if (c < '0' || c > '9')\n            {{\n                return false;\n            }}\n\n            value = checked(value * 10 + (c - '0'));\n        }}\n\n        return text.Length > 0;\n    }}\n");
            }
        }
    }
    let _ = writeln!(s, "}}");
    (name, s)
}

/// An interface and an in-memory implementation with a lock. No async.
fn repository_file(r: &mut Rng, ns: &str, module: &str, seq: usize) -> (String, String) {
    let entity = noun(r);
    let name = format!("InMemory{entity}Store{seq}");
    let iface = format!("I{entity}Store{seq}");
    let key = r.pick(&["int", "Guid", "string", "long"]);
    let mut s = String::new();
    header(
        &mut s,
        &["System", "System.Collections.Generic", "System.Linq"],
        ns,
        module,
    );
    let _ = writeln!(s, "public sealed record {entity}Item{seq}({key} Key, string Name, decimal Amount, DateTime UpdatedAt);\n");
    let _ = writeln!(s, "public interface {iface}\n{{\n    {entity}Item{seq}? Get({key} key);\n\n    IReadOnlyList<{entity}Item{seq}> List(int skip, int take);\n\n    void Put({entity}Item{seq} item);\n\n    bool Remove({key} key);\n}}\n");
    let _ = writeln!(s, "public sealed class {name} : {iface}\n{{\n    private readonly Dictionary<{key}, {entity}Item{seq}> _items = new();\n    private readonly object _gate = new();\n");
    let _ = writeln!(s, "    public {entity}Item{seq}? Get({key} key)\n    {{\n        lock (_gate)\n        {{\n            return _items.TryGetValue(key, out var item) ? item : null;\n        }}\n    }}\n");
    let _ = writeln!(s, "    public IReadOnlyList<{entity}Item{seq}> List(int skip, int take)\n    {{\n        lock (_gate)\n        {{\n            return _items.Values.OrderBy(i => i.Name).Skip(skip).Take(take).ToList();\n        }}\n    }}\n");
    let _ = writeln!(s, "    public void Put({entity}Item{seq} item)\n    {{\n        if (item is null)\n        {{\n            throw new ArgumentNullException(nameof(item));\n        }}\n\n        lock (_gate)\n        {{\n            _items[item.Key] = item with {{ UpdatedAt = DateTime.UtcNow }};\n        }}\n    }}\n");
    let _ = writeln!(s, "    public bool Remove({key} key)\n    {{\n        lock (_gate)\n        {{\n            return _items.Remove(key);\n        }}\n    }}\n");
    for m in 0..r.range(0, 4) {
        let verb = r.pick(VERBS);
        let _ = writeln!(s, "    public decimal {verb}Total{m}(Func<{entity}Item{seq}, bool> filter)\n    {{\n        lock (_gate)\n        {{\n            return _items.Values.Where(filter).Sum(i => i.Amount);\n        }}\n    }}\n");
    }
    let _ = writeln!(s, "}}");
    (name, s)
}

/// An async service over HttpClient: awaits, ConfigureAwait, tokens, WhenAll. Clean.
fn async_service_file(r: &mut Rng, ns: &str, module: &str, seq: usize) -> (String, String) {
    let entity = noun(r);
    let name = format!(
        "{entity}{}{seq}",
        r.pick(&["Service", "Client", "Gateway", "Processor", "Synchronizer"])
    );
    let mut s = String::new();
    header(
        &mut s,
        &[
            "System",
            "System.Collections.Generic",
            "System.IO",
            "System.Linq",
            "System.Net.Http",
            "System.Net.Http.Json",
            "System.Threading",
            "System.Threading.Tasks",
        ],
        ns,
        module,
    );
    let _ = writeln!(
        s,
        "public sealed record {entity}Payload{seq}(string Id, string Name, decimal Value);\n"
    );
    let _ = writeln!(s, "public sealed class {name}\n{{\n    private readonly HttpClient _http;\n    private readonly SemaphoreSlim _throttle = new({}, {});\n", r.range(1, 8), 8);
    let _ = writeln!(s, "    public {name}(HttpClient http)\n    {{\n        _http = http ?? throw new ArgumentNullException(nameof(http));\n    }}\n");
    for m in 0..r.range(3, 9) {
        let verb = r.pick(VERBS);
        let path = format!("api/{}/{}", entity.to_lowercase(), verb.to_lowercase());
        match r.range(0, 3) {
            0 => {
                let _ = writeln!(s, "    public async Task<IReadOnlyList<{entity}Payload{seq}>> {verb}Async{m}(CancellationToken cancellationToken = default)\n    {{\n        var items = await _http.GetFromJsonAsync<List<{entity}Payload{seq}>>(\"{path}\", cancellationToken).ConfigureAwait(false);\n        return items ?? new List<{entity}Payload{seq}>();\n    }}\n");
            }
            1 => {
                let _ = writeln!(s, "    public async Task<bool> {verb}Async{m}({entity}Payload{seq} payload, CancellationToken cancellationToken = default)\n    {{\n        await _throttle.WaitAsync(cancellationToken).ConfigureAwait(false);\n        try\n        {{\n            using var response = await _http.PostAsJsonAsync(\"{path}\", payload, cancellationToken).ConfigureAwait(false);\n            return response.IsSuccessStatusCode;\n        }}\n        finally\n        {{\n            _throttle.Release();\n        }}\n    }}\n");
            }
            2 => {
                let _ = writeln!(s, "    public async Task<decimal> {verb}Async{m}(IEnumerable<string> ids, CancellationToken cancellationToken = default)\n    {{\n        var lookups = ids.Select(id => _http.GetFromJsonAsync<{entity}Payload{seq}>($\"{path}/{{id}}\", cancellationToken)).ToArray();\n        var found = await Task.WhenAll(lookups).ConfigureAwait(false);\n        return found.Where(f => f is not null).Sum(f => f!.Value);\n    }}\n");
            }
            _ => {
                let _ = writeln!(s, "    public async Task {verb}Async{m}(Stream destination, CancellationToken cancellationToken = default)\n    {{\n        using var response = await _http.GetAsync(\"{path}\", HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);\n        response.EnsureSuccessStatusCode();\n        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);\n        await body.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);\n    }}\n");
            }
        }
    }
    let _ = writeln!(s, "}}");
    (name, s)
}

/// Async code with the mistakes asynclint reports, among correct code.
fn problem_file(r: &mut Rng, ns: &str, module: &str, seq: usize) -> (String, String) {
    let entity = noun(r);
    let name = format!("{entity}Manager{seq}");
    let mut s = String::new();
    header(
        &mut s,
        &[
            "System",
            "System.Collections.Generic",
            "System.IO",
            "System.Linq",
            "System.Threading",
            "System.Threading.Tasks",
            "Microsoft.EntityFrameworkCore",
        ],
        ns,
        module,
    );
    let _ = writeln!(s, "public class {entity}Row{seq}\n{{\n    public int Id {{ get; set; }}\n    public string Name {{ get; set; }} = \"\";\n    public int Quantity {{ get; set; }}\n}}\n");
    let _ = writeln!(s, "public class {entity}DbContext{seq} : DbContext\n{{\n    public DbSet<{entity}Row{seq}> Rows {{ get; set; }} = null!;\n}}\n");
    let _ = writeln!(s, "public sealed class {name}\n{{\n    private readonly {entity}DbContext{seq} _db;\n    private readonly string _folder;\n\n    public {name}({entity}DbContext{seq} db, string folder)\n    {{\n        _db = db;\n        _folder = folder;\n    }}\n");
    let _ = writeln!(s, "    public Task<int> CountAsync(CancellationToken ct = default) => _db.Rows.CountAsync(ct);\n");
    for m in 0..r.range(3, 8) {
        let verb = r.pick(VERBS);
        match r.range(0, 7) {
            0 => {
                let _ = writeln!(s, "    public int {verb}Count{m}()\n    {{\n        return CountAsync().Result;\n    }}\n");
            }
            1 => {
                let _ = writeln!(s, "    public void {verb}Now{m}()\n    {{\n        {verb}Async{m}(CancellationToken.None).Wait();\n    }}\n\n    public async Task {verb}Async{m}(CancellationToken ct)\n    {{\n        var rows = await _db.Rows.Where(x => x.Quantity > {}).ToListAsync(ct);\n        foreach (var row in rows)\n        {{\n            row.Quantity--;\n        }}\n\n        await _db.SaveChangesAsync(ct);\n    }}\n", r.range(0, 9));
            }
            2 => {
                let _ = writeln!(s, "    public async Task<string> {verb}File{m}(string name)\n    {{\n        Thread.Sleep({});\n        var text = File.ReadAllText(Path.Combine(_folder, name));\n        await Task.Yield();\n        return text.Trim();\n    }}\n", r.range(10, 500));
            }
            3 => {
                let _ = writeln!(s, "    public async Task<List<{entity}Row{seq}>> {verb}Rows{m}()\n    {{\n        var rows = _db.Rows.Where(x => x.Name.StartsWith(\"{}\")).OrderBy(x => x.Id).ToList();\n        _db.SaveChanges();\n        await Task.Delay(1);\n        return rows;\n    }}\n", r.pick(NOUNS).to_lowercase());
            }
            4 => {
                let _ = writeln!(s, "    public async void {verb}Later{m}()\n    {{\n        await Task.Delay({});\n        CountAsync();\n    }}\n", r.range(10, 900));
            }
            5 => {
                let _ = writeln!(s, "    public async Task<int> {verb}Cached{m}()\n    {{\n        return {};\n    }}\n", r.range(0, 99));
            }
            6 => {
                let _ = writeln!(s, "    public async Task<int> {verb}Both{m}(CancellationToken ct)\n    {{\n        Task<int> first = CountAsync(ct);\n        Task<int> second = CountAsync(ct);\n        await Task.WhenAll(first, second);\n        return first.Result + second.Result;\n    }}\n");
            }
            _ => {
                let _ = writeln!(s, "    private async void On{verb}{m}(object sender, EventArgs e)\n    {{\n        _ = CountAsync();\n        await Task.Yield();\n    }}\n");
            }
        }
    }
    let _ = writeln!(s, "}}");
    (name, s)
}

const LIBRARY_CSPROJ: &str = r#"<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
    <Nullable>enable</Nullable>
  </PropertyGroup>
</Project>
"#;

const WEB_CSPROJ: &str = r#"<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
</Project>
"#;

const WPF_CSPROJ: &str = r#"<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>WinExe</OutputType>
    <TargetFramework>net8.0-windows</TargetFramework>
    <UseWPF>true</UseWPF>
    <Nullable>enable</Nullable>
  </PropertyGroup>
</Project>
"#;

const TEST_CSPROJ: &str = r#"<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
    <IsPackable>false</IsPackable>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="17.10.0" />
    <PackageReference Include="xunit" Version="2.9.0" />
  </ItemGroup>
</Project>
"#;

const EXE_CSPROJ: &str = r#"<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net8.0</TargetFramework>
  </PropertyGroup>
</Project>
"#;
