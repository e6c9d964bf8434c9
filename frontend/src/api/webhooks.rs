//! `/webhooks`: outgoing webhooks (administrators); their delivery log and resending.

use shared::Page;
use shared::ids::{WebhookDeliveryId, WebhookId};
use shared::webhooks::{NewWebhook, UpdateWebhook, Webhook, WebhookDelivery};

use super::ApiError;
use super::client::{self, Method};
use super::resource::{HasId, Resource};

pub const WEBHOOKS: Resource<Webhook, NewWebhook, UpdateWebhook> = Resource::new("/webhooks");

impl HasId for Webhook {
    type Id = WebhookId;
    fn id(&self) -> WebhookId {
        self.id
    }
}

/// The newest deliveries of a webhook.
pub async fn deliveries(id: WebhookId) -> Result<Page<WebhookDelivery>, ApiError> {
    client::get(&format!("/webhooks/{id}/deliveries?limit=20")).await
}

pub async fn resend(id: WebhookDeliveryId) -> Result<WebhookDelivery, ApiError> {
    client::send(Method::Post, &format!("/webhook-deliveries/{id}/resend"), &serde_json::json!({})).await
}
