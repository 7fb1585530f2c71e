//! Directive payloads: the JSON the director sends, and the sealed
//! envelope of the private subject.
//!
//! A directive is a JSON object with a `kind` (`lifecycle` with a `state`,
//! `expect-minion`, `release-minion`, ...). Its other top-level scalars are
//! given to the nanostate as `NODECTL_<FIELD>` (upper case, `-` as `_`).
//! An `env` object (name to string) holds secrets for the nanostate's
//! environment and is only accepted from the private subject.
//!
//! The private subject carries `{"sealed": "<base64>"}`: the directive's
//! JSON in a sealed box made for the node's X25519 key (see
//! [`crate::keys`]), so the bus never carries it in clear.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::keys::{NodeKey, seal};
use crate::nanostate::script::valid_env_name;

/// A directive, read.
#[derive(Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Its kind.
    pub kind: String,
    /// The lifecycle state, for `lifecycle`.
    pub state: Option<String>,
    /// `NODECTL_*` variables from its scalar fields.
    pub fields: BTreeMap<String, String>,
    /// Secret environment (names only in `Debug`).
    pub env: BTreeMap<String, String>,
}

impl std::fmt::Debug for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parsed")
            .field("kind", &self.kind)
            .field("state", &self.state)
            .field("fields", &self.fields)
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Reads a directive's JSON. The error never quotes the payload.
pub fn parse(payload: &[u8]) -> Result<Parsed, String> {
    let value: Value =
        serde_json::from_slice(payload).map_err(|e| format!("not JSON (line {})", e.line()))?;
    let Value::Object(object) = value else {
        return Err("not a JSON object".into());
    };
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .ok_or("no \"kind\"")?
        .to_owned();
    let state = object
        .get("state")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut fields = BTreeMap::new();
    for (name, value) in &object {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => continue,
        };
        let var = format!("NODECTL_{}", name.to_ascii_uppercase().replace('-', "_"));
        if name != "env" && valid_env_name(&var) {
            fields.insert(var, text);
        }
    }
    let mut env = BTreeMap::new();
    match object.get("env") {
        None | Some(Value::Null) => {}
        Some(Value::Object(vars)) => {
            for (name, value) in vars {
                let Some(value) = value.as_str() else {
                    return Err(format!("env.{name} is not a string"));
                };
                if !valid_env_name(name) {
                    return Err(format!("env name {name:?} is not a valid variable name"));
                }
                env.insert(name.clone(), value.to_owned());
            }
        }
        Some(_) => return Err("\"env\" is not an object".into()),
    }
    Ok(Parsed {
        kind,
        state,
        fields,
        env,
    })
}

/// Opens a private-subject payload with the node key: the directive's JSON.
pub fn unseal(key: &NodeKey, payload: &[u8]) -> Result<Vec<u8>, String> {
    let envelope: Value =
        serde_json::from_slice(payload).map_err(|_| "envelope is not JSON".to_owned())?;
    let sealed = envelope
        .get("sealed")
        .and_then(Value::as_str)
        .ok_or("envelope has no \"sealed\"")?;
    let sealed = B64
        .decode(sealed)
        .map_err(|_| "\"sealed\" is not base64".to_owned())?;
    key.open(&sealed).map_err(|e| e.to_string())
}

/// Makes a private-subject payload: `directive` sealed to the node's
/// base64 public key (what the director does for secrets).
pub fn seal_directive(public_key: &str, directive: &Value) -> crate::Result<Bytes> {
    let plain = serde_json::to_vec(directive).expect("json serializes");
    let sealed = seal(public_key, &plain)?;
    let envelope = json!({ "sealed": B64.encode(sealed) });
    Ok(serde_json::to_vec(&envelope)
        .expect("json serializes")
        .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_variables_and_env_stays_apart() {
        let parsed = parse(
            br#"{"kind":"expect-minion","move_id":7,"minion_id":"m.example.com",
                 "env":{"TOKEN":"s3cret"},"nested":{"x":1}}"#,
        )
        .expect("parse");
        assert_eq!(parsed.kind, "expect-minion");
        assert_eq!(parsed.fields["NODECTL_MOVE_ID"], "7");
        assert_eq!(parsed.fields["NODECTL_MINION_ID"], "m.example.com");
        assert_eq!(parsed.fields["NODECTL_KIND"], "expect-minion");
        assert_eq!(parsed.env["TOKEN"], "s3cret");
        assert!(!format!("{parsed:?}").contains("s3cret"));
    }

    #[test]
    fn bad_directives_are_refused_without_quoting_them() {
        for bad in [
            &b"password=hunter2"[..],
            br#"["hunter2"]"#,
            br#"{"state":"hunter2"}"#,
            br#"{"kind":"x","env":{"A B":"hunter2"}}"#,
            br#"{"kind":"x","env":{"A":1}}"#,
        ] {
            let err = parse(bad).expect_err("refused");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn sealed_directives_round_trip() {
        let key = NodeKey::generate();
        let directive = json!({"kind":"lifecycle","state":"staged","env":{"PW":"hunter2"}});
        let payload = seal_directive(&key.public_key_base64(), &directive).expect("seal");
        assert!(!String::from_utf8_lossy(&payload).contains("hunter2"));
        let opened = unseal(&key, &payload).expect("open");
        assert_eq!(
            serde_json::from_slice::<Value>(&opened).expect("json"),
            directive
        );
        assert!(unseal(&NodeKey::generate(), &payload).is_err());
    }
}
