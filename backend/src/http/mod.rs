//! HTTP: one module per resource, each owning its router, handlers and OpenAPI annotations.
//! The extractors here answer bad input with the JSON error body instead of axum's plain text.

pub mod api_tokens;
pub mod auth;
pub mod bots;
pub mod companies;
pub mod connections;
pub mod contacts;
pub mod dashboard;
pub mod download;
pub mod headers;
pub mod kanban;
pub mod me;
pub mod notes;
pub mod ops;
pub mod outgoing_webhooks;
pub mod protocols;
pub mod queues;
pub mod quick_replies;
pub mod ratings;
pub mod schedules;
pub mod settings;
pub mod sms;
pub mod stickers;
pub mod tags;
pub mod tickets;
pub mod upload;
pub mod users;
pub mod wallets;
pub mod webhooks;
pub mod whatsapp_web;
pub mod ws;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::domain::page::PageRequest;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// `axum::Json`, with rejections in our error format.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct AppJson<T>(pub T);

impl<T: Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// The raw body, with the body limit's 413 in our error format (axum's is plain text).
pub struct AppBytes(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for AppBytes {
    type Rejection = AppError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(AppBytes(axum::body::Bytes::from_request(request, state).await?))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = [10, 0, 0, 5].into();
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap_or_else(|_| unreachable!())];
        let client: IpAddr = [203, 0, 113, 7].into();
        #[rustfmt::skip]
        let table: [(IpAddr, Option<&str>, IpAddr); 6] = [
            (client, Some("198.51.100.1"), client),                       // not a proxy: the header is ignored
            (proxy, Some("203.0.113.7"), client),                         // one proxy
            (proxy, Some("198.51.100.1, 203.0.113.7, 10.0.0.9"), client), // forged left part skipped
            (proxy, None, proxy),                                         // nothing forwarded
            (proxy, Some("garbage"), proxy),
            (proxy, Some("10.0.0.9, 10.0.0.8"), [10, 0, 0, 9].into()),     // only proxies: the farthest
        ];
        for (peer, header, expected) in table {
            assert_eq!(client_address(peer, header, &trusted), expected, "{peer} {header:?}");
        }
        assert_eq!(client_address(proxy, Some("203.0.113.7"), &[]), proxy, "no trusted proxies configured");
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 40).
    pub limit: Option<u64>,
}

/// Whether the body is a multipart form (a file) rather than JSON: the operations that take either.
pub fn is_multipart(request: &axum::extract::Request) -> bool {
    request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

impl PageQuery {
    pub fn request(&self) -> AppResult<PageRequest> {
        PageRequest::parse(self.cursor.as_deref(), self.limit)
    }
}

/// Who the client is: the peer address, or, when the peer is a trusted proxy
/// (`ATENDE_TRUSTED_PROXIES`), the address it says it forwards for. Anyone can forge
/// `X-Forwarded-For`, so it is believed only from those proxies.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let forwarded = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
        Ok(ClientIp(client_address(peer, forwarded, &state.config.trusted_proxies)))
    }
}

/// The client behind a chain of proxies: walking `X-Forwarded-For` from the right (the entry the
/// nearest proxy added), the first address that is not a trusted proxy. The peer itself when it is
/// not trusted, or when the header says nothing usable.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = forwarded_for.unwrap_or_default().split(',').map(str::trim).rev();
    let mut client = peer;
    for hop in hops {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
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
