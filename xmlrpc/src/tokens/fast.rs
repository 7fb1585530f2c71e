//! The plain-form tokenizer: bare tags and text, read straight from the
//! bytes.
//!
//! It reads what XML-RPC peers write: an optional declaration of one of
//! the usual forms first, elements without attributes whose names are
//! plain (letters, digits, `.`, `-`, `_`), and text whose only references
//! are the five predefined entities. It gives the tokens (and offsets)
//! the reference tokenizer gives for such a document. On anything else it
//! gives up with an error, and the document is read again by the
//! reference: a comment, CDATA, a processing instruction, a DOCTYPE, a
//! numeric or unknown reference, a carriage return (line ends need
//! normalising), a byte-order mark, an attribute, a prefixed or unusual
//! name, a mismatched or missing end tag.

use std::borrow::Cow;

use super::{Elem, Tok};
use crate::ParseError;

/// Declarations read as they are (anything else goes to the reference).
const DECLARATIONS: [&str; 6] = [
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
    "<?xml version=\"1.0\"?>",
    "<?xml version='1.0'?>",
    "<?xml version='1.0' encoding='UTF-8'?>",
    "<?xml version='1.0' encoding='utf-8'?>",
];

/// The plain-form tokenizer over one UTF-8 document.
pub(crate) struct Fast<'a> {
    doc: &'a str,
    /// Next offset to read.
    at: usize,
    /// Names of the open elements, packed ([`packed`]) and whole.
    open: Vec<(u128, &'a str)>,
    pos: usize,
    end: usize,
}

/// Up to the first 16 bytes of a name as one number, zero-padded: plain
/// names hold no zero byte, so two names of at most 16 bytes are equal
/// exactly when their numbers are, and no `memcmp` is called per tag.
const fn packed(name: &[u8]) -> u128 {
    let mut v = 0u128;
    let mut i = 0;
    while i < name.len() && i < 16 {
        v |= (name[i] as u128) << (8 * i);
        i += 1;
    }
    v
}

/// The element a plain name stands for ([`Elem::of`] for names without a
/// prefix), from its length and [`packed`] form.
fn elem(len: usize, name: u128) -> Elem {
    const fn p(s: &str) -> u128 {
        packed(s.as_bytes())
    }
    const VALUE: u128 = p("value");
    const STRING: u128 = p("string");
    const MEMBER: u128 = p("member");
    const NAME: u128 = p("name");
    const I4: u128 = p("i4");
    const INT: u128 = p("int");
    const STRUCT: u128 = p("struct");
    const ARRAY: u128 = p("array");
    const DATA: u128 = p("data");
    const BOOLEAN: u128 = p("boolean");
    const DOUBLE: u128 = p("double");
    const DATE_TIME: u128 = p("dateTime.iso8601");
    const BASE64: u128 = p("base64");
    const NIL: u128 = p("nil");
    const I8: u128 = p("i8");
    const PARAM: u128 = p("param");
    const PARAMS: u128 = p("params");
    const METHOD_NAME: u128 = p("methodName");
    const METHOD_CALL: u128 = p("methodCall");
    const METHOD_RESPONSE: u128 = p("methodResponse");
    const FAULT: u128 = p("fault");
    if len > 16 {
        return Elem::Unknown;
    }
    match name {
        VALUE => Elem::Value,
        STRING => Elem::String,
        MEMBER => Elem::Member,
        NAME => Elem::Name,
        I4 | INT => Elem::Int,
        STRUCT => Elem::Struct,
        ARRAY => Elem::Array,
        DATA => Elem::Data,
        BOOLEAN => Elem::Boolean,
        DOUBLE => Elem::Double,
        DATE_TIME => Elem::DateTime,
        BASE64 => Elem::Base64,
        NIL => Elem::Nil,
        I8 => Elem::I8,
        PARAM => Elem::Param,
        PARAMS => Elem::Params,
        METHOD_NAME => Elem::MethodName,
        METHOD_CALL => Elem::MethodCall,
        METHOD_RESPONSE => Elem::MethodResponse,
        FAULT => Elem::Fault,
        _ => Elem::Unknown,
    }
}

/// Why the fast reader stops: the reference reads the document again.
fn give_up(at: usize) -> ParseError {
    ParseError {
        offset: at,
        reason: "not in the plain form".to_owned(),
    }
}

/// A byte of a plain element name.
#[inline]
pub(crate) fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')
}

impl<'a> Fast<'a> {
    /// A reader over `body`; `None` when it is not UTF-8 or starts with a
    /// byte-order mark.
    pub(crate) fn new(body: &'a [u8]) -> Option<Fast<'a>> {
        let doc = std::str::from_utf8(body).ok()?;
        if doc.starts_with('\u{feff}') {
            return None;
        }
        let at = DECLARATIONS
            .iter()
            .find(|d| doc.starts_with(**d))
            .map_or(0, |d| d.len());
        Some(Fast {
            doc,
            at,
            open: Vec::with_capacity(16),
            pos: 0,
            end: 0,
        })
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn end(&self) -> usize {
        self.end
    }

    pub(crate) fn next(&mut self) -> Result<Tok<'a>, ParseError> {
        let bytes = self.doc.as_bytes();
        let start = self.at;
        self.pos = start;
        let Some(&first) = bytes.get(start) else {
            self.end = start;
            return if self.open.is_empty() {
                Ok(Tok::Eof)
            } else {
                Err(give_up(start))
            };
        };
        if first != b'<' {
            return self.text(start);
        }
        let closing = bytes.get(start + 1) == Some(&b'/');
        let name_start = start + 1 + usize::from(closing);
        let mut name_end = name_start;
        let mut key = 0u128;
        while let Some(&b) = bytes.get(name_end) {
            if !is_name_byte(b) {
                break;
            }
            let i = name_end - name_start;
            if i < 16 {
                key |= u128::from(b) << (8 * i);
            }
            name_end += 1;
        }
        if name_end == name_start || !bytes[name_start].is_ascii_alphabetic() {
            return Err(give_up(start));
        }
        let name = &self.doc[name_start..name_end];
        let len = name_end - name_start;
        let (tok, after) = match (closing, bytes.get(name_end), bytes.get(name_end + 1)) {
            (false, Some(b'>'), _) => {
                self.open.push((key, name));
                (Tok::Start(elem(len, key)), name_end + 1)
            }
            (false, Some(b'/'), Some(b'>')) => (Tok::Empty(elem(len, key)), name_end + 2),
            (true, Some(b'>'), _)
                if self.open.last().is_some_and(|(k, open)| {
                    *k == key && open.len() == len && (len <= 16 || *open == name)
                }) =>
            {
                self.open.pop();
                (Tok::End(elem(len, key)), name_end + 1)
            }
            _ => return Err(give_up(start)),
        };
        self.at = after;
        self.end = after;
        Ok(tok)
    }

    /// Text from `start` up to the next `<` (or the end), the five
    /// predefined entities resolved.
    fn text(&mut self, start: usize) -> Result<Tok<'a>, ParseError> {
        let bytes = self.doc.as_bytes();
        let mut end = start;
        let mut plain = true;
        while let Some(&b) = bytes.get(end) {
            match b {
                b'<' => break,
                b'&' => plain = false,
                b'\r' => return Err(give_up(end)),
                _ => {}
            }
            end += 1;
        }
        self.at = end;
        self.end = end;
        let raw = &self.doc[start..end];
        if plain {
            return Ok(Tok::Text(Cow::Borrowed(raw)));
        }
        let text = resolve_entities(raw).ok_or_else(|| give_up(start))?;
        Ok(Tok::Text(Cow::Owned(text)))
    }
}

/// `raw` with the five predefined entities resolved; `None` on any other
/// reference or a `&` without its `;`.
pub(crate) fn resolve_entities(raw: &str) -> Option<String> {
    let mut text = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        text.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';')?;
        text.push(match &after[..semi] {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "apos" => '\'',
            "quot" => '"',
            _ => return None,
        });
        rest = &after[semi + 1..];
    }
    text.push_str(rest);
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_names_map_as_names_do() {
        let names = [
            "value",
            "string",
            "member",
            "name",
            "i4",
            "int",
            "struct",
            "array",
            "data",
            "boolean",
            "double",
            "dateTime.iso8601",
            "base64",
            "nil",
            "i8",
            "param",
            "params",
            "methodName",
            "methodCall",
            "methodResponse",
            "fault",
            "values",
            "valu",
            "Value",
            "dateTime.iso86011",
            "x",
            "i",
            "methodResponses",
        ];
        for name in names {
            assert_eq!(
                elem(name.len(), packed(name.as_bytes())),
                Elem::of(name),
                "{name}"
            );
        }
    }
}
