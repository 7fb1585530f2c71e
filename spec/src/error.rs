//! Errors: a call the server would refuse ([`LookupError`]) and a spec file
//! that does not load ([`SpecError`]).

use xmlrpc::Fault;

/// The prefix redstone puts before the message of an `XmlRpcFault`.
const XMLRPC_FAULT: &str = "redstone.xmlrpc.XmlRpcFault: ";

/// The prefix of a `TranslationException` escaping `BaseHandler.invoke`.
const TRANSLATION_EXCEPTION: &str = "com.redhat.rhn.common.translation.TranslationException: ";

/// An integer as Java's `MessageFormat` writes an `Integer` argument in the
/// server's English fault messages: thousands grouped by commas
/// (`Invalid snapshot specified: 1,234`).
pub fn message_number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Why a call matches no entry; [`LookupError::fault`] gives the server's
/// exact fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LookupError {
    /// The namespace (everything before the last dot) names no handler.
    #[error("The specified handler cannot be found")]
    UnknownNamespace,
    /// No overload has that name and argument count.
    #[error("{}", fault.string)]
    NoSuchMethod {
        /// The server's fault.
        fault: Fault,
    },
    /// No overload matches the argument types exactly and an argument of
    /// the first same-arity overload has no `Translator` conversion.
    #[error("{}", fault.string)]
    WrongType {
        /// The server's fault.
        fault: Fault,
    },
}

impl LookupError {
    /// The fault the real server answers: code -1 and its exact text.
    pub fn fault(&self) -> Fault {
        match self {
            LookupError::UnknownNamespace => {
                Fault::new(-1, "The specified handler cannot be found")
            }
            LookupError::NoSuchMethod { fault } | LookupError::WrongType { fault } => fault.clone(),
        }
    }

    /// `BaseHandler.findMethods`' fault: `method` as beanified, `handler`
    /// the full class name, `args` the argument class names.
    pub(crate) fn no_such_method(method: &str, handler: &str, args: &[&str]) -> LookupError {
        let string = format!(
            "{XMLRPC_FAULT}Could not find method: {method} in class: {handler} with params: [{}]",
            args.join(", ")
        );
        LookupError::NoSuchMethod {
            fault: Fault::new(-1, string),
        }
    }

    /// `Translations.convert`'s exception: `from` and `to` as
    /// `Class.toString()` prints them (`class java.lang.String`,
    /// `interface com.redhat.rhn.domain.user.User`).
    pub(crate) fn wrong_type(from: &str, to: &str) -> LookupError {
        let string = format!("{TRANSLATION_EXCEPTION}Could not find translator for {from} to {to}");
        LookupError::WrongType {
            fault: Fault::new(-1, string),
        }
    }
}

/// A spec document that does not load.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// Not JSON of the spec format.
    #[error("spec document is not valid: {0}")]
    Json(#[from] serde_json::Error),
    /// A format or version this build does not read.
    #[error(
        "spec document has format `{format}` version {version}; this build reads `{}` version {}",
        crate::document::FORMAT,
        crate::document::VERSION
    )]
    Version {
        /// The document's format name.
        format: String,
        /// The document's version.
        version: u32,
    },
    /// An entry whose namespace the document does not list.
    #[error("entry {entry} names namespace `{namespace}`, which the document does not list")]
    UnlistedNamespace {
        /// The entry, `namespace.method`.
        entry: String,
        /// Its namespace.
        namespace: String,
    },
    /// An entry whose route contradicts its class or parameters.
    #[error("entry {entry} has an invalid route: {why}")]
    BadRoute {
        /// The entry, `namespace.method`.
        entry: String,
        /// What is wrong.
        why: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_messages_are_grouped_as_java_groups_them() {
        assert_eq!(message_number(7), "7");
        assert_eq!(message_number(1234), "1,234");
        assert_eq!(message_number(1_000_010_000), "1,000,010,000");
        assert_eq!(message_number(-123_456), "-123,456");
    }

    #[test]
    fn fault_strings_match_the_server() {
        assert_eq!(
            LookupError::UnknownNamespace.fault(),
            Fault::new(-1, "The specified handler cannot be found")
        );
        let handler = "com.redhat.rhn.frontend.xmlrpc.system.SystemHandler";
        let e = LookupError::no_such_method(
            "getDetails",
            handler,
            &[
                "com.redhat.rhn.domain.user.legacy.UserImpl",
                "java.lang.String",
            ],
        );
        assert_eq!(
            e.fault().string,
            "redstone.xmlrpc.XmlRpcFault: Could not find method: getDetails in class: \
             com.redhat.rhn.frontend.xmlrpc.system.SystemHandler with params: \
             [com.redhat.rhn.domain.user.legacy.UserImpl, java.lang.String]"
        );
        let e = LookupError::wrong_type("class java.lang.String", "class java.lang.Integer");
        assert_eq!(
            e.fault().string,
            "com.redhat.rhn.common.translation.TranslationException: Could not find \
             translator for class java.lang.String to class java.lang.Integer"
        );
        assert_eq!(e.to_string(), e.fault().string);
    }
}
