//! String trimming as SUSE Manager does it on incoming parameters.

use crate::{MethodCall, Value};

impl MethodCall {
    /// Trims every string of the call the way SUSE Manager's XML-RPC parser
    /// does before dispatch: the method name, and every `String` and
    /// `DateTime` value at any depth — top-level parameters as well as
    /// items of arrays and members of structs — struct member names
    /// included. Trimming removes leading and trailing characters up to
    /// U+0020 — space and all ASCII control characters, as Java's
    /// `String.trim()` does — and nothing else (no Unicode spaces).
    ///
    /// Why: Uyuni's `XmlRpcServlet` hands the request to `RhnXmlRpcServer`,
    /// a subclass of redstone's `XmlRpcServer`, whose `XmlRpcDispatcher` and
    /// `XmlRpcParser` collect the character data of every element —
    /// `methodName`, member `name`, and each value, nested or not — and
    /// pass it through `String.trim()` (`XmlRpcParser.consumeCharData`)
    /// before building the Java value. `BaseHandler.invoke` and the invocation
    /// processors then see only trimmed strings; they trim nothing
    /// themselves. Clients depend on it: one sends a cached session key with
    /// a trailing newline.
    ///
    /// Numbers and booleans need nothing here (this codec already accepts
    /// whitespace around them); base64 ignores whitespace anyway.
    pub fn trim_string_params(&mut self) {
        trim_in_place(&mut self.name);
        let mut pending: Vec<&mut Value> = self.params.iter_mut().collect();
        while let Some(value) = pending.pop() {
            match value {
                Value::String(s) | Value::DateTime(s) => trim_in_place(s),
                Value::Array(items) => pending.extend(items.iter_mut()),
                Value::Struct(members) => {
                    for (name, value) in members.members_mut() {
                        trim_in_place(name);
                        pending.push(value);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Whether Java's `String.trim()` removes `c`.
fn is_java_trimmed(c: char) -> bool {
    c <= '\u{20}'
}

/// Trims `s` in place, without reallocating.
fn trim_in_place(s: &mut String) {
    let end = s.trim_end_matches(is_java_trimmed).len();
    s.truncate(end);
    let start = s.len() - s.trim_start_matches(is_java_trimmed).len();
    if start > 0 {
        s.drain(..start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Struct;

    #[test]
    fn trims_like_java_at_every_depth() {
        let key = "1x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let mut call = MethodCall {
            name: " system.listSystems\n".into(),
            params: vec![
                Value::string(format!("{key}\n")),
                Value::Int(7),
                Value::Array(vec![
                    Value::string("\t a b \r\n"),
                    Value::string("\u{0}\u{1f}x\u{7f}"),
                ]),
                Value::Struct(
                    Struct::new()
                        .with(" label ", Value::string("  x  "))
                        .with("when", Value::DateTime(" 20240101T00:00:00 ".into())),
                ),
                Value::string("\u{a0}nbsp\u{2003}"),
                Value::string(" \n "),
            ],
        };
        call.trim_string_params();
        assert_eq!(call.name, "system.listSystems");
        assert_eq!(
            call.params,
            vec![
                Value::string(key),
                Value::Int(7),
                Value::Array(vec![Value::string("a b"), Value::string("x\u{7f}")]),
                Value::Struct(
                    Struct::new()
                        .with("label", Value::string("x"))
                        .with("when", Value::DateTime("20240101T00:00:00".into())),
                ),
                // Java's trim leaves Unicode spaces alone.
                Value::string("\u{a0}nbsp\u{2003}"),
                Value::string(""),
            ]
        );
    }
}
