//! `director zone ...`: list, add and remove zones.

use std::collections::BTreeMap;

use clap::Subcommand;
use reqwest::Method;

use super::context::Context;
use super::render::table;
use super::{CliError, Outcome};
use crate::model::Zone;

/// Zone commands.
#[derive(Debug, Clone, Subcommand)]
pub enum ZoneCommand {
    /// List the zones.
    List,
    /// Add a zone.
    Add {
        /// Zone name (`[a-z0-9-]`).
        name: String,
        /// Free text.
        #[arg(long, default_value = "")]
        description: String,
        /// A label `key=value`; repeat for more.
        #[arg(long = "label", value_name = "KEY=VALUE", value_parser = parse_label)]
        labels: Vec<(String, String)>,
    },
    /// Remove a zone (it must hold no nodes).
    Remove {
        /// Zone name.
        name: String,
    },
}

pub(crate) async fn run(ctx: &Context, command: ZoneCommand) -> Result<Outcome, CliError> {
    match command {
        ZoneCommand::List => {
            let answer = ctx.get(&["zones"], &[]).await?;
            ctx.show(&answer, |zones: &Vec<Zone>| zones_table(zones))?;
        }
        ZoneCommand::Add {
            name,
            description,
            labels,
        } => {
            let zone = Zone {
                name,
                description,
                labels: labels.into_iter().collect::<BTreeMap<_, _>>(),
            };
            let answer = ctx.call(Method::POST, &["zones"], &[], Some(&zone)).await?;
            ctx.confirm_change(&answer, &format!("zone {} added", zone.name))?;
        }
        ZoneCommand::Remove { name } => {
            let answer = ctx
                .call::<()>(Method::DELETE, &["zones", &name], &[], None)
                .await?;
            ctx.confirm_change(&answer, &format!("zone {name} removed"))?;
        }
    }
    Ok(Outcome::Success)
}

/// Parses a `key=value` label; the key must not be empty.
pub(crate) fn parse_label(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_owned(), value.trim().to_owned()))
        }
        _ => Err(format!("{text:?}: expected KEY=VALUE")),
    }
}

/// The zones as a table: name, description, labels.
pub(crate) fn zones_table(zones: &[Zone]) -> String {
    let mut table = table(&["zone", "description", "labels"]);
    for zone in zones {
        let labels = zone
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        table.add_row([zone.name.as_str(), zone.description.as_str(), &labels]);
    }
    table.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_as_key_value() {
        assert_eq!(parse_label("tier=gold"), Ok(("tier".into(), "gold".into())));
        assert_eq!(parse_label("note=a=b"), Ok(("note".into(), "a=b".into())));
        assert_eq!(parse_label("empty="), Ok(("empty".into(), String::new())));
        assert!(parse_label("novalue").is_err());
        assert!(parse_label("=x").is_err());
    }

    #[test]
    fn zone_table_shows_labels_sorted() {
        let zone = Zone {
            name: "eu-west".into(),
            description: "Frankfurt".into(),
            labels: [("tier", "gold"), ("dc", "fra1")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        };
        let text = zones_table(&[zone]);
        assert!(
            text.contains("eu-west") && text.contains("Frankfurt"),
            "{text}"
        );
        assert!(text.contains("dc=fra1, tier=gold"), "{text}");
    }
}
