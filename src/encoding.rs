//! Text encodings shared by every room: percent-decoding (presigned bearer keys, proxy URLs, the
//! request paths the loopback servers route on), and text from outside made safe to show — a
//! cloned repository's `.claude/settings.json` must not be able to retitle the window, clear the
//! screen, or print a forged `✓` line.

use std::borrow::Cow;
use std::fmt::Write;

/// Decodes `%XX` escapes; anything malformed is kept as written.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Every control character — C0 (ESC, BEL, CR, LF, TAB, …), DEL, C1 — and the bidirectional
/// overrides that can reorder what a line appears to say, written as a visible escape (`\x1b`,
/// `\r`, `\n`, `\u{202e}`).
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !needs_escape(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Escaped as [`escape_controls`], and cut to `max` characters with the full length named.
pub fn shown(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return escape_controls(text);
    }
    let count = text.chars().count();
    if count <= max {
        return escape_controls(text);
    }
    let head: String = text.chars().take(max).collect();
    Cow::Owned(format!(
        "{}… ({count} characters in all)",
        escape_controls(&head)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_keeps_malformed_ones() {
        assert_eq!(
            percent_decode("us.anthropic.claude-haiku-4-5-20251001-v1%3A0"),
            "us.anthropic.claude-haiku-4-5-20251001-v1:0"
        );
        assert_eq!(
            percent_decode("AKID%2F20251120%2Fus-east-1"),
            "AKID/20251120/us-east-1"
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("p%40ss"), "p@ss");
    }

    #[test]
    fn terminal_controls_become_visible() {
        assert_eq!(
            escape_controls("a\u{1b}]0;pwned\u{7}b\r\n✓ ok\u{202e}"),
            "a\\x1b]0;pwned\\x07b\\r\\n✓ ok\\u{202e}"
        );
        assert!(matches!(escape_controls("plain ✓ text"), Cow::Borrowed(_)));
        assert_eq!(escape_controls("\u{9b}2J"), "\\x9b2J");
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        let long = "x".repeat(100_000);
        let cut = shown(&long, 400);
        assert!(cut.len() < 500, "{}", cut.len());
        assert!(cut.ends_with("… (100000 characters in all)"), "{cut}");
        assert_eq!(shown("short", 400), "short");
    }
}
