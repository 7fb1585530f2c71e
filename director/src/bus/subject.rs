//! NATS subject rules, shared by every engine so they accept and match the
//! same subjects.

use super::BusError;

/// Every directive subject starts with this; the NATS directive stream holds
/// `directive.>`.
pub const DIRECTIVE_PREFIX: &str = "directive.";

/// The subjects of the durable event stream: what node agents report
/// (`node.<id>.event` for the director, `node.<id>.change` for later
/// consumers). A filter of [`Bus::events`](super::Bus::events) must fall
/// inside them.
pub const EVENT_SUBJECTS: [&str; 2] = ["node.*.event", "node.*.change"];

/// Checks a subject to publish to: non-empty tokens, no whitespace, no
/// wildcards.
pub(crate) fn check_subject(subject: &str) -> Result<(), BusError> {
    check(subject, false)
}

/// Checks a subscription pattern: like a subject, but a token may be `*`,
/// and the last one `>`.
pub(crate) fn check_pattern(pattern: &str) -> Result<(), BusError> {
    check(pattern, true)
}

/// Checks a directive subject (or filter, when `pattern`): also under
/// [`DIRECTIVE_PREFIX`].
pub(crate) fn check_directive(subject: &str, pattern: bool) -> Result<(), BusError> {
    check(subject, pattern)?;
    if subject.starts_with(DIRECTIVE_PREFIX) {
        Ok(())
    } else {
        Err(invalid(
            subject,
            "directive subjects start with \"directive.\"",
        ))
    }
}

/// Checks an event subject (or a filter, when `pattern`): inside
/// [`EVENT_SUBJECTS`]. A filter may use `*` for the node token only.
pub(crate) fn check_event(subject: &str, pattern: bool) -> Result<(), BusError> {
    check(subject, pattern)?;
    let tokens: Vec<&str> = subject.split('.').collect();
    let inside = EVENT_SUBJECTS.iter().any(|stream| {
        let stream: Vec<&str> = stream.split('.').collect();
        tokens.len() == stream.len()
            && tokens
                .iter()
                .zip(&stream)
                .all(|(token, want)| *want == "*" || token == want)
    });
    if inside {
        Ok(())
    } else {
        Err(invalid(
            subject,
            "event subjects are node.<id>.event or node.<id>.change",
        ))
    }
}

/// Checks an idempotency key: 1-128 printable ASCII characters, no spaces
/// (it travels in a message header).
pub(crate) fn check_idempotency_key(key: &str) -> Result<(), BusError> {
    let ok = !key.is_empty() && key.len() <= 128 && key.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(BusError::InvalidIdempotencyKey {
            key: key.to_owned(),
        })
    }
}

/// Checks a durable consumer name: what NATS accepts as a consumer name and
/// is safe in a subject token.
pub(crate) fn check_consumer(name: &str) -> Result<(), BusError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(BusError::InvalidConsumer {
            name: name.to_owned(),
        })
    }
}

fn check(subject: &str, wildcards: bool) -> Result<(), BusError> {
    if subject.is_empty() {
        return Err(invalid(subject, "empty"));
    }
    if subject.chars().any(char::is_whitespace) {
        return Err(invalid(subject, "contains whitespace"));
    }
    let tokens: Vec<&str> = subject.split('.').collect();
    for (i, token) in tokens.iter().enumerate() {
        if token.is_empty() {
            return Err(invalid(subject, "empty token"));
        }
        let wild = *token == "*" || *token == ">";
        if !wild && (token.contains('*') || token.contains('>')) {
            return Err(invalid(subject, "a wildcard must be a whole token"));
        }
        if wild && !wildcards {
            return Err(invalid(subject, "wildcards are for subscriptions only"));
        }
        if *token == ">" && i + 1 != tokens.len() {
            return Err(invalid(subject, "'>' must be the last token"));
        }
    }
    Ok(())
}

fn invalid(subject: &str, reason: &'static str) -> BusError {
    BusError::InvalidSubject {
        subject: subject.to_owned(),
        reason,
    }
}

/// Whether `subject` matches `pattern` under NATS rules: `*` matches exactly
/// one token, a final `>` matches one or more.
pub fn subject_matches(pattern: &str, subject: &str) -> bool {
    let mut subject = subject.split('.');
    for token in pattern.split('.') {
        match (token, subject.next()) {
            (">", Some(_)) => return true,
            (_, None) => return false,
            ("*", Some(_)) => {}
            (want, Some(got)) if want == got => {}
            _ => return false,
        }
    }
    subject.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_follows_nats_rules() {
        let cases = [
            ("a.b", "a.b", true),
            ("a.b", "a.c", false),
            ("a.*", "a.b", true),
            ("a.*", "a", false),
            ("a.*", "a.b.c", false),
            ("a.>", "a.b", true),
            ("a.>", "a.b.c", true),
            ("a.>", "a", false),
            (">", "a", true),
            ("*.b.*", "a.b.c", true),
            ("*.b.*", "a.x.c", false),
            ("a.b", "a.b.c", false),
            ("a.b.c", "a.b", false),
        ];
        for (pattern, subject, expected) in cases {
            assert_eq!(
                subject_matches(pattern, subject),
                expected,
                "{pattern} ~ {subject}"
            );
        }
    }

    #[test]
    fn subjects_are_checked() {
        assert!(check_subject("node.n1.heartbeat").is_ok());
        for bad in ["", "a..b", ".a", "a.", "a b", "a.*", "a.>", "a*"] {
            assert!(check_subject(bad).is_err(), "{bad:?}");
        }
        assert!(check_pattern("a.*.c.>").is_ok());
        for bad in ["a.>.c", "a.b*", "", "a..b"] {
            assert!(check_pattern(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn directive_subjects_and_consumers_are_checked() {
        assert!(check_directive("directive.node.n1", false).is_ok());
        assert!(check_directive("directive.>", true).is_ok());
        assert!(check_directive("event.node", false).is_err());
        assert!(check_directive("directive", false).is_err());
        assert!(check_consumer("node-n1_a").is_ok());
        assert!(check_event("node.n1.event", false).is_ok());
        assert!(check_event("node.n1.change", false).is_ok());
        assert!(check_event("node.*.event", true).is_ok());
        for bad in [
            "node.*.event",
            "node.n1.heartbeat",
            "node.n1",
            "node.n1.event.x",
        ] {
            assert!(check_event(bad, false).is_err(), "{bad:?}");
        }
        for bad in ["node.>", "node.*.*", "node.n1.>", "x.*.event"] {
            assert!(check_event(bad, true).is_err(), "{bad:?}");
        }
        assert!(check_idempotency_key("n1:42").is_ok());
        for bad in ["", "a b", "a\nb", &"k".repeat(129)] {
            assert!(check_idempotency_key(bad).is_err(), "{bad:?}");
        }
        for bad in ["", "a.b", "a b", "a*", "a>"] {
            assert!(check_consumer(bad).is_err(), "{bad:?}");
        }
    }
}
