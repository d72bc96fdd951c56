//! Bigin's domain, without I/O: error codes, ids, scopes, modules and fields, record validation,
//! and the clock every expiry is measured against.

pub mod clock;
pub mod coql;
pub mod criteria;
mod defaults;
pub mod errors;
pub mod ids;
pub mod modules;
pub mod pipelines;
pub mod query;
pub mod record;
pub mod related;
pub mod scopes;
pub mod time_fmt;
pub mod views;

pub use clock::Clock;
pub use defaults::se_modules;
pub use errors::ErrorCode;
pub use ids::{Id, IdMinter};
