//! The token layer under the parser: quick-xml's slice reader, reduced to
//! the few tokens XML-RPC needs.
//!
//! What happens here, so the grammar above never sees it:
//! - adjacent text, CDATA sections and references are merged into one text
//!   token, borrowed from the input when it is a single plain chunk;
//! - line ends are normalised as XML 1.0 demands (`\r\n` and `\r` become
//!   `\n`; a `&#13;` reference stays a `\r`);
//! - the five predefined entities and character references are resolved,
//!   any other entity reference is an error;
//! - comments and processing instructions are skipped;
//! - a DOCTYPE (and with it any DTD or entity declaration) is refused;
//! - an XML declaration is accepted only first, and only for UTF-8.
//!
//! Errors carry the codec's own words and an offset, never document text:
//! quick-xml's own error messages can quote element names, so they are
//! mapped to fixed descriptions here.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesDecl, BytesRef, Event};

use crate::ParseError;
use crate::xml_error::describe;

/// The XML-RPC elements the grammar knows; anything else is `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elem {
    MethodCall,
    MethodName,
    MethodResponse,
    Params,
    Param,
    Fault,
    Value,
    Struct,
    Member,
    Name,
    Array,
    Data,
    Int,
    I8,
    Boolean,
    String,
    Double,
    DateTime,
    Base64,
    Nil,
    Unknown,
}

impl Elem {
    fn of(name: &str) -> Elem {
        match name {
            "value" => Elem::Value,
            "string" => Elem::String,
            "member" => Elem::Member,
            "name" => Elem::Name,
            "i4" | "int" => Elem::Int,
            "struct" => Elem::Struct,
            "array" => Elem::Array,
            "data" => Elem::Data,
            "boolean" => Elem::Boolean,
            "double" => Elem::Double,
            "dateTime.iso8601" => Elem::DateTime,
            "base64" => Elem::Base64,
            "nil" => Elem::Nil,
            "i8" => Elem::I8,
            "param" => Elem::Param,
            "params" => Elem::Params,
            "methodName" => Elem::MethodName,
            "methodCall" => Elem::MethodCall,
            "methodResponse" => Elem::MethodResponse,
            "fault" => Elem::Fault,
            // Apache's extension types under any namespace prefix (`ex:nil`).
            _ => match name.split_once(':').map(|(_, local)| local) {
                Some("nil") => Elem::Nil,
                Some("i8") => Elem::I8,
                _ => Elem::Unknown,
            },
        }
    }
}

/// One token of the document.
#[derive(Debug)]
pub(crate) enum Tok<'a> {
    /// `<name ...>`
    Start(Elem),
    /// `<name .../>`
    Empty(Elem),
    /// `</name>`
    End(Elem),
    /// Character data: text, CDATA and references merged, never empty.
    Text(Cow<'a, str>),
    /// End of input.
    Eof,
}

impl Tok<'_> {
    /// Whether this is text made only of XML whitespace.
    pub(crate) fn is_blank(&self) -> bool {
        matches!(self, Tok::Text(t) if is_blank(t))
    }
}

/// Whether `s` holds only XML whitespace (space, tab, CR, LF).
pub(crate) fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// A piece of character data before merging.
enum Piece<'a> {
    Str(Cow<'a, str>),
    Char(char),
}

/// The tokenizer over one document held in memory.
pub(crate) struct Tokens<'a> {
    reader: Reader<&'a [u8]>,
    pending: Option<(Event<'a>, usize)>,
    /// Offset where the last returned token starts.
    pos: usize,
    first: bool,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(body: &'a [u8]) -> Tokens<'a> {
        Tokens {
            reader: Reader::from_reader(body),
            pending: None,
            pos: 0,
            first: true,
        }
    }

    /// Offset where the last returned token starts.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// An error at the start of the last token.
    pub(crate) fn error(&self, reason: &str) -> ParseError {
        ParseError {
            offset: self.pos,
            reason: reason.to_owned(),
        }
    }

    /// The next token.
    pub(crate) fn next(&mut self) -> Result<Tok<'a>, ParseError> {
        let (event, pos) = self.raw()?;
        self.pos = pos;
        let mut text = match event {
            Event::Start(e) => return Ok(Tok::Start(Elem::of(e.name().into_inner()))),
            Event::Empty(e) => return Ok(Tok::Empty(Elem::of(e.name().into_inner()))),
            Event::End(e) => return Ok(Tok::End(Elem::of(e.name().into_inner()))),
            Event::Eof => return Ok(Tok::Eof),
            other => match self.piece(other)? {
                Piece::Str(s) => s,
                Piece::Char(c) => Cow::Owned(c.to_string()),
            },
        };
        loop {
            let (event, pos) = self.raw()?;
            if !matches!(
                event,
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)
            ) {
                self.pending = Some((event, pos));
                break;
            }
            match self.piece(event)? {
                Piece::Str(s) if s.is_empty() => {}
                Piece::Str(s) if text.is_empty() => text = s,
                Piece::Str(s) => text.to_mut().push_str(&s),
                Piece::Char(c) => text.to_mut().push(c),
            }
        }
        if text.is_empty() {
            // Only an empty chunk (cannot normally happen): read on.
            return self.next();
        }
        Ok(Tok::Text(text))
    }

    /// The next event that matters, with its start offset: comments and
    /// processing instructions skipped, DOCTYPE refused, the declaration
    /// checked.
    fn raw(&mut self) -> Result<(Event<'a>, usize), ParseError> {
        if let Some(pending) = self.pending.take() {
            return Ok(pending);
        }
        loop {
            let pos = offset(self.reader.buffer_position());
            let event = self.reader.read_event().map_err(|e| ParseError {
                offset: offset(self.reader.error_position()),
                reason: describe(&e).to_owned(),
            })?;
            let first = std::mem::replace(&mut self.first, false);
            match event {
                Event::Comment(_) | Event::PI(_) => {}
                Event::DocType(_) => {
                    return Err(ParseError {
                        offset: pos,
                        reason: "a DOCTYPE (DTD) is not allowed".to_owned(),
                    });
                }
                Event::Decl(decl) => {
                    if !first {
                        return Err(ParseError {
                            offset: pos,
                            reason: "the XML declaration is not at the start".to_owned(),
                        });
                    }
                    check_decl(&decl).map_err(|reason| ParseError {
                        offset: pos,
                        reason: reason.to_owned(),
                    })?;
                }
                other => return Ok((other, pos)),
            }
        }
    }

    /// The character data of a text, CDATA or reference event.
    fn piece(&self, event: Event<'a>) -> Result<Piece<'a>, ParseError> {
        match event {
            Event::Text(t) => Ok(Piece::Str(t.xml10_content())),
            Event::CData(c) => Ok(Piece::Str(c.xml10_content())),
            Event::GeneralRef(r) => resolve(&r).map(Piece::Char).map_err(|reason| ParseError {
                offset: self.pos,
                reason: reason.to_owned(),
            }),
            _ => Err(self.error("unexpected markup")),
        }
    }
}

/// Resolves `&name;`: a character reference or one of the five predefined
/// entities. Nothing else is defined (DTDs are refused).
fn resolve(r: &BytesRef<'_>) -> Result<char, &'static str> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c),
            _ => Err("invalid character reference"),
        };
    }
    match &**r {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => Err("reference to an undefined entity"),
    }
}

/// Accepts an XML declaration of version 1.x with no encoding or a UTF-8
/// (or ASCII) one: the only encodings SUSE Manager and its clients use.
fn check_decl(decl: &BytesDecl<'_>) -> Result<(), &'static str> {
    decl.version().map_err(|_| "malformed XML declaration")?;
    match decl.encoding() {
        None => Ok(()),
        Some(Err(_)) => Err("malformed XML declaration"),
        Some(Ok(enc)) => {
            let enc = enc.to_ascii_lowercase();
            if matches!(enc.as_str(), "utf-8" | "utf8" | "us-ascii" | "ascii") {
                Ok(())
            } else {
                Err("unsupported document encoding (only UTF-8 is accepted)")
            }
        }
    }
}

fn offset(pos: u64) -> usize {
    usize::try_from(pos).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(doc: &str) -> Vec<String> {
        let mut t = Tokens::new(doc.as_bytes());
        let mut out = Vec::new();
        loop {
            match t.next().unwrap() {
                Tok::Text(s) => out.push(s.into_owned()),
                Tok::Eof => return out,
                _ => {}
            }
        }
    }

    #[test]
    fn merges_text_cdata_and_references() {
        let got = texts("<a>x&lt;<![CDATA[<&>]]>&#65;&#x42;<!-- c -->y&amp;</a>");
        assert_eq!(got, vec!["x<<&>ABy&"]);
    }

    #[test]
    fn normalises_line_ends_but_keeps_cr_reference() {
        assert_eq!(texts("<a>1\r\n2\r3&#13;</a>"), vec!["1\n2\n3\r"]);
    }

    #[test]
    fn maps_names() {
        assert_eq!(Elem::of("ex:nil"), Elem::Nil);
        assert_eq!(Elem::of("int"), Elem::Int);
        assert_eq!(Elem::of("ex:foo"), Elem::Unknown);
        assert_eq!(Elem::of("Value"), Elem::Unknown);
    }
}
