//! The command line: `serve`, `migrate`, and the admin commands. Flags and environment variables
//! are one thing (`#[arg(long, env = "BIGINBOX_...")]`).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use server::provision::{self, NewClient};
use server::{AppState, DataCentre, ServerConfig};

#[derive(Debug, Parser)]
#[command(
    name = "biginbox",
    version,
    about = "A Bigin-compatible CRM backend: Zoho-Accounts OAuth 2.0 and the Bigin REST API v2 in one binary."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Where the data lives: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, env = "BIGINBOX_DATABASE_URL", default_value = "sqlite://biginbox.db", global = true)]
    pub database_url: String,
    /// The URL clients reach biginbox at (accounts server and api_domain); defaults to
    /// http:// and the listen address.
    #[arg(long, env = "BIGINBOX_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Log format on standard error.
    #[arg(long, env = "BIGINBOX_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"], global = true)]
    pub log_format: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the accounts endpoints, the pages and the API on one address.
    Serve(ServeArgs),
    /// Apply the database migrations, then exit.
    Migrate,
    /// Organizations.
    #[command(subcommand)]
    Orgs(OrgsCommand),
    /// OAuth clients (the API console).
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// Self Client grant codes.
    #[command(subcommand)]
    Codes(CodesCommand),
    /// Access and refresh tokens.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Custom fields of an organization's modules.
    #[command(subcommand)]
    Fields(FieldsCommand),
    /// Team pipelines of an organization (layouts of Pipelines, with sub-pipelines and stages).
    #[command(subcommand)]
    Pipelines(PipelinesCommand),
    /// The Postman collection and its "Setup Details" environment.
    #[command(subcommand)]
    Postman(PostmanCommand),
    /// Generate realistic records of a module, fast and the same for the same seed (tests and
    /// benchmarks).
    Seed(SeedArgs),
    /// Show the database's plan for a search, COQL query or count.
    Explain(ExplainArgs),
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    #[arg(long)]
    pub org_id: String,
    /// Contacts, Accounts, Pipelines or Products.
    #[arg(long)]
    pub module: String,
    #[arg(long)]
    pub count: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The number of the first record, to grow a database in steps without repeating records.
    #[arg(long, default_value_t = 0)]
    pub start: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[arg(long)]
    pub org_id: String,
    /// The module searched (not needed with --coql).
    #[arg(long, default_value = "Contacts")]
    pub module: String,
    #[arg(long, group = "selector")]
    pub criteria: Option<String>,
    #[arg(long, group = "selector")]
    pub email: Option<String>,
    #[arg(long, group = "selector")]
    pub phone: Option<String>,
    #[arg(long, group = "selector")]
    pub word: Option<String>,
    #[arg(long, group = "selector")]
    pub coql: Option<String>,
    /// The plan of counting the matches instead.
    #[arg(long)]
    pub count: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BIGINBOX_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// On an empty database, also create a demo organization, its admin and a Self Client, and
    /// write the filled Postman collection and environment into the working directory.
    #[arg(long)]
    pub demo: bool,
    /// The data centres to host (us, eu, in, au, cn, jp, sa, ca, uk; repeat for several). The
    /// first answers on --listen and --public-url, each further one on the next port.
    #[arg(long = "dc", env = "BIGINBOX_DCS", value_delimiter = ',', default_value = "us", value_parser = location)]
    pub dcs: Vec<String>,
}

fn location(text: &str) -> Result<String, String> {
    let text = text.trim().to_ascii_lowercase();
    if server::config::LOCATIONS.contains(&text.as_str()) {
        Ok(text)
    } else {
        Err(format!("use one of {}", server::config::LOCATIONS.join(", ")))
    }
}

#[derive(Debug, Subcommand)]
pub enum OrgsCommand {
    /// Create an organization with its administrator.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_email: String,
        /// The admin's password (at least 8 characters); without it the admin cannot sign in
        /// to the pages unless the account exists already.
        #[arg(long, env = "BIGINBOX_ADMIN_PASSWORD")]
        admin_password: Option<String>,
        /// IANA time zone that record times are shown in.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
        /// The data centre the organization lives in.
        #[arg(long, default_value = "us", value_parser = location)]
        dc: String,
        /// Print only the JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Register a client.
    Create {
        /// Client type.
        #[arg(long = "type", value_parser = provision::CLIENT_TYPES.to_vec())]
        client_type: String,
        /// The client's name (letters, digits, spaces, `_` and `&`); required for every type but
        /// self, which has no name field and is called "Self Client".
        #[arg(long)]
        name: Option<String>,
        /// E-mail of the account that owns the client.
        #[arg(long)]
        owner_email: String,
        /// An authorized redirect URI (repeat for several).
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        #[arg(long)]
        homepage: Option<String>,
        /// The JavaScript domain of a Client-based client (repeat for several).
        #[arg(long = "js-domain")]
        js_domains: Vec<String>,
        /// Let the client work in every data centre, not only the one it is registered in.
        #[arg(long)]
        multi_dc: bool,
        /// The data centre the client is registered in.
        #[arg(long, default_value = "us", value_parser = location)]
        dc: String,
        #[arg(long)]
        json: bool,
    },
    /// List the registered clients.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a client; its tokens stop working.
    Delete {
        #[arg(long)]
        client_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Revoke a refresh token (with every access token minted from it) or an access token.
    Revoke {
        #[arg(long)]
        token: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CodesCommand {
    /// Generate a Self Client grant code, as the console's "Generate Code" does.
    Create {
        #[arg(long)]
        client_id: String,
        #[arg(long)]
        org_id: String,
        /// Comma-separated scopes, e.g. ZohoBigin.modules.ALL,ZohoBigin.org.READ
        #[arg(long)]
        scope: String,
        /// How long the code lives: 3, 5, 7 or 10 minutes.
        #[arg(long, default_value_t = 3, value_parser = minutes)]
        duration_minutes: u32,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum FieldsCommand {
    /// Add a custom field to a module.
    Create {
        #[arg(long)]
        org_id: String,
        /// Module API name, e.g. Contacts.
        #[arg(long)]
        module: String,
        #[arg(long)]
        label: String,
        /// Data type: text, textarea, email, phone, website, integer, bigint, double, currency,
        /// boolean, date, datetime, picklist, multiselectpicklist, lookup, userlookup.
        #[arg(long = "type")]
        data_type: String,
        /// Maximum length (text fields).
        #[arg(long)]
        length: Option<u32>,
        /// Comma-separated values (picklists).
        #[arg(long, value_delimiter = ',')]
        picklist: Vec<String>,
        /// Values must differ between records (case-insensitive).
        #[arg(long)]
        unique: bool,
        /// The module a lookup field points at.
        #[arg(long)]
        lookup_module: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PipelinesCommand {
    /// Add a team pipeline beside "Sales Pipeline".
    Create {
        #[arg(long)]
        org_id: String,
        /// The team pipeline's name, e.g. "Partner Pipeline".
        #[arg(long)]
        name: String,
        /// A sub-pipeline and its stages in order, as NAME:STAGE,STAGE,... (repeat for more).
        /// "Closed Won"/"Won" and "Closed Lost"/"Lost" close a record; other stages are open.
        #[arg(long = "sub-pipeline", required = true)]
        sub_pipelines: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PostmanCommand {
    /// Write the collection and a "Setup Details" environment filled for this server.
    Export {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, requires = "client_secret")]
        client_id: Option<String>,
        #[arg(long, requires = "client_id")]
        client_secret: Option<String>,
        /// A Non-browser client for the collection's device-flow requests.
        #[arg(long, requires = "device_client_secret")]
        device_client_id: Option<String>,
        #[arg(long, requires = "device_client_id")]
        device_client_secret: Option<String>,
    },
}

fn minutes(text: &str) -> Result<u32, String> {
    text.parse::<u32>().ok().filter(|m| provision::SELF_CODE_MINUTES.contains(m)).ok_or_else(|| "use 3, 5, 7 or 10".to_string())
}

pub fn init_logs(cli: &Cli) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BIGINBOX_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only for a person at a terminal, not for CI logs or files.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    if cli.global.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// The URL a server on `listen` is reached at, unless one is configured.
fn public_url(global: &Global, listen: Option<SocketAddr>) -> String {
    global.public_url.clone().unwrap_or_else(|| format!("http://{}", listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)))))
}

/// The URL of the `index`-th data centre: the public URL (or listen address) with its port
/// moved up by `index`.
fn data_centre_url(base: &str, index: usize) -> anyhow::Result<String> {
    if index == 0 {
        return Ok(base.trim_end_matches('/').to_string());
    }
    let mut url = url::Url::parse(base).with_context(|| format!("{base:?} is not a URL"))?;
    let port = url.port_or_known_default().unwrap_or(80) + index as u16;
    url.set_port(Some(port)).map_err(|_| anyhow::anyhow!("{base:?} cannot take a port"))?;
    Ok(url.as_str().trim_end_matches('/').to_string())
}

fn data_centres(global: &Global, listen: Option<SocketAddr>, locations: &[String]) -> anyhow::Result<Vec<DataCentre>> {
    let base = public_url(global, listen);
    locations
        .iter()
        .enumerate()
        .map(|(i, location)| Ok(DataCentre { location: location.clone(), url: data_centre_url(&base, i)? }))
        .collect()
}

/// Opens and migrates the store, and builds the state commands work on, for data centre
/// `location`.
async fn open_state_in(global: &Global, listen: Option<SocketAddr>, locations: &[String]) -> anyhow::Result<AppState> {
    let store = store::open(&global.database_url).await?;
    store.migrate().await.context("migrating the database")?;
    let config = ServerConfig::for_data_centre(data_centres(global, listen, locations)?, 0);
    server::state(config, store, crm::Clock::system()).await
}

async fn open_state(global: &Global, listen: Option<SocketAddr>) -> anyhow::Result<AppState> {
    open_state_in(global, listen, &["us".to_string()]).await
}

/// Prints `value` as JSON, or as `key: value` lines for a person.
fn print<T: Serialize>(value: &T, json: bool) -> anyhow::Result<()> {
    let value = serde_json::to_value(value)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else if let Some(map) = value.as_object() {
        for (k, v) in map {
            println!("{k}: {}", v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()));
        }
    }
    Ok(())
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let global = &cli.global;
    match cli.command {
        Command::Serve(args) => serve(global, args).await,
        Command::Migrate => {
            let store = store::open(&global.database_url).await?;
            store.migrate().await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Orgs(OrgsCommand::Create { name, admin_email, admin_password, time_zone, dc, json }) => {
            let state = open_state_in(global, None, &[dc]).await?;
            let created = provision::create_org(&state, &name, &admin_email, admin_password.as_deref(), &time_zone).await?;
            print(&created, json)
        }
        Command::Clients(ClientsCommand::Create {
            client_type,
            name,
            owner_email,
            redirect_uris,
            homepage,
            js_domains,
            multi_dc,
            dc,
            json,
        }) => {
            let name = match name {
                Some(name) => name,
                None if client_type == "self" => "Self Client".to_string(),
                None => anyhow::bail!("--name is required for a {} client", provision::client_type_label(&client_type)),
            };
            let state = open_state_in(global, None, &[dc]).await?;
            let new = NewClient {
                client_type: &client_type,
                name: &name,
                owner_email: &owner_email,
                redirect_uris: &redirect_uris,
                homepage: homepage.as_deref(),
                js_domains: &js_domains,
                multi_dc,
            };
            print(&provision::create_client(&state, &new).await?, json)
        }
        Command::Clients(ClientsCommand::List { json }) => {
            let state = open_state(global, None).await?;
            let clients = provision::list_clients(&state).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&clients)?);
            } else {
                for c in clients {
                    println!(
                        "{}  {:<13} {:<3} {}{}",
                        c.client_id,
                        c.client_type,
                        c.dc,
                        c.name,
                        if c.multi_dc { "  (multi-DC)" } else { "" }
                    );
                }
            }
            Ok(())
        }
        Command::Clients(ClientsCommand::Delete { client_id }) => {
            let state = open_state(global, None).await?;
            anyhow::ensure!(provision::delete_client(&state, &client_id).await?, "no client has the id {client_id}");
            eprintln!("client {client_id} deleted");
            Ok(())
        }
        Command::Tokens(TokensCommand::Revoke { token }) => {
            let state = open_state(global, None).await?;
            anyhow::ensure!(server::accounts::revoke_token(&state, &token).await?, "no live token matches");
            eprintln!("token revoked");
            Ok(())
        }
        Command::Codes(CodesCommand::Create { client_id, org_id, scope, duration_minutes, description, json }) => {
            let state = open_state(global, None).await?;
            let code = provision::create_self_code(&state, &client_id, &org_id, &scope, duration_minutes, description.as_deref()).await?;
            print(&code, json)
        }
        Command::Fields(FieldsCommand::Create { org_id, module, label, data_type, length, picklist, unique, lookup_module, json }) => {
            let state = open_state(global, None).await?;
            let new = provision::NewField {
                module: &module,
                label: &label,
                data_type: &data_type,
                length,
                picklist: &picklist,
                unique,
                lookup_module: lookup_module.as_deref(),
            };
            print(&provision::create_custom_field(&state, &org_id, &new).await?, json)
        }
        Command::Pipelines(PipelinesCommand::Create { org_id, name, sub_pipelines, json }) => {
            let state = open_state(global, None).await?;
            let subs = sub_pipelines.iter().map(|s| provision::parse_sub_pipeline(s)).collect::<Result<Vec<_>, _>>()?;
            print(&provision::create_team_pipeline(&state, &org_id, &name, subs).await?, json)
        }
        Command::Seed(args) => {
            let state = open_state(global, None).await?;
            let report = crate::seed::seed(&state, &args.org_id, &args.module, args.count, args.seed, args.start).await?;
            if args.json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!(
                    "{} {} written ({} skipped as duplicates) in {:.1} s: {:.0} records/s",
                    report.written, report.module, report.skipped, report.seconds, report.records_per_second
                );
            }
            Ok(())
        }
        Command::Explain(args) => {
            let state = open_state(global, None).await?;
            for line in explain(&state, &args).await? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Postman(PostmanCommand::Export { out, client_id, client_secret, device_client_id, device_client_secret }) => {
            let state = open_state(global, None).await?;
            let pair = |id: Option<String>, secret: Option<String>| id.zip(secret);
            let (credentials, device) = (pair(client_id, client_secret), pair(device_client_id, device_client_secret));
            fn as_refs(c: &Option<(String, String)>) -> Option<(&str, &str)> {
                c.as_ref().map(|(id, secret)| (id.as_str(), secret.as_str()))
            }
            let written = crate::postman::export(&state, &out, as_refs(&credentials), as_refs(&device)).await?;
            for path in written {
                eprintln!("wrote {}", path.display());
            }
            Ok(())
        }
    }
}

/// The plan of the statement a search, COQL query or count would run.
async fn explain(state: &AppState, args: &ExplainArgs) -> anyhow::Result<Vec<String>> {
    use crm::query::{Column, Order, Target};
    let org_id = crm::Id::parse(&args.org_id).with_context(|| format!("{:?} is not an organization id", args.org_id))?;
    let schema = state.schema(org_id).await?;
    let refused = |e: crm::query::QueryError| anyhow::anyhow!("{} {}: {:?}", e.code.as_str(), e.message, e.details);
    let by_id = vec![Order { target: Target::Column(Column::Id), descending: false }];
    let (module, condition, order, limit) = if let Some(text) = &args.coql {
        let plan = crm::coql::lower(&schema, &crm::coql::parse_syntax(text).map_err(refused)?).map_err(refused)?;
        (plan.module.to_string(), plan.condition, plan.order, plan.limit + 1)
    } else {
        let module = schema.module(&args.module).with_context(|| format!("{:?} is not a module", args.module))?;
        let condition = match (&args.criteria, &args.email, &args.phone, &args.word) {
            (Some(c), ..) => crm::criteria::parse(module, c).map_err(refused)?,
            (_, Some(e), ..) => crm::criteria::email(module, e),
            (_, _, Some(p), _) => crm::criteria::phone(module, p),
            (.., Some(w)) => crm::criteria::word(w).map_err(refused)?,
            _ => anyhow::bail!("give --criteria, --email, --phone, --word or --coql"),
        };
        (module.api_name.to_string(), Some(condition), by_id, 201)
    };
    // Planned as the API plans it.
    let condition = match schema.module(&module) {
        Some(m) => condition.map(|c| crm::query::intersect_indexed(m, c)),
        None => condition,
    };
    let query =
        store::RecordQuery { module, filters: condition.into_iter().map(store::RecordFilter::Where).collect(), order, offset: 0, limit };
    state.store.explain_records(org_id, &query, args.count, false).await
}

async fn serve(global: &Global, args: ServeArgs) -> anyhow::Result<()> {
    let mut locations = args.dcs.clone();
    locations.dedup();
    let state = open_state_in(global, Some(args.listen), &locations).await?;
    // Bind every data centre's address before anything else happens.
    let mut listeners = Vec::new();
    for index in 0..locations.len() {
        let addr = SocketAddr::new(args.listen.ip(), args.listen.port() + index as u16);
        listeners.push(tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?);
    }
    if args.demo {
        crate::postman::demo(&state).await?;
    }
    let mut running = Vec::new();
    for (index, listener) in listeners.into_iter().enumerate() {
        let dc_state = state.for_data_centre(index);
        let url = dc_state.config.public_url.clone();
        let server = server::launch(dc_state, listener, true).await?;
        tracing::info!(dc = %locations[index], addr = %server.addr, url = %url, database = %redacted(&global.database_url), "biginbox is serving");
        running.push(server);
    }
    for server in running {
        server.wait().await?;
    }
    tracing::info!("stopped");
    Ok(())
}

/// The database URL without a password, for logs.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let user = url[s + 3..at].split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..s + 3], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn passwords_are_kept_out_of_logged_urls() {
        assert_eq!(redacted("postgres://u:secret@host/db"), "postgres://u@host/db");
        assert_eq!(redacted("sqlite://biginbox.db"), "sqlite://biginbox.db");
    }
}
