//! One error shape for every API failure: `{"error": {"code", "message"}}`
//! with a matching HTTP status, so clients branch on `code`, never on
//! message text. UI routes answer HTML error pages instead.

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use newsdesk_store::StoreError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every API error response.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong: a stable machine-readable `code` and a human message.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// One of `bad_request`, `bad_query`, `not_found`, `conflict`,
    /// `method_not_allowed`, `payload_too_large`, `unsupported_media_type`,
    /// `timeout`, `internal`.
    pub code: String,
    pub message: String,
}

/// An API failure with its status.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into() }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
    pub fn timeout() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "timeout", "the request took too long")
    }

    /// Keeps the status axum chose for a rejected request (400, 413, 415,
    /// 422) and names it with our codes.
    fn from_rejection(status: StatusCode, text: String) -> Self {
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            s if s.is_server_error() => "internal",
            _ => "bad_request",
        };
        // 422 (valid JSON of the wrong shape) is still the client's error;
        // one status for "your request is wrong" keeps clients simple.
        let status = if status == StatusCode::UNPROCESSABLE_ENTITY { StatusCode::BAD_REQUEST } else { status };
        Self::new(status, code, text)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Query { query, message } => {
                Self::new(StatusCode::BAD_REQUEST, "bad_query", format!("query {query:?}: {message}"))
            }
            StoreError::Invalid(m) if m.contains("exists") => Self::new(StatusCode::CONFLICT, "conflict", m),
            StoreError::Invalid(m) => Self::bad_request(m),
            other => {
                // The detail (paths, SQL) is for the operator's log, not the client.
                eprintln!("newsdesk serve: store error: {other}");
                Self::internal("the store failed; see the server log")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code.to_string(), message: self.message } };
        (self.status, Json(body)).into_response()
    }
}

/// `Query` that answers a malformed query string with our JSON error.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| ApiError::from_rejection(e.status(), e.body_text()))
    }
}

/// `Path` with our JSON error.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e: PathRejection| ApiError::from_rejection(e.status(), e.body_text()))
    }
}

/// `Json` with our JSON error (413 for an oversized body).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Json::<T>::from_request(req, state)
            .await
            .map(|j| ApiJson(j.0))
            .map_err(|e: JsonRejection| ApiError::from_rejection(e.status(), e.body_text()))
    }
}

/// Describes a rejected form for the UI's error page.
pub fn form_error(e: FormRejection) -> (StatusCode, String) {
    (e.status(), e.body_text())
}

/// Unknown paths: JSON under `/api`, an HTML page elsewhere.
pub async fn fallback(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") || uri.path() == "/api" {
        ApiError::not_found(format!("no route {}", uri.path())).into_response()
    } else {
        crate::ui::error_page(StatusCode::NOT_FOUND, "Not found", "There is no page at this address.")
    }
}

/// A known path with the wrong method.
pub async fn method_not_allowed(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") || uri.path() == "/openapi.json" {
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", format!("method not allowed on {}", uri.path()))
            .into_response()
    } else {
        crate::ui::error_page(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed", "This page does not take that kind of request.")
    }
}
