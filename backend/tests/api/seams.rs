//! The typed seams: one visibility rule everywhere (SQL, REST, WebSocket), events that keep lists
//! true when things are deleted, system messages as data, and the platform admin's protection.

use atende::store;
use atende::store::tickets::NewTicketRow;
use reqwest::StatusCode;
use serde_json::json;
use shared::auth::Role;
use shared::tickets::{TicketKind, TicketStatus};
use shared::visibility::{TicketPlace, Viewer};
use shared::{CompanyId, ConnectionId, ContactId, QueueId, TicketId, UserId};

use crate::helpers::*;
use crate::ws_client::EventStream;

/// Every combination of status, queue and assignee, for a set of viewers: the SQL filter the
/// ticket list uses answers exactly what `Viewer::may_see` answers.
#[tokio::test]
async fn the_sql_filter_and_the_visibility_rule_agree() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (sales, support) = (app.queue(&admin, "Vendas").await, app.queue(&admin, "Suporte").await);
    let connection = ConnectionId(app.simulator(&admin, None).await);
    let (ana, _) = app.user(&admin, "ana@test.local", "agent", &[sales]).await;
    let (bia, _) = app.user(&admin, "bia@test.local", "agent", &[sales, support]).await;
    let (caio, _) = app.user(&admin, "caio@test.local", "agent", &[]).await;
    let company = CompanyId(1);

    let mut places = Vec::new();
    for status in [TicketStatus::Open, TicketStatus::Pending, TicketStatus::Closed] {
        for queue in [Some(QueueId(sales)), Some(QueueId(support)), None] {
            for user in [Some(UserId(ana)), Some(UserId(bia)), None] {
                places.push(TicketPlace { status, queue_id: queue, user_id: user });
            }
        }
    }
    let tx = app.state.begin().await.expect("begin");
    let mut tickets = Vec::new();
    for (n, place) in places.iter().enumerate() {
        // One contact per ticket: a contact has one active ticket per connection.
        let row = store::contacts::NewContactRow {
            company_id: company,
            name: "Cliente",
            number: &format!("55119876{n:05}"),
            email: None,
            extra: "{}",
            is_group: false,
        };
        let contact = store::contacts::insert(&tx, row).await.expect("contact");
        let ticket = store::tickets::insert(
            &tx,
            NewTicketRow {
                company_id: company,
                number: 1000 + n as i64,
                status: place.status,
                kind: TicketKind::Private,
                contact_id: ContactId(contact.id),
                connection_id: connection,
                queue_id: place.queue_id,
                user_id: place.user_id,
            },
        )
        .await
        .expect("ticket");
        tickets.push((TicketId(ticket.id), *place));
    }
    tx.commit().await.expect("commit");

    let agent = |id: i64, queues: &[i64]| Viewer {
        user_id: UserId(id),
        role: Role::Agent,
        queue_ids: queues.iter().copied().map(QueueId).collect(),
    };
    let viewers = [
        agent(ana, &[sales]),
        agent(bia, &[sales, support]),
        agent(caio, &[]),
        Viewer { user_id: UserId(1), role: Role::Admin, queue_ids: vec![] },
        Viewer { user_id: UserId(caio), role: Role::Supervisor, queue_ids: vec![] },
    ];
    let ids: Vec<TicketId> = tickets.iter().map(|(id, _)| *id).collect();
    for viewer in &viewers {
        let mut by_sql = store::tickets::visible_among(&app.state.db, company, viewer, &ids).await.expect("query");
        by_sql.sort();
        let by_rule: Vec<TicketId> =
            tickets.iter().filter(|(_, place)| viewer.may_see(place)).map(|(id, _)| *id).collect();
        assert_eq!(by_sql, by_rule, "{viewer:?}");
        assert!(!by_rule.is_empty());
        // The dashboard counts the same tickets, each once (an agent's pending ones in branches).
        let counts =
            store::dashboard::ticket_counts(&app.state.db, company, viewer, chrono::Utc::now()).await.expect("counts");
        for status in [TicketStatus::Open, TicketStatus::Pending] {
            let counted: i64 =
                counts.groups.iter().filter(|row| TicketStatus::from(row.status) == status).map(|row| row.count).sum();
            let visible = tickets.iter().filter(|(_, place)| place.status == status && viewer.may_see(place)).count();
            assert_eq!(counted, visible as i64, "{status:?} for {viewer:?}: {counts:?}");
        }
    }
}

/// A pending ticket resolved without anyone: the agents of its queue hear that it left their
/// list, and nothing more about it (REST would answer 404 for it).
#[tokio::test]
async fn agents_get_no_events_about_tickets_they_may_not_open() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (_, agent) = app.user(&admin, "ana@test.local", "agent", &[queue]).await;
    let id = app.inbound(&admin, connection, "11987654321", "oi").await;
    let mut events = EventStream::connect(&app.ws_url(&agent, None)).await;

    let (status, _) = app.act(&admin, id, "resolve", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let left = events.next().await;
    assert_eq!((left["type"].as_str(), left["data"]["status"].as_str()), (Some("ticket.updated"), Some("closed")));
    // A marker event everyone may see, to know the resolve's other events were skipped.
    let (status, contact) =
        app.post("/api/v1/contacts", &admin, json!({"name": "Marcador", "number": "11912345678"})).await;
    assert_eq!(status, StatusCode::CREATED, "{contact}");
    let (status, _) = app.patch(&format!("/api/v1/contacts/{}", contact["id"]), &admin, json!({"name": "M"})).await;
    assert_eq!(status, StatusCode::OK);
    let next = events.next().await;
    assert_eq!(next["type"], "contact.updated", "the system message of a closed ticket is not the agent's: {next}");
    let (status, _) = app.get(&format!("/api/v1/tickets/{id}/messages"), &agent).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "REST agrees");
    events.close().await;
}

#[tokio::test]
async fn system_messages_carry_what_happened_as_data() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let connection = app.simulator(&admin, None).await;
    let id = app.inbound(&admin, connection, "11987654321", "oi").await;
    app.act(&admin, id, "accept", json!({})).await;
    let (_, page) = app.get(&format!("/api/v1/tickets/{id}/messages"), &admin).await;
    let system = page["items"].as_array().expect("items").iter().find(|m| m["kind"] == "system").expect("system");
    assert_eq!(system["system"], json!({"kind": "accepted", "actor": "Admin"}));
    assert_eq!(system["body"], "Atendimento aceito por Admin");
    let (_, logs) = app.get(&format!("/api/v1/tickets/{id}/logs"), &admin).await;
    let kinds: Vec<&str> = logs["items"].as_array().expect("items").iter().filter_map(|l| l["kind"].as_str()).collect();
    assert!(kinds.contains(&"accepted") && kinds.contains(&"created"), "{kinds:?}");
}

#[tokio::test]
async fn deleting_a_contact_tells_every_list_its_tickets_are_gone() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let connection = app.simulator(&admin, None).await;
    let id = app.inbound(&admin, connection, "11987654321", "oi").await;
    let contact = app.ticket(&admin, id).await["contact"]["id"].clone();
    let mut events = EventStream::connect(&app.ws_url(&admin, None)).await;
    let (status, _) = app.delete(&format!("/api/v1/contacts/{contact}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let gone = events.next().await;
    assert_eq!((gone["type"].as_str(), gone["data"]["id"].as_i64()), (Some("ticket.deleted"), Some(id)));
    let deleted = events.next().await;
    assert_eq!((deleted["type"].as_str(), &deleted["data"]["id"]), (Some("contact.deleted"), &contact));
    events.close().await;
}

#[tokio::test]
async fn deleting_a_user_returns_their_open_tickets_to_the_queue() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (ana_id, ana) = app.user(&admin, "ana@test.local", "agent", &[queue]).await;
    let (_, bia) = app.user(&admin, "bia@test.local", "agent", &[queue]).await;
    let id = app.inbound(&admin, connection, "11987654321", "oi").await;
    assert_eq!(app.act(&ana, id, "accept", json!({})).await.0, StatusCode::OK);
    let mut events = EventStream::connect(&app.ws_url(&bia, None)).await;

    let (status, _) = app.delete(&format!("/api/v1/users/{ana_id}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let back = events.next().await;
    assert_eq!((back["type"].as_str(), back["data"]["status"].as_str()), (Some("ticket.updated"), Some("pending")));
    assert_eq!(app.ticket_ids(&bia, "status=pending").await, [id], "a colleague can take it");
    assert_eq!(app.act(&bia, id, "accept", json!({})).await.0, StatusCode::OK);
    events.close().await;
}

#[tokio::test]
async fn only_the_platform_admin_may_change_the_platform_admin() {
    let app = TestApp::start().await;
    let root = app.admin().await;
    let (_, me) = app.get("/api/v1/me", &root).await;
    let root_id = me["id"].as_i64().expect("id");
    let (_, other) = app.user(&root, "b@test.local", "admin", &[]).await;
    for (status, body) in [
        app.patch(&format!("/api/v1/users/{root_id}"), &other, json!({"password": "pwned-123456"})).await,
        app.patch(&format!("/api/v1/users/{root_id}"), &other, json!({"role": "agent"})).await,
        app.delete(&format!("/api/v1/users/{root_id}"), &other).await,
    ] {
        assert_error(status, &body, StatusCode::FORBIDDEN, "platform_admin_protected");
    }
    assert_eq!(app.login_pair(ADMIN_EMAIL, ADMIN_PASSWORD).await["user"]["platform_admin"], true);
    let (status, _) = app.patch(&format!("/api/v1/users/{root_id}"), &root, json!({"name": "Root"})).await;
    assert_eq!(status, StatusCode::OK, "the platform admin still edits themselves");
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (_, agent) = app.user(&admin, "ana@test.local", "agent", &[]).await;
    let elsewhere = app.login_pair("ana@test.local", "user-secret-1").await;
    let (status, body) = app
        .patch("/api/v1/me", &agent, json!({"password": "new-secret-99", "current_password": "user-secret-1"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app.get("/api/v1/me", &agent).await;
    assert_eq!(status, StatusCode::OK, "the caller's own session stays");
    let other = elsewhere["access_token"].as_str().expect("token");
    let (status, _) = app.get("/api/v1/me", other).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let refresh = json!({"refresh_token": elsewhere["refresh_token"]});
    let (status, _) = app.send(reqwest::Method::POST, "/api/v1/auth/refresh", None, Some(refresh)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Two agents accepting the same ticket at once: one wins, the other is told it changed (409).
/// On PostgreSQL the ticket row is locked for the transition; SQLite serialises writers.
#[tokio::test]
async fn racing_accepts_have_one_winner() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (_, ana) = app.user(&admin, "ana@test.local", "agent", &[queue]).await;
    let (_, bia) = app.user(&admin, "bia@test.local", "agent", &[queue]).await;
    for n in 0..10 {
        let id = app.inbound(&admin, connection, &format!("1198765{n:04}"), "oi").await;
        let (a, b) = tokio::join!(app.act(&ana, id, "accept", json!({})), app.act(&bia, id, "accept", json!({})));
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "ticket {id}: {a:?} {b:?}");
        let (_, logs) = app.get(&format!("/api/v1/tickets/{id}/logs"), &admin).await;
        let accepted = logs["items"].as_array().expect("items").iter().filter(|l| l["kind"] == "accepted").count();
        assert_eq!(accepted, 1);
    }
}

/// An open socket re-checks its credentials: after logout, or the user's deletion, it is closed
/// with 4001; after a change of queues it filters by the new ones (review #5).
#[tokio::test]
async fn open_sockets_follow_logout_deletion_and_queue_changes() {
    let app = TestApp::start_with(|config| config.ws_recheck = std::time::Duration::from_secs(1)).await;
    let admin = app.admin().await;
    let queue = app.queue(&admin, "Suporte").await;
    let connection = app.simulator(&admin, Some(queue)).await;
    let (ana_id, ana) = app.user(&admin, "ana@test.local", "agent", &[queue]).await;

    let mut socket = EventStream::connect(&app.ws_url(&ana, None)).await;
    let (status, _) = app.send(reqwest::Method::POST, "/api/v1/auth/logout", Some(&ana), Some(json!({}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(socket.close_code().await, Some(4001), "logout closes the socket");

    let ana = app.login("ana@test.local", "user-secret-1").await;
    let mut socket = EventStream::connect(&app.ws_url(&ana, None)).await;
    let (_, marker) = app.post("/api/v1/contacts", &admin, json!({"name": "Marcador", "number": "11912345678"})).await;
    let marker = marker["id"].as_i64().expect("id");
    let (status, _) = app.patch(&format!("/api/v1/users/{ana_id}"), &admin, json!({"queue_ids": []})).await;
    assert_eq!(status, StatusCode::OK);
    // Until the socket re-checks, the queue's new tickets still reach Ana; after, only the
    // company-wide marker does. Each round: a customer writes to the queue, then the marker changes.
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 100, "the socket never re-filtered by Ana's new queues");
        app.inbound(&admin, connection, &format!("1198765{rounds:04}"), "oi").await;
        app.patch(&format!("/api/v1/contacts/{marker}"), &admin, json!({"name": format!("M{rounds}")})).await;
        let mut leaked = false;
        loop {
            let event = socket.next().await;
            if event["type"] == "contact.updated" && event["data"]["id"] == marker {
                break;
            }
            leaked |= event["type"] == "ticket.created";
        }
        if !leaked {
            break;
        }
        // Pacing between rounds while the re-check (every second here) comes round.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let (status, _) = app.delete(&format!("/api/v1/users/{ana_id}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(socket.close_code().await, Some(4001), "a deleted user's socket is closed");
}

/// Deleting a queue with tickets waiting or open would show them to every agent (review #19).
#[tokio::test]
async fn a_queue_with_active_tickets_is_not_deleted() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let queue = app.queue(&admin, "Financeiro").await;
    let connection = app.simulator(&admin, Some(queue)).await;
    let id = app.inbound(&admin, connection, "11987654321", "boleto").await;
    let (status, body) = app.delete(&format!("/api/v1/queues/{queue}"), &admin).await;
    assert_error(status, &body, StatusCode::CONFLICT, "queue_in_use");
    app.act(&admin, id, "resolve", json!({})).await;
    let (status, _) = app.delete(&format!("/api/v1/queues/{queue}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "once nothing waits there");
}

/// Reading clears only the unread messages the reader was shown: one that arrived in between
/// keeps the ticket unread (review #20, `mark_read`'s lost update).
#[tokio::test]
async fn marking_read_never_loses_a_message_that_arrived_meanwhile() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let connection = app.simulator(&admin, None).await;
    let id = app.inbound(&admin, connection, "11987654321", "um").await;
    app.inbound(&admin, connection, "11987654321", "dois").await;
    let tx = app.state.begin().await.expect("begin");
    let stale = store::tickets::mark_read(&tx, TicketId(id), 1).await.expect("update");
    let current = store::tickets::mark_read(&tx, TicketId(id), 2).await.expect("update");
    tx.commit().await.expect("commit");
    assert!(!stale, "the reader saw one message, two are unread: nothing is cleared");
    assert!(current);
    assert_eq!(app.ticket(&admin, id).await["unread_count"], 0);
}

/// A simulator connection and a customer's photo through it: (app, admin, connection, ticket).
async fn a_photo_received() -> (TestApp, String, i64, i64) {
    use base64::Engine;
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let connection = app.simulator(&admin, None).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let encoded = base64::engine::general_purpose::STANDARD.encode(png);
    let (status, result) =
        app.customer_writes(&admin, connection, json!({"from": "11987654321", "media": {"base64": encoded}})).await;
    assert_eq!(status, StatusCode::CREATED, "{result}");
    let ticket = result["ticket_id"].as_i64().expect("ticket");
    (app, admin, connection, ticket)
}

/// A deleted contact's files are removed from disk with their messages (review #13).
#[tokio::test]
async fn deleting_a_contact_removes_its_files() {
    let (app, admin, _, ticket) = a_photo_received().await;
    let media_dir = app.state.config.data_dir.join("media");
    let files = |dir: &std::path::Path| walk(dir).len();
    assert_eq!(files(&media_dir), 1);
    let contact = app.ticket(&admin, ticket).await["contact"]["id"].clone();
    let (status, _) = app.delete(&format!("/api/v1/contacts/{contact}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(files(&media_dir), 0, "the file went with its message");
}

/// Every kind of write at once — the access log of a ticket read, contact and queue edits,
/// transitions, messages, inbound messages, logins and logouts — and none answers 5xx: on SQLite
/// each write transaction takes the one write turn instead of failing with SQLITE_BUSY (review #11).
#[tokio::test]
async fn concurrent_writes_of_every_kind_never_fail() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (_, ana) = app.user(&admin, "ana@test.local", "agent", &[queue]).await;
    let mut tickets = Vec::new();
    for n in 0..6 {
        tickets.push(app.inbound(&admin, connection, &format!("1198700{n:04}"), "oi").await);
    }
    let (_, contacts) = app.get("/api/v1/contacts", &admin).await;
    let contact = contacts["items"][0]["id"].as_i64().expect("contact");
    let desk_work = tickets.iter().enumerate().map(|(n, &id)| {
        let (app, admin, ana) = (&app, &admin, &ana);
        async move {
            let from = format!("1198700{n:04}");
            let (ticket_path, messages_path) =
                (format!("/api/v1/tickets/{id}"), format!("/api/v1/tickets/{id}/messages"));
            let (contact_path, queue_path) = (format!("/api/v1/contacts/{contact}"), format!("/api/v1/queues/{queue}"));
            let (read, accept, reply, contact_edit, queue_edit, inbound) = tokio::join!(
                app.get(&ticket_path, ana),
                app.act(ana, id, "accept", json!({})),
                app.post(&messages_path, ana, json!({"body": format!("resposta {n}")})),
                app.patch(&contact_path, admin, json!({"name": format!("Cliente {n}")})),
                app.patch(&queue_path, admin, json!({"name": format!("Fila {n}")})),
                app.customer_writes(admin, connection, json!({"from": from, "name": "Cliente", "body": "de novo"})),
            );
            let resolve = app.act(ana, id, "resolve", json!({})).await;
            vec![read, accept, reply, contact_edit, queue_edit, inbound, resolve]
        }
    });
    let sessions = (0..4).map(|n| {
        let app = &app;
        async move {
            let pair = app.login_pair("ana@test.local", "user-secret-1").await;
            let token = pair["access_token"].as_str().expect("token").to_owned();
            let search_path = format!("/api/v1/contacts?q=Cliente+{n}");
            let (list, search) =
                tokio::join!(app.get("/api/v1/tickets?status=open", &token), app.get(&search_path, &token));
            let logout = app.send(reqwest::Method::POST, "/api/v1/auth/logout", Some(&token), Some(json!({}))).await;
            vec![list, search, logout]
        }
    });
    let (desk_work, sessions) =
        tokio::join!(futures_util::future::join_all(desk_work), futures_util::future::join_all(sessions));
    let answers: Vec<(StatusCode, serde_json::Value)> = desk_work.into_iter().chain(sessions).flatten().collect();
    assert_eq!(answers.len(), 6 * 7 + 4 * 3);
    for (status, body) in &answers {
        assert!(!status.is_server_error(), "{status}: {body}");
    }
    let succeeded = answers.iter().filter(|(status, _)| status.is_success()).count();
    assert!(succeeded >= answers.len() / 2, "{answers:?}");
}

/// A connection with conversations is not deleted by accident: 409 until the admin says its
/// history goes too, and then its tickets, messages and files go with it (review #13).
#[tokio::test]
async fn deleting_a_connection_with_tickets_asks_for_its_history() {
    let (app, admin, connection, ticket) = a_photo_received().await;
    let media_dir = app.state.config.data_dir.join("media");

    let path = format!("/api/v1/connections/{connection}");
    let (status, body) = app.delete(&path, &admin).await;
    assert_error(status, &body, StatusCode::CONFLICT, "connection_in_use");
    assert_eq!(app.get(&format!("/api/v1/tickets/{ticket}"), &admin).await.0, StatusCode::OK, "nothing went");
    assert_eq!(walk(&media_dir).len(), 1);
    let (status, _) = app.delete(&format!("{path}?history=keep"), &admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "only `delete` is a choice");

    let (status, _) = app.delete(&format!("{path}?history=delete"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/v1/tickets/{ticket}"), &admin).await.0, StatusCode::NOT_FOUND);
    assert_eq!(walk(&media_dir).len(), 0, "the file went with its message");
    let empty = app.simulator(&admin, None).await;
    let (status, _) = app.delete(&format!("/api/v1/connections/{empty}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "one without tickets needs no choice");
}
