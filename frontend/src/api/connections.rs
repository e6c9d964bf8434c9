//! `/connections`: the numbers the company receives messages on (for the filters and to start a
//! conversation), and the Conexões page's actions (test, simulate, delete with history).

use shared::contacts::{
    Connection, ConnectionTest, NewConnection, SimulatedMessage, SimulatedResult, UpdateConnection,
};
use shared::ids::ConnectionId;

use super::ApiError;
use super::client::{self, Method};
use super::resource::{HasId, Resource};

pub const CONNECTIONS: Resource<Connection, NewConnection, UpdateConnection> = Resource::new("/connections");

impl HasId for Connection {
    type Id = ConnectionId;
    fn id(&self) -> ConnectionId {
        self.id
    }
}

pub async fn list_all() -> Result<Vec<Connection>, ApiError> {
    super::all_pages("/connections").await
}

/// Deletes the connection; `with_history` deletes its tickets, messages and files with it (without
/// it, one that has tickets is kept: 409 `connection_in_use`).
pub async fn delete(id: ConnectionId, with_history: bool) -> Result<(), ApiError> {
    let query = if with_history { "?history=delete" } else { "" };
    client::delete(&format!("{}{query}", CONNECTIONS.item(id))).await
}

/// Tries the stored credentials with the provider.
pub async fn test(id: ConnectionId) -> Result<ConnectionTest, ApiError> {
    client::send(Method::Post, &format!("{}/test", CONNECTIONS.item(id)), &serde_json::json!({})).await
}

/// A message "from a customer" through a simulator connection.
pub async fn simulate(id: ConnectionId, message: &SimulatedMessage) -> Result<SimulatedResult, ApiError> {
    client::send(Method::Post, &format!("{}/simulate", CONNECTIONS.item(id)), message).await
}

/// [`simulate`] with the customer's file: a multipart form, so the file is not held to the JSON
/// body limit.
pub async fn simulate_file(
    id: ConnectionId,
    message: &SimulatedMessage,
    file: &web_sys::File,
) -> Result<SimulatedResult, ApiError> {
    let url = format!("{}{}/simulate", client::BASE, CONNECTIONS.item(id));
    let send = |token: String| {
        let url = url.clone();
        async move {
            let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
            let mut fields = vec![("from", message.from.clone())];
            fields.extend(message.name.clone().map(|v| ("name", v)));
            fields.extend(message.body.clone().map(|v| ("body", v)));
            if let Some(group) = &message.group {
                fields.extend([("group_id", group.id.clone()), ("group_name", group.name.clone())]);
            }
            for (name, value) in fields {
                form.append_with_str(name, &value).map_err(|_| ApiError::Network)?;
            }
            form.append_with_blob_and_filename("file", file, &file.name()).map_err(|_| ApiError::Network)?;
            gloo_net::http::Request::post(&url)
                .header("Accept", "application/json")
                .header("Authorization", &format!("Bearer {token}"))
                .body(form)
                .map_err(|_| ApiError::Network)?
                .send()
                .await
                .map_err(|_| ApiError::Network)
        }
    };
    let mut response = send(client::access_token().await?).await?;
    if response.status() == 401 {
        response = send(client::refresh().await?.access_token).await?;
    }
    client::read(response).await
}
