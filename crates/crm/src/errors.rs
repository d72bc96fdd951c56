//! The one catalogue of Bigin's API error codes: each code's HTTP status and default message.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    InvalidToken,
    AuthenticationFailure,
    OauthScopeMismatch,
    NoPermission,
    InvalidUrlPattern,
    InvalidModule,
    InvalidData,
    MandatoryNotFound,
    DuplicateData,
    RequiredParamMissing,
    InvalidRequestMethod,
    LimitExceeded,
    InvalidRequest,
    /// A search criteria or COQL query that names a field, operator or value Bigin refuses.
    InvalidQuery,
    /// A COQL query that cannot be parsed.
    SyntaxError,
    TooManyRequests,
    InternalError,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidToken => "INVALID_TOKEN",
            Self::AuthenticationFailure => "AUTHENTICATION_FAILURE",
            Self::OauthScopeMismatch => "OAUTH_SCOPE_MISMATCH",
            Self::NoPermission => "NO_PERMISSION",
            Self::InvalidUrlPattern => "INVALID_URL_PATTERN",
            Self::InvalidModule => "INVALID_MODULE",
            Self::InvalidData => "INVALID_DATA",
            Self::MandatoryNotFound => "MANDATORY_NOT_FOUND",
            Self::DuplicateData => "DUPLICATE_DATA",
            Self::RequiredParamMissing => "REQUIRED_PARAM_MISSING",
            Self::InvalidRequestMethod => "INVALID_REQUEST_METHOD",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::InvalidRequest => "INVALID_REQUEST",
            Self::InvalidQuery => "INVALID_QUERY",
            Self::SyntaxError => "SYNTAX_ERROR",
            Self::TooManyRequests => "TOO_MANY_REQUESTS",
            Self::InternalError => "INTERNAL_ERROR",
        }
    }

    /// HTTP status of a request-level error with this code.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidToken | Self::AuthenticationFailure | Self::OauthScopeMismatch => 401,
            Self::NoPermission => 403,
            Self::InvalidUrlPattern => 404,
            Self::TooManyRequests => 429,
            Self::InternalError => 500,
            Self::InvalidModule
            | Self::InvalidData
            | Self::MandatoryNotFound
            | Self::DuplicateData
            | Self::RequiredParamMissing
            | Self::LimitExceeded
            | Self::InvalidRequestMethod
            | Self::InvalidRequest
            | Self::InvalidQuery
            | Self::SyntaxError => 400,
        }
    }

    pub fn default_message(self) -> &'static str {
        match self {
            Self::InvalidToken => "invalid oauth token",
            Self::AuthenticationFailure => "Authentication failed",
            Self::OauthScopeMismatch => "invalid oauth scope to access this URL",
            Self::NoPermission => "permission denied",
            Self::InvalidUrlPattern => "Please check if the URL trying to access is a correct one",
            Self::InvalidModule => "the module name given seems to be invalid",
            Self::InvalidData => "invalid data",
            Self::MandatoryNotFound => "required field not found",
            Self::DuplicateData => "duplicate data",
            Self::RequiredParamMissing => "One of the expected parameter is missing",
            Self::InvalidRequestMethod => "The http request method type is not a valid one",
            Self::LimitExceeded => "the limit has been exceeded",
            Self::InvalidRequest => "the request is not valid",
            Self::InvalidQuery => "invalid query formed",
            Self::SyntaxError => "error occurred while parsing the query",
            Self::TooManyRequests => "You have exceeded the API limit. Please try again later.",
            Self::InternalError => "Internal Server Error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_spelling_matches_as_str() {
        for code in [ErrorCode::InvalidToken, ErrorCode::OauthScopeMismatch, ErrorCode::InvalidUrlPattern] {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str());
        }
    }
}
