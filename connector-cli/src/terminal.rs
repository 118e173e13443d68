//! Text for a terminal. Whatever comes from a server or an input file may hold control
//! characters: ESC starts a sequence that can retitle the terminal, move the cursor or
//! recolour text, CR and newline can overwrite or forge lines, and the C1 control U+009B
//! is a one-character ESC `[`. Every human-facing line that can carry such text goes
//! through [`escape`] before it is printed.

use std::borrow::Cow;
use std::fmt::Write;

/// Would `c` act on a terminal instead of showing? Control characters (C0, DEL, C1) and
/// the bidirectional overrides that reorder how a line reads.
fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character that would act on a terminal written out as `\u{..}`
/// (`\n`, `\r`, `\t` as themselves), so it shows instead of acting. Borrowed when there is
/// nothing to escape.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if acts_on_terminal(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_show_instead_of_acting() {
        assert_eq!(
            escape("a\u{1b}]0;owned\u{7}b\rc\nd\u{9b}31me\u{202e}f"),
            "a\\u{1b}]0;owned\\u{7}b\\rc\\nd\\u{9b}31me\\u{202e}f"
        );
        assert_eq!(escape("x\u{0}y\u{7f}"), "x\\u{0}y\\u{7f}");
        assert!(matches!(escape("plain ünïcode ✓"), Cow::Borrowed(_)));
    }
}
