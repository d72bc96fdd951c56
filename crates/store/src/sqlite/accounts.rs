//! Organizations, people, clients, codes, tokens: SQLite statements.

use rusqlite::{params, Connection, OptionalExtension, Params, Row};

use super::id;
use crate::*;

const ORG_COLUMNS: &str = "id, zgid, company_name, primary_email, primary_account_id, dc, time_zone, created_time";

fn org_from(r: &Row<'_>) -> rusqlite::Result<Org> {
    Ok(Org {
        id: id(r.get(0)?),
        zgid: r.get(1)?,
        company_name: r.get(2)?,
        primary_email: r.get(3)?,
        primary_account_id: id(r.get(4)?),
        dc: r.get(5)?,
        time_zone: r.get(6)?,
        created_time: r.get(7)?,
    })
}

pub fn create_org(tx: &Connection, org: &NewOrg) -> rusqlite::Result<CreateOrgOutcome> {
    let admin = &org.admin;
    let existing: Option<(i64, Option<String>)> = tx
        .query_row("SELECT id, password_hash FROM accounts WHERE email_lower = ?1", [admin.email.to_lowercase()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let account_id = match existing {
        // The caller verified the password (or supplied none) before asking; an existing account
        // joins the new organization as its admin.
        Some((account_id, _)) if admin.password_hash.is_none() => account_id,
        Some(_) => return Ok(CreateOrgOutcome::AccountExists),
        None => {
            tx.execute(
                "INSERT INTO accounts (id, email, email_lower, first_name, last_name, password_hash, created_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![admin.account_id.as_i64(), admin.email, admin.email.to_lowercase(), admin.first_name, admin.last_name, admin.password_hash, org.now],
            )?;
            admin.account_id.as_i64()
        }
    };
    tx.execute(
        &format!("INSERT INTO orgs ({ORG_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        params![org.org_id.as_i64(), org.zgid, org.company_name, admin.email, account_id, org.dc, org.time_zone, org.now],
    )?;
    tx.execute(
        "INSERT INTO org_users (org_id, id, account_id, email, first_name, last_name, role, profile, status, confirmed, created_time, modified_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'CEO', 'Administrator', 'active', 1, ?7, ?7)",
        params![org.org_id.as_i64(), admin.user_id.as_i64(), account_id, admin.email, admin.first_name, admin.last_name, org.now],
    )?;
    let created = tx.query_row(&format!("SELECT {ORG_COLUMNS} FROM orgs WHERE id = ?1"), [org.org_id.as_i64()], org_from)?;
    Ok(CreateOrgOutcome::Created(created))
}

pub fn org(c: &Connection, org_id: crm::Id) -> rusqlite::Result<Option<Org>> {
    c.prepare_cached(&format!("SELECT {ORG_COLUMNS} FROM orgs WHERE id = ?1"))?.query_row([org_id.as_i64()], org_from).optional()
}

pub fn orgs_of_account(c: &Connection, account_id: crm::Id) -> rusqlite::Result<Vec<Org>> {
    let sql = format!(
        "SELECT {} FROM orgs o JOIN org_users u ON u.org_id = o.id WHERE u.account_id = ?1 AND u.status = 'active' ORDER BY o.created_time, o.id",
        ORG_COLUMNS.split(", ").map(|c| format!("o.{c}")).collect::<Vec<_>>().join(", ")
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map([account_id.as_i64()], org_from)?;
    rows.collect()
}

pub fn account_where<P: Params>(c: &Connection, condition: &str, params: P) -> rusqlite::Result<Option<Account>> {
    c.query_row(&format!("SELECT id, email, first_name, last_name, password_hash FROM accounts WHERE {condition}"), params, |r| {
        Ok(Account { id: id(r.get(0)?), email: r.get(1)?, first_name: r.get(2)?, last_name: r.get(3)?, password_hash: r.get(4)? })
    })
    .optional()
}

pub fn org_users_where<P: Params>(c: &Connection, condition: &str, params: P) -> rusqlite::Result<Vec<OrgUser>> {
    let sql = format!(
        "SELECT org_id, id, account_id, email, first_name, last_name, role, profile, status, confirmed, created_time, modified_time FROM org_users WHERE {condition}"
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params, |r| {
        Ok(OrgUser {
            org_id: id(r.get(0)?),
            id: id(r.get(1)?),
            account_id: r.get::<_, Option<i64>>(2)?.map(id),
            email: r.get(3)?,
            first_name: r.get(4)?,
            last_name: r.get(5)?,
            role: r.get(6)?,
            profile: r.get(7)?,
            status: r.get(8)?,
            confirmed: r.get(9)?,
            created_time: r.get(10)?,
            modified_time: r.get(11)?,
        })
    })?;
    rows.collect()
}

pub fn insert_client(tx: &Connection, c: &Client) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO clients (client_id, secret_hash, client_type, name, owner_account_id, homepage, redirect_uris, js_domains, multi_dc, created_time, dc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            c.client_id,
            c.secret_hash,
            c.client_type,
            c.name,
            c.owner_account_id.as_i64(),
            c.homepage,
            serde_json::to_string(&c.redirect_uris).unwrap_or_default(),
            serde_json::to_string(&c.js_domains).unwrap_or_default(),
            c.multi_dc,
            c.created_time,
            c.dc
        ],
    )?;
    Ok(())
}

pub fn update_client(tx: &Connection, c: &Client) -> rusqlite::Result<bool> {
    let n = tx.execute(
        "UPDATE clients SET secret_hash = ?2, name = ?3, homepage = ?4, redirect_uris = ?5, js_domains = ?6, multi_dc = ?7 WHERE client_id = ?1",
        params![
            c.client_id,
            c.secret_hash,
            c.name,
            c.homepage,
            serde_json::to_string(&c.redirect_uris).unwrap_or_default(),
            serde_json::to_string(&c.js_domains).unwrap_or_default(),
            c.multi_dc
        ],
    )?;
    Ok(n > 0)
}

pub fn clients_where<P: Params>(c: &Connection, condition: &str, params: P) -> rusqlite::Result<Vec<Client>> {
    let sql = format!(
        "SELECT client_id, secret_hash, client_type, name, owner_account_id, homepage, redirect_uris, js_domains, multi_dc, created_time, dc FROM clients WHERE {condition}"
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params, |r| {
        Ok(Client {
            client_id: r.get(0)?,
            secret_hash: r.get(1)?,
            client_type: r.get(2)?,
            name: r.get(3)?,
            owner_account_id: id(r.get(4)?),
            homepage: r.get(5)?,
            redirect_uris: serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
            js_domains: serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or_default(),
            multi_dc: r.get(8)?,
            created_time: r.get(9)?,
            dc: r.get(10)?,
        })
    })?;
    rows.collect()
}

pub fn insert_code(tx: &Connection, g: &GrantCode) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO grant_codes (digest, id, kind, client_id, org_id, account_id, scopes, redirect_uri, offline, code_challenge, description, expires_at, used_at, created_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            g.digest,
            g.id.as_i64(),
            g.kind,
            g.client_id,
            g.org_id.as_i64(),
            g.account_id.as_i64(),
            g.scopes,
            g.redirect_uri,
            g.offline,
            g.code_challenge,
            g.description,
            g.expires_at,
            g.used_at,
            g.created_time
        ],
    )?;
    Ok(())
}

const CODE_COLUMNS: &str =
    "digest, id, kind, client_id, org_id, account_id, scopes, redirect_uri, offline, code_challenge, description, expires_at, used_at, created_time";

fn code_from(r: &Row<'_>) -> rusqlite::Result<GrantCode> {
    Ok(GrantCode {
        digest: r.get(0)?,
        id: id(r.get(1)?),
        kind: r.get(2)?,
        client_id: r.get(3)?,
        org_id: id(r.get(4)?),
        account_id: id(r.get(5)?),
        scopes: r.get(6)?,
        redirect_uri: r.get(7)?,
        offline: r.get(8)?,
        code_challenge: r.get(9)?,
        description: r.get(10)?,
        expires_at: r.get(11)?,
        used_at: r.get(12)?,
        created_time: r.get(13)?,
    })
}

pub fn code(c: &Connection, digest: &[u8]) -> rusqlite::Result<Option<GrantCode>> {
    c.query_row(&format!("SELECT {CODE_COLUMNS} FROM grant_codes WHERE digest = ?1"), [digest], code_from).optional()
}

pub fn consume_code(tx: &Connection, digest: &[u8], client_id: &str, now: i64) -> rusqlite::Result<CodeUse> {
    Ok(match code(tx, digest)? {
        None => CodeUse::Unknown,
        Some(code) if code.client_id != client_id => CodeUse::Unknown,
        Some(code) if code.used_at.is_some() => CodeUse::Replayed(code),
        Some(mut code) => {
            tx.execute("UPDATE grant_codes SET used_at = ?2 WHERE digest = ?1", params![digest, now])?;
            code.used_at = Some(now);
            CodeUse::Fresh(code)
        }
    })
}

/// A client and everything it was given.
pub fn delete_client(tx: &Connection, client_id: &str) -> rusqlite::Result<bool> {
    for table in ["access_tokens", "refresh_tokens", "grant_codes", "device_codes"] {
        tx.execute(&format!("DELETE FROM {table} WHERE client_id = ?1"), [client_id])?;
    }
    Ok(tx.execute("DELETE FROM clients WHERE client_id = ?1", [client_id])? > 0)
}

pub fn insert_refresh_token(tx: &Connection, t: &RefreshToken) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO refresh_tokens (digest, id, client_id, org_id, account_id, scopes, code_id, created_time, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![t.digest, t.id.as_i64(), t.client_id, t.org_id.as_i64(), t.account_id.as_i64(), t.scopes, t.code_id.map(|i| i.as_i64()), t.created_time, t.revoked_at],
    )?;
    Ok(())
}

fn refresh_from(r: &Row<'_>) -> rusqlite::Result<RefreshToken> {
    Ok(RefreshToken {
        digest: r.get(0)?,
        id: id(r.get(1)?),
        client_id: r.get(2)?,
        org_id: id(r.get(3)?),
        account_id: id(r.get(4)?),
        scopes: r.get(5)?,
        code_id: r.get::<_, Option<i64>>(6)?.map(id),
        created_time: r.get(7)?,
        revoked_at: r.get(8)?,
    })
}

const REFRESH_COLUMNS: &str = "digest, id, client_id, org_id, account_id, scopes, code_id, created_time, revoked_at";

pub fn refresh_token(c: &Connection, digest: &[u8]) -> rusqlite::Result<Option<RefreshToken>> {
    c.query_row(&format!("SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE digest = ?1"), [digest], refresh_from).optional()
}

pub fn refresh_tokens_of_account(c: &Connection, account_id: crm::Id) -> rusqlite::Result<Vec<RefreshToken>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE account_id = ?1 AND revoked_at IS NULL ORDER BY created_time DESC, id DESC"
    ))?;
    let rows = stmt.query_map([account_id.as_i64()], refresh_from)?;
    rows.collect()
}

pub fn evict_refresh_tokens(tx: &Connection, account_id: crm::Id, client_id: &str, keep: u32, now: i64) -> rusqlite::Result<Vec<crm::Id>> {
    let mut stmt = tx.prepare(
        "SELECT id FROM refresh_tokens WHERE account_id = ?1 AND client_id = ?2 AND revoked_at IS NULL ORDER BY created_time DESC, id DESC LIMIT -1 OFFSET ?3",
    )?;
    let old: Vec<i64> = stmt.query_map(params![account_id.as_i64(), client_id, keep], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    for refresh_id in &old {
        tx.execute("UPDATE refresh_tokens SET revoked_at = ?2 WHERE id = ?1", params![refresh_id, now])?;
        tx.execute("UPDATE access_tokens SET revoked_at = ?2 WHERE refresh_id = ?1 AND revoked_at IS NULL", params![refresh_id, now])?;
    }
    Ok(old.into_iter().map(id).collect())
}

pub fn insert_refreshed_access_token(tx: &Connection, t: &AccessToken, since: i64, max: u64) -> rusqlite::Result<Refreshed> {
    let refresh_id = t.refresh_id.map(|i| i.as_i64());
    let live: bool =
        tx.query_row("SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE id = ?1 AND revoked_at IS NULL)", [refresh_id], |r| r.get(0))?;
    if !live {
        return Ok(Refreshed::Revoked);
    }
    let minted: i64 =
        tx.query_row("SELECT COUNT(*) FROM access_tokens WHERE refresh_id = ?1 AND created_time > ?2", params![refresh_id, since], |r| {
            r.get(0)
        })?;
    if minted as u64 >= max {
        return Ok(Refreshed::TooMany);
    }
    insert_access_token(tx, t)?;
    Ok(Refreshed::Minted)
}

const DEVICE_COLUMNS: &str =
    "digest, user_code, client_id, dc, scopes, offline, status, org_id, account_id, interval_s, last_poll_at, expires_at, created_time";

fn device_from(r: &Row<'_>) -> rusqlite::Result<DeviceCode> {
    Ok(DeviceCode {
        digest: r.get(0)?,
        user_code: r.get(1)?,
        client_id: r.get(2)?,
        dc: r.get(3)?,
        scopes: r.get(4)?,
        offline: r.get(5)?,
        status: r.get(6)?,
        org_id: r.get::<_, Option<i64>>(7)?.map(id),
        account_id: r.get::<_, Option<i64>>(8)?.map(id),
        interval_s: r.get(9)?,
        last_poll_at: r.get(10)?,
        expires_at: r.get(11)?,
        created_time: r.get(12)?,
    })
}

pub fn insert_device_code(tx: &Connection, d: &DeviceCode) -> rusqlite::Result<()> {
    tx.execute(
        &format!("INSERT INTO device_codes ({DEVICE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
        params![
            d.digest,
            d.user_code,
            d.client_id,
            d.dc,
            d.scopes,
            d.offline,
            d.status,
            d.org_id.map(|i| i.as_i64()),
            d.account_id.map(|i| i.as_i64()),
            d.interval_s,
            d.last_poll_at,
            d.expires_at,
            d.created_time
        ],
    )?;
    Ok(())
}

pub fn device_code_where<P: Params>(c: &Connection, condition: &str, params: P) -> rusqlite::Result<Option<DeviceCode>> {
    c.query_row(&format!("SELECT {DEVICE_COLUMNS} FROM device_codes WHERE {condition}"), params, device_from).optional()
}

pub fn decide_device_code(
    tx: &Connection,
    user_code: &str,
    approved: bool,
    org_id: crm::Id,
    account_id: crm::Id,
) -> rusqlite::Result<bool> {
    let status = if approved { "approved" } else { "denied" };
    let n = tx.execute(
        "UPDATE device_codes SET status = ?2, org_id = ?3, account_id = ?4 WHERE user_code = ?1 AND status = 'pending'",
        params![user_code, status, org_id.as_i64(), account_id.as_i64()],
    )?;
    Ok(n > 0)
}

pub fn poll_device_code(tx: &Connection, digest: &[u8], now: i64) -> rusqlite::Result<Option<DeviceCode>> {
    let before = device_code_where(tx, "digest = ?1", [digest])?;
    if before.is_some() {
        tx.execute("UPDATE device_codes SET last_poll_at = ?2 WHERE digest = ?1", params![digest, now])?;
    }
    Ok(before)
}

pub fn finish_device_code(tx: &Connection, digest: &[u8]) -> rusqlite::Result<bool> {
    Ok(tx.execute("UPDATE device_codes SET status = 'used' WHERE digest = ?1 AND status = 'approved'", [digest])? > 0)
}

pub fn insert_access_token(tx: &Connection, t: &AccessToken) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO access_tokens (digest, id, refresh_id, code_id, client_id, org_id, account_id, scopes, created_time, expires_at, revoked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            t.digest,
            t.id.as_i64(),
            t.refresh_id.map(|i| i.as_i64()),
            t.code_id.map(|i| i.as_i64()),
            t.client_id,
            t.org_id.as_i64(),
            t.account_id.as_i64(),
            t.scopes,
            t.created_time,
            t.expires_at,
            t.revoked_at
        ],
    )?;
    Ok(())
}

pub fn access_token(c: &Connection, digest: &[u8]) -> rusqlite::Result<Option<AccessToken>> {
    c.query_row(
        "SELECT digest, id, refresh_id, code_id, client_id, org_id, account_id, scopes, created_time, expires_at, revoked_at FROM access_tokens
         WHERE digest = ?1 AND EXISTS (SELECT 1 FROM clients c WHERE c.client_id = access_tokens.client_id)",
        [digest],
        |r| {
            Ok(AccessToken {
                digest: r.get(0)?,
                id: id(r.get(1)?),
                refresh_id: r.get::<_, Option<i64>>(2)?.map(id),
                code_id: r.get::<_, Option<i64>>(3)?.map(id),
                client_id: r.get(4)?,
                org_id: id(r.get(5)?),
                account_id: id(r.get(6)?),
                scopes: r.get(7)?,
                created_time: r.get(8)?,
                expires_at: r.get(9)?,
                revoked_at: r.get(10)?,
            })
        },
    )
    .optional()
}

pub fn revoke_refresh_token(tx: &Connection, digest: &[u8], now: i64) -> rusqlite::Result<bool> {
    let refresh_id: Option<i64> =
        tx.query_row("SELECT id FROM refresh_tokens WHERE digest = ?1 AND revoked_at IS NULL", [digest], |r| r.get(0)).optional()?;
    let Some(refresh_id) = refresh_id else { return Ok(false) };
    tx.execute("UPDATE refresh_tokens SET revoked_at = ?2 WHERE id = ?1", params![refresh_id, now])?;
    tx.execute("UPDATE access_tokens SET revoked_at = ?2 WHERE refresh_id = ?1 AND revoked_at IS NULL", params![refresh_id, now])?;
    Ok(true)
}

/// Revokes what a code issued; returns the digests of the access tokens revoked, so that the
/// caller can drop them from its cache.
pub fn revoke_tokens_of_code(tx: &Connection, code_id: crm::Id, now: i64) -> rusqlite::Result<Vec<Vec<u8>>> {
    let code_id = code_id.as_i64();
    let mut stmt = tx.prepare(
        "SELECT digest FROM access_tokens WHERE revoked_at IS NULL AND (code_id = ?1 OR refresh_id IN (SELECT id FROM refresh_tokens WHERE code_id = ?1))",
    )?;
    let digests = stmt.query_map([code_id], |r| r.get::<_, Vec<u8>>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    tx.execute(
        "UPDATE access_tokens SET revoked_at = ?2 WHERE revoked_at IS NULL AND (code_id = ?1 OR refresh_id IN (SELECT id FROM refresh_tokens WHERE code_id = ?1))",
        params![code_id, now],
    )?;
    tx.execute("UPDATE refresh_tokens SET revoked_at = ?2 WHERE code_id = ?1 AND revoked_at IS NULL", params![code_id, now])?;
    Ok(digests)
}

pub fn insert_org_user(tx: &Connection, u: &OrgUser) -> rusqlite::Result<bool> {
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM org_users WHERE org_id = ?1 AND lower(email) = lower(?2))",
        params![u.org_id.as_i64(), u.email],
        |r| r.get(0),
    )?;
    if taken {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO org_users (org_id, id, account_id, email, first_name, last_name, role, profile, status, confirmed, created_time, modified_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            u.org_id.as_i64(),
            u.id.as_i64(),
            u.account_id.map(|a| a.as_i64()),
            u.email,
            u.first_name,
            u.last_name,
            u.role,
            u.profile,
            u.status,
            u.confirmed,
            u.created_time,
            u.modified_time
        ],
    )?;
    Ok(true)
}

pub fn update_org_user(tx: &Connection, u: &OrgUser) -> rusqlite::Result<bool> {
    let n = tx.execute(
        "UPDATE org_users SET first_name = ?3, last_name = ?4, role = ?5, profile = ?6, status = ?7, modified_time = ?8 WHERE org_id = ?1 AND id = ?2",
        params![u.org_id.as_i64(), u.id.as_i64(), u.first_name, u.last_name, u.role, u.profile, u.status, u.modified_time],
    )?;
    Ok(n > 0)
}

pub fn custom_fields(c: &Connection, org_id: crm::Id) -> rusqlite::Result<Vec<crm::modules::CustomField>> {
    let mut stmt = c.prepare(
        "SELECT id, module, api_name, label, data_type, length, picklist, is_unique, lookup_module FROM custom_fields WHERE org_id = ?1 ORDER BY created_time, id",
    )?;
    let rows = stmt.query_map([org_id.as_i64()], |r| {
        let data_type: String = r.get(4)?;
        Ok(crm::modules::CustomField {
            id: id(r.get(0)?),
            module: r.get(1)?,
            api_name: r.get(2)?,
            label: r.get(3)?,
            data_type: crm::modules::DataType::parse(&data_type).unwrap_or(crm::modules::DataType::Text),
            length: r.get::<_, Option<i64>>(5)?.map(|l| l as u32),
            picklist: serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
            unique: r.get(7)?,
            lookup_module: r.get(8)?,
        })
    })?;
    rows.collect()
}

pub fn insert_custom_field(tx: &Connection, org_id: crm::Id, f: &crm::modules::CustomField, now: i64) -> rusqlite::Result<bool> {
    let n = tx.execute(
        "INSERT INTO custom_fields (org_id, id, module, api_name, label, data_type, length, picklist, is_unique, lookup_module, created_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING",
        params![
            org_id.as_i64(),
            f.id.as_i64(),
            f.module,
            f.api_name,
            f.label,
            f.data_type.as_str(),
            f.length.map(i64::from),
            serde_json::to_string(&f.picklist).unwrap_or_default(),
            f.unique,
            f.lookup_module,
            now
        ],
    )?;
    Ok(n > 0)
}

pub fn team_pipelines(c: &Connection, org_id: crm::Id) -> rusqlite::Result<Vec<crm::pipelines::PipelineSpec>> {
    let mut stmt = c.prepare("SELECT id, name, sub_pipelines FROM team_pipelines WHERE org_id = ?1 ORDER BY created_time, id")?;
    let rows = stmt.query_map([org_id.as_i64()], |r| {
        Ok(crm::pipelines::PipelineSpec {
            id: id(r.get(0)?),
            name: r.get(1)?,
            sub_pipelines: serde_json::from_str(&r.get::<_, String>(2)?)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e)))?,
        })
    })?;
    rows.collect()
}

pub fn insert_team_pipeline(tx: &Connection, org_id: crm::Id, p: &crm::pipelines::PipelineSpec, now: i64) -> rusqlite::Result<bool> {
    let n = tx.execute(
        "INSERT INTO team_pipelines (org_id, id, name, sub_pipelines, created_time) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        params![org_id.as_i64(), p.id.as_i64(), p.name, serde_json::to_string(&p.sub_pipelines).unwrap_or_default(), now],
    )?;
    Ok(n > 0)
}
