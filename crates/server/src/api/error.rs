//! The one error type of the API: Bigin's request-level envelope
//! `{"code","details","message","status":"error"}` with the status of the code's catalogue entry.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crm::ErrorCode;
use serde_json::{json, Map, Value};

use crate::wire;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Map<String, Value>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        Self { code, message: code.default_message().to_string(), details: Map::new() }
    }

    pub fn with_detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_string(), value.into());
        self
    }

    pub fn with_message(mut self, message: &str) -> Self {
        self.message = message.to_string();
        self
    }

    pub fn invalid_url_pattern() -> Self {
        Self::new(ErrorCode::InvalidUrlPattern)
    }

    pub fn missing_param(param: &str) -> Self {
        Self::new(ErrorCode::RequiredParamMissing).with_detail("param", param)
    }

    /// A query parameter whose value Bigin would refuse.
    pub fn invalid_param(param: &str) -> Self {
        Self::new(ErrorCode::InvalidData).with_detail("param", param)
    }

    pub fn internal(err: anyhow::Error) -> Self {
        tracing::error!(error = ?err, "internal error");
        Self::new(ErrorCode::InternalError)
    }
}

/// A refused search criteria or COQL query: its code, message and details as they are.
impl From<crm::query::QueryError> for ApiError {
    fn from(err: crm::query::QueryError) -> Self {
        Self { code: err.code, message: err.message, details: err.details }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        Self::internal(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let body = json!({"code": self.code.as_str(), "details": self.details, "message": self.message, "status": "error"});
        wire::json(status, &body)
    }
}

impl From<ApiError> for Response {
    fn from(err: ApiError) -> Self {
        err.into_response()
    }
}
