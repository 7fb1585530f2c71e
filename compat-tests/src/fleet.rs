//! A fleet of simulated client systems for black-box tests: each checks in
//! with the director as the client agent (clientd) does, and carries out its
//! moves against simulated nodes, while the test plays each node's agent
//! (nodectl) by reporting registrations and deletions to the director.
//!
//! A real move re-points a Salt minion and the minion registers with its
//! new master; here "registering" is the simulator's side endpoint, which
//! gives the system a new local id on the new node, exactly as a real
//! registration would.

use std::collections::HashMap;

use director::cluster::{Assignment, CheckIn, NodeEvent};
use director::model::MoveOutcome;
use futures::stream::{self, StreamExt};
use serde_json::json;

/// Where the fleet's peers are.
#[derive(Debug, Clone)]
pub struct FleetConfig {
    /// The director's base URL (`http://127.0.0.1:PORT`).
    pub director_url: String,
    /// The client agents' token.
    pub client_token: String,
    /// The node agents' token.
    pub node_token: String,
    /// Node id to the simulator's base URL (`http://127.0.0.1:PORT`).
    pub nodes: HashMap<String, String>,
    /// Requests in flight at once.
    pub concurrency: usize,
}

/// One simulated client system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimClient {
    /// Salt minion id.
    pub minion_id: String,
    /// Minion key fingerprint.
    pub fingerprint: String,
    /// Machine id.
    pub machine_id: String,
}

/// What one round of the fleet did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Round {
    /// Assignments after the round, by minion id.
    pub assignments: HashMap<String, Assignment>,
    /// Systems registered on their first node.
    pub registered: usize,
    /// Moves carried out.
    pub moved: usize,
}

/// Why a fleet step failed.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// HTTP failed.
    #[error("{what}: {source}")]
    Http {
        /// What was being done.
        what: String,
        /// Cause.
        #[source]
        source: reqwest::Error,
    },
    /// A peer answered an error status.
    #[error("{what}: HTTP {status}: {body}")]
    Status {
        /// What was being done.
        what: String,
        /// Status code.
        status: u16,
        /// The answer.
        body: String,
    },
    /// The director assigned a node the fleet does not know.
    #[error("unknown node {0}")]
    UnknownNode(String),
}

/// The fleet.
#[derive(Debug, Clone)]
pub struct Fleet {
    http: reqwest::Client,
    config: FleetConfig,
    /// The clients.
    pub clients: Vec<SimClient>,
    /// Whether a node a client left keeps its copy, as a node whose agent
    /// runs no `release-minion` nanostate does.
    keep_old_copies: bool,
}

impl Fleet {
    /// `count` clients named `<prefix>-NNNNN.fleet.test`.
    pub fn new(config: FleetConfig, prefix: &str, count: usize) -> Fleet {
        let clients = (0..count)
            .map(|i| SimClient {
                minion_id: format!("{prefix}-{i:05}.fleet.test"),
                fingerprint: format!("{:02x}", i).repeat(32).chars().take(64).collect(),
                machine_id: format!("{i:032x}"),
            })
            .collect();
        Fleet {
            http: reqwest::Client::new(),
            config,
            clients,
            keep_old_copies: false,
        }
    }

    /// The fleet, its clients' old nodes keeping their copies after a move
    /// (nodectl's default: no `release-minion` nanostate); see
    /// [`Fleet::delete_old_copy`].
    pub fn keeping_old_copies(mut self) -> Fleet {
        self.keep_old_copies = true;
        self
    }

    /// Registers a client's minion on `node` as an administrator would by
    /// hand (re-pointing it there, whatever the director places), and
    /// reports it as that node's agent would.
    pub async fn register_by_hand(&self, client: &SimClient, node: &str) -> Result<(), FleetError> {
        self.register(client, node).await
    }

    /// Deletes the copy a client left on `node`, as an administrator would
    /// once it is carried, and reports it as that node's agent would.
    pub async fn delete_old_copy(&self, client: &SimClient, node: &str) -> Result<(), FleetError> {
        self.leave(client, node).await
    }

    /// A fleet of the given clients (for systems a node already has).
    pub fn with_clients(config: FleetConfig, clients: Vec<SimClient>) -> Fleet {
        Fleet {
            http: reqwest::Client::new(),
            config,
            clients,
            keep_old_copies: false,
        }
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        url: String,
        token: &str,
        body: serde_json::Value,
    ) -> Result<T, FleetError> {
        let http_err = |source| FleetError::Http {
            what: what.to_owned(),
            source,
        };
        let mut req = self.http.post(url).json(&body);
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.map_err(http_err)?;
        let status = res.status();
        if !status.is_success() {
            let body = res.text().await.unwrap_or_default();
            return Err(FleetError::Status {
                what: what.to_owned(),
                status: status.as_u16(),
                body,
            });
        }
        res.json().await.map_err(http_err)
    }

    fn sim(&self, node: &str) -> Result<&str, FleetError> {
        self.config
            .nodes
            .get(node)
            .map(String::as_str)
            .ok_or_else(|| FleetError::UnknownNode(node.to_owned()))
    }

    /// Registers a client on a node's simulator and reports it as that
    /// node's agent would.
    async fn register(&self, client: &SimClient, node: &str) -> Result<(), FleetError> {
        let sim = self.sim(node)?;
        let reg: serde_json::Value = self
            .post(
                "register with the simulator",
                format!("{sim}/uyuni-sim/v1/systems"),
                "",
                json!({"minion_id": client.minion_id, "machine_id": client.machine_id, "hostname": client.minion_id}),
            )
            .await?;
        let local_id = reg["id"].as_i64().unwrap_or_default() as i32;
        let event = NodeEvent::SystemRegistered {
            node: node.to_owned(),
            local_id,
            minion_id: client.minion_id.clone(),
            machine_id: Some(client.machine_id.clone()),
        };
        self.node_event(event).await
    }

    async fn node_event(&self, event: NodeEvent) -> Result<(), FleetError> {
        let url = format!("{}/node/v1/events", self.config.director_url);
        let res = self
            .http
            .post(url)
            .bearer_auth(&self.config.node_token)
            .json(&event)
            .send()
            .await
            .map_err(|source| FleetError::Http {
                what: "report a node event".into(),
                source,
            })?;
        if !res.status().is_success() {
            return Err(FleetError::Status {
                what: "report a node event".into(),
                status: res.status().as_u16(),
                body: res.text().await.unwrap_or_default(),
            });
        }
        Ok(())
    }

    /// One client's round: check in; register on a newly assigned node;
    /// carry out a pending move (register on the new node, report done,
    /// leave the old node).
    async fn step_one(&self, client: &SimClient) -> Result<(Assignment, bool, bool), FleetError> {
        let checkin = CheckIn {
            minion_id: client.minion_id.clone(),
            fingerprint: client.fingerprint.clone(),
            machine_id: Some(client.machine_id.clone()),
            zone: None,
        };
        let url = format!("{}/client/v1/checkin", self.config.director_url);
        let mut assignment: Assignment = self
            .post(
                "check in",
                url.clone(),
                &self.config.client_token,
                serde_json::to_value(&checkin).unwrap_or_default(),
            )
            .await?;
        let mut registered = false;
        let mut moved = false;
        if assignment.status == director::model::ClientStatus::New
            && let Some(node) = assignment.node.clone()
            && assignment.pending_move.is_none()
        {
            self.register(client, &node).await?;
            registered = true;
        }
        if let Some(m) = assignment.pending_move.clone() {
            self.register(client, &m.to).await?;
            let _: serde_json::Value = self
                .post(
                    "report a move",
                    format!(
                        "{}/client/v1/moves/{}/result",
                        self.config.director_url, m.move_id
                    ),
                    &self.config.client_token,
                    serde_json::to_value(json!({"minion_id": client.minion_id, "outcome": "done"}))
                        .unwrap_or_default(),
                )
                .await?;
            if let Some(from) = &m.from
                && !self.keep_old_copies
            {
                self.leave(client, from).await?;
            }
            moved = true;
        }
        if registered || moved {
            assignment = self
                .post(
                    "check in",
                    url,
                    &self.config.client_token,
                    serde_json::to_value(&checkin).unwrap_or_default(),
                )
                .await?;
        }
        Ok((assignment, registered, moved))
    }

    /// Removes a client from a node it left, as that node's agent would
    /// after the release directive.
    async fn leave(&self, client: &SimClient, node: &str) -> Result<(), FleetError> {
        let sim = self.sim(node)?;
        let url = format!("{sim}/uyuni-sim/v1/minions/{}", client.minion_id);
        let res = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|source| FleetError::Http {
                what: "look up the old system".into(),
                source,
            })?;
        if !res.status().is_success() {
            return Ok(());
        }
        let info: serde_json::Value = res.json().await.map_err(|source| FleetError::Http {
            what: "look up the old system".into(),
            source,
        })?;
        let local_id = info["id"].as_i64().unwrap_or_default() as i32;
        self.http
            .delete(format!("{sim}/uyuni-sim/v1/systems/{local_id}"))
            .send()
            .await
            .map_err(|source| FleetError::Http {
                what: "remove the old system".into(),
                source,
            })?;
        self.node_event(NodeEvent::SystemDeleted {
            node: node.to_owned(),
            local_id,
        })
        .await
    }

    /// Every client checks in once and does what it is told.
    pub async fn round(&self) -> Result<Round, FleetError> {
        let results: Vec<_> = stream::iter(self.clients.iter())
            .map(|c| self.step_one(c))
            .buffer_unordered(self.config.concurrency.max(1))
            .collect()
            .await;
        let mut round = Round::default();
        for r in results {
            let (assignment, registered, moved) = r?;
            round.registered += usize::from(registered);
            round.moved += usize::from(moved);
            round
                .assignments
                .insert(assignment.minion_id.clone(), assignment);
        }
        Ok(round)
    }

    /// Reports a move as rolled back (for failure tests).
    pub async fn report_rolled_back(
        &self,
        move_id: u64,
        minion_id: &str,
        error: &str,
    ) -> Result<(), FleetError> {
        let outcome = MoveOutcome::RolledBack {
            error: error.to_owned(),
        };
        let mut body = serde_json::to_value(outcome).unwrap_or_default();
        body["minion_id"] = json!(minion_id);
        let _: serde_json::Value = self
            .post(
                "report a move",
                format!(
                    "{}/client/v1/moves/{move_id}/result",
                    self.config.director_url
                ),
                &self.config.client_token,
                body,
            )
            .await?;
        Ok(())
    }
}
