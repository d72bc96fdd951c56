//! The one application state every handler receives.

use std::sync::Arc;

use crm::{Clock, IdMinter};
use store::Store;

use crate::accounts::client_secrets::ClientSecrets;
use crate::accounts::pages::Pages;
use crate::accounts::throttle::Throttle;
use crate::api::auth::TokenCache;
use crate::config::ServerConfig;
use crate::schemas::SchemaCache;
use crate::secrets::{Secrets, Verifier};

/// Failed attempts allowed per key within the window before further ones are refused.
const MAX_FAILURES: usize = 5;
const FAILURE_WINDOW_MS: i64 = 15 * 60_000;

/// Handlers get a clone of the state with every request: one shared pointer to clone rather than
/// a dozen (their counts bounced between the cores, a few percent of a GET in profiles).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

#[derive(Clone)]
pub struct Shared {
    pub config: Arc<ServerConfig>,
    pub store: Arc<dyn Store>,
    pub clock: Clock,
    pub ids: Arc<IdMinter>,
    pub secrets: Arc<Secrets>,
    pub(crate) tokens: Arc<TokenCache>,
    pub(crate) pages: Arc<Pages>,
    pub(crate) client_secrets: Arc<ClientSecrets>,
    pub(crate) schemas: Arc<SchemaCache>,
    /// Wrong client secrets per client id, and wrong passwords per e-mail address.
    pub(crate) secret_failures: Arc<Throttle>,
    pub(crate) password_failures: Arc<Throttle>,
    /// Argon2 checks, on their own thread.
    pub(crate) verifier: Arc<Verifier>,
}

impl AppState {
    /// The state of the data centre at `location` (this one when the deployment has no such).
    pub fn for_location(&self, location: &str) -> Self {
        match self.config.data_centres.iter().position(|d| d.location == location) {
            Some(index) => self.for_data_centre(index),
            None => self.clone(),
        }
    }

    /// The same state answering for another data centre of the deployment.
    pub fn for_data_centre(&self, index: usize) -> Self {
        let config = ServerConfig::for_data_centre(self.config.data_centres.clone(), index);
        Self(Arc::new(Shared { config: Arc::new(config), ..Shared::clone(&self.0) }))
    }

    pub async fn new(config: ServerConfig, store: Arc<dyn Store>, clock: Clock) -> anyhow::Result<Self> {
        let secrets = Arc::new(Secrets::load(store.as_ref()).await?);
        let verifier = Arc::new(Verifier::start()?);
        Ok(Self(Arc::new(Shared {
            client_secrets: Arc::new(ClientSecrets::new(secrets.clone(), verifier.clone())),
            verifier,
            config: Arc::new(config),
            store,
            clock,
            ids: Arc::new(IdMinter::random_node()),
            secrets,
            tokens: Arc::new(TokenCache::default()),
            schemas: Arc::new(SchemaCache::default()),
            secret_failures: Arc::new(Throttle::new(MAX_FAILURES, FAILURE_WINDOW_MS)),
            password_failures: Arc::new(Throttle::new(MAX_FAILURES, FAILURE_WINDOW_MS)),
            pages: Arc::new(Pages::new()?),
        })))
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn mint_id(&self) -> crm::Id {
        self.ids.mint(self.clock.now_ms())
    }
}

impl AppState {
    /// The organization's schema as this node knows it.
    pub async fn schema(&self, org_id: crm::Id) -> anyhow::Result<std::sync::Arc<crm::modules::Schema>> {
        self.schemas.get(self.store.as_ref(), org_id, self.now()).await
    }

    /// The organization's schema as the store has it now, for checks that must see what other
    /// nodes added (the limits on custom fields, the names of team pipelines).
    pub async fn fresh_schema(&self, org_id: crm::Id) -> anyhow::Result<std::sync::Arc<crm::modules::Schema>> {
        self.schemas.forget(org_id);
        self.schema(org_id).await
    }

    /// Forgets what this node cached about an organization's schema, after it changed.
    pub fn schema_changed(&self, org_id: crm::Id) {
        self.schemas.forget(org_id);
        self.tokens.forget_org(org_id);
    }
}
