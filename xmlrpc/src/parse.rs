//! The parser: the document grammar of calls and responses.
//!
//! Accepted around the XML-RPC elements: an XML declaration (UTF-8, either
//! quote style) or none, whitespace, comments and processing instructions.
//! A call may have `<params>`, `<params/>` or no `<params>` at all. Refused:
//! a DOCTYPE, undefined entities, text or elements after the root element,
//! unknown elements, and documents over [`Limits::max_body_bytes`] (checked
//! before reading a byte) or nested deeper than [`Limits::max_depth`].

use crate::tokens::{Elem, Tok, Tokens};
use crate::value_reader::{Build, ValueBuilder, read_value, text_content, walk_value};
use crate::{Fault, Limits, MethodCall, ParseError, Value};

/// Parses a `<methodCall>` document.
pub fn parse_call(body: &[u8], limits: &Limits) -> Result<MethodCall, ParseError> {
    read(body, limits, call)
}

fn call(mut doc: Doc<'_, '_>) -> Result<MethodCall, ParseError> {
    doc.root(Elem::MethodCall, "the root element must be <methodCall>")?;
    let name = match doc.significant()? {
        Tok::Start(Elem::MethodName) => {
            text_content(&mut doc.tokens, Elem::MethodName)?.into_owned()
        }
        Tok::Empty(Elem::MethodName) => String::new(),
        _ => return Err(doc.tokens.error("expected <methodName>")),
    };
    let mut params = Vec::new();
    match doc.significant()? {
        Tok::End(Elem::MethodCall) => return doc.finish(MethodCall { name, params }),
        Tok::Empty(Elem::Params) => {}
        Tok::Start(Elem::Params) => loop {
            match doc.significant()? {
                Tok::Start(Elem::Param) => params.push(doc.param()?),
                Tok::End(Elem::Params) => break,
                _ => return Err(doc.tokens.error("expected <param> or </params>")),
            }
        },
        _ => return Err(doc.tokens.error("expected <params> or </methodCall>")),
    }
    doc.close(Elem::MethodCall, "expected </methodCall>")?;
    doc.finish(MethodCall { name, params })
}

/// Parses a `<methodResponse>` document: `Ok(Ok(value))` for a result,
/// `Ok(Err(fault))` for a fault.
///
/// A fault's `faultCode` may be `<int>` or `<i4>` (or an `<i8>` that fits),
/// its `faultString` is kept exactly, and further members of the fault
/// struct are ignored.
pub fn parse_response(body: &[u8], limits: &Limits) -> Result<Result<Value, Fault>, ParseError> {
    read(body, limits, |mut doc| {
        let response = doc.response(&mut ValueBuilder)?;
        doc.finish(response)
    })
}

/// Parses a lone `<value>` element (for tests and tools).
pub fn parse_value(body: &[u8], limits: &Limits) -> Result<Value, ParseError> {
    read(body, limits, value)
}

fn value(mut doc: Doc<'_, '_>) -> Result<Value, ParseError> {
    let empty = match doc.significant()? {
        Tok::Start(Elem::Value) => false,
        Tok::Empty(Elem::Value) => true,
        Tok::Eof => return Err(doc.tokens.error("empty document")),
        _ => return Err(doc.tokens.error("the root element must be <value>")),
    };
    let value = read_value(&mut doc.tokens, doc.limits, empty)?;
    doc.finish(value)
}

/// Reads `body` with `read`: over the fast tokenizer first and, when
/// that fails in any way, again from the start over the reference
/// tokenizer, whose verdict stands (see [`crate::tokens`]). The size limit
/// is checked before reading a byte.
pub(crate) fn read<'a, T>(
    body: &'a [u8],
    limits: &Limits,
    read: impl Fn(Doc<'a, '_>) -> Result<T, ParseError>,
) -> Result<T, ParseError> {
    if body.len() > limits.max_body_bytes {
        return Err(ParseError {
            offset: limits.max_body_bytes,
            reason: format!(
                "the document is larger than the limit of {} bytes",
                limits.max_body_bytes
            ),
        });
    }
    if let Some(tokens) = Tokens::fast(body)
        && let Ok(parsed) = read(Doc { tokens, limits })
    {
        return Ok(parsed);
    }
    read(Doc {
        tokens: Tokens::new(body),
        limits,
    })
}

/// One document being parsed.
pub(crate) struct Doc<'a, 'l> {
    tokens: Tokens<'a>,
    limits: &'l Limits,
}

impl<'a> Doc<'a, '_> {
    /// The next token that is not whitespace; other text is an error.
    fn significant(&mut self) -> Result<Tok<'a>, ParseError> {
        loop {
            let tok = self.tokens.next()?;
            match tok {
                Tok::Text(_) if tok.is_blank() => {}
                Tok::Text(_) => return Err(self.tokens.error("unexpected text between elements")),
                other => return Ok(other),
            }
        }
    }

    /// Reads up to and including the root element's start tag.
    fn root(&mut self, elem: Elem, wrong: &str) -> Result<(), ParseError> {
        match self.significant()? {
            Tok::Start(e) if e == elem => Ok(()),
            Tok::Eof => Err(self.tokens.error("empty document")),
            _ => Err(self.tokens.error(wrong)),
        }
    }

    /// Expects the end tag of `elem` next.
    fn close(&mut self, elem: Elem, wrong: &str) -> Result<(), ParseError> {
        match self.significant()? {
            Tok::End(e) if e == elem => Ok(()),
            _ => Err(self.tokens.error(wrong)),
        }
    }

    /// Reads a `<methodResponse>` document up to its end tag, its result
    /// made by `build`: `Ok(Ok(result))` for a result, `Ok(Err(fault))`
    /// for a fault. [`Doc::finish`] checks what follows.
    pub(crate) fn response<B: Build<'a>>(
        &mut self,
        build: &mut B,
    ) -> Result<Result<B::Out, Fault>, ParseError> {
        self.root(
            Elem::MethodResponse,
            "the root element must be <methodResponse>",
        )?;
        let response = match self.significant()? {
            Tok::Start(Elem::Params) => {
                match self.significant()? {
                    Tok::Start(Elem::Param) => {}
                    _ => {
                        return Err(self
                            .tokens
                            .error("a response must carry exactly one <param>"));
                    }
                }
                let value = self.value_with(build)?;
                self.close(Elem::Param, "expected </param>")?;
                self.close(Elem::Params, "a response must carry exactly one <param>")?;
                Ok(value)
            }
            Tok::Start(Elem::Fault) => {
                let at = self.tokens.pos();
                let value = self.value()?;
                let fault = Fault::from_value(&value).ok_or_else(|| ParseError {
                    offset: at,
                    reason:
                        "a fault must be a struct with an integer faultCode and a string faultString"
                            .to_owned(),
                })?;
                self.close(Elem::Fault, "expected </fault>")?;
                Err(fault)
            }
            _ => return Err(self.tokens.error("expected <params> or <fault>")),
        };
        self.close(Elem::MethodResponse, "expected </methodResponse>")?;
        Ok(response)
    }

    /// Whether an element name with a namespace prefix (`ex:nil`) was read.
    pub(crate) fn saw_prefixed(&self) -> bool {
        self.tokens.saw_prefixed()
    }

    /// Reads `<value>...</value>` next.
    fn value(&mut self) -> Result<Value, ParseError> {
        self.value_with(&mut ValueBuilder)
    }

    /// Reads `<value>...</value>` next, made by `build`.
    fn value_with<B: Build<'a>>(&mut self, build: &mut B) -> Result<B::Out, ParseError> {
        let empty = match self.significant()? {
            Tok::Start(Elem::Value) => false,
            Tok::Empty(Elem::Value) => true,
            _ => return Err(self.tokens.error("expected <value>")),
        };
        walk_value(&mut self.tokens, self.limits, empty, build)
    }

    /// Reads a param's value and its `</param>`; `<param>` was just read.
    fn param(&mut self) -> Result<Value, ParseError> {
        let value = self.value()?;
        self.close(Elem::Param, "expected </param>")?;
        Ok(value)
    }

    /// Checks that nothing but whitespace, comments and processing
    /// instructions follows the root element.
    pub(crate) fn finish<T>(mut self, parsed: T) -> Result<T, ParseError> {
        loop {
            let tok = self.tokens.next()?;
            match tok {
                Tok::Eof => return Ok(parsed),
                Tok::Text(_) if tok.is_blank() => {}
                _ => return Err(self.tokens.error("content after the root element")),
            }
        }
    }
}
