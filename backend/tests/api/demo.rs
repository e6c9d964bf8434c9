//! `atende seed-demo`: every screen has something to show, and running it twice changes nothing.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

/// Every ticket of the company with its messages, and the number of each message kind.
async fn census(app: &TestApp, admin: &str) -> (BTreeMap<String, usize>, BTreeMap<String, usize>, Vec<Value>) {
    let mut tickets = Vec::new();
    for wanted in ["open", "pending", "closed"] {
        let (status, page) = app.get(&format!("/api/v1/tickets?limit=100&status={wanted}"), admin).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        tickets.extend(page["items"].as_array().cloned().expect("items"));
    }
    let mut statuses = BTreeMap::new();
    let mut kinds = BTreeMap::new();
    for ticket in &tickets {
        *statuses.entry(ticket["status"].as_str().expect("status").to_owned()).or_default() += 1;
        let (_, messages) = app.get(&format!("/api/v1/tickets/{}/messages?limit=100", ticket["id"]), admin).await;
        for message in messages["items"].as_array().expect("messages") {
            *kinds.entry(message["kind"].as_str().expect("kind").to_owned()).or_default() += 1;
        }
    }
    (statuses, kinds, tickets)
}

#[tokio::test]
async fn the_demo_fills_every_screen_once() {
    let app = TestApp::start().await;
    let first = atende::domain::bootstrap::seed_demo(&app.state).await.expect("seeded");
    assert_eq!(first.seeded.skipped, 0);
    assert!(first.seeded.conversations >= 25, "a few dozen conversations: {:?}", first.seeded);
    assert_eq!(first.users.len(), 4);
    let admin = app.admin().await;
    let (statuses, kinds, tickets) = census(&app, &admin).await;
    assert_eq!(tickets.len(), first.seeded.conversations, "{statuses:?}");
    for status in ["open", "pending", "closed"] {
        assert!(statuses.get(status).is_some_and(|n| *n >= 5), "{status}: {statuses:?}");
    }
    for kind in ["text", "image", "audio", "video", "document", "sticker", "location", "system"] {
        assert!(kinds.contains_key(kind), "no {kind} message: {kinds:?}");
    }
    let mut groups = Vec::new();
    for status in ["open", "pending", "closed"] {
        groups.extend(app.ticket_ids(&admin, &format!("kind=group&status={status}")).await);
    }
    assert_eq!(groups.len(), 2);
    let (_, group) = app.get(&format!("/api/v1/tickets/{}/messages?limit=100", groups[0]), &admin).await;
    let participants: std::collections::HashSet<&str> =
        group["items"].as_array().expect("items").iter().filter_map(|m| m["participant"]["name"].as_str()).collect();
    assert!(participants.len() >= 2, "a group has several members: {participants:?}");

    // Notes, tags, quick replies, a rating.
    assert!(tickets.iter().any(|t| t["tags"].as_array().is_some_and(|tags| !tags.is_empty())), "tags");
    let (_, quick) = app.get("/api/v1/quick-replies", &admin).await;
    assert!(quick["items"].as_array().expect("items").len() >= 2);
    let (_, rated) = app.get("/api/v1/ratings", &admin).await;
    assert!(rated.to_string().contains("\"score\":5"), "{rated}");
    let mut notes = 0;
    for ticket in &tickets {
        let (_, page) = app.get(&format!("/api/v1/tickets/{}/notes", ticket["id"]), &admin).await;
        notes += page["items"].as_array().map_or(0, Vec::len);
    }
    assert!(notes >= 2, "notes: {notes}");

    // The agents' answers went out through the outbox and settled on the simulator.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let mut pending = 0;
        for ticket in &tickets {
            let (_, page) = app.get(&format!("/api/v1/tickets/{}/messages?limit=100", ticket["id"]), &admin).await;
            pending += page["items"].as_array().expect("items").iter().filter(|m| m["status"] == "pending").count();
        }
        if pending == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{pending} answers never left pending");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Twice: nothing new.
    let second = atende::domain::bootstrap::seed_demo(&app.state).await.expect("seeded again");
    assert_eq!(second.seeded.conversations, 0);
    assert_eq!(second.seeded.skipped, first.seeded.conversations);
    assert!(second.users.is_empty() && second.admin.is_none());
    let (statuses_again, kinds_again, tickets_again) = census(&app, &admin).await;
    assert_eq!((statuses_again, kinds_again), (statuses, kinds));
    assert_eq!(tickets_again.len(), tickets.len());
    let (_, quick_again) = app.get("/api/v1/quick-replies", &admin).await;
    assert_eq!(quick_again["items"].as_array().map(Vec::len), quick["items"].as_array().map(Vec::len));
    let (_, connections) = app.get("/api/v1/connections", &admin).await;
    assert_eq!(connections["items"].as_array().map(Vec::len), Some(1), "one simulator connection");
}
