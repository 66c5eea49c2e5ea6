//! A small, text-level model of a C# type reference: `Task<List<int>>?`, `Task[]`,
//! `System.Threading.Tasks.ValueTask<T>`. Namespaces are dropped: the last segment names
//! the type, which is what the built-in tables key on.

#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Ty {
    /// The simple name, without namespace or `global::` (`Task`, `List`, `int`).
    pub name: String,
    pub args: Vec<Ty>,
    /// Array rank nesting: `Task[]` has one.
    pub arrays: u8,
    pub nullable: bool,
}

impl Ty {
    pub fn simple(name: &str) -> Ty {
        Ty {
            name: name.to_owned(),
            args: Vec::new(),
            arrays: 0,
            nullable: false,
        }
    }
    pub fn generic(name: &str, args: Vec<Ty>) -> Ty {
        Ty {
            args,
            ..Ty::simple(name)
        }
    }
    /// The unknown type, used for generic arguments the tool cannot name.
    pub fn unknown() -> Ty {
        Ty::simple("?")
    }
    pub fn is_unknown(&self) -> bool {
        self.name == "?"
    }

    /// Parses a type as written in source. Returns `None` for text that is not a type.
    pub fn parse(text: &str) -> Option<Ty> {
        let mut p = TyParser {
            s: text.as_bytes(),
            i: 0,
        };
        let ty = p.ty(0)?;
        p.ws();
        (p.i == p.s.len()).then_some(ty)
    }

    /// The element type of an array or of a generic collection of one argument.
    pub fn element(&self) -> Option<&Ty> {
        if self.arrays > 0 {
            return None; // callers use `without_array`
        }
        const COLLECTIONS: &[&str] = &[
            "Collection",
            "ConcurrentBag",
            "HashSet",
            "ICollection",
            "IEnumerable",
            "IList",
            "IReadOnlyCollection",
            "IReadOnlyList",
            "ImmutableArray",
            "List",
            "ReadOnlyCollection",
        ];
        if self.args.len() == 1 && COLLECTIONS.binary_search(&self.name.as_str()).is_ok() {
            return self.args.first();
        }
        None
    }

    /// For `T[]`, `T`; for collections, their element.
    pub fn item_type(&self) -> Option<Ty> {
        if self.arrays > 0 {
            let mut t = self.clone();
            t.arrays -= 1;
            t.nullable = false;
            return Some(t);
        }
        self.element().cloned()
    }
}

impl std::fmt::Display for Ty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.name)?;
        if !self.args.is_empty() {
            write!(f, "<")?;
            for (i, a) in self.args.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{a}")?;
            }
            write!(f, ">")?;
        }
        for _ in 0..self.arrays {
            write!(f, "[]")?;
        }
        if self.nullable {
            write!(f, "?")?;
        }
        Ok(())
    }
}

struct TyParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl TyParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn ident(&mut self) -> Option<&str> {
        self.ws();
        let start = self.i;
        if self.s.get(self.i) == Some(&b'@') {
            self.i += 1;
        }
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric()
                || self.s[self.i] == b'_'
                || self.s[self.i] >= 0x80)
        {
            self.i += 1;
        }
        (self.i > start).then(|| std::str::from_utf8(&self.s[start..self.i]).unwrap_or(""))
    }
    fn ty(&mut self, depth: usize) -> Option<Ty> {
        if depth > 32 {
            return None;
        }
        self.ws();
        if self.eat(b'(') {
            // Tuple types: keep them opaque.
            let mut level = 1;
            while self.i < self.s.len() && level > 0 {
                match self.s[self.i] {
                    b'(' => level += 1,
                    b')' => level -= 1,
                    _ => {}
                }
                self.i += 1;
            }
            let mut t = Ty::simple("ValueTuple");
            self.suffixes(&mut t);
            return Some(t);
        }
        let mut name = self.ident()?.trim_start_matches('@').to_owned();
        let mut args = Vec::new();
        loop {
            self.ws();
            if self.s[self.i..].starts_with(b"::") {
                self.i += 2;
                name = self.ident()?.to_owned();
                continue;
            }
            if self.eat(b'<') {
                args.clear();
                loop {
                    args.push(self.ty(depth + 1)?);
                    if self.eat(b',') {
                        continue;
                    }
                    if self.eat(b'>') {
                        break;
                    }
                    return None;
                }
            }
            self.ws();
            if self.s.get(self.i) == Some(&b'.') {
                self.i += 1;
                name = self.ident()?.to_owned();
                args.clear();
                continue;
            }
            break;
        }
        let mut t = Ty {
            name,
            args,
            arrays: 0,
            nullable: false,
        };
        self.suffixes(&mut t);
        Some(t)
    }
    fn suffixes(&mut self, t: &mut Ty) {
        loop {
            if self.eat(b'?') {
                t.nullable = true;
                continue;
            }
            self.ws();
            if self.s.get(self.i) == Some(&b'[') {
                let save = self.i;
                self.i += 1;
                while self.s.get(self.i) == Some(&b',')
                    || self.s.get(self.i).is_some_and(|b| b.is_ascii_whitespace())
                {
                    self.i += 1;
                }
                if self.eat(b']') {
                    t.arrays = t.arrays.saturating_add(1);
                    continue;
                }
                self.i = save;
            }
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_shapes() {
        let t = Ty::parse("System.Threading.Tasks.Task<List<int>>?").unwrap();
        assert_eq!(t.name, "Task");
        assert!(t.nullable);
        assert_eq!(t.args[0].name, "List");
        assert_eq!(t.args[0].args[0].name, "int");
        let a = Ty::parse("Task<string>[]").unwrap();
        assert_eq!(a.arrays, 1);
        assert_eq!(a.item_type().unwrap().to_string(), "Task<string>");
        assert_eq!(Ty::parse("global::Foo.Bar").unwrap().name, "Bar");
        assert_eq!(Ty::parse("(int a, string b)").unwrap().name, "ValueTuple");
        assert!(Ty::parse("a + b").is_none());
        assert_eq!(
            Ty::parse("List<Task<int>>")
                .unwrap()
                .item_type()
                .unwrap()
                .to_string(),
            "Task<int>"
        );
    }
}
