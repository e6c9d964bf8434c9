//! Nothing a customer sends is dropped silently: each message shape Meta documents for the Cloud API
//! webhook, posted signed through the real endpoint, lands in the thread with what it carries
//! (`metadata`), live on the socket too; a number change continues the same thread; group messages
//! say who wrote them, and replies go to the group.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cloud_api::{Line, line_on, notification};
use crate::helpers::*;
use crate::ws_client::EventStream;

const MARIA: &str = "5511987654321";

fn from_maria(messages: Value) -> Value {
    notification(json!({
        "contacts": [{"profile": {"name": "Maria"}, "wa_id": MARIA}],
        "messages": messages,
    }))
}

async fn thread(line: &Line, ticket: i64) -> Vec<Value> {
    let (status, page) = line.app.get(&format!("/api/v1/tickets/{ticket}/messages?limit=100"), &line.admin).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut items = page["items"].as_array().cloned().unwrap_or_default();
    items.sort_by_key(|m| m["id"].as_i64());
    items
}

fn by_external<'a>(messages: &'a [Value], id: &str) -> &'a Value {
    messages.iter().find(|m| m["external_id"] == id).unwrap_or_else(|| panic!("{id} not stored: {messages:#?}"))
}

/// Every shape of Meta's "Received messages" reference that is not a plain text or a file.
fn every_kind() -> Value {
    json!([
        {"from": MARIA, "id": "wamid.AD", "timestamp": "1764000001", "type": "text", "text": {"body": "Vi o anúncio"},
         "referral": {"source_url": "https://fb.me/3cr4Wqqkv", "source_id": "ADID", "source_type": "ad",
                      "headline": "Promoção de verão", "body": "Tudo com 20% de desconto", "media_type": "image",
                      "image_url": "https://example.com/ad.jpg", "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ"}},
        {"from": MARIA, "id": "wamid.BUTTON", "timestamp": "1764000002", "type": "button",
         "context": {"from": "551140000000", "id": "wamid.TEMPLATE"},
         "button": {"text": "Quero falar com atendente", "payload": "HUMAN_AGENT"}},
        {"from": MARIA, "id": "wamid.BTNREPLY", "timestamp": "1764000003", "type": "interactive",
         "interactive": {"type": "button_reply", "button_reply": {"id": "opt-financeiro", "title": "Financeiro"}}},
        {"from": MARIA, "id": "wamid.LISTREPLY", "timestamp": "1764000004", "type": "interactive",
         "interactive": {"type": "list_reply", "list_reply": {"id": "row-2via", "title": "Segunda via", "description": "Boleto"}}},
        {"from": MARIA, "id": "wamid.LOC", "timestamp": "1764000005", "type": "location",
         "location": {"latitude": -23.561414, "longitude": -46.655881, "name": "MASP",
                      "address": "Av. Paulista, 1578", "url": "https://masp.org.br"}},
        {"from": MARIA, "id": "wamid.CARD", "timestamp": "1764000006", "type": "contacts",
         "contacts": [{"name": {"formatted_name": "João Lima", "first_name": "João"},
                       "phones": [{"phone": "+55 21 99876-5432", "type": "CELL", "wa_id": "5521998765432"}],
                       "emails": [{"email": "joao@example.com", "type": "WORK"}],
                       "org": {"company": "Padaria Lima"}}]},
        {"from": MARIA, "id": "wamid.ORDER", "timestamp": "1764000007", "type": "order",
         "order": {"catalog_id": "CAT-1", "text": "Entregar à tarde",
                   "product_items": [
                       {"product_retailer_id": "pao-frances", "quantity": "10", "item_price": "0.75", "currency": "BRL"},
                       {"product_retailer_id": "bolo-fuba", "quantity": "1", "item_price": "22.5", "currency": "BRL"}]}},
        {"from": MARIA, "id": "wamid.POLL", "timestamp": "1764000008", "type": "unsupported",
         "errors": [{"code": 131051, "title": "Message type unknown", "message": "Message type unknown",
                     "error_data": {"details": "Message type is currently not supported."}}],
         "unsupported": {"type": "poll"}}
    ])
}

#[tokio::test]
async fn every_documented_kind_is_kept_with_what_it_carries() {
    let line = line_on(TestApp::start().await).await;
    let mut events = EventStream::connect(&line.app.ws_url(&line.admin, None)).await;
    let payload = from_maria(every_kind());
    assert_eq!(line.deliver(&payload, None).await, StatusCode::OK);
    let ticket = line.only_ticket().await;
    let messages = thread(&line, ticket).await;
    assert_eq!(messages.len(), 8, "{messages:#?}");

    let ad = &by_external(&messages, "wamid.AD")["metadata"]["referral"];
    assert_eq!(ad["source_url"], "https://fb.me/3cr4Wqqkv");
    assert_eq!((ad["headline"].as_str(), ad["source_type"].as_str()), (Some("Promoção de verão"), Some("ad")));
    assert_eq!(ad["ctwa_clid"], "ARAkLkA8rmlFeiCktEJQ");
    assert_eq!(ad["body"], "Tudo com 20% de desconto");

    let button = by_external(&messages, "wamid.BUTTON");
    assert_eq!(button["body"], "Quero falar com atendente");
    assert_eq!(button["metadata"]["button"]["payload"], "HUMAN_AGENT");

    let reply = &by_external(&messages, "wamid.BTNREPLY")["metadata"]["reply"];
    assert_eq!((reply["kind"].as_str(), reply["id"].as_str()), (Some("button_reply"), Some("opt-financeiro")));
    let list = by_external(&messages, "wamid.LISTREPLY");
    assert_eq!(list["body"], "Segunda via");
    assert_eq!(list["metadata"]["reply"]["id"], "row-2via");
    assert_eq!(list["metadata"]["reply"]["kind"], "list_reply");

    let location = by_external(&messages, "wamid.LOC");
    assert_eq!(location["kind"], "location");
    assert_eq!(location["metadata"]["location"]["url"], "https://masp.org.br");
    assert_eq!(location["metadata"]["location"]["name"], "MASP");
    assert_eq!(location["metadata"]["location"]["latitude"], -23.561414);

    let card = &by_external(&messages, "wamid.CARD")["metadata"]["contacts"][0];
    assert_eq!(card["name"], "João Lima");
    assert_eq!(card["phones"][0]["phone"], "+55 21 99876-5432");
    assert_eq!(card["phones"][0]["wa_id"], "5521998765432");
    assert_eq!(card["emails"], json!(["joao@example.com"]));
    assert_eq!(card["organization"], "Padaria Lima");

    let order = by_external(&messages, "wamid.ORDER");
    let items = order["metadata"]["order"]["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0],
        json!({"product_retailer_id": "pao-frances", "quantity": 10, "item_price": 0.75, "currency": "BRL"})
    );
    assert_eq!(order["metadata"]["order"]["total"], 30.0);
    assert_eq!(order["metadata"]["order"]["currency"], "BRL");
    assert_eq!(order["body"], "Pedido: 11 itens, BRL 30.00\nEntregar à tarde");

    let poll = by_external(&messages, "wamid.POLL");
    assert_eq!(poll["body"], "O cliente enviou um tipo de mensagem que o WhatsApp não entrega à API");
    assert_eq!(poll["metadata"]["unsupported"]["code"], 131051);
    assert!(poll["metadata"]["unsupported"]["reason"].as_str().is_some_and(|r| r.starts_with("poll")), "{poll}");

    // Plain messages carry no metadata at all.
    assert_eq!(line.deliver(&crate::cloud_api::text_from_maria("wamid.PLAIN", "oi"), None).await, StatusCode::OK);
    let plain = thread(&line, ticket).await;
    assert!(by_external(&plain, "wamid.PLAIN").get("metadata").is_none());

    // Live: the socket's message.created carries the same metadata.
    let mut created = Vec::new();
    while created.len() < 9 {
        let event = events.next().await;
        if event["type"] == "message.created" {
            created.push(event["data"].clone());
        }
    }
    assert_eq!(by_external(&created, "wamid.ORDER")["metadata"], order["metadata"]);
    assert_eq!(by_external(&created, "wamid.POLL")["metadata"], poll["metadata"]);
    events.close().await;

    // Meta retries the whole webhook: nothing is stored twice.
    assert_eq!(line.deliver(&payload, None).await, StatusCode::OK);
    assert_eq!(thread(&line, ticket).await.len(), 9);
}

#[tokio::test]
async fn a_changed_number_continues_the_same_thread() {
    let line = line_on(TestApp::start().await).await;
    assert_eq!(line.deliver(&crate::cloud_api::text_from_maria("wamid.1", "oi"), None).await, StatusCode::OK);
    let ticket = line.only_ticket().await;
    let notice = notification(json!({
        "messages": [{"from": "551187654321", "id": "wamid.SYS", "timestamp": "1764000100", "type": "system",
                      "system": {"body": "Maria changed from 551187654321 to 5511912345678",
                                 "wa_id": "5511912345678", "type": "user_changed_number"}}]
    }));
    assert_eq!(line.deliver(&notice, None).await, StatusCode::OK);
    assert_eq!(line.deliver(&notice, None).await, StatusCode::OK, "a retried notice changes nothing more");
    let detail = line.app.ticket(&line.admin, ticket).await;
    assert_eq!(detail["contact"]["number"], "5511912345678");
    assert_eq!(detail["contact"]["name"], "Maria");
    let messages = thread(&line, ticket).await;
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert_eq!(messages[1]["kind"], "system");
    assert_eq!(messages[1]["system"]["kind"], "number_changed");
    assert_eq!(messages[1]["system"]["to"], "5511912345678");
    assert_eq!(messages[1]["body"], "Maria mudou de número para 5511912345678");

    // The next message from the new number lands in the same ticket.
    let from_new = notification(json!({
        "contacts": [{"profile": {"name": "Maria"}, "wa_id": "5511912345678"}],
        "messages": [{"from": "5511912345678", "id": "wamid.2", "timestamp": "1764000200", "type": "text",
                      "text": {"body": "agora por este número"}}]
    }));
    assert_eq!(line.deliver(&from_new, None).await, StatusCode::OK);
    assert_eq!(line.app.ticket_ids(&line.admin, "").await, [ticket], "one thread");
    assert_eq!(thread(&line, ticket).await.len(), 3);
}

#[tokio::test]
async fn group_messages_name_their_participant() {
    let Desk { app, admin, connection, .. } = desk().await;
    let group = json!({"id": "120363012345@g.us", "name": "Clientes VIP"});
    let (status, first) = app
        .customer_writes(
            &admin,
            connection,
            json!({"from": "11987654321", "name": "Maria", "body": "bom dia", "group": group}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, _) = app
        .customer_writes(&admin, connection, json!({"from": "21998765432", "body": "olá a todos", "group": group}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let ticket = first["ticket_id"].as_i64().expect("ticket");
    assert_eq!(app.ticket_ids(&admin, "kind=group").await, [ticket], "one group ticket for both");
    let (_, page) = app.get(&format!("/api/v1/tickets/{ticket}/messages"), &admin).await;
    let mut messages = page["items"].as_array().cloned().expect("items");
    messages.sort_by_key(|m| m["id"].as_i64());
    assert_eq!(messages[0]["body"], "bom dia", "the body is what was written");
    assert_eq!(messages[0]["participant"], json!({"name": "Maria", "number": "5511987654321"}));
    assert_eq!(messages[1]["participant"], json!({"name": "5521998765432", "number": "5521998765432"}));
    let detail = app.ticket(&admin, ticket).await;
    assert_eq!(detail["contact"]["number"], "120363012345@g.us");
    assert_eq!(detail["last_message"]["body"], "5521998765432: olá a todos", "the list says who wrote last");

    // A private message of the same person is another ticket, without a participant.
    let private = app.inbound(&admin, connection, "11987654321", "oi, no privado").await;
    assert_ne!(private, ticket);
    let (_, page) = app.get(&format!("/api/v1/tickets/{private}/messages"), &admin).await;
    assert!(page["items"][0].get("participant").is_none());
}

#[tokio::test]
async fn a_reply_in_a_group_goes_to_the_group_id() {
    let line = line_on(TestApp::start().await).await;
    let connection = atende::store::connections::get(&line.app.state.db, shared::ConnectionId(line.connection))
        .await
        .expect("db")
        .expect("connection");
    let inbound = atende::domain::inbound::Inbound {
        from: "5511987654321".into(),
        name: Some("Maria".into()),
        group: Some(("120363012345".into(), "Clientes VIP".into())),
        body: "bom dia, grupo".into(),
        external_id: Some("wamid.GROUP1".into()),
        ..Default::default()
    };
    let received = atende::domain::inbound::receive(&line.app.state, &connection, inbound).await.expect("stored");
    let atende::domain::inbound::Received::Stored { ticket_id, .. } = received else {
        panic!("not stored: {received:?}");
    };
    let ticket = ticket_id.0;
    let (status, _) = line.app.act(&line.admin, ticket, "accept", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, sent) =
        line.app.post(&format!("/api/v1/tickets/{ticket}/messages"), &line.admin, json!({"body": "Bom dia!"})).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let settled = line.app.settled(&line.admin, ticket, sent["id"].as_i64().expect("id")).await;
    assert_eq!(settled["status"], "sent", "{settled}");
    let graph = line.graph.lock().expect("lock");
    assert_eq!(graph.sent.len(), 1);
    assert_eq!(graph.sent[0]["to"], "120363012345", "{:?}", graph.sent);
    assert_eq!(graph.sent[0]["recipient_type"], "group", "{:?}", graph.sent);
}
