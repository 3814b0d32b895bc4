//! Reading JSON without serde: a [`Json`] trait the decoders are written
//! against, and a small [`Value`] with a parser for native tests and fuzzing.
//!
//! In the browser the shell implements [`Json`] over the `JsValue` that
//! `JSON.parse` returned (`web::json`), so the wasm carries no JSON parser and
//! no serde machinery, only the few field reads the widget needs. Natively,
//! [`parse`] turns text into a [`Value`] that implements the same trait, so
//! every decoder is tested without a browser.

use std::collections::BTreeMap;

/// A parsed JSON value, as the decoders see it.
pub trait Json: Sized {
    /// The member `key` of an object; `None` when this is not an object or the
    /// member is absent or `null`.
    fn get(&self, key: &str) -> Option<Self>;
    /// The text of a string.
    fn as_str(&self) -> Option<String>;
    /// The value of a number.
    fn as_f64(&self) -> Option<f64>;
    /// Whether this is an object (not an array, not `null`).
    fn is_object(&self) -> bool;
    /// The members of an object, in order; empty for anything else.
    fn entries(&self) -> Vec<(String, Self)>;
    /// The items of an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// The value of `true` or `false`.
    fn as_bool(&self) -> Option<bool>;
}

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object (member order is not kept).
    Object(BTreeMap<String, Value>),
}

impl Json for Value {
    fn get(&self, key: &str) -> Option<Value> {
        match self {
            Value::Object(map) => map.get(key).filter(|v| **v != Value::Null).cloned(),
            _ => None,
        }
    }
    fn as_str(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }
    fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
    fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }
    fn entries(&self) -> Vec<(String, Value)> {
        match self {
            Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => Vec::new(),
        }
    }
    fn items(&self) -> Option<Vec<Value>> {
        match self {
            Value::Array(items) => Some(items.clone()),
            _ => None,
        }
    }
    fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// Parses JSON text (RFC 8259), nesting at most 128 deep.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        at: 0,
        depth: 0,
    };
    let value = p.value()?;
    p.space();
    if p.at != p.bytes.len() {
        return Err(p.error("unexpected text after the value"));
    }
    Ok(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
    depth: u32,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        let mut s = String::from(what);
        s.push_str(" at byte ");
        s.push_str(&self.at.to_string());
        s
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, String> {
        if self.bytes.get(self.at..self.at + word.len()) == Some(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        self.space();
        match self.peek() {
            Some(b'{') => self.nested(|p| p.object()),
            Some(b'[') => self.nested(|p| p.array()),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("expected a value")),
        }
    }

    fn nested(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<Value, String>,
    ) -> Result<Value, String> {
        self.depth += 1;
        if self.depth > 128 {
            return Err(self.error("nested too deep"));
        }
        let v = f(self);
        self.depth -= 1;
        v
    }

    fn object(&mut self) -> Result<Value, String> {
        self.at += 1;
        let mut map = BTreeMap::new();
        self.space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(map));
        }
        loop {
            self.space();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name"));
            }
            let key = self.string()?;
            self.space();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':'"));
            }
            self.at += 1;
            let value = self.value()?;
            map.insert(key, value);
            self.space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Value::Object(map));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self) -> Result<Value, String> {
        self.at += 1;
        let mut items = Vec::new();
        self.space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .bytes
            .get(self.at..self.at + 4)
            .ok_or_else(|| self.error("short \\u escape"))?;
        let text = core::str::from_utf8(digits).map_err(|_| self.error("bad \\u escape"))?;
        let n = u32::from_str_radix(text, 16).map_err(|_| self.error("bad \\u escape"))?;
        self.at += 4;
        Ok(n)
    }

    fn string(&mut self) -> Result<String, String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while self
                .peek()
                .is_some_and(|c| c != b'"' && c != b'\\' && c >= 0x20)
            {
                self.at += 1;
            }
            let run = self.bytes.get(start..self.at).unwrap_or_default();
            out.push_str(core::str::from_utf8(run).map_err(|_| self.error("invalid UTF-8"))?);
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escape = self.peek().ok_or_else(|| self.error("unfinished escape"))?;
                    self.at += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xD800..0xDC00).contains(&code)
                                && self.bytes.get(self.at..self.at + 2) == Some(b"\\u")
                            {
                                self.at += 2;
                                let low = self.hex4()?;
                                if (0xDC00..0xE000).contains(&low) {
                                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                                } else {
                                    out.push('\u{FFFD}');
                                    code = low;
                                }
                            }
                            // A lone surrogate (invalid UTF-16) becomes U+FFFD.
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                _ => return Err(self.error("unterminated string")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.at;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.at += 1;
        }
        let text = self
            .bytes
            .get(start..self.at)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or_default();
        text.parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Value::Number)
            .ok_or_else(|| self.error("invalid number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_api_sends() {
        let v = parse(
            r#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d\"\u00e9\ud83d\ude00"}} "#,
        )
        .expect("valid");
        assert_eq!(v.get("a").and_then(|a| a.items()).map(|i| i.len()), Some(5));
        assert_eq!(
            v.get("b")
                .and_then(|b| b.get("c"))
                .and_then(|c| c.as_str())
                .as_deref(),
            Some("d\"é😀")
        );
        assert_eq!(parse("-0.5").ok().and_then(|v| v.as_f64()), Some(-0.5));
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "nul",
            "\"open",
            "01x",
            "{} {}",
            "\"\\x\"",
            "1e999",
            "\"tab\there\"",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse(&"[".repeat(200)).is_err(), "too deep");
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(parse(r#""\ud800x""#), Ok(Value::String("\u{FFFD}x".into())));
        assert_eq!(parse(r#""\udc00""#), Ok(Value::String("\u{FFFD}".into())));
    }
}
