//! Rust names from wire names.

/// Rust's keywords and reserved words: identifiers that need `r#`.
const KEYWORDS: [&str; 52] = [
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Builder methods a parameter setter must not shadow.
pub const RESERVED: [&str; 6] = ["send", "send_with", "stream", "input", "new", "connector"];

pub fn snake(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('_') {
            s.push('_');
        }
    }
    let s = s.trim_matches('_').to_owned();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("p_{s}")
    } else {
        s
    }
}

/// A field or function name; `r#` where the name is a keyword.
pub fn ident(name: &str) -> String {
    let s = snake(name);
    if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

pub fn pascal(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

/// An enum variant for a wire value: Pascal case, never a keyword, never `Other`.
pub fn variant(value: &str) -> String {
    let p = pascal(value);
    if p.is_empty() || p.starts_with(|c: char| c.is_ascii_digit()) || p == "Self" || p == "Other" {
        format!("V{p}")
    } else {
        p
    }
}

pub fn lit(s: &str) -> String {
    format!("{s:?}")
}

pub fn doc(text: &str) -> String {
    text.lines()
        .map(|l| format!("/// {}\n", l.trim()).replace("///  ", "/// "))
        .collect::<String>()
        .replace("/// \n", "///\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_rust() {
        assert_eq!(ident("type"), "r#type");
        assert_eq!(ident("attachments[]"), "attachments");
        assert_eq!(ident("2fa"), "p_2fa");
        assert_eq!(pascal("contact_notes"), "ContactNotes");
        assert_eq!(variant("input_email"), "InputEmail");
        assert_eq!(variant("1"), "V1");
        assert_eq!(variant("other"), "VOther");
        assert_eq!(variant("self"), "VSelf");
    }
}
