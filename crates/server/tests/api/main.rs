//! The behavioural suite: real HTTP against the real server, on SQLite and on PostgreSQL.

mod golden;
mod helpers;

mod isolation;

mod api_auth;
mod browser;
mod console;
mod data_centres;
mod flows;
mod metadata;
mod modules;
mod oauth;
mod pages;
mod records;
mod redirect_uris;
mod related;
mod scopes;
mod search;
mod settings;
