//! The project model: which `.csproj` a file belongs to, what kind of project it is, and
//! which frameworks it targets. Reads `Directory.Build.props` the way MSBuild does: the
//! nearest one above the project, then the one above that when it imports its parent.

mod framework;

pub use framework::{Framework, Frameworks};

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The kind of a project, from RULES.md's project model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProjectKind {
    Web,
    Ui,
    LegacyAspnet,
    Test,
    Exe,
    Library,
}

impl ProjectKind {
    pub fn name(self) -> &'static str {
        match self {
            ProjectKind::Web => "web",
            ProjectKind::Ui => "ui",
            ProjectKind::LegacyAspnet => "legacy-aspnet",
            ProjectKind::Test => "test",
            ProjectKind::Exe => "exe",
            ProjectKind::Library => "library",
        }
    }
    pub fn parse(s: &str) -> Option<ProjectKind> {
        Some(match s {
            "web" => ProjectKind::Web,
            "ui" => ProjectKind::Ui,
            "legacy-aspnet" => ProjectKind::LegacyAspnet,
            "test" => ProjectKind::Test,
            "exe" => ProjectKind::Exe,
            "library" => ProjectKind::Library,
            _ => return None,
        })
    }
}

/// What asynclint knows of one project.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProjectInfo {
    /// The `.csproj`, or `None` for files outside any project.
    pub path: Option<PathBuf>,
    pub kind: ProjectKind,
    pub frameworks: Frameworks,
    /// `<ImplicitUsings>enable</ImplicitUsings>`: `System.Threading.Tasks` is in scope.
    pub implicit_usings: bool,
    /// The asynclint IDs of `<NoWarn>` (upper case): hidden in the whole project.
    pub no_warn: Vec<String>,
}

impl ProjectInfo {
    pub fn standalone() -> ProjectInfo {
        ProjectInfo {
            path: None,
            kind: ProjectKind::Library,
            frameworks: Frameworks::default(),
            implicit_usings: false,
            no_warn: Vec::new(),
        }
    }
}

/// Resolves files to projects, caching by folder. Problems reading a project file are
/// collected as warnings and the project is treated as a library.
#[derive(Default)]
pub struct ProjectResolver {
    by_dir: FxHashMap<PathBuf, Arc<ProjectInfo>>,
    /// The folder (as written) of the last file asked about, and its project.
    last: Option<(PathBuf, Arc<ProjectInfo>)>,
    pub warnings: Vec<String>,
}

impl ProjectResolver {
    pub fn new() -> Self {
        Self::default()
    }

    /// The project of a source file.
    pub fn project_of(&mut self, file: &Path) -> Arc<ProjectInfo> {
        let dir = file
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .unwrap_or(Path::new("."));
        // Files of one folder come one after another: remember the folder as written, so
        // that only the first file of a folder pays for canonicalizing it.
        if let Some((raw, info)) = &self.last {
            if raw == dir {
                return info.clone();
            }
        }
        let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let info = self.project_of_dir(&canonical);
        self.last = Some((dir.to_path_buf(), info.clone()));
        info
    }

    fn project_of_dir(&mut self, dir: &Path) -> Arc<ProjectInfo> {
        if let Some(p) = self.by_dir.get(dir) {
            return p.clone();
        }
        let info = match find_csproj(dir) {
            Some(csproj) => Arc::new(self.load(&csproj)),
            None => match dir.parent() {
                Some(parent) => self.project_of_dir(parent),
                None => Arc::new(ProjectInfo::standalone()),
            },
        };
        self.by_dir.insert(dir.to_path_buf(), info.clone());
        info
    }

    fn load(&mut self, csproj: &Path) -> ProjectInfo {
        let mut props = Properties::default();
        // Directory.Build.props chain, farthest first so nearer values win.
        let mut chain = Vec::new();
        let mut search = csproj.parent().map(Path::to_path_buf);
        while let Some(dir) = search {
            let candidate = dir.join("Directory.Build.props");
            if candidate.is_file() {
                let imports_parent = std::fs::read_to_string(&candidate)
                    .map(|t| {
                        t.contains("GetPathOfFileAbove")
                            || t.contains("..\\Directory.Build.props")
                            || t.contains("../Directory.Build.props")
                    })
                    .unwrap_or(false);
                chain.push(candidate);
                if !imports_parent {
                    break;
                }
            }
            search = dir.parent().map(Path::to_path_buf);
        }
        for file in chain.iter().rev() {
            self.read_into(file, &mut props);
        }
        self.read_into(csproj, &mut props);
        ProjectInfo {
            path: Some(csproj.to_path_buf()),
            kind: props.kind(),
            frameworks: props.frameworks(),
            implicit_usings: props.get("ImplicitUsings").is_some_and(|v| {
                v.eq_ignore_ascii_case("enable") || v.eq_ignore_ascii_case("true")
            }),
            no_warn: props.no_warn(),
        }
    }

    fn read_into(&mut self, file: &Path, props: &mut Properties) {
        let text = match std::fs::read(file) {
            Ok(bytes) => match crate::workspace::decode(&bytes) {
                Ok(d) => d.text,
                Err(e) => {
                    self.warnings
                        .push(format!("{}: {e}", crate::display_path(file)));
                    return;
                }
            },
            Err(e) => {
                self.warnings
                    .push(format!("{}: cannot read: {e}", crate::display_path(file)));
                return;
            }
        };
        if let Err(e) = props.read(&text) {
            let pos = e.pos();
            self.warnings.push(format!(
                "{}:{}:{}: not a readable project file ({e}); treating it as a library",
                crate::display_path(file),
                pos.row,
                pos.col
            ));
        }
    }
}

/// `text` with every `needle` (ASCII, any case) replaced.
fn replace_ignore_case(text: &str, needle: &str, with: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    let mut out = String::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find(&needle) {
        out.push_str(&text[at..at + i]);
        out.push_str(with);
        at += i + needle.len();
    }
    out.push_str(&text[at..]);
    out
}

fn find_csproj(dir: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "csproj") && p.is_file())
        .collect();
    found.sort();
    found.into_iter().next()
}

/// What is collected from a project file and its imports.
#[derive(Default)]
struct Properties {
    values: FxHashMap<String, String>,
    sdks: Vec<String>,
    packages: Vec<String>,
    references: Vec<String>,
    project_type_guids: String,
    old_style: bool,
}

impl Properties {
    fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
    fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// The IDs of `<NoWarn>` that name asynclint rules, upper case.
    fn no_warn(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .get("NoWarn")
            .unwrap_or("")
            .split([';', ','])
            .map(|s| s.trim().to_ascii_uppercase())
            .filter(|s| s.starts_with("ASYNC"))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    fn read(&mut self, text: &str) -> Result<(), roxmltree::Error> {
        let doc = roxmltree::Document::parse(text)?;
        let root = doc.root_element();
        if let Some(sdk) = root.attribute("Sdk") {
            self.sdks
                .extend(sdk.split(';').map(|s| s.trim().to_owned()));
        } else if root.has_tag_name("Project")
            && (root.attribute("ToolsVersion").is_some()
                || root
                    .tag_name()
                    .namespace()
                    .is_some_and(|ns| ns.contains("msbuild/2003")))
        {
            self.old_style = true;
        }
        for node in root.descendants().filter(|n| n.is_element()) {
            let tag = node.tag_name().name();
            match tag {
                "Sdk" | "Import" => {
                    if let Some(s) = node
                        .attribute("Sdk")
                        .or_else(|| (tag == "Sdk").then(|| node.attribute("Name")).flatten())
                    {
                        self.sdks.push(s.to_owned());
                    }
                }
                "PackageReference" => {
                    if let Some(s) = node.attribute("Include").or(node.attribute("Update")) {
                        self.packages.push(s.to_owned());
                    }
                }
                "Reference" => {
                    if let Some(s) = node.attribute("Include") {
                        self.references
                            .push(s.split(',').next().unwrap_or(s).trim().to_owned());
                    }
                }
                "ProjectTypeGuids" => {
                    self.project_type_guids
                        .push_str(&node.text().unwrap_or("").to_ascii_lowercase());
                }
                _ => {
                    if node
                        .parent_element()
                        .is_some_and(|p| p.has_tag_name("PropertyGroup"))
                    {
                        let key = tag.to_ascii_lowercase();
                        let mut value = node.text().unwrap_or("").trim().to_owned();
                        // `<NoWarn>$(NoWarn);ASYNC101</NoWarn>` adds to what was set before.
                        if key == "nowarn" {
                            let before = self.values.get(&key).cloned().unwrap_or_default();
                            value = replace_ignore_case(&value, "$(NoWarn)", &before);
                        }
                        self.values.insert(key, value);
                    }
                }
            }
        }
        Ok(())
    }

    fn kind(&self) -> ProjectKind {
        let sdk_is = |needle: &str| {
            self.sdks.iter().any(|s| {
                s.to_ascii_lowercase()
                    .starts_with(&needle.to_ascii_lowercase())
            })
        };
        let package = |prefix: &str| {
            self.packages.iter().any(|p| {
                p.to_ascii_lowercase()
                    .starts_with(&prefix.to_ascii_lowercase())
            })
        };
        if sdk_is("Microsoft.NET.Sdk.Web")
            || sdk_is("Microsoft.NET.Sdk.Razor")
            || sdk_is("Microsoft.NET.Sdk.BlazorWebAssembly")
        {
            return ProjectKind::Web;
        }
        const WPF: &str = "{60dc8134-eba5-43b8-bcc9-bb4bc16c2548}";
        if self.is_true("UseWPF")
            || self.is_true("UseWindowsForms")
            || self.is_true("UseMaui")
            || self.is_true("UseWinUI")
            || sdk_is("Microsoft.NET.Sdk.WindowsDesktop")
            || package("Avalonia")
            || package("Uno.WinUI")
            || package("Uno.UI")
            || package("Microsoft.WindowsAppSDK")
            || package("Microsoft.Maui")
            || self.project_type_guids.contains(WPF)
            || (self.old_style
                && self.references.iter().any(|r| {
                    r.eq_ignore_ascii_case("System.Windows.Forms")
                        || r.eq_ignore_ascii_case("PresentationFramework")
                })
                && self
                    .get("OutputType")
                    .is_some_and(|o| o.eq_ignore_ascii_case("WinExe")))
        {
            return ProjectKind::Ui;
        }
        const WEB_APP: &str = "{349c5851-65df-11da-9384-00065b846f21}";
        if self.old_style
            && (self.project_type_guids.contains(WEB_APP)
                || self.references.iter().any(|r| {
                    r.eq_ignore_ascii_case("System.Web") || r.starts_with("System.Web.Mvc")
                }))
        {
            return ProjectKind::LegacyAspnet;
        }
        if self.is_true("IsTestProject")
            || [
                "xunit",
                "nunit",
                "mstest",
                "microsoft.net.test.sdk",
                "tunit",
            ]
            .iter()
            .any(|p| package(p))
        {
            return ProjectKind::Test;
        }
        if self
            .get("OutputType")
            .is_some_and(|o| o.eq_ignore_ascii_case("Exe") || o.eq_ignore_ascii_case("WinExe"))
            || sdk_is("Microsoft.NET.Sdk.Worker")
        {
            return ProjectKind::Exe;
        }
        ProjectKind::Library
    }

    fn frameworks(&self) -> Frameworks {
        let raw = self
            .get("TargetFrameworks")
            .filter(|s| !s.is_empty())
            .or_else(|| self.get("TargetFramework"))
            .or_else(|| {
                self.get("TargetFrameworkVersion")
                    .filter(|_| self.old_style)
            });
        match raw {
            Some(v) if self.old_style && v.starts_with('v') => {
                // `<TargetFrameworkVersion>v4.7.2</TargetFrameworkVersion>`
                Frameworks::parse(&format!("net{}", v[1..].replace('.', "")))
            }
            Some(v) => Frameworks::parse(v),
            None if self.old_style => Frameworks::parse("net40"),
            None => Frameworks::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(xml: &str) -> ProjectKind {
        let mut p = Properties::default();
        p.read(xml).unwrap();
        p.kind()
    }

    #[test]
    fn classifies_projects() {
        assert_eq!(
            kind_of(r#"<Project Sdk="Microsoft.NET.Sdk.Web"></Project>"#),
            ProjectKind::Web
        );
        assert_eq!(
            kind_of(
                r#"<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><UseWPF>true</UseWPF></PropertyGroup></Project>"#
            ),
            ProjectKind::Ui
        );
        assert_eq!(
            kind_of(
                r#"<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><PackageReference Include="Avalonia" Version="11" /></ItemGroup></Project>"#
            ),
            ProjectKind::Ui
        );
        assert_eq!(
            kind_of(
                r#"<Project ToolsVersion="15.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003"><ItemGroup><Reference Include="System.Web" /></ItemGroup></Project>"#
            ),
            ProjectKind::LegacyAspnet
        );
        assert_eq!(
            kind_of(
                r#"<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><PackageReference Include="xunit" /></ItemGroup></Project>"#
            ),
            ProjectKind::Test
        );
        assert_eq!(
            kind_of(
                r#"<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType></PropertyGroup></Project>"#
            ),
            ProjectKind::Exe
        );
        assert_eq!(
            kind_of(r#"<Project Sdk="Microsoft.NET.Sdk"></Project>"#),
            ProjectKind::Library
        );
    }

    #[test]
    fn malformed_project_is_an_error_not_a_panic() {
        let mut p = Properties::default();
        let err = p.read("<Project><PropertyGroup></Project>").unwrap_err();
        assert_eq!(err.pos().row, 1, "{err}");
    }

    #[test]
    fn no_warn_accumulates_through_imports() {
        let mut p = Properties::default();
        p.read(
            r#"<Project><PropertyGroup><NoWarn>CS1591;async101</NoWarn></PropertyGroup></Project>"#,
        )
        .unwrap();
        p.read(r#"<Project><PropertyGroup><NoWarn>$(NoWarn);ASYNC201, ASYNC203</NoWarn></PropertyGroup></Project>"#)
            .unwrap();
        assert_eq!(p.no_warn(), vec!["ASYNC101", "ASYNC201", "ASYNC203"]);
        // Without `$(NoWarn)` the nearer file replaces the value, as in MSBuild.
        p.read(r#"<Project><PropertyGroup><NoWarn>ASYNC102</NoWarn></PropertyGroup></Project>"#)
            .unwrap();
        assert_eq!(p.no_warn(), vec!["ASYNC102"]);
    }
}
