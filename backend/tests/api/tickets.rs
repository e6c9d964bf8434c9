use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::tickets::{MessageKind, MessageStatus, TicketKind, TicketStatus};
use shared::{CompanyId, ConnectionId, ContactId, TicketId};

use crate::helpers::*;

fn kinds(logs: &Value) -> Vec<String> {
    logs["items"].as_array().expect("items").iter().map(|l| l["kind"].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn an_inbound_message_creates_a_pending_ticket_in_the_default_queue() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (status, result) = app
        .customer_writes(&admin, connection, json!({"from": "(11) 98765-4321", "name": "Maria", "body": "Olá!"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{result}");
    assert_eq!(result["created"], true);
    let (_, page) = app.get("/api/v1/tickets?status=pending", &admin).await;
    let ticket = &page["items"][0];
    assert_eq!(ticket["id"], result["ticket_id"]);
    assert_eq!(ticket["status"], "pending");
    assert_eq!(ticket["kind"], "private");
    assert_eq!(ticket["number"], 1);
    assert_eq!(ticket["queue"]["id"], queue);
    assert_eq!(ticket["user"], Value::Null);
    assert_eq!(ticket["unread_count"], 1);
    assert_eq!(ticket["last_message"]["body"], "Olá!");
    assert_eq!(ticket["last_message"]["from_me"], false);
    assert_eq!(ticket["contact"]["name"], "Maria");
    assert_eq!(ticket["contact"]["number"], "5511987654321");
}

#[tokio::test]
async fn messages_join_the_active_ticket_and_any_spelling_of_the_number_finds_the_contact() {
    let Desk { app, admin, connection, .. } = desk().await;
    let first = app.inbound(&admin, connection, "+55 11 98765-4321", "um").await;
    // WhatsApp often drops the ninth digit of Brazilian mobiles.
    let second = app.inbound(&admin, connection, "551187654321", "dois").await;
    assert_eq!(first, second);
    let ticket = app.ticket(&admin, first).await;
    assert_eq!(ticket["unread_count"], 2);
    let (_, messages) = app.get(&format!("/api/v1/tickets/{first}/messages"), &admin).await;
    let bodies: Vec<&str> =
        messages["items"].as_array().expect("items").iter().filter_map(|m| m["body"].as_str()).collect();
    assert_eq!(bodies, ["dois", "um"], "newest first");
}

#[tokio::test]
async fn the_same_external_message_twice_is_stored_once() {
    let Desk { app, admin, connection, .. } = desk().await;
    let message = json!({"from": "11987654321", "body": "pedido 42", "external_id": "wamid.ABC"});
    let (status, first) = app.customer_writes(&admin, connection, message.clone()).await;
    assert_eq!((status, first["created"].as_bool()), (StatusCode::CREATED, Some(true)));
    let (status, again) = app.customer_writes(&admin, connection, message).await;
    assert_eq!((status, again["created"].as_bool()), (StatusCode::OK, Some(false)));
    assert_eq!(again["message_id"], first["message_id"]);
    let ticket_id = first["ticket_id"].as_i64().expect("id");
    let (_, messages) = app.get(&format!("/api/v1/tickets/{ticket_id}/messages"), &admin).await;
    assert_eq!(messages["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(app.ticket(&admin, ticket_id).await["unread_count"], 1);
}

#[tokio::test]
async fn the_life_cycle_with_its_conflicts_logs_and_system_messages() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (agent_id, agent) = app.user(&admin, "agente@test.local", "agent", &[queue]).await;
    let id = app.inbound(&admin, connection, "11987654321", "preciso de ajuda").await;

    let (status, body) = app.act(&agent, id, "return-to-queue", json!({})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    let (status, body) = app.act(&agent, id, "reopen", json!({})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");

    let (status, ticket) = app.act(&agent, id, "accept", json!({})).await;
    assert_eq!(
        (status, ticket["status"].as_str(), ticket["user"]["id"].as_i64()),
        (StatusCode::OK, Some("open"), Some(agent_id))
    );
    let (status, body) = app.act(&agent, id, "accept", json!({})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    assert_eq!(app.ticket(&agent, id).await["status"], "open");

    let (status, sent) = app.post(&format!("/api/v1/tickets/{id}/messages"), &agent, json!({"body": "Bom dia!"})).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["from_me"], true);
    assert_eq!(sent["body"], "*agente@test.local*:\nBom dia!", "the signature goes before the text");
    let settled = app.settled(&agent, id, sent["id"].as_i64().expect("id")).await;
    assert_eq!(settled["status"], "sent", "the simulator took it: {settled}");

    let (status, ticket) = app.act(&agent, id, "return-to-queue", json!({})).await;
    assert_eq!((status, ticket["status"].as_str(), &ticket["user"]), (StatusCode::OK, Some("pending"), &Value::Null));
    let (status, ticket) = app.act(&agent, id, "resolve", json!({})).await;
    assert_eq!((status, ticket["status"].as_str()), (StatusCode::OK, Some("closed")));
    let (status, body) = app.act(&agent, id, "resolve", json!({})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app.act(&admin, id, "resolve", json!({})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    let (status, body) = app.act(&admin, id, "transfer", json!({"queue_id": queue})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "invalid_transition");
    let (status, ticket) = app.act(&admin, id, "reopen", json!({})).await;
    assert_eq!((status, ticket["status"].as_str()), (StatusCode::OK, Some("open")));
    let (status, ticket) = app.act(&admin, id, "transfer", json!({"user_id": agent_id})).await;
    assert_eq!(
        (status, ticket["user"]["id"].as_i64(), ticket["status"].as_str()),
        (StatusCode::OK, Some(agent_id), Some("open"))
    );

    let (_, logs) = app.get(&format!("/api/v1/tickets/{id}/logs?limit=100"), &admin).await;
    let logged = kinds(&logs);
    for kind in ["created", "accepted", "returned", "resolved", "reopened", "transferred"] {
        assert!(logged.contains(&kind.to_owned()), "{kind} missing from {logged:?}");
    }
    assert!(logged.contains(&"access".to_owned()), "opening a ticket is logged: {logged:?}");
    let (_, messages) = app.get(&format!("/api/v1/tickets/{id}/messages?limit=100"), &admin).await;
    let system = messages["items"].as_array().expect("items").iter().filter(|m| m["kind"] == "system").count();
    assert_eq!(system, 5, "one system message per transition: {messages}");
}

#[tokio::test]
async fn transfer_to_a_queue_makes_it_pending_there_and_needs_a_target() {
    let Desk { app, admin, connection, .. } = desk().await;
    let sales = app.queue(&admin, "Vendas").await;
    let id = app.inbound(&admin, connection, "11987654321", "oi").await;
    app.act(&admin, id, "accept", json!({})).await;
    let (status, body) = app.act(&admin, id, "transfer", json!({})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let (status, body) = app.act(&admin, id, "transfer", json!({"queue_id": 999_999})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let (status, ticket) = app.act(&admin, id, "transfer", json!({"queue_id": sales})).await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    assert_eq!(
        (ticket["status"].as_str(), ticket["queue"]["id"].as_i64(), &ticket["user"]),
        (Some("pending"), Some(sales), &Value::Null)
    );
    // The timeline names where it came from and where it went, as they were named then.
    let (_, logs) = app.get(&format!("/api/v1/tickets/{id}/logs"), &admin).await;
    let transfer =
        logs["items"].as_array().expect("items").iter().find(|l| l["kind"] == "transferred").expect("logged");
    assert_eq!(transfer["details"]["to_queue"], json!({"id": sales, "name": "Vendas"}), "{transfer}");
    assert_eq!(transfer["details"]["from_user"]["name"], transfer["user"]["name"], "{transfer}");
    assert_eq!(transfer["details"]["to_user"], Value::Null);
}

#[tokio::test]
async fn a_message_after_resolution_starts_a_new_ticket() {
    let Desk { app, admin, connection, .. } = desk().await;
    let first = app.inbound(&admin, connection, "11987654321", "um").await;
    app.act(&admin, first, "resolve", json!({})).await;
    let second = app.inbound(&admin, connection, "11987654321", "voltei").await;
    assert_ne!(first, second);
    let ticket = app.ticket(&admin, second).await;
    assert_eq!((ticket["number"].as_i64(), ticket["status"].as_str()), (Some(2), Some("pending")));
    // The old one can no longer be reopened while the new one is active.
    let (status, body) = app.act(&admin, first, "reopen", json!({})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "ticket_already_active");
}

#[tokio::test]
async fn returned_tickets_go_to_the_end_of_the_queue() {
    let Desk { app, admin, connection, .. } = desk().await;
    let a = app.inbound(&admin, connection, "11987650001", "a").await;
    let b = app.inbound(&admin, connection, "11987650002", "b").await;
    assert_eq!(app.ticket_ids(&admin, "status=pending").await, [a, b], "who waited longest first");
    app.act(&admin, a, "accept", json!({})).await;
    app.act(&admin, a, "return-to-queue", json!({})).await;
    assert_eq!(app.ticket_ids(&admin, "status=pending").await, [b, a]);
}

#[tokio::test]
async fn agents_see_their_queues_and_their_own_tickets_only() {
    let Desk { app, admin, queue, connection } = desk().await;
    let other_queue = app.queue(&admin, "Financeiro").await;
    let (_, mine) = app.user(&admin, "mine@test.local", "agent", &[queue]).await;
    let (_, other) = app.user(&admin, "other@test.local", "agent", &[other_queue]).await;
    let (_, supervisor) = app.user(&admin, "sup@test.local", "supervisor", &[]).await;
    let id = app.inbound(&admin, connection, "11987654321", "oi").await;

    assert_eq!(app.ticket_ids(&mine, "status=pending").await, [id]);
    assert_eq!(app.ticket_ids(&other, "status=pending").await, Vec::<i64>::new());
    assert_eq!(app.ticket_ids(&supervisor, "status=pending").await, [id]);
    let (status, body) = app.get(&format!("/api/v1/tickets/{id}"), &other).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, _) = app.act(&other, id, "accept", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    app.act(&mine, id, "accept", json!({})).await;
    assert_eq!(app.ticket_ids(&mine, "status=open").await, [id]);
    let (_, third) = app.user(&admin, "third@test.local", "agent", &[queue]).await;
    assert_eq!(app.ticket_ids(&third, "status=open").await, Vec::<i64>::new(), "a colleague's open ticket is theirs");
    let (status, _) = app.post(&format!("/api/v1/tickets/{id}/messages"), &third, json!({"body": "x"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_company_cannot_see_or_touch_our_tickets() {
    let Desk { app, admin, connection, .. } = desk().await;
    let id = app.inbound(&admin, connection, "11987654321", "oi").await;
    app.post(
        "/api/v1/companies",
        &admin,
        json!({"name": "Outra", "admin": {"name": "Olga", "email": "olga@outra.com", "password": "olga-secret-1"}}),
    )
    .await;
    let olga = app.login("olga@outra.com", "olga-secret-1").await;
    assert_eq!(app.ticket_ids(&olga, "").await, Vec::<i64>::new());
    for path in [
        format!("/api/v1/tickets/{id}"),
        format!("/api/v1/tickets/{id}/messages"),
        format!("/api/v1/tickets/{id}/logs"),
    ] {
        let (status, body) = app.get(&path, &olga).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (status, _) = app.act(&olga, id, "resolve", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.customer_writes(&olga, connection, json!({"from": "11987654321", "body": "x"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_blocked_contact_is_dropped() {
    let Desk { app, admin, connection, .. } = desk().await;
    let id = app.inbound(&admin, connection, "11987654321", "oi").await;
    let contact = app.ticket(&admin, id).await["contact"]["id"].as_i64().expect("contact");
    let (status, _) = app.post(&format!("/api/v1/contacts/{contact}/block"), &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.customer_writes(&admin, connection, json!({"from": "11987654321", "body": "spam"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "contact_blocked");
    assert_eq!(app.ticket(&admin, id).await["unread_count"], 1);

    // Closed, and still blocked: a new message opens no ticket either.
    app.act(&admin, id, "resolve", json!({})).await;
    let (status, _) = app.customer_writes(&admin, connection, json!({"from": "11987654321", "body": "de novo"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.ticket_ids(&admin, "status=pending").await, Vec::<i64>::new());
    let (_, found) = app.get(&format!("/api/v1/contacts/{contact}"), &admin).await;
    assert_eq!(found["blocked"], true);
    let metrics = app.client.get(app.url("/metrics")).send().await.expect("send").text().await.expect("text");
    assert!(metrics.contains(r#"atende_inbound_messages_total{outcome="blocked"} 2"#), "{metrics}");

    let (status, unblocked) = app.post(&format!("/api/v1/contacts/{contact}/unblock"), &admin, json!({})).await;
    assert_eq!((status, &unblocked["blocked"]), (StatusCode::OK, &json!(false)));
    let again = app.inbound(&admin, connection, "11987654321", "voltei").await;
    assert_ne!(again, id, "unblocked, the contact's message opens a new ticket");
}

#[tokio::test]
async fn bad_inbound_input_is_refused_clearly() {
    let Desk { app, admin, connection, .. } = desk().await;
    for (message, field, code) in [
        (json!({"from": "not a number", "body": "x"}), "from", "not_phone"),
        (json!({"from": "11987654321", "body": "   "}), "body", "required"),
        (json!({"from": "11987654321", "body": "x".repeat(5000)}), "body", "too_long"),
    ] {
        let (status, body) = app.customer_writes(&admin, connection, message).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
        assert_eq!(body["error"]["details"][field]["code"], code, "{body}");
        assert!(body["error"]["details"][field]["message"].is_string(), "the English sentence travels too: {body}");
    }
    let (status, body) = app.get("/api/v1/tickets?status=archived", &admin).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    let (status, body) = app.get("/api/v1/tickets?cursor=zzz", &admin).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_cursor");
}

#[tokio::test]
async fn group_conversations_are_listed_apart() {
    let Desk { app, admin, connection, .. } = desk().await;
    let private = app.inbound(&admin, connection, "11987654321", "oi").await;
    let (status, group) = app
        .customer_writes(
            &admin,
            connection,
            json!({"from": "11987654321", "name": "Maria", "body": "bom dia grupo", "group": {"id": "120363012345@g.us", "name": "Clientes VIP"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let group = group["ticket_id"].as_i64().expect("id");
    assert_ne!(private, group);
    assert_eq!(app.ticket_ids(&admin, "kind=private").await, [private]);
    assert_eq!(app.ticket_ids(&admin, "kind=group").await, [group]);
    let ticket = app.ticket(&admin, group).await;
    assert_eq!(
        (ticket["contact"]["name"].as_str(), ticket["last_message"]["body"].as_str()),
        (Some("Clientes VIP"), Some("Maria: bom dia grupo"))
    );
}

#[tokio::test]
async fn search_finds_by_name_number_ticket_number_and_message_text() {
    let Desk { app, admin, connection, .. } = desk().await;
    let (_, a) = app
        .customer_writes(
            &admin,
            connection,
            json!({"from": "11987650001", "name": "Joana Prado", "body": "boleto atrasado"}),
        )
        .await;
    let (_, b) = app
        .customer_writes(&admin, connection, json!({"from": "21987650002", "name": "Pedro", "body": "quero comprar"}))
        .await;
    let (a, b) = (a["ticket_id"].as_i64().expect("a"), b["ticket_id"].as_i64().expect("b"));
    assert_eq!(app.ticket_ids(&admin, "q=joana").await, [a]);
    assert_eq!(app.ticket_ids(&admin, "q=2198765").await, [b]);
    assert_eq!(app.ticket_ids(&admin, "q=boleto").await, [a]);
    assert_eq!(app.ticket_ids(&admin, "q=%232").await, [b], "#2 is the ticket number");
    assert_eq!(app.ticket_ids(&admin, "q=nada-disso").await, Vec::<i64>::new());
    // The message index: word prefixes, any case, accents ignored where the database can.
    assert_eq!(app.ticket_ids(&admin, "q=BOLET").await, [a]);
    assert_eq!(app.ticket_ids(&admin, "q=comprar%20quero").await, [b], "words in any order");
    // Query syntax in the input is just text.
    for tricky in ["%22boleto%22%20OR%20*", "NEAR(a%20b)", "a:*%20%26%20!b", "%27%3B--"] {
        let (status, _) = app.get(&format!("/api/v1/tickets?q={tricky}"), &admin).await;
        assert_eq!(status, StatusCode::OK, "{tricky}");
    }
}

#[tokio::test]
async fn the_list_pages_with_a_cursor_and_filters_combine() {
    let Desk { app, admin, connection, .. } = desk().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.inbound(&admin, connection, &format!("1198765000{i}"), "oi").await);
    }
    app.act(&admin, ids[0], "accept", json!({})).await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/tickets?status=pending&limit=2".to_owned();
    loop {
        let (_, page) = app.get(&path, &admin).await;
        seen.extend(page["items"].as_array().expect("items").iter().filter_map(|t| t["id"].as_i64()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/tickets?status=pending&limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ids[1..]);
    assert_eq!(app.ticket_ids(&admin, &format!("status=open&connection_id={connection}")).await, [ids[0]]);
    assert_eq!(app.ticket_ids(&admin, "status=open&connection_id=999").await, Vec::<i64>::new());
    assert_eq!(app.ticket_ids(&admin, "unread=true&status=pending").await.len(), 4);
}

#[tokio::test]
async fn reading_as_the_assigned_agent_clears_unread() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (_, agent) = app.user(&admin, "agent@test.local", "agent", &[queue]).await;
    let id = app.inbound(&admin, connection, "11987654321", "oi").await;
    app.act(&agent, id, "accept", json!({})).await;
    app.get(&format!("/api/v1/tickets/{id}/messages"), &admin).await;
    assert_eq!(app.ticket(&admin, id).await["unread_count"], 1, "someone else reading does not count");
    app.get(&format!("/api/v1/tickets/{id}/messages"), &agent).await;
    assert_eq!(app.ticket(&admin, id).await["unread_count"], 0);
}

#[tokio::test]
async fn messages_page_newest_first() {
    let Desk { app, admin, connection, .. } = desk().await;
    let mut id = 0;
    for i in 0..5 {
        id = app.inbound(&admin, connection, "11987654321", &format!("m{i}")).await;
    }
    let (_, first) = app.get(&format!("/api/v1/tickets/{id}/messages?limit=3"), &admin).await;
    let bodies = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(bodies(&first), ["m4", "m3", "m2"]);
    let before = first["next_cursor"].as_str().expect("more");
    let (_, second) = app.get(&format!("/api/v1/tickets/{id}/messages?limit=3&before={before}"), &admin).await;
    assert_eq!(bodies(&second), ["m1", "m0"]);
    assert!(second["next_cursor"].is_null());
}

/// A conversation's pages may hold more than other lists' (100): up to 500 messages.
#[tokio::test]
async fn message_pages_go_past_the_usual_limit() {
    let Desk { app, admin, connection, .. } = desk().await;
    let mut id = 0;
    for i in 0..130 {
        id = app.inbound(&admin, connection, "11987654321", &format!("m{i}")).await;
    }
    let (status, page) = app.get(&format!("/api/v1/tickets/{id}/messages?limit=120"), &admin).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(120));
    let before = page["next_cursor"].as_str().expect("ten more");
    let (_, rest) = app.get(&format!("/api/v1/tickets/{id}/messages?limit=100000&before={before}"), &admin).await;
    assert_eq!((rest["items"].as_array().map(Vec::len), rest["next_cursor"].is_null()), (Some(10), true));
}

#[tokio::test]
async fn starting_a_conversation_opens_a_ticket_for_the_caller() {
    let Desk { app, admin, connection, .. } = desk().await;
    let (status, contact) =
        app.post("/api/v1/contacts", &admin, json!({"name": "Rita", "number": "+55 31 99876-5432"})).await;
    assert_eq!(status, StatusCode::CREATED, "{contact}");
    assert_eq!(contact["number"], "5531998765432");
    let (status, ticket) =
        app.post("/api/v1/tickets", &admin, json!({"contact_id": contact["id"], "connection_id": connection})).await;
    assert_eq!((status, ticket["status"].as_str()), (StatusCode::CREATED, Some("open")), "{ticket}");
    let (status, body) = app.post("/api/v1/tickets", &admin, json!({"contact_id": contact["id"]})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "ticket_already_active");
    let (status, body) = app.post("/api/v1/contacts", &admin, json!({"name": "Dup", "number": "31 99876 5432"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
}

#[tokio::test]
async fn extra_fields_are_named_text_values_and_edits_are_announced() {
    let Desk { app, admin, .. } = desk().await;
    let (_, contact) = app.post("/api/v1/contacts", &admin, json!({"name": "Rita", "number": "31 99876 5432"})).await;
    let path = format!("/api/v1/contacts/{}", contact["id"]);
    let mut events = crate::ws_client::EventStream::connect(&app.ws_url(&admin, None)).await;
    let (status, saved) = app.patch(&path, &admin, json!({"name": "Rita Lima", "extra": {"CPF": "123"}})).await;
    assert_eq!((status, &saved["extra"]), (StatusCode::OK, &json!({"CPF": "123"})), "{saved}");
    let event = events.until("contact.updated").await.pop().expect("the event");
    assert_eq!((&event["data"]["name"], &event["data"]["extra"]["CPF"]), (&json!("Rita Lima"), &json!("123")));
    for bad in [json!({"idade": 42}), json!(["CPF"]), json!({" ": "x"}), json!({"nota": "x".repeat(501)})] {
        let (status, body) = app.patch(&path, &admin, json!({"extra": bad})).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
        assert!(body["error"]["details"]["extra"].is_object(), "{body}");
    }
    let (_, unchanged) = app.get(&path, &admin).await;
    assert_eq!(unchanged["extra"], json!({"CPF": "123"}));
}

#[tokio::test]
async fn the_database_allows_one_active_ticket_per_contact_and_connection() {
    use atende::store;
    let Desk { app, admin, connection, .. } = desk().await;
    let id = app.inbound(&admin, connection, "11987654321", "oi").await;
    let ticket = app.ticket(&admin, id).await;
    let row = |number| store::tickets::NewTicketRow {
        company_id: CompanyId(1),
        number,
        status: TicketStatus::Open,
        kind: TicketKind::Private,
        contact_id: ContactId(ticket["contact"]["id"].as_i64().expect("contact")),
        connection_id: ConnectionId(connection),
        queue_id: None,
        user_id: None,
    };
    let tx = app.state.begin().await.expect("begin");
    let error = store::tickets::insert(&tx, row(100)).await.expect_err("a second active ticket is refused");
    assert_eq!(store::UniqueKey::of(&error), Some(store::UniqueKey::ActiveTicket), "{error}");
    drop(tx);
    // A closed one is fine.
    let mut closed = row(101);
    closed.status = TicketStatus::Closed;
    let tx = app.state.begin().await.expect("begin");
    store::tickets::insert(&tx, closed).await.expect("closed tickets may pile up");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn the_dashboard_counts_today_by_status_queue_and_agent() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (agent_id, agent) = app.user(&admin, "agent@test.local", "agent", &[queue]).await;
    let a = app.inbound(&admin, connection, "11987650001", "a").await;
    let b = app.inbound(&admin, connection, "11987650002", "b").await;
    app.inbound(&admin, connection, "11987650003", "c").await;
    app.act(&agent, a, "accept", json!({})).await;
    app.act(&agent, b, "accept", json!({})).await;
    app.act(&agent, b, "resolve", json!({})).await;
    let (status, board) = app.get("/api/v1/dashboard", &admin).await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(
        (board["open"].as_u64(), board["pending"].as_u64(), board["closed_today"].as_u64()),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(board["created_today"], 3);
    assert!(board["avg_wait_secs"].as_f64().is_some_and(|s| s >= 0.0), "{board}");
    assert!(board["avg_handle_secs"].as_f64().is_some_and(|s| s >= 0.0), "{board}");
    assert_eq!(board["by_queue"][0]["queue"]["id"], queue);
    assert_eq!((board["by_queue"][0]["open"].as_u64(), board["by_queue"][0]["pending"].as_u64()), (Some(1), Some(1)));
    let agent_row = board["by_agent"].as_array().expect("agents").iter().find(|r| r["user"]["id"] == agent_id).cloned();
    assert_eq!(agent_row.map(|r| (r["open"].clone(), r["closed_today"].clone())), Some((json!(1), json!(1))));
    // The agent counts what they may see: their own open and closed tickets, what waits in their queue.
    let (_, board) = app.get("/api/v1/dashboard", &agent).await;
    assert_eq!(
        (board["open"].as_u64(), board["pending"].as_u64(), board["closed_today"].as_u64()),
        (Some(1), Some(1), Some(1)),
        "{board}"
    );
    // An agent of another queue sees none of it.
    let other_queue = app.queue(&admin, "Outra").await;
    let (_, other) = app.user(&admin, "other@test.local", "agent", &[other_queue]).await;
    let (_, board) = app.get("/api/v1/dashboard", &other).await;
    assert_eq!(
        (board["open"].as_u64(), board["pending"].as_u64(), board["closed_today"].as_u64()),
        (Some(0), Some(0), Some(0))
    );
    assert_eq!((board["created_today"].as_u64(), board["avg_handle_secs"].as_f64()), (Some(0), None), "{board}");

    // The averages are taken over the tickets: `a` waited an hour, `b` none, so half an hour.
    let an_hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
    set_column(&app, "tickets", "created_at", "id", a, an_hour_ago).await;
    let (_, board) = app.get("/api/v1/dashboard", &admin).await;
    let wait = board["avg_wait_secs"].as_f64().expect("an average wait");
    assert!((1790.0..1900.0).contains(&wait), "half an hour on average: {board}");
    assert!(board["avg_handle_secs"].as_f64().is_some_and(|s| s < 60.0), "b was resolved at once: {board}");
}

/// Sets `table`'s `column` to `to` in the rows whose `key` is `id` (what no endpoint does).
async fn set_column(app: &TestApp, table: &str, column: &str, key: &str, id: i64, to: impl Into<sea_orm::Value>) {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    let update = Query::update()
        .table(Alias::new(table))
        .value(Alias::new(column), to.into())
        .and_where(Expr::col(Alias::new(key)).eq(id))
        .to_owned();
    sea_orm::ConnectionTrait::execute(&app.state.db, &update).await.expect("an update");
}

/// The dashboard's handling times read an agent's tickets from the agent's side (their own, and
/// what waits in their queues or in none, queued today) rather than from the company's day: for
/// every viewer they are those of the tickets the visibility rule lets them see, still open or
/// pending or closed today, accepted or resolved today, after every way a ticket moves.
#[tokio::test]
async fn dashboard_times_are_those_of_the_tickets_the_viewer_may_see() {
    use atende::store::{self, entities};
    use sea_orm::EntityTrait;
    use shared::auth::Role;
    use shared::visibility::{TicketPlace, Viewer};
    use shared::{QueueId, UserId};

    let Desk { app, admin, queue, connection } = desk().await;
    let finance = app.queue(&admin, "Financeiro").await;
    let no_queue = app.simulator(&admin, None).await;
    let (ana_id, ana) = app.user(&admin, "ana@test.local", "agent", &[queue]).await;
    let (bia_id, bia) = app.user(&admin, "bia@test.local", "agent", &[queue, finance]).await;
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let before = since - chrono::Duration::days(2);
    let mut act = Vec::new();
    // Ana's own: open, open since before, closed today, closed before, reopened.
    let own_open = app.inbound(&admin, connection, "11987650001", "oi").await;
    act.push((own_open, &ana, "accept", json!({})));
    let own_open_before = app.inbound(&admin, connection, "11987650002", "oi").await;
    act.push((own_open_before, &ana, "accept", json!({})));
    let own_closed = app.inbound(&admin, connection, "11987650003", "oi").await;
    act.extend([(own_closed, &ana, "accept", json!({})), (own_closed, &ana, "resolve", json!({}))]);
    let own_closed_before = app.inbound(&admin, connection, "11987650004", "oi").await;
    act.extend([(own_closed_before, &ana, "accept", json!({})), (own_closed_before, &ana, "resolve", json!({}))]);
    let reopened = app.inbound(&admin, connection, "11987650005", "oi").await;
    act.extend([
        (reopened, &ana, "accept", json!({})),
        (reopened, &ana, "resolve", json!({})),
        (reopened, &ana, "reopen", json!({})),
    ]);
    // Bia's, some of them back in a queue or handed to Ana.
    let returned = app.inbound(&admin, connection, "11987650006", "oi").await;
    act.extend([(returned, &bia, "accept", json!({})), (returned, &bia, "return-to-queue", json!({}))]);
    let returned_to_her = app.inbound(&admin, connection, "11987650011", "oi").await;
    act.extend([(returned_to_her, &bia, "accept", json!({})), (returned_to_her, &bia, "return-to-queue", json!({}))]);
    let to_finance = app.inbound(&admin, connection, "11987650007", "oi").await;
    act.extend([(to_finance, &bia, "accept", json!({})), (to_finance, &bia, "transfer", json!({"queue_id": finance}))]);
    let returned_nowhere = app.inbound(&admin, no_queue, "11987650008", "oi").await;
    act.extend([(returned_nowhere, &bia, "accept", json!({})), (returned_nowhere, &bia, "return-to-queue", json!({}))]);
    let bias = app.inbound(&admin, connection, "11987650009", "oi").await;
    act.push((bias, &bia, "accept", json!({})));
    let handed_to_ana = app.inbound(&admin, connection, "11987650010", "oi").await;
    act.extend([
        (handed_to_ana, &bia, "accept", json!({})),
        (handed_to_ana, &bia, "transfer", json!({"user_id": ana_id})),
    ]);
    app.inbound(&admin, connection, "11987650012", "oi").await; // waiting, never accepted
    for (id, token, action, body) in act {
        let (status, body) = app.act(token, id, action, body).await;
        assert_eq!(status, StatusCode::OK, "{action} {id}: {body}");
    }
    for id in [own_open_before, own_closed_before] {
        set_column(&app, "ticket_logs", "created_at", "ticket_id", id, before).await;
    }
    set_column(&app, "tickets", "closed_at", "id", own_closed_before, before).await;
    // Pending in Ana's queue and hers too (an import or an operator can leave one so): once.
    set_column(&app, "tickets", "user_id", "id", returned_to_her, ana_id).await;

    // The rule, applied to every ticket and log.
    let db = &app.state.db;
    let tickets = entities::tickets::Entity::find().all(db).await.expect("tickets");
    let logs = entities::ticket_logs::Entity::find().all(db).await.expect("logs");
    let company = CompanyId(tickets[0].company_id);
    let expected = |viewer: &Viewer| {
        let mut times = Vec::new();
        for t in &tickets {
            let place = TicketPlace {
                status: t.status.into(),
                queue_id: t.queue_id.map(QueueId),
                user_id: t.user_id.map(UserId),
            };
            let counted = place.status != TicketStatus::Closed || t.closed_at.is_some_and(|at| at >= since);
            let latest = |kind: store::enums::TicketLogKind| {
                logs.iter().filter(|l| l.ticket_id == t.id && l.kind == kind).map(|l| l.created_at).max()
            };
            let (accepted, resolved) =
                (latest(store::enums::TicketLogKind::Accepted), latest(store::enums::TicketLogKind::Resolved));
            let today = accepted.max(resolved).is_some_and(|at| at >= since);
            if viewer.may_see(&place) && counted && today {
                times.push((t.created_at, (accepted, resolved)));
            }
        }
        times.sort();
        times
    };
    let ana_sees = Viewer { user_id: UserId(ana_id), role: Role::Agent, queue_ids: vec![QueueId(queue)] };
    let bia_sees =
        Viewer { user_id: UserId(bia_id), role: Role::Agent, queue_ids: vec![QueueId(queue), QueueId(finance)] };
    let admin_sees = Viewer { user_id: UserId(1), role: Role::Admin, queue_ids: Vec::new() };
    // Own open, own closed today, reopened, returned, returned to her, returned to no queue, handed to her.
    assert_eq!(expected(&ana_sees).len(), 7, "the case covers every branch");
    for (who, viewer) in [("ana", &ana_sees), ("bia", &bia_sees), ("admin", &admin_sees)] {
        let mut times =
            store::dashboard::accept_and_resolve_times(db, company, viewer, since).await.expect("the times");
        times.sort();
        assert_eq!(times, expected(viewer), "{who}");
    }
}

/// The open and pending figures of every (status, queue, agent), as the triggers keep them and as
/// the tickets themselves count them.
async fn active_counts(app: &TestApp) -> (Vec<(i64, String, i64, i64, i64)>, Vec<(i64, String, i64, i64, i64)>) {
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.state.db;
    let read = |sql: &str| {
        let statement = Statement::from_string(db.get_database_backend(), sql.to_owned());
        async move {
            let rows = db.query_all_raw(statement).await.expect("counts");
            rows.iter()
                .map(|row| {
                    let column = |n| row.try_get_by_index::<i64>(n).expect("a number");
                    (column(0), row.try_get_by_index::<String>(1).expect("status"), column(2), column(3), column(4))
                })
                .collect::<Vec<_>>()
        }
    };
    let kept = read(
        "SELECT company_id, status, queue_id, user_id, tickets FROM active_ticket_counts WHERE tickets <> 0 \
         ORDER BY company_id, status, queue_id, user_id",
    )
    .await;
    let counted = read(
        "SELECT company_id, status, COALESCE(queue_id, 0), COALESCE(user_id, 0), COUNT(*) FROM tickets \
         WHERE status <> 'closed' GROUP BY company_id, status, COALESCE(queue_id, 0), COALESCE(user_id, 0) \
         ORDER BY company_id, status, COALESCE(queue_id, 0), COALESCE(user_id, 0)",
    )
    .await;
    (kept, counted)
}

async fn assert_counts_agree(app: &TestApp, after: &str) {
    let (kept, counted) = active_counts(app).await;
    assert_eq!(kept, counted, "after {after}");
}

/// The dashboard's open and pending figures come from counts that triggers on `tickets` keep:
/// after every kind of move, whoever makes it, they equal a count of the tickets.
#[tokio::test]
async fn the_dashboards_active_counts_follow_every_move() {
    let Desk { app, admin, queue, connection } = desk().await;
    let finance = app.queue(&admin, "Financeiro").await;
    let (ana_id, ana) = app.user(&admin, "ana@test.local", "agent", &[queue, finance]).await;
    let (bia_id, bia) = app.user(&admin, "bia@test.local", "agent", &[queue]).await;
    let mut tickets = Vec::new();
    for i in 0..6 {
        tickets.push(app.inbound(&admin, connection, &format!("1198765000{i}"), "oi").await);
    }
    assert_counts_agree(&app, "new tickets").await;
    assert!(!active_counts(&app).await.0.is_empty(), "the new tickets are counted");

    let moves: [(&str, i64, &str, Value); 8] = [
        (&ana, tickets[0], "accept", json!({})),
        (&bia, tickets[1], "accept", json!({})),
        (&admin, tickets[0], "transfer", json!({"queue_id": finance, "user_id": bia_id})),
        (&admin, tickets[2], "transfer", json!({"queue_id": finance})),
        (&bia, tickets[0], "return-to-queue", json!({})),
        (&bia, tickets[1], "resolve", json!({})),
        (&admin, tickets[1], "reopen", json!({})),
        (&ana, tickets[3], "accept", json!({})),
    ];
    for (token, ticket, action, body) in moves {
        let (status, answer) = app.act(token, ticket, action, body).await;
        assert_eq!(status, StatusCode::OK, "{action} {ticket}: {answer}");
        assert_counts_agree(&app, &format!("{action} {ticket}")).await;
    }
    // An operator's SQL moving many tickets in one statement.
    let everyone_to_finance = format!("UPDATE tickets SET queue_id = {finance} WHERE status = 'pending'");
    sea_orm::ConnectionTrait::execute_unprepared(&app.state.db, &everyone_to_finance).await.expect("update");
    assert_counts_agree(&app, "one statement moving many tickets").await;
    let (status, _) = app.delete(&format!("/api/v1/users/{ana_id}"), &admin).await;
    assert!(status.is_success(), "{status}");
    assert_counts_agree(&app, "deleting an agent").await;
    let contact = app.ticket(&admin, tickets[4]).await["contact"]["id"].as_i64().expect("contact");
    let (status, _) = app.delete(&format!("/api/v1/contacts/{contact}"), &admin).await;
    assert!(status.is_success(), "{status}");
    assert_counts_agree(&app, "deleting a contact and its tickets").await;
    let (_, board) = app.get("/api/v1/dashboard", &admin).await;
    let (kept, _) = active_counts(&app).await;
    let open: i64 = kept.iter().filter(|row| row.1 == "open").map(|row| row.4).sum();
    let pending: i64 = kept.iter().filter(|row| row.1 == "pending").map(|row| row.4).sum();
    assert_eq!((board["open"].as_i64(), board["pending"].as_i64()), (Some(open), Some(pending)), "{board}");
}

/// Tickets moved between two queues at once, in both directions: no move fails (on PostgreSQL
/// the counts are locked in key order, so opposite moves wait rather than deadlock) and the
/// counts still agree.
#[tokio::test]
async fn opposite_moves_at_once_keep_the_counts_exact() {
    let Desk { app, admin, queue, connection } = desk().await;
    let other = app.queue(&admin, "Outra").await;
    let mut tickets = Vec::new();
    for i in 0..8 {
        tickets.push(app.inbound(&admin, connection, &format!("1198765100{i}"), "oi").await);
    }
    for round in 0..3 {
        let moves = tickets.iter().enumerate().map(|(n, ticket)| {
            let to = if (n + round) % 2 == 0 { other } else { queue };
            let (app, admin) = (&app, &admin);
            async move { app.act(admin, *ticket, "transfer", json!({"queue_id": to})).await }
        });
        for (status, answer) in futures_util::future::join_all(moves).await {
            assert_eq!(status, StatusCode::OK, "{answer}");
        }
        assert_counts_agree(&app, &format!("round {round}")).await;
    }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn upload(
    app: &TestApp,
    token: &str,
    ticket: i64,
    bytes: Vec<u8>,
    name: &str,
    body: Option<&str>,
) -> (StatusCode, Value) {
    let mut form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    if let Some(body) = body {
        form = form.text("body", body.to_owned());
    }
    let response = app
        .client
        .post(app.url(&format!("/api/v1/tickets/{ticket}/messages")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    read(response).await
}

#[tokio::test]
async fn files_are_sniffed_stored_and_served_only_to_who_may_see_them() {
    let Desk { app, admin, queue, connection } = desk().await;
    let id = app.inbound(&admin, connection, "11987654321", "manda a foto").await;
    app.act(&admin, id, "accept", json!({})).await;

    // The name says PDF; the bytes say PNG. The bytes win.
    let (status, message) = upload(&app, &admin, id, PNG.to_vec(), "../../foto.pdf", Some("segue")).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!((message["kind"].as_str(), message["media_mime"].as_str()), (Some("image"), Some("image/png")));
    assert_eq!(message["media_name"], "foto.pdf");
    let url = message["media_url"].as_str().expect("media url").to_owned();

    let response = app.client.get(app.url(&url)).bearer_auth(&admin).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.bytes().await.expect("bytes").as_ref(), PNG);

    // An agent of another queue, and another company, get 404.
    let other_queue = app.queue(&admin, "Outra").await;
    let (_, stranger) = app.user(&admin, "stranger@test.local", "agent", &[other_queue]).await;
    let (status, _) = app.get(&url, &stranger).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, colleague) = app.user(&admin, "colleague@test.local", "agent", &[queue]).await;
    let (status, _) = app.get(&url, &colleague).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the ticket is the admin's, not the queue's");
}

#[tokio::test]
async fn bad_uploads_are_refused_clearly() {
    let Desk { app, admin, connection, .. } = desk().await;
    let id = app.inbound(&admin, connection, "11987654321", "oi").await;
    app.act(&admin, id, "accept", json!({})).await;
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0\x01".to_vec();
    elf.resize(64, 0);
    let (status, body) = upload(&app, &admin, id, elf, "virus", None).await;
    assert_error(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let (status, body) = upload(&app, &admin, id, Vec::new(), "empty.txt", None).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let (status, body) = upload(&app, &admin, id, vec![b'a'; 17 * 1024 * 1024], "big.txt", None).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let form = reqwest::multipart::Form::new().text("body", "sem arquivo");
    let response = app
        .client
        .post(app.url(&format!("/api/v1/tickets/{id}/messages")))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .expect("send");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let (_, messages) = app.get(&format!("/api/v1/tickets/{id}/messages"), &admin).await;
    assert_eq!(messages["items"].as_array().map(Vec::len), Some(2), "only the inbound and the accept note: {messages}");
}

#[tokio::test]
async fn a_simulated_customer_can_send_a_file() {
    use base64::Engine;
    let Desk { app, admin, connection, .. } = desk().await;
    let encoded = base64::engine::general_purpose::STANDARD.encode(PNG);
    let (status, result) = app
        .customer_writes(
            &admin,
            connection,
            json!({"from": "11987654321", "body": "olha", "media": {"base64": encoded, "file_name": "foto.png"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{result}");
    let ticket = result["ticket_id"].as_i64().expect("ticket");
    let (_, messages) = app.get(&format!("/api/v1/tickets/{ticket}/messages"), &admin).await;
    let message = &messages["items"][0];
    assert_eq!(
        (message["kind"].as_str(), message["body"].as_str(), message["media_name"].as_str()),
        (Some("image"), Some("olha"), Some("foto.png"))
    );
    let bytes = app
        .client
        .get(app.url(message["media_url"].as_str().expect("url")))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("get");
    assert_eq!(bytes.bytes().await.expect("bytes").as_ref(), PNG);
    let (status, body) =
        app.customer_writes(&admin, connection, json!({"from": "11987654321", "media": {"base64": "%%%"}})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
}

#[tokio::test]
async fn pending_sends_the_outbox_does_not_hold_are_marked_failed_at_start_up() {
    use atende::store;
    let Desk { app, admin, connection, .. } = desk().await;
    let id = app.inbound(&admin, connection, "11987654321", "oi").await;
    let contact = app.ticket(&admin, id).await["contact"]["id"].as_i64().expect("contact");
    let row = |body: &'static str, minutes_ago: i64| store::messages::NewMessageRow {
        company_id: CompanyId(1),
        ticket_id: TicketId(id),
        connection_id: ConnectionId(connection),
        contact_id: ContactId(contact),
        user_id: None,
        from_me: true,
        kind: MessageKind::Text,
        body,
        status: MessageStatus::Pending,
        external_id: None,
        quoted_id: None,
        system_note: None,
        media: None,
        error: None,
        metadata: None,
        participant: None,
        bot: None,
        created_at: chrono::Utc::now() - chrono::Duration::minutes(minutes_ago),
    };
    let tx = app.state.begin().await.expect("begin");
    store::messages::insert(&tx, row("interrompida", 30)).await.expect("insert");
    store::messages::insert(&tx, row("em voo", 0)).await.expect("insert");
    let queued = store::messages::insert(&tx, row("na fila", 30)).await.expect("insert").expect("stored");
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    store::outbox::enqueue(&tx, CompanyId(1), TicketId(id), shared::MessageId(queued.id), later).await.expect("queue");
    tx.commit().await.expect("commit");
    let failed = atende::domain::messages::fail_orphaned_sends(&app.state).await.expect("sweep");
    assert_eq!(failed, 1);
    let (_, messages) = app.get(&format!("/api/v1/tickets/{id}/messages"), &admin).await;
    let status_of = |body: &str| {
        messages["items"].as_array().expect("items").iter().find(|m| m["body"] == body).map(|m| m["status"].clone())
    };
    assert_eq!(status_of("interrompida"), Some(json!("failed")));
    assert_eq!(status_of("em voo"), Some(json!("pending")), "a send in flight on another instance is left alone");
    assert_eq!(status_of("na fila"), Some(json!("pending")), "the outbox will send it");
}
