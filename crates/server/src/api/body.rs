//! The request body of a write, read whole; a body that cannot be read is answered with Bigin's
//! envelope like every other bad input.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use crm::ErrorCode;

use super::ApiError;

pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(|rejection| ApiError::new(ErrorCode::InvalidData).with_message(&rejection.body_text()))
    }
}
