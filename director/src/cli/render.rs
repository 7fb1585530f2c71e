//! How the command-line client draws tables (comfy-table, one look for
//! every command) and prints them or JSON to standard output.

use std::io::Write;

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use serde_json::Value;

use super::CliError;

/// An empty table with `header`, in the house look. Columns keep their
/// natural width (no wrapping), so output is the same on any terminal.
pub(crate) fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().copied());
    table
}

/// Right-aligns the numeric columns `columns` of `table`.
pub(crate) fn align_right(table: &mut Table, columns: &[usize]) {
    for &index in columns {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// A two-column `field | value` table for one record.
pub(crate) fn fields(rows: &[(&str, String)]) -> String {
    let mut table = table(&["field", "value"]);
    for (name, value) in rows {
        table.add_row([Cell::new(name), Cell::new(value)]);
    }
    table.to_string()
}

/// `-` for a missing value.
pub(crate) fn or_dash(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// A node's state, with the changes of shared data it lacks since a
/// failure when it came back serving ([`crate::model::Node::lacking`]).
pub(crate) fn node_state(state: crate::model::NodeState, lacking: Option<u64>) -> String {
    match lacking {
        Some(n) => format!("{}, lacking {n}", state.as_str()),
        None => state.as_str().to_owned(),
    }
}

/// A weight as the operator typed it: `1`, `2.5`.
pub(crate) fn weight(weight: f64) -> String {
    format!("{weight}")
}

/// The API name of a unit enum value (`onboarded`, `running`), as serde
/// spells it.
pub(crate) fn api_name(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_owned(),
    }
}

/// Prints `text` and a newline to standard output.
pub(crate) fn print_text(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(CliError::Output)
}

/// Prints `value` as pretty JSON to standard output.
pub(crate) fn print_json(value: &Value) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).expect("a JSON value always serializes");
    print_text(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_tables_hold_each_name_and_value() {
        let text = fields(&[("minion", "web-1".into()), ("node", or_dash(None::<&str>))]);
        assert!(text.contains("minion") && text.contains("web-1"), "{text}");
        assert!(text.lines().any(|l| l.contains("node") && l.contains('-')));
    }

    #[test]
    fn weights_print_without_needless_decimals() {
        assert_eq!(weight(1.0), "1");
        assert_eq!(weight(2.5), "2.5");
        assert_eq!(api_name(&crate::model::NodeState::Draining), "draining");
    }
}
