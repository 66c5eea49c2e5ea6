//! Target frameworks: which async APIs exist where.

/// One target framework moniker, classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Framework {
    /// .NET Framework 4.x and older (`net472`).
    NetFramework,
    /// `netstandard1.x` / `netstandard2.0`.
    NetStandard20,
    /// `netstandard2.1`.
    NetStandard21,
    /// .NET Core 2.x / 3.x.
    NetCore2Or3,
    /// .NET 5 and later (`net8.0`, `net8.0-windows`), with the major version.
    Net5Plus(u8),
}

/// The frameworks a project targets; empty means unknown, taken as modern .NET.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Frameworks(pub Vec<Framework>);

impl Frameworks {
    pub fn parse(value: &str) -> Frameworks {
        let list = value
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty() && !s.contains("$("))
            .filter_map(Framework::parse)
            .collect();
        Frameworks(list)
    }
    fn all(&self, f: impl Fn(Framework) -> bool) -> bool {
        self.0.iter().all(|&x| f(x))
    }
    /// `File.ReadAllTextAsync` and friends, `Stream.DisposeAsync`, `await using`.
    pub fn has_async_file_apis(&self) -> bool {
        self.all(|f| {
            matches!(
                f,
                Framework::NetStandard21 | Framework::NetCore2Or3 | Framework::Net5Plus(_)
            )
        })
    }
    /// APIs added in .NET `major` or later (unknown frameworks count as modern .NET).
    pub fn has_net(&self, major: u8) -> bool {
        self.all(|f| matches!(f, Framework::Net5Plus(m) if m >= major))
    }

    /// APIs added in .NET 5+: `Process.WaitForExitAsync`, `HttpClient.Send`.
    pub fn has_net5_apis(&self) -> bool {
        self.has_net(5)
    }
}

impl Framework {
    pub fn parse(tfm: &str) -> Option<Framework> {
        let t = tfm.to_ascii_lowercase();
        let t = t.split('-').next().unwrap_or("");
        if let Some(v) = t.strip_prefix("netstandard") {
            return Some(if v.starts_with("2.1") {
                Framework::NetStandard21
            } else {
                Framework::NetStandard20
            });
        }
        if t.starts_with("netcoreapp") {
            return Some(Framework::NetCore2Or3);
        }
        if let Some(v) = t.strip_prefix("net") {
            if v.contains('.') {
                // net5.0, net8.0
                let major: u32 = v.split('.').next()?.parse().ok()?;
                return Some(if major >= 5 {
                    Framework::Net5Plus(major.min(255) as u8)
                } else {
                    Framework::NetFramework
                });
            }
            // net472, net48, net20
            return v
                .chars()
                .all(|c| c.is_ascii_digit())
                .then_some(Framework::NetFramework);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_monikers() {
        assert_eq!(
            Framework::parse("net8.0-windows"),
            Some(Framework::Net5Plus(8))
        );
        assert!(Frameworks::parse("net6.0").has_net(6));
        assert!(!Frameworks::parse("net6.0;net8.0").has_net(7));
        assert_eq!(Framework::parse("net472"), Some(Framework::NetFramework));
        assert_eq!(
            Framework::parse("netstandard2.0"),
            Some(Framework::NetStandard20)
        );
        assert!(Frameworks::parse("net6.0;net8.0").has_net5_apis());
        assert!(!Frameworks::parse("netstandard2.0;net8.0").has_async_file_apis());
        assert!(Frameworks::default().has_net5_apis());
    }
}
