//! A linear scan of the raw query text that runs before the parser. The parser recurses once
//! per `[`/`{` level, so a few thousand nested brackets overflow the stack and abort the whole
//! process; this scan counts the nesting without recursing and refuses the text first.

use super::LimitError;

/// Counts `[` and `{` nesting outside strings and comments and refuses NUL bytes (never
/// valid GraphQL source text). Unbalanced closers are left to the parser to report.
pub fn check_query_text(text: &str, max_nesting: usize) -> Result<(), LimitError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0 => return Err(LimitError::NulByte),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    if bytes[i] == 0 {
                        return Err(LimitError::NulByte);
                    }
                    i += 1;
                }
                continue;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i = skip_block_string(bytes, i + 3)?;
                continue;
            }
            b'"' => {
                i = skip_string(bytes, i + 1)?;
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > max_nesting {
                    return Err(LimitError::NestingTooDeep { max: max_nesting });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Index just past the closing quote of a `"…"` string (or the end of the text).
fn skip_string(bytes: &[u8], mut i: usize) -> Result<usize, LimitError> {
    while i < bytes.len() {
        match bytes[i] {
            0 => return Err(LimitError::NulByte),
            b'\\' => i += 2,
            b'"' => return Ok(i + 1),
            // A string ends at the line; the parser reports it, the scan just goes on.
            b'\n' | b'\r' => return Ok(i),
            _ => i += 1,
        }
    }
    Ok(bytes.len())
}

/// Index just past the closing `"""` of a block string (or the end of the text).
fn skip_block_string(bytes: &[u8], mut i: usize) -> Result<usize, LimitError> {
    while i < bytes.len() {
        if bytes[i] == 0 {
            return Err(LimitError::NulByte);
        }
        if bytes[i..].starts_with(b"\\\"\"\"") {
            i += 4;
        } else if bytes[i..].starts_with(b"\"\"\"") {
            return Ok(i + 3);
        } else {
            i += 1;
        }
    }
    Ok(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_brackets_and_braces_together() {
        assert!(check_query_text("{ a(x: [[1]]) { b } }", 4).is_ok());
        assert_eq!(
            check_query_text("{ a(x: [[1]]) { b { c { d } } } }", 3),
            Err(LimitError::NestingTooDeep { max: 3 })
        );
        let deep = format!(
            "{{ order(id: {}1{}) {{ id }} }}",
            "[".repeat(2000),
            "]".repeat(2000)
        );
        assert_eq!(
            check_query_text(&deep, 64),
            Err(LimitError::NestingTooDeep { max: 64 })
        );
    }

    #[test]
    fn brackets_inside_strings_and_comments_do_not_count() {
        let text = "{ a(x: \"[[[[\", y: \"\"\"{{{{ \\\"\"\" [[[[\"\"\") # [[[[[\n { b } }";
        assert!(check_query_text(text, 2).is_ok());
        assert!(check_query_text("{ a(x: \"\\\"[[[[\") }", 1).is_ok());
    }

    #[test]
    fn refuses_nul_anywhere() {
        for text in [
            "{ a\0 }",
            "{ a(x: \"\0\") }",
            "# \0\n{ a }",
            "{ a(x: \"\"\"\0\"\"\") }",
        ] {
            assert_eq!(check_query_text(text, 64), Err(LimitError::NulByte));
        }
    }
}
