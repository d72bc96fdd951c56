//! `TestApp`: the real server on port 0 over a fresh database (a SQLite file in a temp dir, or a
//! PostgreSQL database created for the test and dropped after it), with typed helpers.
//!
//! PostgreSQL tests connect to `postgres://postgres@127.0.0.1:5432/postgres` to create their
//! databases; set `BIGINBOX_TEST_PG_URL` to an admin URL to point them elsewhere.

use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use server::provision::{self, ClientCreated, NewClient, OrgCreated};
use server::{AppState, Running, ServerConfig};

pub const ALL_SCOPES: &str =
    "ZohoBigin.modules.ALL,ZohoBigin.settings.ALL,ZohoBigin.users.ALL,ZohoBigin.org.ALL,ZohoBigin.change_owner.CREATE";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

enum Database {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub http: reqwest::Client,
    /// Each data centre's URL and state, the first being `base` and `state`.
    pub dcs: Vec<(String, AppState)>,
    running: Vec<Running>,
    database: Database,
}

fn pg_admin_url() -> String {
    std::env::var("BIGINBOX_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

fn unique_suffix() -> String {
    format!("{}_{}", std::process::id(), rand_u64())
}

fn rand_u64() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut h = RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
    h.finish()
}

async fn pg_admin(admin_url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls).await.unwrap_or_else(|err| {
        panic!("PostgreSQL tests need a server: could not connect to {admin_url} ({err}). Set BIGINBOX_TEST_PG_URL to an admin URL.")
    });
    tokio::spawn(connection);
    client
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_dcs(backend, &["us"]).await
    }

    /// A server hosting several data centres, each on its own port.
    pub async fn spawn_dcs(backend: Backend, locations: &[&str]) -> Self {
        let (url, database) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("biginbox-test-{}.db", unique_suffix()));
                (format!("sqlite://{}", path.display()), Database::Sqlite(path))
            }
            Backend::Postgres => {
                let admin_url = pg_admin_url();
                let name = format!("biginbox_test_{}", unique_suffix());
                pg_admin(&admin_url).await.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("creating the test database");
                let (base, _) = admin_url.rsplit_once('/').expect("the admin URL names a database");
                (format!("{base}/{name}"), Database::Postgres { admin_url, name })
            }
        };
        let store = store::open(&url).await.expect("opening the store");
        store.migrate().await.expect("migrating");
        let mut listeners = Vec::new();
        let mut data_centres = Vec::new();
        for location in locations {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            data_centres
                .push(server::DataCentre { location: location.to_string(), url: format!("http://{}", listener.local_addr().unwrap()) });
            listeners.push(listener);
        }
        let state = server::state(ServerConfig::for_data_centre(data_centres.clone(), 0), store, crm::Clock::system()).await.unwrap();
        let mut running = Vec::new();
        let mut dcs = Vec::new();
        for (index, listener) in listeners.into_iter().enumerate() {
            let dc_state = state.for_data_centre(index);
            dcs.push((data_centres[index].url.clone(), dc_state.clone()));
            running.push(server::launch(dc_state, listener, false).await.unwrap());
        }
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { base: data_centres[0].url.clone(), state, http, dcs, running, database }
    }

    /// Moves the server's clock forward.
    pub fn advance(&self, seconds: i64) {
        self.state.clock.advance_ms(seconds * 1000);
    }

    pub async fn org(&self, name: &str, email: &str) -> OrgCreated {
        provision::create_org(&self.state, name, email, Some("password-1"), "America/Los_Angeles").await.unwrap()
    }

    pub async fn self_client(&self, owner_email: &str) -> ClientCreated {
        let new = NewClient::new("self", "Self Client", owner_email);
        provision::create_client(&self.state, &new).await.unwrap()
    }

    pub async fn server_client(&self, owner_email: &str, redirect_uri: &str) -> ClientCreated {
        let uris = vec![redirect_uri.to_string()];
        let new = NewClient { redirect_uris: &uris, ..NewClient::new("server-based", "Web App", owner_email) };
        provision::create_client(&self.state, &new).await.unwrap()
    }

    pub async fn self_code(&self, client: &ClientCreated, org_id: &str, scope: &str) -> String {
        provision::create_self_code(&self.state, &client.client_id, org_id, scope, 3, None).await.unwrap().code
    }

    /// POSTs form parameters to the token endpoint.
    pub async fn token_call(&self, params: &[(&str, &str)]) -> (StatusCode, Value) {
        let resp = self.http.post(format!("{}/oauth/v2/token", self.base)).form(params).send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap())
    }

    pub async fn exchange(&self, client: &ClientCreated, code: &str) -> Value {
        let (status, body) = self
            .token_call(&[
                ("grant_type", "authorization_code"),
                ("client_id", &client.client_id),
                ("client_secret", &client.client_secret),
                ("code", code),
            ])
            .await;
        assert_eq!(status, StatusCode::OK);
        body
    }

    /// An organization, its admin, a Self Client and an access token with `scope`.
    pub async fn tenant(&self, name: &str, scope: &str) -> Tenant {
        let email = format!("admin@{}.example", name.to_lowercase().replace(' ', "-"));
        let org = self.org(name, &email).await;
        let client = self.self_client(&email).await;
        let code = self.self_code(&client, &org.org_id, scope).await;
        let tokens = self.exchange(&client, &code).await;
        Tenant {
            org,
            client,
            access_token: tokens["access_token"].as_str().unwrap().to_string(),
            refresh_token: tokens["refresh_token"].as_str().unwrap().to_string(),
        }
    }

    /// An API call with `token`; the answer's status and JSON body (`Null` for an empty body).
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            req = req.header("Authorization", format!("Zoho-oauthtoken {token}"));
        }
        if let Some(body) = body {
            req = req.header("Content-Type", "application/json").body(body.to_string());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let json = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")) };
        (status, json)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(&body.to_string())).await
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(token), Some(&body.to_string())).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Every text the database holds, for checks that secrets are never stored in clear.
    pub async fn dump(&self) -> String {
        match &self.database {
            Database::Sqlite(path) => {
                let mut text = String::new();
                for suffix in ["", "-wal"] {
                    let file = PathBuf::from(format!("{}{suffix}", path.display()));
                    if let Ok(bytes) = std::fs::read(file) {
                        text.push_str(&String::from_utf8_lossy(&bytes));
                    }
                }
                text
            }
            Database::Postgres { admin_url, name } => {
                let (base, _) = admin_url.rsplit_once('/').unwrap();
                let client = pg_admin(&format!("{base}/{name}")).await;
                let tables = client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", &[]).await.unwrap();
                let mut text = String::new();
                for row in tables {
                    let table: String = row.get(0);
                    let rows = client.query(&format!("SELECT t::text FROM {table} t"), &[]).await.unwrap();
                    for r in rows {
                        text.push_str(r.get::<_, &str>(0));
                        text.push('\n');
                    }
                }
                text
            }
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The server task ends with the test's runtime; the database goes with the test.
        self.running.clear();
        match &self.database {
            Database::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Database::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                    runtime.block_on(async {
                        if let Ok((client, connection)) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls).await {
                            tokio::spawn(connection);
                            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

pub struct Tenant {
    pub org: OrgCreated,
    pub client: ClientCreated,
    pub access_token: String,
    pub refresh_token: String,
}

/// Declares a behavioural test once and runs it on both backends:
/// `sqlite::<name>` and `postgres::<name>`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await).await
                }
            )*
        }
    };
}

/// The ids of the records a write answer reports.
pub fn ids_of(body: &Value) -> Vec<String> {
    body["data"].as_array().unwrap().iter().map(|d| d["details"]["id"].as_str().unwrap_or("").to_string()).collect()
}

impl TestApp {
    /// Inserts one record and returns its id; panics with the answer when it fails.
    pub async fn create(&self, token: &str, module: &str, record: Value) -> String {
        let (status, body) = self.post(&format!("/bigin/v2/{module}"), token, &serde_json::json!({ "data": [record] })).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids_of(&body)[0].clone()
    }
}
