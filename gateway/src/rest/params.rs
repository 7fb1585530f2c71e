//! The parameters of one request: the query string and a JSON object body,
//! merged (the body wins on a key both carry), as the server's
//! `ApiRequestParser` does.
//!
//! A query value is read as a JSON literal where it is one (`42`, `true`,
//! `"text"`), else as the string it is; a repeated key is an array of such
//! values. The text is kept beside the value, so that a string parameter
//! gets `007` or `1e3` exactly as written. The server takes only scalars in
//! the query; here an object or array literal is taken too, which lets
//! Swagger UI send the struct parameter of a `GET` entry. The body must be
//! empty, `null` or a JSON object.

use std::collections::BTreeMap;

use serde_json::Value as Json;

/// One supplied parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Input {
    /// From the body (or a query value overridden by it).
    Body(Json),
    /// One query value and its text.
    Query(Json, String),
    /// A repeated query key: each value and its text.
    QueryList(Vec<(Json, String)>),
}

/// The parameters by key.
pub(crate) type Inputs = BTreeMap<String, Input>;

/// Why the parameters could not be read: answered as a 400 with this text
/// (which never repeats request content: bodies carry passwords).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ParamsError {
    /// The body is not JSON.
    #[error("The request body is not valid JSON")]
    NotJson,
    /// The body is JSON but not an object.
    #[error("JSON body must be an object")]
    NotAnObject,
}

/// Reads the query pairs (already percent-decoded, in order) and the body.
pub(crate) fn gather(query: Vec<(String, String)>, body: &[u8]) -> Result<Inputs, ParamsError> {
    let mut inputs = Inputs::new();
    for (key, text) in query {
        let value = literal(&text);
        match inputs.remove(&key) {
            None | Some(Input::Body(_)) => inputs.insert(key, Input::Query(value, text)),
            Some(Input::Query(first, first_text)) => inputs.insert(
                key,
                Input::QueryList(vec![(first, first_text), (value, text)]),
            ),
            Some(Input::QueryList(mut items)) => {
                items.push((value, text));
                inputs.insert(key, Input::QueryList(items))
            }
        };
    }
    for (key, value) in body_object(body)? {
        inputs.insert(key, Input::Body(value));
    }
    Ok(inputs)
}

/// A query value as a JSON literal, else as a string.
fn literal(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.to_owned()))
}

fn body_object(body: &[u8]) -> Result<serde_json::Map<String, Json>, ParamsError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Json>(body) {
        Ok(Json::Object(members)) => Ok(members),
        Ok(Json::Null) => Ok(serde_json::Map::new()),
        Ok(_) => Err(ParamsError::NotAnObject),
        Err(_) => Err(ParamsError::NotJson),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn query_literals_lists_and_body_wins() {
        let inputs = gather(
            pairs(&[
                ("sid", "1000010000"),
                ("label", "abc"),
                ("quoted", "\"x\""),
                ("sids", "1"),
                ("sids", "2"),
                ("sids", "three"),
                ("flag", "true"),
                ("shadowed", "1"),
            ]),
            br#"{"shadowed": "body", "extra": [1]}"#,
        )
        .unwrap();
        assert_eq!(
            inputs["sid"],
            Input::Query(json!(1000010000), "1000010000".into())
        );
        assert_eq!(inputs["label"], Input::Query(json!("abc"), "abc".into()));
        assert_eq!(inputs["quoted"], Input::Query(json!("x"), "\"x\"".into()));
        assert_eq!(
            inputs["sids"],
            Input::QueryList(vec![
                (json!(1), "1".into()),
                (json!(2), "2".into()),
                (json!("three"), "three".into()),
            ])
        );
        assert_eq!(inputs["flag"], Input::Query(json!(true), "true".into()));
        assert_eq!(inputs["shadowed"], Input::Body(json!("body")));
        assert_eq!(inputs["extra"], Input::Body(json!([1])));
        assert_eq!(inputs.len(), 7);
    }

    #[test]
    fn bodies() {
        assert!(gather(vec![], b"").unwrap().is_empty());
        assert!(gather(vec![], b" \n").unwrap().is_empty());
        assert!(gather(vec![], b"null").unwrap().is_empty());
        assert_eq!(gather(vec![], b"[1]"), Err(ParamsError::NotAnObject));
        assert_eq!(
            gather(vec![], b"{\"password\": "),
            Err(ParamsError::NotJson)
        );
        assert!(!ParamsError::NotJson.to_string().contains("password"));
    }
}
