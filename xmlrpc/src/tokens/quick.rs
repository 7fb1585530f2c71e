//! The reference tokenizer: quick-xml's slice reader, reduced to the few
//! tokens XML-RPC needs (see [`super`] for what it does).

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesDecl, BytesRef, Event};

use super::{Elem, Tok};
use crate::ParseError;
use crate::xml_error::describe;

/// A piece of character data before merging.
enum Piece<'a> {
    Str(Cow<'a, str>),
    Char(char),
}

/// The reference tokenizer over one document held in memory.
pub(crate) struct Quick<'a> {
    reader: Reader<&'a [u8]>,
    pending: Option<(Event<'a>, usize, usize)>,
    /// Offset where the last returned token starts.
    pos: usize,
    /// Offset just past the last returned token.
    end: usize,
    first: bool,
    /// Whether an element name with a namespace prefix (`ex:nil`) was read.
    prefixed: bool,
}

impl<'a> Quick<'a> {
    pub(crate) fn new(body: &'a [u8]) -> Quick<'a> {
        Quick {
            reader: Reader::from_reader(body),
            pending: None,
            pos: 0,
            end: 0,
            first: true,
            prefixed: false,
        }
    }

    /// Offset where the last returned token starts.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Offset just past the last returned token.
    pub(crate) fn end(&self) -> usize {
        self.end
    }

    /// Whether an element name with a namespace prefix (`ex:nil`, `ex:i8`)
    /// was read so far.
    pub(crate) fn saw_prefixed(&self) -> bool {
        self.prefixed
    }

    fn elem(&mut self, name: &str) -> Elem {
        let elem = Elem::of(name);
        if elem != Elem::Unknown && name.contains(':') {
            self.prefixed = true;
        }
        elem
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
        let (event, pos, end) = self.raw()?;
        self.pos = pos;
        self.end = end;
        let mut text = match event {
            Event::Start(e) => return Ok(Tok::Start(self.elem(e.name().into_inner()))),
            Event::Empty(e) => return Ok(Tok::Empty(self.elem(e.name().into_inner()))),
            Event::End(e) => return Ok(Tok::End(self.elem(e.name().into_inner()))),
            Event::Eof => return Ok(Tok::Eof),
            other => match self.piece(other)? {
                Piece::Str(s) => s,
                Piece::Char(c) => Cow::Owned(c.to_string()),
            },
        };
        loop {
            let (event, pos, end) = self.raw()?;
            if !matches!(
                event,
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)
            ) {
                self.pending = Some((event, pos, end));
                break;
            }
            self.end = end;
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

    /// The next event that matters, with its start and end offsets:
    /// comments and processing instructions skipped, DOCTYPE refused, the
    /// declaration checked.
    fn raw(&mut self) -> Result<(Event<'a>, usize, usize), ParseError> {
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
                other => return Ok((other, pos, offset(self.reader.buffer_position()))),
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
