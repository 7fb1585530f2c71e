//! JSON Schemas (OpenAPI 3.1 dialect) of the spec's types, as the HTTP API
//! takes them ([`input`]) and gives them ([`output`]), and of results with
//! their known fields.

use serde_json::{Value as Json, json};
use spec::{Entry, Field, Type};

/// The schema of a parameter value of type `ty`.
pub(crate) fn input(ty: &Type) -> Json {
    match ty {
        Type::DateTime => json!({
            "type": "string",
            "format": "date-time",
            "description": "ISO-8601 date and time; with a zone it is moved to UTC",
        }),
        Type::Array(Some(element)) => json!({"type": "array", "items": input(element)}),
        other => output(other),
    }
}

/// The schema of a result value of type `ty`.
pub(crate) fn output(ty: &Type) -> Json {
    match ty {
        Type::Int => json!({
            "type": "integer",
            "format": "int32",
            "minimum": i32::MIN,
            "maximum": i32::MAX,
        }),
        Type::Long => json!({"type": "integer", "format": "int64"}),
        Type::Boolean => json!({"type": "boolean"}),
        Type::String => json!({"type": "string"}),
        Type::Double => json!({"type": "number", "format": "double"}),
        Type::DateTime => json!({
            "type": "string",
            "description": "ISO-8601 date and time, as the node keeps it (no zone)",
            "examples": ["2024-05-01T12:30:00"],
        }),
        Type::Base64 => json!({"type": "string", "contentEncoding": "base64"}),
        Type::Struct => json!({"type": "object"}),
        Type::Array(None) => json!({"type": "array"}),
        Type::Array(Some(element)) => json!({"type": "array", "items": output(element)}),
    }
}

/// The schema of what `entry` returns: its known fields where it returns a
/// struct or an array of structs.
pub(crate) fn result(entry: &Entry) -> Json {
    let with_fields = |fields: &[Field]| {
        let properties: serde_json::Map<String, Json> = fields
            .iter()
            .map(|f| (f.name.clone(), output(&f.ty)))
            .collect();
        json!({"type": "object", "properties": properties})
    };
    let fields = &entry.result_fields;
    let mut schema = match &entry.returns {
        Type::Struct if !fields.is_empty() => with_fields(fields),
        Type::Array(Some(element)) if **element == Type::Struct && !fields.is_empty() => {
            json!({"type": "array", "items": with_fields(fields)})
        }
        other => output(other),
    };
    if let (Some(name), Some(object)) = (&entry.returns_name, schema.as_object_mut()) {
        object.insert("title".to_owned(), Json::String(name.clone()));
    }
    match entry.may_be_nil {
        true => json!({"anyOf": [schema, {"type": "null"}]}),
        false => schema,
    }
}

/// The envelope around a result schema.
pub(crate) fn envelope(result: Json) -> Json {
    json!({
        "type": "object",
        "required": ["success"],
        "properties": {
            "success": {"type": "boolean", "description": "false: the call failed; see `message`"},
            "result": result,
            "message": {"type": "string", "description": "why the call failed (with `success: false`)"},
        },
    })
}

/// One schema for several: itself when alone, else `anyOf` the distinct.
pub(crate) fn any_of(mut schemas: Vec<Json>) -> Json {
    let mut distinct: Vec<Json> = Vec::new();
    for s in schemas.drain(..) {
        if !distinct.contains(&s) {
            distinct.push(s);
        }
    }
    match distinct.len() {
        1 => distinct.remove(0),
        _ => json!({"anyOf": distinct}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_that_may_be_nil_says_so() {
        let spec = spec::spec();
        let nil = spec.overloads("user.external.getExternalGroupToSystemGroupMap")[0];
        let schema = result(nil);
        assert_eq!(schema["anyOf"][0]["type"], json!("object"));
        assert_eq!(schema["anyOf"][1], json!({"type": "null"}));
        let other = spec.overloads("user.external.getExternalGroupToRoleMap")[0];
        assert_eq!(result(other)["type"], json!("object"));
        let calendar = spec.overloads("maintenance.createCalendar")[0];
        assert_eq!(result(calendar)["type"], json!("object"), "one calendar");
    }

    #[test]
    fn types() {
        assert_eq!(input(&Type::Int)["maximum"], json!(i32::MAX));
        assert_eq!(input(&Type::DateTime)["format"], json!("date-time"));
        assert!(output(&Type::DateTime).get("format").is_none());
        let ids: Type = "array<int>".parse().unwrap();
        assert_eq!(input(&ids)["items"]["type"], json!("integer"));
        assert_eq!(any_of(vec![json!(1), json!(1)]), json!(1));
        assert_eq!(any_of(vec![json!(1), json!(2)]), json!({"anyOf": [1, 2]}));
    }

    #[test]
    fn results_with_fields() {
        let spec = spec::spec();
        let list = &spec.overloads("system.listSystems")[0];
        let schema = result(list);
        assert_eq!(schema["type"], json!("array"));
        assert_eq!(
            schema["items"]["properties"]["id"]["type"],
            json!("integer")
        );
        assert_eq!(
            schema["items"]["properties"]["last_checkin"]["type"],
            json!("string")
        );
    }
}
