//! Organizations, people, clients, codes, tokens: PostgreSQL statements.

use super::prepared::Prepared;
use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::id;
use crate::*;

const ORG_COLUMNS: &str = "id, zgid, company_name, primary_email, primary_account_id, dc, time_zone, created_time";
const CODE_COLUMNS: &str =
    "digest, id, kind, client_id, org_id, account_id, scopes, redirect_uri, offline, code_challenge, description, expires_at, used_at, created_time";
const REFRESH_COLUMNS: &str = "digest, id, client_id, org_id, account_id, scopes, code_id, created_time, revoked_at";
const ACCESS_COLUMNS: &str = "digest, id, refresh_id, code_id, client_id, org_id, account_id, scopes, created_time, expires_at, revoked_at";

fn org_from(r: &Row) -> Org {
    Org {
        id: id(r.get(0)),
        zgid: r.get(1),
        company_name: r.get(2),
        primary_email: r.get(3),
        primary_account_id: id(r.get(4)),
        dc: r.get(5),
        time_zone: r.get(6),
        created_time: r.get(7),
    }
}

pub async fn create_org(tx: &impl GenericClient, org: &NewOrg) -> Result<CreateOrgOutcome> {
    let admin = &org.admin;
    let existing =
        tx.query_opt_prepared("SELECT id, password_hash FROM accounts WHERE email_lower = $1", &[&admin.email.to_lowercase()]).await?;
    let account_id: i64 = match existing {
        Some(row) if admin.password_hash.is_none() => row.get(0),
        Some(_) => return Ok(CreateOrgOutcome::AccountExists),
        None => {
            tx.execute_prepared(
                "INSERT INTO accounts (id, email, email_lower, first_name, last_name, password_hash, created_time) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&admin.account_id.as_i64(), &admin.email, &admin.email.to_lowercase(), &admin.first_name, &admin.last_name, &admin.password_hash, &org.now],
            )
            .await?;
            admin.account_id.as_i64()
        }
    };
    tx.execute_prepared(
        &format!("INSERT INTO orgs ({ORG_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"),
        &[&org.org_id.as_i64(), &org.zgid, &org.company_name, &admin.email, &account_id, &org.dc, &org.time_zone, &org.now],
    )
    .await?;
    tx.execute_prepared(
        "INSERT INTO org_users (org_id, id, account_id, email, first_name, last_name, role, profile, status, confirmed, created_time, modified_time)
         VALUES ($1, $2, $3, $4, $5, $6, 'CEO', 'Administrator', 'active', TRUE, $7, $7)",
        &[&org.org_id.as_i64(), &admin.user_id.as_i64(), &account_id, &admin.email, &admin.first_name, &admin.last_name, &org.now],
    )
    .await?;
    let row = tx.query_one_prepared(&format!("SELECT {ORG_COLUMNS} FROM orgs WHERE id = $1"), &[&org.org_id.as_i64()]).await?;
    Ok(CreateOrgOutcome::Created(org_from(&row)))
}

pub async fn org(c: &impl GenericClient, org_id: crm::Id) -> Result<Option<Org>> {
    let row = c.query_opt_prepared(&format!("SELECT {ORG_COLUMNS} FROM orgs WHERE id = $1"), &[&org_id.as_i64()]).await?;
    Ok(row.as_ref().map(org_from))
}

pub async fn orgs_of_account(c: &impl GenericClient, account_id: crm::Id) -> Result<Vec<Org>> {
    let columns = ORG_COLUMNS.split(", ").map(|c| format!("o.{c}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT {columns} FROM orgs o JOIN org_users u ON u.org_id = o.id WHERE u.account_id = $1 AND u.status = 'active' ORDER BY o.created_time, o.id"
    );
    Ok(c.query_prepared(&sql, &[&account_id.as_i64()]).await?.iter().map(org_from).collect())
}

pub async fn account_where(c: &impl GenericClient, condition: &str, param: &(dyn ToSql + Sync)) -> Result<Option<Account>> {
    let row = c
        .query_opt_prepared(&format!("SELECT id, email, first_name, last_name, password_hash FROM accounts WHERE {condition}"), &[param])
        .await?;
    Ok(row.map(|r| Account { id: id(r.get(0)), email: r.get(1), first_name: r.get(2), last_name: r.get(3), password_hash: r.get(4) }))
}

pub async fn org_users_where(c: &impl GenericClient, condition: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<OrgUser>> {
    let sql = format!(
        "SELECT org_id, id, account_id, email, first_name, last_name, role, profile, status, confirmed, created_time, modified_time FROM org_users WHERE {condition}"
    );
    let rows = c.query_prepared(&sql, params).await?;
    Ok(rows
        .iter()
        .map(|r| OrgUser {
            org_id: id(r.get(0)),
            id: id(r.get(1)),
            account_id: r.get::<_, Option<i64>>(2).map(id),
            email: r.get(3),
            first_name: r.get(4),
            last_name: r.get(5),
            role: r.get(6),
            profile: r.get(7),
            status: r.get(8),
            confirmed: r.get(9),
            created_time: r.get(10),
            modified_time: r.get(11),
        })
        .collect())
}

pub async fn insert_client(c: &impl GenericClient, client: &Client) -> Result<()> {
    c.execute_prepared(
        "INSERT INTO clients (client_id, secret_hash, client_type, name, owner_account_id, homepage, redirect_uris, js_domains, multi_dc, created_time, dc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &client.client_id,
            &client.secret_hash,
            &client.client_type,
            &client.name,
            &client.owner_account_id.as_i64(),
            &client.homepage,
            &serde_json::to_string(&client.redirect_uris)?,
            &serde_json::to_string(&client.js_domains)?,
            &client.multi_dc,
            &client.created_time,
            &client.dc,
        ],
    )
    .await?;
    Ok(())
}

pub async fn update_client(c: &impl GenericClient, client: &Client) -> Result<bool> {
    let n = c
        .execute_prepared(
            "UPDATE clients SET secret_hash = $2, name = $3, homepage = $4, redirect_uris = $5, js_domains = $6, multi_dc = $7 WHERE client_id = $1",
            &[
                &client.client_id,
                &client.secret_hash,
                &client.name,
                &client.homepage,
                &serde_json::to_string(&client.redirect_uris)?,
                &serde_json::to_string(&client.js_domains)?,
                &client.multi_dc,
            ],
        )
        .await?;
    Ok(n > 0)
}

pub async fn clients_where(c: &impl GenericClient, condition: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Client>> {
    let sql = format!(
        "SELECT client_id, secret_hash, client_type, name, owner_account_id, homepage, redirect_uris, js_domains, multi_dc, created_time, dc FROM clients WHERE {condition}"
    );
    let rows = c.query_prepared(&sql, params).await?;
    Ok(rows
        .iter()
        .map(|r| Client {
            client_id: r.get(0),
            secret_hash: r.get(1),
            client_type: r.get(2),
            name: r.get(3),
            owner_account_id: id(r.get(4)),
            homepage: r.get(5),
            redirect_uris: serde_json::from_str(r.get::<_, &str>(6)).unwrap_or_default(),
            js_domains: serde_json::from_str(r.get::<_, &str>(7)).unwrap_or_default(),
            multi_dc: r.get(8),
            created_time: r.get(9),
            dc: r.get(10),
        })
        .collect())
}

fn code_from(r: &Row) -> GrantCode {
    GrantCode {
        digest: r.get(0),
        id: id(r.get(1)),
        kind: r.get(2),
        client_id: r.get(3),
        org_id: id(r.get(4)),
        account_id: id(r.get(5)),
        scopes: r.get(6),
        redirect_uri: r.get(7),
        offline: r.get(8),
        code_challenge: r.get(9),
        description: r.get(10),
        expires_at: r.get(11),
        used_at: r.get(12),
        created_time: r.get(13),
    }
}

pub async fn insert_code(c: &impl GenericClient, g: &GrantCode) -> Result<()> {
    c.execute_prepared(
        &format!("INSERT INTO grant_codes ({CODE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"),
        &[
            &g.digest,
            &g.id.as_i64(),
            &g.kind,
            &g.client_id,
            &g.org_id.as_i64(),
            &g.account_id.as_i64(),
            &g.scopes,
            &g.redirect_uri,
            &g.offline,
            &g.code_challenge,
            &g.description,
            &g.expires_at,
            &g.used_at,
            &g.created_time,
        ],
    )
    .await?;
    Ok(())
}

/// One statement claims the code, so two nodes racing for it cannot both win.
pub async fn code(c: &impl GenericClient, digest: &[u8]) -> Result<Option<GrantCode>> {
    let row = c.query_opt_prepared(&format!("SELECT {CODE_COLUMNS} FROM grant_codes WHERE digest = $1"), &[&digest]).await?;
    Ok(row.as_ref().map(code_from))
}

/// A client and everything it was given.
pub async fn delete_client(tx: &impl GenericClient, client_id: &str) -> Result<bool> {
    for table in ["access_tokens", "refresh_tokens", "grant_codes", "device_codes"] {
        tx.execute_prepared(&format!("DELETE FROM {table} WHERE client_id = $1"), &[&client_id]).await?;
    }
    Ok(tx.execute_prepared("DELETE FROM clients WHERE client_id = $1", &[&client_id]).await? > 0)
}

pub async fn consume_code(c: &impl GenericClient, digest: &[u8], client_id: &str, now: i64) -> Result<CodeUse> {
    let claimed = c
        .query_opt_prepared(
            &format!(
                "UPDATE grant_codes SET used_at = $2 WHERE digest = $1 AND client_id = $3 AND used_at IS NULL RETURNING {CODE_COLUMNS}"
            ),
            &[&digest, &now, &client_id],
        )
        .await?;
    if let Some(row) = claimed {
        return Ok(CodeUse::Fresh(code_from(&row)));
    }
    let earlier = c.query_opt_prepared(&format!("SELECT {CODE_COLUMNS} FROM grant_codes WHERE digest = $1"), &[&digest]).await?;
    Ok(match earlier.map(|row| code_from(&row)) {
        Some(code) if code.client_id == client_id => CodeUse::Replayed(code),
        _ => CodeUse::Unknown,
    })
}

pub async fn insert_refresh_token(c: &impl GenericClient, t: &RefreshToken) -> Result<()> {
    c.execute_prepared(
        &format!("INSERT INTO refresh_tokens ({REFRESH_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
        &[
            &t.digest,
            &t.id.as_i64(),
            &t.client_id,
            &t.org_id.as_i64(),
            &t.account_id.as_i64(),
            &t.scopes,
            &t.code_id.map(|i| i.as_i64()),
            &t.created_time,
            &t.revoked_at,
        ],
    )
    .await?;
    Ok(())
}

fn refresh_from(r: &Row) -> RefreshToken {
    RefreshToken {
        digest: r.get(0),
        id: id(r.get(1)),
        client_id: r.get(2),
        org_id: id(r.get(3)),
        account_id: id(r.get(4)),
        scopes: r.get(5),
        code_id: r.get::<_, Option<i64>>(6).map(id),
        created_time: r.get(7),
        revoked_at: r.get(8),
    }
}

pub async fn refresh_token(c: &impl GenericClient, digest: &[u8]) -> Result<Option<RefreshToken>> {
    let row = c.query_opt_prepared(&format!("SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE digest = $1"), &[&digest]).await?;
    Ok(row.as_ref().map(refresh_from))
}

pub async fn refresh_tokens_of_account(c: &impl GenericClient, account_id: crm::Id) -> Result<Vec<RefreshToken>> {
    let rows = c
        .query_prepared(
            &format!("SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE account_id = $1 AND revoked_at IS NULL ORDER BY created_time DESC, id DESC"),
            &[&account_id.as_i64()],
        )
        .await?;
    Ok(rows.iter().map(refresh_from).collect())
}

pub async fn evict_refresh_tokens(
    tx: &impl GenericClient,
    account_id: crm::Id,
    client_id: &str,
    keep: u32,
    now: i64,
) -> Result<Vec<crm::Id>> {
    let rows = tx
        .query_prepared(
            "UPDATE refresh_tokens SET revoked_at = $4 WHERE id IN (
                 SELECT id FROM refresh_tokens WHERE account_id = $1 AND client_id = $2 AND revoked_at IS NULL
                 ORDER BY created_time DESC, id DESC OFFSET $3) RETURNING id",
            &[&account_id.as_i64(), &client_id, &i64::from(keep), &now],
        )
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    if !ids.is_empty() {
        tx.execute_prepared("UPDATE access_tokens SET revoked_at = $2 WHERE refresh_id = ANY($1) AND revoked_at IS NULL", &[&ids, &now])
            .await?;
    }
    Ok(ids.into_iter().map(id).collect())
}

/// Serialises refresh-token issuance of one account and client (until the transaction ends), so
/// that eviction sees every token inserted before it.
pub async fn lock_refresh_tokens_of(tx: &impl GenericClient, account_id: crm::Id, client_id: &str) -> Result<()> {
    tx.execute_prepared("SELECT pg_advisory_xact_lock(hashtextextended($1, $2))", &[&client_id, &account_id.as_i64()]).await?;
    Ok(())
}

pub async fn insert_refreshed_access_token(tx: &impl GenericClient, t: &AccessToken, since: i64, max: u64) -> Result<Refreshed> {
    let refresh_id = t.refresh_id.map(|i| i.as_i64());
    // The row lock orders parallel refreshes of one token (and a revoke) one after another.
    let live =
        tx.query_opt_prepared("SELECT 1 FROM refresh_tokens WHERE id = $1 AND revoked_at IS NULL FOR UPDATE", &[&refresh_id]).await?;
    if live.is_none() {
        return Ok(Refreshed::Revoked);
    }
    let row = tx
        .query_one_prepared("SELECT COUNT(*) FROM access_tokens WHERE refresh_id = $1 AND created_time > $2", &[&refresh_id, &since])
        .await?;
    if row.get::<_, i64>(0) as u64 >= max {
        return Ok(Refreshed::TooMany);
    }
    insert_access_token(tx, t).await?;
    Ok(Refreshed::Minted)
}

const DEVICE_COLUMNS: &str =
    "digest, user_code, client_id, dc, scopes, offline, status, org_id, account_id, interval_s, last_poll_at, expires_at, created_time";

fn device_from(r: &Row) -> DeviceCode {
    DeviceCode {
        digest: r.get(0),
        user_code: r.get(1),
        client_id: r.get(2),
        dc: r.get(3),
        scopes: r.get(4),
        offline: r.get(5),
        status: r.get(6),
        org_id: r.get::<_, Option<i64>>(7).map(id),
        account_id: r.get::<_, Option<i64>>(8).map(id),
        interval_s: r.get(9),
        last_poll_at: r.get(10),
        expires_at: r.get(11),
        created_time: r.get(12),
    }
}

pub async fn insert_device_code(c: &impl GenericClient, d: &DeviceCode) -> Result<()> {
    c.execute_prepared(
        &format!("INSERT INTO device_codes ({DEVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"),
        &[
            &d.digest,
            &d.user_code,
            &d.client_id,
            &d.dc,
            &d.scopes,
            &d.offline,
            &d.status,
            &d.org_id.map(|i| i.as_i64()),
            &d.account_id.map(|i| i.as_i64()),
            &d.interval_s,
            &d.last_poll_at,
            &d.expires_at,
            &d.created_time,
        ],
    )
    .await?;
    Ok(())
}

pub async fn device_code_by_user_code(c: &impl GenericClient, user_code: &str) -> Result<Option<DeviceCode>> {
    let row = c.query_opt_prepared(&format!("SELECT {DEVICE_COLUMNS} FROM device_codes WHERE user_code = $1"), &[&user_code]).await?;
    Ok(row.as_ref().map(device_from))
}

pub async fn decide_device_code(
    c: &impl GenericClient,
    user_code: &str,
    approved: bool,
    org_id: crm::Id,
    account_id: crm::Id,
) -> Result<bool> {
    let status = if approved { "approved" } else { "denied" };
    let n = c
        .execute_prepared(
            "UPDATE device_codes SET status = $2, org_id = $3, account_id = $4 WHERE user_code = $1 AND status = 'pending'",
            &[&user_code, &status, &org_id.as_i64(), &account_id.as_i64()],
        )
        .await?;
    Ok(n > 0)
}

/// The row as it was before this poll: the update returns the old `last_poll_at` through a
/// self-join on the same row, so two nodes polling at once each see a consistent answer.
pub async fn poll_device_code(c: &impl GenericClient, digest: &[u8], now: i64) -> Result<Option<DeviceCode>> {
    let columns = DEVICE_COLUMNS.split(", ").map(|c| format!("old.{c}")).collect::<Vec<_>>().join(", ");
    let row = c
        .query_opt_prepared(
            &format!(
                "UPDATE device_codes AS d SET last_poll_at = $2 FROM device_codes AS old
                 WHERE d.digest = $1 AND old.digest = d.digest RETURNING {columns}"
            ),
            &[&digest, &now],
        )
        .await?;
    Ok(row.as_ref().map(device_from))
}

pub async fn finish_device_code(c: &impl GenericClient, digest: &[u8]) -> Result<bool> {
    Ok(c.execute_prepared("UPDATE device_codes SET status = 'used' WHERE digest = $1 AND status = 'approved'", &[&digest]).await? > 0)
}

pub async fn insert_access_token(c: &impl GenericClient, t: &AccessToken) -> Result<()> {
    c.execute_prepared(
        &format!("INSERT INTO access_tokens ({ACCESS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"),
        &[
            &t.digest,
            &t.id.as_i64(),
            &t.refresh_id.map(|i| i.as_i64()),
            &t.code_id.map(|i| i.as_i64()),
            &t.client_id,
            &t.org_id.as_i64(),
            &t.account_id.as_i64(),
            &t.scopes,
            &t.created_time,
            &t.expires_at,
            &t.revoked_at,
        ],
    )
    .await?;
    Ok(())
}

pub async fn access_token(c: &impl GenericClient, digest: &[u8]) -> Result<Option<AccessToken>> {
    // A token of a deleted client is no token.
    let row = c
        .query_opt_prepared(
            &format!(
                "SELECT {ACCESS_COLUMNS} FROM access_tokens
                 WHERE digest = $1 AND EXISTS (SELECT 1 FROM clients c WHERE c.client_id = access_tokens.client_id)"
            ),
            &[&digest],
        )
        .await?;
    Ok(row.map(|r| AccessToken {
        digest: r.get(0),
        id: id(r.get(1)),
        refresh_id: r.get::<_, Option<i64>>(2).map(id),
        code_id: r.get::<_, Option<i64>>(3).map(id),
        client_id: r.get(4),
        org_id: id(r.get(5)),
        account_id: id(r.get(6)),
        scopes: r.get(7),
        created_time: r.get(8),
        expires_at: r.get(9),
        revoked_at: r.get(10),
    }))
}

pub async fn revoke_refresh_token(tx: &impl GenericClient, digest: &[u8], now: i64) -> Result<bool> {
    let row = tx
        .query_opt_prepared(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE digest = $1 AND revoked_at IS NULL RETURNING id",
            &[&digest, &now],
        )
        .await?;
    let Some(row) = row else { return Ok(false) };
    let refresh_id: i64 = row.get(0);
    tx.execute_prepared("UPDATE access_tokens SET revoked_at = $2 WHERE refresh_id = $1 AND revoked_at IS NULL", &[&refresh_id, &now])
        .await?;
    Ok(true)
}

pub async fn revoke_tokens_of_code(tx: &impl GenericClient, code_id: crm::Id, now: i64) -> Result<Vec<Vec<u8>>> {
    let code_id = code_id.as_i64();
    let rows = tx
        .query_prepared(
            "UPDATE access_tokens SET revoked_at = $2 WHERE revoked_at IS NULL
               AND (code_id = $1 OR refresh_id IN (SELECT id FROM refresh_tokens WHERE code_id = $1)) RETURNING digest",
            &[&code_id, &now],
        )
        .await?;
    tx.execute_prepared("UPDATE refresh_tokens SET revoked_at = $2 WHERE code_id = $1 AND revoked_at IS NULL", &[&code_id, &now]).await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

pub async fn insert_org_user(c: &impl GenericClient, u: &OrgUser) -> Result<bool> {
    // The e-mail check and the insert are one statement, so two nodes cannot both add it.
    let n = c
        .execute_prepared(
            "INSERT INTO org_users (org_id, id, account_id, email, first_name, last_name, role, profile, status, confirmed, created_time, modified_time)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
             WHERE NOT EXISTS (SELECT 1 FROM org_users WHERE org_id = $1 AND lower(email) = lower($4))",
            &[
                &u.org_id.as_i64(),
                &u.id.as_i64(),
                &u.account_id.map(|a| a.as_i64()),
                &u.email,
                &u.first_name,
                &u.last_name,
                &u.role,
                &u.profile,
                &u.status,
                &u.confirmed,
                &u.created_time,
                &u.modified_time,
            ],
        )
        .await?;
    Ok(n > 0)
}

pub async fn update_org_user(c: &impl GenericClient, u: &OrgUser) -> Result<bool> {
    let n = c
        .execute_prepared(
            "UPDATE org_users SET first_name = $3, last_name = $4, role = $5, profile = $6, status = $7, modified_time = $8 WHERE org_id = $1 AND id = $2",
            &[&u.org_id.as_i64(), &u.id.as_i64(), &u.first_name, &u.last_name, &u.role, &u.profile, &u.status, &u.modified_time],
        )
        .await?;
    Ok(n > 0)
}

pub async fn custom_fields(c: &impl GenericClient, org_id: crm::Id) -> Result<Vec<crm::modules::CustomField>> {
    let rows = c
        .query_prepared(
            "SELECT id, module, api_name, label, data_type, length, picklist, is_unique, lookup_module FROM custom_fields WHERE org_id = $1 ORDER BY created_time, id",
            &[&org_id.as_i64()],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| crm::modules::CustomField {
            id: id(r.get(0)),
            module: r.get(1),
            api_name: r.get(2),
            label: r.get(3),
            data_type: crm::modules::DataType::parse(r.get::<_, &str>(4)).unwrap_or(crm::modules::DataType::Text),
            length: r.get::<_, Option<i64>>(5).map(|l| l as u32),
            picklist: serde_json::from_str(r.get::<_, &str>(6)).unwrap_or_default(),
            unique: r.get(7),
            lookup_module: r.get(8),
        })
        .collect())
}

pub async fn insert_custom_field(c: &impl GenericClient, org_id: crm::Id, f: &crm::modules::CustomField, now: i64) -> Result<bool> {
    let n = c
        .execute_prepared(
            "INSERT INTO custom_fields (org_id, id, module, api_name, label, data_type, length, picklist, is_unique, lookup_module, created_time)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
            &[
                &org_id.as_i64(),
                &f.id.as_i64(),
                &f.module,
                &f.api_name,
                &f.label,
                &f.data_type.as_str(),
                &f.length.map(i64::from),
                &serde_json::to_string(&f.picklist)?,
                &f.unique,
                &f.lookup_module,
                &now,
            ],
        )
        .await?;
    Ok(n > 0)
}

pub async fn team_pipelines(c: &impl GenericClient, org_id: crm::Id) -> Result<Vec<crm::pipelines::PipelineSpec>> {
    let rows = c
        .query_prepared(
            "SELECT id, name, sub_pipelines FROM team_pipelines WHERE org_id = $1 ORDER BY created_time, id",
            &[&org_id.as_i64()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(crm::pipelines::PipelineSpec { id: id(r.get(0)), name: r.get(1), sub_pipelines: serde_json::from_str(r.get::<_, &str>(2))? })
        })
        .collect()
}

pub async fn insert_team_pipeline(c: &impl GenericClient, org_id: crm::Id, p: &crm::pipelines::PipelineSpec, now: i64) -> Result<bool> {
    let n = c
        .execute_prepared(
            "INSERT INTO team_pipelines (org_id, id, name, sub_pipelines, created_time) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[&org_id.as_i64(), &p.id.as_i64(), &p.name, &serde_json::to_string(&p.sub_pipelines)?, &now],
        )
        .await?;
    Ok(n > 0)
}
