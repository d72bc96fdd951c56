//! The Postman collection and its "Setup Details" environment, filled for this server, and the
//! `serve --demo` set-up that walks the seed's Steps 3 to 5 in one command.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::Value;
use server::provision::{self, NewClient};
use server::AppState;

pub const COLLECTION_FILE: &str = "Bigin API.postman_collection.json";
pub const ENVIRONMENT_FILE: &str = "Setup Details.postman_environment.json";
const COLLECTION: &str = include_str!("../../../postman/Bigin API.postman_collection.json");
const ENVIRONMENT: &str = include_str!("../../../postman/Setup Details.postman_environment.json");

const DEMO_ORG_NAME: &str = "Demo Org";

/// Values to fill into the environment, by variable name.
type Filled = Vec<(&'static str, String)>;

/// Writes the collection and the environment into `out`; with a client's credentials the
/// environment carries them, and a fresh grant code when the client is a Self Client; with a
/// Non-browser client's, the device-flow requests use it.
pub async fn export(
    state: &AppState,
    out: &Path,
    credentials: Option<(&str, &str)>,
    device: Option<(&str, &str)>,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut values: Filled =
        vec![("accounts-url", state.config.accounts_url().to_string()), ("api-domain", state.config.api_domain().to_string())];
    if let Some((client_id, client_secret)) = device {
        let client = state.store.client(client_id).await?.with_context(|| format!("no client has the id {client_id}"))?;
        anyhow::ensure!(client.client_type == "non-browser", "the device-flow client {client_id} is not a Non-browser client");
        values.push(("device-client-id", client_id.to_string()));
        values.push(("device-client-secret", client_secret.to_string()));
    }
    if let Some((client_id, client_secret)) = credentials {
        let client = state.store.client(client_id).await?.with_context(|| format!("no client has the id {client_id}"))?;
        values.push(("client-id", client_id.to_string()));
        values.push(("client-secret", client_secret.to_string()));
        if client.client_type == "self" {
            let orgs = state.store.orgs_of_account(client.owner_account_id).await?;
            let org = orgs.first().context("the Self Client's owner belongs to no organization")?;
            let code = provision::create_self_code(
                state,
                client_id,
                &org.id.to_string(),
                provision::COLLECTION_SCOPES,
                10,
                Some("Postman collection"),
            )
            .await?;
            values.push(("code", code.code));
            values.push(("scope", code.scope));
        } else if let Some(uri) = client.redirect_uris.first() {
            values.push(("redirect-uri", uri.clone()));
            values.push(("scope", provision::COLLECTION_SCOPES.to_string()));
        }
    }
    write_files(out, &values)
}

fn write_files(out: &Path, values: &Filled) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let collection_path = out.join(COLLECTION_FILE);
    std::fs::write(&collection_path, COLLECTION).with_context(|| format!("writing {}", collection_path.display()))?;
    let environment_path = out.join(ENVIRONMENT_FILE);
    let environment = fill_environment(values)?;
    std::fs::write(&environment_path, serde_json::to_string_pretty(&environment)? + "\n")
        .with_context(|| format!("writing {}", environment_path.display()))?;
    Ok(vec![collection_path, environment_path])
}

/// The environment template with `values` set (variables not named keep their value).
fn fill_environment(values: &Filled) -> anyhow::Result<Value> {
    let mut environment: Value = serde_json::from_str(ENVIRONMENT).context("the bundled environment is not JSON")?;
    let variables = environment.get_mut("values").and_then(Value::as_array_mut).context("the bundled environment has no values")?;
    for (key, value) in values {
        match variables.iter_mut().find(|v| v.get("key").and_then(Value::as_str) == Some(key)) {
            Some(variable) => variable["value"] = Value::String(value.clone()),
            None => anyhow::bail!("the bundled environment has no variable {key}"),
        }
    }
    Ok(environment)
}

/// `serve --demo`: on an empty database, an organization, its admin, a Self Client and a
/// Non-browser client (for the device-flow requests), and the filled collection and environment
/// in the working directory, so that newman runs the whole collection on them as they are.
pub async fn demo(state: &AppState) -> anyhow::Result<()> {
    if state.store.count_orgs().await? > 0 {
        tracing::warn!("--demo sets up an empty database only; this one has organizations already, so nothing was created");
        return Ok(());
    }
    let email = "admin@demo.biginbox.local";
    let password = server::secrets::mint_opaque()[..16].to_string();
    let org = provision::create_org(state, DEMO_ORG_NAME, email, Some(&password), "UTC").await?;
    let new_client = NewClient::new("self", "Self Client", email);
    let client = provision::create_client(state, &new_client).await?;
    let new_device =
        NewClient { homepage: Some("https://device.demo.biginbox.local"), ..NewClient::new("non-browser", "Demo Device", email) };
    let device = provision::create_client(state, &new_device).await?;
    let dir = std::env::current_dir()?;
    let written =
        export(state, &dir, Some((&client.client_id, &client.client_secret)), Some((&device.client_id, &device.client_secret))).await?;
    let url = state.config.public_url.clone();
    println!(
        "biginbox demo is ready at {url}\n\
         \n  organization  {org_name} (org_id {org_id})\
         \n  admin         {email} / {password}   (sign in at {url}/signin)\
         \n  Self Client   client_id {client_id}\
         \n                client_secret {client_secret}\
         \n  Non-browser   client_id {device_id} (the collection's device-flow requests)\
         \n\nStep 3 (set up your environment): written for you:\
         \n  {collection}\n  {environment}\
         \nStep 4 (authorization): import both into Postman, select \"Setup Details\", and send\
         \n  Authorization > Request access token within 10 minutes (the code's lifetime).\
         \nStep 5 (invoke your first API): send Organization > Get organization, or run everything:\
         \n  npx newman run \"{collection}\" -e \"{environment}\"\n",
        org_name = DEMO_ORG_NAME,
        org_id = org.org_id,
        client_id = client.client_id,
        client_secret = client.client_secret,
        device_id = device.client_id,
        collection = written[0].display(),
        environment = written[1].display(),
    );
    Ok(())
}
