//! The token layer under the parser: the few tokens XML-RPC needs, from
//! one of two tokenizers.
//!
//! - [`quick`], the reference: quick-xml's slice reader. It reads any
//!   document and words every error.
//! - [`fast`]: a hand-written reader for the plain form XML-RPC peers
//!   write (the declaration, bare tags, text with the five predefined
//!   entities). It gives the same tokens at the same offsets, and gives up
//!   on anything else: CDATA, comments, references by number, carriage
//!   returns, attributes, prefixed names, any error. A document is read
//!   with [`Tokens::fast`] first; when that fails in any way, it is read
//!   again from the start with [`Tokens::new`], so every error (and every
//!   unusual document) comes from the reference.
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

pub(crate) mod fast;
mod quick;

use std::borrow::Cow;

use crate::ParseError;

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

/// The tokenizer over one document held in memory.
pub(crate) enum Tokens<'a> {
    /// The plain-form reader.
    Fast(fast::Fast<'a>),
    /// The reference reader.
    Quick(quick::Quick<'a>),
}

impl<'a> Tokens<'a> {
    /// The reference tokenizer.
    pub(crate) fn new(body: &'a [u8]) -> Tokens<'a> {
        Tokens::Quick(quick::Quick::new(body))
    }

    /// The plain-form tokenizer; `None` when `body` is not UTF-8 or starts
    /// with a byte-order mark.
    pub(crate) fn fast(body: &'a [u8]) -> Option<Tokens<'a>> {
        fast::Fast::new(body).map(Tokens::Fast)
    }

    /// Offset where the last returned token starts.
    pub(crate) fn pos(&self) -> usize {
        match self {
            Tokens::Fast(t) => t.pos(),
            Tokens::Quick(t) => t.pos(),
        }
    }

    /// Offset just past the last returned token.
    pub(crate) fn end(&self) -> usize {
        match self {
            Tokens::Fast(t) => t.end(),
            Tokens::Quick(t) => t.end(),
        }
    }

    /// Whether an element name with a namespace prefix (`ex:nil`, `ex:i8`)
    /// was read so far.
    pub(crate) fn saw_prefixed(&self) -> bool {
        match self {
            // The fast reader gives up on prefixed names.
            Tokens::Fast(_) => false,
            Tokens::Quick(t) => t.saw_prefixed(),
        }
    }

    /// An error at the start of the last token.
    pub(crate) fn error(&self, reason: &str) -> ParseError {
        ParseError {
            offset: self.pos(),
            reason: reason.to_owned(),
        }
    }

    /// The next token.
    pub(crate) fn next(&mut self) -> Result<Tok<'a>, ParseError> {
        match self {
            Tokens::Fast(t) => t.next(),
            Tokens::Quick(t) => t.next(),
        }
    }
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

    /// Every token with its offsets, to the end or the first error.
    fn all(mut t: Tokens<'_>) -> Result<Vec<(String, usize, usize)>, ParseError> {
        let mut out = Vec::new();
        loop {
            let tok = t.next()?;
            let eof = matches!(tok, Tok::Eof);
            out.push((format!("{tok:?}"), t.pos(), t.end()));
            if eof {
                return Ok(out);
            }
        }
    }

    /// Whatever the fast reader reads to the end, the reference reads
    /// alike.
    fn same_when_fast(doc: &[u8]) -> bool {
        let Some(fast) = Tokens::fast(doc) else {
            return false;
        };
        let Ok(fast) = all(fast) else {
            return false;
        };
        assert_eq!(
            Ok(fast),
            all(Tokens::new(doc)),
            "{}",
            String::from_utf8_lossy(doc)
        );
        true
    }

    #[test]
    fn the_fast_reader_reads_plain_documents_as_the_reference_does() {
        let plain = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodResponse><params><param><value><array><data>\
             <value><struct><member><name>name</name><value><string>a &amp; b &lt;c&gt; &quot;&apos;</string></value></member>\
             <member><name>id</name><value><i4>1</i4></value></member></struct></value><value/><value>  x </value>\
             </data></array></value></param></params></methodResponse>\n",
            "<?xml version='1.0'?>\n<methodCall>\n<methodName>a.b</methodName>\n<params/>\n</methodCall>\n",
            "<value><string>ünïcödé \u{1F600} ]]> > </string></value>",
        ];
        for doc in plain {
            assert!(same_when_fast(doc.as_bytes()), "{doc}");
        }
        let unusual = [
            "<a>1\r\n2</a>",
            "<a>&#65;</a>",
            "<a><![CDATA[x]]></a>",
            "<a><!-- c --></a>",
            "<a x='1'></a>",
            "<ex:nil/>",
            "<a></b>",
            "<a>",
            "</a>",
            "<a >x</a >",
            "\u{feff}<a/>",
            " <?xml version='1.0'?><a/>",
            "<?xml version='1.1'?><a/>",
            "<a>&nbsp;</a>",
            "<a>&amp</a>",
            "<!DOCTYPE a><a/>",
            "<?pi x?><a/>",
        ];
        for doc in unusual {
            assert!(!same_when_fast(doc.as_bytes()), "{doc}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_reader_never_disagrees(
            value in "[a-z&;<>/ ]{0,6}",
            cut in 0usize..400,
            byte in proptest::prelude::any::<u8>(),
            mode in 0u8..3,
        ) {
            let mut doc = format!(
                "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct><member>\
                 <name>{value}</name><value><string>{value}</string></value></member></struct>\
                 </value></param></params></methodResponse>"
            )
            .into_bytes();
            let at = cut % (doc.len() + 1);
            match mode {
                0 => doc.insert(at, byte),
                1 if at < doc.len() => {
                    doc.remove(at);
                }
                _ if at < doc.len() => doc[at] = byte,
                _ => {}
            }
            same_when_fast(&doc);
        }
    }

    #[test]
    fn maps_names() {
        assert_eq!(Elem::of("ex:nil"), Elem::Nil);
        assert_eq!(Elem::of("int"), Elem::Int);
        assert_eq!(Elem::of("ex:foo"), Elem::Unknown);
        assert_eq!(Elem::of("Value"), Elem::Unknown);
    }
}
