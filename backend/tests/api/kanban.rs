//! Kanban: boards and their lanes (CRUD, validation, replacing the lanes), placing tickets in
//! lanes (log row, live event), and who sees which board tickets and events.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Desk, TestApp, assert_error, desk};
use crate::ws_client::EventStream;

async fn create_board(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, board) = app.post("/api/v1/kanban/boards", token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{board}");
    board
}

fn lane_ids(board: &Value) -> Vec<i64> {
    board["lanes"].as_array().expect("lanes").iter().map(|l| l["id"].as_i64().expect("lane id")).collect()
}

fn lane_names(board: &Value) -> Vec<String> {
    board["lanes"].as_array().expect("lanes").iter().map(|l| l["name"].as_str().unwrap_or("").to_owned()).collect()
}

async fn place(app: &TestApp, token: &str, ticket: i64, lane: Option<i64>) -> (StatusCode, Value) {
    app.send(Method::PUT, &format!("/api/v1/tickets/{ticket}/kanban"), Some(token), Some(json!({"lane_id": lane})))
        .await
}

async fn kanban_logs(app: &TestApp, token: &str, ticket: i64) -> Vec<Value> {
    let (status, page) = app.get(&format!("/api/v1/tickets/{ticket}/logs?limit=100"), token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().expect("items").iter().filter(|l| l["kind"] == "kanban_moved").cloned().collect()
}

/// The ids of a board's tickets as `token` sees them, with a query string.
async fn board_ticket_ids(app: &TestApp, token: &str, board: i64, query: &str) -> Vec<i64> {
    let (status, answer) = app.get(&format!("/api/v1/kanban/boards/{board}/tickets?{query}"), token).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let mut ids: Vec<i64> =
        answer["items"].as_array().expect("items").iter().map(|t| t["id"].as_i64().unwrap_or_default()).collect();
    ids.sort_unstable();
    ids
}

async fn other_company(app: &TestApp, admin: &str) -> String {
    let (status, created) = app
        .post(
            "/api/v1/companies",
            admin,
            json!({"name": "Outra", "admin": {"name": "Olga", "email": "olga@outra.test", "password": "olga-secret-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    app.login("olga@outra.test", "olga-secret-1").await
}

#[tokio::test]
async fn admins_keep_boards_of_ordered_lanes_and_everyone_reads_them() {
    let Desk { app, admin, queue, .. } = desk().await;
    let board = create_board(
        &app,
        &admin,
        json!({"name": " Vendas ", "lanes": [{"name": "Novo", "color": "#1E88E5"}, {"name": "Proposta"}, {"name": "Fechado"}]}),
    )
    .await;
    assert_eq!(board["name"], "Vendas");
    assert_eq!(lane_names(&board), ["Novo", "Proposta", "Fechado"]);
    assert_eq!(board["lanes"][0]["color"], "#1e88e5");
    assert_eq!(board["lanes"][1]["color"], "#90a4ae", "a lane without a colour gets the neutral one");
    let id = board["id"].as_i64().expect("board id");
    let (status, read_back) = app.get(&format!("/api/v1/kanban/boards/{id}"), &admin).await;
    assert_eq!((status, &read_back), (StatusCode::OK, &board));

    // Agents read boards (the Kanban page) but do not change them.
    let (_, agent) = app.user(&admin, "ana@test.local", "agent", &[queue]).await;
    let (status, listed) = app.get("/api/v1/kanban/boards", &agent).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["items"], json!([board]));
    let (status, body) = app.post("/api/v1/kanban/boards", &agent, json!({"name": "Meu"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app.patch(&format!("/api/v1/kanban/boards/{id}"), &agent, json!({"name": "x"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app.delete(&format!("/api/v1/kanban/boards/{id}"), &agent).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");

    // Validation: every problem at once, named by the lane's place.
    let (status, body) = app
        .post(
            "/api/v1/kanban/boards",
            &admin,
            json!({"name": "  ", "lanes": [{"name": "ok"}, {"name": "", "color": "azul"}, {"id": 1, "name": "x"}]}),
        )
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let details = &body["error"]["details"];
    assert_eq!(details["name"]["code"], "required", "{body}");
    assert_eq!(details["lanes[1].name"]["code"], "required", "{body}");
    assert_eq!(details["lanes[1].color"]["code"], "not_color", "{body}");
    assert_eq!(details["lanes[2].id"]["code"], "not_in_company", "{body}");
    let many: Vec<Value> = (0..21).map(|i| json!({"name": format!("L{i}")})).collect();
    let (status, body) = app.post("/api/v1/kanban/boards", &admin, json!({"name": "Grande", "lanes": many})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert!(body["error"]["details"]["lanes"].is_object(), "{body}");
    let (status, body) = app.patch(&format!("/api/v1/kanban/boards/{id}"), &admin, json!({"colunas": []})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");

    // A PATCH without lanes renames only.
    let (status, renamed) =
        app.patch(&format!("/api/v1/kanban/boards/{id}"), &admin, json!({"name": "Pipeline"})).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!((&renamed["name"], &renamed["lanes"]), (&json!("Pipeline"), &board["lanes"]));

    // Deleted: gone for everyone.
    let (status, _) = app.delete(&format!("/api/v1/kanban/boards/{id}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.get(&format!("/api/v1/kanban/boards/{id}"), &admin).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn replacing_the_lanes_keeps_renames_reorders_creates_and_deletes() {
    let Desk { app, admin, connection, .. } = desk().await;
    let board =
        create_board(&app, &admin, json!({"name": "Suporte", "lanes": [{"name": "A"}, {"name": "B"}, {"name": "C"}]}))
            .await;
    let id = board["id"].as_i64().expect("board id");
    let [a, b, c] = lane_ids(&board)[..] else { panic!("three lanes: {board}") };
    let in_b = app.inbound(&admin, connection, "11987654321", "oi").await;
    let in_c = app.inbound(&admin, connection, "11987654322", "oi").await;
    assert_eq!(place(&app, &admin, in_b, Some(b)).await.0, StatusCode::OK);
    assert_eq!(place(&app, &admin, in_c, Some(c)).await.0, StatusCode::OK);

    let mut events = EventStream::connect(&app.ws_url(&admin, None)).await;
    // C first and recoloured, A renamed, B left out, D new.
    let (status, changed) = app
        .patch(
            &format!("/api/v1/kanban/boards/{id}"),
            &admin,
            json!({"lanes": [{"id": c, "name": "C", "color": "#ff0000"}, {"id": a, "name": "A2"}, {"name": "D"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(lane_names(&changed), ["C", "A2", "D"]);
    let ids = lane_ids(&changed);
    assert_eq!(&ids[..2], &[c, a], "kept lanes keep their ids");
    assert!(![a, b, c].contains(&ids[2]), "a new lane gets a new id");
    assert_eq!(changed["lanes"][0]["color"], "#ff0000");
    assert_eq!(changed["lanes"][1]["color"], board["lanes"][0]["color"], "no colour given: kept");

    // B's ticket left the board, with a log row and an event; C's stayed.
    assert_eq!(app.ticket(&admin, in_b).await["kanban_lane_id"], Value::Null);
    assert_eq!(app.ticket(&admin, in_c).await["kanban_lane_id"], c);
    let logs = kanban_logs(&app, &admin, in_b).await;
    assert_eq!(logs.first().map(|l| l["details"].clone()), Some(json!({"board": null, "lane": null})));
    let seen = events.until("kanban_board.updated").await;
    assert!(
        seen.iter()
            .any(|e| e["type"] == "ticket.updated" && e["data"]["id"] == in_b && e["data"]["kanban_lane_id"].is_null()),
        "{seen:?}"
    );
    assert_eq!(seen.last().map(|e| lane_names(&e["data"])), Some(vec!["C".into(), "A2".into(), "D".into()]));

    // A lane of another board cannot be claimed, nor one twice.
    let other = create_board(&app, &admin, json!({"name": "Outro", "lanes": [{"name": "X"}]})).await;
    let x = lane_ids(&other)[0];
    let (status, body) =
        app.patch(&format!("/api/v1/kanban/boards/{id}"), &admin, json!({"lanes": [{"id": x, "name": "X"}]})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["lanes[0].id"]["code"], "not_in_company");
    let (status, body) = app
        .patch(
            &format!("/api/v1/kanban/boards/{id}"),
            &admin,
            json!({"lanes": [{"id": c, "name": "C"}, {"id": c, "name": "C"}]}),
        )
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["lanes[1].id"]["code"], "not_in_company");

    // Deleting the board takes its tickets off it.
    let (status, _) = app.delete(&format!("/api/v1/kanban/boards/{id}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.ticket(&admin, in_c).await["kanban_lane_id"], Value::Null);
    let seen = events.until("kanban_board.deleted").await;
    assert!(seen.iter().any(|e| e["type"] == "ticket.updated" && e["data"]["id"] == in_c), "{seen:?}");
    assert_eq!(seen.last().map(|e| e["data"]["id"].clone()), Some(json!(id)));
}

#[tokio::test]
async fn moving_a_ticket_logs_it_and_tells_whoever_may_see_it() {
    let Desk { app, admin, queue, connection } = desk().await;
    let board =
        create_board(&app, &admin, json!({"name": "Vendas", "lanes": [{"name": "Novo"}, {"name": "Ganho"}]})).await;
    let [novo, ganho] = lane_ids(&board)[..] else { panic!("two lanes: {board}") };
    let ticket = app.inbound(&admin, connection, "11987654321", "oi").await;
    let elsewhere = app.queue(&admin, "Financeiro").await;
    let (_, ana) = app.user(&admin, "ana@test.local", "agent", &[queue]).await;
    let (_, bia) = app.user(&admin, "bia@test.local", "agent", &[elsewhere]).await;
    let olga = other_company(&app, &admin).await;
    let mut ana_events = EventStream::connect(&app.ws_url(&ana, None)).await;
    let mut bia_events = EventStream::connect(&app.ws_url(&bia, None)).await;
    let mut olga_events = EventStream::connect(&app.ws_url(&olga, None)).await;

    // Ana sees the pending ticket of her queue: she places it; Bia, of another queue, hears nothing.
    let (status, moved) = place(&app, &ana, ticket, Some(novo)).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["kanban_lane_id"], novo);
    let seen = ana_events.until("ticket.updated").await;
    assert_eq!(seen.last().map(|e| e["data"]["kanban_lane_id"].clone()), Some(json!(novo)));
    assert_eq!(app.ticket(&admin, ticket).await["kanban_lane_id"], novo);
    let logs = kanban_logs(&app, &admin, ticket).await;
    assert_eq!(logs.len(), 1);
    assert_eq!(
        logs[0]["details"],
        json!({"board": {"id": board["id"], "name": "Vendas"}, "lane": {"id": novo, "name": "Novo"}})
    );
    assert_eq!(logs[0]["user"]["name"], "ana@test.local");

    // Another lane: a move, not a second card. The same lane again changes nothing.
    let (status, moved) = place(&app, &admin, ticket, Some(ganho)).await;
    assert_eq!((status, &moved["kanban_lane_id"]), (StatusCode::OK, &json!(ganho)));
    let (status, _) = place(&app, &admin, ticket, Some(ganho)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kanban_logs(&app, &admin, ticket).await.len(), 2);
    assert_eq!(board_ticket_ids(&app, &admin, board["id"].as_i64().unwrap_or_default(), "").await, [ticket]);

    // Outsiders: Bia cannot see it (404, as for the ticket itself); Olga's company neither, and
    // her lanes are not this company's.
    let (status, body) = place(&app, &bia, ticket, Some(novo)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = place(&app, &olga, ticket, None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let theirs = create_board(&app, &olga, json!({"name": "Dela", "lanes": [{"name": "Z"}]})).await;
    let (status, body) = place(&app, &admin, ticket, Some(lane_ids(&theirs)[0])).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["lane_id"]["code"], "not_in_company");

    // Off the board.
    let (status, moved) = place(&app, &admin, ticket, None).await;
    assert_eq!((status, &moved["kanban_lane_id"]), (StatusCode::OK, &Value::Null));
    assert_eq!(kanban_logs(&app, &admin, ticket).await[0]["details"], json!({"board": null, "lane": null}));
    let seen = ana_events.until("ticket.updated").await;
    assert_eq!(seen.last().map(|e| e["data"]["kanban_lane_id"].clone()), Some(json!(ganho)));
    let seen = ana_events.until("ticket.updated").await;
    assert_eq!(seen.last().map(|e| e["data"]["kanban_lane_id"].clone()), Some(Value::Null));

    // Bia heard nothing of the ticket; Olga only her own board's creation.
    while let Some(event) = bia_events.next_within(Duration::from_millis(300)).await {
        assert_ne!(event["data"]["id"], ticket, "Bia must not hear of the ticket: {event}");
        assert!(!event["type"].as_str().unwrap_or("").starts_with("ticket."), "{event}");
    }
    let first = olga_events.next().await;
    assert_eq!((first["type"].as_str(), &first["data"]["name"]), (Some("kanban_board.updated"), &json!("Dela")));
    assert!(olga_events.next_within(Duration::from_millis(300)).await.is_none(), "nothing else for Olga");
}

#[tokio::test]
async fn a_boards_tickets_are_those_the_caller_may_see_filtered_by_queue_and_agent() {
    let Desk { app, admin, queue, connection } = desk().await;
    let finance = app.queue(&admin, "Financeiro").await;
    let finance_line = app.simulator(&admin, Some(finance)).await;
    let board = create_board(&app, &admin, json!({"name": "Fluxo", "lanes": [{"name": "A"}, {"name": "B"}]})).await;
    let id = board["id"].as_i64().expect("board id");
    let [a, b] = lane_ids(&board)[..] else { panic!("two lanes") };
    let support = app.inbound(&admin, connection, "11987654321", "oi").await;
    let money = app.inbound(&admin, finance_line, "11987654322", "oi").await;
    let mine = app.inbound(&admin, connection, "11987654323", "oi").await;
    let off_board = app.inbound(&admin, connection, "11987654324", "oi").await;
    app.act(&admin, mine, "accept", json!({})).await;
    let admin_id = app.get("/api/v1/me", &admin).await.1["id"].as_i64().expect("my id");
    for (ticket, lane) in [(support, a), (money, b), (mine, b)] {
        assert_eq!(place(&app, &admin, ticket, Some(lane)).await.0, StatusCode::OK);
    }
    assert_eq!(app.ticket(&admin, off_board).await["kanban_lane_id"], Value::Null);

    let mut all = vec![support, money, mine];
    all.sort_unstable();
    assert_eq!(board_ticket_ids(&app, &admin, id, "").await, all);
    assert_eq!(board_ticket_ids(&app, &admin, id, &format!("queue_id={finance}")).await, [money]);
    assert_eq!(board_ticket_ids(&app, &admin, id, &format!("user_id={admin_id}")).await, [mine]);
    let (status, answer) = app.get(&format!("/api/v1/kanban/boards/{id}/tickets?limit=1"), &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((answer["items"].as_array().map(Vec::len), &answer["truncated"]), (Some(1), &json!(true)));
    let card = &answer["items"][0];
    assert!(card["contact"]["name"].is_string() && card["kanban_lane_id"].is_i64(), "{card}");

    // An agent of the support queue sees its pending ticket, not finance's nor the admin's own.
    let (_, ana) = app.user(&admin, "ana@test.local", "agent", &[queue]).await;
    assert_eq!(board_ticket_ids(&app, &ana, id, "").await, [support]);
    let (_, bia) = app.user(&admin, "bia@test.local", "agent", &[finance]).await;
    assert_eq!(board_ticket_ids(&app, &bia, id, "").await, [money]);

    // Another company: the board does not exist.
    let olga = other_company(&app, &admin).await;
    for path in [format!("/api/v1/kanban/boards/{id}"), format!("/api/v1/kanban/boards/{id}/tickets")] {
        let (status, body) = app.get(&path, &olga).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (status, body) = app.patch(&format!("/api/v1/kanban/boards/{id}"), &olga, json!({"name": "x"})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app.delete(&format!("/api/v1/kanban/boards/{id}"), &olga).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (_, listed) = app.get("/api/v1/kanban/boards", &olga).await;
    assert_eq!(listed["items"], json!([]));
}
