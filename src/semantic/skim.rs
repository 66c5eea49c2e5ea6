//! The skim scanner: declaration summaries without a full parse.
//!
//! A lexer that knows C#'s comments, strings (verbatim, interpolated, raw), characters and
//! preprocessor lines, and a declaration reader on top of it that reads namespaces, type
//! declarations with their base lists, and members (fields, properties, methods with their
//! parameters), skipping every body by brace matching. While it skips bodies it still
//! picks up `+=`/`-=` subscriptions. It produces the same [`FileSummary`] as
//! [`super::summarize`] does from a tree-sitter parse (a test compares the two), in a
//! fraction of the time. Node ids are not known here: summaries from the skim carry
//! [`NO_NODE`], which only matters for the file being linted, and that one is always
//! summarized from its tree.
//!
//! Nothing here recurses on input: nesting is tracked with counters and explicit stacks.

use super::decls::{FileId, FileSummary, MemberInfo, MemberKind, TypeDecl, TypeKind};
use crate::syntax::{Ty, NO_NODE};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Ident,
    /// One punctuation character, or `=>`, `+=`, `-=`, `::`, `?.`, `??`.
    Punct,
    /// Strings, characters, numbers: opaque.
    Literal,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Tok,
    start: u32,
    end: u32,
}

/// Splits C# source into tokens, dropping comments, whitespace and preprocessor lines.
fn lex(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let n = b.len();
    let mut out = Vec::with_capacity(n / 6);
    let mut i = 0;
    let mut line_start = true;
    while i < n {
        let c = b[i];
        if c == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'#' && line_start {
            // Preprocessor directive: to the end of the line.
            while i < n && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        line_start = false;
        if c == b'/' && i + 1 < n && b[i + 1] == b'/' {
            while i < n && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && i + 1 < n && b[i + 1] == b'*' {
            i += 2;
            while i + 1 < n && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i = (i + 2).min(n);
            continue;
        }
        let start = i;
        // String-like literals, possibly prefixed by `$`, `@`, `u8` suffix aside.
        if c == b'"'
            || c == b'\''
            || ((c == b'$' || c == b'@') && i + 1 < n && matches!(b[i + 1], b'"' | b'$' | b'@'))
        {
            i = skip_string(b, i);
            out.push(Token {
                kind: Tok::Literal,
                start: start as u32,
                end: i as u32,
            });
            continue;
        }
        if c.is_ascii_alphabetic()
            || c == b'_'
            || c >= 0x80
            || (c == b'@' && i + 1 < n && (b[i + 1].is_ascii_alphabetic() || b[i + 1] == b'_'))
        {
            i += 1;
            while i < n && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            out.push(Token {
                kind: Tok::Ident,
                start: start as u32,
                end: i as u32,
            });
            continue;
        }
        if c.is_ascii_digit() {
            i += 1;
            while i < n
                && (b[i].is_ascii_alphanumeric()
                    || b[i] == b'_'
                    || (b[i] == b'.' && i + 1 < n && b[i + 1].is_ascii_digit()))
            {
                i += 1;
            }
            out.push(Token {
                kind: Tok::Literal,
                start: start as u32,
                end: i as u32,
            });
            continue;
        }
        let two = if i + 1 < n { [c, b[i + 1]] } else { [c, 0] };
        let len = match &two {
            b"=>" | b"+=" | b"-=" | b"::" | b"?." | b"??" => 2,
            _ => 1,
        };
        // Keep `>` single so that `List<List<int>>` closes twice.
        i += len;
        out.push(Token {
            kind: Tok::Punct,
            start: start as u32,
            end: i as u32,
        });
    }
    out
}

/// Skips a string or character literal starting at `i`; returns the index after it.
fn skip_string(b: &[u8], mut i: usize) -> usize {
    let n = b.len();
    let mut dollars = 0;
    let mut verbatim = false;
    while i < n && (b[i] == b'$' || b[i] == b'@') {
        if b[i] == b'$' {
            dollars += 1;
        } else {
            verbatim = true;
        }
        i += 1;
    }
    if i >= n {
        return n;
    }
    if b[i] == b'\'' {
        i += 1;
        while i < n && b[i] != b'\'' && b[i] != b'\n' {
            if b[i] == b'\\' {
                i += 1;
            }
            i += 1;
        }
        return (i + 1).min(n);
    }
    // Raw string: three or more quotes.
    let mut quotes = 0;
    while i + quotes < n && b[i + quotes] == b'"' {
        quotes += 1;
    }
    if quotes >= 3 {
        i += quotes;
        while i < n {
            if b[i] == b'"' {
                let mut q = 0;
                while i + q < n && b[i + q] == b'"' {
                    q += 1;
                }
                if q >= quotes {
                    return i + q;
                }
                i += q;
                continue;
            }
            // Interpolation holes in raw strings open with as many braces as dollars.
            if dollars > 0 && b[i] == b'{' {
                let mut k = 0;
                while i + k < n && b[i + k] == b'{' {
                    k += 1;
                }
                if k >= dollars {
                    i = skip_hole(b, i + k);
                    continue;
                }
                i += k;
                continue;
            }
            i += 1;
        }
        return n;
    }
    // Regular, verbatim and interpolated strings.
    i += 1;
    while i < n {
        match b[i] {
            b'"' => {
                if verbatim && i + 1 < n && b[i + 1] == b'"' {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            b'\\' if !verbatim => i += 2,
            b'\n' if !verbatim => return i,
            b'{' if dollars > 0 => {
                if i + 1 < n && b[i + 1] == b'{' {
                    i += 2;
                } else {
                    i = skip_hole(b, i + 1);
                }
            }
            _ => i += 1,
        }
    }
    n
}

/// Skips an interpolation hole's expression up to its closing `}` (nested braces and
/// strings inside are skipped).
fn skip_hole(b: &[u8], mut i: usize) -> usize {
    let n = b.len();
    let mut depth = 0usize;
    while i < n {
        match b[i] {
            b'"' | b'\'' => {
                i = skip_string(b, i);
                continue;
            }
            b'$' | b'@' if i + 1 < n && matches!(b[i + 1], b'"' | b'$' | b'@') => {
                i = skip_string(b, i);
                continue;
            }
            b'{' => depth += 1,
            b'}' => {
                if depth == 0 {
                    return i + 1;
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    n
}

const MODIFIERS: &[&str] = &[
    "abstract",
    "async",
    "const",
    "extern",
    "file",
    "fixed",
    "internal",
    "new",
    "override",
    "partial",
    "private",
    "protected",
    "public",
    "readonly",
    "required",
    "sealed",
    "static",
    "unsafe",
    "virtual",
    "volatile",
];

struct Reader<'a> {
    src: &'a str,
    toks: Vec<Token>,
    i: usize,
    file: FileId,
    types: Vec<TypeDecl>,
    subscriptions: Vec<String>,
    /// Block bodies of methods, constructors, destructors and operators, when asked for.
    bodies: Option<Vec<MemberBody>>,
    /// Inside [`Self::skip_member_body`].
    in_body_member: bool,
    /// Where the member being read starts (its attributes).
    member_start: u32,
    /// The name of the method being read.
    method_name: Option<Token>,
}

/// A member's block body, as the skim read it (byte offsets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberBody {
    /// Where the member starts: its attributes or first modifier.
    pub member: u32,
    /// The body's `{`.
    pub open: u32,
    /// One past the body's `}`.
    pub end: u32,
    /// The method's name (byte range); empty for constructors, destructors, operators.
    pub name: (u32, u32),
    /// A block body; `false` for an expression body (`open` is the `=>`, `end` the end of
    /// the expression).
    pub block: bool,
}

/// An open scope while reading.
enum Scope {
    Namespace(String),
    /// A type: its index in `types`.
    Type(usize),
}

impl<'a> Reader<'a> {
    fn text(&self, t: Token) -> &'a str {
        &self.src[t.start as usize..t.end as usize]
    }
    fn peek(&self) -> Option<Token> {
        self.toks.get(self.i).copied()
    }
    fn peek_at(&self, k: usize) -> Option<Token> {
        self.toks.get(self.i + k).copied()
    }
    fn is(&self, s: &str) -> bool {
        self.peek().is_some_and(|t| self.text(t) == s)
    }
    fn is_at(&self, k: usize, s: &str) -> bool {
        self.peek_at(k).is_some_and(|t| self.text(t) == s)
    }
    fn bump(&mut self) -> Option<Token> {
        let t = self.peek();
        if t.is_some() {
            self.i += 1;
        }
        t
    }

    /// Skips a balanced group starting at the current opening token; records the
    /// subscriptions found inside.
    fn skip_balanced(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.bump() {
            match self.text(t) {
                "{" | "(" | "[" => depth += 1,
                "}" | ")" | "]" => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                "+=" | "-=" => self.subscription(),
                _ => {}
            }
        }
    }

    /// Skips to the `;` (or `,` when `stop_at_comma`) that ends an expression at depth 0,
    /// not consuming it.
    fn skip_expression(&mut self, stop_at_comma: bool) {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match self.text(t) {
                "{" | "(" | "[" => depth += 1,
                "}" | ")" | "]" => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                }
                ";" if depth == 0 => return,
                "," if depth == 0 && stop_at_comma => return,
                "+=" | "-=" => {
                    self.i += 1;
                    self.subscription();
                    continue;
                }
                _ if t.kind == Tok::Ident && self.is_at(1, "<") => {
                    // `new Dictionary<string, int>()`, `Foo<A, B>(x)`: skip the type arguments
                    // so that their commas do not end the declarator.
                    if let Some(len) = self.type_argument_len(self.i + 1) {
                        self.i += 1 + len;
                        continue;
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
    }

    /// At a `<` (index `at`): the number of tokens through the matching `>` when what lies
    /// between looks like type arguments, and a `(`, `{`, `[`, `.`, `)`, `,` or `;` follows.
    fn type_argument_len(&self, at: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut k = at;
        while let Some(t) = self.toks.get(k) {
            let text = self.text(*t);
            match text {
                "<" => depth += 1,
                ">" => {
                    depth -= 1;
                    if depth == 0 {
                        let next = self.toks.get(k + 1).map(|t| self.text(*t));
                        return matches!(
                            next,
                            Some(
                                "(" | "{"
                                    | "["
                                    | "."
                                    | ")"
                                    | ","
                                    | ";"
                                    | ">"
                                    | "?"
                                    | "]"
                                    | "="
                                    | "=>"
                            )
                        )
                        .then_some(k + 1 - at);
                    }
                }
                "," | "." | "?" | "[" | "]" | "(" | ")" | "*" | "::" => {}
                _ if t.kind == Tok::Ident => {}
                _ => return None,
            }
            k += 1;
            if k - at > 256 {
                return None;
            }
        }
        None
    }

    /// After `+=`/`-=`: `Name;`, `this.Name)`, `new EventHandler(Name)`.
    fn subscription(&mut self) {
        let mut k = 0;
        let mut wrapped = false;
        if self.is("new") {
            // new EventHandler(Name)
            k = 1;
            while self
                .peek_at(k)
                .is_some_and(|t| t.kind == Tok::Ident || self.text(t) == ".")
            {
                k += 1;
            }
            if !self.is_at(k, "(") {
                return;
            }
            k += 1;
            wrapped = true;
        }
        let name = loop {
            match self.peek_at(k) {
                Some(t) if t.kind == Tok::Ident => {
                    k += 1;
                    if self.is_at(k, ".") {
                        k += 1;
                        continue;
                    }
                    break t;
                }
                _ => return,
            }
        };
        let end_ok = if wrapped {
            self.is_at(k, ")")
        } else {
            matches!(self.peek_at(k).map(|t| self.text(t)), Some(";" | ")" | ","))
        };
        if end_ok && !matches!(self.text(name), "null" | "this" | "default") {
            self.subscriptions.push(self.text(name).to_owned());
        }
    }

    /// Skips `[...]` attribute lists; returns whether one named `Obsolete` was among them.
    fn attributes(&mut self) -> bool {
        let mut obsolete = false;
        while self.is("[") {
            let start = self.i;
            self.skip_balanced();
            for t in &self.toks[start..self.i] {
                if t.kind == Tok::Ident && matches!(self.text(*t), "Obsolete" | "ObsoleteAttribute")
                {
                    obsolete = true;
                }
            }
        }
        obsolete
    }

    /// Reads a type reference and returns its source span.
    fn type_span(&mut self) -> Option<(usize, usize)> {
        let start = self.peek()?.start as usize;
        let mut end;
        if self.is("(") {
            // Tuple type.
            self.skip_balanced();
            end = self.toks[self.i - 1].end as usize;
        } else {
            if self.is("ref") || self.is("scoped") {
                self.bump();
                if self.is("readonly") {
                    self.bump();
                }
            }
            let t = self.bump()?;
            if t.kind != Tok::Ident {
                return None;
            }
            end = t.end as usize;
            loop {
                if self.is("::") || self.is(".") {
                    self.bump();
                    let t = self.bump()?;
                    if t.kind != Tok::Ident {
                        return None;
                    }
                    end = t.end as usize;
                    continue;
                }
                if self.is("<") {
                    let mut depth = 0usize;
                    while let Some(t) = self.bump() {
                        match self.text(t) {
                            "<" => depth += 1,
                            ">" => {
                                depth -= 1;
                                if depth == 0 {
                                    end = t.end as usize;
                                    break;
                                }
                            }
                            ";" | "{" | "}" | "=" => return None,
                            _ => {}
                        }
                    }
                    continue;
                }
                break;
            }
        }
        // Suffixes: `?`, `[]`, `[,]`, `*`.
        loop {
            if self.is("?") {
                end = self.bump()?.end as usize;
                continue;
            }
            if self.is("*") {
                end = self.bump()?.end as usize;
                continue;
            }
            if self.is("[") {
                let mut k = 1;
                while self.is_at(k, ",") {
                    k += 1;
                }
                if self.is_at(k, "]") {
                    self.i += k;
                    end = self.bump()?.end as usize;
                    continue;
                }
            }
            break;
        }
        Some((start, end))
    }

    fn run(mut self) -> (FileSummary, Option<Vec<MemberBody>>) {
        let mut scopes: Vec<Scope> = Vec::new();
        let mut file_namespace = String::new();
        while let Some(tok) = self.peek() {
            let text = self.text(tok);
            if text == "}" {
                self.bump();
                if let Some(Scope::Type(_)) | Some(Scope::Namespace(_)) = scopes.last() {
                    scopes.pop();
                }
                continue;
            }
            if text == ";" {
                self.bump();
                continue;
            }
            let in_type = match scopes.last() {
                Some(Scope::Type(i)) => Some(*i),
                _ => None,
            };
            let before = self.i;
            self.member_start = tok.start;
            let obsolete = self.attributes();
            let mut is_static = false;
            while let Some(t) = self.peek() {
                let w = self.text(t);
                // `ref struct`, `readonly ref struct`: here `ref` is a modifier.
                let ref_struct =
                    w == "ref" && (self.is_at(1, "struct") || self.is_at(1, "partial"));
                if !MODIFIERS.contains(&w) && !ref_struct {
                    break;
                }
                // `record` may follow modifiers; `partial` may be a name in odd code.
                if w == "static" {
                    is_static = true;
                }
                self.bump();
            }
            let Some(tok) = self.peek() else { break };
            let word = self.text(tok);
            match word {
                "namespace" => {
                    self.bump();
                    let start = self.i;
                    while self
                        .peek()
                        .is_some_and(|t| t.kind == Tok::Ident || self.text(t) == ".")
                    {
                        self.bump();
                    }
                    let name = self.toks[start..self.i]
                        .iter()
                        .map(|t| self.text(*t))
                        .collect::<String>();
                    if self.is("{") {
                        self.bump();
                        scopes.push(Scope::Namespace(name));
                    } else {
                        file_namespace = name;
                    }
                }
                "using" if in_type.is_none() => {
                    self.skip_expression(false);
                }
                "delegate" if self.is_at(1, "*") && in_type.is_some() => {
                    // A function pointer field: `delegate*<A, B> _f;` (its type is opaque).
                    self.bump();
                    self.bump();
                    if self.is("<") {
                        let _ = self.type_params();
                    }
                    while self.peek().is_some_and(|t| t.kind == Tok::Ident) {
                        let n = self.bump().unwrap();
                        let m = self.member(n, MemberKind::Field, None, obsolete, is_static);
                        self.types[in_type.unwrap()].members.push(m);
                        if self.is("=") {
                            self.skip_expression(true);
                        }
                        if self.is(",") {
                            self.bump();
                        }
                    }
                }
                "extern" | "delegate" => self.skip_expression(false),
                "enum" => {
                    while self
                        .peek()
                        .is_some_and(|t| self.text(t) != "{" && self.text(t) != ";")
                    {
                        self.bump();
                    }
                    if self.is("{") {
                        self.skip_balanced();
                    }
                }
                "class" | "struct" | "interface" | "record" => {
                    let kind = match word {
                        "class" => TypeKind::Class,
                        "struct" => TypeKind::Struct,
                        "interface" => TypeKind::Interface,
                        _ => TypeKind::Record,
                    };
                    self.bump();
                    if kind == TypeKind::Record && (self.is("class") || self.is("struct")) {
                        self.bump();
                    }
                    let Some(name) = self.bump().filter(|t| t.kind == Tok::Ident) else {
                        continue;
                    };
                    if self.is("<") {
                        let _ = self.type_params();
                    }
                    if self.is("(") {
                        self.skip_balanced(); // primary constructor
                    }
                    let mut bases = Vec::new();
                    if self.is(":") {
                        self.bump();
                        loop {
                            match self.type_span() {
                                Some((s, e)) => {
                                    if let Some(t) = Ty::parse(&self.src[s..e]) {
                                        bases.push(t);
                                    }
                                }
                                None => break,
                            }
                            if self.is("(") {
                                self.skip_balanced(); // record base arguments
                            }
                            if self.is(",") {
                                self.bump();
                                continue;
                            }
                            break;
                        }
                    }
                    // `where T : class` constraints
                    while self
                        .peek()
                        .is_some_and(|t| !matches!(self.text(t), "{" | ";"))
                    {
                        self.bump();
                    }
                    let namespace = {
                        let parts: Vec<&str> = scopes
                            .iter()
                            .filter_map(|s| match s {
                                Scope::Namespace(n) => Some(n.as_str()),
                                _ => None,
                            })
                            .collect();
                        if parts.is_empty() {
                            file_namespace.clone()
                        } else {
                            parts.join(".")
                        }
                    };
                    let idx = self.types.len();
                    self.types.push(TypeDecl {
                        name: self.text(name).to_owned(),
                        namespace,
                        kind,
                        bases,
                        members: Vec::new(),
                        node: NO_NODE,
                        file: self.file,
                    });
                    if self.is("{") {
                        self.bump();
                        scopes.push(Scope::Type(idx));
                    } else {
                        self.bump();
                    }
                }
                "event" if in_type.is_some() => {
                    self.bump();
                    let ty = self
                        .type_span()
                        .and_then(|(s, e)| Ty::parse(&self.src[s..e]));
                    let mut names = Vec::new();
                    loop {
                        match self.peek() {
                            Some(t) if t.kind == Tok::Ident => {
                                names.push(t);
                                self.bump();
                            }
                            _ => break,
                        }
                        if self.is(".") {
                            // explicit interface event: `event EventHandler IFoo.Bar { add .. }`
                            names.clear();
                            self.bump();
                            continue;
                        }
                        if self.is("=") {
                            self.skip_expression(true);
                        }
                        if self.is(",") {
                            self.bump();
                            continue;
                        }
                        break;
                    }
                    if self.is("{") {
                        self.skip_balanced(); // event with accessors: not a field
                    } else if let Some(i) = in_type {
                        for n in names {
                            let m =
                                self.member(n, MemberKind::Field, ty.clone(), obsolete, is_static);
                            self.types[i].members.push(m);
                        }
                    }
                }
                _ if in_type.is_some() => self.member_decl(in_type.unwrap(), obsolete, is_static),
                _ => {
                    // A top-level statement or something unknown: skip one statement.
                    if self.is("{") {
                        self.skip_balanced();
                    } else {
                        self.skip_statement();
                    }
                }
            }
            if self.i == before {
                self.bump(); // always make progress
            }
        }
        let mut subscriptions = self.subscriptions;
        subscriptions.sort();
        subscriptions.dedup();
        let summary = FileSummary {
            file: self.file,
            types: self.types,
            subscriptions,
        };
        (summary, self.bodies)
    }

    fn type_params(&mut self) -> Option<()> {
        let mut depth = 0usize;
        while let Some(t) = self.bump() {
            match self.text(t) {
                "<" => depth += 1,
                ">" => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(());
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Skips one statement: to `;` at depth 0, or through a braced block.
    fn skip_statement(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.bump() {
            match self.text(t) {
                "(" | "[" => depth += 1,
                ")" | "]" => depth = depth.saturating_sub(1),
                "{" => {
                    self.i -= 1;
                    self.skip_balanced();
                    if depth == 0
                        && !self.is(";")
                        && !self.is(")")
                        && !self.is(",")
                        && !self.is(".")
                    {
                        return;
                    }
                }
                ";" if depth == 0 => return,
                "+=" | "-=" => self.subscription(),
                _ => {}
            }
        }
    }

    fn member(
        &self,
        name: Token,
        kind: MemberKind,
        ty: Option<Ty>,
        obsolete: bool,
        is_static: bool,
    ) -> MemberInfo {
        MemberInfo {
            name: self.text(name).to_owned(),
            kind,
            ty,
            params: Vec::new(),
            optional: Vec::new(),
            param_names: Vec::new(),
            obsolete,
            is_static,
            node: NO_NODE,
        }
    }

    /// A member of a type: field, property, method; constructors, operators, indexers and
    /// destructors are skipped.
    fn member_decl(&mut self, ty_idx: usize, obsolete: bool, is_static: bool) {
        if self.is("~") {
            self.bump();
            self.skip_member_body();
            return;
        }
        let type_name_tok = self.peek();
        // Constructor: `Name(`
        if type_name_tok.is_some_and(|t| t.kind == Tok::Ident) && self.is_at(1, "(") {
            self.bump();
            self.skip_member_body();
            return;
        }
        let Some((ts, te)) = self.type_span() else {
            self.skip_member_rest();
            return;
        };
        let ty = Ty::parse(&self.src[ts..te]);
        if self.is("this") {
            self.skip_member_rest(); // indexer: its braces hold accessors
            return;
        }
        if self.is("operator") || self.is("implicit") || self.is("explicit") {
            self.skip_member_body();
            return;
        }
        // Name, possibly behind an explicit interface: `IFoo.Bar`, `IFoo<T>.Bar`.
        let mut name = None;
        loop {
            match self.peek() {
                Some(t) if t.kind == Tok::Ident => {
                    name = Some(t);
                    self.bump();
                }
                _ => break,
            }
            if self.is("<") && self.generic_then_dot() {
                continue;
            }
            if self.is(".") {
                self.bump();
                if self.is("this") {
                    self.skip_member_rest(); // explicit interface indexer
                    return;
                }
                continue;
            }
            break;
        }
        let Some(name) = name else {
            self.skip_member_rest();
            return;
        };
        if self.is("<") {
            let _ = self.type_params(); // generic method
        }
        if self.is("(") {
            let mut m = self.member(name, MemberKind::Method, ty, obsolete, is_static);
            self.parameters(&mut m);
            self.types[ty_idx].members.push(m);
            self.method_name = Some(name);
            self.skip_member_body();
            self.method_name = None;
            return;
        }
        if self.is("{") || self.is("=>") {
            let m = self.member(name, MemberKind::Property, ty, obsolete, is_static);
            self.types[ty_idx].members.push(m);
            if self.is("{") {
                self.skip_balanced();
                if self.is("=") {
                    self.skip_expression(false);
                }
            } else {
                self.skip_expression(false);
            }
            if self.is(";") {
                self.bump();
            }
            return;
        }
        // Fields: `T a = 1, b;`
        let mut current = Some(name);
        while let Some(n) = current.take() {
            let m = self.member(n, MemberKind::Field, ty.clone(), obsolete, is_static);
            self.types[ty_idx].members.push(m);
            if self.is("[") {
                self.skip_balanced(); // fixed buffer size
            }
            if self.is("=") {
                self.skip_expression(true);
            }
            if self.is(",") {
                self.bump();
                current = self.peek().filter(|t| t.kind == Tok::Ident);
                if current.is_some() {
                    self.bump();
                }
            }
        }
        if self.is(";") {
            self.bump();
        }
    }

    /// At `<` after an identifier in a member name: is it `IFoo<T>.`? Consumes it if so.
    fn generic_then_dot(&mut self) -> bool {
        let save = self.i;
        if self.type_params().is_some() && self.is(".") {
            self.bump();
            return true;
        }
        self.i = save;
        false
    }

    /// Reads a parameter list into the member.
    fn parameters(&mut self, m: &mut MemberInfo) {
        self.bump(); // (
        loop {
            if self.is(")") {
                self.bump();
                return;
            }
            if self.peek().is_none() {
                return;
            }
            let before = self.i;
            self.attributes();
            while self.peek().is_some_and(|t| {
                matches!(
                    self.text(t),
                    "this" | "ref" | "out" | "in" | "params" | "scoped" | "readonly"
                )
            }) {
                // `ref readonly` parameters; `ref` also belongs to the type in returns only.
                self.bump();
            }
            let ty = self
                .type_span()
                .map(|(s, e)| Ty::parse(&self.src[s..e]))
                .unwrap_or(None);
            let name = self.peek().filter(|t| t.kind == Tok::Ident);
            if name.is_some() {
                self.bump();
            }
            let mut optional = false;
            if self.is("=") {
                optional = true;
                self.skip_expression(true);
            }
            m.params.push(ty);
            m.optional.push(optional);
            m.param_names
                .push(name.map(|n| self.text(n).to_owned()).unwrap_or_default());
            // To the next `,` or `)` at depth 0.
            self.skip_expression(true);
            if self.is(",") {
                self.bump();
            }
            if self.i == before {
                self.bump();
            }
        }
    }

    /// [`Self::skip_member_rest`] for a member whose braces, if any, are its body block
    /// (methods, constructors, destructors, operators): records the block.
    fn skip_member_body(&mut self) {
        self.in_body_member = true;
        self.skip_member_rest();
        self.in_body_member = false;
    }

    /// Skips what remains of a member: parameters, constraints, a body (block or
    /// expression) and the closing `;`.
    fn skip_member_rest(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match self.text(t) {
                "(" | "[" => {
                    self.skip_balanced();
                    continue;
                }
                "{" if depth == 0 => {
                    self.skip_balanced();
                    if let (true, Some(bodies)) = (self.in_body_member, self.bodies.as_mut()) {
                        let close = self.toks[self.i - 1];
                        if &self.src[close.start as usize..close.end as usize] == "}" {
                            bodies.push(MemberBody {
                                member: self.member_start,
                                open: t.start,
                                end: close.end,
                                name: self.method_name.map_or((0, 0), |n| (n.start, n.end)),
                                block: true,
                            });
                        }
                    }
                    if self.is("=") {
                        // property initializer after accessors
                        self.skip_expression(false);
                        self.bump();
                    }
                    return;
                }
                "=>" => {
                    self.bump();
                    self.skip_expression(false);
                    if let (true, Some(bodies)) = (self.in_body_member, self.bodies.as_mut()) {
                        if let Some(last) = self.toks.get(self.i.saturating_sub(1)) {
                            bodies.push(MemberBody {
                                member: self.member_start,
                                open: t.start,
                                end: last.end.max(t.end),
                                name: self.method_name.map_or((0, 0), |n| (n.start, n.end)),
                                block: false,
                            });
                        }
                    }
                    self.bump();
                    return;
                }
                ";" => {
                    self.bump();
                    return;
                }
                "}" => return,
                "<" => depth += 1,
                ">" => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.i += 1;
        }
    }
}

/// Summarizes a file by skimming it, without a parse.
pub fn skim(src: &str, file: FileId) -> FileSummary {
    let reader = Reader {
        src,
        toks: lex(src),
        i: 0,
        file,
        types: Vec::new(),
        subscriptions: Vec::new(),
        bodies: None,
        in_body_member: false,
        member_start: 0,
        method_name: None,
    };
    reader.run().0
}

/// The bodies of the methods, constructors, destructors and operators declared in types,
/// as the skim reads them, in text order: blocks (`{` to `}`) and expression bodies (`=>`
/// to the end of the expression). Bodies nested in these (local functions, lambdas) are
/// inside; accessors and top-level statements are not listed. With them, `text` (the
/// source, or the source with `async` identifiers masked: the same length) with comments,
/// preprocessor lines and non-interpolated string and character literals blanked (lines
/// kept): the code the rules look at, for word tests that must not count a word in a
/// comment.
pub fn member_bodies_and_code(src: &str, text: &str) -> (Vec<MemberBody>, String) {
    let toks = lex(src);
    let bytes = text.as_bytes();
    let mut code: Vec<u8> = src
        .bytes()
        .map(|b| if b == b'\n' || b == b'\r' { b } else { b' ' })
        .collect();
    if bytes.len() == code.len() {
        for t in &toks {
            let (s, e) = (t.start as usize, t.end as usize);
            let interpolated =
                bytes[s] == b'$' || (bytes[s] == b'@' && bytes.get(s + 1) == Some(&b'$'));
            if t.kind != Tok::Literal || interpolated {
                code[s..e].copy_from_slice(&bytes[s..e]);
            }
        }
    }
    let code = String::from_utf8(code).unwrap_or_else(|_| text.to_owned());
    (member_bodies_with(src, toks), code)
}

fn member_bodies_with(src: &str, toks: Vec<Token>) -> Vec<MemberBody> {
    let reader = Reader {
        src,
        toks,
        i: 0,
        file: 0,
        types: Vec::new(),
        subscriptions: Vec::new(),
        bodies: Some(Vec::new()),
        in_body_member: false,
        member_start: 0,
        method_name: None,
    };
    reader.run().1.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::summarize;

    /// The skim must agree with the tree-sitter summary (node ids aside).
    #[track_caller]
    fn assert_same(src: &str) {
        let tree = crate::syntax::parse(src);
        assert!(!tree.has_errors(), "fixture must parse cleanly:\n{src}");
        let mut from_tree = summarize(&tree, 7);
        let mut from_skim = skim(src, 7);
        for s in [&mut from_tree, &mut from_skim] {
            for t in &mut s.types {
                t.node = NO_NODE;
                for m in &mut t.members {
                    m.node = NO_NODE;
                }
            }
            s.types
                .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        }
        assert_eq!(
            from_skim.subscriptions, from_tree.subscriptions,
            "subscriptions"
        );
        assert_eq!(
            from_skim.types.len(),
            from_tree.types.len(),
            "types: {:#?} vs {:#?}",
            from_skim.types.iter().map(|t| &t.name).collect::<Vec<_>>(),
            from_tree.types.iter().map(|t| &t.name).collect::<Vec<_>>()
        );
        for (a, b) in from_skim.types.iter().zip(&from_tree.types) {
            assert_eq!(a, b, "type {}", b.name);
        }
    }

    #[test]
    fn agrees_with_the_tree_on_fixtures() {
        assert_same(
            r#"
using System;
using System.Threading.Tasks;
namespace Shop.Core
{
    [Serializable]
    public interface IOrders : IDisposable
    {
        Task<int> CountAsync(CancellationToken ct = default);
        [Obsolete("use CountAsync")] int Count();
        event EventHandler Changed;
    }

    public abstract partial class Repo<T> : Base<T>, IOrders where T : class, new()
    {
        private readonly Task<int> _pending = Task.FromResult(1), _other;
        public static int Counter;
        protected const string Name = "x{y}";
        public Task<string> Prop { get; private set; } = Task.FromResult("a");
        public int Arrow => 42;
        public Repo() : base() { x += OnChanged; }
        ~Repo() { }
        public static Repo<T> operator +(Repo<T> a, Repo<T> b) => a;
        public int this[int i] => i;
        public async Task<int> CountAsync(CancellationToken ct = default) { var s = $"a{(ct.IsCancellationRequested ? "{" : "}")}b"; return 1; }
        int IOrders.Count() => 0;
        public T Get<TKey>(TKey key, params object[] rest) where TKey : notnull => default;
        void Handler(object sender, EventArgs e) { button.Click += new EventHandler(this.OnClick); other.Done -= Handler; count += step * 2; }
        public (int a, string b) Tuple() => (1, "");
        internal List<Dictionary<string, int[]>>? Nested;
        public event EventHandler<string>? Changed;
        public event EventHandler Explicit { add { } remove { } }
        class Inner { public ValueTask Run() => default; }
        public string Raw = """
            raw { text } "quoted"
            """;
        public string Verbatim = @"c:\path\""quoted""";
        public char C = '}';
    }

    public record Point(int X, int Y);
    public record class Person(string Name) : Entity(Name) { public Task Save() => Task.CompletedTask; }
    public struct S { public int F; }
    public enum E { A, B }
    public delegate Task Worker(int x);
}
"#,
        );
        assert_same(
            r#"
namespace Flat;
public class Form1 : Form
{
#if DEBUG
    private System.Windows.Forms.Button button1;
#endif
    public Form1() { InitializeComponent(); this.button1.Click += button1_Click; }
    private async void button1_Click(object sender, EventArgs e) { await Task.Yield(); }
}
"#,
        );
    }

    #[test]
    fn lists_member_bodies_in_order() {
        let src = r#"
class C {
    [Obsolete] public C(int x) : base(x) { A(); }
    public int P { get { return 1; } set { } }
    public int this[int i] { get { return i; } }
    async Task M(string s = "}") { await N(() => { var x = "{"; }); void Local() { } }
    int E() => 1 + 2;
    public static C operator +(C a, C b) { return a; }
    class Inner { void I() { } }
    ~C() { }
}"#;
        let (bodies, _) = member_bodies_and_code(src, src);
        let shown: Vec<(&str, &str, bool)> = bodies
            .iter()
            .map(|b| {
                (
                    &src[b.name.0 as usize..b.name.1 as usize],
                    src[b.open as usize..b.end as usize].lines().next().unwrap(),
                    b.block,
                )
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                ("", "{ A(); }", true),
                (
                    "M",
                    r#"{ await N(() => { var x = "{"; }); void Local() { } }"#,
                    true
                ),
                ("E", "=> 1 + 2", false),
                ("", "{ return a; }", true),
                ("I", "{ }", true),
                ("", "{ }", true),
            ]
        );
        // A member starts at its attributes.
        assert!(src[bodies[0].member as usize..].starts_with("[Obsolete]"));
        assert!(src[bodies[1].member as usize..].starts_with("async Task M"));
    }

    #[test]
    fn never_panics_or_loops_on_broken_input() {
        for src in [
            "class",
            "class C {",
            "class C { void M( { } }",
            "}}}}",
            "\"unterminated",
            "$\"{",
            "@\"",
            "'",
            "class C : { }",
            "namespace",
            "class C { int x = ; }",
            "/* open",
            "class C<T { }",
            "\"\"\"raw",
            "class C { event }",
            "class C { public }",
            "class C { T this[int i }",
        ] {
            let _ = skim(src, 0);
        }
        let deep = format!(
            "class C {{ int M() => {}1{}; }}",
            "(".repeat(5000),
            ")".repeat(5000)
        );
        let s = skim(&deep, 0);
        assert_eq!(s.types[0].members.len(), 1);
    }
}

#[cfg(test)]
mod corpus {
    /// Compares skim and tree summaries over every `.cs` file under
    /// `ASYNCLINT_SKIM_CORPUS` (a real repository) and prints the agreement; run with
    /// `ASYNCLINT_SKIM_CORPUS=/path cargo test --release skim_agreement -- --ignored --nocapture`.
    #[test]
    #[ignore = "needs ASYNCLINT_SKIM_CORPUS"]
    fn skim_agreement() {
        let Some(root) = std::env::var_os("ASYNCLINT_SKIM_CORPUS") else {
            return;
        };
        let files = crate::workspace::discover(&[root.into()]).files;
        let (mut same, mut differ, mut skipped) = (0, 0, 0);
        let mut examples = Vec::new();
        for f in &files {
            let Ok(bytes) = std::fs::read(f) else {
                continue;
            };
            let Ok(d) = crate::workspace::decode(&bytes) else {
                continue;
            };
            let tree = crate::syntax::parse(&d.text);
            if tree.has_errors() {
                skipped += 1;
                continue;
            }
            let norm = |mut s: crate::semantic::FileSummary| {
                for t in &mut s.types {
                    t.node = crate::syntax::NO_NODE;
                    for m in &mut t.members {
                        m.node = crate::syntax::NO_NODE;
                    }
                }
                s.types.sort_by(|a, b| {
                    (&a.namespace, &a.name, a.members.len()).cmp(&(
                        &b.namespace,
                        &b.name,
                        b.members.len(),
                    ))
                });
                s
            };
            let a = norm(crate::semantic::summarize(&tree, 0));
            let b = norm(super::skim(&d.text, 0));
            if a == b {
                same += 1;
            } else {
                differ += 1;
                if examples.len() < 10 {
                    let detail = if a.subscriptions != b.subscriptions {
                        format!(
                            "subscriptions {:?} vs skim {:?}",
                            a.subscriptions, b.subscriptions
                        )
                    } else if a.types.len() != b.types.len() {
                        format!("{} types vs skim {}", a.types.len(), b.types.len())
                    } else {
                        a.types
                            .iter()
                            .zip(&b.types)
                            .find(|(x, y)| x != y)
                            .map(|(x, y)| {
                                let xm: Vec<_> = x.members.iter().map(|m| format!("{}:{:?}:{:?}", m.name, m.ty.as_ref().map(|t| t.to_string()), m.params.len())).collect();
                                let ym: Vec<_> = y.members.iter().map(|m| format!("{}:{:?}:{:?}", m.name, m.ty.as_ref().map(|t| t.to_string()), m.params.len())).collect();
                                let only_x: Vec<_> = xm.iter().filter(|m| !ym.contains(m)).collect();
                                let only_y: Vec<_> = ym.iter().filter(|m| !xm.contains(m)).collect();
                                let first = x.members.iter().zip(&y.members).find(|(p, q)| p != q).map(|(p, q)| format!("{p:?} vs skim {q:?}")).unwrap_or_else(|| format!("{} vs skim {} members", x.members.len(), y.members.len()));
                                format!("type {}: tree only {:?}, skim only {:?}, bases {:?} vs {:?}; first: {first}", x.name, only_x, only_y, x.bases.len(), y.bases.len())
                            })
                            .unwrap_or_default()
                    };
                    examples.push(format!("{}: {detail}", f.display()));
                }
            }
        }
        println!(
            "skim agreement: {same} same, {differ} differ, {skipped} with parse errors skipped"
        );
        for e in examples {
            println!("  differs: {e}");
        }
    }
}
