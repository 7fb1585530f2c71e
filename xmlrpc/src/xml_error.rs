//! quick-xml's errors in the codec's own words.
//!
//! quick-xml's messages can quote element names and other document text;
//! a request body may hold a password, so none of its text is passed on:
//! each error kind maps to a fixed description.

use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};

/// quick-xml's errors in our own words (its messages may quote names).
pub(crate) fn describe(e: &XmlError) -> &'static str {
    match e {
        XmlError::Syntax(s) => match s {
            SyntaxError::InvalidBangMarkup => "invalid markup after '<!'",
            SyntaxError::UnclosedPI => "unclosed processing instruction",
            SyntaxError::UnclosedXmlDecl => "unclosed XML declaration",
            SyntaxError::UnclosedComment => "unclosed comment",
            SyntaxError::UnclosedDoctype => "unclosed DOCTYPE",
            SyntaxError::UnclosedCData => "unclosed CDATA section",
            SyntaxError::UnclosedTag => "unclosed tag",
            _ => "malformed XML",
        },
        XmlError::IllFormed(i) => match i {
            IllFormedError::MissingDeclVersion(_) | IllFormedError::UnknownVersion => {
                "malformed XML declaration"
            }
            IllFormedError::MissingDoctypeName => "a DOCTYPE (DTD) is not allowed",
            IllFormedError::MissingEndTag(_) => "an element is not closed",
            IllFormedError::UnmatchedEndTag(_) => "a closing tag matches no open element",
            IllFormedError::MismatchedEndTag { .. } => "a closing tag does not match its element",
            IllFormedError::DoubleHyphenInComment => "'--' inside a comment",
            IllFormedError::UnclosedReference => "a '&' that starts no reference",
        },
        XmlError::Encoding(_) => "the document is not valid UTF-8",
        XmlError::Escape(_) => "invalid reference",
        XmlError::InvalidAttr(_) => "malformed attribute",
        _ => "malformed XML",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_quote_nothing() {
        let e = XmlError::IllFormed(IllFormedError::MismatchedEndTag {
            expected: "secret".into(),
            found: "password".into(),
        });
        assert_eq!(describe(&e), "a closing tag does not match its element");
        let e = XmlError::IllFormed(IllFormedError::MissingEndTag("secret".into()));
        assert!(!describe(&e).contains("secret"));
    }
}
