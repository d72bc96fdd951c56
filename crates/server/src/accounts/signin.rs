//! Sign-in, sign-out and the accounts home page.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Serialize;

use super::session::{self, Csrf};
use super::throttle::minutes_until;
use crate::state::AppState;
use crate::wire::{self, param};

/// # GET /signin?next=
pub async fn signin_page(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let params = wire::pairs(query.as_deref());
    let csrf = Csrf::for_request(&headers);
    let next = session::safe_next(param(&params, "next"));
    let page = state.pages.render(StatusCode::OK, "signin.html", context! { csrf => &csrf.token, next, email => "", error => "" });
    csrf.attach(&state, page)
}

/// # POST /signin
pub async fn signin_submit(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let params = wire::pairs(std::str::from_utf8(&body).ok());
    let csrf = Csrf::for_request(&headers);
    if !session::csrf_ok(&headers, param(&params, "csrf_token")) {
        return state.pages.message(
            StatusCode::FORBIDDEN,
            "Request refused",
            "The form expired or did not come from this site (CSRF check failed). Go back and try again.",
        );
    }
    let email = param(&params, "email").unwrap_or("").trim().to_string();
    let password = param(&params, "password").unwrap_or("");
    let next = session::safe_next(param(&params, "next"));
    let now = state.now();
    let key = email.to_lowercase();
    if let Some(until) = state.password_failures.locked_until(&key, now) {
        let error = format!("Too many failed sign-in attempts for this account. Try again in {} minutes.", minutes_until(until, now));
        let page = state.pages.render(StatusCode::TOO_MANY_REQUESTS, "signin.html", context! { csrf => &csrf.token, next, email, error });
        return csrf.attach(&state, page);
    }
    let account = match state.store.account_by_email(&email).await {
        Ok(account) => account,
        Err(err) => {
            tracing::error!(error = ?err, "sign-in failed");
            return state.pages.message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "Sign-in failed; try again.");
        }
    };
    // Unknown e-mails and accounts without a password pay for an argon2 check too.
    let hash = account.as_ref().and_then(|a| a.password_hash.as_deref());
    let verified = if state.verifier.verify_or_dummy(password, hash).await { account } else { None };
    let Some(account) = verified else {
        state.password_failures.fail(&key, now);
        let page = state.pages.render(
            StatusCode::UNAUTHORIZED,
            "signin.html",
            context! { csrf => &csrf.token, next, email, error => "Invalid email address or password." },
        );
        return csrf.attach(&state, page);
    };
    state.password_failures.clear(&key);
    match session::start(&state, account.id).await {
        Ok(cookie) => {
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(err) => {
            tracing::error!(error = ?err, "starting a session failed");
            state.pages.message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "Sign-in failed; try again.")
        }
    }
}

/// # POST /signout
pub async fn signout(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let params = wire::pairs(std::str::from_utf8(&body).ok());
    if !session::csrf_ok(&headers, param(&params, "csrf_token")) {
        return state.pages.message(StatusCode::FORBIDDEN, "Request refused", "CSRF check failed.");
    }
    match session::end(&state, &headers).await {
        Ok(cookie) => {
            let mut response = Redirect::to("/signin").into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(err) => {
            tracing::error!(error = ?err, "sign-out failed");
            state.pages.message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "Sign-out failed; try again.")
        }
    }
}

#[derive(Serialize)]
struct OrgLine {
    id: String,
    name: String,
}

/// # GET /
pub async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let csrf = Csrf::for_request(&headers);
    let account = match session::current_account(&state, &headers).await {
        Ok(Some(account)) => account,
        Ok(None) => return Redirect::to("/signin").into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "home page failed");
            return state.pages.message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "Try again.");
        }
    };
    let orgs: Vec<OrgLine> = match state.store.orgs_of_account(account.id).await {
        Ok(orgs) => orgs.into_iter().map(|o| OrgLine { id: o.id.to_string(), name: o.company_name }).collect(),
        Err(err) => {
            tracing::error!(error = ?err, "home page failed");
            return state.pages.message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "Try again.");
        }
    };
    let account_ctx = context! { email => &account.email, first_name => &account.first_name };
    let page = state.pages.render(StatusCode::OK, "home.html", context! { csrf => &csrf.token, account => account_ctx, orgs });
    csrf.attach(&state, page)
}
