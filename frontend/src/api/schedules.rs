//! `/schedules`: scheduled messages (Agendamentos).

use shared::Page;
use shared::ids::{ContactId, ScheduleId, TicketId, UserId};
use shared::schedules::{NewSchedule, Schedule, ScheduleStatus, UpdateSchedule};

use super::client::{self, BASE, Method};
use super::{ApiError, encode, page_query};

/// What a list is narrowed to.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ScheduleFilter {
    pub ticket_id: Option<TicketId>,
    pub contact_id: Option<ContactId>,
    pub status: Option<ScheduleStatus>,
    pub user_id: Option<UserId>,
}

pub fn list_path(filter: ScheduleFilter, limit: u32, cursor: Option<&str>) -> String {
    let mut path = format!("/schedules{}", page_query(limit, cursor));
    if let Some(ticket) = filter.ticket_id {
        path.push_str(&format!("&ticket_id={ticket}"));
    }
    if let Some(contact) = filter.contact_id {
        path.push_str(&format!("&contact_id={contact}"));
    }
    if let Some(status) = filter.status {
        path.push_str(&format!("&status={}", encode(status.as_str())));
    }
    if let Some(user) = filter.user_id {
        path.push_str(&format!("&user_id={user}"));
    }
    path
}

pub async fn list(filter: ScheduleFilter, limit: u32, cursor: Option<&str>) -> Result<Page<Schedule>, ApiError> {
    client::get(&list_path(filter, limit, cursor)).await
}

pub async fn create(new: &NewSchedule) -> Result<Schedule, ApiError> {
    client::send(Method::Post, "/schedules", new).await
}

/// [`create`] with a file (multipart).
pub async fn create_with_file(new: &NewSchedule, file: &web_sys::File) -> Result<Schedule, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
    let text = |form: &web_sys::FormData, key: &str, value: &str| {
        form.append_with_str(key, value).map_err(|_| ApiError::Network)
    };
    text(&form, "contact_id", &new.contact_id.to_string())?;
    if let Some(ticket) = new.ticket_id {
        text(&form, "ticket_id", &ticket.to_string())?;
    }
    text(&form, "body", &new.body)?;
    text(&form, "send_at", &new.send_at.to_rfc3339())?;
    if file.type_().starts_with("audio/") {
        text(&form, "kind", "audio")?;
    }
    form.append_with_blob_and_filename("file", file, &file.name()).map_err(|_| ApiError::Network)?;
    let token = client::access_token().await?;
    let response = gloo_net::http::Request::post(&format!("{BASE}/schedules"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Accept", "application/json")
        .body(form)
        .map_err(|_| ApiError::Network)?
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    client::read(response).await
}

pub async fn update(id: ScheduleId, change: &UpdateSchedule) -> Result<Schedule, ApiError> {
    client::send(Method::Patch, &format!("/schedules/{id}"), change).await
}

/// Cancels a message still waiting; the answer is the canceled schedule.
pub async fn cancel(id: ScheduleId) -> Result<Schedule, ApiError> {
    client::read(client::authed(Method::Delete, &format!("/schedules/{id}"), None).await?).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_paths_carry_the_filters() {
        let filter = ScheduleFilter {
            ticket_id: Some(TicketId(7)),
            status: Some(ScheduleStatus::Scheduled),
            ..Default::default()
        };
        assert_eq!(list_path(filter, 20, None), "/schedules?limit=20&ticket_id=7&status=scheduled");
        assert_eq!(list_path(ScheduleFilter::default(), 40, Some("9")), "/schedules?limit=40&cursor=9");
    }
}
