//! Percent-decoding, shared by everything that reads URLs: presigned bearer keys, proxy URLs, and
//! the request paths the loopback servers route on.

/// Decodes `%XX` escapes; anything malformed is kept as written.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

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
}
