//! HTTP: one module per resource, each owning its router, handlers and OpenAPI annotations.
//! The extractors here answer bad input with the JSON error body instead of axum's plain text.

pub mod api_tokens;
pub mod auth;
pub mod companies;
pub mod connections;
pub mod contacts;
pub mod dashboard;
pub mod download;
pub mod headers;
pub mod me;
pub mod ops;
pub mod queues;
pub mod tickets;
pub mod users;
pub mod webhooks;
pub mod ws;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::domain::page::PageRequest;
use crate::error::{AppError, AppResult};

/// `axum::Json`, with rejections in our error format.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct AppJson<T>(pub T);

impl<T: Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Path`; a malformed id answers 404 like an unknown one.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct AppPath<T>(pub T);

/// `axum::extract::Query`, with rejections in our error format.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct AppQuery<T>(pub T);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 40).
    pub limit: Option<u64>,
}

impl PageQuery {
    pub fn request(&self) -> AppResult<PageRequest> {
        PageRequest::parse(self.cursor.as_deref(), self.limit)
    }
}

/// The peer address of the connection. Forwarded-for headers are ignored: anyone can forge them.
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientIp(ip))
    }
}

/// For query parameters: `?status=` (empty) means "not given", like leaving it out.
pub fn empty_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let raw: Option<String> = Option::deserialize(deserializer)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => T::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(text)).map(Some),
    }
}

/// 201 Created with a JSON body.
pub struct Created<T>(pub T);

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (axum::http::StatusCode::CREATED, axum::Json(self.0)).into_response()
    }
}
