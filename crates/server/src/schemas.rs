//! Each organization's schema (Bigin's defaults plus its custom fields and team pipelines),
//! cached per node for 30 seconds. A change made through this node refreshes the entry at once;
//! a change made through another node or the command line reaches this one when the entry ages
//! out, and callers whose token was resolved before then (`api::auth::TokenCache`, 30 seconds
//! too): within a minute.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crm::modules::Schema;
use crm::Id;

const TTL_MS: i64 = 30_000;

#[derive(Default)]
pub struct SchemaCache {
    entries: Mutex<HashMap<Id, (Arc<Schema>, i64)>>,
}

impl SchemaCache {
    pub async fn get(&self, store: &dyn store::Store, org_id: Id, now: i64) -> anyhow::Result<Arc<Schema>> {
        if let Some((schema, loaded)) = self.entries.lock().expect("schema cache poisoned").get(&org_id) {
            if now - loaded < TTL_MS {
                return Ok(schema.clone());
            }
        }
        let custom = store.custom_fields(org_id).await?;
        let pipelines = store.team_pipelines(org_id).await?;
        let schema = Arc::new(Schema::for_org(org_id, &custom).with_team_pipelines(org_id, &pipelines));
        self.entries.lock().expect("schema cache poisoned").insert(org_id, (schema.clone(), now));
        Ok(schema)
    }

    pub fn forget(&self, org_id: Id) {
        self.entries.lock().expect("schema cache poisoned").remove(&org_id);
    }
}
