//! Bigin's domain, without I/O: error codes, ids, scopes, modules and fields, record validation,
//! and the clock every expiry is measured against.

pub mod clock;
pub mod errors;
pub mod ids;
pub mod modules;
pub mod record;
pub mod scopes;
pub mod time_fmt;

pub use clock::Clock;
pub use errors::ErrorCode;
pub use ids::{Id, IdMinter};
