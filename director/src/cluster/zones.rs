//! Zones.

use super::{Director, DirectorError, Result, SCAN_LIMIT};
use crate::model::{Keys, Node, Zone};

impl Director {
    /// Every zone, by name.
    pub async fn list_zones(&self) -> Result<Vec<Zone>> {
        Ok(self
            .store
            .scan_prefix_json::<Zone>("zone/", SCAN_LIMIT)
            .await?
            .into_iter()
            .map(|(_, z)| z)
            .collect())
    }

    /// One zone.
    pub async fn get_zone(&self, name: &str) -> Result<Zone> {
        self.store
            .get_json(Keys::zone(name))
            .await?
            .ok_or_else(|| DirectorError::not_found("zone", name))
    }

    /// Creates or replaces a zone.
    pub async fn put_zone(&self, zone: Zone) -> Result<Zone> {
        if !Zone::valid_name(&zone.name) {
            return Err(DirectorError::Invalid(format!(
                "invalid zone name {:?}: use 1-63 characters of a-z, 0-9 and -",
                zone.name
            )));
        }
        self.store.put_json(Keys::zone(&zone.name), &zone).await?;
        tracing::info!(zone = %zone.name, "zone saved");
        Ok(zone)
    }

    /// Deletes an empty zone (one without nodes).
    pub async fn delete_zone(&self, name: &str) -> Result<()> {
        self.get_zone(name).await?;
        let nodes: Vec<Node> = self.list_nodes().await?;
        if let Some(n) = nodes
            .iter()
            .find(|n| n.zone == name && n.state != crate::model::NodeState::Removed)
        {
            return Err(DirectorError::Conflict(format!(
                "zone {name} still has node {}: remove its nodes first",
                n.id
            )));
        }
        self.store.delete(Keys::zone(name)).await?;
        tracing::info!(zone = %name, "zone deleted");
        Ok(())
    }
}
