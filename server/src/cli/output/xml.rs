//! Escaping for the XML report formats (Checkstyle, JUnit).

/// `text` as an attribute value between double quotes.
pub(super) fn attr(text: &str) -> String {
    escape(text, true)
}

/// `text` as element content.
pub(super) fn text(text: &str) -> String {
    escape(text, false)
}

fn escape(text: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\'' if in_attribute => out.push_str("&apos;"),
            // A parser turns a literal tab or line break in an attribute into a space, and a
            // `\r` anywhere into `\n`: character references keep them as they were.
            '\t' if in_attribute => out.push_str("&#9;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            // XML 1.0 cannot carry the other control characters (not even as references),
            // nor the two noncharacters U+FFFE and U+FFFF: shown as the replacement character.
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_quotes_and_control_characters() {
        assert_eq!(
            attr("a<&>\"'b\tc\r\nd\u{1}\u{FFFF}é"),
            "a&lt;&amp;&gt;&quot;&apos;b&#9;c&#13;&#10;d\u{FFFD}\u{FFFD}é"
        );
        assert_eq!(
            text("a<&>\"'b\tc\r\nd\u{0}"),
            "a&lt;&amp;&gt;\"'b\tc&#13;\nd\u{FFFD}"
        );
    }
}
