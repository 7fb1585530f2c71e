//! `director client ...`: list client systems and show one.

use clap::Subcommand;

use super::context::Context;
use super::duration::format_age;
use super::render::{align_right, api_name, fields, or_dash, print_text, table};
use super::{CliError, Outcome, OutputFormat};
use crate::model::{Client, Millis, now_ms};

/// Client commands.
#[derive(Debug, Clone, Subcommand)]
pub enum ClientCommand {
    /// List client systems, in minion id order.
    List {
        /// Only clients of this zone.
        #[arg(long)]
        zone: Option<String>,
        /// Only clients owned by this node.
        #[arg(long)]
        node: Option<String>,
        /// Start after this minion id (paging).
        #[arg(long, value_name = "MINION")]
        after: Option<String>,
        /// At most this many clients.
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Show one client system.
    Show {
        /// Salt minion id.
        minion: String,
    },
}

pub(crate) async fn run(ctx: &Context, command: ClientCommand) -> Result<Outcome, CliError> {
    match command {
        ClientCommand::List {
            zone,
            node,
            after,
            limit,
        } => {
            let query: Vec<(&str, String)> = [
                ("zone", zone),
                ("node", node),
                ("after", after),
                ("limit", limit.map(|l| l.to_string())),
            ]
            .into_iter()
            .filter_map(|(key, value)| value.map(|v| (key, v)))
            .collect();
            let answer = ctx.get(&["clients"], &query).await?;
            ctx.show(&answer, |clients: &Vec<Client>| {
                clients_table(clients, now_ms())
            })?;
            if ctx.output == OutputFormat::Table
                && let Some(limit) = limit
            {
                let clients: Vec<Client> = answer.decode()?;
                if clients.len() == limit as usize
                    && let Some(last) = clients.last()
                {
                    print_text(&format!("more may follow: --after {}", last.minion_id))?;
                }
            }
        }
        ClientCommand::Show { minion } => {
            let answer = ctx.get(&["clients", &minion], &[]).await?;
            ctx.show(&answer, |client: &Client| client_fields(client, now_ms()))?;
        }
    }
    Ok(Outcome::Success)
}

/// Clients as a table; check-in ages relative to `now`.
pub(crate) fn clients_table(clients: &[Client], now: Millis) -> String {
    let mut table = table(&[
        "minion",
        "zone",
        "status",
        "node",
        "moving to",
        "cluster id",
        "last check-in",
    ]);
    for c in clients {
        table.add_row([
            c.minion_id.clone(),
            c.zone.clone(),
            api_name(&c.status),
            or_dash(c.owner.as_ref()),
            or_dash(c.moving_to.as_ref()),
            c.cluster_id.to_string(),
            format_age(c.last_checkin, now),
        ]);
    }
    align_right(&mut table, &[5]);
    table.to_string()
}

/// One client as a field table.
pub(crate) fn client_fields(c: &Client, now: Millis) -> String {
    let local_ids = c
        .local_ids
        .iter()
        .map(|(node, id)| format!("{node}:{id}"))
        .collect::<Vec<_>>()
        .join(", ");
    fields(&[
        ("minion", c.minion_id.clone()),
        ("zone", c.zone.clone()),
        ("status", api_name(&c.status)),
        ("node", or_dash(c.owner.as_ref())),
        ("moving to", or_dash(c.moving_to.as_ref())),
        ("move", or_dash(c.move_id)),
        ("cluster id", c.cluster_id.to_string()),
        ("local ids", local_ids),
        ("fingerprint", or_dash(c.fingerprint.as_ref())),
        ("machine id", or_dash(c.machine_id.as_ref())),
        ("registered", format_age(Some(c.created), now)),
        ("last check-in", format_age(c.last_checkin, now)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ClientStatus;

    fn client() -> Client {
        Client {
            minion_id: "web-1".into(),
            fingerprint: None,
            machine_id: Some("abc".into()),
            zone: "eu".into(),
            status: ClientStatus::Onboarded,
            owner: Some("n1".into()),
            moving_to: Some("n2".into()),
            move_id: Some(4),
            cluster_id: 1_000_001,
            local_ids: [("n1".to_owned(), 1001)].into_iter().collect(),
            created: 0,
            updated: 0,
            last_checkin: Some(50_000),
        }
    }

    #[test]
    fn client_rows_show_owner_move_and_check_in_age() {
        let text = clients_table(&[client()], 80_000);
        let row = text.lines().find(|l| l.contains("web-1")).unwrap();
        for expected in ["onboarded", "n1", "n2", "1000001", "30s ago"] {
            assert!(row.contains(expected), "{expected} missing from {row}");
        }
        let text = client_fields(&client(), 80_000);
        assert!(text.contains("n1:1001") && text.contains("abc"), "{text}");
    }
}
